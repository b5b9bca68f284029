/* ops_proc.c — the ops of processes, pipes and fd passing, run inside a
 * child by the op runner (ops.c hands over every op it does not know). Like
 * every op, each passes the gate and emits a begin and an end event; an op
 * that makes several system calls (a write in chunks, a read until EOF, a
 * fork of N children) does so for each call, so a paused or stepped run
 * stops between them.
 *
 * State lives in this file's statics: each child is its own process, and a
 * fork op's child inherits a copy — exactly what fork does to fds, too.
 * Fds live in numbered slots (the plan names slots, the kernel picks the fd
 * numbers, events report the real numbers). They are opened WITHOUT
 * O_CLOEXEC unless the op says so: these fds are the subject of the lesson
 * and are handed to forked children and across exec on purpose.
 *
 * What each event carries (besides the op's obj/arg0/arg1, often replaced by
 * the real fd numbers) is documented at each op and read by model_proc.c. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../model/event.h"
#include "../model/pattern.h"
#include "board.h"
#include "events.h"
#include "ops.h"

#define SLOTS 16
#define MAX_KIDS 64
#define IO_BUF 65536
#define HOLD_LIMIT_MS 10000 /* never wait for the sampler longer than this */
#define EOF_GRACE_MS 3000   /* after the last expected byte, wait this for EOF */

static int slot_fd1[SLOTS]; /* fd + 1; 0 = empty (statics start zeroed) */

struct kid {
    pid_t pid;
    int role, instance;
    bool reaped;
};
static struct kid kids[MAX_KIDS];
static int nkids;
static int kid_count_by_role[16];
static pid_t orig_parent;   /* the parent that forked us (fork op children) */
static unsigned char *page; /* the copy-on-write page */
static int record_seq;

/* SIGCHLD handler state: written only inside the handler, which runs only
 * inside sigsuspend (SIGCHLD is blocked everywhere else). */
static volatile sig_atomic_t h_loop, h_calls, h_n;
static volatile pid_t h_pid[MAX_KIDS];
static volatile int h_status[MAX_KIDS], h_call[MAX_KIDS], h_batch[MAX_KIDS];

static int slot(int s)
{
    return s >= 0 && s < SLOTS ? slot_fd1[s] - 1 : -1;
}

static void slot_set(int s, int fd)
{
    if (s >= 0 && s < SLOTS)
        slot_fd1[s] = fd + 1;
}

static void sleep_ms_real(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
        ;
}

static uint64_t now_ms(void)
{
    return events_now_ns() / 1000000ull;
}

static const char *file_path(const struct runner *r, int obj)
{
    if (!r->plan || obj < 0 || obj >= r->plan->nfiles)
        return NULL;
    return r->plan->files[obj].path;
}

static void begin(struct runner *r, const struct op *x)
{
    gate_pass(r->gate);
    runner_emit(r, x, PH_BEGIN, NULL);
}

static int end(struct runner *r, const struct op *x, int32_t result, int err, int64_t v, int64_t v2)
{
    struct op_result res = {result, result < 0 ? err : 0, v, v2};
    runner_emit(r, x, PH_END, &res);
    return result < 0 ? -1 : 0;
}

static void fd_id(int fd, int64_t *ino, int64_t *dev)
{
    struct stat st;
    if (fd >= 0 && fstat(fd, &st) == 0) {
        *ino = (int64_t)st.st_ino;
        *dev = (int64_t)st.st_dev;
    } else {
        *ino = *dev = -1;
    }
}

static struct kid *kid_find(pid_t pid)
{
    for (int i = 0; i < nkids; i++)
        if (kids[i].pid == pid)
            return &kids[i];
    return NULL;
}

static void kid_reaped(pid_t pid)
{
    struct kid *k = kid_find(pid);
    if (k)
        k->reaped = true;
}

static bool kid_exited(pid_t pid)
{
    siginfo_t si;
    memset(&si, 0, sizeof si);
    return waitid(P_PID, (id_t)pid, &si, WEXITED | WNOHANG | WNOWAIT) == 0 && si.si_pid == pid;
}

/* Wait (sleeping, not in wait()) until ipcplay's sampler has seen as a zombie
 * every child that has exited — `target` only, or all children with
 * target <= 0; `all` also waits for every child to exit. A parent doing
 * this is "busy elsewhere": its children stay zombies meanwhile. */
static bool hold_zombies(pid_t target, bool all)
{
    struct board *b = board_get();
    uint64_t limit = now_ms() + HOLD_LIMIT_MS;
    for (;;) {
        int exited = 0, unseen = 0, alive = 0;
        for (int i = 0; i < nkids; i++) {
            struct kid *k = &kids[i];
            if (k->reaped || (target > 0 && k->pid != target))
                continue;
            if (kid_exited(k->pid)) {
                exited++;
                if (!(board_seen_pid(b, k->pid) & SEEN_ZOMBIE))
                    unseen++;
            } else {
                alive++;
            }
        }
        if (exited > 0 && unseen == 0 && !(all && alive > 0))
            return true;
        if (exited == 0 && alive == 0)
            return false; /* nothing to wait for */
        if (now_ms() > limit)
            return false;
        sleep_ms_real(5);
    }
}

/* The same as a visible hold op: the model shows what the parent is doing. */
static void hold_zombies_shown(struct runner *r, pid_t target, bool all, int ms)
{
    struct op h = {.kind = OP_HOLD, .arg0 = SEEN_ZOMBIE, .arg1 = -1};
    begin(r, &h);
    bool seen = hold_zombies(target, all);
    gate_delay(r->gate, ms);
    if (seen)
        hold_zombies(target, all); /* one more exited meanwhile? show it too */
    struct op_result res = {0, 0, 0, seen ? 0 : 1};
    runner_emit(r, &h, PH_END, &res);
}

static void on_sigchld(int sig)
{
    (void)sig;
    int saved = errno;
    int call = ++h_calls, got = 0, first = h_n;
    for (;;) {
        int st;
        pid_t p = waitpid(-1, &st, WNOHANG);
        if (p <= 0)
            break;
        if (h_n < MAX_KIDS) {
            h_pid[h_n] = p;
            h_status[h_n] = st;
            h_call[h_n] = call;
            h_n++;
        }
        got++;
        if (!h_loop)
            break;
    }
    for (int i = first; i < h_n; i++)
        h_batch[i] = got;
    errno = saved;
}

static void reset_signals(void)
{
    sigset_t none;
    sigemptyset(&none);
    for (int s = 1; s < NSIG; s++)
        if (s != SIGKILL && s != SIGSTOP)
            signal(s, SIG_DFL);
    sigprocmask(SIG_SETMASK, &none, NULL);
}

/* fork: count children (default 1) run sub-role arg0. Parent's end event:
 * result = child pid, value = instance. The child emits its own end event:
 * result 0, value = getppid(), value2 = instance. */
static int op_fork(struct runner *r, const struct op *op)
{
    if (!r->plan || op->arg0 < 0 || op->arg0 >= r->plan->nroles)
        return -1;
    int sub = op->arg0;
    const struct plan_role *pr = &r->plan->roles[sub];
    int n = op->count > 0 ? op->count : 1;
    for (int k = 0; k < n; k++) {
        struct op x = *op;
        int inst = sub < 16 ? ++kid_count_by_role[sub] : k + 1;
        begin(r, &x);
        pid_t parent = getpid();
        pid_t pid = fork();
        if (pid == 0) {
            if (!(op->flags & OPF_ORPHAN)) {
                /* Die with the parent (and so with the run), as every
                 * process the engine forks does. */
                prctl(PR_SET_PDEATHSIG, SIGKILL);
                if (getppid() != parent)
                    _exit(3);
            }
            reset_signals();
            orig_parent = parent;
            nkids = 0;
            memset(kid_count_by_role, 0, sizeof kid_count_by_role);
            h_n = h_calls = 0;
            record_seq = 0;
            r->role = sub;
            r->instance = inst;
            end(r, &x, 0, 0, getppid(), inst);
            _exit(runner_run(r, pr->ops, pr->nops));
        }
        int err = errno;
        if (pid > 0 && nkids < MAX_KIDS)
            kids[nkids++] = (struct kid){pid, sub, inst, false};
        if (end(r, &x, pid, err, inst, 0) < 0)
            return -1;
    }
    return 0;
}

/* exec: replace the program with the helper (obj: a PLANF_HELPER file). The
 * end event comes from the new program (see helper.c); here only a failure. */
static int op_exec(struct runner *r, const struct op *op)
{
    const char *path = file_path(r, op->obj);
    struct op x = *op;
    begin(r, &x);
    if (!path)
        return end(r, &x, -1, EINVAL, 0, 0);
    char role[16], inst[16], t0[32];
    snprintf(role, sizeof role, "%d", r->role);
    snprintf(inst, sizeof inst, "%d", r->instance);
    snprintf(t0, sizeof t0, "%llu", (unsigned long long)r->t0_ns);
    char *argv[] = {(char *)"fdreport", (char *)"__fdreport", role, inst, t0, NULL};
    execve(path, argv, environ);
    return end(r, &x, -1, errno, 0, 0);
}

/* wait: arg0 0 = wait(), 1 = waitpid(the child of instance arg1). With
 * OPF_HOLD the zombie is first left for ipcplay to see, then `ms` longer.
 * End: result = reaped pid, value = wait status, value2 = the target pid. */
static int op_wait(struct runner *r, const struct op *op)
{
    pid_t target = -1;
    if (op->arg0 == 1) {
        for (int i = nkids - 1; i >= 0; i--)
            if (!kids[i].reaped && kids[i].instance == op->arg1) {
                target = kids[i].pid;
                break;
            }
        if (target < 0)
            return -1;
    }
    struct op x = *op;
    if (op->flags & OPF_HOLD)
        hold_zombies_shown(r, target, false, op->ms);
    begin(r, &x);
    int st = 0;
    pid_t pid;
    do
        pid = target > 0 ? waitpid(target, &st, 0) : wait(&st);
    while (pid < 0 && errno == EINTR);
    int err = errno;
    if (pid > 0)
        kid_reaped(pid);
    return end(r, &x, pid, err, st, target);
}

static int op_sigchld_install(struct runner *r, const struct op *op)
{
    struct op x = *op;
    begin(r, &x);
    h_loop = (op->flags & OPF_LOOP) ? 1 : 0;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_sigchld;
    sa.sa_flags = SA_RESTART | SA_NOCLDSTOP;
    sigemptyset(&sa.sa_mask);
    int rc = sigaction(SIGCHLD, &sa, NULL);
    /* Blocked until sigchld_await lets it in: exits meanwhile leave one
     * pending SIGCHLD, however many children exited. */
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGCHLD);
    sigprocmask(SIG_BLOCK, &set, NULL);
    return end(r, &x, rc, errno, 0, 0);
}

/* sigchld_await: let SIGCHLD in (sigsuspend) until every child is reaped by
 * the handler, or until it is stuck: every remaining child is a zombie and
 * no SIGCHLD is pending, so none will come. A `reaped` note per child.
 * End: result = reaped, value = zombies left, value2 = handler calls. */
static int op_sigchld_await(struct runner *r, const struct op *op)
{
    struct op x = *op;
    if (op->flags & OPF_HOLD)
        hold_zombies_shown(r, 0, true, op->ms);
    begin(r, &x);
    sigset_t empty;
    sigemptyset(&empty);
    int shown = 0, reaped = 0, left = 0;
    for (;;) {
        for (; shown < h_n; shown++) {
            kid_reaped(h_pid[shown]);
            reaped++;
            struct op n = {.kind = OP_REAPED, .arg0 = h_call[shown], .arg1 = h_batch[shown]};
            struct op_result res = {h_pid[shown], 0, h_status[shown], 0};
            runner_emit(r, &n, PH_NOTE, &res);
        }
        int unreaped = 0, exited = 0;
        for (int i = 0; i < nkids; i++)
            if (!kids[i].reaped) {
                unreaped++;
                if (kid_exited(kids[i].pid))
                    exited++;
            }
        if (unreaped == 0)
            break;
        sigset_t pend;
        sigpending(&pend);
        if (exited == unreaped && !sigismember(&pend, SIGCHLD)) {
            left = unreaped; /* zombies nobody will reap: no signal will come */
            break;
        }
        sigsuspend(&empty);
    }
    return end(r, &x, reaped, 0, left, h_calls);
}

/* await_orphaned: wait until our parent is gone and we have a new one.
 * End: value = old parent, value2 = new parent. */
static int op_orphaned(struct runner *r, const struct op *op)
{
    struct op x = *op;
    begin(r, &x);
    pid_t old = orig_parent ? orig_parent : getppid();
    uint64_t limit = now_ms() + HOLD_LIMIT_MS;
    while (getppid() == old && now_ms() < limit)
        sleep_ms_real(5);
    pid_t now = getppid();
    if (now == old)
        return end(r, &x, -1, ETIMEDOUT, old, now);
    /* Adopted: from now on die with our new parent, which must be the engine
     * (the run's subreaper); anyone else means the run is gone. */
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != r->engine_pid)
        _exit(3);
    return end(r, &x, 0, 0, old, now);
}

/* hold: wait until the sampler has seen `count` (default 1) processes of
 * role arg1 (or this process, arg1 < 0) with any of the board flags arg0. */
static int op_hold(struct runner *r, const struct op *op)
{
    struct op x = *op;
    begin(r, &x);
    struct board *b = board_get();
    int want = op->count > 0 ? op->count : 1;
    uint64_t limit = now_ms() + HOLD_LIMIT_MS;
    while (board_count(b, op->arg1, getpid(), (unsigned)op->arg0) < want) {
        if (now_ms() > limit) {
            end(r, &x, 0, 0, 0, 1); /* value2 = 1: not seen in time */
            return 0;
        }
        sleep_ms_real(5);
    }
    return end(r, &x, 0, 0, 0, 0);
}

/* open: file obj into slot arg0; arg1 access 0 read, 1 write, 2 both.
 * Event: arg0 = the fd; end: result = fd, value = inode, value2 = device. */
static int op_open(struct runner *r, const struct op *op)
{
    const char *path = file_path(r, op->obj);
    int acc = op->arg1 == 1 ? O_WRONLY : op->arg1 == 2 ? O_RDWR : O_RDONLY;
    int flags = acc | ((op->flags & OPF_CLOEXEC) ? O_CLOEXEC : 0);
    struct op x = *op;
    x.arg0 = -1;
    begin(r, &x);
    if (!path)
        return end(r, &x, -1, EINVAL, 0, 0);
    int fd;
    do
        fd = open(path, flags);
    while (fd < 0 && errno == EINTR);
    int err = errno;
    int64_t ino, dev;
    fd_id(fd, &ino, &dev);
    if (fd >= 0)
        slot_set(op->arg0, fd);
    x.arg0 = fd;
    return end(r, &x, fd, err, ino, dev);
}

static int op_close(struct runner *r, const struct op *op)
{
    struct op x = *op;
    int fd = slot(op->arg0);
    x.arg0 = fd;
    begin(r, &x);
    int rc = fd >= 0 ? close(fd) : -1;
    int err = fd >= 0 ? errno : EBADF;
    slot_set(op->arg0, -1);
    return end(r, &x, rc, err, 0, 0);
}

/* pipe / socketpair: ends into slots arg0 and arg1. Event: arg0, arg1 = the
 * two fds; value = inode of the first, value2 = of the second. */
static int op_pair(struct runner *r, const struct op *op)
{
    struct op x = *op;
    x.arg0 = x.arg1 = -1;
    begin(r, &x);
    int fds[2];
    int rc = op->kind == OP_PIPE ? pipe(fds) : socketpair(AF_UNIX, SOCK_STREAM, 0, fds);
    if (rc < 0)
        return end(r, &x, -1, errno, 0, 0);
    slot_set(op->arg0, fds[0]);
    slot_set(op->arg1, fds[1]);
    x.arg0 = fds[0];
    x.arg1 = fds[1];
    int64_t i0, i1, d;
    fd_id(fds[0], &i0, &d);
    fd_id(fds[1], &i1, &d);
    return end(r, &x, 0, 0, i0, i1);
}

static int op_mkfifo(struct runner *r, const struct op *op)
{
    const char *path = file_path(r, op->obj);
    struct op x = *op;
    begin(r, &x);
    int rc = path ? mkfifo(path, 0600) : -1;
    return end(r, &x, rc, path ? errno : EINVAL, 0, 0);
}

static void on_alarm(int sig)
{
    (void)sig; /* only to interrupt read() */
}

/* read() that gives up after grace_ms of running (not paused) time: a 100 ms
 * interval timer interrupts it (no SA_RESTART) so the time can be counted,
 * while /proc keeps showing the process asleep in read(). */
static ssize_t read_with_grace(struct runner *r, int fd, void *buf, size_t n, int grace_ms)
{
    struct sigaction sa, old;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_alarm;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGALRM, &sa, &old);
    struct itimerval it = {{0, 100000}, {0, 100000}}, off = {{0, 0}, {0, 0}};
    setitimer(ITIMER_REAL, &it, NULL);
    int waited = 0;
    ssize_t got;
    for (;;) {
        got = read(fd, buf, n);
        if (got >= 0 || errno != EINTR)
            break;
        if (gate_mode(r->gate) == GATE_RUN)
            waited += 100;
        if (waited >= grace_ms) {
            errno = ETIMEDOUT;
            break;
        }
    }
    int err = errno;
    setitimer(ITIMER_REAL, &off, NULL);
    sigaction(SIGALRM, &old, NULL);
    errno = err;
    return got;
}

/* read: from slot arg0, chunks of arg1 bytes (default 4096), `count` bytes
 * (with OPF_EOF: then on until read returns 0). obj: the stream (pipes), or
 * with OPF_PATTERN the file whose known content the bytes must match.
 * Event: arg0 = fd, arg1 = file offset before the read (-1 on a pipe);
 * end: result = bytes, value = total so far, value2 = running checksum
 * (OPF_PATTERN: bytes of this read that did not match). A read that waited in vain for
 * EOF ends with result -1, ETIMEDOUT. */
static int op_read(struct runner *r, const struct op *op)
{
    static unsigned char buf[IO_BUF];
    int fd = slot(op->arg0);
    size_t chunk = op->arg1 > 0 && op->arg1 <= IO_BUF ? (size_t)op->arg1 : 4096;
    bool to_eof = op->flags & OPF_EOF, pat = op->flags & OPF_PATTERN;
    int64_t want = op->count, total = 0;
    uint64_t sum = PATTERN_SUM_INIT;
    for (;;) {
        if (!to_eof && total >= want)
            return 0;
        size_t n_req = chunk;
        if (!to_eof && (int64_t)n_req > want - total)
            n_req = (size_t)(want - total);
        struct op x = *op;
        x.arg0 = fd;
        /* Everything expected arrived: now EOF must come, i.e. every write
         * end must be closed. Wait a while in read(), then say it did not. */
        bool last = to_eof && want > 0 && total >= want;
        int grace = EOF_GRACE_MS + (int)(gate_scale_ns(r->gate, op->ms) / 1000000ull);
        off_t off = lseek(fd, 0, SEEK_CUR);
        x.arg1 = off < 0 ? -1 : (int32_t)off;
        begin(r, &x);
        ssize_t n;
        if (last)
            n = read_with_grace(r, fd, buf, n_req, grace);
        else
            do
                n = read(fd, buf, n_req);
            while (n < 0 && errno == EINTR);
        int err = errno;
        int64_t bad = 0;
        if (n > 0) {
            if (pat)
                bad = (int64_t)pattern_mismatch(PATTERN_FILE_STREAM + op->obj,
                                                off < 0 ? 0 : (uint64_t)off, buf, (size_t)n);
            sum = pattern_sum_update(sum, buf, (size_t)n);
            total += n;
        }
        if (end(r, &x, (int32_t)n, err, total, pat ? bad : (int64_t)sum) < 0)
            return err == ECONNRESET || err == ETIMEDOUT ? 0 : -1;
        if (n == 0)
            return 0;
    }
}

/* write: `count` bytes of stream obj to slot arg0 in chunks of arg1, `ms`
 * between chunks. Event: arg0 = fd, arg1 = -1; end: result = bytes, value =
 * total so far, value2 = running checksum. EPIPE is reported, not fatal. */
static int op_write(struct runner *r, const struct op *op)
{
    static unsigned char buf[IO_BUF];
    int fd = slot(op->arg0);
    size_t chunk = op->arg1 > 0 && op->arg1 <= IO_BUF ? (size_t)op->arg1 : 4096;
    int64_t total = 0;
    uint64_t sum = PATTERN_SUM_INIT;
    while (total < op->count) {
        if (total > 0)
            gate_delay(r->gate, op->ms);
        size_t n_req = chunk;
        if ((int64_t)n_req > op->count - total)
            n_req = (size_t)(op->count - total);
        struct op x = *op;
        x.arg0 = fd;
        x.arg1 = -1;
        begin(r, &x);
        pattern_fill(op->obj, (uint64_t)total, buf, n_req);
        ssize_t n;
        do
            n = write(fd, buf, n_req);
        while (n < 0 && errno == EINTR);
        int err = errno;
        if (n > 0) {
            sum = pattern_sum_update(sum, buf, (size_t)n);
            total += n;
        }
        if (end(r, &x, (int32_t)n, err, total, (int64_t)sum) < 0)
            return err == EPIPE ? 0 : -1;
    }
    return 0;
}

static int op_shutdown(struct runner *r, const struct op *op)
{
    struct op x = *op;
    x.arg0 = slot(op->arg0);
    begin(r, &x);
    int rc = shutdown(x.arg0, SHUT_WR);
    return end(r, &x, rc, errno, 0, 0);
}

static int unix_addr(const char *path, struct sockaddr_un *sa)
{
    memset(sa, 0, sizeof *sa);
    sa->sun_family = AF_UNIX;
    if (!path || strlen(path) >= sizeof sa->sun_path)
        return -1;
    memcpy(sa->sun_path, path, strlen(path) + 1);
    return 0;
}

/* listen: socket + bind(path of obj) + listen into slot arg0. The socket
 * file appears in the run directory (registered before it existed).
 * Event: arg0 = fd; end: result = fd, value = inode of the socket file. */
static int op_listen(struct runner *r, const struct op *op)
{
    struct op x = *op;
    x.arg0 = -1;
    begin(r, &x);
    struct sockaddr_un sa;
    if (unix_addr(file_path(r, op->obj), &sa) < 0)
        return end(r, &x, -1, ENAMETOOLONG, 0, 0);
    int fd = socket(AF_UNIX, SOCK_STREAM, 0);
    if (fd < 0)
        return end(r, &x, -1, errno, 0, 0);
    mode_t old = umask(0177); /* the socket file: mode 0600 */
    int rc = bind(fd, (struct sockaddr *)&sa, sizeof sa);
    umask(old);
    if (rc == 0)
        rc = listen(fd, 4);
    if (rc < 0) {
        int err = errno;
        close(fd);
        return end(r, &x, -1, err, 0, 0);
    }
    slot_set(op->arg0, fd);
    x.arg0 = fd;
    struct stat st;
    int64_t ino = stat(sa.sun_path, &st) == 0 ? (int64_t)st.st_ino : -1;
    return end(r, &x, fd, 0, ino, 0);
}

/* accept: on slot arg0, the connection into slot arg1. Event: arg0 =
 * listening fd; end: result = the new fd. */
static int op_accept(struct runner *r, const struct op *op)
{
    struct op x = *op;
    x.arg0 = slot(op->arg0);
    begin(r, &x);
    int fd;
    do
        fd = accept(x.arg0, NULL, NULL);
    while (fd < 0 && errno == EINTR);
    int err = errno;
    if (fd >= 0)
        slot_set(op->arg1, fd);
    return end(r, &x, fd, err, 0, 0);
}

/* connect: to the path of obj into slot arg0, retrying while the listener is
 * not there yet. Event end: result = fd, value = attempts. */
static int op_connect(struct runner *r, const struct op *op)
{
    struct op x = *op;
    x.arg0 = -1;
    begin(r, &x);
    struct sockaddr_un sa;
    if (unix_addr(file_path(r, op->obj), &sa) < 0)
        return end(r, &x, -1, ENAMETOOLONG, 0, 0);
    uint64_t limit = now_ms() + HOLD_LIMIT_MS;
    int tries = 0;
    for (;;) {
        int fd = socket(AF_UNIX, SOCK_STREAM, 0);
        if (fd < 0)
            return end(r, &x, -1, errno, 0, 0);
        tries++;
        if (connect(fd, (struct sockaddr *)&sa, sizeof sa) == 0) {
            slot_set(op->arg0, fd);
            x.arg0 = fd;
            return end(r, &x, fd, 0, tries, 0);
        }
        int err = errno;
        close(fd);
        if ((err != ENOENT && err != ECONNREFUSED && err != EINTR) || now_ms() > limit)
            return end(r, &x, -1, err, tries, 0);
        sleep_ms_real(5);
    }
}

/* sendfd: over socket slot arg0, the fd in slot arg1, as SCM_RIGHTS with
 * one byte of data. Event: arg0 = socket fd, arg1 = the fd sent; end:
 * value = its inode, value2 = its device. */
static int op_sendfd(struct runner *r, const struct op *op)
{
    struct op x = *op;
    x.arg0 = slot(op->arg0);
    x.arg1 = slot(op->arg1);
    begin(r, &x);
    char byte = 'F';
    struct iovec iov = {&byte, 1};
    union {
        char buf[CMSG_SPACE(sizeof(int))];
        struct cmsghdr align;
    } u;
    memset(&u, 0, sizeof u);
    struct msghdr mh = {
        .msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf, .msg_controllen = sizeof u.buf};
    struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_RIGHTS;
    c->cmsg_len = CMSG_LEN(sizeof(int));
    memcpy(CMSG_DATA(c), &x.arg1, sizeof(int));
    ssize_t n;
    do
        n = sendmsg(x.arg0, &mh, MSG_NOSIGNAL);
    while (n < 0 && errno == EINTR);
    int err = errno;
    int64_t ino, dev;
    fd_id(x.arg1, &ino, &dev);
    return end(r, &x, (int32_t)n, err, ino, dev);
}

/* recvfd: from socket slot arg0, an SCM_RIGHTS fd into slot arg1. Event:
 * arg0 = socket fd; end: result = the new fd, value = inode, value2 = device. */
static int op_recvfd(struct runner *r, const struct op *op)
{
    struct op x = *op;
    x.arg0 = slot(op->arg0);
    begin(r, &x);
    char byte;
    struct iovec iov = {&byte, 1};
    union {
        char buf[CMSG_SPACE(sizeof(int))];
        struct cmsghdr align;
    } u;
    memset(&u, 0, sizeof u);
    struct msghdr mh = {
        .msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf, .msg_controllen = sizeof u.buf};
    ssize_t n;
    do
        n = recvmsg(x.arg0, &mh, 0);
    while (n < 0 && errno == EINTR);
    if (n <= 0)
        return end(r, &x, -1, n == 0 ? ECONNRESET : errno, 0, 0);
    int fd = -1;
    for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c))
        if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS &&
            c->cmsg_len >= CMSG_LEN(sizeof(int)))
            memcpy(&fd, CMSG_DATA(c), sizeof fd);
    if (fd < 0)
        return end(r, &x, -1, EBADMSG, 0, 0);
    slot_set(op->arg1, fd);
    int64_t ino, dev;
    fd_id(fd, &ino, &dev);
    return end(r, &x, fd, 0, ino, dev);
}

static long minflt_now(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_minflt;
}

static uint64_t page_sum(void)
{
    long psz = sysconf(_SC_PAGESIZE);
    return pattern_sum_update(PATTERN_SUM_INIT, page, (size_t)psz);
}

/* cow_init: one page, private (or shared with OPF_SHARED), filled with
 * stream 7. End: value = its checksum. cow_write: fill it with stream 8;
 * end: value = minor faults before, value2 = after. cow_check: result 1 when
 * the page still holds stream 7; value = its checksum. */
static int op_cow(struct runner *r, const struct op *op)
{
    struct op x = *op;
    begin(r, &x);
    size_t psz = (size_t)sysconf(_SC_PAGESIZE);
    if (op->kind == OP_COW_INIT) {
        int share = (op->flags & OPF_SHARED) ? MAP_SHARED : MAP_PRIVATE;
        void *p = mmap(NULL, psz, PROT_READ | PROT_WRITE, share | MAP_ANONYMOUS, -1, 0);
        if (p == MAP_FAILED)
            return end(r, &x, -1, errno, 0, 0);
        page = p;
        pattern_fill(7, 0, page, psz);
        return end(r, &x, 0, 0, (int64_t)page_sum(), 0);
    }
    if (!page)
        return end(r, &x, -1, EINVAL, 0, 0);
    if (op->kind == OP_COW_WRITE) {
        long before = minflt_now();
        pattern_fill(8, 0, page, psz);
        long after = minflt_now();
        return end(r, &x, 0, 0, before, after);
    }
    uint64_t sum = page_sum();
    return end(r, &x, sum == pattern_sum(7, psz), 0, (int64_t)sum, 0);
}

#define RECORD_LEN 16

/* record: one 16-byte record "name-N     #0001\n" to slot arg0 at the file
 * offset the fd holds. Event: arg0 = fd, arg1 = sequence; end: result =
 * bytes, value = the fd's offset after the write. */
static int op_record(struct runner *r, const struct op *op)
{
    struct op x = *op;
    x.arg0 = slot(op->arg0);
    x.arg1 = ++record_seq;
    char name[32], rec[RECORD_LEN + 8];
    role_instance_name(r->plan ? r->plan->roles[r->role].name : "p", r->instance, name, sizeof name);
    snprintf(rec, sizeof rec, "%-10.10s#%04u\n", name, (unsigned)x.arg1 % 10000u);
    begin(r, &x);
    ssize_t n;
    do
        n = write(x.arg0, rec, RECORD_LEN);
    while (n < 0 && errno == EINTR);
    int err = errno;
    off_t after = lseek(x.arg0, 0, SEEK_CUR);
    return end(r, &x, (int32_t)n, err, after, 0);
}

/* file_check: read the whole file behind slot arg0 (pread, the offset is not
 * moved) and count intact, distinct records. End: result = intact records,
 * value = file size, value2 = damaged or repeated records. */
static int op_file_check(struct runner *r, const struct op *op)
{
    struct op x = *op;
    x.arg0 = slot(op->arg0);
    begin(r, &x);
    struct stat st;
    if (fstat(x.arg0, &st) < 0)
        return end(r, &x, -1, errno, 0, 0);
    size_t size = (size_t)st.st_size;
    char *buf = malloc(size + 1);
    char(*seen)[RECORD_LEN] = calloc(size / RECORD_LEN + 1, RECORD_LEN);
    if (!buf || !seen) {
        free(buf);
        free(seen);
        return end(r, &x, -1, ENOMEM, 0, 0);
    }
    ssize_t got = pread(x.arg0, buf, size, 0);
    int intact = 0, bad = 0;
    for (size_t off = 0; got > 0 && off + RECORD_LEN <= (size_t)got; off += RECORD_LEN) {
        const char *rec = buf + off;
        bool ok = rec[10] == '#' && rec[15] == '\n';
        for (int k = 11; ok && k < 15; k++)
            ok = rec[k] >= '0' && rec[k] <= '9';
        for (int k = 0; ok && k < intact; k++)
            if (memcmp(seen[k], rec, RECORD_LEN) == 0)
                ok = false;
        if (ok)
            memcpy(seen[intact++], rec, RECORD_LEN);
        else
            bad++;
    }
    if (got > 0 && (size_t)got % RECORD_LEN)
        bad++;
    free(buf);
    free(seen);
    return end(r, &x, intact, 0, (int64_t)size, bad);
}

static int op_sigign(struct runner *r, const struct op *op)
{
    struct op x = *op;
    begin(r, &x);
    int rc = signal(op->arg0, SIG_IGN) == SIG_ERR ? -1 : 0;
    return end(r, &x, rc, errno, 0, 0);
}

int ops_proc_run(struct runner *r, const struct op *op)
{
    switch (op->kind) {
    case OP_FORK: return op_fork(r, op);
    case OP_EXEC: return op_exec(r, op);
    case OP_WAIT: return op_wait(r, op);
    case OP_SIGCHLD_INSTALL: return op_sigchld_install(r, op);
    case OP_SIGCHLD_AWAIT: return op_sigchld_await(r, op);
    case OP_ORPHANED: return op_orphaned(r, op);
    case OP_HOLD: return op_hold(r, op);
    case OP_OPEN: return op_open(r, op);
    case OP_CLOSE: return op_close(r, op);
    case OP_PIPE:
    case OP_SOCKETPAIR: return op_pair(r, op);
    case OP_MKFIFO: return op_mkfifo(r, op);
    case OP_READ: return op_read(r, op);
    case OP_WRITE: return op_write(r, op);
    case OP_SHUTDOWN: return op_shutdown(r, op);
    case OP_LISTEN: return op_listen(r, op);
    case OP_ACCEPT: return op_accept(r, op);
    case OP_CONNECT: return op_connect(r, op);
    case OP_SENDFD: return op_sendfd(r, op);
    case OP_RECVFD: return op_recvfd(r, op);
    case OP_COW_INIT:
    case OP_COW_WRITE:
    case OP_COW_CHECK: return op_cow(r, op);
    case OP_RECORD: return op_record(r, op);
    case OP_FILE_CHECK: return op_file_check(r, op);
    case OP_SIGIGN: return op_sigign(r, op);
    default: return 0;
    }
}
