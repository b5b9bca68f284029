/* trace.c — the story of a watched program's calls: ptrace with a seccomp
 * filter that stops the tracee (SECCOMP_RET_TRACE) only at the IPC and
 * process calls the story tells; every other call runs at full speed.
 * fork/clone/exec come as ptrace events (every descendant is traced). At a
 * call's entry the arguments are read (struct sembuf, msgsnd's type) and
 * whether it will sleep is told ("blocks: semval 0"); PTRACE_SYSCALL then
 * gives its exit, with the result. pause/step hold a tracee at its entry.
 * The filter is written by hand (a few instructions; no library needed),
 * with SECCOMP_FILTER_FLAG_SPEC_ALLOW: by default a filter also turns on the
 * speculative-store-bypass mitigation for the process, which slows every
 * call it makes, traced or not. */
#include <errno.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/msg.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/sem.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/user.h>
#include <sys/wait.h>
#include <unistd.h>

#include "engine_internal.h"
#include "tree_internal.h"
#include "../model/i18n.h"

#ifdef SYS_semop
#define IF_SEMOP_NR(x) x
#else
#define IF_SEMOP_NR(x)
#endif

#if defined(__x86_64__)
#define TRACE_ARCH AUDIT_ARCH_X86_64
#endif

static const int traced_calls[] = {
    SYS_semget, SYS_semtimedop, SYS_semctl,  SYS_msgget,  SYS_msgsnd, SYS_msgrcv, SYS_msgctl,
    SYS_shmget, SYS_shmat,      SYS_shmdt,   SYS_shmctl,  SYS_wait4,  SYS_waitid, SYS_exit_group,
    SYS_pipe2,  SYS_socketpair, SYS_sendmsg, SYS_mknodat, SYS_openat,
#ifdef SYS_semop
    SYS_semop,
#endif
#ifdef SYS_pipe
    SYS_pipe,
#endif
#ifdef SYS_mknod
    SYS_mknod,
#endif
#ifdef SYS_open
    SYS_open,
#endif
};
#define NCALLS ((int)(sizeof traced_calls / sizeof traced_calls[0]))

bool trace_supported(char *why, size_t len)
{
#ifdef TRACE_ARCH
    (void)why;
    (void)len;
    return true;
#else
    snprintf(why, len, _("tracing is written for x86-64 only"));
    return false;
#endif
}

void trace_child_prepare(void)
{
#ifdef TRACE_ARCH
    struct sock_filter f[NCALLS + 5];
    int n = 0;
    f[n++] =
        (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch));
    f[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, TRACE_ARCH, 0, NCALLS + 1);
    f[n++] =
        (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr));
    for (int i = 0; i < NCALLS; i++)
        f[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (unsigned)traced_calls[i],
                                              (unsigned char)(NCALLS - i), 0);
    f[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
    f[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_TRACE);
    struct sock_fprog prog = {.len = (unsigned short)n, .filter = f};
    if (ptrace(PTRACE_TRACEME, 0, NULL, NULL) < 0 || raise(SIGSTOP) != 0 ||
        prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 ||
        (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_SPEC_ALLOW, &prog) < 0 &&
         prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog) < 0)) {
        dprintf(2, "ipcplay: cannot trace the program: %s\n", strerror(errno));
        _exit(127);
    }
#endif
}

static struct tracee *find(struct engine_tree *t, pid_t pid)
{
    for (int i = 0; i < t->ntracees; i++)
        if (t->tracees[i].pid == pid)
            return &t->tracees[i];
    return NULL;
}

static struct tracee *add(struct engine_tree *t, pid_t pid)
{
    struct tracee *tr = find(t, pid);
    if (tr || t->ntracees >= TREE_TRACK_MAX)
        return tr;
    tr = &t->tracees[t->ntracees++];
    memset(tr, 0, sizeof *tr);
    tr->pid = pid;
    tree_add_known(t, pid);
    return tr;
}

void trace_forget(struct engine_tree *t, pid_t pid)
{
    struct tracee *tr = find(t, pid);
    if (tr)
        *tr = t->tracees[--t->ntracees];
}

int trace_attach(pid_t pid)
{
    int status;
    pid_t w;
    do
        w = waitpid(pid, &status, __WALL);
    while (w < 0 && errno == EINTR);
    if (w != pid || !WIFSTOPPED(status)) {
        errno = ECHILD;
        return -1;
    }
    long opts = PTRACE_O_TRACESYSGOOD | PTRACE_O_TRACESECCOMP | PTRACE_O_TRACEFORK |
                PTRACE_O_TRACEVFORK | PTRACE_O_TRACECLONE | PTRACE_O_TRACEEXEC | PTRACE_O_EXITKILL;
    if (ptrace(PTRACE_SETOPTIONS, pid, NULL, (void *)opts) < 0)
        return -1;
    return (int)ptrace(PTRACE_CONT, pid, NULL, NULL);
}

static int peek(pid_t pid, uint64_t addr, void *buf, size_t len)
{
    struct iovec l = {buf, len}, r = {(void *)(uintptr_t)addr, len};
    return process_vm_readv(pid, &l, 1, &r, 1, 0) == (ssize_t)len ? 0 : -1;
}

static void peek_str(pid_t pid, uint64_t addr, char *buf, size_t len)
{
    buf[0] = '\0';
    struct iovec l = {buf, len - 1}, r = {(void *)(uintptr_t)addr, len - 1};
    ssize_t n = process_vm_readv(pid, &l, 1, &r, 1, 0);
    buf[n > 0 ? (size_t)n : 0] = '\0';
}

static void emit_call(struct engine *e, const struct trace_call *c)
{
    struct record r;
    record_init(&r, REC_TRACE_CALL, engine_now(e));
    r.u.trace_call = *c;
    engine_emit(e, &r);
}

/* At entry: the arguments the story needs, read from the tracee. */
static void read_entry(struct tracee *tr, const struct user_regs_struct *g)
{
    struct trace_call *c = &tr->call;
    memset(c, 0, sizeof *c);
    c->pid = tr->pid;
    c->nr = (int32_t)g->orig_rax;
    int64_t a[6] = {(int64_t)g->rdi, (int64_t)g->rsi, (int64_t)g->rdx,
                    (int64_t)g->r10, (int64_t)g->r8,  (int64_t)g->r9};
    memcpy(c->args, a, sizeof a);
    c->semval = -1;
    c->scm_fds = -1;
    if (c->nr == SYS_semtimedop IF_SEMOP_NR(|| c->nr == SYS_semop)) {
        c->nsops = (int32_t)a[2];
        struct sembuf sb[TRACE_SOPS];
        size_t n = (size_t)(a[2] > 0 && a[2] < TRACE_SOPS ? a[2] : TRACE_SOPS);
        if (peek(tr->pid, (uint64_t)a[1], sb, n * sizeof sb[0]) == 0)
            for (size_t i = 0; i < n; i++)
                c->sops[i] =
                    (struct trace_sop){(int16_t)sb[i].sem_num, sb[i].sem_op, sb[i].sem_flg};
        else
            c->nsops = -1;
        if (c->nsops > 0)
            c->semval = semctl((int)a[0], c->sops[0].num, GETVAL);
    } else if (c->nr == SYS_msgsnd) {
        long type = 0;
        if (peek(tr->pid, (uint64_t)a[1], &type, sizeof type) == 0)
            c->msgtyp = type;
    } else if (c->nr == SYS_mknodat || c->nr == SYS_openat) {
        peek_str(tr->pid, (uint64_t)a[1], c->path, sizeof c->path);
    }
}

/* Will this call sleep? Told before it does, with the number that says why. */
static bool will_block(const struct trace_call *c)
{
    if ((c->nr == SYS_semtimedop IF_SEMOP_NR(|| c->nr == SYS_semop)) && c->nsops > 0 &&
        c->semval >= 0 && !(c->sops[0].flg & IPC_NOWAIT))
        return c->sops[0].op < 0 ? c->semval + c->sops[0].op < 0
                                 : c->sops[0].op == 0 && c->semval != 0;
    struct msqid_ds ds;
    if (c->nr == SYS_msgrcv && !(c->args[4] & IPC_NOWAIT) &&
        msgctl((int)c->args[0], IPC_STAT, &ds) == 0)
        return ds.msg_qnum == 0;
    if (c->nr == SYS_msgsnd && !(c->args[3] & IPC_NOWAIT) &&
        msgctl((int)c->args[0], IPC_STAT, &ds) == 0)
        return ds.msg_cbytes + (unsigned long)c->args[2] > ds.msg_qbytes;
    return false;
}

/* May this tracee go through its call now? Takes a step token if so. */
static bool gate_lets(struct engine_tree *t, pid_t pid)
{
    if (t->gate == TREE_GATE_RUN)
        return true;
    if (t->gate == TREE_GATE_PAUSE || t->tokens <= 0 || (t->step_pid && t->step_pid != pid))
        return false;
    t->tokens--;
    return true;
}

static void go(struct engine *e, struct tracee *tr)
{
    tr->held = false;
    if (tr->call.nr == SYS_exit_group) {
        tr->call.phase = TRACE_EVENT;
        emit_call(e, &tr->call);
        ptrace(PTRACE_CONT, tr->pid, NULL, NULL);
        return;
    }
    tr->blocked = will_block(&tr->call);
    if (tr->blocked) {
        tr->call.phase = TRACE_BLOCKS;
        emit_call(e, &tr->call);
    }
    tr->in_call = true;
    ptrace(PTRACE_SYSCALL, tr->pid, NULL, NULL);
}

static void on_entry(struct engine *e, struct engine_tree *t, struct tracee *tr)
{
    struct user_regs_struct g;
    if (ptrace(PTRACE_GETREGS, tr->pid, NULL, &g) < 0) {
        ptrace(PTRACE_CONT, tr->pid, NULL, NULL);
        return;
    }
    read_entry(tr, &g);
    /* Calls told only when they turn out to matter (an open of a FIFO,
     * sendmsg passing fds) are never held: the loader opens files too. */
    bool quiet = tr->call.nr == SYS_openat || tr->call.nr == SYS_sendmsg ||
                 (tr->call.nr == SYS_mknodat && (tr->call.args[2] & S_IFMT) != S_IFIFO);
    if (!quiet && !gate_lets(t, tr->pid)) {
        tr->held = true;
        tr->call.phase = TRACE_HELD;
        emit_call(e, &tr->call);
        return;
    }
    go(e, tr);
}

/* Is fd of pid a FIFO (open of a FIFO is told; other opens are not)? */
static bool is_fifo(struct engine_tree *t, pid_t pid, int fd)
{
    char rel[48];
    struct stat st;
    snprintf(rel, sizeof rel, "%d/fd/%d", (int)pid, fd);
    return fstatat(t->procfd, rel, &st, 0) == 0 && S_ISFIFO(st.st_mode);
}

static int scm_rights(pid_t pid, uint64_t msg)
{
    struct msghdr h;
    unsigned char ctl[256];
    if (peek(pid, msg, &h, sizeof h) < 0 || !h.msg_control ||
        h.msg_controllen < sizeof(struct cmsghdr))
        return -1;
    size_t n = h.msg_controllen < sizeof ctl ? h.msg_controllen : sizeof ctl;
    if (peek(pid, (uint64_t)(uintptr_t)h.msg_control, ctl, n) < 0)
        return -1;
    const struct cmsghdr *cm = (const struct cmsghdr *)ctl;
    if (cm->cmsg_level != SOL_SOCKET || cm->cmsg_type != SCM_RIGHTS)
        return -1;
    return (int)((cm->cmsg_len - CMSG_LEN(0)) / sizeof(int));
}

static void on_exit_stop(struct engine *e, struct engine_tree *t, struct tracee *tr)
{
    struct user_regs_struct g;
    struct trace_call *c = &tr->call;
    tr->in_call = false;
    if (ptrace(PTRACE_GETREGS, tr->pid, NULL, &g) == 0) {
        c->ret = (int64_t)g.rax;
        if (c->ret < 0 && c->ret > -4096) {
            c->err = (int32_t)-c->ret;
            c->ret = -1;
        }
        bool tell = true;
        if (c->nr == SYS_openat)
            tell = c->ret >= 0 && is_fifo(t, tr->pid, (int)c->ret);
        else if (c->nr == SYS_mknodat)
            tell = (c->args[2] & S_IFMT) == S_IFIFO;
        else if (c->nr == SYS_sendmsg)
            tell = (c->scm_fds = scm_rights(tr->pid, (uint64_t)c->args[1])) > 0;
        else if ((c->nr == SYS_pipe2 || c->nr == SYS_socketpair) && c->ret == 0)
            peek(tr->pid, (uint64_t)c->args[c->nr == SYS_pipe2 ? 0 : 3], c->fds, sizeof c->fds);
        c->phase = TRACE_DONE;
        if (tell)
            emit_call(e, c);
    }
    ptrace(PTRACE_CONT, tr->pid, NULL, NULL);
}

static void on_event(struct engine *e, struct engine_tree *t, struct tracee *tr, int event)
{
    unsigned long msg = 0;
    ptrace(PTRACE_GETEVENTMSG, tr->pid, NULL, &msg);
    struct trace_call c = {.pid = tr->pid, .phase = TRACE_EVENT, .semval = -1, .scm_fds = -1};
    if (event == PTRACE_EVENT_EXEC) {
        c.nr = SYS_execve;
        char rel[32];
        snprintf(rel, sizeof rel, "%d/exe", (int)tr->pid);
        ssize_t n = readlinkat(t->procfd, rel, c.path, sizeof c.path - 1);
        c.path[n > 0 ? n : 0] = '\0';
    } else {
        c.nr = event == PTRACE_EVENT_CLONE   ? SYS_clone
               : event == PTRACE_EVENT_VFORK ? SYS_vfork
                                             : SYS_fork;
        c.ret = (int64_t)msg;
        add(t, (pid_t)msg);
    }
    emit_call(e, &c);
    ptrace(PTRACE_CONT, tr->pid, NULL, NULL);
}

int trace_on_status(struct engine *e, struct engine_tree *t, pid_t pid, int status)
{
    if (!WIFSTOPPED(status))
        return 0;
    bool fresh = !find(t, pid);
    struct tracee *tr = add(t, pid);
    int sig = WSTOPSIG(status), event = status >> 16;
    if (!tr) { /* beyond what we track: let it run */
        ptrace(PTRACE_CONT, pid, NULL, NULL);
        return 1;
    }
    if (sig != SIGSTOP)
        tr->started = true;
    if (sig == SIGTRAP && event == PTRACE_EVENT_SECCOMP)
        on_entry(e, t, tr);
    else if (sig == (SIGTRAP | 0x80))
        on_exit_stop(e, t, tr);
    else if (sig == SIGTRAP && event)
        on_event(e, t, tr, event);
    else if (sig == SIGSTOP && (fresh || !tr->started)) {
        tr->started = true; /* a new child's first stop */
        ptrace(PTRACE_CONT, pid, NULL, NULL);
    } else
        ptrace(PTRACE_CONT, pid, NULL, (void *)(long)sig); /* its own signal: deliver it */
    return 1;
}

void trace_release(struct engine *e, struct engine_tree *t)
{
    for (int i = 0; i < t->ntracees; i++) {
        struct tracee *tr = &t->tracees[i];
        if (tr->held && gate_lets(t, tr->pid))
            go(e, tr);
    }
}
