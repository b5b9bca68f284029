/* bench/sampler.c — measures the cost of one full sample (semctl for the set,
 * /proc/PID/stat + /proc/PID/syscall + the sembuf of each blocked child) with
 * 64 workers blocked on one semaphore set, and the CPU share of sampling at
 * 10 Hz and 30 Hz. A benchmark, not a test: it prints, it asserts nothing.
 * Usage: bench/sampler [WORKERS] [SAMPLES]   (defaults 64, 2000) */
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "engine/engine.h"
#include "engine/guardian.h"
#include "engine/registry.h"

static int nworkers = 64;

static const struct param_def no_params[] = {{0}};

/* All workers do P on a semaphore that starts at 0: every one of them blocks. */
static int build(const long *v, struct plan *p, char *err, size_t errlen)
{
    (void)v;
    (void)err;
    (void)errlen;
    int set = plan_add_semset(p, 1, 0);
    struct plan_role *w = plan_add_role(p, "worker", nworkers);
    plan_op(w, (struct op){.kind = OP_P, .obj = set, .arg0 = 0});
    plan_op(w, (struct op){.kind = OP_EXIT});
    return 0;
}

static const struct scenario_def blocked = {.name = "bench-blocked",
                                            .summary = "every worker blocked in P",
                                            .watch = "",
                                            .params = no_params,
                                            .nparams = 0,
                                            .build = build,
                                            .judge = NULL};

static double now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

static int cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
    int samples = 2000;
    if (argc > 1)
        nworkers = atoi(argv[1]);
    if (argc > 2)
        samples = atoi(argv[2]);
    if (nworkers < 1 || nworkers > 256 || samples < 10) {
        fprintf(stderr, "usage: sampler [WORKERS 1..256] [SAMPLES >= 10]\n");
        return 2;
    }
    registry_init(guardian_start(false));
    static struct model m;
    struct engine *e = engine_new(&m);
    if (!e) {
        fprintf(stderr, "sampler: cannot create the engine\n");
        return 3;
    }
    char err[256];
    if (engine_start(e, &blocked, NULL, 0, err, sizeof err) < 0) {
        fprintf(stderr, "sampler: %s\n", err);
        return 3;
    }
    engine_set_sample_ms(e, 0); /* only our own samples */
    /* Wait until the kernel counts every worker as waiting. */
    double deadline = now_us() + 20e6;
    while (m.semsets[0].ncnt[0] < nworkers && now_us() < deadline) {
        /* Events drained as the dashboard's loop would, then a sample. */
        struct pollfd pfds[ENGINE_MAX_POLLFDS];
        int n = engine_pollfds(e, pfds, ENGINE_MAX_POLLFDS);
        if (poll(pfds, (nfds_t)n, 10) > 0)
            engine_dispatch(e, pfds, n);
        engine_sample_now(e);
    }
    engine_sample_full(e);
    int blocked_seen = 0;
    for (int i = 0; i < m.nprocs; i++)
        if (strncmp(m.procs[i].kernel.text, "semtimedop(sem 0, -1)", 21) == 0)
            blocked_seen++;
    double *t = malloc(sizeof *t * (size_t)samples);
    const char *labels[2] = {"full sample (every child's /proc re-read)",
                             "steady sample (children asleep, no events: staggered refresh)"};
    double means[2];
    for (int mode = 0; mode < 2; mode++) {
        for (int i = 0; i < samples; i++) {
            double a = now_us();
            if (mode == 0)
                engine_sample_full(e);
            else
                engine_sample_now(e);
            t[i] = now_us() - a;
        }
        qsort(t, (size_t)samples, sizeof *t, cmp);
        double sum = 0;
        for (int i = 0; i < samples; i++)
            sum += t[i];
        double mean = means[mode] = sum / samples;
        printf("%s:\n  mean %.1f us, median %.1f us, p90 %.1f us, p99 %.1f us, min %.1f us "
               "(%d samples), %.2f us per worker\n",
               labels[mode], mean, t[samples / 2], t[samples * 9 / 10], t[samples * 99 / 100], t[0],
               samples, mean / nworkers);
        printf("  CPU share of sampling: %.3f%% of one core at 10 Hz, %.3f%% at 30 Hz\n",
               mean * 10 / 1e4, mean * 30 / 1e4);
    }
    printf("sampler: %d workers blocked on one semaphore set (semncnt %d, %d seen in "
           "semtimedop(sem 0, -1) with their sembuf)\n",
           nworkers, m.semsets[0].ncnt[0], blocked_seen);
    printf("target: one full sample of 64 workers under 1000 us: %s\n",
           nworkers == 64 ? (means[0] < 1000 ? "met" : "NOT met") : "(run with 64 workers)");
    free(t);
    engine_stop(e);
    engine_free(e);
    if (registry_count(0) == 0)
        registry_clean_exit();
    return 0;
}
