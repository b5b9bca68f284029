/* test_model_cs.c — the model's count of who is inside a critical section,
 * from events: entering and leaving, two at once (mutual exclusion broken),
 * and a process that dies inside (forgotten, so SEM_UNDO letting the next
 * one in is not taken for a broken lock). */
#include <criterion/criterion.h>

#include "events.h"
#include <stdio.h>
#include <string.h>

#include "model/model.h"

static struct model m;

static void setup(void)
{
    model_init(&m);
    m.nroles = 1;
    strcpy(m.role_names[0], "worker");
    for (int i = 1; i <= 3; i++) {
        char name[16];
        snprintf(name, sizeof name, "worker-%d", i);
        model_add_proc(&m, 100 + i, 1, 0, i, name);
    }
}

TestSuite(model_cs, .init = setup);

/* value: for cs ops the shared count or counter, for EXITED the wait status. */
static void set_value(struct event *e, long long value)
{
    if (e->op == OP_EXITED)
        e->exited.status = value;
    else if (e->op == OP_CS_UPDATE)
        e->cs_update.written = value;
    else if (e->op == OP_CS_LEAVE)
        e->cs_leave.entries = value;
    else
        e->cs_enter.inside = value;
}

static void ev(int pid, int op, int phase, long long value)
{
    struct event e = test_event(op, phase, pid, 0, 0);
    set_value(&e, value);
    model_apply_event(&m, &e);
}

Test(model_cs, one_at_a_time)
{
    for (int pid = 101; pid <= 103; pid++) {
        ev(pid, OP_CS_ENTER, PH_END, 1);
        cr_expect_eq(m.cs.ev_inside[0], 1);
        ev(pid, OP_CS_LEAVE, PH_END, 0);
        cr_expect_eq(m.cs.ev_inside[0], 0);
    }
    cr_expect_eq(m.cs.max_occupancy, 1);
}

Test(model_cs, two_inside_is_seen)
{
    ev(101, OP_CS_ENTER, PH_END, 1);
    ev(102, OP_CS_ENTER, PH_END, 2);
    cr_expect_eq(m.cs.max_occupancy, 2);
}

Test(model_cs, a_death_inside_is_forgotten)
{
    ev(101, OP_CS_ENTER, PH_END, 1);
    ev(101, OP_EXITED, PH_NOTE, 9); /* killed by SIGKILL */
    cr_expect_eq(m.cs.died_inside, 1);
    cr_expect_eq(m.cs.ev_inside[0], 0);
    /* SEM_UNDO gave the semaphore back: the next one enters, alone. The
     * shared counter (value) still counts the dead one: it says 2. */
    ev(102, OP_CS_ENTER, PH_END, 2);
    cr_expect_eq(m.cs.max_occupancy, 1, "a dead process is not inside");
    bool told = false;
    for (uint64_t i = model_story_first(&m); i < m.story_count; i++)
        if (strstr(model_story_line(&m, i)->what, "died inside"))
            told = true;
    cr_expect(told, "the story says it died inside");
}

Test(model_cs, a_death_reported_after_the_next_entry_is_forgotten_too)
{
    /* The kernel undoes the dead holder's P and wakes the next one, whose
     * cs_enter may reach the model before the death (SIGCHLD) does. */
    ev(101, OP_CS_ENTER, PH_END, 1);
    ev(102, OP_CS_ENTER, PH_END, 2);
    cr_expect_eq(m.cs.max_occupancy, 2, "two inside, as far as the model knows yet");
    ev(101, OP_EXITED, PH_NOTE, 9);
    cr_expect_eq(m.cs.max_occupancy, 1, "the first was dead: only one was inside");
    ev(102, OP_CS_LEAVE, PH_END, 0);
    ev(103, OP_CS_ENTER, PH_END, 1);
    cr_expect_eq(m.cs.max_occupancy, 1);
}

Test(model_cs, live_crowds_stay_violations)
{
    ev(101, OP_CS_ENTER, PH_END, 1);
    ev(102, OP_CS_ENTER, PH_END, 2);
    ev(103, OP_CS_ENTER, PH_END, 3);
    ev(103, OP_EXITED, PH_NOTE, 9);
    cr_expect_eq(m.cs.max_occupancy, 2, "101 and 102 were both alive inside");
}

static void stopped(int pid)
{
    struct event e;
    memset(&e, 0, sizeof e);
    e.pid = pid;
    e.op = OP_EXITED;
    e.phase = PH_NOTE;
    e.exited.status = 9;
    e.exited.stopped = 1; /* killed because the run was stopped */
    model_apply_event(&m, &e);
}

Test(model_cs, killed_by_the_stop_inside_is_still_a_crowd)
{
    /* sem=off stopped by --for: two were inside at once, then the stop
     * killed both. Nobody entered after those deaths, so the crowd was
     * real: mutual exclusion stays broken. */
    ev(101, OP_CS_ENTER, PH_END, 1);
    ev(102, OP_CS_ENTER, PH_END, 2);
    stopped(101);
    stopped(102);
    cr_expect_eq(m.cs.died_inside, 0);
    cr_expect_eq(m.cs.ev_inside[0], 0);
    cr_expect_eq(m.cs.max_occupancy, 2);
    bool undo_told = false;
    for (uint64_t i = model_story_first(&m); i < m.story_count; i++)
        if (strstr(model_story_line(&m, i)->detail, "SEM_UNDO gives"))
            undo_told = true;
    cr_expect_not(undo_told, "a stop is not SEM_UNDO letting the next one in");
}

static void ev_at(int pid, int op, int phase, long long value, uint64_t t)
{
    struct event e = test_event(op, phase, pid, 0, 0);
    set_value(&e, value);
    e.t_ns = t;
    model_apply_event(&m, &e);
}

Test(model_cs, a_death_after_being_seen_alive_in_a_crowd_erases_nothing)
{
    /* sem=off: 101 and 102 inside at once; 101 still wrote its update after
     * that (so it was alive and inside), and only then was killed. The
     * crowd was real. */
    ev_at(101, OP_CS_ENTER, PH_END, 1, 100);
    ev_at(102, OP_CS_ENTER, PH_END, 2, 200);
    ev_at(101, OP_CS_UPDATE, PH_END, 1, 300);
    ev_at(101, OP_EXITED, PH_NOTE, 9, 400);
    cr_expect_eq(m.cs.died_inside, 1);
    cr_expect_eq(m.cs.max_occupancy, 2, "101 was seen alive after 102 came in");
}

Test(model_cs, a_holder_dead_before_the_next_one_entered_is_discounted_with_times)
{
    /* The SEM_UNDO case with real times: 101's last sign of life came before
     * 102 entered; its death is told after (the reap is the engine's). */
    ev_at(101, OP_CS_ENTER, PH_END, 1, 100);
    ev_at(102, OP_CS_ENTER, PH_END, 2, 300);
    ev_at(101, OP_EXITED, PH_NOTE, 9, 400);
    cr_expect_eq(m.cs.max_occupancy, 1);
}

/* A P on semaphore 0 of set 0 (a lock), with or without SEM_UNDO. */
static void p_ok(int pid, bool undo)
{
    struct event e;
    memset(&e, 0, sizeof e);
    e.pid = pid;
    e.op = OP_P;
    e.phase = PH_END;
    e.sem.amount = -1;
    e.flags = undo ? OPF_UNDO : 0;
    model_apply_event(&m, &e);
}

static void with_lock(void)
{
    struct model_semset *s = &m.semsets[m.nsemsets++];
    s->index = 0;
    s->semid = 7;
    s->nsems = 1;
    s->lockmask = 1;
}

static const char *last_died_inside(void)
{
    const char *d = NULL;
    for (uint64_t i = model_story_first(&m); i < m.story_count; i++)
        if (strstr(model_story_line(&m, i)->what, "died inside"))
            d = model_story_line(&m, i)->detail;
    return d;
}

static const char *last_line(void)
{
    return model_story_line(&m, m.story_count - 1)->detail;
}

Test(model_cs, a_holder_killed_with_undo_gives_the_lock_back)
{
    with_lock();
    p_ok(101, true);
    ev(101, OP_CS_ENTER, PH_END, 1);
    ev(101, OP_EXITED, PH_NOTE, 9);
    cr_expect_eq(m.semsets[0].holder[0], 0, "the kernel undid its P: nobody holds it");
    cr_expect_str_eq(last_died_inside(),
                     "it died in the critical section: its SEM_UNDO gives the semaphore back, "
                     "so the next one may enter");
    /* The next one enters; the shared count still says 2 (it counts the
     * dead one), but one is inside: the story must not cry "broken". */
    p_ok(102, true);
    ev(102, OP_CS_ENTER, PH_END, 2);
    cr_expect_null(strstr(last_line(), "broken"), "said: %s", last_line());
    cr_expect(strstr(last_line(), "alone") != NULL, "said: %s", last_line());
    ev(102, OP_CS_LEAVE, PH_END, 1);
    ev(103, OP_CS_ENTER, PH_END, 2);
    cr_expect_null(strstr(last_line(), "broken"), "said: %s", last_line());
}

Test(model_cs, a_holder_killed_without_undo_keeps_the_lock)
{
    with_lock();
    p_ok(101, false);
    ev(101, OP_CS_ENTER, PH_END, 1);
    ev(101, OP_EXITED, PH_NOTE, 15);
    cr_expect_eq(m.semsets[0].holder[0], 101, "the dead still hold it");
    cr_expect(m.semsets[0].holder_dead & 1u);
    const char *d = last_died_inside();
    cr_assert_not_null(d);
    cr_expect_null(strstr(d, "gives the semaphore back"), "said: %s", d);
    cr_expect(strstr(d, "without SEM_UNDO") != NULL, "said: %s", d);
}

Test(model_cs, a_holder_whose_death_is_reported_after_the_next_entry)
{
    /* SEM_UNDO hands the lock to the next worker, whose P and cs_enter reach
     * the model before the holder's death (SIGCHLD) does. */
    with_lock();
    p_ok(101, true);
    ev(101, OP_CS_ENTER, PH_END, 1);
    p_ok(102, true); /* the kernel gave 101's lock away: 101 is dying */
    ev(102, OP_CS_ENTER, PH_END, 2);
    cr_expect_null(strstr(last_line(), "broken"), "said: %s", last_line());
    ev(101, OP_EXITED, PH_NOTE, 9);
    const char *d = last_died_inside();
    cr_assert_not_null(d);
    cr_expect(strstr(d, "its SEM_UNDO gives the semaphore back") != NULL, "said: %s", d);
    cr_expect_eq(m.semsets[0].holder[0], 102);
    cr_expect_eq(m.cs.max_occupancy, 1);
}
