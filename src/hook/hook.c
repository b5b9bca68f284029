/* hook.c — libipcplay-hook.so, the preload interposer of `ipcplay watch --
 * PROGRAM` (--trace=preload, the default for a dynamically linked program).
 * Loaded into every process of the watched tree with LD_PRELOAD, it wraps
 * the IPC and process calls the story tells (System V semaphores, queues
 * and segments, fork, wait, exit, pipe, socketpair, mkfifo, sendmsg with
 * SCM_RIGHTS), calls the real function (dlsym RTLD_NEXT) and writes what
 * happened into this thread's ring of the memfd the engine handed down
 * (hookring.h): no stop, no system call of its own on the common path, so a
 * traced semop costs little more than an untraced one, where a ptrace stop
 * per call costs ~100x.
 *
 * The story is the one ptrace tells (trace.c): a call that would sleep is
 * told "blocks" before it sleeps (found by trying it first with IPC_NOWAIT
 * or WNOHANG, which costs nothing when it does not sleep), then its result.
 * pause/step hold a call before it is made (the gate in the shared header).
 *
 * Trust: the fd numbers come from the environment, which the program may
 * have changed; the hook maps the ring only if the fd is a memfd sealed at
 * the exact size with the right magic and version, and wakes the engine
 * only through an eventfd. Otherwise it does nothing but pass calls on. */
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <mqueue.h>
#include <linux/futex.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/mman.h>
#include <sys/msg.h>
#include <sys/resource.h>
#include <sys/sem.h>
#include <sys/shm.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../engine/hookring.h"

#define EXPORT __attribute__((visibility("default")))

enum { GATE_RUN, GATE_PAUSE, GATE_STEP }; /* TREE_GATE_* (engine/tree.h) */

static struct hook_shared *sh; /* NULL: not watched, pass everything on */
static int wakefd = -1;
static __thread struct hook_ring *my_ring;
static __thread int my_state; /* 0 unclaimed, 1 ring, -1 none */
static __thread pid_t my_tid;
static pid_t my_pid;

#define REAL(name) real_##name
#define DECLARE_REAL(ret, name, ...) static ret (*real_##name)(__VA_ARGS__)
DECLARE_REAL(int, semtimedop, int, struct sembuf *, size_t, const struct timespec *);
DECLARE_REAL(int, semget, key_t, int, int);
DECLARE_REAL(int, semctl, int, int, int, ...);
DECLARE_REAL(int, msgget, key_t, int);
DECLARE_REAL(int, msgsnd, int, const void *, size_t, int);
DECLARE_REAL(ssize_t, msgrcv, int, void *, size_t, long, int);
DECLARE_REAL(int, msgctl, int, int, struct msqid_ds *);
DECLARE_REAL(int, shmget, key_t, size_t, int);
DECLARE_REAL(void *, shmat, int, const void *, int);
DECLARE_REAL(int, shmdt, const void *);
DECLARE_REAL(int, shmctl, int, int, struct shmid_ds *);
DECLARE_REAL(pid_t, fork, void);
DECLARE_REAL(pid_t, wait4, pid_t, int *, int, struct rusage *);
DECLARE_REAL(int, waitid, idtype_t, id_t, siginfo_t *, int);
DECLARE_REAL(int, pipe, int *);
DECLARE_REAL(int, pipe2, int *, int);
DECLARE_REAL(int, socketpair, int, int, int, int *);
DECLARE_REAL(int, mkfifo, const char *, mode_t);
DECLARE_REAL(ssize_t, sendmsg, int, const struct msghdr *, int);
DECLARE_REAL(int, shm_open, const char *, int, mode_t);
DECLARE_REAL(int, shm_unlink, const char *);
DECLARE_REAL(mqd_t, mq_open, const char *, int, ...);
DECLARE_REAL(int, mq_unlink, const char *);
DECLARE_REAL(int, mq_timedsend, mqd_t, const char *, size_t, unsigned, const struct timespec *);
DECLARE_REAL(ssize_t, mq_timedreceive, mqd_t, char *, size_t, unsigned *, const struct timespec *);
DECLARE_REAL(int, mq_send, mqd_t, const char *, size_t, unsigned);
DECLARE_REAL(ssize_t, mq_receive, mqd_t, char *, size_t, unsigned *);
DECLARE_REAL(void, exit, int) __attribute__((noreturn));
DECLARE_REAL(void, _exit, int) __attribute__((noreturn));
DECLARE_REAL(int, __libc_start_main, int (*)(int, char **, char **), int, char **, void (*)(void),
             void (*)(void), void (*)(void), void *);

/* The next definition of name (libc's), looked up once. */
static void *next_fn(void *slot, const char *name)
{
    void *fn;
    memcpy(&fn, slot, sizeof fn);
    if (!fn) {
        fn = dlsym(RTLD_NEXT, name);
        memcpy(slot, &fn, sizeof fn);
    }
    return fn;
}
#define RESOLVE(name) ((__typeof__(real_##name))next_fn(&real_##name, #name))

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* Is fd a memfd of ours: sealed against growing and shrinking at exactly
 * the size of the layout? (F_GET_SEALS works on memfds only.) */
static bool ring_fd_ok(int fd)
{
    struct stat st;
    int seals = fcntl(fd, F_GET_SEALS);
    return fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && (uint64_t)st.st_size == HOOK_MAP_LEN &&
           seals >= 0 && (seals & (F_SEAL_SHRINK | F_SEAL_GROW)) == (F_SEAL_SHRINK | F_SEAL_GROW);
}

static bool wake_fd_ok(int fd)
{
    char rel[64], link[64];
    snprintf(rel, sizeof rel, "/proc/self/fd/%d", fd);
    ssize_t n = readlink(rel, link, sizeof link - 1);
    if (n <= 0)
        return false;
    link[n] = '\0';
    return strcmp(link, "anon_inode:[eventfd]") == 0;
}

static void emit(struct trace_call *c);

static void tell_exec(void)
{
    struct trace_call c = {.pid = my_pid, .nr = SYS_execve, .phase = TRACE_EVENT};
    ssize_t n = readlink("/proc/self/exe", c.path, sizeof c.path - 1);
    c.path[n > 0 ? n : 0] = '\0';
    emit(&c);
}

__attribute__((constructor)) static void hook_init(void)
{
    const char *v = getenv(HOOK_ENV);
    int rfd, wfd;
    char tail;
    if (!v || sscanf(v, "%d,%d%c", &rfd, &wfd, &tail) != 2 || rfd < 3 || wfd < 3)
        return;
    if (!ring_fd_ok(rfd) || !wake_fd_ok(wfd))
        return;
    void *p = mmap(NULL, HOOK_MAP_LEN, PROT_READ | PROT_WRITE, MAP_SHARED, rfd, 0);
    if (p == MAP_FAILED)
        return;
    struct hook_shared *s = p;
    if (s->magic != HOOK_MAGIC || s->version != HOOK_VERSION ||
        s->size_check != (uint32_t)sizeof(struct hook_shared)) {
        munmap(p, HOOK_MAP_LEN);
        return;
    }
    my_pid = getpid();
    wakefd = wfd;
    sh = s;
    atomic_fetch_add(&sh->loaded, 1);
    tell_exec();
}

static void wake_engine(void)
{
    if (atomic_load_explicit(&sh->sleeping, memory_order_relaxed) &&
        atomic_exchange(&sh->sleeping, 0)) {
        uint64_t one = 1;
        ssize_t n = write(wakefd, &one, sizeof one);
        (void)n;
    }
}

static struct hook_ring *claim(void)
{
    if (my_state == 0) {
        uint32_t i = atomic_fetch_add(&sh->nrings, 1);
        if (i < HOOK_RINGS) {
            my_ring = &sh->rings[i];
            my_tid = (pid_t)syscall(SYS_gettid);
            atomic_store(&my_ring->owner, (uint32_t)my_tid);
            my_state = 1;
        } else {
            my_state = -1;
        }
    }
    return my_state == 1 ? my_ring : NULL;
}

/* One call into this thread's ring. A full ring waits for the engine (it
 * drains at every wake-up): the story loses nothing. */
static void emit_at(struct trace_call *c, uint64_t t_ns);

static void emit(struct trace_call *c)
{
    emit_at(c, now_ns());
}

/* t_ns orders it among every thread's calls (the engine merges by it). */
static void emit_at(struct trace_call *c, uint64_t t_ns)
{
    struct hook_ring *r = claim();
    if (!r) {
        atomic_fetch_add(&sh->lost, 1);
        return;
    }
    uint64_t t = atomic_load_explicit(&r->tail, memory_order_relaxed);
    if (t - atomic_load_explicit(&r->head, memory_order_acquire) >= HOOK_SLOTS) {
        atomic_fetch_add(&sh->full_waits, 1);
        while (t - atomic_load_explicit(&r->head, memory_order_acquire) >= HOOK_SLOTS) {
            atomic_store(&sh->sleeping, 1);
            wake_engine();
            struct timespec ts = {0, 100 * 1000};
            nanosleep(&ts, NULL);
        }
    }
    struct hook_slot *s = &r->slot[t % HOOK_SLOTS];
    s->t_ns = t_ns;
    s->c = *c;
    atomic_store_explicit(&r->tail, t + 1, memory_order_release);
    /* Pairs with the engine's fence before it sleeps (as in events.c). */
    atomic_thread_fence(memory_order_seq_cst);
    wake_engine();
}

static void call_init(struct trace_call *c, int nr, int64_t a0, int64_t a1, int64_t a2, int64_t a3,
                      int64_t a4)
{
    memset(c, 0, sizeof *c);
    c->pid = my_pid;
    c->nr = nr;
    c->args[0] = a0;
    c->args[1] = a1;
    c->args[2] = a2;
    c->args[3] = a3;
    c->args[4] = a4;
    c->semval = -1;
    c->scm_fds = -1;
}

/* pause/step: hold the call until the gate lets this process through. */
static void gate(struct trace_call *c)
{
    if (atomic_load_explicit(&sh->gate_mode, memory_order_acquire) == GATE_RUN)
        return;
    bool told = false;
    for (;;) {
        uint32_t gen = atomic_load(&sh->gate_gen);
        uint32_t mode = atomic_load(&sh->gate_mode);
        if (mode == GATE_RUN)
            return;
        int32_t who = atomic_load(&sh->step_pid);
        if (mode == GATE_STEP && (who == 0 || who == my_pid)) {
            int32_t k = atomic_load(&sh->tokens);
            while (k > 0 && !atomic_compare_exchange_weak(&sh->tokens, &k, k - 1))
                ;
            if (k > 0)
                return;
        }
        if (!told && mode != HOOK_GATE_START) {
            c->phase = TRACE_HELD;
            emit(c);
            told = true;
        }
        struct timespec ts = {0, 200 * 1000 * 1000};
        syscall(SYS_futex, &sh->gate_gen, FUTEX_WAIT, gen, &ts, NULL, 0);
    }
}

static void done(struct trace_call *c, int64_t ret, int err)
{
    c->phase = TRACE_DONE;
    c->ret = ret;
    c->err = ret < 0 ? err : 0;
    if (ret < 0)
        c->ret = -1;
    emit(c);
    errno = err;
}

static void blocks(struct trace_call *c)
{
    c->phase = TRACE_BLOCKS;
    emit(c);
}

/* ---- System V semaphores ---- */

static int sem_call(int nr, int semid, struct sembuf *sops, size_t nsops,
                    const struct timespec *timeout)
{
    RESOLVE(semtimedop);
    if (!sh)
        return real_semtimedop(semid, sops, nsops, timeout);
    struct trace_call c;
    call_init(&c, nr, semid, (int64_t)(uintptr_t)sops, (int64_t)nsops, (int64_t)(uintptr_t)timeout,
              0);
    c.nsops = (int32_t)nsops;
    bool wait = false;
    for (size_t i = 0; i < nsops && sops; i++) {
        if (i < TRACE_SOPS)
            c.sops[i] =
                (struct trace_sop){(int16_t)sops[i].sem_num, sops[i].sem_op, sops[i].sem_flg};
        wait |= !(sops[i].sem_flg & IPC_NOWAIT);
    }
    gate(&c);
    int rc;
    /* Would it sleep? Tried first without sleeping: told "blocks" only then. */
    if (wait && nsops <= 32) {
        struct sembuf nw[32];
        for (size_t i = 0; i < nsops; i++) {
            nw[i] = sops[i];
            nw[i].sem_flg |= IPC_NOWAIT;
        }
        rc = real_semtimedop(semid, nw, nsops, NULL);
        if (rc == 0 || errno != EAGAIN) {
            done(&c, rc, errno);
            return rc;
        }
        c.semval = RESOLVE(semctl)(semid, sops[0].sem_num, GETVAL);
        blocks(&c);
        c.semval = -1;
    }
    rc = real_semtimedop(semid, sops, nsops, timeout);
    done(&c, rc, errno);
    return rc;
}

EXPORT int semop(int semid, struct sembuf *sops, size_t nsops)
{
#ifdef SYS_semop
    return sem_call(SYS_semop, semid, sops, nsops, NULL);
#else
    return sem_call(SYS_semtimedop, semid, sops, nsops, NULL);
#endif
}

EXPORT int semtimedop(int semid, struct sembuf *sops, size_t nsops, const struct timespec *timeout)
{
    return sem_call(SYS_semtimedop, semid, sops, nsops, timeout);
}

EXPORT int semget(key_t key, int nsems, int flg)
{
    RESOLVE(semget);
    if (!sh)
        return real_semget(key, nsems, flg);
    struct trace_call c;
    call_init(&c, SYS_semget, key, nsems, flg, 0, 0);
    gate(&c);
    int rc = real_semget(key, nsems, flg);
    done(&c, rc, errno);
    return rc;
}

EXPORT int semctl(int semid, int num, int cmd, ...)
{
    /* The fourth argument exists only for the commands that take one. */
    unsigned long arg = 0;
    switch (cmd & 0xff) {
    case SETVAL:
    case GETALL:
    case SETALL:
    case IPC_STAT:
    case IPC_SET:
    case IPC_INFO:
    case SEM_INFO:
    case SEM_STAT:
#ifdef SEM_STAT_ANY
    case SEM_STAT_ANY:
#endif
    {
        va_list ap;
        va_start(ap, cmd);
        arg = va_arg(ap, unsigned long);
        va_end(ap);
        break;
    }
    default: break;
    }
    RESOLVE(semctl);
    if (!sh)
        return real_semctl(semid, num, cmd, arg);
    struct trace_call c;
    call_init(&c, SYS_semctl, semid, num, cmd, (int64_t)arg, 0);
    gate(&c);
    int rc = real_semctl(semid, num, cmd, arg);
    done(&c, rc, errno);
    return rc;
}

/* ---- System V message queues ---- */

EXPORT int msgget(key_t key, int flg)
{
    RESOLVE(msgget);
    if (!sh)
        return real_msgget(key, flg);
    struct trace_call c;
    call_init(&c, SYS_msgget, key, flg, 0, 0, 0);
    gate(&c);
    int rc = real_msgget(key, flg);
    done(&c, rc, errno);
    return rc;
}

EXPORT int msgsnd(int msqid, const void *msgp, size_t sz, int flg)
{
    RESOLVE(msgsnd);
    if (!sh)
        return real_msgsnd(msqid, msgp, sz, flg);
    struct trace_call c;
    call_init(&c, SYS_msgsnd, msqid, (int64_t)(uintptr_t)msgp, (int64_t)sz, flg, 0);
    if (msgp)
        memcpy(&c.msgtyp, msgp, sizeof(long));
    gate(&c);
    int rc;
    if (!(flg & IPC_NOWAIT)) {
        rc = real_msgsnd(msqid, msgp, sz, flg | IPC_NOWAIT);
        if (rc == 0 || errno != EAGAIN) {
            done(&c, rc, errno);
            return rc;
        }
        blocks(&c);
    }
    rc = real_msgsnd(msqid, msgp, sz, flg);
    done(&c, rc, errno);
    return rc;
}

EXPORT ssize_t msgrcv(int msqid, void *msgp, size_t sz, long typ, int flg)
{
    RESOLVE(msgrcv);
    if (!sh)
        return real_msgrcv(msqid, msgp, sz, typ, flg);
    struct trace_call c;
    call_init(&c, SYS_msgrcv, msqid, (int64_t)(uintptr_t)msgp, (int64_t)sz, typ, flg);
    gate(&c);
    ssize_t rc;
    if (!(flg & IPC_NOWAIT)) {
        rc = real_msgrcv(msqid, msgp, sz, typ, flg | IPC_NOWAIT);
        if (rc >= 0 || errno != ENOMSG) {
            done(&c, rc, errno);
            return rc;
        }
        blocks(&c);
    }
    rc = real_msgrcv(msqid, msgp, sz, typ, flg);
    done(&c, rc, errno);
    return rc;
}

EXPORT int msgctl(int msqid, int cmd, struct msqid_ds *buf)
{
    RESOLVE(msgctl);
    if (!sh)
        return real_msgctl(msqid, cmd, buf);
    struct trace_call c;
    call_init(&c, SYS_msgctl, msqid, cmd, (int64_t)(uintptr_t)buf, 0, 0);
    gate(&c);
    int rc = real_msgctl(msqid, cmd, buf);
    done(&c, rc, errno);
    return rc;
}

/* ---- System V shared memory ---- */

EXPORT int shmget(key_t key, size_t size, int flg)
{
    RESOLVE(shmget);
    if (!sh)
        return real_shmget(key, size, flg);
    struct trace_call c;
    call_init(&c, SYS_shmget, key, (int64_t)size, flg, 0, 0);
    gate(&c);
    int rc = real_shmget(key, size, flg);
    done(&c, rc, errno);
    return rc;
}

EXPORT void *shmat(int shmid, const void *addr, int flg)
{
    RESOLVE(shmat);
    if (!sh)
        return real_shmat(shmid, addr, flg);
    struct trace_call c;
    call_init(&c, SYS_shmat, shmid, (int64_t)(uintptr_t)addr, flg, 0, 0);
    gate(&c);
    void *p = real_shmat(shmid, addr, flg);
    done(&c, p == (void *)-1 ? -1 : (int64_t)(uintptr_t)p, errno);
    return p;
}

EXPORT int shmdt(const void *addr)
{
    RESOLVE(shmdt);
    if (!sh)
        return real_shmdt(addr);
    struct trace_call c;
    call_init(&c, SYS_shmdt, (int64_t)(uintptr_t)addr, 0, 0, 0, 0);
    gate(&c);
    int rc = real_shmdt(addr);
    done(&c, rc, errno);
    return rc;
}

EXPORT int shmctl(int shmid, int cmd, struct shmid_ds *buf)
{
    RESOLVE(shmctl);
    if (!sh)
        return real_shmctl(shmid, cmd, buf);
    struct trace_call c;
    call_init(&c, SYS_shmctl, shmid, cmd, (int64_t)(uintptr_t)buf, 0, 0);
    gate(&c);
    int rc = real_shmctl(shmid, cmd, buf);
    done(&c, rc, errno);
    return rc;
}

/* ---- processes ---- */

EXPORT pid_t fork(void)
{
    /* Told at the moment before the fork, so it comes before anything the
     * child does (its exec, its calls), as ptrace's fork event does. */
    uint64_t t = sh ? now_ns() : 0;
    pid_t pid = RESOLVE(fork)();
    if (!sh)
        return pid;
    int err = errno;
    if (pid == 0) { /* a ring of its own, under its own pid */
        my_pid = getpid();
        my_ring = NULL;
        my_state = 0;
    } else if (pid > 0) {
        struct trace_call c;
        call_init(&c, SYS_fork, 0, 0, 0, 0, 0);
        c.phase = TRACE_EVENT;
        c.ret = pid;
        emit_at(&c, t);
    }
    errno = err;
    return pid;
}

/* vfork's child shares our stack until it execs: returning through a
 * wrapper there would break the parent. A fork keeps the semantics that
 * matter here (the child runs, the parent goes on). */
EXPORT pid_t vfork(void)
{
    return fork();
}

static pid_t wait_call(pid_t pid, int *status, int options, struct rusage *ru)
{
    RESOLVE(wait4);
    if (!sh)
        return real_wait4(pid, status, options, ru);
    struct trace_call c;
    call_init(&c, SYS_wait4, pid, (int64_t)(uintptr_t)status, options, (int64_t)(uintptr_t)ru, 0);
    gate(&c);
    pid_t rc;
    if (!(options & WNOHANG)) {
        rc = real_wait4(pid, status, options | WNOHANG, ru);
        if (rc != 0) {
            done(&c, rc, errno);
            return rc;
        }
        blocks(&c);
    }
    rc = real_wait4(pid, status, options, ru);
    done(&c, rc, errno);
    return rc;
}

EXPORT pid_t wait(int *status)
{
    return wait_call(-1, status, 0, NULL);
}

EXPORT pid_t waitpid(pid_t pid, int *status, int options)
{
    return wait_call(pid, status, options, NULL);
}

EXPORT pid_t wait4(pid_t pid, int *status, int options, struct rusage *ru)
{
    return wait_call(pid, status, options, ru);
}

EXPORT pid_t wait3(int *status, int options, struct rusage *ru)
{
    return wait_call(-1, status, options, ru);
}

EXPORT int waitid(idtype_t type, id_t id, siginfo_t *info, int options)
{
    RESOLVE(waitid);
    if (!sh)
        return real_waitid(type, id, info, options);
    struct trace_call c;
    call_init(&c, SYS_waitid, type, id, (int64_t)(uintptr_t)info, options, 0);
    gate(&c);
    int rc = real_waitid(type, id, info, options);
    done(&c, rc == 0 && info ? info->si_pid : rc, errno);
    return rc;
}

static void tell_exit(int status)
{
    if (!sh)
        return;
    struct trace_call c;
    call_init(&c, SYS_exit_group, status, 0, 0, 0, 0);
    gate(&c);
    c.phase = TRACE_EVENT;
    emit(&c);
}

EXPORT void exit(int status)
{
    tell_exit(status);
    RESOLVE(exit)(status);
}

EXPORT void _exit(int status)
{
    tell_exit(status);
    RESOLVE(_exit)(status);
}

EXPORT void _Exit(int status)
{
    tell_exit(status);
    RESOLVE(_exit)(status);
}

/* A return from main calls libc's exit from inside libc, past any
 * wrapper: main is wrapped so that its return is told too. */
static int (*program_main)(int, char **, char **);

static int main_wrapper(int argc, char **argv, char **envp)
{
    exit(program_main(argc, argv, envp));
}

EXPORT int __libc_start_main(int (*main)(int, char **, char **), int argc, char **argv,
                             void (*init)(void), void (*fini)(void), void (*rtld_fini)(void),
                             void *stack_end)
{
    program_main = main;
    return RESOLVE(__libc_start_main)(main_wrapper, argc, argv, init, fini, rtld_fini, stack_end);
}

/* ---- pipes, socket pairs, FIFOs, fd passing ---- */

/* Held at the gate first, as ptrace holds pipe2 and socketpair. */
static bool pair_begin(struct trace_call *c, int nr, int64_t a0, int64_t a1, int64_t a2)
{
    if (!sh)
        return false;
    call_init(c, nr, a0, a1, a2, 0, 0);
    gate(c);
    return true;
}

static int pair_end(struct trace_call *c, int rc, const int *fds)
{
    int err = errno;
    if (rc == 0) {
        c->fds[0] = fds[0];
        c->fds[1] = fds[1];
    }
    done(c, rc, err);
    return rc;
}

EXPORT int pipe(int fds[2])
{
    struct trace_call c;
    bool told = pair_begin(&c, SYS_pipe2, (int64_t)(uintptr_t)fds, 0, 0);
    int rc = RESOLVE(pipe)(fds);
    return told ? pair_end(&c, rc, fds) : rc;
}

EXPORT int pipe2(int fds[2], int flags)
{
    struct trace_call c;
    bool told = pair_begin(&c, SYS_pipe2, (int64_t)(uintptr_t)fds, flags, 0);
    int rc = RESOLVE(pipe2)(fds, flags);
    return told ? pair_end(&c, rc, fds) : rc;
}

EXPORT int socketpair(int domain, int type, int protocol, int fds[2])
{
    struct trace_call c;
    bool told = pair_begin(&c, SYS_socketpair, domain, type, protocol);
    int rc = RESOLVE(socketpair)(domain, type, protocol, fds);
    return told ? pair_end(&c, rc, fds) : rc;
}

EXPORT int mkfifo(const char *path, mode_t mode)
{
    int rc = RESOLVE(mkfifo)(path, mode);
    if (sh) {
        int err = errno;
        struct trace_call c;
        call_init(&c, SYS_mknodat, AT_FDCWD, (int64_t)(uintptr_t)path, (int64_t)(mode | S_IFIFO), 0,
                  0);
        snprintf(c.path, sizeof c.path, "%s", path);
        done(&c, rc, err);
    }
    return rc;
}

EXPORT ssize_t sendmsg(int fd, const struct msghdr *msg, int flags)
{
    ssize_t rc = RESOLVE(sendmsg)(fd, msg, flags);
    if (!sh || !msg || !msg->msg_control || msg->msg_controllen < sizeof(struct cmsghdr))
        return rc;
    int err = errno;
    const struct cmsghdr *cm = CMSG_FIRSTHDR(msg);
    if (cm && cm->cmsg_level == SOL_SOCKET && cm->cmsg_type == SCM_RIGHTS) {
        struct trace_call c;
        call_init(&c, SYS_sendmsg, fd, (int64_t)(uintptr_t)msg, flags, 0, 0);
        c.scm_fds = (int32_t)((cm->cmsg_len - CMSG_LEN(0)) / sizeof(int));
        done(&c, rc, err);
    }
    errno = err;
    return rc;
}

/* ---- POSIX shared memory and message queues ---- */

static void posix_call(struct trace_call *c, int nr, const char *name, int64_t a1, int64_t a2)
{
    call_init(c, nr, 0, a1, a2, 0, 0);
    snprintf(c->path, sizeof c->path, "%s", name && name[0] == '/' ? name + 1 : name ? name : "");
}

EXPORT int shm_open(const char *name, int oflag, mode_t mode)
{
    RESOLVE(shm_open);
    if (!sh)
        return real_shm_open(name, oflag, mode);
    struct trace_call c;
    posix_call(&c, TRACE_NR_SHM_OPEN, name, oflag, mode);
    gate(&c);
    int rc = real_shm_open(name, oflag, mode);
    done(&c, rc, errno);
    return rc;
}

EXPORT int shm_unlink(const char *name)
{
    RESOLVE(shm_unlink);
    if (!sh)
        return real_shm_unlink(name);
    struct trace_call c;
    posix_call(&c, TRACE_NR_SHM_UNLINK, name, 0, 0);
    gate(&c);
    int rc = real_shm_unlink(name);
    done(&c, rc, errno);
    return rc;
}

EXPORT mqd_t mq_open(const char *name, int oflag, ...)
{
    mode_t mode = 0;
    struct mq_attr *attr = NULL;
    if (oflag & O_CREAT) {
        va_list ap;
        va_start(ap, oflag);
        mode = (mode_t)va_arg(ap, unsigned);
        attr = va_arg(ap, struct mq_attr *);
        va_end(ap);
    }
    RESOLVE(mq_open);
    if (!sh)
        return real_mq_open(name, oflag, mode, attr);
    struct trace_call c;
    posix_call(&c, SYS_mq_open, name, oflag, mode);
    gate(&c);
    mqd_t q = real_mq_open(name, oflag, mode, attr);
    done(&c, q, errno);
    return q;
}

EXPORT int mq_unlink(const char *name)
{
    RESOLVE(mq_unlink);
    if (!sh)
        return real_mq_unlink(name);
    struct trace_call c;
    posix_call(&c, SYS_mq_unlink, name, 0, 0);
    gate(&c);
    int rc = real_mq_unlink(name);
    done(&c, rc, errno);
    return rc;
}

/* glibc declares the timeouts of mq_timed* non-null: mq_send and
 * mq_receive go to their own real functions. */
static int mq_send_call(mqd_t q, const char *msg, size_t len, unsigned prio,
                        const struct timespec *timeout)
{
    RESOLVE(mq_timedsend);
    RESOLVE(mq_send);
    if (!sh)
        return timeout ? real_mq_timedsend(q, msg, len, prio, timeout)
                       : real_mq_send(q, msg, len, prio);
    struct trace_call c;
    call_init(&c, SYS_mq_timedsend, q, (int64_t)(uintptr_t)msg, (int64_t)len, prio, 0);
    gate(&c);
    int rc =
        timeout ? real_mq_timedsend(q, msg, len, prio, timeout) : real_mq_send(q, msg, len, prio);
    done(&c, rc, errno);
    return rc;
}

EXPORT int mq_timedsend(mqd_t q, const char *msg, size_t len, unsigned prio,
                        const struct timespec *timeout)
{
    return mq_send_call(q, msg, len, prio, timeout);
}

EXPORT int mq_send(mqd_t q, const char *msg, size_t len, unsigned prio)
{
    return mq_send_call(q, msg, len, prio, NULL);
}

static ssize_t mq_receive_call(mqd_t q, char *msg, size_t len, unsigned *prio,
                               const struct timespec *timeout)
{
    RESOLVE(mq_timedreceive);
    RESOLVE(mq_receive);
    if (!sh)
        return timeout ? real_mq_timedreceive(q, msg, len, prio, timeout)
                       : real_mq_receive(q, msg, len, prio);
    struct trace_call c;
    call_init(&c, SYS_mq_timedreceive, q, (int64_t)(uintptr_t)msg, (int64_t)len, 0, 0);
    gate(&c);
    ssize_t rc = timeout ? real_mq_timedreceive(q, msg, len, prio, timeout)
                         : real_mq_receive(q, msg, len, prio);
    done(&c, rc, errno);
    return rc;
}

EXPORT ssize_t mq_timedreceive(mqd_t q, char *msg, size_t len, unsigned *prio,
                               const struct timespec *timeout)
{
    return mq_receive_call(q, msg, len, prio, timeout);
}

EXPORT ssize_t mq_receive(mqd_t q, char *msg, size_t len, unsigned *prio)
{
    return mq_receive_call(q, msg, len, prio, NULL);
}
