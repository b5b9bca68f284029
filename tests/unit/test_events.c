/* test_events.c — the event channel: fixed 64-byte records; a burst of
 * 100 000 events from 64 real child processes through their rings arrives
 * complete, each record whole, in time order across processes; a reader far
 * slower than its writers loses nothing (they wait, and it is counted); a
 * process with no ring (as after exec) writes whole records to the pipe. */
#include <criterion/criterion.h>
#include <limits.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "engine/events.h"

Test(events, record_is_64_bytes)
{
    cr_expect_eq(sizeof(struct event), 64);
    cr_expect_leq(sizeof(struct event), PIPE_BUF);
}

Test(events, op_names_round_trip)
{
    for (int op = 0; op < OP__COUNT; op++) {
        cr_expect_eq(op_from_name(op_name(op)), op, "%s", op_name(op));
        cr_expect_neq(strlen(op_verb(op)), 0);
    }
    cr_expect_eq(op_from_name("nosuch"), -1);
    cr_expect_str_eq(op_name(OP__COUNT + 3), "?");
}

#define CHILDREN 64
#define PER_CHILD (EV_RING_SLOTS * 5 / 4) /* more than a ring holds: each wraps */

/* Drain as the engine does: read what is there; arm and sleep in poll when
 * nothing is; stop once every child exited and nothing is left. Each batch
 * goes to `check`. */
static void drain(struct event_channel *ch, pid_t *pids, int nkids, int batch_max,
                  void (*check)(const struct event *, int, void *), void *ctx)
{
    struct event batch[256];
    int alive = nkids;
    while (alive > 0 || events_arm(ch)) {
        int n = events_read(ch, batch, batch_max);
        if (n > 0) {
            check(batch, n, ctx);
            continue;
        }
        for (int c = 0; c < nkids; c++)
            if (pids[c] > 0 && waitpid(pids[c], NULL, WNOHANG) == pids[c]) {
                pids[c] = 0;
                alive--;
            }
        if (alive > 0 && !events_arm(ch)) {
            struct pollfd pf = {ch->rfd, POLLIN, 0};
            poll(&pf, 1, 50);
        }
    }
}

struct tally {
    int next[CHILDREN];
    int total, bad;
};

static void tally(const struct event *b, int n, void *ctx)
{
    struct tally *t = ctx;
    for (int i = 0; i < n; i++) {
        int c = b[i].instance;
        if (c < 0 || c >= CHILDREN || b[i].cs_update.written != t->next[c] ||
            b[i].cs_update.read != ~b[i].cs_update.written || b[i].op != OP_CS_UPDATE) {
            t->bad++;
            continue;
        }
        t->next[c]++;
        t->total++;
    }
}

static void burst(struct event_channel *ch, pid_t *pids)
{
    for (int c = 0; c < CHILDREN; c++) {
        pids[c] = fork();
        cr_assert_geq(pids[c], 0);
        if (pids[c] == 0) {
            for (int i = 0; i < PER_CHILD; i++) {
                struct event ev;
                memset(&ev, 0, sizeof ev);
                ev.pid = getpid();
                ev.instance = (int16_t)c;
                ev.op = OP_CS_UPDATE;
                ev.cs_update.written = i;
                ev.cs_update.read = ~(int64_t)i; /* a torn record would not match */
                ev.t_ns = events_now_ns() - ch->t0_ns;
                if (events_emit(ch->wfd, &ev) < 0)
                    _exit(1);
            }
            _exit(0);
        }
    }
}

Test(events, burst_from_64_children_loses_nothing, .timeout = 60)
{
    struct event_channel ch;
    cr_assert_eq(events_open(&ch), 0);
    pid_t pids[CHILDREN];
    burst(&ch, pids);
    static struct tally t;
    memset(&t, 0, sizeof t);
    drain(&ch, pids, CHILDREN, 100, tally, &t); /* small batches: rings wrap */
    cr_expect_eq(t.bad, 0, "%d torn or out-of-order records", t.bad);
    cr_expect_eq(t.total, CHILDREN * PER_CHILD, "got %d of %d", t.total, CHILDREN * PER_CHILD);
    cr_expect_eq(events_rings(&ch), CHILDREN, "one ring per process");
    events_close(&ch);
}

static void slow(const struct event *b, int n, void *ctx)
{
    tally(b, n, ctx);
    struct timespec ts = {0, 200 * 1000};
    nanosleep(&ts, NULL);
}

Test(events, a_full_ring_makes_its_writer_wait_and_is_counted, .timeout = 60)
{
    struct event_channel ch;
    cr_assert_eq(events_open(&ch), 0);
    pid_t pids[CHILDREN];
    burst(&ch, pids);
    static struct tally t;
    memset(&t, 0, sizeof t);
    drain(&ch, pids, CHILDREN, 8, slow, &t); /* a consumer far slower than its writers */
    cr_expect_eq(t.bad, 0);
    cr_expect_eq(t.total, CHILDREN * PER_CHILD, "got %d of %d", t.total, CHILDREN * PER_CHILD);
    cr_expect_gt(events_full_waits(&ch), 0, "no writer ever waited for room");
    events_close(&ch);
}

Test(events, a_process_without_a_ring_writes_whole_records_to_the_pipe, .timeout = 30)
{
    /* What an exec'd helper does: no mapping, so the pipe. */
    struct event_channel ch;
    cr_assert_eq(events_open(&ch), 0);
    struct event_channel other;
    pid_t pid = fork();
    cr_assert_geq(pid, 0);
    if (pid == 0) {
        int wfd = ch.wfd;
        events_open(&other);  /* this process now looks at another mapping... */
        events_close(&other); /* ...and then at none, as after exec */
        struct event ev;
        memset(&ev, 0, sizeof ev);
        ev.op = OP_EXEC;
        ev.result = 42;
        _exit(events_emit(wfd, &ev) == 0 ? 0 : 1);
    }
    int st;
    waitpid(pid, &st, 0);
    cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0);
    struct event out[4];
    struct pollfd pf = {ch.rfd, POLLIN, 0};
    cr_assert_eq(poll(&pf, 1, 5000), 1);
    cr_assert_eq(events_read(&ch, out, 4), 1);
    cr_expect_eq(out[0].op, OP_EXEC);
    cr_expect_eq(out[0].result, 42);
    cr_expect_eq(events_rings(&ch), 0);
    events_close(&ch);
}

/* The order the story needs: what one process told before it let another go
 * on comes out before what the other tells after (a V before the P it
 * wakes), even among 62 other writers. */
#define PINGS 2000

struct causal {
    int begun, bad, pairs;
    char seen[PINGS];
};

static void causal_check(const struct event *b, int n, void *ctx)
{
    struct causal *c = ctx;
    for (int i = 0; i < n; i++) {
        long long at = b[i].sem.waited_ns; /* the round, in these tests */
        if (b[i].op == OP_V && at >= 0) {
            c->seen[at] = 1;
        } else if (b[i].op == OP_P && b[i].phase == PH_END) {
            c->pairs++;
            if (!c->seen[at])
                c->bad++;
        }
    }
}

static pid_t pinger(struct event_channel *ch, int k, int p[2])
{
    pid_t pid = fork();
    cr_assert_geq(pid, 0);
    if (pid != 0)
        return pid;
    struct event ev;
    memset(&ev, 0, sizeof ev);
    ev.instance = -1;
    ev.sem.waited_ns = -1;
    events_emit(ch->wfd, &ev); /* claims its ring now */
    for (int i = 0; i < PINGS; i++) {
        memset(&ev, 0, sizeof ev);
        ev.instance = -1;
        ev.sem.waited_ns = i;
        char x = 0;
        if (k == 0) { /* V: tell it, then let the other go */
            ev.op = OP_V;
            ev.t_ns = events_now_ns() - ch->t0_ns;
            events_emit(ch->wfd, &ev);
            if (write(p[1], &x, 1) != 1)
                _exit(1);
        } else { /* P: woken, then tell it */
            if (read(p[0], &x, 1) != 1)
                _exit(1);
            ev.op = OP_P;
            ev.phase = PH_END;
            ev.t_ns = events_now_ns() - ch->t0_ns;
            events_emit(ch->wfd, &ev);
        }
    }
    _exit(0);
}

Test(events, what_lets_another_go_on_comes_out_first, .timeout = 60)
{
    struct event_channel ch;
    cr_assert_eq(events_open(&ch), 0);
    int p[2];
    cr_assert_eq(pipe(p), 0);
    /* The V writer gets the first ring and the P writer the last, with the
     * 64 noisy writers' rings between them: the engine reads the V's ring
     * well before the P's in every pass. */
    static pid_t all[CHILDREN + 2];
    all[0] = pinger(&ch, 0, p);
    while (events_rings(&ch) < 1)
        sched_yield();
    burst(&ch, all + 1);
    while (events_rings(&ch) < 1 + CHILDREN)
        sched_yield();
    all[CHILDREN + 1] = pinger(&ch, 1, p);
    close(p[0]);
    close(p[1]);
    static struct causal c;
    memset(&c, 0, sizeof c);
    drain(&ch, all, CHILDREN + 2, 64, causal_check, &c);
    cr_expect_eq(c.pairs, PINGS);
    cr_expect_eq(c.bad, 0, "%d wakes came out before the V that caused them", c.bad);
    events_close(&ch);
}

/* The engine reads the rings one after another. Exactly between reading a
 * V's ring and the ring of the P it wakes, let both happen: the P's record
 * must still not come out before the V's. */
static struct event_channel *hook_ch;
static int hook_pipe[2];
static pid_t hook_kids[2];
static int hook_rounds;

static void let_v_and_p_happen(int ring)
{
    if (ring != 0 || hook_rounds >= 50)
        return;
    uint64_t before = events_ring_tail(hook_ch, 1);
    char x = 0;
    if (write(hook_pipe[1], &x, 1) != 1) /* go: the V writer does V, wakes P */
        return;
    while (events_ring_tail(hook_ch, 1) == before) /* until the P is published */
        sched_yield();
    hook_rounds++;
}

Test(events, a_record_published_mid_pass_holds_back_what_it_caused, .timeout = 30)
{
    struct event_channel ch;
    cr_assert_eq(events_open(&ch), 0);
    int go[2], p[2];
    cr_assert_eq(pipe(go), 0);
    cr_assert_eq(pipe(p), 0);
    for (int k = 0; k < 2; k++) {
        hook_kids[k] = fork();
        cr_assert_geq(hook_kids[k], 0);
        if (hook_kids[k] == 0) {
            struct event ev;
            memset(&ev, 0, sizeof ev);
            ev.sem.waited_ns = -1;
            events_emit(ch.wfd, &ev); /* ring k */
            for (int i = 0; i < 50; i++) {
                char x;
                memset(&ev, 0, sizeof ev);
                ev.sem.waited_ns = i;
                if (k == 0) {
                    if (read(go[0], &x, 1) != 1)
                        _exit(1);
                    ev.op = OP_V;
                    ev.t_ns = events_now_ns() - ch.t0_ns;
                    events_emit(ch.wfd, &ev);
                    if (write(p[1], &x, 1) != 1)
                        _exit(1);
                } else {
                    if (read(p[0], &x, 1) != 1)
                        _exit(1);
                    ev.op = OP_P;
                    ev.phase = PH_END;
                    ev.t_ns = events_now_ns() - ch.t0_ns;
                    events_emit(ch.wfd, &ev);
                }
            }
            _exit(0);
        }
        while (events_rings(&ch) < k + 1)
            sched_yield();
    }
    hook_ch = &ch;
    hook_pipe[0] = go[0];
    hook_pipe[1] = go[1];
    events_midpass_hook = let_v_and_p_happen;
    static struct causal c;
    memset(&c, 0, sizeof c);
    drain(&ch, hook_kids, 2, 64, causal_check, &c);
    events_midpass_hook = NULL;
    cr_expect_eq(hook_rounds, 50);
    cr_expect_eq(c.pairs, 50);
    cr_expect_eq(c.bad, 0, "%d wakes came out before the V that caused them", c.bad);
    events_close(&ch);
}
