/* bench/race.c — are the race scenario's figures the real ones? For each
 * mechanism, the same transfer (same messages, same checks, the same code:
 * ops/race_xfer.c) done by a plain program -- this one forks a receiver and
 * sends -- and by ipcplay (`run race only=MECH` at --speed max through the
 * real engine, figures from the model), in turn, in the same run. Both time
 * from the sender's first message to the receiver's last; both run at nice
 * 10, as ipcplay's workers do. Prints each
 * mechanism's figure both ways, the median of the rounds' ratios (each
 * round runs the two back to back, so a loaded machine weighs on both) and
 * the target (ipcplay within 10 % of the plain program); asserts nothing.
 * Usage: bench/race [MIB [ROUNDS [SIZE [stream|pingpong]]]]  (defaults 64, 3, 4096, stream) */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/msg.h>
#include <sys/sem.h>
#include <sys/shm.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "engine/engine.h"
#include "engine/registry.h"
#include "ops/race.h"
#include "scenarios/scenario.h"

extern const struct scenario_def scenario_race;

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void die(const char *what)
{
    fprintf(stderr, "bench/race: %s: %s\n", what, strerror(errno));
    exit(3);
}

/* The figure of one plain transfer: MB/s, or us per round trip. */
static double plain_transfer(int mech, int mode, int32_t size, int64_t count)
{
    struct race_chan c = {.mech = mech, .mode = mode, .size = size, .count = count};
    c.fd[0] = c.fd[1] = c.back[0] = c.back[1] = -1;
    int ids[3] = {-1, -1, -1}; /* msgq, semset, shm */
    void *mem = NULL;
    size_t memlen = race_ring_bytes(size);
    char dir[] = "/tmp/ipcplay-bench-race-XXXXXX", data[64], back[64];
    bool fifo = mech == RACE_FIFO;
    int sock[2] = {-1, -1};
    if (fifo) {
        if (!mkdtemp(dir))
            die("mkdtemp");
        snprintf(data, sizeof data, "%s/race", dir);
        snprintf(back, sizeof back, "%s/race-echo", dir);
        if (mkfifo(data, 0600) < 0 || mkfifo(back, 0600) < 0)
            die("mkfifo");
    }
    switch (mech) {
    case RACE_PIPE: {
        int p[2], q[2];
        if (pipe(p) < 0 || pipe(q) < 0)
            die("pipe");
        c.fd[0] = p[0], c.fd[1] = p[1], c.back[0] = q[0], c.back[1] = q[1];
        break;
    }
    case RACE_SOCKETPAIR:
        if (socketpair(AF_UNIX, SOCK_STREAM, 0, sock) < 0)
            die("socketpair");
        break;
    case RACE_MSGQ:
        if ((ids[0] = msgget(IPC_PRIVATE, IPC_CREAT | 0600)) < 0)
            die("msgget");
        c.msqid = ids[0];
        break;
    case RACE_SYSVSHM: {
        if ((ids[1] = semget(IPC_PRIVATE, 3, IPC_CREAT | 0600)) < 0)
            die("semget");
        unsigned short init[3] = {0, RACE_SLOTS, 0};
        semctl(ids[1], 0, SETALL, init);
        if ((ids[2] = shmget(IPC_PRIVATE, memlen, IPC_CREAT | 0600)) < 0)
            die("shmget");
        mem = shmat(ids[2], NULL, 0);
        shmctl(ids[2], IPC_RMID, NULL); /* gone with the last detach */
        if (mem == (void *)-1)
            die("shmat");
        c.semid = ids[1];
        c.shm = mem;
        break;
    }
    case RACE_POSIXSHM: {
        char name[64];
        snprintf(name, sizeof name, "/ipcplay-bench-race-%d", (int)getpid());
        int fd = shm_open(name, O_RDWR | O_CREAT | O_EXCL, 0600);
        if (fd < 0)
            die("shm_open");
        shm_unlink(name);
        if (ftruncate(fd, (off_t)memlen) < 0)
            die("ftruncate");
        mem = mmap(NULL, memlen, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
        close(fd);
        if (mem == MAP_FAILED)
            die("mmap");
        c.shm = mem;
        break;
    }
    default: break;
    }
    /* When the receiver got its last message. */
    uint64_t *t_end = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (t_end == MAP_FAILED)
        die("mmap");
    pid_t pid = fork();
    if (pid < 0)
        die("fork");
    if (pid == 0) {
        if (mech == RACE_SOCKETPAIR)
            close(sock[0]), c.fd[0] = c.fd[1] = c.back[0] = c.back[1] = sock[1];
        if (mech == RACE_PIPE)
            close(c.fd[1]), close(c.back[0]);
        if (fifo) {
            c.fd[0] = open(data, O_RDONLY);
            if (mode == RACE_PINGPONG)
                c.back[1] = open(back, O_WRONLY);
        }
        struct race_count n = {0, 0, 0};
        int rc = race_recv(&c, &n, NULL, NULL);
        *t_end = now_ns();
        _exit(rc < 0 || n.bad || n.msgs != count ? 1 : 0);
    }
    if (mech == RACE_SOCKETPAIR)
        close(sock[1]), c.fd[0] = c.fd[1] = c.back[0] = c.back[1] = sock[0];
    if (mech == RACE_PIPE)
        close(c.fd[0]), close(c.back[1]);
    if (fifo) {
        c.fd[1] = open(data, O_WRONLY);
        if (mode == RACE_PINGPONG)
            c.back[0] = open(back, O_RDONLY);
    }
    struct race_count n = {0, 0, 0};
    uint64_t t0 = now_ns();
    if (race_send(&c, &n, NULL, NULL) < 0)
        die("send");
    for (int i = 0; i < 2; i++) {
        if (c.fd[i] >= 0)
            close(c.fd[i]);
        if (c.back[i] >= 0 && c.back[i] != c.fd[0] && c.back[i] != c.fd[1])
            close(c.back[i]);
    }
    int st = 0;
    waitpid(pid, &st, 0);
    double s = (double)(*t_end - t0) / 1e9;
    munmap(t_end, 4096);
    if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
        fprintf(stderr, "bench/race: the plain %s receiver failed\n", race_mech_name(mech));
        exit(3);
    }
    if (ids[0] >= 0)
        msgctl(ids[0], IPC_RMID, NULL);
    if (ids[1] >= 0)
        semctl(ids[1], 0, IPC_RMID);
    if (mech == RACE_SYSVSHM)
        shmdt(mem);
    if (mech == RACE_POSIXSHM)
        munmap(mem, memlen);
    if (fifo) {
        unlink(data);
        unlink(back);
        rmdir(dir);
    }
    if (mode == RACE_PINGPONG)
        return s * 1e6 / (double)count;
    return (double)size * (double)count / 1e6 / s;
}

static double tv_ms(const struct timeval *tv)
{
    return (double)tv->tv_sec * 1e3 + (double)tv->tv_usec / 1e3;
}

/* plain_transfer in a process of its own at nice 10, as ipcplay runs its
 * workers (the dashboard wins the CPU over them): on a loaded machine the
 * two then get the same share. */
static double plain_run(int mech, int mode, int32_t size, int64_t count)
{
    double *fig = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (fig == MAP_FAILED)
        die("mmap");
    *fig = -1;
    pid_t pid = fork();
    if (pid < 0)
        die("fork");
    if (pid == 0) {
        (void)!nice(10);
        *fig = plain_transfer(mech, mode, size, count);
        _exit(0);
    }
    int st = 0;
    waitpid(pid, &st, 0);
    double f = *fig;
    munmap(fig, 4096);
    if (f < 0) {
        fprintf(stderr, "bench/race: the plain %s transfer failed\n", race_mech_name(mech));
        exit(3);
    }
    return f;
}

/* The figure ipcplay's model gives for the same transfer; *front_ms the
 * CPU its front end (this process: engine, sampler, model) used meanwhile. */
static double ipcplay_run(struct engine *e, struct model *m, int mech, int mode, int32_t size,
                          long mib, double *front_ms)
{
    char a[4][48];
    snprintf(a[0], sizeof a[0], "only=%s", race_mech_name(mech));
    snprintf(a[1], sizeof a[1], "size=%d", size);
    snprintf(a[2], sizeof a[2], "total=%ld", mib);
    snprintf(a[3], sizeof a[3], "mode=%s", mode == RACE_PINGPONG ? "pingpong" : "stream");
    char *argv[4] = {a[0], a[1], a[2], a[3]};
    long vals[SCENARIO_MAX_PARAMS];
    char err[256];
    if (scenario_parse_params(&scenario_race, 4, argv, vals, err, sizeof err) < 0 ||
        engine_start(e, &scenario_race, vals, 0, err, sizeof err) < 0) {
        fprintf(stderr, "bench/race: cannot start: %s\n", err);
        exit(3);
    }
    struct rusage ru0, ru1;
    getrusage(RUSAGE_SELF, &ru0);
    while (engine_active(e)) {
        struct pollfd pfds[ENGINE_MAX_POLLFDS];
        int n = engine_pollfds(e, pfds, ENGINE_MAX_POLLFDS);
        if (poll(pfds, (nfds_t)n, 100) > 0)
            engine_dispatch(e, pfds, n);
    }
    getrusage(RUSAGE_SELF, &ru1);
    *front_ms =
        tv_ms(&ru1.ru_utime) + tv_ms(&ru1.ru_stime) - tv_ms(&ru0.ru_utime) - tv_ms(&ru0.ru_stime);
    const struct model_race_lane *l = &m->race.lane[mech];
    if (!l->done || l->bad || l->err || l->rcvd != l->count) {
        fprintf(stderr, "bench/race: ipcplay's %s transfer did not complete intact\n",
                race_mech_name(mech));
        exit(3);
    }
    return model_race_figure(l);
}

static int cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
    long mib = argc > 1 ? atol(argv[1]) : 64;
    int rounds = argc > 2 ? atoi(argv[2]) : 3;
    int32_t size = argc > 3 ? (int32_t)atol(argv[3]) : 4096;
    int mode = argc > 4 && strcmp(argv[4], "pingpong") == 0 ? RACE_PINGPONG : RACE_STREAM;
    if (mib < 1 || mib > 4096 || rounds < 1 || rounds > 21 || size < RACE_MIN_SIZE ||
        size > RACE_MAX_SIZE || size % 8 ||
        (argc > 4 && mode == RACE_STREAM && strcmp(argv[4], "stream") != 0)) {
        fprintf(stderr,
                "usage: bench/race [MIB 1..4096 [ROUNDS 1..21 [SIZE 16..%d, a multiple "
                "of 8 [stream|pingpong]]]]\n",
                RACE_MAX_SIZE);
        return 2;
    }
    int64_t count = mib * 1024 * 1024 / size;
    registry_init(-1);
    static struct model m;
    struct engine *e = engine_new(&m);
    if (!e) {
        fprintf(stderr, "bench/race: cannot set up the engine\n");
        return 3;
    }
    bool pp = mode == RACE_PINGPONG;
    printf("race, %s: %ld MiB per mechanism in %d-byte messages, %d round(s) each way, in "
           "turn\n",
           pp ? "ping-pong, us per round trip (less is better)" : "stream, MB/s (more is better)",
           mib, size, rounds);
    printf("each round runs the plain transfer and ipcplay's back to back: judged on the median "
           "of the rounds' ratios\n");
    printf("  %-11s %-24s %-24s %16s  target: within 10 %%\n", "", "plain: median (min..max)",
           "ipcplay: median (min..max)", "ipcplay/plain");
    int met = 0;
    double front[RACE__N * 21];
    int nfront = 0;
    for (int k = 0; k < RACE__N; k++) {
        double plain[21], ours[21], ratio[21];
        for (int r = 0; r < rounds; r++) {
            plain[r] = plain_run(k, mode, size, count);
            ours[r] = ipcplay_run(e, &m, k, mode, size, mib, &front[nfront++]);
            /* > 1: ipcplay's figure is better (more MB/s, shorter round trip) */
            ratio[r] = pp ? plain[r] / ours[r] : ours[r] / plain[r];
        }
        qsort(plain, (size_t)rounds, sizeof plain[0], cmp);
        qsort(ours, (size_t)rounds, sizeof ours[0], cmp);
        qsort(ratio, (size_t)rounds, sizeof ratio[0], cmp);
        double q = ratio[rounds / 2];
        bool ok = q >= 0.90;
        met += ok;
        char pr[40], orr[40];
        snprintf(pr, sizeof pr, "%.1f (%.0f..%.0f)", plain[rounds / 2], plain[0],
                 plain[rounds - 1]);
        snprintf(orr, sizeof orr, "%.1f (%.0f..%.0f)", ours[rounds / 2], ours[0], ours[rounds - 1]);
        printf("  %-11s %-24s %-24s %6.2f (%.2f..%.2f)  %s\n", race_mech_name(k), pr, orr, q,
               ratio[0], ratio[rounds - 1], ok ? "met" : "NOT met");
    }
    qsort(front, (size_t)nfront, sizeof front[0], cmp);
    printf("  %d of %d mechanisms within target; ipcplay's front end used %.1f ms of CPU per run "
           "(median; start, samples, notes, model)\n",
           met, RACE__N, front[nfront / 2]);
    engine_free(e);
    registry_clean_exit();
    return 0;
}
