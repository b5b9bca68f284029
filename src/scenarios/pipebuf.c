/* pipebuf.c — the `pipebuf` scenario: what a pipe holds and what happens at
 * its edges. mode=fill: a writer asks the pipe its capacity (F_GETPIPE_SZ)
 * and fills it while the reader (reader=slow) first waits until the writer
 * is seen asleep in write on the full pipe; nonblock=on makes both ends
 * O_NONBLOCK: the reader's first read of the empty pipe and the writer's
 * write to the full one get EAGAIN. mode=atomic: two writers write chunks of
 * their own letter into one pipe while it is full; chunks of at most
 * PIPE_BUF bytes arrive whole, larger ones can be cut by the other writer. */
#include <limits.h>
#include <stdio.h>

#include "scenario.h"
#include "../model/i18n.h"

enum { P_MODE, P_BYTES, P_CHUNK, P_READER, P_NONBLOCK, P_GAP, P__N };
enum { M_FILL, M_ATOMIC };
enum { RD_SLOW, RD_FAST };
enum { R_PARENT, R_WRITER };
enum { S_R, S_W };

static const char *const modes[] = {"fill", "atomic", NULL};
static const char *const readers[] = {"slow", "fast", NULL};

static const struct param_def params[] = {
    [P_MODE] = {"mode", PARAM_ENUM, M_FILL, 0, 1, modes,
                N_("fill: one writer fills the pipe; atomic: two writers, chunks checked whole")},
    [P_BYTES] = {"bytes", PARAM_INT, 131072, 1, 1 << 22, NULL, N_("bytes each writer writes")},
    [P_CHUNK] = {"chunk", PARAM_INT, 4096, 1, 1 << 17, NULL,
                 N_("bytes per write() (PIPE_BUF is 4096: up to it a write is atomic)")},
    [P_READER] = {"reader", PARAM_ENUM, RD_SLOW, 0, 1, readers,
                  N_("slow: reads only once the writer(s) sleep on the full pipe; fast: at once")},
    [P_NONBLOCK] = {"nonblock", PARAM_BOOL, 0, 0, 1, NULL,
                    N_("fill: O_NONBLOCK on both ends: EAGAIN instead of sleeping")},
    [P_GAP] = {"gap", PARAM_MS, 600, 0, 10000, NULL, N_("the reader's pause between reads")},
};

#define OP(r, ...) plan_op(r, (struct op){__VA_ARGS__})

static int build(const long *v, struct plan *p, char *err, size_t errlen)
{
    bool atomic = v[P_MODE] == M_ATOMIC, nb = v[P_NONBLOCK] != 0;
    bool slow = v[P_READER] == RD_SLOW;
    int32_t bytes = (int32_t)v[P_BYTES], chunk = (int32_t)v[P_CHUNK], gap = (int32_t)v[P_GAP];
    if (atomic && nb) {
        snprintf(err, errlen, _("nonblock=on goes with mode=fill"));
        return -1;
    }
    p->observe = 1; /* the board: who sleeps in write */
    struct plan_role *rd = plan_add_role(p, "reader", 1);
    struct plan_role *w = plan_add_role(p, "writer", 0);
    int nw = atomic ? 2 : 1;
    OP(rd, .kind = OP_PIPE, .arg0 = S_R, .arg1 = S_W);
    if (nb) /* before any writer exists: the empty pipe says EAGAIN */
        OP(rd, .kind = OP_DRAIN, .flags = OPF_NOWAIT, .arg0 = S_R, .arg1 = 4096, .count = -1);
    OP(rd, .kind = OP_FORK, .arg0 = R_WRITER, .count = nw);
    OP(rd, .kind = OP_CLOSE, .arg0 = S_W);
    if (nb)
        OP(rd, .kind = OP_HOLD, .arg0 = SEEN_EXITED, .arg1 = R_WRITER);
    else if (slow)
        OP(rd, .kind = OP_HOLD, .arg0 = SEEN_WRITE | SEEN_EXITED, .arg1 = R_WRITER, .count = nw,
           .ms = PLAN_MOMENT_MS); /* the writer asleep on the full pipe, on screen */
    OP(rd, .kind = OP_DRAIN, .arg0 = S_R, .arg1 = 4096, .arg2 = atomic ? chunk : 0,
       .ms = slow ? gap : 0);
    OP(rd, .kind = OP_CLOSE, .arg0 = S_R);
    for (int i = 0; i < nw; i++)
        OP(rd, .kind = OP_WAIT);
    OP(rd, .kind = OP_EXIT);

    OP(w, .kind = OP_CLOSE, .arg0 = S_R);
    OP(w, .kind = OP_PIPESZ, .arg0 = S_W);
    OP(w, .kind = OP_FILL, .flags = nb ? OPF_NOWAIT : 0, .arg0 = S_W, .arg1 = chunk,
       .count = bytes);
    OP(w, .kind = OP_CLOSE, .arg0 = S_W);
    OP(w, .kind = OP_EXIT);
    return 0;
}

static void judge_fill(struct model *m, const long *v, int pend)
{
    long long cap = model_fact(m, "pipe.cap", 0), top = model_fact(m, "pipe.queued_max", 0);
    if (cap > 0)
        model_set_check(m, "capacity", CHECK_OK,
                        _("F_GETPIPE_SZ: %lld bytes; the pipe held at most %lld at once"), cap,
                        top);
    else
        model_set_check(m, "capacity", pend, _("nobody asked the pipe its capacity (yet)"));
    if (v[P_NONBLOCK]) {
        long long re = model_fact(m, "pipe.read_eagain", 0);
        long long we = model_fact(m, "pipe.write_eagain", 0);
        if (re && we)
            model_set_check(m, "nonblock", CHECK_OK,
                            _("O_NONBLOCK: read of the empty pipe and write to the full one both "
                              "returned EAGAIN instead of sleeping"));
        else
            model_set_check(m, "nonblock", pend, _("EAGAIN seen: read %s, write %s"),
                            re ? _("yes") : _("no"), we ? _("yes") : _("no"));
        return;
    }
    long long waited = model_fact(m, "pipe.write_waited", 0);
    bool seen = false;
    for (int i = 0; i < m->nprocs; i++)
        seen |= m->procs[i].role == R_WRITER && (m->procs[i].seen & SEEN_WRITE);
    if (waited && seen)
        model_set_check(m, "writer_blocked", CHECK_OK,
                        _("the writer slept in write on the full pipe (%lld write(s) waited for "
                          "room)"),
                        waited);
    else if (pend == CHECK_FAILED && cap > 0 && v[P_BYTES] < cap)
        model_set_check(m, "writer_blocked", CHECK_FAILED,
                        _("the writer never slept: %ld bytes never fill a %lld-byte pipe"),
                        v[P_BYTES], cap);
    else
        model_set_check(m, "writer_blocked", pend, _("no write has waited for room (yet)"));
    long long got = model_fact(m, "pipe.drained", -1);
    if (got == v[P_BYTES])
        model_set_check(m, "delivery", CHECK_OK, _("all %lld bytes arrived"), got);
    else
        model_set_check(m, "delivery", pend, _("%lld of %ld bytes read"), got < 0 ? 0 : got,
                        v[P_BYTES]);
}

static void judge_atomic(struct model *m, const long *v, int pend)
{
    long long split = model_fact(m, "pipe.split", 0), chunks = model_fact(m, "pipe.chunks", 0);
    long chunk = v[P_CHUNK];
    if (!model_has_fact(m, "pipe.chunks"))
        model_set_check(m, "pipe_buf_atomic", pend, _("the reader has not reached EOF (yet)"));
    else if (split > 0)
        model_set_check(m, "pipe_buf_atomic", CHECK_FAILED,
                        _("chunks of %ld bytes were cut %lld time(s) by the other writer's "
                          "bytes (%lld chunks)%s"),
                        chunk, split, chunks,
                        chunk > PIPE_BUF ? _(" (chunk > PIPE_BUF: broken on purpose)") : "");
    else if (chunk > PIPE_BUF)
        model_set_check(m, "pipe_buf_atomic", CHECK_OK,
                        _("none of %lld chunks of %ld bytes was cut this time, but writes over "
                          "PIPE_BUF (%d) are not promised whole: timing decided"),
                        chunks, chunk, PIPE_BUF);
    else
        model_set_check(m, "pipe_buf_atomic", CHECK_OK,
                        _("none of %lld chunks of %ld bytes was cut: writes of at most PIPE_BUF "
                          "(%d) bytes are atomic"),
                        chunks, chunk, PIPE_BUF);
}

static void judge(struct model *m, const long *v, int final)
{
    int pend = final == 1 ? CHECK_FAILED : CHECK_PENDING;
    if (v[P_MODE] == M_ATOMIC)
        judge_atomic(m, v, pend);
    else
        judge_fill(m, v, pend);
}

const struct scenario_def scenario_pipebuf = {
    .name = "pipebuf",
    .summary = N_("a pipe's capacity, a writer asleep on a full pipe, O_NONBLOCK, PIPE_BUF"),
    .watch = N_("The writer asks the pipe its size (F_GETPIPE_SZ, 65536 here) and fills it; the "
                "gauge in the story climbs to full and the writer sleeps in write (state S, "
                "pipe_write) until the slow reader makes room. nonblock=on: EAGAIN instead of "
                "sleeping, at both ends. mode=atomic: two writers, one pipe: each chunk of at most "
                "PIPE_BUF bytes arrives whole; chunk=100000 lets the other writer's bytes in."),
    .params = params,
    .nparams = P__N,
    .build = build,
    .judge = judge,
};
