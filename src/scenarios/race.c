/* race.c — the `race` scenario: which IPC is fastest? The chapter's
 * mechanisms -- a pipe, a FIFO, a socketpair, a System V message queue,
 * System V shared memory with a semaphore ring, POSIX shared memory with
 * futexes -- each move the same messages from a sender to the receiver it
 * forked, one mechanism after another (order=turn) or all at once
 * (order=together), streamed or ping-pong. Each receiver checks every byte
 * and the order. The figures (MB/s, microseconds per round trip) come from
 * counts the two sides tell a few times a second, so the transfers run at
 * full speed; bench/race compares them with the same transfers done by a
 * plain program. */
#include <stdio.h>
#include <string.h>

#include "../model/signames.h"
#include "../ops/race.h"
#include "scenario.h"
#include "../model/i18n.h"

enum { P_SIZE, P_TOTAL, P_MODE, P_ORDER, P_ONLY, P__N };

static const char *const mode_choices[] = {"stream", "pingpong", NULL};
static const char *const order_choices[] = {"turn", "together", NULL};
/* "all", then the mechanisms in race order */
static const char *const only_choices[] = {"all",  "pipe",    "fifo",     "socketpair",
                                           "msgq", "sysvshm", "posixshm", NULL};

static const struct param_def params[] = {
    [P_SIZE] = {"size", PARAM_INT, 4096, RACE_MIN_SIZE, RACE_MAX_SIZE, NULL,
                N_("bytes per message, a multiple of 8 (at most msgmax's default, 8192)")},
    [P_TOTAL] = {"total", PARAM_INT, 64, 1, 4096, NULL, N_("MiB each mechanism moves")},
    [P_MODE] = {"mode", PARAM_ENUM, RACE_STREAM, 0, 0, mode_choices,
                N_("stream: throughput (MB/s); pingpong: each message waits for its echo "
                   "(round trip in microseconds)")},
    [P_ORDER] = {"order", PARAM_ENUM, 0, 0, 0, order_choices,
                 N_("turn: one mechanism after another, each with the machine to itself; "
                    "together: all at once, sharing the CPUs")},
    [P_ONLY] = {"only", PARAM_ENUM, 0, 0, 0, only_choices, N_("race every mechanism, or one")},
};

#define OP(r, ...) plan_op(r, (struct op){__VA_ARGS__})

static int build(const long *v, struct plan *p, char *err, size_t errlen)
{
    int32_t size = (int32_t)v[P_SIZE];
    if (size % 8) {
        snprintf(err, errlen, _("size=%d: must be a multiple of 8 (16..%d)"), size, RACE_MAX_SIZE);
        return -1;
    }
    int first = v[P_ONLY] ? (int)v[P_ONLY] - 1 : 0;
    int n = v[P_ONLY] ? 1 : RACE__N;
    int32_t count = (int32_t)(v[P_TOTAL] * 1024 * 1024 / size);
    int mode = (int)v[P_MODE];
    bool turn = v[P_ORDER] == 0 && n > 1;

    /* The objects of every mechanism, at fixed indexes (ops/race.c). */
    int ring = plan_add_semset(p, 3, 0);
    struct plan_semset *rs = &p->semsets[ring];
    rs->init[1] = RACE_SLOTS;
    snprintf(rs->name[0], sizeof rs->name[0], "full");
    snprintf(rs->name[1], sizeof rs->name[1], "free");
    snprintf(rs->name[2], sizeof rs->name[2], "echo");
    if (turn) {
        int t = plan_add_semset(p, n, 1);
        struct plan_semset *ts = &p->semsets[t];
        ts->init[0] = 0; /* the first goes at once; each gives the next its turn */
        for (int k = 0; k < n; k++)
            snprintf(ts->name[k], sizeof ts->name[k], "%.11s", race_mech_name(first + k));
    }
    int sysv = plan_add_shmseg(p, race_ring_bytes(size), 0);
    int posix = plan_add_shmseg(p, race_ring_bytes(size), 0);
    p->shmsegs[sysv].kind = PLAN_SHM_SYSV;
    p->shmsegs[posix].kind = PLAN_SHM_POSIX;
    plan_add_msgq(p, 0);
    plan_add_file(p, PLANF_FIFO, "race", 0);
    plan_add_file(p, PLANF_FIFO, "race-echo", 0);
    p->observe = 1; /* who sleeps where: the kernel's view beside the figures */

    struct plan_role *tx = plan_add_role(p, "sender", n);
    struct op args = {.arg0 = first, .arg1 = size, .arg2 = turn, .arg3 = mode, .count = count};
    args.kind = OP_RACE_OPEN;
    plan_op(tx, args);
    /* its receiver: role 1 + its mechanism's place */
    OP(tx, .kind = OP_FORK, .arg0 = 1, .count = 1, .flags = OPF_PER_INSTANCE);
    args.kind = OP_RACE_SEND;
    plan_op(tx, args);
    OP(tx, .kind = OP_WAIT, .arg0 = 1, .arg1 = 1);
    OP(tx, .kind = OP_EXIT);
    for (int k = 0; k < n; k++) {
        struct plan_role *rx = plan_add_role(p, race_mech_name(first + k), 0);
        OP(rx, .kind = OP_RACE_RECV, .arg0 = first + k, .arg1 = size, .arg3 = mode, .count = count);
        OP(rx, .kind = OP_EXIT);
    }
    return 0;
}

static void judge(struct model *m, const long *v, int final)
{
    int pend = final == 1 ? CHECK_FAILED : CHECK_PENDING;
    int first = v[P_ONLY] ? (int)v[P_ONLY] - 1 : 0;
    int n = v[P_ONLY] ? 1 : RACE__N;
    int order[RACE__N], done = 0;
    for (int k = first; k < first + n; k++) {
        const struct model_race_lane *l = &m->race.lane[k];
        const char *name = race_mech_name(k);
        double fig = model_race_figure(l);
        if (l->done && !l->err && !l->bad && l->rcvd == l->count) {
            if (l->mode == RACE_PINGPONG)
                model_set_check(m, name, CHECK_OK,
                                _("%9.2f us per round trip: %lld messages of %d bytes and their "
                                  "echoes, intact, in order"),
                                fig, (long long)l->rcvd, l->size);
            else
                model_set_check(m, name, CHECK_OK,
                                _("%9.1f MB/s: %lld messages of %d bytes, intact, in order"), fig,
                                (long long)l->rcvd, l->size);
            order[done++] = k;
        } else if (l->bad) {
            model_set_check(m, name, CHECK_FAILED,
                            _("%lld of %lld messages damaged or out of order"), (long long)l->bad,
                            (long long)l->rcvd);
        } else if (l->err) {
            model_set_check(m, name, CHECK_FAILED, _("failed (%s) after %lld of %lld messages"),
                            errname(l->err), (long long)l->rcvd, (long long)l->count);
        } else {
            model_set_check(m, name, l->done ? CHECK_FAILED : pend, _("%lld of %lld messages"),
                            (long long)l->rcvd, (long long)l->count);
        }
    }
    if (n < 2)
        return;
    if (done < n) {
        model_set_check(m, "fastest", pend, _("%d of %d mechanisms done"), done, n);
        return;
    }
    /* best first: the most MB/s, or the shortest round trip */
    bool pp = v[P_MODE] == RACE_PINGPONG;
    for (int i = 1; i < n; i++)
        for (int j = i; j > 0; j--) {
            double a = model_race_figure(&m->race.lane[order[j - 1]]);
            double b = model_race_figure(&m->race.lane[order[j]]);
            if (pp ? b < a : b > a) {
                int t = order[j];
                order[j] = order[j - 1];
                order[j - 1] = t;
            }
        }
    char buf[256];
    size_t off = 0;
    for (int i = 0; i < n && off < sizeof buf; i++)
        off += (size_t)snprintf(buf + off, sizeof buf - off, "%s%s", i ? " > " : "",
                                race_mech_name(order[i]));
    double best = model_race_figure(&m->race.lane[order[0]]);
    double worst = model_race_figure(&m->race.lane[order[n - 1]]);
    model_set_check(m, "fastest", CHECK_OK, _("%s (%.1fx the slowest)"), buf,
                    pp ? worst / (best > 0 ? best : 1) : best / (worst > 0 ? worst : 1));
}

const struct scenario_def scenario_race = {
    .name = "race",
    .summary =
        N_("which IPC is fastest? pipe, FIFO, socketpair, msgq, System V and POSIX shm race"),
    .watch =
        N_("Each mechanism moves the same messages from a sender to the receiver it forked; "
           "the receiver checks every byte and the order. A pipe, a FIFO, a socket and a "
           "queue copy every message into the kernel and out again; through shared memory the "
           "sender writes it straight into the ring and the receiver reads it there. POSIX "
           "shared memory here sleeps on a futex only when the ring is empty or full; System "
           "V shared memory pays a semop for every slot on each side, so with small messages a "
           "pipe can beat it. Ping-pong measures a round trip: the cost of waking the other "
           "side. Watch who sleeps where: a reader in read() or msgrcv(), a ring's side in "
           "semtimedop or futex."),
    .params = params,
    .nparams = P__N,
    .build = build,
    .judge = judge,
};
