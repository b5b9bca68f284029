/* bench/ops.c — what instrumentation costs an op. One worker does N P + V
 * pairs on one semaphore at --speed max, through the real engine (gate,
 * event records through its ring, the front end applying them to the model
 * on the other core); the floor is the same N raw semop P + V pairs in a
 * plain loop, measured in the same run. Per pair: (run of N pairs - run of
 * no pairs) / N, so start-up does not count. Prints each figure, its target
 * (instrumented <= 2x raw) and the floor; asserts nothing.
 * Usage: bench/ops [PAIRS] [ROUNDS]   (defaults 200000, 5) */
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/sem.h>
#include <time.h>

#include "engine/engine.h"
#include "engine/engine_internal.h"
#include "engine/registry.h"

static long npairs;
static uint64_t full_waits; /* times the worker found its ring full */
static uint64_t nudges;     /* times it woke the front end early */

static const struct param_def no_params[] = {{0}};

static int build(const long *v, struct plan *p, char *err, size_t errlen)
{
    (void)v;
    (void)err;
    (void)errlen;
    int set = plan_add_semset(p, 1, 1);
    struct plan_role *w = plan_add_role(p, "worker", 1);
    if (npairs > 0) {
        int rep = plan_op(w, (struct op){.kind = OP_REPEAT, .count = (int32_t)npairs});
        plan_op(w, (struct op){.kind = OP_P, .obj = set, .arg0 = 0});
        plan_op(w, (struct op){.kind = OP_V, .obj = set, .arg0 = 0});
        plan_end_repeat(w, rep);
    }
    plan_op(w, (struct op){.kind = OP_EXIT});
    return 0;
}

static const struct scenario_def pv = {.name = "bench-pv",
                                       .summary = "P + V pairs",
                                       .watch = "",
                                       .params = no_params,
                                       .nparams = 0,
                                       .build = build};

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Seconds for one whole run of `pairs` pairs through the engine. */
static double engine_run(struct engine *e, struct model *m, long pairs)
{
    npairs = pairs;
    char err[256];
    double t0 = now_s();
    if (engine_start(e, &pv, NULL, 0, err, sizeof err) < 0) {
        fprintf(stderr, "bench/ops: cannot start: %s\n", err);
        exit(3);
    }
    while (engine_active(e)) {
        struct pollfd pfds[ENGINE_MAX_POLLFDS];
        int n = engine_pollfds(e, pfds, ENGINE_MAX_POLLFDS);
        if (poll(pfds, (nfds_t)n, 100) > 0)
            engine_dispatch(e, pfds, n);
    }
    double t = now_s() - t0;
    full_waits += events_full_waits(&e->ev);
    nudges += events_nudges(&e->ev);
    if (pairs > 0 && m->ops_begun < (uint64_t)(2 * pairs))
        fprintf(stderr, "bench/ops: only %ld ops were seen of %ld\n", (long)m->ops_begun,
                2 * pairs);
    return t;
}

/* Seconds for `pairs` raw P + V pairs on a private semaphore. */
static double raw_run(long pairs)
{
    int id = semget(IPC_PRIVATE, 1, IPC_CREAT | 0600);
    if (id < 0) {
        perror("bench/ops: semget");
        exit(3);
    }
    struct sembuf up = {0, 1, 0}, down = {0, -1, 0};
    semop(id, &up, 1);
    double t0 = now_s();
    for (long i = 0; i < pairs; i++) {
        semop(id, &down, 1);
        semop(id, &up, 1);
    }
    double t = now_s() - t0;
    semctl(id, 0, IPC_RMID);
    return t;
}

static int cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
    long pairs = argc > 1 ? atol(argv[1]) : 200000;
    int rounds = argc > 2 ? atoi(argv[2]) : 5;
    if (pairs < 1000 || rounds < 1 || rounds > 50) {
        fprintf(stderr, "usage: bench/ops [PAIRS >= 1000] [ROUNDS 1..50]\n");
        return 2;
    }
    registry_init(-1);
    static struct model m;
    struct engine *e = engine_new(&m);
    if (!e) {
        fprintf(stderr, "bench/ops: cannot set up the engine\n");
        return 3;
    }
    double inst[50], raw[50];
    for (int r = 0; r < rounds; r++) {
        double empty = engine_run(e, &m, 0);
        double full = engine_run(e, &m, pairs);
        inst[r] = (full - empty) / (double)pairs * 1e9;
        raw[r] = raw_run(pairs) / (double)pairs * 1e9;
    }
    engine_free(e);
    registry_clean_exit();
    double ratio[50];
    for (int r = 0; r < rounds; r++)
        ratio[r] = inst[r] / raw[r];
    qsort(inst, (size_t)rounds, sizeof inst[0], cmp);
    qsort(raw, (size_t)rounds, sizeof raw[0], cmp);
    qsort(ratio, (size_t)rounds, sizeof ratio[0], cmp);
    printf("one P + V pair, %ld pairs x %d rounds (median, min..max):\n", pairs, rounds);
    printf("  raw semop pair (floor)     %8.0f ns   %.0f..%.0f\n", raw[rounds / 2], raw[0],
           raw[rounds - 1]);
    printf("  instrumented, --speed max  %8.0f ns   %.0f..%.0f\n", inst[rounds / 2], inst[0],
           inst[rounds - 1]);
    printf("  ratio                      %8.2f x    %.2f..%.2f   target <= 2.00 x  %s\n",
           ratio[rounds / 2], ratio[0], ratio[rounds - 1],
           ratio[rounds / 2] <= 2.0 ? "met" : "NOT met");
    printf("  the worker waited for room in its ring %llu time(s), woke the front end early "
           "%llu time(s)\n",
           (unsigned long long)full_waits, (unsigned long long)nudges);
    return 0;
}
