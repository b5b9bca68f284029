/* test_judges.c — every check of msgq, shm and deadlock can fail: hand-made
 * event streams (applied through the model, as a live run or a replay would)
 * that break exactly one promise each, and the judge must say FAILED. The
 * same streams without the fault must pass, so the checks are not vacuous
 * the other way either. */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/model.h"
#include "model/msgwire.h"
#include "model/ring.h"
#include "scenarios/scenario.h"

static struct model *m;
static long vals[SCENARIO_MAX_PARAMS];
static const struct scenario_def *sc;

static void setup(void)
{
    m = calloc(1, sizeof *m);
    cr_assert_not_null(m);
    model_init(m);
}

static void teardown(void)
{
    free(m);
}

static void use(const char *name, int argc, char *argv[])
{
    sc = scenario_find(name);
    cr_assert_not_null(sc, "scenario %s", name);
    char err[256];
    cr_assert_eq(scenario_parse_params(sc, argc, argv, vals, err, sizeof err), 0, "%s", err);
}

static const struct model_check *check(const char *name)
{
    for (int i = 0; i < m->nchecks; i++)
        if (strcmp(m->checks[i].name, name) == 0)
            return &m->checks[i];
    cr_assert_fail("no check %s", name);
    return NULL;
}

static void apply(struct event ev)
{
    ev.phase = PH_END;
    model_apply_event(m, &ev);
}

/* ---- msgq ---------------------------------------------------------------- */

enum { R_SENDER, R_ANY, R_TYPE2, R_UPTO2, R_NOT2 };

static void msgq_world(void)
{
    char *argv[] = {"senders=1", "messages=3", "types=3", "sel=2"};
    use("msgq", 4, argv);
    const char *roles[] = {"sender", "recv-any", "recv-type2", "recv-upto2", "recv-not2"};
    m->nroles = 5;
    for (int i = 0; i < 5; i++) {
        strcpy(m->role_names[i], roles[i]);
        char name[32];
        snprintf(name, sizeof name, "%s-1", roles[i]);
        model_add_proc(m, 300 + i, 1, i, 1, name);
    }
}

static void sent(int seq, int type)
{
    apply((struct event){.pid = 300,
                         .role = R_SENDER,
                         .instance = 1,
                         .op = OP_MSGSND,
                         .msgsnd = {.type = type, .len = 48, .seq = seq}});
}

static void got(int role, int sel, uint16_t flags, int seq, int type, int bytes, int full)
{
    apply((struct event){.pid = 300 + role,
                         .role = (int16_t)role,
                         .instance = 1,
                         .op = OP_MSGRCV,
                         .flags = flags,
                         .result = bytes,
                         .msgrcv = {.sel = sel,
                                    .type = type,
                                    .who = msgwire_who(R_SENDER, 1, seq),
                                    .how = msgwire_how(full, bytes == full, 48)}});
}

static void msgq_judge_final(void)
{
    sc->judge(m, vals, 1);
}

TestSuite(judge_msgq, .init = setup, .fini = teardown);

Test(judge_msgq, a_clean_run_passes)
{
    msgq_world();
    sent(1, 1);
    sent(2, 2);
    sent(3, 3);
    got(R_TYPE2, 2, 0, 2, 2, 48, 48);
    got(R_ANY, 0, 0, 1, 1, 48, 48);
    got(R_NOT2, 2, OPF_EXCEPT, 3, 3, 48, 48);
    msgq_judge_final();
    cr_expect_eq(check("every_message_once")->status, CHECK_OK, "%s",
                 check("every_message_once")->detail);
    cr_expect_eq(check("selector_matches")->status, CHECK_OK);
    cr_expect_eq(check("kernel_order")->status, CHECK_OK);
    cr_expect_eq(check("whole_messages")->status, CHECK_OK);
}

Test(judge_msgq, a_duplicate_fails_every_message_once)
{
    msgq_world();
    sent(1, 1);
    sent(2, 2);
    sent(3, 3);
    got(R_ANY, 0, 0, 1, 1, 48, 48);
    got(R_ANY, 0, 0, 2, 2, 48, 48);
    got(R_ANY, 0, 0, 3, 3, 48, 48);
    got(R_NOT2, 2, OPF_EXCEPT, 3, 3, 48, 48);
    sc->judge(m, vals, 0); /* not even final: a duplicate is final already */
    cr_expect_eq(check("every_message_once")->status, CHECK_FAILED);
}

Test(judge_msgq, a_message_left_behind_fails_at_the_end)
{
    msgq_world();
    sent(1, 1);
    sent(2, 2);
    sent(3, 3);
    got(R_ANY, 0, 0, 1, 1, 48, 48);
    got(R_ANY, 0, 0, 3, 3, 48, 48);
    sc->judge(m, vals, 0);
    cr_expect_eq(check("every_message_once")->status, CHECK_PENDING);
    msgq_judge_final();
    cr_expect_eq(check("every_message_once")->status, CHECK_FAILED, "%s",
                 check("every_message_once")->detail);
}

Test(judge_msgq, a_type_the_selector_refuses_fails)
{
    msgq_world();
    sent(1, 1);
    sent(2, 2);
    sent(3, 3);
    got(R_ANY, 0, 0, 1, 1, 48, 48);
    got(R_ANY, 0, 0, 2, 2, 48, 48);
    got(R_TYPE2, 2, 0, 3, 3, 48, 48); /* type 3 to "type 2 only" */
    msgq_judge_final();
    cr_expect_eq(check("selector_matches")->status, CHECK_FAILED);
    cr_expect(strstr(check("selector_matches")->detail, "recv-type2-1"), "%s",
              check("selector_matches")->detail);
}

Test(judge_msgq, msg_except_taking_its_own_type_fails)
{
    msgq_world();
    sent(1, 1);
    sent(2, 2);
    sent(3, 3);
    got(R_NOT2, 2, OPF_EXCEPT, 2, 2, 48, 48);
    msgq_judge_final();
    cr_expect_eq(check("selector_matches")->status, CHECK_FAILED);
}

Test(judge_msgq, out_of_order_fails_kernel_order)
{
    msgq_world();
    sent(1, 1);
    sent(2, 2);
    sent(3, 3);
    got(R_ANY, 0, 0, 2, 2, 48, 48);
    got(R_ANY, 0, 0, 1, 1, 48, 48); /* the first one came after the second */
    got(R_ANY, 0, 0, 3, 3, 48, 48);
    msgq_judge_final();
    cr_expect_eq(check("kernel_order")->status, CHECK_FAILED);
    cr_expect_eq(check("every_message_once")->status, CHECK_OK);
}

Test(judge_msgq, lowest_type_first_is_in_order_per_type)
{
    /* type<=2 takes the later type-1 message before the earlier type-2
     * one: that is the kernel's rule, not a disorder. */
    msgq_world();
    sent(1, 2);
    sent(2, 1);
    sent(3, 3);
    got(R_UPTO2, -2, 0, 2, 1, 48, 48);
    got(R_UPTO2, -2, 0, 1, 2, 48, 48);
    got(R_ANY, 0, 0, 3, 3, 48, 48);
    msgq_judge_final();
    cr_expect_eq(check("kernel_order")->status, CHECK_OK, "%s", check("kernel_order")->detail);
    cr_expect_eq(check("selector_matches")->status, CHECK_OK);
}

Test(judge_msgq, truncation_fails_whole_messages)
{
    msgq_world();
    sent(1, 1);
    sent(2, 2);
    sent(3, 3);
    got(R_ANY, 0, OPF_NOERROR, 1, 1, 48, 192);
    got(R_ANY, 0, 0, 2, 2, 48, 48);
    got(R_ANY, 0, 0, 3, 3, 48, 48);
    msgq_judge_final();
    cr_expect_eq(check("whole_messages")->status, CHECK_FAILED);
}

/* ---- shm ------------------------------------------------------------------ */

Test(judge_msgq, a_run_cut_short_with_nothing_received_is_never_ok)
{
    /* The senders gave up (or the run was stopped) before anything
     * arrived: "0 of 3" is not ok, and neither is a check about arrivals. */
    msgq_world();
    sc->judge(m, vals, 2);
    for (int i = 0; i < m->nchecks; i++)
        cr_expect_eq(m->checks[i].status, CHECK_PENDING, "%s: %s", m->checks[i].name,
                     m->checks[i].detail);
    cr_expect(strstr(check("every_message_once")->detail, "0 of 3 received"), "%s",
              check("every_message_once")->detail);
}

Test(judge_msgq, a_run_cut_short_has_not_shown_every_message_once)
{
    msgq_world();
    sent(1, 1);
    sent(2, 2);
    got(R_ANY, 0, 0, 1, 1, 48, 48);
    sc->judge(m, vals, 2);
    cr_expect_eq(check("every_message_once")->status, CHECK_PENDING, "%s",
                 check("every_message_once")->detail);
    /* what did arrive, arrived right */
    cr_expect_eq(check("selector_matches")->status, CHECK_OK);
    cr_expect_eq(check("whole_messages")->status, CHECK_OK);
}

TestSuite(judge_shm, .init = setup, .fini = teardown);

static struct shm_ring ring;

static void shm_world(void)
{
    char *argv[] = {"producers=2", "items=2", "slots=4"};
    use("shm", 3, argv);
    m->nroles = 2;
    strcpy(m->role_names[0], "producer");
    strcpy(m->role_names[1], "consumer");
    model_add_proc(m, 401, 1, 0, 1, "producer-1");
    model_add_proc(m, 402, 1, 0, 2, "producer-2");
    model_add_proc(m, 403, 1, 1, 1, "consumer-1");
    struct model_shmseg *s = &m->shmsegs[m->nshmsegs++];
    s->ring_slots = 4;
    memset(&ring, 0, sizeof ring);
    ring.slots = 4;
}

static void put(int producer, int k)
{
    int64_t v = ring_item(producer, k);
    apply((struct event){.pid = 400 + producer,
                         .role = 0,
                         .instance = (int16_t)producer,
                         .op = OP_RING_PUT,
                         .ring = {.item = v}});
    ring.produced++;
    ring.sum_in = (int64_t)((uint64_t)ring.sum_in + (uint64_t)ring_mix(v));
}

static void take(int64_t v)
{
    apply((struct event){
        .pid = 403, .role = 1, .instance = 1, .op = OP_RING_GET, .ring = {.item = v}});
    ring.consumed++;
    ring.sum_out = (int64_t)((uint64_t)ring.sum_out + (uint64_t)ring_mix(v));
}

static void shm_judge(int final)
{
    struct model_shmseg *s = &m->shmsegs[0];
    memcpy(s->peek, &ring, sizeof ring < MODEL_SHM_PEEK ? sizeof ring : MODEL_SHM_PEEK);
    s->peek_len = sizeof ring;
    sc->judge(m, vals, final);
}

Test(judge_shm, a_clean_run_passes)
{
    shm_world();
    put(1, 1);
    put(2, 1);
    take(1000001);
    put(1, 2);
    take(2000001);
    take(1000002);
    put(2, 2);
    take(2000002);
    shm_judge(1);
    cr_expect_eq(check("every_item_once")->status, CHECK_OK, "%s",
                 check("every_item_once")->detail);
    cr_expect_eq(check("checksum")->status, CHECK_OK, "%s", check("checksum")->detail);
}

Test(judge_shm, overwritten_and_doubled_fails_both)
{
    /* The sync=off race: producer-2 overwrote producer-1's item, so one item
     * is lost and the other is read twice. */
    shm_world();
    put(1, 1);
    put(2, 1);
    put(1, 2);
    put(2, 2);
    take(2000001);
    take(2000001);
    take(1000002);
    take(2000002);
    shm_judge(1);
    cr_expect_eq(check("every_item_once")->status, CHECK_FAILED);
    cr_expect_eq(check("checksum")->status, CHECK_FAILED, "%s", check("checksum")->detail);
}

Test(judge_shm, an_empty_slot_fails_at_once)
{
    shm_world();
    put(1, 1);
    take(0);
    shm_judge(0);
    cr_expect_eq(check("every_item_once")->status, CHECK_FAILED);
}

Test(judge_shm, checksum_fails_when_the_ring_disagrees_with_the_events)
{
    shm_world();
    put(1, 1);
    put(2, 1);
    put(1, 2);
    put(2, 2);
    take(1000001);
    take(2000001);
    take(1000002);
    take(2000002);
    ring.sum_in ^= 1; /* the shared counters say otherwise */
    ring.sum_out = ring.sum_in;
    shm_judge(1);
    cr_expect_eq(check("every_item_once")->status, CHECK_OK);
    cr_expect_eq(check("checksum")->status, CHECK_FAILED);
}

Test(judge_shm, a_run_cut_short_is_pending_not_ok)
{
    shm_world();
    shm_judge(2);
    cr_expect_eq(check("every_item_once")->status, CHECK_PENDING, "%s",
                 check("every_item_once")->detail);
    cr_expect_eq(check("checksum")->status, CHECK_PENDING, "nothing went through the ring: %s",
                 check("checksum")->detail);
    put(1, 1);
    take(1000001);
    shm_judge(2);
    cr_expect_eq(check("every_item_once")->status, CHECK_PENDING, "1 of 4 taken: %s",
                 check("every_item_once")->detail);
}

/* ---- deadlock -------------------------------------------------------------- */

TestSuite(judge_deadlock, .init = setup, .fini = teardown);

Test(judge_deadlock, unsafe_needs_the_right_cycle)
{
    char *argv[] = {"workers=2", "order=unsafe"};
    use("deadlock", 2, argv);
    sc->judge(m, vals, 0);
    cr_expect_eq(check("deadlock")->status, CHECK_PENDING);
    sc->judge(m, vals, 1);
    cr_expect_eq(check("deadlock")->status, CHECK_FAILED, "no cycle found must fail");
    m->deadlock.found = true;
    strcpy(m->deadlock.text, "worker-1 -> sem 0 -> worker-2 -> sem 1 -> worker-1");
    sc->judge(m, vals, 1);
    cr_expect_eq(check("deadlock")->status, CHECK_FAILED, "the wrong cycle must fail");
    strcpy(m->deadlock.text, "worker-1 -> sem 1 -> worker-2 -> sem 0 -> worker-1");
    sc->judge(m, vals, 1);
    cr_expect_eq(check("deadlock")->status, CHECK_OK, "%s", check("deadlock")->detail);
}

Test(judge_deadlock, three_workers_cycle_through_all)
{
    char *argv[] = {"workers=3"};
    use("deadlock", 1, argv);
    m->deadlock.found = true;
    strcpy(m->deadlock.text,
           "worker-1 -> sem 1 -> worker-2 -> sem 2 -> worker-3 -> sem 0 -> worker-1");
    sc->judge(m, vals, 1);
    cr_expect_eq(check("deadlock")->status, CHECK_OK, "%s", check("deadlock")->detail);
}

/* n workers that ran all their rounds and exited 0 */
static void workers_finished(int n)
{
    m->nroles = 1;
    strcpy(m->role_names[0], "worker");
    for (int i = 1; i <= n; i++) {
        char name[32];
        snprintf(name, sizeof name, "worker-%d", i);
        int pi = model_add_proc(m, 500 + i, 1, 0, i, name);
        m->procs[pi].exited = true;
        m->procs[pi].wait_status = 0;
    }
}

Test(judge_deadlock, safe_with_a_cycle_fails)
{
    char *argv[] = {"order=safe"};
    use("deadlock", 1, argv);
    sc->judge(m, vals, 2);
    cr_expect_eq(check("deadlock")->status, CHECK_PENDING, "cut short proves no safety: %s",
                 check("deadlock")->detail);
    workers_finished(2);
    sc->judge(m, vals, 1);
    cr_expect_eq(check("deadlock")->status, CHECK_OK);
    m->deadlock.found = true;
    strcpy(m->deadlock.text, "worker-1 -> sem 1 -> worker-2 -> sem 0 -> worker-1");
    sc->judge(m, vals, 1);
    cr_expect_eq(check("deadlock")->status, CHECK_FAILED);
}

Test(judge_deadlock, without_the_barrier_no_cycle_is_not_a_failure)
{
    /* barrier=off: the cycle forms only when timing lets every worker hold
     * its first lock at once. Either outcome is what the run showed. */
    char *argv[] = {"workers=2", "barrier=off"};
    use("deadlock", 2, argv);
    workers_finished(2);
    sc->judge(m, vals, 1);
    cr_expect_eq(check("deadlock")->status, CHECK_OK, "%s", check("deadlock")->detail);
    cr_expect(strstr(check("deadlock")->detail, "no cycle this time: all 2 workers finished"), "%s",
              check("deadlock")->detail);
    m->deadlock.found = true;
    strcpy(m->deadlock.text, "worker-1 -> sem 1 -> worker-2 -> sem 0 -> worker-1");
    sc->judge(m, vals, 1);
    cr_expect_eq(check("deadlock")->status, CHECK_OK, "%s", check("deadlock")->detail);
    cr_expect(strstr(check("deadlock")->detail, "cycle found: worker-1"), "%s",
              check("deadlock")->detail);
}

Test(judge_deadlock, with_the_barrier_no_cycle_still_fails)
{
    char *argv[] = {"workers=2", "barrier=on"};
    use("deadlock", 2, argv);
    workers_finished(2);
    sc->judge(m, vals, 1);
    cr_expect_eq(check("deadlock")->status, CHECK_FAILED, "%s", check("deadlock")->detail);
}

Test(judge_deadlock, eight_workers_cycle_is_told_whole)
{
    char *argv[] = {"workers=8"};
    use("deadlock", 1, argv);
    const char *cycle = "worker-1 -> sem 1 -> worker-2 -> sem 2 -> worker-3 -> sem 3 -> "
                        "worker-4 -> sem 4 -> worker-5 -> sem 5 -> worker-6 -> sem 6 -> "
                        "worker-7 -> sem 7 -> worker-8 -> sem 0 -> worker-1";
    m->deadlock.found = true;
    strcpy(m->deadlock.text, cycle);
    sc->judge(m, vals, 1);
    cr_expect_eq(check("deadlock")->status, CHECK_OK, "%s", check("deadlock")->detail);
    char want[256];
    snprintf(want, sizeof want, "cycle found: %s", cycle);
    cr_expect_str_eq(check("deadlock")->detail, want);
    /* a wrong cycle is told whole next to the expected one */
    m->deadlock.text[strlen(m->deadlock.text) - 1] = '2';
    sc->judge(m, vals, 1);
    cr_expect_eq(check("deadlock")->status, CHECK_FAILED);
    cr_expect(strstr(check("deadlock")->detail, ", expected worker-1 -> sem 1") &&
                  strstr(check("deadlock")->detail, "worker-8 -> sem 0 -> worker-1"),
              "%s", check("deadlock")->detail);
}

TestSuite(judge_sem, .init = setup, .fini = teardown);

Test(judge_sem, nothing_done_is_pending_not_ok)
{
    use("sem", 0, NULL);
    m->cs.present = true;
    sc->judge(m, vals, 2);
    cr_expect_eq(check("mutual_exclusion")->status, CHECK_PENDING, "%s",
                 check("mutual_exclusion")->detail);
    cr_expect_eq(check("no_lost_updates")->status, CHECK_PENDING, "%s",
                 check("no_lost_updates")->detail);
}

/* ---- a role that gives up ---------------------------------------------------- */

TestSuite(run_error, .init = setup, .fini = teardown);

Test(run_error, a_failed_note_names_the_role_the_call_and_errno)
{
    use("msgq", 0, NULL);
    m->nroles = 1;
    strcpy(m->role_names[0], "sender");
    model_add_proc(m, 300, 1, 0, 2, "sender-2");
    model_apply_event(m, &(struct event){.pid = 300,
                                         .role = 0,
                                         .instance = 2,
                                         .op = OP_FAILED,
                                         .phase = PH_NOTE,
                                         .result = -1,
                                         .err = EINVAL,
                                         .failed = {.call_args = {1, 48}, .call = OP_MSGSND}});
    cr_expect_str_eq(m->error, "sender-2: msgsnd(type 1) failed: EINVAL (Invalid argument)");
    const struct model_line *l = model_story_line(m, m->story_count - 1);
    cr_assert_not_null(l);
    cr_expect_eq(l->kind, 2);
    cr_expect_str_eq(l->what, "gives up");
    model_end_in_error(m, "a 48-byte message is longer than kernel.msgmax (16): see ipcs -l");
    cr_expect_str_eq(m->error, "sender-2: msgsnd(type 1) failed: EINVAL (Invalid argument): a "
                               "48-byte message is longer than kernel.msgmax (16): see ipcs -l");
    l = model_story_line(m, m->story_count - 1);
    cr_expect(strstr(l->detail, "ipcplay ends the run"), "%s", l->detail);
}

Test(judge_sem, stopped_inside_the_section_is_not_a_lost_update)
{
    /* Stopped after one worker wrote the counter but before it left: the
     * counter is one ahead of the completed sections, and nothing was lost. */
    use("sem", 0, NULL);
    m->cs.present = true;
    m->cs.entries = 3;
    m->cs.counter = 4;
    m->cs.occupancy = 1;
    sc->judge(m, vals, 2);
    cr_expect_eq(check("no_lost_updates")->status, CHECK_OK, "%s",
                 check("no_lost_updates")->detail);
    m->cs.counter = 2; /* behind the completed sections: an update was lost */
    sc->judge(m, vals, 2);
    cr_expect_eq(check("no_lost_updates")->status, CHECK_FAILED);
    m->cs.counter = 6; /* more than could have been in flight */
    sc->judge(m, vals, 2);
    cr_expect_eq(check("no_lost_updates")->status, CHECK_FAILED);
}
