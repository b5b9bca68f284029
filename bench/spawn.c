/* bench/spawn.c — what starting a run costs: `run sem workers=64` at --speed
 * max through the real engine, from engine_start() until the last worker's
 * first op has reached the model, against the floor measured in the same
 * run: a raw burst of 64 forks whose children each write one byte to a
 * pipe, until the last byte is read. Prints the median, min and max of
 * each, the ratio and the target (<= 2x); asserts nothing.
 * Usage: bench/spawn [WORKERS] [ROUNDS]   (defaults 64, 9) */
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "engine/engine.h"
#include "engine/registry.h"

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Workers that have begun their first op, as the model saw it. */
static int started(const struct model *m)
{
    int n = 0;
    for (int i = 0; i < m->nprocs; i++)
        n += m->procs[i].role >= 0 && (m->procs[i].ops_done > 0 || m->procs[i].op != OP_NONE);
    return n;
}

static double engine_spawn(struct engine *e, struct model *m, const struct scenario_def *s,
                           const long *vals, int workers)
{
    char err[256];
    double t0 = now_s();
    if (engine_start(e, s, vals, 0, err, sizeof err) < 0) {
        fprintf(stderr, "bench/spawn: cannot start: %s\n", err);
        exit(3);
    }
    double t = -1;
    while (engine_active(e)) {
        if (t < 0 && started(m) >= workers)
            t = now_s() - t0;
        struct pollfd pfds[ENGINE_MAX_POLLFDS];
        int n = engine_pollfds(e, pfds, ENGINE_MAX_POLLFDS);
        if (poll(pfds, (nfds_t)n, t < 0 ? 1 : 100) > 0)
            engine_dispatch(e, pfds, n);
    }
    return t;
}

static double raw_spawn(int workers)
{
    int p[2];
    if (pipe(p) < 0)
        exit(3);
    double t0 = now_s();
    for (int i = 0; i < workers; i++) {
        pid_t pid = fork();
        if (pid == 0) {
            char c = 1;
            _exit(write(p[1], &c, 1) == 1 ? 0 : 1);
        }
    }
    char buf[256];
    int got = 0;
    while (got < workers) {
        ssize_t n = read(p[0], buf, sizeof buf);
        if (n <= 0)
            break;
        got += (int)n;
    }
    double t = now_s() - t0;
    for (int i = 0; i < workers; i++)
        wait(NULL);
    close(p[0]);
    close(p[1]);
    return t;
}

static int cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
    int workers = argc > 1 ? atoi(argv[1]) : 64;
    int rounds = argc > 2 ? atoi(argv[2]) : 9;
    if (workers < 1 || workers > 256 || rounds < 1 || rounds > 50) {
        fprintf(stderr, "usage: bench/spawn [WORKERS 1..256] [ROUNDS 1..50]\n");
        return 2;
    }
    const struct scenario_def *s = scenario_find("sem");
    long vals[SCENARIO_MAX_PARAMS];
    char err[256], w[32];
    snprintf(w, sizeof w, "workers=%d", workers);
    char *words[] = {w, "rounds=1", "hold=0", "think=0"};
    if (!s || scenario_parse_params(s, 4, words, vals, err, sizeof err) < 0) {
        fprintf(stderr, "bench/spawn: %s\n", err);
        return 3;
    }
    registry_init(-1);
    static struct model m;
    struct engine *e = engine_new(&m);
    if (!e)
        return 3;
    double run[50], raw[50], ratio[50];
    for (int r = 0; r < rounds; r++) {
        raw[r] = raw_spawn(workers) * 1e3;
        run[r] = engine_spawn(e, &m, s, vals, workers) * 1e3;
        ratio[r] = run[r] / raw[r];
    }
    engine_free(e);
    registry_clean_exit();
    qsort(run, (size_t)rounds, sizeof run[0], cmp);
    qsort(raw, (size_t)rounds, sizeof raw[0], cmp);
    qsort(ratio, (size_t)rounds, sizeof ratio[0], cmp);
    printf("start-up of %d workers, %d rounds (median, min..max):\n", workers, rounds);
    printf("  raw fork burst (floor)             %7.2f ms   %.2f..%.2f\n", raw[rounds / 2], raw[0],
           raw[rounds - 1]);
    printf("  run sem --speed max, to first op   %7.2f ms   %.2f..%.2f\n", run[rounds / 2], run[0],
           run[rounds - 1]);
    printf("  ratio                              %7.2f x    %.2f..%.2f   target <= 2.00 x  %s\n",
           ratio[rounds / 2], ratio[0], ratio[rounds - 1],
           ratio[rounds / 2] <= 2.0 ? "met" : "NOT met");
    return 0;
}
