/* model_proc.c — the model's side of processes, pipes and fd passing: what
 * the fork, exec, wait, pipe, socket and fd-passing ops mean in plain words
 * (story lines), the facts judges read (streams, file chunks, named facts),
 * and the extra kernel facts on a process's state line (PPID, comm/exe, fd
 * table). Pure like model.c: no I/O, no syscalls. The event fields each op
 * fills are documented in engine/ops_proc.c. */
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>

#include "model.h"
#include "signames.h"

/* ---- facts ------------------------------------------------------------- */

static struct model_fact *fact_find(const struct model *m, const char *key)
{
    for (int i = 0; i < m->nfacts; i++)
        if (strcmp(m->facts[i].key, key) == 0)
            return (struct model_fact *)&m->facts[i];
    return NULL;
}

void model_fact_set(struct model *m, const char *key, long long v)
{
    struct model_fact *f = fact_find(m, key);
    if (!f) {
        if (m->nfacts >= MODEL_MAX_FACTS)
            return;
        f = &m->facts[m->nfacts++];
        snprintf(f->key, sizeof f->key, "%s", key);
    }
    f->v = v;
}

void model_fact_add(struct model *m, const char *key, long long d)
{
    model_fact_set(m, key, model_fact(m, key, 0) + d);
}

long long model_fact(const struct model *m, const char *key, long long dflt)
{
    const struct model_fact *f = fact_find(m, key);
    return f ? f->v : dflt;
}

bool model_has_fact(const struct model *m, const char *key)
{
    return fact_find(m, key) != NULL;
}

/* ---- fd tables ----------------------------------------------------------- */

const struct model_fdtable *model_fdtable_find(const struct model *m, pid_t pid)
{
    for (int i = 0; i < m->nfdtables; i++)
        if (m->fdtables[i].pid == pid)
            return &m->fdtables[i];
    return NULL;
}

struct model_fdtable *model_fdtable(struct model *m, pid_t pid, bool create)
{
    struct model_fdtable *t = (struct model_fdtable *)model_fdtable_find(m, pid);
    if (t || !create)
        return t;
    if (m->nfdtables >= MODEL_MAX_FDTABLES) {
        /* Reuse the table of a process that is gone. */
        for (int i = 0; i < m->nfdtables; i++) {
            int pi = model_find_proc(m, m->fdtables[i].pid);
            if (pi < 0 || m->procs[pi].exited) {
                t = &m->fdtables[i];
                break;
            }
        }
        if (!t)
            return NULL;
    } else {
        t = &m->fdtables[m->nfdtables++];
    }
    memset(t, 0, sizeof *t);
    t->pid = pid;
    return t;
}

const char *model_file_name(const struct model *m, int obj)
{
    return obj >= 0 && obj < m->nfiles ? m->files[obj] : "?";
}

/* ---- describing ops --------------------------------------------------- */

bool model_proc_describe(const struct event *ev, char *buf, size_t len)
{
    switch (ev->op) {
    case OP_FORK: snprintf(buf, len, "fork()"); return true;
    case OP_EXEC: snprintf(buf, len, "execve(fdreport)"); return true;
    case OP_FDREPORT: snprintf(buf, len, "fdreport"); return true;
    case OP_WAIT:
        if (ev->arg0 == 1)
            snprintf(buf, len, "waitpid(pid %lld)", (long long)ev->value2);
        else
            snprintf(buf, len, "wait()");
        return true;
    case OP_SIGCHLD_INSTALL: snprintf(buf, len, "sigaction(SIGCHLD)"); return true;
    case OP_SIGCHLD_AWAIT: snprintf(buf, len, "sigsuspend"); return true;
    case OP_REAPED: snprintf(buf, len, "SIGCHLD handler"); return true;
    case OP_ORPHANED: snprintf(buf, len, "getppid()"); return true;
    case OP_HOLD:
        snprintf(buf, len, "%s", ev->arg0 == SEEN_ZOMBIE ? "busy, not waiting" : "hold");
        return true;
    case OP_OPEN: snprintf(buf, len, "open"); return true;
    case OP_CLOSE: snprintf(buf, len, "close(fd %d)", ev->arg0); return true;
    case OP_PIPE: snprintf(buf, len, "pipe()"); return true;
    case OP_SOCKETPAIR: snprintf(buf, len, "socketpair()"); return true;
    case OP_MKFIFO: snprintf(buf, len, "mkfifo"); return true;
    case OP_READ: snprintf(buf, len, "read(fd %d)", ev->arg0); return true;
    case OP_WRITE: snprintf(buf, len, "write(fd %d)", ev->arg0); return true;
    case OP_SHUTDOWN: snprintf(buf, len, "shutdown(fd %d)", ev->arg0); return true;
    case OP_LISTEN: snprintf(buf, len, "bind+listen"); return true;
    case OP_ACCEPT: snprintf(buf, len, "accept(fd %d)", ev->arg0); return true;
    case OP_CONNECT: snprintf(buf, len, "connect"); return true;
    case OP_SENDFD: snprintf(buf, len, "sendmsg(fd %d)", ev->arg0); return true;
    case OP_RECVFD: snprintf(buf, len, "recvmsg(fd %d)", ev->arg0); return true;
    case OP_COW_INIT: snprintf(buf, len, "mmap page"); return true;
    case OP_COW_WRITE: snprintf(buf, len, "write page"); return true;
    case OP_COW_CHECK: snprintf(buf, len, "read page"); return true;
    case OP_RECORD: snprintf(buf, len, "write(fd %d)", ev->arg0); return true;
    case OP_FILE_CHECK: snprintf(buf, len, "pread(fd %d)", ev->arg0); return true;
    case OP_SIGIGN: snprintf(buf, len, "signal(SIG_IGN)"); return true;
    default: return false;
    }
}

/* ---- story ------------------------------------------------------------- */

static const char *err_name(int err)
{
    const char *n = strerrorname_np(err);
    return n ? n : "error";
}

static void status_text(int status, char *buf, size_t len)
{
    if (WIFEXITED(status))
        snprintf(buf, len, "exit status %d", WEXITSTATUS(status));
    else if (WIFSIGNALED(status))
        snprintf(buf, len, "killed by %s", signame(WTERMSIG(status)).s);
    else
        snprintf(buf, len, "status 0x%x", status);
}

static const char *proc_name(const struct model *m, pid_t pid, char *buf, size_t len)
{
    int i = model_find_proc(m, pid);
    if (i >= 0)
        model_proc_label(&m->procs[i], buf, len);
    else
        snprintf(buf, len, "pid %d", (int)pid);
    return buf;
}

/* A child was reaped by a process's wait()/waitpid()/handler. */
static void note_reaped(struct model *m, const struct event *ev, pid_t pid, int status)
{
    int qi = model_find_proc(m, pid);
    if (qi < 0)
        return;
    struct model_proc *q = &m->procs[qi];
    q->exited = true;
    q->wait_status = status;
    q->state = 'x';
    q->reaped_by = ev->pid;
    q->kernel.text[0] = '\0';
    q->kernel.semid = -1;
    snprintf(q->doing, sizeof q->doing, "gone");
    m->gen_procs++;
}

static struct model_stream *stream(struct model *m, int obj)
{
    if (obj < 0 || obj >= MODEL_MAX_STREAMS)
        return NULL;
    m->streams[obj].used = true;
    return &m->streams[obj];
}

/* Story details are one short line; a long one is cut, never overflows. */
static void say(struct model_line *l, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void say(struct model_line *l, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(l->detail, sizeof l->detail, fmt, ap);
    va_end(ap);
}

#define SAY(...) say(l, __VA_ARGS__)

/* A read of a file with known content. One that continues the last record
 * (same process, same outcome, starting where it ended, no close since)
 * extends it: a reader going through a big file in small chunks takes one
 * record, not thousands. */
static void chunk_add(struct model *m, pid_t pid, long long off, int n, bool ok)
{
    if (m->nchunks > 0 && m->nchunks > m->chunk_seal) {
        struct model_chunk *last = &m->chunks[m->nchunks - 1];
        if (last->pid == pid && last->ok == ok && last->off + last->n == off) {
            last->n += n;
            last->reads++;
            return;
        }
    }
    if (m->nchunks < MODEL_MAX_CHUNKS)
        m->chunks[m->nchunks++] = (struct model_chunk){pid, off, n, ok, 1};
    else
        m->chunks_lost++;
}

struct model_line *model_proc_story(struct model *m, const struct event *ev, int pi)
{
    struct model_proc *p = pi >= 0 ? &m->procs[pi] : NULL;
    bool end = ev->phase == PH_END;
    struct model_line *l = NULL;
    char nm[48];
    switch (ev->op) {
    case OP_FORK:
        if (!end)
            break;
        l = model_new_line(m, ev->t_ns, pi, 0);
        if (ev->result > 0) {
            /* The parent's side: make sure the child is in the model. */
            char name[32];
            snprintf(name, sizeof name, "%s-%lld", model_role_name(m, ev->arg0),
                     (long long)ev->value);
            int ci = model_add_proc(m, ev->result, ev->pid, ev->arg0, (int)ev->value, name);
            if (ci >= 0) {
                m->procs[ci].forked = true;
                m->procs[ci].parent0 = ev->pid;
            }
            model_fact_add(m, "fork.parent_saw_pid", 1);
            SAY("fork() returned %d in the parent: the pid of its new child %s", ev->result,
                ci >= 0 ? m->procs[ci].name : "?");
        } else if (ev->result == 0) {
            if (p) {
                p->forked = true;
                if (!p->parent0)
                    p->parent0 = (pid_t)ev->value;
            }
            model_fact_add(m, "fork.child_saw_0", 1);
            bool ok = p && (pid_t)ev->value == p->parent0;
            if (ok)
                model_fact_add(m, "fork.ppid_ok", 1);
            SAY("fork() returned 0 in the child; getppid() = %lld %s", (long long)ev->value,
                ok ? "(the parent)" : "(not the parent that forked it!)");
        } else {
            SAY("fork() failed: %s", err_name(ev->err));
        }
        break;
    case OP_EXEC:
        l = model_new_line(m, ev->t_ns, pi, 0);
        if (!end) {
            SAY("execve(%s): the program is replaced, the pid stays; fds without FD_CLOEXEC "
                "stay open",
                model_file_name(m, ev->obj));
        } else if (ev->result == 0) {
            model_fact_set(m, "exec.done", ev->pid);
            SAY("now runs fdreport in the same process (pid %d): the op runner is gone",
                (int)ev->pid);
        } else {
            SAY("execve failed: %s", err_name(ev->err));
        }
        break;
    case OP_FDREPORT:
        l = model_new_line(m, ev->t_ns, pi, 0);
        if (ev->arg0 >= 0) {
            if (ev->arg0 < 62)
                model_fact_set(m, "exec.fdmask",
                               model_fact(m, "exec.fdmask", 0) | (1ll << ev->arg0));
            SAY("fd %d is still open after exec (inode %lld, offset %lld)", ev->arg0,
                (long long)ev->value, (long long)ev->value2);
        } else {
            model_fact_set(m, "exec.reported", 1);
            SAY("reports %lld fd(s) open besides 0-3 (stdio on /dev/null, ipcplay's pipe)",
                (long long)ev->value);
        }
        break;
    case OP_WAIT:
        if (!end)
            break;
        l = model_new_line(m, ev->t_ns, pi, 0);
        if (ev->result > 0) {
            int qi = model_find_proc(m, ev->result);
            double z = -1;
            if (qi >= 0 && m->procs[qi].exit_ns && ev->t_ns > m->procs[qi].exit_ns)
                z = (double)(ev->t_ns - m->procs[qi].exit_ns) / 1e9;
            note_reaped(m, ev, ev->result, (int)ev->value);
            model_fact_add(m, "wait.reaped", 1);
            char st[40];
            status_text((int)ev->value, st, sizeof st);
            if (z >= 0)
                SAY("-> reaped %s, %s; it was a zombie for %.3f s",
                    proc_name(m, ev->result, nm, sizeof nm), st, z);
            else
                SAY("-> reaped %s, %s", proc_name(m, ev->result, nm, sizeof nm), st);
        } else {
            SAY("-> failed: %s", err_name(ev->err));
        }
        break;
    case OP_REAPED: {
        l = model_new_line(m, ev->t_ns, pi, 0);
        note_reaped(m, ev, ev->result, (int)ev->value);
        model_fact_add(m, "wait.reaped", 1);
        if (ev->arg1 > model_fact(m, "sigchld.max_batch", 0))
            model_fact_set(m, "sigchld.max_batch", ev->arg1);
        char st[40];
        status_text((int)ev->value, st, sizeof st);
        SAY("handler call %d: waitpid(-1, WNOHANG) reaped %s, %s (%d in this call)", ev->arg0,
            proc_name(m, ev->result, nm, sizeof nm), st, ev->arg1);
        break;
    }
    case OP_SIGCHLD_INSTALL:
        if (!end)
            break;
        l = model_new_line(m, ev->t_ns, pi, 0);
        SAY("sigaction(SIGCHLD, handler): the handler calls waitpid(-1, WNOHANG) %s; SIGCHLD "
            "blocked for now",
            (ev->flags & OPF_LOOP) ? "in a loop" : "ONCE");
        break;
    case OP_SIGCHLD_AWAIT:
        l = model_new_line(m, ev->t_ns, pi, 0);
        if (!end) {
            SAY("sigsuspend(): lets SIGCHLD in; signals do not queue, one may stand for "
                "several exits");
        } else {
            model_fact_set(m, "sigchld.left", ev->value);
            model_fact_set(m, "sigchld.calls", ev->value2);
            if (ev->value > 0)
                SAY("%lld child(ren) left as zombies: no SIGCHLD is pending, none will "
                    "come; the handler called waitpid only once per signal",
                    (long long)ev->value);
            else
                SAY("every child reaped by the handler (%lld handler call(s))",
                    (long long)ev->value2);
        }
        break;
    case OP_ORPHANED:
        if (!end)
            break;
        l = model_new_line(m, ev->t_ns, pi, 0);
        if (ev->result == 0) {
            if (p) {
                p->adopted = true;
                p->ppid = (pid_t)ev->value2;
            }
            model_fact_add(m, "orphan.adopted", 1);
            if (m->nprocs > 0 && m->procs[0].role < 0 && ev->value2 == m->procs[0].pid)
                model_fact_add(m, "orphan.by_ipcplay", 1);
            SAY("its parent (pid %lld) exited: the kernel gave it a new parent, %s "
                "(the child subreaper): getppid() %lld -> %lld",
                (long long)ev->value, proc_name(m, (pid_t)ev->value2, nm, sizeof nm),
                (long long)ev->value, (long long)ev->value2);
        } else {
            SAY("its parent did not exit in time");
        }
        break;
    case OP_HOLD:
        if (end && ev->value2 == 1) {
            l = model_new_line(m, ev->t_ns, pi, 0);
            SAY("ipcplay did not see it within 10 s; carrying on");
        }
        break;
    case OP_OPEN: {
        if (!end)
            break;
        l = model_new_line(m, ev->t_ns, pi, 0);
        if (ev->result < 0) {
            SAY("open(%s) failed: %s", model_file_name(m, ev->obj), err_name(ev->err));
            break;
        }
        int n = (int)model_fact(m, "open.count", 0) + 1;
        model_fact_set(m, "open.count", n);
        char key[28];
        snprintf(key, sizeof key, "open.%d.fd", n % 1000);
        model_fact_set(m, key, ev->result);
        snprintf(key, sizeof key, "open.%d.ino", n % 1000);
        model_fact_set(m, key, ev->value);
        static const char *const acc[] = {"O_RDONLY", "O_WRONLY", "O_RDWR"};
        SAY("open(%s, %s%s) -> fd %d (inode %lld): a new open file description",
            model_file_name(m, ev->obj), acc[ev->arg1 >= 0 && ev->arg1 <= 2 ? ev->arg1 : 0],
            (ev->flags & OPF_CLOEXEC) ? "|O_CLOEXEC" : "", ev->result, (long long)ev->value);
        break;
    }
    case OP_CLOSE:
        if (!end)
            break;
        l = model_new_line(m, ev->t_ns, pi, 0);
        if (ev->result == 0) {
            /* Where in the read history it closed (fdpass: who read after). */
            char key[28];
            snprintf(key, sizeof key, "close.%d.%d", (int)ev->pid % 10000000, ev->arg0 % 1000);
            model_fact_set(m, key, m->nchunks);
            m->chunk_seal = m->nchunks; /* reads after it start a new record */
        }
        if (ev->result == 0)
            SAY("close(fd %d)", ev->arg0);
        else
            SAY("close(fd %d) failed: %s", ev->arg0, err_name(ev->err));
        break;
    case OP_PIPE:
    case OP_SOCKETPAIR:
        if (!end)
            break;
        l = model_new_line(m, ev->t_ns, pi, 0);
        if (ev->result < 0)
            SAY("%s failed: %s", op_name(ev->op), err_name(ev->err));
        else if (ev->op == OP_PIPE)
            SAY("pipe() -> fd %d (read end) and fd %d (write end), one pipe, inode %lld", ev->arg0,
                ev->arg1, (long long)ev->value);
        else
            SAY("socketpair(AF_UNIX) -> fd %d and fd %d: two connected sockets, each end "
                "reads and writes",
                ev->arg0, ev->arg1);
        break;
    case OP_MKFIFO:
        if (!end)
            break;
        l = model_new_line(m, ev->t_ns, pi, 0);
        if (ev->result == 0)
            SAY("mkfifo(%s, 0600): a pipe with a name; unrelated processes open it by path",
                model_file_name(m, ev->obj));
        else
            SAY("mkfifo(%s) failed: %s", model_file_name(m, ev->obj), err_name(ev->err));
        break;
    case OP_READ: {
        if (!end)
            break;
        bool pat = ev->flags & OPF_PATTERN;
        if (pat && ev->result > 0)
            chunk_add(m, ev->pid, ev->arg1, ev->result, ev->value2 == 0);
        struct model_stream *s = pat ? NULL : stream(m, ev->obj);
        if (s) {
            s->reader = ev->pid;
            if (ev->result >= 0) {
                s->read = ev->value;
                s->rsum = ev->value2;
            }
            if (ev->result == 0)
                s->eof = true;
            if (ev->result < 0)
                s->rerr = ev->err;
        }
        l = model_new_line(m, ev->t_ns, pi, 0);
        if (ev->obj < 0 && !pat && ev->result > 0)
            SAY("read(fd %d) -> 1 byte: its turn", ev->arg0);
        else if (ev->result > 0 && pat)
            SAY("read(fd %d) -> %d bytes at offset %d%s", ev->arg0, ev->result, ev->arg1,
                ev->value2 == 0 ? ", the file's own bytes" : ": WRONG bytes");
        else if (ev->result > 0)
            SAY("read(fd %d) -> %d bytes (%lld so far)", ev->arg0, ev->result,
                (long long)ev->value);
        else if (ev->result == 0)
            SAY("read(fd %d) -> 0: end of file%s", ev->arg0,
                pat ? "" : ": every write end is closed");
        else if (ev->err == ETIMEDOUT)
            SAY("no EOF after all %lld bytes: some write end is still open (maybe its own)",
                (long long)ev->value);
        else
            SAY("read(fd %d) failed: %s", ev->arg0, err_name(ev->err));
        break;
    }
    case OP_WRITE: {
        if (!end)
            break;
        struct model_stream *s = stream(m, ev->obj);
        if (s) {
            s->writer = ev->pid;
            if (ev->result > 0) {
                s->written = ev->value;
                s->wsum = ev->value2;
            } else if (ev->result < 0) {
                s->werr = ev->err;
            }
        }
        l = model_new_line(m, ev->t_ns, pi, 0);
        if (ev->obj < 0 && ev->result > 0)
            SAY("write(fd %d) -> 1 byte: passes the turn", ev->arg0);
        else if (ev->result >= 0)
            SAY("write(fd %d) -> %d bytes (%lld so far)", ev->arg0, ev->result,
                (long long)ev->value);
        else if (ev->err == EPIPE)
            SAY("write(fd %d) -> EPIPE: nobody has the read end open any more (SIGPIPE is "
                "ignored, so the call fails instead of killing)",
                ev->arg0);
        else
            SAY("write(fd %d) failed: %s", ev->arg0, err_name(ev->err));
        break;
    }
    case OP_SHUTDOWN:
        if (!end)
            break;
        l = model_new_line(m, ev->t_ns, pi, 0);
        SAY("shutdown(fd %d, SHUT_WR): the peer will read EOF; this end can still read", ev->arg0);
        break;
    case OP_LISTEN:
        if (!end)
            break;
        l = model_new_line(m, ev->t_ns, pi, 0);
        if (ev->result >= 0)
            SAY("socket(AF_UNIX) + bind(%s) + listen -> fd %d; the socket file now exists "
                "(mode 0600)",
                model_file_name(m, ev->obj), ev->result);
        else
            SAY("listen on %s failed: %s", model_file_name(m, ev->obj), err_name(ev->err));
        break;
    case OP_ACCEPT:
        if (!end)
            break;
        l = model_new_line(m, ev->t_ns, pi, 0);
        if (ev->result >= 0)
            SAY("accept(fd %d) -> fd %d: connected", ev->arg0, ev->result);
        else
            SAY("accept(fd %d) failed: %s", ev->arg0, err_name(ev->err));
        break;
    case OP_CONNECT:
        if (!end)
            break;
        l = model_new_line(m, ev->t_ns, pi, 0);
        if (ev->result >= 0)
            SAY("connect(%s) -> fd %d", model_file_name(m, ev->obj), ev->result);
        else
            SAY("connect(%s) failed: %s", model_file_name(m, ev->obj), err_name(ev->err));
        break;
    case OP_SENDFD:
        if (!end)
            break;
        l = model_new_line(m, ev->t_ns, pi, 0);
        if (ev->result < 0) {
            SAY("sendmsg failed: %s", err_name(ev->err));
            break;
        }
        model_fact_set(m, "fdpass.sent_fd", ev->arg1);
        model_fact_set(m, "fdpass.sent_ino", ev->value);
        model_fact_set(m, "fdpass.sent_dev", ev->value2);
        model_fact_set(m, "fdpass.sender", ev->pid);
        SAY("sendmsg(fd %d, SCM_RIGHTS [fd %d]): the open file (inode %lld) is now in flight, "
            "held by the kernel",
            ev->arg0, ev->arg1, (long long)ev->value);
        break;
    case OP_RECVFD:
        if (!end)
            break;
        l = model_new_line(m, ev->t_ns, pi, 0);
        if (ev->result < 0) {
            SAY("recvmsg failed: %s", err_name(ev->err));
            break;
        }
        model_fact_set(m, "fdpass.recv_fd", ev->result);
        model_fact_set(m, "fdpass.recv_ino", ev->value);
        model_fact_set(m, "fdpass.recv_dev", ev->value2);
        model_fact_set(m, "fdpass.receiver", ev->pid);
        SAY("recvmsg(fd %d) -> a NEW fd %d in this process for the same open file (inode "
            "%lld; the sender's was fd %lld)",
            ev->arg0, ev->result, (long long)ev->value, model_fact(m, "fdpass.sent_fd", -1));
        break;
    case OP_COW_INIT:
        if (!end)
            break;
        l = model_new_line(m, ev->t_ns, pi, 0);
        model_fact_set(m, "cow.init", 1);
        SAY("mmap(%s) one page and fill it: the parent's data",
            (ev->flags & OPF_SHARED) ? "MAP_SHARED" : "MAP_PRIVATE");
        break;
    case OP_COW_WRITE: {
        if (!end)
            break;
        l = model_new_line(m, ev->t_ns, pi, 0);
        long long d = ev->value2 - ev->value;
        model_fact_set(m, "cow.minflt_delta", d);
        model_fact_set(m, "cow.child_wrote", 1);
        SAY("writes the page: minor faults %lld -> %lld (+%lld)%s", (long long)ev->value,
            (long long)ev->value2, d,
            (ev->flags & OPF_SHARED) ? "; a shared page: no copy, the parent sees it"
                                     : "; the kernel copied the page for it (copy-on-write)");
        break;
    }
    case OP_COW_CHECK:
        if (!end)
            break;
        l = model_new_line(m, ev->t_ns, pi, 0);
        model_fact_set(m, "cow.unchanged", ev->result);
        SAY("%s", ev->result == 1 ? "its page still holds its own data: the child wrote to a copy"
                                  : "its page CHANGED: it sees the child's write");
        break;
    case OP_RECORD:
        if (!end)
            break;
        l = model_new_line(m, ev->t_ns, pi, 0);
        if (ev->result == 16)
            model_fact_add(m, "records.written", 1);
        SAY("write(fd %d, record %d, 16 bytes) -> the fd's offset is now %lld", ev->arg0, ev->arg1,
            (long long)ev->value);
        break;
    case OP_FILE_CHECK:
        if (!end)
            break;
        l = model_new_line(m, ev->t_ns, pi, 0);
        model_fact_set(m, "file.intact", ev->result);
        model_fact_set(m, "file.size", ev->value);
        model_fact_set(m, "file.bad", ev->value2);
        SAY("reads the file back: %lld bytes, %d intact records, %lld overwritten or damaged",
            (long long)ev->value, ev->result, (long long)ev->value2);
        break;
    case OP_SIGIGN:
        if (!end)
            break;
        l = model_new_line(m, ev->t_ns, pi, 0);
        SAY("signal(%s, SIG_IGN): a write with no reader now fails with EPIPE instead of "
            "killing it",
            signame((int)ev->arg0).s);
        break;
    default: break;
    }
    return l;
}

/* ---- state line -------------------------------------------------------- */

static void put(char *buf, size_t len, size_t *off, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void put(char *buf, size_t len, size_t *off, const char *fmt, ...)
{
    if (*off + 1 >= len)
        return;
    va_list ap;
    va_start(ap, fmt);
    int w = vsnprintf(buf + *off, len - *off, fmt, ap);
    va_end(ap);
    if (w > 0)
        *off += (size_t)w < len - *off ? (size_t)w : len - *off - 1;
}

static const char *acc_mode(unsigned flags)
{
    switch (flags & 3) {
    case 0: return "r";
    case 1: return "w";
    default: return "rw";
    }
}

size_t model_proc_format(const struct model *m, const struct model_proc *p, char *buf, size_t len)
{
    size_t off = 0;
    if (len == 0)
        return 0;
    buf[0] = '\0';
    if (p->forked || p->adopted)
        put(buf, len, &off, " ppid %d", (int)p->ppid);
    if (p->comm[0] && strcmp(p->comm, "ipcplay") != 0) {
        const char *base = strrchr(p->exe, '/');
        put(buf, len, &off, " comm %s exe %s", p->comm, base ? base + 1 : p->exe);
    }
    const struct model_fdtable *t = model_fdtable_find(m, p->pid);
    if (!t || p->state == 'Z')
        return off;
    for (int i = 0; i < t->nfds; i++) {
        const struct model_fd *f = &t->fds[i];
        put(buf, len, &off, " [fd %d %s", f->fd, f->target);
        bool special = strchr(f->target, ':') != NULL;
        if (!special)
            put(buf, len, &off, " ino %lu pos %lld", f->ino, f->pos);
        put(buf, len, &off, " %s%s", acc_mode(f->flags), (f->flags & 02000000) ? " cloexec" : "");
        if (f->scm_fds > 0)
            put(buf, len, &off, " scm_fds %d in flight", f->scm_fds);
        put(buf, len, &off, "]");
    }
    if (t->more)
        put(buf, len, &off, " [+%d fds]", t->more);
    return off;
}
