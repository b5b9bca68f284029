/* fdpass.c — the `fdpass` scenario: two unrelated processes (both started by
 * ipcplay, sharing nothing). The receiver listens on a UNIX socket path; the
 * sender opens a file the scenario created, connects, and hands its fd over
 * with SCM_RIGHTS. The receiver gets a different fd number for the same open
 * file description: they read in turn (a one-byte token on the socket says
 * whose turn it is) and each read starts where the other's ended — one shared
 * offset. The sender closes its copy; the receiver reads on to EOF.
 * Knob that breaks the claims: pass=path (the receiver opens the file
 * itself: same inode, but its own offset). */
#include <stdio.h>

#include "scenario.h"
#include "../model/i18n.h"

enum { P_BYTES, P_CHUNK, P_TURNS, P_GAP, P_PASS, P__N };

static const char *const pass_choices[] = {"fd", "path", NULL};

static const struct param_def params[] = {
    [P_BYTES] = {"bytes", PARAM_INT, 96, 1, 65536, NULL, N_("size of the file they read")},
    [P_CHUNK] = {"chunk", PARAM_INT, 16, 1, 4096, NULL, N_("bytes per read")},
    [P_TURNS] = {"turns", PARAM_INT, 2, 1, 10, NULL,
                 N_("reads each before the sender closes its fd")},
    [P_GAP] = {"gap", PARAM_MS, 3400, 0, 10000, NULL, N_("time between steps")},
    [P_PASS] = {"pass", PARAM_ENUM, 0, 0, 0, pass_choices,
                N_("fd: SCM_RIGHTS; path: send nothing, the receiver opens the file by name")},
};

enum { F_DATA, F_SOCK };
enum { R_SENDER, R_RECEIVER };
/* slots: sender 0 file, 1 socket; receiver 0 listening, 1 connection, 2 file */
enum { S_FILE = 0, S_SOCK = 1, S_LISTEN = 0, S_CONN = 1, S_GOT = 2 };

#define OP(r, ...) plan_op(r, (struct op){__VA_ARGS__})

static int build(const long *v, struct plan *p, char *err, size_t errlen)
{
    long in_turns = 2 * v[P_TURNS] * v[P_CHUNK];
    if (v[P_BYTES] <= in_turns) {
        snprintf(err, errlen,
                 _("bytes=%ld leaves nothing to read after the sender closes its "
                   "fd: make it more than 2 x turns x chunk = %ld"),
                 v[P_BYTES], in_turns);
        return -1;
    }
    int32_t chunk = (int32_t)v[P_CHUNK], gap = (int32_t)v[P_GAP];
    bool by_path = v[P_PASS] == 1;
    p->observe = 1;
    plan_add_file(p, PLANF_FILE, "data.txt", (int)v[P_BYTES]);
    plan_add_file(p, PLANF_SOCKET, "sock", 0);
    struct plan_role *s = plan_add_role(p, "sender", 1);
    struct plan_role *r = plan_add_role(p, "receiver", 1);
    struct op token_out = {.kind = OP_WRITE, .obj = -1, .arg0 = S_SOCK, .arg1 = 1, .count = 1};
    struct op token_in = {.kind = OP_READ, .obj = -1, .arg0 = S_SOCK, .arg1 = 1, .count = 1};
    struct op read_chunk = {
        .kind = OP_READ, .obj = F_DATA, .arg1 = chunk, .count = chunk, .flags = OPF_PATTERN};

    OP(s, .kind = OP_OPEN, .obj = F_DATA, .arg0 = S_FILE, .arg1 = 0);
    OP(s, .kind = OP_CONNECT, .obj = F_SOCK, .arg0 = S_SOCK);
    if (by_path)
        plan_op(s, token_out);
    else
        OP(s, .kind = OP_SENDFD, .arg0 = S_SOCK, .arg1 = S_FILE);
    OP(s, .kind = OP_SLEEP, .ms = gap);
    int rep = OP(s, .kind = OP_REPEAT, .count = (int32_t)v[P_TURNS]);
    read_chunk.arg0 = S_FILE;
    plan_op(s, read_chunk);
    OP(s, .kind = OP_SLEEP, .ms = gap);
    plan_op(s, token_out);
    plan_op(s, token_in);
    plan_end_repeat(s, rep);
    OP(s, .kind = OP_CLOSE, .arg0 = S_FILE);
    plan_op(s, token_out);
    OP(s, .kind = OP_SLEEP, .ms = gap);
    OP(s, .kind = OP_CLOSE, .arg0 = S_SOCK);
    OP(s, .kind = OP_EXIT, .arg1 = 0);

    OP(r, .kind = OP_LISTEN, .obj = F_SOCK, .arg0 = S_LISTEN);
    OP(r, .kind = OP_ACCEPT, .arg0 = S_LISTEN, .arg1 = S_CONN);
    token_in.arg0 = token_out.arg0 = S_CONN;
    if (by_path) {
        plan_op(r, token_in);
        OP(r, .kind = OP_OPEN, .obj = F_DATA, .arg0 = S_GOT, .arg1 = 0);
    } else {
        /* Let the fd sit in flight until the sampler has shown it (scm_fds),
         * and a moment more: the moment the chapter is about. */
        OP(r, .kind = OP_HOLD, .arg0 = SEEN_SCM, .arg1 = -1, .ms = PLAN_MOMENT_MS);
        OP(r, .kind = OP_RECVFD, .arg0 = S_CONN, .arg1 = S_GOT);
    }
    rep = OP(r, .kind = OP_REPEAT, .count = (int32_t)v[P_TURNS]);
    plan_op(r, token_in);
    read_chunk.arg0 = S_GOT;
    plan_op(r, read_chunk);
    OP(r, .kind = OP_SLEEP, .ms = gap);
    plan_op(r, token_out);
    plan_end_repeat(r, rep);
    plan_op(r, token_in); /* the sender has closed its fd */
    read_chunk.count = 0;
    read_chunk.flags |= OPF_EOF;
    plan_op(r, read_chunk);
    OP(r, .kind = OP_CLOSE, .arg0 = S_GOT);
    OP(r, .kind = OP_CLOSE, .arg0 = S_CONN);
    OP(r, .kind = OP_CLOSE, .arg0 = S_LISTEN);
    OP(r, .kind = OP_EXIT, .arg1 = 0);
    return 0;
}

static pid_t pid_of(const struct model *m, int role)
{
    for (int i = 0; i < m->nprocs; i++)
        if (m->procs[i].role == role)
            return m->procs[i].pid;
    return 0;
}

static void judge(struct model *m, const long *v, int final)
{
    /* Not reached yet is a failure only when the run ended by itself; a run
     * stopped early (final 2) leaves it pending. */
    int pend = final == 1 ? CHECK_FAILED : CHECK_PENDING;
    long long size = v[P_BYTES];
    pid_t sender = pid_of(m, R_SENDER), receiver = pid_of(m, R_RECEIVER);

    /* Same file: the receiver's fd leads to the sender's inode. */
    long long s_ino = model_fact(m, "open.1.ino", -1);
    long long r_ino =
        v[P_PASS] ? model_fact(m, "open.2.ino", -2) : model_fact(m, "fdpass.recv_ino", -2);
    long long s_fd = model_fact(m, "open.1.fd", -1);
    long long r_fd =
        v[P_PASS] ? model_fact(m, "open.2.fd", -1) : model_fact(m, "fdpass.recv_fd", -1);
    if (s_ino == r_ino &&
        (v[P_PASS] || model_fact(m, "fdpass.sent_dev", 0) == model_fact(m, "fdpass.recv_dev", 1)))
        model_set_check(m, "same_file", CHECK_OK,
                        _("sender's fd %lld and receiver's fd %lld: same device and inode %lld"),
                        s_fd, r_fd, s_ino);
    else
        model_set_check(m, "same_file", pend, _("inodes %lld and %lld"), s_ino, r_ino);

    /* Reads in turn: each starts where the previous (either process's) ended.
     * A record stands for one process's reads that continued each other. */
    int alternations = 0, gaps = 0, reads = 0;
    long long expect = 0, covered = 0;
    bool all_ok = true;
    for (int i = 0; i < m->nchunks; i++) {
        const struct model_chunk *c = &m->chunks[i];
        if (c->off != expect)
            gaps++;
        if (i > 0 && c->pid != m->chunks[i - 1].pid)
            alternations++;
        expect = c->off + c->n;
        covered += c->n;
        reads += c->reads;
        all_ok = all_ok && c->ok;
    }
    if (m->chunks_lost > 0)
        model_set_check(m, "shared_offset", pend, _("%lld reads could not be recorded"),
                        m->chunks_lost);
    else if (gaps == 0 && alternations > 0)
        model_set_check(m, "shared_offset", CHECK_OK,
                        _("%d reads by both in turn, each where the other's ended: one offset"),
                        reads);
    else if (gaps > 0)
        model_set_check(m, "shared_offset", CHECK_FAILED,
                        _("%d read(s) did not start where the previous one ended: two offsets"),
                        gaps);
    else
        model_set_check(m, "shared_offset", pend, _("%d reads so far"), reads);

    if (m->chunks_lost > 0)
        model_set_check(m, "content", pend, _("%lld reads could not be recorded"), m->chunks_lost);
    else if (covered == size && gaps == 0 && all_ok && m->nchunks > 0)
        model_set_check(m, "content", CHECK_OK,
                        _("all %lld bytes read once, in order, each the file's own"), size);
    else if (final != 1 && gaps == 0 && all_ok && covered <= size)
        model_set_check(m, "content", CHECK_PENDING, _("%lld of %lld bytes read"), covered, size);
    else
        model_set_check(m, "content", CHECK_FAILED, _("%lld bytes read for a %lld-byte file%s"),
                        covered, size, all_ok ? "" : _(", some of them wrong"));

    /* The sender closed its fd; did the receiver carry on? */
    char key[28];
    snprintf(key, sizeof key, "close.%d.%d", (int)sender % 10000000, (int)(s_fd % 1000));
    long long at = model_fact(m, key, -1);
    int after = 0;
    for (int i = at < 0 ? m->nchunks : (int)at; i < m->nchunks; i++)
        if (m->chunks[i].pid == receiver && m->chunks[i].n > 0)
            after += m->chunks[i].reads;
    if (at >= 0 && after > 0 && expect == size)
        model_set_check(m, "carried_on", CHECK_OK,
                        _("after the sender closed fd %lld, the receiver read %d more time(s) "
                          "to EOF"),
                        s_fd, after);
    else
        model_set_check(m, "carried_on", pend, _("the receiver has not read on after the close"));
}

/* Knobs that break a check on purpose: told as such, not as a failure. */
static const struct param_break breaks[] = {
    {"pass", "*"},
    {NULL, NULL},
};

const struct scenario_def scenario_fdpass = {
    .breaks = breaks,
    .name = "fdpass",
    .summary = N_("an open fd handed to an unrelated process over a UNIX socket (SCM_RIGHTS)"),
    .watch = N_("The receiver listens on a socket file in the run directory; the sender opens "
                "data.txt and sends the fd with SCM_RIGHTS: while in flight, the receiver's "
                "socket shows scm_fds 1 in fdinfo. The receiver gets its own fd NUMBER for the "
                "same open file: same inode, and one offset — watch pos move in both fd tables "
                "as they read in turn. The sender closes its copy; the receiver reads on to EOF."),
    .params = params,
    .nparams = P__N,
    .build = build,
    .judge = judge,
};
