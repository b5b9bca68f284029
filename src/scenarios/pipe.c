/* pipe.c — the `pipe` scenario: bytes from one process to another through
 * a pipe (parent to child, unused ends closed), two pipes (duplex), a
 * socketpair (both ways on one pair), or a FIFO (two unrelated processes
 * meet at a path). The reader sleeps in read() on the empty pipe until data
 * comes, and sees EOF only when the last write end is closed; with the
 * reader gone, the writer gets SIGPIPE (or EPIPE when it ignores SIGPIPE).
 * Every byte is checksummed by both sides. Knobs that break a claim:
 * close_reader=on (nothing arrives), close_unused=off (no EOF). */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <sys/wait.h>

#include "../model/pattern.h"
#include "scenario.h"
#include "../model/i18n.h"

enum { P_MODE, P_BYTES, P_CHUNK, P_GAP, P_CLOSE_READER, P_CLOSE_UNUSED, P_SIGPIPE, P_PROBE, P__N };
enum { M_PIPE, M_DUPLEX, M_SOCKETPAIR, M_FIFO };

static const char *const mode_choices[] = {"pipe", "duplex", "socketpair", "fifo", NULL};
static const char *const sigpipe_choices[] = {"default", "ignore", NULL};

static const struct param_def params[] = {
    [P_MODE] =
        {"mode", PARAM_ENUM, M_PIPE, 0, 0, mode_choices,
         N_("pipe: parent to child; duplex: two pipes; socketpair; fifo: unrelated processes")},
    [P_BYTES] = {"bytes", PARAM_INT, 4096, 1, 1 << 20, NULL, N_("bytes sent each way")},
    [P_CHUNK] = {"chunk", PARAM_INT, 512, 1, 65536, NULL, N_("bytes per write() and read()")},
    [P_GAP] = {"gap", PARAM_MS, 2500, 0, 10000, NULL, N_("time between writes")},
    [P_CLOSE_READER] = {"close_reader", PARAM_BOOL, 0, 0, 1, NULL,
                        N_("the reader closes its end and exits before the writer writes")},
    [P_CLOSE_UNUSED] = {"close_unused", PARAM_BOOL, 1, 0, 1, NULL,
                        N_("after fork each side closes the ends it does not use (off: no EOF)")},
    [P_SIGPIPE] =
        {"sigpipe", PARAM_ENUM, 0, 0, 0, sigpipe_choices,
         N_("the writer's SIGPIPE: default (it is killed) or ignore (write fails EPIPE)")},
    [P_PROBE] =
        {"probe", PARAM_BOOL, 0, 0, 1, NULL,
         N_("mode=fifo: before its own open the reader tries open(O_WRONLY|O_NONBLOCK) while "
            "nobody reads: ENXIO")},
};

enum { R_A, R_B };               /* parent/child, or writer/reader for fifo */
enum { S_AR, S_AW, S_BR, S_BW }; /* slots: pipe A read/write, pipe B read/write */
enum { F_FIFO };

#define OP(r, ...) plan_op(r, (struct op){__VA_ARGS__})

/* What every mode's roles share: the two roles, the sizes, and whether the
 * reader leaves without reading (close_reader) or the unused ends are
 * closed (close_unused). */
struct pipe_plan {
    struct plan_role *a, *b;
    int32_t bytes, chunk, gap;
    bool gone, cu, probe;
    struct op hold, wait_child;
};

static void build_pipe(const struct pipe_plan *x)
{
    struct plan_role *a = x->a, *b = x->b;
    int32_t bytes = x->bytes, chunk = x->chunk, gap = x->gap;
    bool gone = x->gone, cu = x->cu;
    OP(a, .kind = OP_PIPE, .arg0 = S_AR, .arg1 = S_AW);
    OP(a, .kind = OP_FORK, .arg0 = R_B, .count = 1);
    if (cu) {
        OP(a, .kind = OP_CLOSE, .arg0 = S_AR);
        OP(b, .kind = OP_CLOSE, .arg0 = S_AW);
    }
    plan_op(a, x->hold);
    OP(a, .kind = OP_WRITE, .obj = 0, .arg0 = S_AW, .arg1 = chunk, .count = bytes, .ms = gap);
    OP(a, .kind = OP_SLEEP, .ms = gap);
    OP(a, .kind = OP_CLOSE, .arg0 = S_AW);
    plan_op(a, x->wait_child);
    if (gone) {
        OP(b, .kind = OP_CLOSE, .arg0 = S_AR);
    } else {
        OP(b, .kind = OP_READ, .obj = 0, .arg0 = S_AR, .arg1 = chunk, .count = bytes, .ms = gap,
           .flags = OPF_EOF);
        OP(b, .kind = OP_CLOSE, .arg0 = S_AR);
    }
}

static void build_duplex(const struct pipe_plan *x)
{
    struct plan_role *a = x->a, *b = x->b;
    int32_t bytes = x->bytes, chunk = x->chunk, gap = x->gap;
    bool gone = x->gone, cu = x->cu;
    OP(a, .kind = OP_PIPE, .arg0 = S_AR, .arg1 = S_AW);
    OP(a, .kind = OP_PIPE, .arg0 = S_BR, .arg1 = S_BW);
    OP(a, .kind = OP_FORK, .arg0 = R_B, .count = 1);
    if (cu) {
        OP(a, .kind = OP_CLOSE, .arg0 = S_AR);
        OP(a, .kind = OP_CLOSE, .arg0 = S_BW);
        OP(b, .kind = OP_CLOSE, .arg0 = S_AW);
        OP(b, .kind = OP_CLOSE, .arg0 = S_BR);
    }
    plan_op(a, x->hold);
    OP(a, .kind = OP_WRITE, .obj = 0, .arg0 = S_AW, .arg1 = chunk, .count = bytes, .ms = gap);
    OP(a, .kind = OP_SLEEP, .ms = gap);
    OP(a, .kind = OP_CLOSE, .arg0 = S_AW);
    if (!gone) {
        OP(a, .kind = OP_READ, .obj = 1, .arg0 = S_BR, .arg1 = chunk, .count = bytes, .ms = gap,
           .flags = OPF_EOF);
        OP(a, .kind = OP_CLOSE, .arg0 = S_BR);
    }
    plan_op(a, x->wait_child);
    if (gone) {
        OP(b, .kind = OP_CLOSE, .arg0 = S_AR);
    } else {
        OP(b, .kind = OP_READ, .obj = 0, .arg0 = S_AR, .arg1 = chunk, .count = bytes, .ms = gap,
           .flags = OPF_EOF);
        OP(b, .kind = OP_CLOSE, .arg0 = S_AR);
        OP(b, .kind = OP_WRITE, .obj = 1, .arg0 = S_BW, .arg1 = chunk, .count = bytes, .ms = gap);
        OP(b, .kind = OP_SLEEP, .ms = gap);
        OP(b, .kind = OP_CLOSE, .arg0 = S_BW);
    }
}

static void build_socketpair(const struct pipe_plan *x)
{
    struct plan_role *a = x->a, *b = x->b;
    int32_t bytes = x->bytes, chunk = x->chunk, gap = x->gap;
    bool gone = x->gone, cu = x->cu;
    /* Slot S_AR is the parent's socket, S_AW the child's. */
    OP(a, .kind = OP_SOCKETPAIR, .arg0 = S_AR, .arg1 = S_AW);
    OP(a, .kind = OP_FORK, .arg0 = R_B, .count = 1);
    if (cu) {
        OP(a, .kind = OP_CLOSE, .arg0 = S_AW);
        OP(b, .kind = OP_CLOSE, .arg0 = S_AR);
    }
    plan_op(a, x->hold);
    OP(a, .kind = OP_WRITE, .obj = 0, .arg0 = S_AR, .arg1 = chunk, .count = bytes, .ms = gap);
    OP(a, .kind = OP_SLEEP, .ms = gap);
    if (!gone) {
        OP(a, .kind = OP_SHUTDOWN, .arg0 = S_AR);
        OP(a, .kind = OP_READ, .obj = 1, .arg0 = S_AR, .arg1 = chunk, .count = bytes, .ms = gap,
           .flags = OPF_EOF);
    }
    OP(a, .kind = OP_CLOSE, .arg0 = S_AR);
    plan_op(a, x->wait_child);
    if (gone) {
        OP(b, .kind = OP_CLOSE, .arg0 = S_AW);
    } else {
        OP(b, .kind = OP_READ, .obj = 0, .arg0 = S_AW, .arg1 = chunk, .count = bytes, .ms = gap,
           .flags = OPF_EOF);
        OP(b, .kind = OP_WRITE, .obj = 1, .arg0 = S_AW, .arg1 = chunk, .count = bytes, .ms = gap);
        OP(b, .kind = OP_SLEEP, .ms = gap);
        OP(b, .kind = OP_CLOSE, .arg0 = S_AW);
    }
}

/* Two processes ipcplay started, related by nothing. */
static void build_fifo(const struct pipe_plan *x)
{
    struct plan_role *a = x->a, *b = x->b;
    int32_t bytes = x->bytes, chunk = x->chunk, gap = x->gap;
    bool gone = x->gone;
    OP(b, .kind = OP_MKFIFO, .obj = F_FIFO);
    if (x->probe) /* the FIFO exists, nobody has it open yet */
        OP(b, .kind = OP_OPEN, .flags = OPF_NOWAIT, .obj = F_FIFO, .arg0 = S_BW, .arg1 = 1);
    OP(b, .kind = OP_OPEN, .obj = F_FIFO, .arg0 = S_AR, .arg1 = 0);
    if (gone) {
        OP(b, .kind = OP_CLOSE, .arg0 = S_AR);
    } else {
        OP(b, .kind = OP_READ, .obj = 0, .arg0 = S_AR, .arg1 = chunk, .count = bytes, .ms = gap,
           .flags = OPF_EOF);
        OP(b, .kind = OP_CLOSE, .arg0 = S_AR);
    }
    /* Open only once the reader sleeps in its open (then the FIFO exists),
     * and a moment later: the open that blocks stays on screen. */
    OP(a, .kind = OP_HOLD, .arg0 = SEEN_OPEN, .arg1 = R_B, .ms = PLAN_MOMENT_MS);
    OP(a, .kind = OP_OPEN, .obj = F_FIFO, .arg0 = S_AW, .arg1 = 1);
    plan_op(a, x->hold);
    OP(a, .kind = OP_WRITE, .obj = 0, .arg0 = S_AW, .arg1 = chunk, .count = bytes, .ms = gap);
    OP(a, .kind = OP_SLEEP, .ms = gap);
    OP(a, .kind = OP_CLOSE, .arg0 = S_AW);
}

static int build(const long *v, struct plan *p, char *err, size_t errlen)
{
    int mode = (int)v[P_MODE];
    struct pipe_plan x = {.bytes = (int32_t)v[P_BYTES],
                          .chunk = (int32_t)v[P_CHUNK],
                          .gap = (int32_t)v[P_GAP],
                          .gone = v[P_CLOSE_READER],
                          .cu = v[P_CLOSE_UNUSED] || mode == M_FIFO,
                          .probe = v[P_PROBE] != 0};
    if (x.probe && mode != M_FIFO) {
        snprintf(err, errlen, _("probe=on goes with mode=fifo"));
        return -1;
    }
    if (x.gone && !x.cu && x.bytes > 4096) {
        snprintf(err, errlen,
                 _("close_reader=on with close_unused=off: the writer's own read "
                   "end keeps the pipe open, so %d bytes could block it forever; "
                   "use bytes=4096 or less"),
                 x.bytes);
        return -1;
    }
    p->observe = 1;
    if (mode == M_FIFO) {
        plan_add_file(p, PLANF_FIFO, "fifo", 0);
        x.a = plan_add_role(p, "writer", 1);
        x.b = plan_add_role(p, "reader", 1);
    } else {
        x.a = plan_add_role(p, "parent", 1);
        x.b = plan_add_role(p, "child", 0);
    }
    if (v[P_SIGPIPE])
        OP(x.a, .kind = OP_SIGIGN, .arg0 = SIGPIPE);
    x.hold = x.gone ? (struct op){.kind = OP_HOLD, .arg0 = SEEN_EXITED, .arg1 = R_B}
                    : (struct op){.kind = OP_HOLD, .arg0 = SEEN_READ, .arg1 = R_B};
    x.wait_child = (struct op){.kind = OP_WAIT, .arg0 = 1, .arg1 = 1};
    static void (*const builders[])(const struct pipe_plan *) = {[M_PIPE] = build_pipe,
                                                                 [M_DUPLEX] = build_duplex,
                                                                 [M_SOCKETPAIR] = build_socketpair,
                                                                 [M_FIFO] = build_fifo};
    builders[mode](&x);
    struct op leave = {.kind = OP_EXIT, .arg1 = 0};
    plan_op(x.a, leave);
    plan_op(x.b, leave);
    return 0;
}

static bool killed_by_sigpipe(const struct model *m)
{
    for (int i = 0; i < m->nprocs; i++) {
        const struct model_proc *p = &m->procs[i];
        if (p->role >= 0 && p->exited && WIFSIGNALED(p->wait_status) &&
            WTERMSIG(p->wait_status) == SIGPIPE)
            return true;
    }
    return false;
}

static void judge(struct model *m, const long *v, int final)
{
    int mode = (int)v[P_MODE];
    int nstreams = mode == M_DUPLEX || mode == M_SOCKETPAIR ? 2 : 1;
    bool gone = v[P_CLOSE_READER];
    long long bytes = v[P_BYTES];
    /* Not reached yet is a failure only when the run ended by itself; a run
     * stopped early (final 2) leaves it pending. */
    int pend = final == 1 ? CHECK_FAILED : CHECK_PENDING;

    int ok = 0, eofs = 0;
    char why[96] = "";
    for (int s = 0; s < nstreams && s < MODEL_MAX_STREAMS; s++) {
        const struct model_stream *st = &m->streams[s];
        long long expect = (long long)pattern_sum(s, (uint64_t)bytes);
        if (st->written == bytes && st->read == bytes && st->wsum == st->rsum && st->rsum == expect)
            ok++;
        else if (!why[0])
            snprintf(why, sizeof why, _("stream %d: %lld written, %lld read%s"), s, st->written,
                     st->read,
                     st->read == st->written && st->rsum != st->wsum ? _(", checksums differ")
                                                                     : "");
        if (st->eof)
            eofs++;
    }
    if (ok == nstreams)
        model_set_check(m, "delivery", CHECK_OK,
                        _("%lld bytes each way, %d way(s): all arrived once, in order (checksum)"),
                        bytes, nstreams);
    else
        model_set_check(m, "delivery", pend, "%s", why);

    if (v[P_PROBE]) {
        if (model_fact(m, "fifo.enxio", 0))
            model_set_check(m, "fifo_enxio", CHECK_OK,
                            _("O_NONBLOCK open for writing with no reader failed with ENXIO"));
        else
            model_set_check(m, "fifo_enxio", pend, _("no ENXIO seen (yet)"));
        bool slept = false;
        for (int i = 0; i < m->nprocs; i++)
            slept |= m->procs[i].role == R_B && (m->procs[i].seen & SEEN_OPEN);
        if (slept)
            model_set_check(m, "fifo_open_blocks", CHECK_OK,
                            _("the reader was seen asleep in open until the writer opened"));
        else
            model_set_check(m, "fifo_open_blocks", pend,
                            _("the reader not seen asleep in open (yet)"));
    }
    if (gone) {
        bool epipe = m->streams[0].werr == EPIPE, killed = killed_by_sigpipe(m);
        if (killed || epipe)
            model_set_check(m, "sigpipe", CHECK_OK, _("the reader was gone: the writer %s"),
                            killed ? _("was killed by SIGPIPE") : _("got EPIPE (SIGPIPE ignored)"));
        else
            model_set_check(m, "sigpipe", pend, _("no SIGPIPE or EPIPE seen (yet)"));
        return;
    }
    if (eofs == nstreams)
        model_set_check(m, "eof", CHECK_OK,
                        _("every reader saw read() return 0 once the last write end was closed"));
    else if (m->streams[0].rerr == ETIMEDOUT || m->streams[1].rerr == ETIMEDOUT)
        model_set_check(m, "eof", CHECK_FAILED,
                        _("no EOF: a write end stayed open (close_unused=off: the reader's own)"));
    else
        model_set_check(m, "eof", pend, _("%d of %d readers saw EOF"), eofs, nstreams);

    bool blocked = false;
    for (int i = 0; i < m->nprocs; i++)
        if (m->procs[i].role >= 0 && (m->procs[i].seen & SEEN_READ))
            blocked = true;
    if (blocked)
        model_set_check(m, "reader_blocked", CHECK_OK,
                        _("a reader was seen asleep in read() on an empty %s"),
                        mode == M_SOCKETPAIR ? _("socket")
                        : mode == M_FIFO     ? _("FIFO")
                                             : _("pipe"));
    else
        model_set_check(m, "reader_blocked", pend, _("no reader seen asleep in read() (yet)"));
}

/* Knobs that break a check on purpose: told as such, not as a failure. */
static const struct param_break breaks[] = {
    {"close_reader", "*"},
    {"close_unused", "*"},
    {NULL, NULL},
};

const struct scenario_def scenario_pipe = {
    .breaks = breaks,
    .name = "pipe",
    .summary = N_("bytes through a pipe, two pipes, a socketpair or a FIFO; EOF and SIGPIPE"),
    .watch = N_("The reader sleeps in read() on the empty pipe (state S, read(fd N pipe:[inode])) "
                "until the writer writes. Each side closes the ends it does not use: EOF (read "
                "returns 0) comes only when every write end is closed. Two pipes or a socketpair "
                "carry both directions; a FIFO lets unrelated processes meet by path (open blocks "
                "until both sides are there). close_reader=on: the writer gets SIGPIPE."),
    .params = params,
    .nparams = P__N,
    .build = build,
    .judge = judge,
};
