/* fd.c — the fd and socket family: open, close, pipe, socketpair, mkfifo,
 * read and write (in chunks, with checksums so the model can tell what went
 * through), shutdown, listen, accept, connect, and passing an fd over a UNIX
 * socket (SCM_RIGHTS). Each op's entry: what it does in a child, its "doing"
 * text, what it changes in the model (streams, file chunks, facts the checks
 * read) and how the story tells it.
 *
 * Fds live in numbered slots (the plan names slots, the kernel picks the fd
 * numbers, events report the real numbers). They are opened WITHOUT
 * O_CLOEXEC unless the op says so: these fds are the subject of the lesson
 * and are handed to forked children and across exec on purpose. Every op
 * that makes several calls (a write in chunks, a read until EOF) emits a
 * begin and an end for each, so a paused or stepped run stops between them. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include "../engine/events.h"
#include "../model/signames.h"
#include "../engine/ops.h"
#include "../model/model.h"
#include "../model/pattern.h"
#include "op.h"
#include "../model/i18n.h"

#define IO_BUF 65536
#define CONNECT_LIMIT_MS 10000 /* a listener that does not come in this time */
#define EOF_GRACE_MS 3000      /* after the last expected byte, wait this for EOF */

/* ---- in the child ------------------------------------------------------ */

static const char *file_path(const struct runner *r, int obj)
{
    if (!r->plan || obj < 0 || obj >= r->plan->nfiles)
        return NULL;
    return r->plan->files[obj].path;
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

/* open: file obj into slot arg0; arg1 access 0 read, 1 write, 2 both. */
static int run_open(struct runner *r, const struct op *op)
{
    const char *path = file_path(r, op->obj);
    int acc = op->arg1 == 1 ? O_WRONLY : op->arg1 == 2 ? O_RDWR : O_RDONLY;
    int flags = acc | ((op->flags & OPF_CLOEXEC) ? O_CLOEXEC : 0) |
                ((op->flags & OPF_NOWAIT) ? O_NONBLOCK : 0);
    struct event ev = runner_event(r, op, PH_BEGIN);
    ev.open.fd = -1;
    ev.open.access = op->arg1;
    ev.open.fifo = r->plan && op->obj >= 0 && op->obj < r->plan->nfiles &&
                   r->plan->files[op->obj].kind == PLANF_FIFO;
    runner_begin(r, &ev);
    if (!path)
        return runner_end(r, &ev, -1, EINVAL);
    int fd;
    do
        fd = open(path, flags);
    while (fd < 0 && errno == EINTR);
    int err = errno;
    fd_id(fd, &ev.open.ino, &ev.open.dev);
    if (fd >= 0)
        runner_slot_set(r, op->arg0, fd);
    ev.open.fd = fd;
    if (fd < 0 && (op->flags & OPF_NOWAIT)) { /* a probe: the answer is the point */
        runner_end(r, &ev, fd, err);
        return 0;
    }
    return runner_end(r, &ev, fd, err);
}

static int run_close(struct runner *r, const struct op *op)
{
    int fd = runner_slot(r, op->arg0);
    struct event ev = runner_event(r, op, PH_BEGIN);
    ev.fd.fd = fd;
    runner_begin(r, &ev);
    int rc = fd >= 0 ? close(fd) : -1;
    int err = fd >= 0 ? errno : EBADF;
    runner_slot_set(r, op->arg0, -1);
    return runner_end(r, &ev, rc, err);
}

/* pipe / socketpair: ends into slots arg0 and arg1. */
static int run_pair(struct runner *r, const struct op *op)
{
    struct event ev = runner_event(r, op, PH_BEGIN);
    ev.pair.fd0 = ev.pair.fd1 = -1;
    runner_begin(r, &ev);
    int fds[2];
    int rc = op->kind == OP_PIPE ? pipe(fds) : socketpair(AF_UNIX, SOCK_STREAM, 0, fds);
    if (rc < 0)
        return runner_end(r, &ev, -1, errno);
    runner_slot_set(r, op->arg0, fds[0]);
    runner_slot_set(r, op->arg1, fds[1]);
    ev.pair.fd0 = fds[0];
    ev.pair.fd1 = fds[1];
    int64_t d;
    fd_id(fds[0], &ev.pair.ino0, &d);
    fd_id(fds[1], &ev.pair.ino1, &d);
    return runner_end(r, &ev, 0, 0);
}

static int run_mkfifo(struct runner *r, const struct op *op)
{
    const char *path = file_path(r, op->obj);
    struct event ev = runner_event(r, op, PH_BEGIN);
    runner_begin(r, &ev);
    int rc = path ? mkfifo(path, 0600) : -1;
    return runner_end(r, &ev, rc, path ? errno : EINVAL);
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
 * with OPF_PATTERN the file whose known content the bytes must match. A read
 * that waited in vain for EOF ends with result -1, ETIMEDOUT. */
static int run_read(struct runner *r, const struct op *op)
{
    static unsigned char buf[IO_BUF];
    int fd = runner_slot(r, op->arg0);
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
        /* Everything expected arrived: now EOF must come, i.e. every write
         * end must be closed. Wait a while in read(), then say it did not. */
        bool last = to_eof && want > 0 && total >= want;
        int grace = EOF_GRACE_MS + (int)(gate_scale_ns(r->gate, op->ms) / 1000000ull);
        off_t off = lseek(fd, 0, SEEK_CUR);
        struct event ev = runner_event(r, op, PH_BEGIN);
        ev.io.fd = fd;
        ev.io.offset = off < 0 ? -1 : (int32_t)off;
        runner_begin(r, &ev);
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
        ev.io.total = total;
        if (pat)
            ev.io.bad = bad;
        else
            ev.io.sum = (int64_t)sum;
        if (runner_end(r, &ev, (int32_t)n, err) < 0)
            return err == ECONNRESET || err == ETIMEDOUT ? 0 : -1;
        if (n == 0)
            return 0;
    }
}

/* write: `count` bytes of stream obj to slot arg0 in chunks of arg1, `ms`
 * between chunks. EPIPE is reported, not fatal. */
static int run_write(struct runner *r, const struct op *op)
{
    static unsigned char buf[IO_BUF];
    int fd = runner_slot(r, op->arg0);
    size_t chunk = op->arg1 > 0 && op->arg1 <= IO_BUF ? (size_t)op->arg1 : 4096;
    int64_t total = 0;
    uint64_t sum = PATTERN_SUM_INIT;
    while (total < op->count) {
        if (total > 0)
            gate_delay(r->gate, op->ms);
        size_t n_req = chunk;
        if ((int64_t)n_req > op->count - total)
            n_req = (size_t)(op->count - total);
        struct event ev = runner_event(r, op, PH_BEGIN);
        ev.io.fd = fd;
        ev.io.offset = -1;
        runner_begin(r, &ev);
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
        ev.io.total = total;
        ev.io.sum = (int64_t)sum;
        if (runner_end(r, &ev, (int32_t)n, err) < 0)
            return err == EPIPE ? 0 : -1;
    }
    return 0;
}

static int run_shutdown(struct runner *r, const struct op *op)
{
    struct event ev = runner_event(r, op, PH_BEGIN);
    ev.fd.fd = runner_slot(r, op->arg0);
    runner_begin(r, &ev);
    int rc = shutdown(ev.fd.fd, SHUT_WR);
    return runner_end(r, &ev, rc, errno);
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
 * file appears in the run directory (registered before it existed). */
static int run_listen(struct runner *r, const struct op *op)
{
    struct event ev = runner_event(r, op, PH_BEGIN);
    ev.fd.fd = -1;
    runner_begin(r, &ev);
    struct sockaddr_un sa;
    if (unix_addr(file_path(r, op->obj), &sa) < 0)
        return runner_end(r, &ev, -1, ENAMETOOLONG);
    int fd = socket(AF_UNIX, SOCK_STREAM, 0);
    if (fd < 0)
        return runner_end(r, &ev, -1, errno);
    mode_t old = umask(0177); /* the socket file: mode 0600 */
    int rc = bind(fd, (struct sockaddr *)&sa, sizeof sa);
    umask(old);
    if (rc == 0)
        rc = listen(fd, 4);
    if (rc < 0) {
        int err = errno;
        close(fd);
        return runner_end(r, &ev, -1, err);
    }
    runner_slot_set(r, op->arg0, fd);
    ev.fd.fd = fd;
    struct stat st;
    ev.fd.n = stat(sa.sun_path, &st) == 0 ? (int64_t)st.st_ino : -1;
    return runner_end(r, &ev, fd, 0);
}

/* accept: on slot arg0, the connection into slot arg1. */
static int run_accept(struct runner *r, const struct op *op)
{
    struct event ev = runner_event(r, op, PH_BEGIN);
    ev.fd.fd = runner_slot(r, op->arg0);
    runner_begin(r, &ev);
    int fd;
    do
        fd = accept(ev.fd.fd, NULL, NULL);
    while (fd < 0 && errno == EINTR);
    int err = errno;
    if (fd >= 0)
        runner_slot_set(r, op->arg1, fd);
    return runner_end(r, &ev, fd, err);
}

/* connect: to the path of obj into slot arg0, retrying while the listener is
 * not there yet. */
static int run_connect(struct runner *r, const struct op *op)
{
    struct event ev = runner_event(r, op, PH_BEGIN);
    ev.fd.fd = -1;
    runner_begin(r, &ev);
    struct sockaddr_un sa;
    if (unix_addr(file_path(r, op->obj), &sa) < 0)
        return runner_end(r, &ev, -1, ENAMETOOLONG);
    uint64_t limit = events_now_ns() / 1000000ull + CONNECT_LIMIT_MS;
    int tries = 0;
    for (;;) {
        int fd = socket(AF_UNIX, SOCK_STREAM, 0);
        if (fd < 0)
            return runner_end(r, &ev, -1, errno);
        tries++;
        ev.fd.n = tries;
        if (connect(fd, (struct sockaddr *)&sa, sizeof sa) == 0) {
            runner_slot_set(r, op->arg0, fd);
            ev.fd.fd = fd;
            return runner_end(r, &ev, fd, 0);
        }
        int err = errno;
        close(fd);
        if ((err != ENOENT && err != ECONNREFUSED && err != EINTR) ||
            events_now_ns() / 1000000ull > limit)
            return runner_end(r, &ev, -1, err);
        runner_nap_ms(5);
    }
}

/* sendfd: over socket slot arg0, the fd in slot arg1, as SCM_RIGHTS with one
 * byte of data. */
static int run_sendfd(struct runner *r, const struct op *op)
{
    struct event ev = runner_event(r, op, PH_BEGIN);
    ev.fdpass.sock = runner_slot(r, op->arg0);
    ev.fdpass.fd = runner_slot(r, op->arg1);
    runner_begin(r, &ev);
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
    memcpy(CMSG_DATA(c), &ev.fdpass.fd, sizeof(int));
    ssize_t n;
    do
        n = sendmsg(ev.fdpass.sock, &mh, MSG_NOSIGNAL);
    while (n < 0 && errno == EINTR);
    int err = errno;
    fd_id(ev.fdpass.fd, &ev.fdpass.ino, &ev.fdpass.dev);
    return runner_end(r, &ev, (int32_t)n, err);
}

/* recvfd: from socket slot arg0, an SCM_RIGHTS fd into slot arg1 (the
 * result). */
static int run_recvfd(struct runner *r, const struct op *op)
{
    struct event ev = runner_event(r, op, PH_BEGIN);
    ev.fdpass.sock = runner_slot(r, op->arg0);
    ev.fdpass.fd = op->arg1;
    runner_begin(r, &ev);
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
        n = recvmsg(ev.fdpass.sock, &mh, 0);
    while (n < 0 && errno == EINTR);
    if (n <= 0)
        return runner_end(r, &ev, -1, n == 0 ? ECONNRESET : errno);
    int fd = -1;
    for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c))
        if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS &&
            c->cmsg_len >= CMSG_LEN(sizeof(int)))
            memcpy(&fd, CMSG_DATA(c), sizeof fd);
    if (fd < 0)
        return runner_end(r, &ev, -1, EBADMSG);
    runner_slot_set(r, op->arg1, fd);
    fd_id(fd, &ev.fdpass.ino, &ev.fdpass.dev);
    return runner_end(r, &ev, fd, 0);
}

/* ---- in the model ------------------------------------------------------ */

static struct model_stream *stream(struct model *m, int obj)
{
    if (obj < 0 || obj >= MODEL_MAX_STREAMS)
        return NULL;
    m->streams[obj].used = true;
    return &m->streams[obj];
}

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

/* An end line, or NULL for any other phase. */
static struct model_line *end_line(struct model *m, const struct event *ev, struct op_ctx *cx)
{
    return ev->phase == PH_END ? model_new_line(m, ev->t_ns, cx->pi, LINE_EVENT) : NULL;
}

#define SAY(...) model_line_say(l, __VA_ARGS__)

static void doing_open(const struct event *ev, char *buf, size_t len)
{
    snprintf(buf, len, "open");
}

static void apply_open(struct model *m, const struct event *ev, struct op_ctx *cx)
{
    if (ev->phase != PH_END || ev->result < 0)
        return;
    int n = (int)model_fact(m, "open.count", 0) + 1;
    model_fact_set(m, "open.count", n);
    char key[28];
    snprintf(key, sizeof key, "open.%d.fd", n % 1000);
    model_fact_set(m, key, ev->result);
    snprintf(key, sizeof key, "open.%d.ino", n % 1000);
    model_fact_set(m, key, ev->open.ino);
}

static struct model_line *story_open(struct model *m, const struct event *ev, struct op_ctx *cx)
{
    static const char *const who[] = {"a writer", "a reader", "anyone"};
    int side = ev->open.access >= 0 && ev->open.access <= 2 ? ev->open.access : 2;
    if (ev->phase == PH_BEGIN && ev->open.fifo && side < 2 && !(ev->flags & OPF_NOWAIT)) {
        struct model_line *b = model_new_line(m, ev->t_ns, cx->pi, LINE_EVENT);
        model_line_say(b,
                       _("-> open(%s, %s) of a FIFO: open waits until %s has the other end open"),
                       model_file_name(m, ev->obj), side ? "O_WRONLY" : "O_RDONLY", who[side]);
        return b;
    }
    struct model_line *l = end_line(m, ev, cx);
    if (!l)
        return NULL;
    if (ev->result < 0 && ev->err == ENXIO && ev->open.fifo) {
        SAY(_("open(%s, O_WRONLY|O_NONBLOCK) -> ENXIO: no process has the FIFO open for reading, "
              "and O_NONBLOCK says do not wait for one"),
            model_file_name(m, ev->obj));
        model_fact_add(m, "fifo.enxio", 1);
        return l;
    }
    if (ev->result < 0) {
        SAY(_("open(%s) failed: %s"), model_file_name(m, ev->obj), errname(ev->err));
        return l;
    }
    static const char *const acc[] = {"O_RDONLY", "O_WRONLY", "O_RDWR"};
    int a = ev->open.access;
    SAY(_("open(%s, %s%s%s) -> fd %d (inode %lld): a new open file description%s"),
        model_file_name(m, ev->obj), acc[a >= 0 && a <= 2 ? a : 0],
        (ev->flags & OPF_CLOEXEC) ? "|O_CLOEXEC" : "",
        (ev->flags & OPF_NOWAIT) ? "|O_NONBLOCK" : "", ev->result, (long long)ev->open.ino,
        ev->open.fifo && a < 2 && !(ev->flags & OPF_NOWAIT) ? _("; the other side is there") : "");
    return l;
}

static void doing_close(const struct event *ev, char *buf, size_t len)
{
    snprintf(buf, len, "close(fd %d)", ev->fd.fd);
}

/* Where in the read history it closed (fdpass: who read after). */
static void apply_close(struct model *m, const struct event *ev, struct op_ctx *cx)
{
    if (ev->phase != PH_END || ev->result != 0)
        return;
    char key[28];
    snprintf(key, sizeof key, "close.%d.%d", (int)ev->pid % 10000000, ev->fd.fd % 1000);
    model_fact_set(m, key, m->nchunks);
    m->chunk_seal = m->nchunks; /* reads after it start a new record */
}

static struct model_line *story_close(struct model *m, const struct event *ev, struct op_ctx *cx)
{
    struct model_line *l = end_line(m, ev, cx);
    if (!l)
        return NULL;
    if (ev->result == 0)
        SAY(_("close(fd %d)"), ev->fd.fd);
    else
        SAY(_("close(fd %d) failed: %s"), ev->fd.fd, errname(ev->err));
    return l;
}

static void doing_pair(const struct event *ev, char *buf, size_t len)
{
    snprintf(buf, len, ev->op == OP_PIPE ? "pipe()" : "socketpair()");
}

static struct model_line *story_pair(struct model *m, const struct event *ev, struct op_ctx *cx)
{
    struct model_line *l = end_line(m, ev, cx);
    if (!l)
        return NULL;
    if (ev->result < 0)
        SAY(_("%s failed: %s"), op_name(ev->op), errname(ev->err));
    else if (ev->op == OP_PIPE)
        SAY(_("pipe() -> fd %d (read end) and fd %d (write end), one pipe, inode %lld"),
            ev->pair.fd0, ev->pair.fd1, (long long)ev->pair.ino0);
    else
        SAY(_("socketpair(AF_UNIX) -> fd %d and fd %d: two connected sockets, each end reads and "
              "writes"),
            ev->pair.fd0, ev->pair.fd1);
    return l;
}

static void doing_mkfifo(const struct event *ev, char *buf, size_t len)
{
    snprintf(buf, len, "mkfifo");
}

static struct model_line *story_mkfifo(struct model *m, const struct event *ev, struct op_ctx *cx)
{
    struct model_line *l = end_line(m, ev, cx);
    if (!l)
        return NULL;
    if (ev->result == 0)
        SAY(_("mkfifo(%s, 0600): a pipe with a name; unrelated processes open it by path"),
            model_file_name(m, ev->obj));
    else
        SAY(_("mkfifo(%s) failed: %s"), model_file_name(m, ev->obj), errname(ev->err));
    return l;
}

static void doing_read(const struct event *ev, char *buf, size_t len)
{
    snprintf(buf, len, "read(fd %d)", ev->io.fd);
}

static void apply_read(struct model *m, const struct event *ev, struct op_ctx *cx)
{
    if (ev->phase != PH_END)
        return;
    bool pat = ev->flags & OPF_PATTERN;
    if (pat && ev->result > 0)
        chunk_add(m, ev->pid, ev->io.offset, ev->result, ev->io.bad == 0);
    struct model_stream *s = pat ? NULL : stream(m, ev->obj);
    if (!s)
        return;
    s->reader = ev->pid;
    if (ev->result >= 0) {
        s->read = ev->io.total;
        s->rsum = ev->io.sum;
    }
    if (ev->result == 0)
        s->eof = true;
    if (ev->result < 0)
        s->rerr = ev->err;
}

static struct model_line *story_read(struct model *m, const struct event *ev, struct op_ctx *cx)
{
    struct model_line *l = end_line(m, ev, cx);
    if (!l)
        return NULL;
    bool pat = ev->flags & OPF_PATTERN;
    int fd = ev->io.fd;
    if (ev->obj < 0 && !pat && ev->result > 0)
        SAY(_("read(fd %d) -> 1 byte: its turn"), fd);
    else if (ev->result > 0 && pat)
        SAY(_("read(fd %d) -> %d bytes at offset %d%s"), fd, ev->result, ev->io.offset,
            ev->io.bad == 0 ? _(", the file's own bytes") : _(": WRONG bytes"));
    else if (ev->result > 0)
        SAY(_("read(fd %d) -> %d bytes (%lld so far)"), fd, ev->result, (long long)ev->io.total);
    else if (ev->result == 0)
        SAY(_("read(fd %d) -> 0: end of file%s"), fd, pat ? "" : _(": every write end is closed"));
    else if (ev->err == ETIMEDOUT)
        SAY(_("no EOF after all %lld bytes: some write end is still open (maybe its own)"),
            (long long)ev->io.total);
    else
        SAY(_("read(fd %d) failed: %s"), fd, errname(ev->err));
    return l;
}

static void doing_write(const struct event *ev, char *buf, size_t len)
{
    snprintf(buf, len, "write(fd %d)", ev->io.fd);
}

static void apply_write(struct model *m, const struct event *ev, struct op_ctx *cx)
{
    struct model_stream *s = ev->phase == PH_END ? stream(m, ev->obj) : NULL;
    if (!s)
        return;
    s->writer = ev->pid;
    if (ev->result > 0) {
        s->written = ev->io.total;
        s->wsum = ev->io.sum;
    } else if (ev->result < 0) {
        s->werr = ev->err;
    }
}

static struct model_line *story_write(struct model *m, const struct event *ev, struct op_ctx *cx)
{
    struct model_line *l = end_line(m, ev, cx);
    if (!l)
        return NULL;
    int fd = ev->io.fd;
    if (ev->obj < 0 && ev->result > 0)
        SAY(_("write(fd %d) -> 1 byte: passes the turn"), fd);
    else if (ev->result >= 0)
        SAY(_("write(fd %d) -> %d bytes (%lld so far)"), fd, ev->result, (long long)ev->io.total);
    else if (ev->err == EPIPE)
        SAY(_("write(fd %d) -> EPIPE: nobody has the read end open any more (SIGPIPE is "
              "ignored, so the call fails instead of killing)"),
            fd);
    else
        SAY(_("write(fd %d) failed: %s"), fd, errname(ev->err));
    return l;
}

static void doing_shutdown(const struct event *ev, char *buf, size_t len)
{
    snprintf(buf, len, "shutdown(fd %d)", ev->fd.fd);
}

static struct model_line *story_shutdown(struct model *m, const struct event *ev, struct op_ctx *cx)
{
    struct model_line *l = end_line(m, ev, cx);
    if (l)
        SAY(_("shutdown(fd %d, SHUT_WR): the peer will read EOF; this end can still read"),
            ev->fd.fd);
    return l;
}

static void doing_listen(const struct event *ev, char *buf, size_t len)
{
    snprintf(buf, len, "bind+listen");
}

static struct model_line *story_listen(struct model *m, const struct event *ev, struct op_ctx *cx)
{
    struct model_line *l = end_line(m, ev, cx);
    if (!l)
        return NULL;
    if (ev->result >= 0)
        SAY(_("socket(AF_UNIX) + bind(%s) + listen -> fd %d; the socket file now exists (mode "
              "0600)"),
            model_file_name(m, ev->obj), ev->result);
    else
        SAY(_("listen on %s failed: %s"), model_file_name(m, ev->obj), errname(ev->err));
    return l;
}

static void doing_accept(const struct event *ev, char *buf, size_t len)
{
    snprintf(buf, len, "accept(fd %d)", ev->fd.fd);
}

static struct model_line *story_accept(struct model *m, const struct event *ev, struct op_ctx *cx)
{
    struct model_line *l = end_line(m, ev, cx);
    if (!l)
        return NULL;
    if (ev->result >= 0)
        SAY(_("accept(fd %d) -> fd %d: connected"), ev->fd.fd, ev->result);
    else
        SAY(_("accept(fd %d) failed: %s"), ev->fd.fd, errname(ev->err));
    return l;
}

static void doing_connect(const struct event *ev, char *buf, size_t len)
{
    snprintf(buf, len, "connect");
}

static struct model_line *story_connect(struct model *m, const struct event *ev, struct op_ctx *cx)
{
    struct model_line *l = end_line(m, ev, cx);
    if (!l)
        return NULL;
    if (ev->result >= 0)
        SAY(_("connect(%s) -> fd %d"), model_file_name(m, ev->obj), ev->result);
    else
        SAY(_("connect(%s) failed: %s"), model_file_name(m, ev->obj), errname(ev->err));
    return l;
}

static void doing_sendfd(const struct event *ev, char *buf, size_t len)
{
    snprintf(buf, len, "sendmsg(fd %d)", ev->fdpass.sock);
}

static void apply_sendfd(struct model *m, const struct event *ev, struct op_ctx *cx)
{
    if (ev->phase != PH_END || ev->result < 0)
        return;
    model_fact_set(m, "fdpass.sent_fd", ev->fdpass.fd);
    model_fact_set(m, "fdpass.sent_ino", ev->fdpass.ino);
    model_fact_set(m, "fdpass.sent_dev", ev->fdpass.dev);
    model_fact_set(m, "fdpass.sender", ev->pid);
}

static struct model_line *story_sendfd(struct model *m, const struct event *ev, struct op_ctx *cx)
{
    struct model_line *l = end_line(m, ev, cx);
    if (!l)
        return NULL;
    if (ev->result < 0)
        SAY(_("sendmsg failed: %s"), errname(ev->err));
    else
        SAY(_("sendmsg(fd %d, SCM_RIGHTS [fd %d]): the open file (inode %lld) is now in flight, "
              "held by the kernel"),
            ev->fdpass.sock, ev->fdpass.fd, (long long)ev->fdpass.ino);
    return l;
}

static void doing_recvfd(const struct event *ev, char *buf, size_t len)
{
    snprintf(buf, len, "recvmsg(fd %d)", ev->fdpass.sock);
}

static void apply_recvfd(struct model *m, const struct event *ev, struct op_ctx *cx)
{
    if (ev->phase != PH_END || ev->result < 0)
        return;
    model_fact_set(m, "fdpass.recv_fd", ev->result);
    model_fact_set(m, "fdpass.recv_ino", ev->fdpass.ino);
    model_fact_set(m, "fdpass.recv_dev", ev->fdpass.dev);
    model_fact_set(m, "fdpass.receiver", ev->pid);
}

static struct model_line *story_recvfd(struct model *m, const struct event *ev, struct op_ctx *cx)
{
    struct model_line *l = end_line(m, ev, cx);
    if (!l)
        return NULL;
    if (ev->result < 0)
        SAY(_("recvmsg failed: %s"), errname(ev->err));
    else
        SAY(_("recvmsg(fd %d) -> a NEW fd %d in this process for the same open file (inode "
              "%lld; the sender's was fd %lld)"),
            ev->fdpass.sock, ev->result, (long long)ev->fdpass.ino,
            model_fact(m, "fdpass.sent_fd", -1));
    return l;
}

/* ---- the entries ------------------------------------------------------- */

/* Payload fields by name, for recordings (model/field.h); pads are left out. */
static const struct field payload_open[] = {FLD(struct ev_open, fd),   FLD(struct ev_open, access),
                                            FLD(struct ev_open, fifo), FLD(struct ev_open, ino),
                                            FLD(struct ev_open, dev),  FLD_END};
static const struct field payload_fd[] = {FLD(struct ev_fd, fd), FLD(struct ev_fd, n), FLD_END};
static const struct field payload_pair[] = {FLD(struct ev_pair, fd0), FLD(struct ev_pair, fd1),
                                            FLD(struct ev_pair, ino0), FLD(struct ev_pair, ino1),
                                            FLD_END};
/* io.sum: with OPF_PATTERN on a read, the bytes that were not the file's (ev_io.bad) */
static const struct field payload_io[] = {FLD(struct ev_io, fd), FLD(struct ev_io, offset),
                                          FLD(struct ev_io, total), FLD(struct ev_io, sum),
                                          FLD_END};
static const struct field payload_fdpass[] = {FLD(struct ev_sendfd, sock),
                                              FLD(struct ev_sendfd, fd), FLD(struct ev_sendfd, ino),
                                              FLD(struct ev_sendfd, dev), FLD_END};

#define FDOP(op) .run = run_##op, .touches_fds = true, .doing = doing_##op, .story = story_##op

const struct op_entry op_entry_OPEN = {.payload = payload_open,
                                       .name = "open",
                                       .verb = "opens a file",
                                       FDOP(open),
                                       .apply = apply_open};
const struct op_entry op_entry_CLOSE = {.payload = payload_fd,
                                        .name = "close",
                                        .verb = "closes an fd",
                                        FDOP(close),
                                        .apply = apply_close};
const struct op_entry op_entry_PIPE = {
    .payload = payload_pair, .name = "pipe", .verb = "creates a pipe", FDOP(pair)};
const struct op_entry op_entry_SOCKETPAIR = {.payload = payload_pair,
                                             .name = "socketpair",
                                             .verb = "creates a pair of connected sockets",
                                             FDOP(pair)};
const struct op_entry op_entry_MKFIFO = {.name = "mkfifo",
                                         .verb = "creates a FIFO",
                                         .run = run_mkfifo,
                                         .doing = doing_mkfifo,
                                         .story = story_mkfifo};
const struct op_entry op_entry_READ = {
    .payload = payload_io, .name = "read", .verb = "reads", FDOP(read), .apply = apply_read};
const struct op_entry op_entry_WRITE = {
    .payload = payload_io, .name = "write", .verb = "writes", FDOP(write), .apply = apply_write};
const struct op_entry op_entry_SHUTDOWN = {.payload = payload_fd,
                                           .name = "shutdown",
                                           .verb = "shuts down its sending side",
                                           FDOP(shutdown)};
const struct op_entry op_entry_LISTEN = {
    .payload = payload_fd, .name = "listen", .verb = "listens on a UNIX socket path", FDOP(listen)};
const struct op_entry op_entry_ACCEPT = {
    .payload = payload_fd, .name = "accept", .verb = "accepts a connection", FDOP(accept)};
const struct op_entry op_entry_CONNECT = {.payload = payload_fd,
                                          .name = "connect",
                                          .verb = "connects to a UNIX socket path",
                                          FDOP(connect)};
const struct op_entry op_entry_SENDFD = {.payload = payload_fdpass,
                                         .name = "sendfd",
                                         .verb = "sends an fd (SCM_RIGHTS)",
                                         FDOP(sendfd),
                                         .apply = apply_sendfd};
const struct op_entry op_entry_RECVFD = {.payload = payload_fdpass,
                                         .name = "recvfd",
                                         .verb = "receives an fd (SCM_RIGHTS)",
                                         FDOP(recvfd),
                                         .apply = apply_recvfd};
