/* bench/watch.c — what one `ipcplay watch` sample costs on a system with
 * 300 IPC objects and about 500 processes, side by side in one run with
 * `ipcs -a` run as a process (posix_spawn, no shell) and an htop-like walk
 * of /proc (stat, statm and cmdline of every process). The objects are made
 * in a private IPC namespace (root needed); the processes are the machine's
 * own plus sleeping children forked here (some asleep in semop, some
 * attached to a segment) and killed by pid at the end. Prints each figure
 * (median of the runs), the target (no more than one ipcs -a) and the floor
 * (reading /proc/sysvipc and listing /proc, nothing per object or process).
 * usage: bench/watch [RUNS [watch]]   (watch: only the watch samples, for perf) */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/msg.h>
#include <sys/sem.h>
#include <sys/shm.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "engine/syswatch.h"

#define NOBJ_EACH 100
#define WANT_PROCS 500
#define MAX_KIDS 600

extern char **environ;

static int semids[NOBJ_EACH], msqids[NOBJ_EACH], shmids[NOBJ_EACH];
static pid_t kids[MAX_KIDS];
static int nkids;
static struct model model;

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int count_procs(void)
{
    DIR *d = opendir("/proc");
    int n = 0;
    struct dirent *de;
    while (d && (de = readdir(d)))
        n += de->d_name[0] >= '1' && de->d_name[0] <= '9';
    if (d)
        closedir(d);
    return n;
}

static void make_objects(void)
{
    for (int i = 0; i < NOBJ_EACH; i++) {
        semids[i] = semget(IPC_PRIVATE, 2, IPC_CREAT | 0600);
        msqids[i] = msgget(IPC_PRIVATE, IPC_CREAT | 0600);
        shmids[i] = shmget(IPC_PRIVATE, 4096, IPC_CREAT | 0600);
        if (semids[i] < 0 || msqids[i] < 0 || shmids[i] < 0) {
            perror("bench/watch: creating objects");
            exit(3);
        }
    }
}

/* Children: every 5th sleeps in semop, every 5th (offset 1) attaches a
 * segment, the rest sleep in pause(). */
static void fork_children(int n)
{
    for (int i = 0; i < n && nkids < MAX_KIDS; i++) {
        pid_t pid = fork();
        if (pid < 0)
            break;
        if (pid == 0) {
            if (i % 5 == 0) {
                struct sembuf sb = {0, -1, 0};
                semop(semids[i % NOBJ_EACH], &sb, 1);
            } else if (i % 5 == 1) {
                shmat(shmids[i % NOBJ_EACH], NULL, SHM_RDONLY);
            }
            pause();
            _exit(0);
        }
        kids[nkids++] = pid;
    }
}

static void cleanup(void)
{
    for (int i = 0; i < nkids; i++)
        kill(kids[i], SIGKILL);
    for (int i = 0; i < nkids; i++)
        waitpid(kids[i], NULL, 0);
    for (int i = 0; i < NOBJ_EACH; i++) {
        semctl(semids[i], 0, IPC_RMID);
        msgctl(msqids[i], IPC_RMID, NULL);
        shmctl(shmids[i], IPC_RMID, NULL);
    }
}

static void apply(void *ctx, const struct record *r)
{
    model_apply(ctx, r);
}

static double run_ipcs(void)
{
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
    char *argv[] = {"ipcs", "-a", NULL};
    double t0 = now_ms();
    pid_t pid;
    if (posix_spawnp(&pid, "ipcs", &fa, NULL, argv, environ) != 0) {
        posix_spawn_file_actions_destroy(&fa);
        return -1;
    }
    waitpid(pid, NULL, 0);
    posix_spawn_file_actions_destroy(&fa);
    return now_ms() - t0;
}

static size_t slurp(const char *path, char *buf, size_t len)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return 0;
    ssize_t n, total = 0;
    while ((n = read(fd, buf, len)) > 0)
        total += n;
    close(fd);
    return (size_t)total;
}

/* What htop reads per process on a refresh, at the least. */
static double htop_walk(void)
{
    static char buf[65536];
    double t0 = now_ms();
    DIR *d = opendir("/proc");
    struct dirent *de;
    while (d && (de = readdir(d))) {
        if (de->d_name[0] < '1' || de->d_name[0] > '9')
            continue;
        char path[300];
        static const char *const files[] = {"stat", "statm", "cmdline"};
        for (int k = 0; k < 3; k++) {
            snprintf(path, sizeof path, "/proc/%s/%s", de->d_name, files[k]);
            slurp(path, buf, sizeof buf);
        }
    }
    if (d)
        closedir(d);
    return now_ms() - t0;
}

static double floor_read(void)
{
    static char buf[1 << 20];
    double t0 = now_ms();
    slurp("/proc/sysvipc/sem", buf, sizeof buf);
    slurp("/proc/sysvipc/msg", buf, sizeof buf);
    slurp("/proc/sysvipc/shm", buf, sizeof buf);
    count_procs();
    return now_ms() - t0;
}

static int cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double median(double *v, int n)
{
    qsort(v, (size_t)n, sizeof *v, cmp);
    return v[n / 2];
}

int main(int argc, char **argv)
{
    int runs = argc > 1 ? atoi(argv[1]) : 30;
    bool only_watch = argc > 2 && strcmp(argv[2], "watch") == 0; /* for a profiler */
    if (runs < 3 || runs > 1000)
        runs = 30;
    if (unshare(CLONE_NEWIPC) != 0) {
        fprintf(stderr, "bench/watch: needs root for a private IPC namespace (%s)\n",
                strerror(errno));
        return 2;
    }
    make_objects();
    int before = count_procs();
    fork_children(WANT_PROCS - before > 0 ? WANT_PROCS - before : 0);
    usleep(200 * 1000); /* let them get to their sleep */
    struct syswatch *w = syswatch_new(NULL, NULL, NULL);
    if (!w) {
        cleanup();
        return 3;
    }
    double first_t0 = now_ms();
    syswatch_sample(w, 0, apply, &model);
    double first = now_ms() - first_t0;
    double *ws = calloc((size_t)runs, sizeof *ws), *is = calloc((size_t)runs, sizeof *is);
    double *hs = calloc((size_t)runs, sizeof *hs), *fs = calloc((size_t)runs, sizeof *fs);
    for (int i = 0; i < runs; i++) { /* interleaved: the same machine state for each */
        double t0 = now_ms();
        syswatch_sample(w, (uint64_t)i, apply, &model);
        ws[i] = now_ms() - t0;
        if (only_watch)
            continue;
        is[i] = run_ipcs();
        hs[i] = htop_walk();
        fs[i] = floor_read();
    }
    int nobjs = model.sys.nobjs, nuses = model.sys.nuses, nprocs = model.sys.last.nprocs;
    double wm = median(ws, runs), im = median(is, runs), hm = median(hs, runs),
           fm = median(fs, runs);
    printf("bench/watch: %d objects, %d processes (%d forked here), %d users named; median of "
           "%d runs\n",
           nobjs, nprocs, nkids, nuses, runs);
    printf("  watch sample (records applied to a model)   %8.3f ms   (first, cold: %.3f ms)\n", wm,
           first);
    printf("  ipcs -a as a process (posix_spawn)          %8.3f ms\n", im);
    printf("  htop-like /proc walk (stat, statm, cmdline) %8.3f ms\n", hm);
    printf("  floor: /proc/sysvipc/* read + /proc listed  %8.3f ms\n", fm);
    printf("  target: watch sample <= one ipcs -a: %s (%.2fx)\n", wm <= im ? "met" : "NOT met",
           im > 0 ? wm / im : 0);
    free(ws), free(is), free(hs), free(fs);
    syswatch_free(w);
    cleanup();
    return 0;
}
