/* pipebuf.c — the pipe-capacity family: how much a pipe holds
 * (F_GETPIPE_SZ), a writer that fills it (sleeping in write when it is full,
 * or, with O_NONBLOCK, getting EAGAIN), and a reader that drains it (slowly,
 * or with O_NONBLOCK getting EAGAIN from an empty pipe) and checks PIPE_BUF
 * atomicity: each writer fills its chunks with its own letter, so a chunk
 * cut by another writer's bytes shows in the stream. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "../engine/ops.h"
#include "../model/field.h"
#include "../model/model.h"
#include "../model/signames.h"
#include "op.h"
#include "../model/i18n.h"

#define PIPEBUF_MAX (1 << 17) /* the largest chunk a fill or drain moves at once */

/* ---- in the child ------------------------------------------------------ */

static unsigned char iobuf[PIPEBUF_MAX];

static int queued(int fd)
{
    int n = 0;
    return ioctl(fd, FIONREAD, &n) < 0 ? -1 : n;
}

static void set_nonblock(int fd, bool on)
{
    int fl = fcntl(fd, F_GETFL);
    if (fl >= 0)
        fcntl(fd, F_SETFL, on ? fl | O_NONBLOCK : fl & ~O_NONBLOCK);
}

static int run_pipesz(struct runner *r, const struct op *op)
{
    int fd = runner_slot(r, op->arg0);
    struct event ev = runner_event(r, op, PH_BEGIN);
    ev.pipebuf.fd = fd;
    runner_begin(r, &ev);
    int cap = fcntl(fd, F_GETPIPE_SZ);
    int err = errno;
    ev.pipebuf.cap = cap;
    ev.pipebuf.queued = queued(fd);
    return runner_end(r, &ev, cap, err);
}

/* fill: `count` bytes to slot arg0 in writes of arg1 bytes, each filled with
 * the writer's letter ('A' for instance 1); `ms` between writes. OPF_NOWAIT:
 * O_NONBLOCK, and the first EAGAIN (a full pipe) ends the fill. */
static int run_fill(struct runner *r, const struct op *op)
{
    int fd = runner_slot(r, op->arg0);
    size_t chunk = op->arg1 > 0 && op->arg1 <= PIPEBUF_MAX ? (size_t)op->arg1 : 4096;
    bool nb = op->flags & OPF_NOWAIT;
    int cap = fcntl(fd, F_GETPIPE_SZ);
    memset(iobuf, 'A' + (r->instance - 1) % 26, chunk);
    if (nb)
        set_nonblock(fd, true);
    int64_t total = 0;
    while (total < op->count) {
        size_t n_req = chunk;
        if ((int64_t)n_req > op->count - total)
            n_req = (size_t)(op->count - total);
        struct event ev = runner_event(r, op, PH_BEGIN);
        ev.pipebuf.fd = fd;
        ev.pipebuf.cap = cap;
        runner_begin(r, &ev);
        ev.pipebuf.before = queued(fd);
        ssize_t n;
        do
            n = write(fd, iobuf, n_req);
        while (n < 0 && errno == EINTR);
        int err = errno;
        if (n > 0)
            total += n;
        ev.pipebuf.queued = queued(fd);
        ev.pipebuf.total = total;
        if (runner_end(r, &ev, (int32_t)n, err) < 0)
            return nb && err == EAGAIN ? 0 : -1;
        runner_hold(r, op->ms);
    }
    return 0;
}

/* Letters in the stream: a run of one writer's letter that is not a whole
 * number of chunks means another writer's bytes cut a chunk. */
struct runs {
    int letter;
    int64_t len;
    int32_t split;
};

static void runs_feed(struct runs *s, const unsigned char *b, size_t n, int64_t chunk)
{
    for (size_t i = 0; i < n; i++) {
        if (b[i] != s->letter) {
            if (s->letter && chunk > 0 && s->len % chunk)
                s->split++;
            s->letter = b[i];
            s->len = 0;
        }
        s->len++;
    }
}

/* drain: read slot arg0 in reads of arg1 bytes until EOF (count > 0: until
 * that many bytes), `ms` between reads; arg2 > 0: the writers' chunk size,
 * checked whole. OPF_NOWAIT: O_NONBLOCK, an empty pipe gives EAGAIN (told
 * once), then it naps; count -1 makes it a probe that returns there. */
static int run_drain(struct runner *r, const struct op *op)
{
    int fd = runner_slot(r, op->arg0);
    size_t want = op->arg1 > 0 && op->arg1 <= PIPEBUF_MAX ? (size_t)op->arg1 : 4096;
    bool nb = op->flags & OPF_NOWAIT;
    int cap = fcntl(fd, F_GETPIPE_SZ);
    if (nb)
        set_nonblock(fd, true);
    struct runs runs = {0};
    int64_t total = 0;
    int eagains = 0;
    for (;;) {
        struct event ev = runner_event(r, op, PH_BEGIN);
        ev.pipebuf.fd = fd;
        ev.pipebuf.cap = cap;
        runner_begin(r, &ev);
        ev.pipebuf.before = queued(fd);
        ssize_t n;
        do
            n = read(fd, iobuf, want);
        while (n < 0 && errno == EINTR);
        int err = errno;
        if (n > 0) {
            total += n;
            runs_feed(&runs, iobuf, (size_t)n, op->arg2);
        }
        if (n == 0 && op->arg2 > 0) {
            runs_feed(&runs, (const unsigned char *)"", 1, op->arg2); /* close the last run */
            ev.pipebuf.chunks = (int32_t)(total / op->arg2);
        }
        ev.pipebuf.split = runs.split;
        ev.pipebuf.queued = queued(fd);
        ev.pipebuf.total = total;
        if (n < 0 && nb && err == EAGAIN) {
            if (eagains++ == 0)
                runner_end(r, &ev, -1, err);
            if (op->count < 0) /* a probe: one read, whatever it says */
                return 0;
            runner_hold(r, op->ms > 0 ? op->ms : 10);
            continue;
        }
        if (runner_end(r, &ev, (int32_t)n, err) < 0)
            return -1;
        if (n == 0 || (op->count > 0 && total >= op->count))
            return 0;
        runner_hold(r, op->ms);
    }
}

/* ---- in the model ------------------------------------------------------ */

static void doing_pipebuf(const struct event *ev, char *buf, size_t len)
{
    const char *what = ev->op == OP_PIPESZ ? "fcntl(F_GETPIPE_SZ)"
                       : ev->op == OP_FILL ? "write"
                                           : "read";
    snprintf(buf, len, "%s(fd %d)", what, ev->pipebuf.fd);
}

/* "[######----------] 24576/65536" */
static void gauge(int queued, int cap, char *buf, size_t len)
{
    char bar[17];
    int fill = cap > 0 && queued > 0 ? (int)((long long)queued * 16 / cap) : 0;
    for (int i = 0; i < 16; i++)
        bar[i] = i < fill ? '#' : '-';
    bar[16] = '\0';
    snprintf(buf, len, "[%s] %d/%d", bar, queued, cap);
}

static void apply_pipebuf(struct model *m, const struct event *ev, struct op_ctx *cx)
{
    (void)cx;
    const struct ev_pipebuf *b = &ev->pipebuf;
    if (ev->phase != PH_END)
        return;
    if (ev->op == OP_PIPESZ && ev->result > 0)
        model_fact_set(m, "pipe.cap", ev->result);
    if (b->queued > model_fact(m, "pipe.queued_max", 0))
        model_fact_set(m, "pipe.queued_max", b->queued);
    if (ev->op == OP_FILL && ev->result > 0 && b->cap > 0 && b->before + ev->result > b->cap)
        model_fact_add(m, "pipe.write_waited", 1);
    if (ev->result < 0 && ev->err == EAGAIN)
        model_fact_add(m, ev->op == OP_FILL ? "pipe.write_eagain" : "pipe.read_eagain", 1);
    if (ev->op == OP_DRAIN && ev->result == 0) {
        model_fact_set(m, "pipe.split", b->split);
        model_fact_set(m, "pipe.chunks", b->chunks);
        model_fact_set(m, "pipe.drained", b->total);
    }
}

static struct model_line *story_pipebuf(struct model *m, const struct event *ev, struct op_ctx *cx)
{
    const struct ev_pipebuf *b = &ev->pipebuf;
    if (ev->phase != PH_END)
        return NULL;
    char g[48];
    gauge(b->queued, b->cap, g, sizeof g);
    /* Each writer's first full pipe and first wait are told; later ones
     * only counted (apply), or the story would be nothing else. */
    char key[32];
    snprintf(key, sizeof key, "pipe.told.%d", (int)ev->pid % 10000000);
    long long told = model_fact(m, key, 0);
    bool waited =
        ev->op == OP_FILL && ev->result > 0 && b->before + ev->result > b->cap && !(told & 2);
    bool filled = ev->op == OP_FILL && ev->result > 0 && b->before < b->cap &&
                  b->queued >= b->cap && !(told & 1);
    if (waited || filled)
        model_fact_set(m, key, told | (waited ? 2 : 0) | (filled ? 1 : 0));
    struct model_line *l = NULL;
    if (ev->op == OP_PIPESZ || waited || filled || ev->result < 0 ||
        (ev->op == OP_DRAIN && ev->result == 0))
        l = model_new_line(m, ev->t_ns, cx->pi, LINE_EVENT);
    if (!l)
        return NULL;
    if (ev->op == OP_PIPESZ && ev->result > 0)
        model_line_say(l,
                       _("-> F_GETPIPE_SZ: this pipe holds %d bytes; PIPE_BUF (atomic writes) "
                         "is %d"),
                       ev->result, PIPE_BUF);
    else if (ev->result < 0 && ev->err == EAGAIN && ev->op == OP_FILL)
        model_line_say(l, _("-> EAGAIN: the pipe is full %s and O_NONBLOCK says do not sleep"), g);
    else if (ev->result < 0 && ev->err == EAGAIN)
        model_line_say(l, _("-> EAGAIN: the pipe is empty and O_NONBLOCK says do not sleep; "
                            "tries again later"));
    else if (ev->result < 0)
        model_line_say(l, _("-> %s failed: %s"), ev->op == OP_FILL ? "write" : "read",
                       errname(ev->err));
    else if (filled)
        model_line_say(l,
                       _("-> wrote %d: the pipe is full %s; the next write sleeps until the "
                         "reader makes room"),
                       ev->result, g);
    else if (waited)
        model_line_say(l,
                       _("-> wrote %d, but only after sleeping in write: the pipe had room "
                         "for %d %s"),
                       ev->result, b->cap - b->before, g);
    else if (b->chunks > 0)
        model_line_say(l,
                       _("-> EOF after %lld bytes (%d chunks): another writer's bytes cut "
                         "into a chunk %d time(s)"),
                       (long long)b->total, b->chunks, b->split);
    else
        model_line_say(l, _("-> EOF after %lld bytes"), (long long)b->total);
    return l;
}

/* ---- the entries ------------------------------------------------------- */

static const struct field payload_pipebuf[] = {
    FLD(struct ev_pipebuf, fd),     FLD(struct ev_pipebuf, cap),
    FLD(struct ev_pipebuf, queued), FLD(struct ev_pipebuf, before),
    FLD(struct ev_pipebuf, total),  FLD(struct ev_pipebuf, split),
    FLD(struct ev_pipebuf, chunks), FLD_END};

#define PIPEBUF                                                                                    \
    .payload = payload_pipebuf, .doing = doing_pipebuf, .apply = apply_pipebuf,                    \
    .story = story_pipebuf

const struct op_entry op_entry_PIPESZ = {.name = "pipesz",
                                         .verb = "asks a pipe its capacity (F_GETPIPE_SZ)",
                                         .run = run_pipesz,
                                         PIPEBUF};
const struct op_entry op_entry_FILL = {
    .name = "fill", .verb = "writes chunks into a pipe", .run = run_fill, PIPEBUF};
const struct op_entry op_entry_DRAIN = {
    .name = "drain", .verb = "reads a pipe to EOF", .run = run_drain, PIPEBUF};
