/* race.c — the race family: `race_open` sets up one mechanism's channel in
 * the sender before it forks its receiver (a pipe or socketpair, FIFOs in
 * the run directory; queue, semaphores and segments are the engine's),
 * waiting for its turn first when the mechanisms race in turn; `race_send`
 * and `race_recv` are one whole transfer each (ops/race_xfer.c), told when
 * it starts, every RACE_NOTE_MS while it goes (how many messages, bytes,
 * and how many arrived damaged or out of order) and when it ends: the
 * figures the dashboard shows come from these few notes, never from one
 * event per message. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/sem.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../engine/events.h"
#include "../engine/gate.h"
#include "../engine/ops.h"
#include "../model/field.h"
#include "../model/model.h"
#include "../model/signames.h"
#include "op.h"

/* The plan's layout (scenarios/race.c builds it so). */
enum {
    SLOT_DATA_R = 0,
    SLOT_DATA_W = 1,
    SLOT_BACK_R = 2,
    SLOT_BACK_W = 3,
};
#define RACE_SEMSET_RING 0 /* full, free, reply */
#define RACE_SEMSET_TURN 1 /* one per mechanism, in turn */
#define RACE_FILE_DATA 0   /* FIFO paths */
#define RACE_FILE_BACK 1
#define RACE_SHM_SYSV 0
#define RACE_SHM_POSIX 1

/* ---- in the child ------------------------------------------------------ */

/* The sender's mechanism: arg0 the first, counted on by its instance. */
static int tx_mech(const struct runner *r, const struct op *op)
{
    return op->arg0 + r->instance - 1;
}

static int turn_op(struct runner *r, int k, short delta)
{
    struct sembuf b = {(unsigned short)k, delta, 0};
    int rc;
    do
        rc = semop(r->semids[RACE_SEMSET_TURN], &b, 1);
    while (rc < 0 && errno == EINTR);
    return rc;
}

/* race_open: arg0 the first mechanism (by instance), arg1 the message size,
 * arg2 1: in turn, count the messages, flags unused; ping-pong in arg3. */
static int run_race_open(struct runner *r, const struct op *op)
{
    int mech = tx_mech(r, op), k = r->instance - 1;
    struct event ev = runner_event(r, op, PH_BEGIN);
    ev.race.mech = mech;
    ev.race.size = op->arg1;
    ev.race.msgs = op->count;
    ev.race.mode = op->arg3;
    runner_begin(r, &ev);
    if (op->arg2 && k > 0 && turn_op(r, k, 0) < 0) /* wait for zero: its turn */
        return runner_end(r, &ev, -1, errno);
    int rc = 0, fds[2];
    bool pp = op->arg3 == RACE_PINGPONG;
    switch (mech) {
    case RACE_PIPE:
        rc = pipe(fds);
        if (rc == 0) {
            runner_slot_set(r, SLOT_DATA_R, fds[0]);
            runner_slot_set(r, SLOT_DATA_W, fds[1]);
        }
        if (rc == 0 && pp && (rc = pipe(fds)) == 0) {
            runner_slot_set(r, SLOT_BACK_R, fds[0]);
            runner_slot_set(r, SLOT_BACK_W, fds[1]);
        }
        break;
    case RACE_SOCKETPAIR:
        rc = socketpair(AF_UNIX, SOCK_STREAM, 0, fds);
        if (rc == 0) { /* the sender's socket, the receiver's */
            runner_slot_set(r, SLOT_DATA_W, fds[0]);
            runner_slot_set(r, SLOT_DATA_R, fds[1]);
        }
        break;
    case RACE_FIFO:
        rc = mkfifo(r->plan->files[RACE_FILE_DATA].path, 0600);
        if (rc == 0 && pp)
            rc = mkfifo(r->plan->files[RACE_FILE_BACK].path, 0600);
        break;
    default: break; /* queue, semaphores, segments: the engine made them */
    }
    int err = errno;
    if (rc < 0 && op->arg2 && r->instance < r->instances)
        turn_op(r, r->instance, -1); /* it gives up: the next one's turn */
    return runner_end(r, &ev, rc, err);
}

struct ticker {
    struct runner *r;
    struct event ev;
    uint64_t last_ns;
};

/* Every 64 messages: a note every RACE_NOTE_MS, and a pause holds here. */
static int tick(void *ctx, const struct race_count *n)
{
    struct ticker *t = ctx;
    uint64_t now = events_now_ns();
    if (now - t->last_ns < RACE_NOTE_MS * 1000000ull)
        return 0;
    t->last_ns = now;
    if (gate_mode(t->r->gate) == GATE_PAUSE)
        gate_pass(t->r->gate);
    t->ev.t_ns = gate_clock_ns(t->r->gate, t->r->t0_ns);
    t->ev.phase = PH_NOTE;
    t->ev.race.msgs = n->msgs;
    t->ev.race.bytes = n->bytes;
    t->ev.race.bad = (int32_t)n->bad;
    runner_send(t->r, &t->ev);
    return 0;
}

static void close_slot(struct runner *r, int s)
{
    int fd = runner_slot(r, s);
    if (fd >= 0)
        close(fd);
    runner_slot_set(r, s, -1);
}

static int open_fifo(struct runner *r, int file, int flags)
{
    int fd;
    do
        fd = open(r->plan->files[file].path, flags | O_CLOEXEC);
    while (fd < 0 && errno == EINTR);
    return fd;
}

/* Both sides' channel: tx true for the sender. Closes the ends this side
 * does not use, so a side that dies leaves the other EOF or EPIPE. */
static int make_chan(struct runner *r, const struct op *op, int mech, bool tx, struct race_chan *c)
{
    memset(c, 0, sizeof *c);
    c->mech = mech;
    c->mode = op->arg3;
    c->size = op->arg1;
    c->count = op->count;
    c->fd[0] = c->fd[1] = c->back[0] = c->back[1] = -1;
    bool pp = c->mode == RACE_PINGPONG;
    switch (mech) {
    case RACE_PIPE:
        close_slot(r, tx ? SLOT_DATA_R : SLOT_DATA_W);
        close_slot(r, tx ? SLOT_BACK_W : SLOT_BACK_R);
        c->fd[0] = runner_slot(r, SLOT_DATA_R);
        c->fd[1] = runner_slot(r, SLOT_DATA_W);
        c->back[0] = runner_slot(r, SLOT_BACK_R);
        c->back[1] = runner_slot(r, SLOT_BACK_W);
        break;
    case RACE_SOCKETPAIR: {
        close_slot(r, tx ? SLOT_DATA_R : SLOT_DATA_W);
        int s = runner_slot(r, tx ? SLOT_DATA_W : SLOT_DATA_R);
        c->fd[0] = c->fd[1] = c->back[0] = c->back[1] = s;
        break;
    }
    case RACE_FIFO:
        /* The same order on both sides: data first, then the echoes. */
        if (tx) {
            c->fd[1] = open_fifo(r, RACE_FILE_DATA, O_WRONLY);
            if (c->fd[1] >= 0)
                runner_slot_set(r, SLOT_DATA_W, c->fd[1]);
            if (c->fd[1] >= 0 && pp && (c->back[0] = open_fifo(r, RACE_FILE_BACK, O_RDONLY)) >= 0)
                runner_slot_set(r, SLOT_BACK_R, c->back[0]);
        } else {
            c->fd[0] = open_fifo(r, RACE_FILE_DATA, O_RDONLY);
            if (c->fd[0] >= 0)
                runner_slot_set(r, SLOT_DATA_R, c->fd[0]);
            if (c->fd[0] >= 0 && pp && (c->back[1] = open_fifo(r, RACE_FILE_BACK, O_WRONLY)) >= 0)
                runner_slot_set(r, SLOT_BACK_W, c->back[1]);
        }
        if ((tx ? c->fd[1] : c->fd[0]) < 0 || (pp && (tx ? c->back[0] : c->back[1]) < 0))
            return -1;
        break;
    case RACE_MSGQ: c->msqid = r->msqids[0]; break;
    case RACE_SYSVSHM:
        c->semid = r->semids[RACE_SEMSET_RING];
        c->shm = r->shm[RACE_SHM_SYSV];
        break;
    case RACE_POSIXSHM: c->shm = r->shm[RACE_SHM_POSIX]; break;
    default: errno = EINVAL; return -1;
    }
    if ((mech == RACE_SYSVSHM || mech == RACE_POSIXSHM) && !c->shm) {
        errno = EFAULT;
        return -1;
    }
    return 0;
}

/* race_send (arg0 the first mechanism, by instance; arg1 size; count; arg2
 * 1: in turn, the next mechanism's turn comes when it ends; arg3 mode) and
 * race_recv (arg0 its mechanism). */
static int run_race_side(struct runner *r, const struct op *op, bool tx)
{
    int mech = tx ? tx_mech(r, op) : op->arg0;
    struct ticker t = {.r = r, .ev = runner_event(r, op, PH_BEGIN)};
    t.ev.race.mech = mech;
    t.ev.race.size = op->arg1;
    t.ev.race.msgs = op->count;
    t.ev.race.mode = op->arg3;
    runner_begin(r, &t.ev);
    struct race_chan c;
    struct race_count n = {0, 0, 0};
    if (tx) /* a receiver gone is an EPIPE to tell, and the next one's turn still comes */
        signal(SIGPIPE, SIG_IGN);
    int rc = make_chan(r, op, mech, tx, &c);
    if (rc == 0) {
        /* The start: the figures count from here (setup done, peer there). */
        t.last_ns = 0;
        tick(&t, &n);
        rc = tx ? race_send(&c, &n, tick, &t) : race_recv(&c, &n, tick, &t);
    }
    int err = errno;
    if (tx) /* the receiver sees EOF (a stream) once its last message is read */
        for (int s = SLOT_DATA_R; s <= SLOT_BACK_W; s++)
            close_slot(r, s);
    t.ev.race.msgs = n.msgs;
    t.ev.race.bytes = n.bytes;
    t.ev.race.bad = (int32_t)n.bad;
    int k = r->instance; /* the next mechanism's turn */
    if (tx && op->arg2 && k < r->instances)
        turn_op(r, k, -1);
    return runner_end(r, &t.ev, rc, err);
}

static int run_race_send(struct runner *r, const struct op *op)
{
    return run_race_side(r, op, true);
}

static int run_race_recv(struct runner *r, const struct op *op)
{
    return run_race_side(r, op, false);
}

/* ---- in the model ------------------------------------------------------ */

static void doing_race(const struct event *ev, char *buf, size_t len)
{
    const char *name = race_mech_name(ev->race.mech);
    if (ev->op == OP_RACE_OPEN)
        snprintf(buf, len, "sets up the %s", name);
    else if (ev->op == OP_RACE_SEND)
        snprintf(buf, len, "sends through the %s", name);
    else
        snprintf(buf, len, "receives from the %s", name);
}

static struct model_race_lane *lane(struct model *m, const struct event *ev)
{
    int k = ev->race.mech;
    return k >= 0 && k < RACE__N ? &m->race.lane[k] : NULL;
}

static void apply_race(struct model *m, const struct event *ev, struct op_ctx *cx)
{
    (void)cx;
    struct model_race_lane *l = lane(m, ev);
    if (!l)
        return;
    if (!l->used) {
        l->used = true;
        l->size = ev->race.size;
        l->count = ev->race.msgs;
        l->mode = ev->race.mode;
        m->race.present = true;
    }
    if (ev->phase == PH_END && ev->result < 0 && !l->err)
        l->err = ev->err ? ev->err : EIO;
    if (ev->op == OP_RACE_SEND) {
        if (ev->phase == PH_BEGIN)
            l->tx = ev->pid;
        else if (ev->race.msgs == 0 && ev->phase == PH_NOTE && !l->started) {
            l->started = true;
            l->t_begin = ev->t_ns;
        } else {
            l->sent = ev->race.msgs;
        }
        if (ev->phase == PH_END)
            l->tx_done = true;
    } else if (ev->op == OP_RACE_RECV) {
        if (ev->phase == PH_BEGIN) {
            l->rx = ev->pid;
            return;
        }
        if (ev->race.msgs > 0 || ev->phase == PH_END) {
            l->rcvd = ev->race.msgs;
            l->bytes = ev->race.bytes;
            l->bad = ev->race.bad;
            l->t_last = ev->t_ns;
        }
        if (ev->phase == PH_END)
            l->done = true;
    }
}

/* The figure of a lane: MB/s (stream) or microseconds per round trip. */
double model_race_figure(const struct model_race_lane *l)
{
    if (!l->started || l->t_last <= l->t_begin || l->rcvd <= 0)
        return 0;
    double s = (double)(l->t_last - l->t_begin) / 1e9;
    if (l->mode == RACE_PINGPONG)
        return s * 1e6 / (double)l->rcvd;
    return (double)l->bytes / 1e6 / s;
}

static struct model_line *story_race(struct model *m, const struct event *ev, struct op_ctx *cx)
{
    const struct model_race_lane *l = lane(m, ev);
    if (!l || ev->phase == PH_NOTE)
        return NULL;
    const char *words = race_mech_words(ev->race.mech);
    struct model_line *ln;
    if (ev->phase == PH_END && ev->result < 0) {
        ln = model_new_line(m, ev->t_ns, cx->pi, LINE_EVENT);
        model_line_say(ln, "-> failed: %s, after %lld messages", errname(ev->err),
                       (long long)ev->race.msgs);
        return ln;
    }
    if (ev->op == OP_RACE_OPEN) {
        if (ev->phase != PH_END)
            return NULL;
        ln = model_new_line(m, ev->t_ns, cx->pi, LINE_EVENT);
        model_line_say(ln, "-> %s ready: %lld messages of %d bytes, %s", words,
                       (long long)ev->race.msgs, ev->race.size,
                       ev->race.mode == RACE_PINGPONG ? "ping-pong (each waits for its echo)"
                                                      : "streamed");
        return ln;
    }
    if (ev->op == OP_RACE_SEND || ev->phase != PH_END)
        return NULL;
    ln = model_new_line(m, ev->t_ns, cx->pi, LINE_EVENT);
    double fig = model_race_figure(l);
    if (l->bad)
        model_line_say(ln, "-> %lld messages, %lld of them damaged or out of order (%s)",
                       (long long)l->rcvd, (long long)l->bad, words);
    else if (l->mode == RACE_PINGPONG)
        model_line_say(ln, "-> %lld round trips, every echo intact: %.2f us each (%s)",
                       (long long)l->rcvd, fig, words);
    else
        model_line_say(ln, "-> %lld messages, %lld bytes, intact and in order: %.1f MB/s (%s)",
                       (long long)l->rcvd, (long long)l->bytes, fig, words);
    return ln;
}

/* ---- the entries ------------------------------------------------------- */

static const struct field payload_race[] = {FLD(struct ev_race, mech),
                                            FLD(struct ev_race, size),
                                            FLD(struct ev_race, msgs),
                                            FLD(struct ev_race, bytes),
                                            FLD(struct ev_race, bad),
                                            FLD(struct ev_race, mode),
                                            FLD_END};

const struct op_entry op_entry_RACE_OPEN = {.payload = payload_race,
                                            .name = "race_open",
                                            .verb = "sets up a mechanism for the race",
                                            .run = run_race_open,
                                            .touches_fds = true,
                                            .doing = doing_race,
                                            .apply = apply_race,
                                            .story = story_race};
const struct op_entry op_entry_RACE_SEND = {.payload = payload_race,
                                            .name = "race_send",
                                            .verb = "sends the race's messages",
                                            .run = run_race_send,
                                            .touches_fds = true,
                                            .doing = doing_race,
                                            .apply = apply_race,
                                            .story = story_race};
const struct op_entry op_entry_RACE_RECV = {.payload = payload_race,
                                            .name = "race_recv",
                                            .verb = "receives and checks the race's messages",
                                            .run = run_race_recv,
                                            .touches_fds = true,
                                            .doing = doing_race,
                                            .apply = apply_race,
                                            .story = story_race};
