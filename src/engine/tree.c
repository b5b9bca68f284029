/* tree.c — see tree.h. Starting the program, its output, reaping, and the
 * end of it.
 *
 * Signalling only what is ours, as in supervisor.c: the program runs in a
 * process group led by an anchor of our own that does nothing; while the
 * anchor is unreaped the group's number is nobody else's, so kill(-anchor)
 * reaches only the tree, and the guardian does the same after a kill -9 of
 * the dashboard (REG_PGID). Beyond the group we signal only processes that
 * cannot be anyone else's yet: ones we trace (a tracee's pid is not reused
 * before its tracer has waited for it) and orphans adopted as subreaper
 * (our children, unreaped). watch --pid signals nothing. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "engine_internal.h"
#include "events.h"
#include "hookring.h"
#include "ops.h"
#include "procfs.h"
#include "registry.h"
#include "tree_internal.h"
#include "watch.h"
#include "../model/i18n.h"

struct engine_tree *tree_state(const struct engine *e)
{
    return e->tree;
}

bool engine_tree_active(const struct engine *e)
{
    return e->tree != NULL;
}

bool tree_known(const struct engine_tree *t, pid_t pid)
{
    for (int i = 0; i < t->nknown; i++)
        if (t->known[i] == pid)
            return true;
    return false;
}

void tree_add_known(struct engine_tree *t, pid_t pid)
{
    if (pid > 0 && !tree_known(t, pid) && t->nknown < TREE_TRACK_MAX)
        t->known[t->nknown++] = pid;
}

static void drop_known(struct engine_tree *t, pid_t pid)
{
    for (int i = 0; i < t->nknown; i++)
        if (t->known[i] == pid) {
            t->known[i] = t->known[--t->nknown];
            return;
        }
}

void tree_emit_exit(struct engine *e, pid_t pid, int status, int by)
{
    struct record r;
    record_init(&r, REC_TREE_EXIT, engine_now(e));
    r.u.tree_exit = (struct tree_exit){.pid = pid, .status = status, .by = by};
    engine_emit(e, &r);
}

int tree_check_program(const char *prog, char *path, size_t pathlen, char *err, size_t errlen)
{
    struct stat st;
    if (!prog || !*prog) {
        snprintf(err, errlen, _("watch --: no program given"));
        return -1;
    }
    if (strchr(prog, '/')) {
        snprintf(path, pathlen, "%s", prog);
    } else {
        const char *p = getenv("PATH");
        p = p && *p ? p : "/usr/local/bin:/usr/bin:/bin";
        path[0] = '\0';
        while (*p) {
            size_t n = strcspn(p, ":");
            snprintf(path, pathlen, "%.*s/%s", (int)n, p, prog);
            if (stat(path, &st) == 0 && S_ISREG(st.st_mode))
                break;
            path[0] = '\0';
            p += n + (p[n] == ':');
        }
        if (!path[0]) {
            snprintf(err, errlen, _("watch: no program '%s' in PATH"), prog);
            return -1;
        }
    }
    if (stat(path, &st) < 0) {
        snprintf(err, errlen, _("watch: cannot run '%s': %s"), prog, strerror(errno));
        return -1;
    }
    if (!S_ISREG(st.st_mode)) {
        snprintf(err, errlen, _("watch: '%s' is not a program (not a regular file)"), prog);
        return -1;
    }
    if (access(path, X_OK) < 0) {
        snprintf(err, errlen, _("watch: '%s' is not executable (mode %04o)"), prog,
                 (unsigned)(st.st_mode & 07777));
        return -1;
    }
    return 0;
}

static _Noreturn void anchor_main(pid_t parent)
{
    setpgid(0, 0);
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent)
        _exit(0);
    prctl(PR_SET_NAME, "ipcplay-tree");
    sigset_t all;
    sigfillset(&all);
    sigprocmask(SIG_SETMASK, &all, NULL);
    close_range(0, ~0u, 0);
    for (;;)
        pause();
}

static _Noreturn void root_main(pid_t parent, pid_t anchor, int outfd, int infd,
                                const struct engine_tree *t, const char *path, char *const *argv)
{
    setpgid(0, anchor);
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent)
        _exit(127);
    runner_reset_signals();
    int null = infd >= 0 ? infd : open("/dev/null", O_RDONLY);
    if (null >= 0 && null != 0) {
        dup2(null, 0);
        close(null);
    }
    dup2(outfd, 1);
    dup2(outfd, 2);
    if (t->traced && t->via == TREE_VIA_PRELOAD) {
        if (hook_child_fds(t) < 0) {
            dprintf(2, "ipcplay: cannot hand the program its trace rings: %s\n", strerror(errno));
            _exit(127);
        }
        close_range(3, HOOK_RING_FD - 1, 0);
        close_range(HOOK_WAKE_FD + 1, ~0u, 0);
        execve(path, argv, t->hook_env);
    } else {
        close_range(3, ~0u, 0);
        if (t->traced)
            trace_child_prepare();
        execv(path, argv);
    }
    dprintf(2, "ipcplay: cannot run %s: %s\n", path, strerror(errno));
    _exit(127);
}

static void say_start(struct engine *e, struct engine_tree *t, const struct tree_opts *o,
                      const char *note)
{
    struct record r;
    e->t0_ns = events_now_ns();
    record_init(&r, REC_RUN_START, 0);
    snprintf(r.u.run.scenario, sizeof r.u.run.scenario, "watch");
    struct tree_start ts = {.mode = t->mode, .root = t->root, .traced = t->traced};
    size_t off = 0;
    if (o->argv)
        for (int i = 0; o->argv[i] && off + 2 < sizeof ts.argv; i++)
            off += (size_t)snprintf(ts.argv + off, sizeof ts.argv - off, "%s%s", i ? " " : "",
                                    o->argv[i]);
    else
        snprintf(ts.argv, sizeof ts.argv, "--pid %d", (int)o->pid);
    ts.argv[sizeof ts.argv - 1] = '\0';
    snprintf(ts.note, sizeof ts.note, "%s", note);
    snprintf(r.u.run.params, sizeof r.u.run.params, "-- %s", ts.argv);
    r.u.run.live = 1;
    engine_emit(e, &r);
    record_init(&r, REC_TREE_START, engine_now(e));
    r.u.tree_start = ts;
    engine_emit(e, &r);
}

/* Fork the anchor and the program; 0 or -1 (nothing left running). */
static int spawn(struct engine *e, struct engine_tree *t, const struct tree_opts *o,
                 const char *path, char *err, size_t errlen)
{
    int pfd[2], ifd[2] = {-1, -1};
    if (pipe2(pfd, O_CLOEXEC) < 0) {
        snprintf(err, errlen, _("pipe: %s"), strerror(errno));
        return -1;
    }
    if (o->stdin_pipe && pipe2(ifd, O_CLOEXEC) < 0) {
        snprintf(err, errlen, "pipe: %s", strerror(errno));
        close(pfd[0]);
        close(pfd[1]);
        return -1;
    }
    pid_t a = fork();
    if (a == 0)
        anchor_main(e->self);
    if (a < 0 || (setpgid(a, a), registry_add(REG_PGID, a, NULL)) < 0) {
        snprintf(err, errlen, _("cannot start the tree's group: %s"),
                 a < 0 ? strerror(errno) : "too many objects");
        if (a > 0) {
            kill(a, SIGKILL);
            waitpid(a, NULL, 0);
        }
        close(pfd[0]);
        close(pfd[1]);
        if (ifd[0] >= 0) {
            close(ifd[0]);
            close(ifd[1]);
        }
        return -1;
    }
    t->anchor = a;
    pid_t pid = fork();
    if (pid == 0)
        root_main(e->self, a, pfd[1], ifd[0], t, path, o->argv);
    close(pfd[1]);
    if (ifd[0] >= 0)
        close(ifd[0]);
    t->infd = ifd[1];
    if (t->infd >= 0)
        fcntl(t->infd, F_SETFL, O_NONBLOCK);
    if (pid < 0) {
        snprintf(err, errlen, _("fork failed: %s"), strerror(errno));
        close(pfd[0]);
        return -1;
    }
    setpgid(pid, a);
    t->root = pid;
    tree_add_known(t, pid);
    t->outfd = pfd[0];
    fcntl(t->outfd, F_SETFL, O_NONBLOCK);
    if (t->traced && t->via == TREE_VIA_PTRACE && trace_attach(pid) < 0) {
        snprintf(err, errlen, _("cannot trace the program: %s"), strerror(errno));
        return -1;
    }
    return 0;
}

/* Preload when it can work (a dynamically linked program, the interposer
 * found next to ipcplay), ptrace otherwise; the header says which and why.
 * An explicit --trace=preload that cannot work is an error (in err). */
static bool choose_tracing(struct engine_tree *t, const struct tree_opts *o, const char *path,
                           char *note, size_t notelen, char *err, size_t errlen)
{
    char why[128] = "", lib[4096];
    bool can_ptrace = trace_supported(why, sizeof why);
    if (o->via != TREE_VIA_PTRACE) {
        bool fits = hook_program_fits(path, why, sizeof why);
        if (fits && hook_find_library(lib, sizeof lib) < 0) {
            fits = false;
            snprintf(why, sizeof why, "libipcplay-hook.so is not next to ipcplay");
        }
        if (fits && (hook_open(t) < 0 || !hook_environ(t, lib))) {
            fits = false;
            snprintf(why, sizeof why, "cannot make the trace rings: %s", strerror(errno));
            hook_close(t);
        }
        if (fits) {
            t->via = TREE_VIA_PRELOAD;
            snprintf(note, notelen, "traced via preload");
            return true;
        }
        if (o->via == TREE_VIA_PRELOAD) {
            snprintf(err, errlen, "watch --trace=preload: %s (--trace=ptrace works for it)", why);
            return false;
        }
    }
    if (!can_ptrace) {
        snprintf(note, notelen, "%s", why);
        return false;
    }
    t->via = TREE_VIA_PTRACE;
    snprintf(note, notelen, "traced via ptrace%s%s", o->via == TREE_VIA_PTRACE ? "" : ": ",
             o->via == TREE_VIA_PTRACE ? "" : why);
    return true;
}

int engine_watch_tree(struct engine *e, const struct tree_opts *o, char *err, size_t errlen)
{
    char path[4096], note[128] = "";
    if (o->argv && tree_check_program(o->argv[0], path, sizeof path, err, errlen) < 0)
        return -1;
    if (!o->argv && (o->pid <= 0 || kill(o->pid, 0) < 0) && errno != EPERM) {
        snprintf(err, errlen, _("watch --pid %d: no such process"), (int)o->pid);
        return -1;
    }
    struct engine_tree *t = calloc(1, sizeof *t);
    if (!t || (t->procfd = procfs_open_root(NULL)) < 0) {
        free(t);
        snprintf(err, errlen, _("cannot look at /proc"));
        return -1;
    }
    t->outfd = t->infd = -1;
    t->stdin_pipe = o->stdin_pipe && o->argv;
    t->hook_fd = t->hook_wake = t->hook_timer = t->hook_polled = -1;
    err[0] = '\0';
    t->mode = o->argv ? TREE_RUN : TREE_PID;
    e->tree = t;
    if (o->argv) {
        t->traced = o->trace && choose_tracing(t, o, path, note, sizeof note, err, errlen);
        if (o->trace && !t->traced && err[0]) {
            engine_tree_free(e);
            return -1;
        }
        snprintf(t->comm, sizeof t->comm, "%s",
                 strrchr(o->argv[0], '/') ? strrchr(o->argv[0], '/') + 1 : o->argv[0]);
        if (spawn(e, t, o, path, err, errlen) < 0) {
            engine_tree_stop(e);
            engine_tree_free(e);
            return -1;
        }
        if (!o->trace)
            snprintf(note, sizeof note, _("tracing is off"));
    } else {
        t->root = o->pid;
        tree_add_known(t, o->pid);
        snprintf(t->comm, sizeof t->comm, "%d", (int)o->pid);
        snprintf(note, sizeof note,
                 _("watch --pid attaches to nothing; calls are seen only asleep"));
    }
    say_start(e, t, o, note);
    struct sysipc_filter f = {.sort = SYS_SORT_ID};
    if (engine_watch_system(e, o->period_ms ? o->period_ms : 250, &f, err, errlen) < 0) {
        engine_tree_stop(e);
        engine_tree_free(e);
        return -1;
    }
    return 0;
}

/* The program's output, one story line per line (kind 1: output). */
static void out_line(struct engine *e, struct engine_tree *t, const char *s, size_t n)
{
    char who[32];
    snprintf(who, sizeof who, "%.15s", t->comm);
    engine_say(e, 1, who, "output", "%.*s", (int)(n > 120 ? 120 : n), s);
}

int engine_tree_output(struct engine *e)
{
    struct engine_tree *t = e->tree;
    if (!t || t->outfd < 0)
        return 0;
    for (int rounds = 0; rounds < 16; rounds++) {
        ssize_t n = read(t->outfd, t->outbuf + t->outlen, sizeof t->outbuf - 1 - t->outlen);
        if (n < 0 && (errno == EAGAIN || errno == EINTR))
            break;
        if (n <= 0) { /* every writer closed it */
            if (t->outlen)
                out_line(e, t, t->outbuf, t->outlen);
            t->outlen = 0;
            close(t->outfd);
            t->outfd = -1;
            break;
        }
        t->outlen += (size_t)n;
        char *nl;
        while ((nl = memchr(t->outbuf, '\n', t->outlen))) {
            size_t len = (size_t)(nl - t->outbuf);
            out_line(e, t, t->outbuf, len);
            memmove(t->outbuf, nl + 1, t->outlen - len - 1);
            t->outlen -= len + 1;
        }
        if (t->outlen == sizeof t->outbuf - 1) { /* a line too long: tell it in parts */
            out_line(e, t, t->outbuf, t->outlen);
            t->outlen = 0;
        }
    }
    return ENGINE_CHANGED;
}

int engine_tree_pollfd(const struct engine *e)
{
    return e->tree ? e->tree->outfd : -1;
}

int engine_tree_hookfd(struct engine *e)
{
    if (!e->tree || !e->tree->hook)
        return -1;
    hook_arm(e->tree);
    return e->tree->hook_polled;
}

int engine_tree_wakefd(const struct engine *e)
{
    return e->tree ? hook_pollfd(e->tree) : -1;
}

int engine_tree_calls(struct engine *e)
{
    return hook_drain(e, e->tree);
}

/* Forget the group before its anchor is reaped (see the top of this file). */
static void release_anchor(struct engine_tree *t, bool kill_group)
{
    if (t->anchor <= 0)
        return;
    if (kill_group)
        kill(-t->anchor, SIGKILL);
    registry_forget(REG_PGID, t->anchor, NULL);
    pid_t w;
    do
        w = waitpid(t->anchor, NULL, 0);
    while (w < 0 && errno == EINTR);
    t->anchor = 0;
}

int engine_tree_sigchld(struct engine *e)
{
    struct engine_tree *t = e->tree;
    if (!t || t->mode != TREE_RUN)
        return 0;
    siginfo_t si = {0};
    if (t->anchor > 0 && waitid(P_PID, (id_t)t->anchor, &si, WEXITED | WNOHANG | WNOWAIT) == 0 &&
        si.si_pid == t->anchor)
        release_anchor(t, false);
    /* The calls a process wrote before it exited come before its exit. */
    int flags = hook_drain(e, t), status;
    pid_t pid;
    while ((pid = waitpid(-1, &status, WNOHANG | __WALL)) > 0) {
        flags |= ENGINE_CHANGED;
        if (t->traced && t->via == TREE_VIA_PTRACE && trace_on_status(e, t, pid, status))
            continue;
        if (!WIFEXITED(status) && !WIFSIGNALED(status))
            continue;
        trace_forget(t, pid);
        /* Ours to reap (reaped just now): the root and adopted orphans. A
         * traced process of another parent is only reported to its tracer;
         * its parent reaps it, and the next sample sees it gone. */
        bool ours = pid == t->root;
        int fd = procfs_open(t->procfd, pid, "stat");
        if (fd >= 0) /* still there: a zombie for its own parent */
            close(fd);
        else
            ours = true;
        if (ours) {
            tree_emit_exit(e, pid, status, 0);
            drop_known(t, pid);
        }
        if (pid == t->root)
            t->root_reaped = true;
    }
    return flags;
}

void engine_tree_sample(struct engine *e)
{
    struct engine_tree *t = e->tree;
    if (t)
        tree_procs_sample(e, t);
}

bool engine_tree_done(const struct engine *e)
{
    const struct engine_tree *t = e->tree;
    if (!t)
        return true;
    if (t->mode == TREE_RUN && !t->root_reaped)
        return false;
    return tree_alive(&e->m->tree) == 0 && t->nknown == 0;
}

bool engine_tree_stalled(const struct engine *e)
{
    return e->tree && e->m->tree.stall[0];
}

void engine_tree_stop(struct engine *e)
{
    struct engine_tree *t = e->tree;
    if (!t || t->mode != TREE_RUN)
        return;
    if (t->anchor > 0)
        kill(-t->anchor, SIGKILL);
    for (int i = 0; i < t->ntracees; i++) /* traced: still ours (see above) */
        kill(t->tracees[i].pid, SIGKILL);
    for (int i = 0; i < t->nknown; i++) { /* adopted orphans: our unreaped children */
        siginfo_t si = {0};
        if (waitid(P_PID, (id_t)t->known[i], &si, WEXITED | WNOHANG | WNOWAIT) == 0)
            kill(t->known[i], SIGKILL);
    }
    release_anchor(t, true);
    struct timespec nap = {0, 2 * 1000 * 1000};
    for (int tries = 0; tries < 1500; tries++) { /* at most ~3 s */
        int status;
        pid_t pid = waitpid(-1, &status, WNOHANG | __WALL);
        if (pid < 0 && errno == ECHILD)
            break;
        if (pid > 0) {
            if (WIFSTOPPED(status)) { /* a tracee stopping on its way out */
                kill(pid, SIGKILL);
                continue;
            }
            tree_emit_exit(e, pid, status, 0);
            continue;
        }
        nanosleep(&nap, NULL);
    }
    t->ntracees = 0;
    t->nknown = 0;
    t->root_reaped = true;
}

void engine_tree_free(struct engine *e)
{
    struct engine_tree *t = e->tree;
    if (!t)
        return;
    engine_tree_stop(e);
    if (t->outfd >= 0)
        close(t->outfd);
    if (t->infd >= 0)
        close(t->infd);
    if (t->procfd >= 0)
        close(t->procfd);
    hook_close(t);
    free(t);
    e->tree = NULL;
}

int engine_tree_gate(struct engine *e, int mode, int n, pid_t pid, char *err, size_t errlen)
{
    struct engine_tree *t = e->tree;
    if (!t || !t->traced) {
        snprintf(err, errlen, _("the watched tree is not traced: pause and step need its calls"));
        return -1;
    }
    if (pid > 0 && !tree_known(t, pid)) {
        snprintf(err, errlen, _("%d is not a process of the watched tree"), (int)pid);
        return -1;
    }
    t->gate = mode;
    t->tokens = mode == TREE_GATE_STEP ? (n > 0 ? n : 1) : 0;
    t->step_pid = pid;
    if (mode == TREE_GATE_PAUSE)
        engine_say(e, 1, "ipcplay", "pause", _("the tree stops at its next traced call"));
    else if (mode == TREE_GATE_STEP && pid)
        engine_say(e, 1, "ipcplay", "step", _("one call of %d goes through"), (int)pid);
    else if (mode == TREE_GATE_STEP)
        engine_say(e, 1, "ipcplay", "step", _("%d traced calls go through"), t->tokens);
    else
        engine_say(e, 1, "ipcplay", "resume", _("the tree's calls go on"));
    if (t->via == TREE_VIA_PRELOAD)
        hook_gate(t);
    else
        trace_release(e, t);
    return 0;
}

int engine_tree_input(struct engine *e, const char *text, bool eof, char *err, size_t errlen)
{
    struct engine_tree *t = e->tree;
    if (!t || t->mode != TREE_RUN) {
        snprintf(err, errlen, "input goes to a program ipcplay runs (watch --stdin -- PROGRAM)");
        return -1;
    }
    if (!t->stdin_pipe) {
        snprintf(err, errlen,
                 "the program's stdin is /dev/null; start it with watch --stdin -- PROGRAM to type "
                 "to it");
        return -1;
    }
    if (t->infd < 0) {
        snprintf(err, errlen, "the program's stdin is closed already (input --eof)");
        return -1;
    }
    if (eof) {
        close(t->infd);
        t->infd = -1;
        engine_say(e, 1, "ipcplay", "input", "stdin closed: the program reads end of file");
        return 0;
    }
    size_t n = strlen(text);
    char *line = malloc(n + 1);
    if (!line) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    memcpy(line, text, n);
    line[n] = '\n';
    ssize_t w = write(t->infd, line, n + 1);
    free(line);
    if (w == (ssize_t)(n + 1)) {
        engine_say(e, 1, "ipcplay", "input", "%.200s", text);
        return 0;
    }
    if (w < 0 && errno == EPIPE)
        snprintf(err, errlen, "the program closed its stdin; nothing was sent");
    else if (w < 0 && errno == EAGAIN)
        snprintf(err, errlen, "the program's stdin is full (it reads nothing); nothing was sent");
    else if (w >= 0)
        snprintf(err, errlen, "only %zd of %zu bytes went in (the pipe is full)", w, n + 1);
    else
        snprintf(err, errlen, "cannot write to the program's stdin: %s", strerror(errno));
    return -1;
}

/* kill PID of the tree: only a process that is provably the tree's now. A
 * pidfd is taken first, then the process is checked: traced by us, or in
 * the group our unreaped anchor holds. The pidfd names that very process,
 * so the signal cannot reach a pid reused in between. */
int engine_tree_kill(struct engine *e, pid_t pid, int sig)
{
    struct engine_tree *t = e->tree;
    if (!t || t->mode != TREE_RUN || pid <= 1 || pid == t->anchor || !tree_known(t, pid)) {
        errno = ESRCH;
        return -1;
    }
    int pfd = (int)syscall(SYS_pidfd_open, pid, 0);
    if (pfd < 0)
        return -1;
    bool ours = false;
    for (int i = 0; i < t->ntracees && !ours; i++)
        ours = t->tracees[i].pid == pid;
    if (!ours && t->anchor > 0)
        ours = getpgid(pid) == t->anchor;
    int rc = -1;
    if (ours)
        rc = (int)syscall(SYS_pidfd_send_signal, pfd, sig, NULL, 0);
    else
        errno = ESRCH;
    close(pfd);
    return rc;
}
