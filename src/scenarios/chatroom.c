/* chatroom.c — the `chatroom` scenario: the chapter's shared-memory chat-room
 * server, running. A server listens (TCP on 127.0.0.1 with a port the kernel
 * picks, or a UNIX socket in the run directory), forks one child per client,
 * and gives them one shared area (POSIX shm_open + mmap, or System V) with a
 * buffer per client. A child writes its client's line into its own buffer
 * and tells the parent over their socketpair; the parent tells every other
 * child which buffer to read; each sends the line to its client. The parent
 * multiplexes with poll and reaps with a SIGCHLD handler (a self-pipe).
 * Clients connect, wait until everyone is here, send `lines` lines at a
 * pace and read what the others say; one may be slow to read, one may leave
 * midway. Knob that breaks a claim: sync=off (a child writes its buffer
 * again before every reader has read it). */
#include <stdio.h>

#include "scenario.h"
#include "../model/i18n.h"

enum { P_CLIENTS, P_LINES, P_PACE, P_NET, P_KIND, P_SYNC, P_SLOW, P_SLOWNESS, P_QUIT, P__N };

static const char *const net_choices[] = {"tcp", "unix", NULL};
static const char *const kind_choices[] = {"posix", "sysv", NULL};

static const struct param_def params[] = {
    [P_CLIENTS] = {"clients", PARAM_INT, 3, 2, CHAT_MAX, NULL, N_("clients (one child each)")},
    [P_LINES] = {"lines", PARAM_INT, 4, 1, 40, NULL, N_("lines each client sends")},
    [P_PACE] = {"pace", PARAM_MS, 7000, 0, 10000, NULL, N_("a client's time between lines")},
    [P_NET] = {"net", PARAM_ENUM, 0, 0, 0, net_choices,
               N_("tcp: 127.0.0.1, a port the kernel picks; unix: a socket in the run directory")},
    [P_KIND] = {"kind", PARAM_ENUM, 0, 0, 0, kind_choices,
                N_("the shared area: shm_open + mmap, or shmget + shmat")},
    [P_SYNC] = {"sync", PARAM_BOOL, 1, 0, 1, NULL,
                N_("a child writes its buffer only once every reader has read it (off: at once)")},
    [P_SLOW] = {"slow", PARAM_INT, 0, 0, CHAT_MAX, NULL,
                N_("client N acks each line it gets `slowness` late (0: none)")},
    [P_SLOWNESS] = {"slowness", PARAM_MS, 1200, 0, 10000, NULL, N_("the slow client's delay")},
    [P_QUIT] = {"quit", PARAM_INT, 0, 0, CHAT_MAX, NULL,
                N_("client N disconnects after half its lines (0: none)")},
};

enum { R_SERVER, R_CONN, R_CLIENT };
enum { F_WHERE };

static int build(const long *v, struct plan *p, char *err, size_t errlen)
{
    int clients = (int)v[P_CLIENTS];
    if (v[P_SLOW] > clients || v[P_QUIT] > clients) {
        snprintf(err, errlen, _("slow=%ld quit=%ld: name a client from 1 to clients=%d (0: none)"),
                 v[P_SLOW], v[P_QUIT], clients);
        return -1;
    }
    if (v[P_SLOW] && v[P_SLOW] == v[P_QUIT]) {
        snprintf(err, errlen, _("the slow client and the one that quits must differ"));
        return -1;
    }
    p->observe = 1;
    int net = (int)v[P_NET];
    plan_add_file(p, net == 0 ? PLANF_FILE : PLANF_SOCKET, net == 0 ? "port" : "chat.sock", 0);
    int g = plan_add_shmseg(p, sizeof(struct chat_area), 0);
    p->shmsegs[g].kind = v[P_KIND] == 0 ? PLAN_SHM_POSIX : PLAN_SHM_SYSV;
    struct plan_role *srv = plan_add_role(p, "server", 1);
    plan_add_role(p, "conn", 0); /* forked by the server, one per client */
    struct plan_role *cl = plan_add_role(p, "client", clients);
    cl->no_shm = 1; /* a client shares nothing with the server but a socket */
    plan_op(srv, (struct op){.kind = OP_CHAT_SERVE,
                             .obj = F_WHERE,
                             .arg0 = net,
                             .arg1 = clients,
                             .arg2 = (int32_t)v[P_SYNC],
                             .arg3 = R_CONN});
    plan_op(srv, (struct op){.kind = OP_EXIT, .arg1 = 0});
    plan_op(cl, (struct op){.kind = OP_CHAT_CLIENT,
                            .obj = F_WHERE,
                            .arg0 = net,
                            .arg1 = (int32_t)v[P_SLOWNESS],
                            .arg2 = (int32_t)v[P_SLOW],
                            .arg3 = (int32_t)v[P_QUIT],
                            .count = (int32_t)v[P_LINES],
                            .ms = (int32_t)v[P_PACE]});
    plan_op(cl, (struct op){.kind = OP_EXIT, .arg1 = 0});
    return 0;
}

/* Every line reached every other client once, in order; the one that quit
 * got a clean prefix of each sender's lines. */
static void judge_delivery(struct model *m, const long *v, int pend)
{
    const struct model_chat *c = &m->chat;
    int n = (int)v[P_CLIENTS], quit = (int)v[P_QUIT] - 1;
    int bad = 0, missing = 0, due = 0, done = 0;
    for (int k = 0; k < n; k++) {
        bad += c->conn[k].bad;
        done += c->conn[k].done;
        if (k == quit)
            continue;
        for (int s = 0; s < n; s++)
            if (s != k) {
                due += c->conn[s].sent;
                missing += c->conn[s].sent - c->last[k][s];
            }
    }
    if (bad > 0)
        model_set_check(m, "every_line_once_in_order", CHECK_FAILED,
                        _("%d line(s) arrived out of order, twice or with another's text"), bad);
    else if (done == n && missing == 0 && due > 0)
        model_set_check(m, "every_line_once_in_order", CHECK_OK,
                        _("every line reached every other client once, in order per sender "
                          "(%d deliveries)"),
                        due);
    else if (done == n)
        model_set_check(m, "every_line_once_in_order", pend == CHECK_FAILED ? CHECK_FAILED : pend,
                        _("%d of %d deliveries missing"), missing, due);
    else
        model_set_check(m, "every_line_once_in_order", CHECK_PENDING,
                        _("%d of %d deliveries so far"), due - missing, due);
}

static void judge(struct model *m, const long *v, int final)
{
    int pend = final == 1 ? CHECK_FAILED : CHECK_PENDING;
    const struct model_chat *c = &m->chat;
    judge_delivery(m, v, pend);
    int n = (int)v[P_CLIENTS];
    if (c->overwrites > 0 || c->stale > 0)
        model_set_check(m, "no_overwrite", CHECK_FAILED,
                        _("%d buffer write(s) came before every reader had read the line; %d "
                          "reader(s) found the buffer moved on"),
                        c->overwrites, c->stale);
    else if (final == 1 && model_fact(m, "chat.served", 0))
        model_set_check(m, "no_overwrite", CHECK_OK,
                        _("no buffer was written again before every reader had read its line"));
    else
        model_set_check(m, "no_overwrite", pend, _("the chat goes on"));
    if (model_fact(m, "chat.served", 0) && c->forked == n && c->reaped == n)
        model_set_check(m, "every_child_reaped", CHECK_OK,
                        _("the server forked %d children and its SIGCHLD path reaped all %d"), n,
                        n);
    else if (model_fact(m, "chat.served", 0))
        model_set_check(m, "every_child_reaped", CHECK_FAILED, _("forked %d, reaped %d"), c->forked,
                        c->reaped);
    else
        model_set_check(m, "every_child_reaped", pend, _("%d of %d clients accepted"), c->accepted,
                        n);
}

const struct scenario_def scenario_chatroom = {
    .name = "chatroom",
    .summary = N_("the chapter's shared-memory chat-room server: fork per client, one buffer each, "
                  "socketpair notices, SIGCHLD + poll"),
    .watch = N_("The server accepts each client and forks a child for it. A child writes its "
                "client's line into its own buffer in the shared area and tells the parent over "
                "their socketpair; the parent tells every other child which buffer to read "
                "(watch the notices in flight); each sends it to its client. With sync on a "
                "buffer is written again only after every reader read it — a slow client "
                "(slow=N) slows its sender down; sync=off does not wait and the slow reader "
                "finds the buffer overwritten. quit=N leaves midway: its child sees EOF and exits, "
                "and the parent's SIGCHLD handler wakes poll through a self-pipe and reaps it."),
    .params = params,
    .nparams = P__N,
    .build = build,
    .judge = judge,
};
