/* chat_model.c — how the model takes the chat family's events (m->chat:
 * the buffers and their owners, notices in flight per child, each
 * connection, what each client got from each sender) and how the story
 * tells them. Pure: no I/O. */
#include <stdio.h>
#include <string.h>

#include "../model/model.h"
#include "../model/signames.h"
#include "chat_wire.h"
#include "../model/i18n.h"

static struct model_line *line_for(struct model *m, const struct event *ev, struct op_ctx *cx)
{
    return model_new_line(m, ev->t_ns, cx->pi, LINE_EVENT);
}

static bool in_range(int k)
{
    return k >= 0 && k < CHAT_MAX;
}

#define SAY(...) model_line_say(l, __VA_ARGS__)

/* ---- serve ------------------------------------------------------------- */

void chat_doing_serve(const struct event *ev, char *buf, size_t len)
{
    snprintf(buf, len, "poll (listen, SIGCHLD, socketpairs)");
}

void chat_apply_serve(struct model *m, const struct event *ev, struct op_ctx *cx)
{
    struct model_chat *c = &m->chat;
    c->used = true;
    c->clients = ev->chat_serve.clients;
    if (ev->phase == PH_NOTE)
        c->port = ev->chat_serve.port;
    if (ev->phase == PH_END && ev->result == 0) {
        c->forked = (int)ev->chat_serve.forked;
        c->reaped = (int)ev->chat_serve.reaped;
        model_fact_set(m, "chat.served", 1);
    }
}

struct model_line *chat_story_serve(struct model *m, const struct event *ev, struct op_ctx *cx)
{
    struct model_line *l;
    if (ev->phase == PH_NOTE) {
        l = line_for(m, ev, cx);
        if (ev->chat_serve.net == CHAT_NET_TCP)
            SAY(_("socket(AF_INET) + bind(127.0.0.1:0) + listen -> fd %d on port %d (the kernel "
                  "picked it; written to the port file for the clients); SIGCHLD handler writes "
                  "to a self-pipe, poll() watches it, the listening fd and every socketpair"),
                ev->chat_serve.fd, ev->chat_serve.port);
        else
            SAY(_("socket(AF_UNIX) + bind(%s) + listen -> fd %d; SIGCHLD handler writes to a "
                  "self-pipe, poll() watches it, the listening fd and every socketpair"),
                model_file_name(m, ev->obj), ev->chat_serve.fd);
        return l;
    }
    if (ev->phase != PH_END)
        return NULL;
    l = line_for(m, ev, cx);
    if (ev->result < 0)
        SAY(_("the server could not start: %s"), errname(ev->err));
    else
        SAY(_("forked %lld children and reaped %lld in its SIGCHLD path; closes the listening "
              "socket"),
            (long long)ev->chat_serve.forked, (long long)ev->chat_serve.reaped);
    return l;
}

/* ---- accept ------------------------------------------------------------ */

void chat_doing_accept(const struct event *ev, char *buf, size_t len)
{
    snprintf(buf, len, "accept");
}

void chat_apply_accept(struct model *m, const struct event *ev, struct op_ctx *cx)
{
    m->chat.used = true;
    m->chat.accepted = ev->chat_accept.nth;
    m->chat.forked = ev->chat_accept.nth; /* one child per connection */
}

struct model_line *chat_story_accept(struct model *m, const struct event *ev, struct op_ctx *cx)
{
    struct model_line *l = line_for(m, ev, cx);
    char peer[32] = "";
    if (ev->chat_accept.peer_port)
        snprintf(peer, sizeof peer, " from 127.0.0.1:%lld", (long long)ev->chat_accept.peer_port);
    SAY(_("accept -> fd %d%s; socketpair -> its end fd %d; fork -> conn-%d (pid %lld) serves "
          "this client; the parent closes its copy of fd %d"),
        ev->chat_accept.conn, peer, ev->chat_accept.sp, ev->chat_accept.child,
        (long long)ev->chat_accept.child_pid, ev->chat_accept.conn);
    return l;
}

/* ---- store, notify, relay: the buffers and the notices ----------------- */

void chat_doing_store(const struct event *ev, char *buf, size_t len)
{
    snprintf(buf, len, "write buffer %d", ev->chat_line.buf);
}

void chat_apply_store(struct model *m, const struct event *ev, struct op_ctx *cx)
{
    int b = ev->chat_line.buf;
    if (!in_range(b))
        return;
    struct model_chat_buf *mb = &m->chat.buf[b];
    mb->owner = ev->pid;
    mb->seq = ev->chat_line.seq;
    mb->from = b + 1;
    mb->writes++;
    mb->pending = -1;
    snprintf(mb->text, sizeof mb->text, "client-%d says line %d", b + 1, ev->chat_line.seq);
    m->chat.conn[b].child = ev->pid;
    if (ev->chat_line.told > 0)
        m->chat.overwrites++;
}

struct model_line *chat_story_store(struct model *m, const struct event *ev, struct op_ctx *cx)
{
    struct model_line *l = line_for(m, ev, cx);
    if (ev->chat_line.told > 0)
        SAY(_("OVERWRITES buffer %d with line %d while %d child(ren) have not read the line it "
              "held (sync=off: nothing waits)"),
            ev->chat_line.buf, ev->chat_line.seq, ev->chat_line.told);
    else
        SAY(_("line %d from its client -> buffer %d in shared memory; tells the parent over the "
              "socketpair"),
            ev->chat_line.seq, ev->chat_line.buf);
    return l;
}

void chat_doing_notify(const struct event *ev, char *buf, size_t len)
{
    snprintf(buf, len, "notify (buffer %d)", ev->chat_line.buf);
}

void chat_apply_notify(struct model *m, const struct event *ev, struct op_ctx *cx)
{
    int b = ev->chat_line.buf;
    if (!in_range(b))
        return;
    m->chat.buf[b].pending = ev->chat_line.told;
    for (int k = 0; k < CHAT_MAX; k++)
        if (ev->chat_line.told_mask & (1ll << k))
            m->chat.inflight[k]++;
}

struct model_line *chat_story_notify(struct model *m, const struct event *ev, struct op_ctx *cx)
{
    struct model_line *l = line_for(m, ev, cx);
    char who[64] = "";
    size_t off = 0;
    for (int k = 0; k < CHAT_MAX && off < sizeof who; k++)
        if (ev->chat_line.told_mask & (1ll << k))
            off += (size_t)snprintf(who + off, sizeof who - off, "%sclient-%d's", off ? ", " : "",
                                    k + 1);
    SAY(_("buffer %d holds line %d: tells %d child(ren) (%s) over their socketpairs%s"),
        ev->chat_line.buf, ev->chat_line.seq, ev->chat_line.told, off ? who : _("none"),
        ev->chat_line.lost ? _("; one had gone (EPIPE)") : "");
    return l;
}

void chat_doing_relay(const struct event *ev, char *buf, size_t len)
{
    snprintf(buf, len, "read buffer %d", ev->chat_line.buf);
}

void chat_apply_relay(struct model *m, const struct event *ev, struct op_ctx *cx)
{
    int b = ev->chat_line.buf, k = (int)ev->chat_line.self;
    if (in_range(k) && m->chat.inflight[k] > 0)
        m->chat.inflight[k]--;
    if (in_range(b) && m->chat.buf[b].pending > 0)
        m->chat.buf[b].pending--;
    if (ev->chat_line.lost == 1)
        m->chat.stale++;
}

struct model_line *chat_story_relay(struct model *m, const struct event *ev, struct op_ctx *cx)
{
    struct model_line *l = line_for(m, ev, cx);
    if (ev->chat_line.lost == 2)
        SAY(_("its client has gone: the notice for buffer %d (line %d) is dropped unread"),
            ev->chat_line.buf, ev->chat_line.seq);
    else if (ev->chat_line.lost)
        SAY(_("STALE: told to read line %d from buffer %d, found line %d there (overwritten "
              "before it read it)"),
            ev->chat_line.seq, ev->chat_line.buf, ev->chat_line.told);
    else
        SAY(_("reads buffer %d (line %d of client-%d) and sends it to its client"),
            ev->chat_line.buf, ev->chat_line.seq, ev->chat_line.buf + 1);
    return l;
}

/* ---- the clients ------------------------------------------------------- */

void chat_doing_client(const struct event *ev, char *buf, size_t len)
{
    snprintf(buf, len, "chatting");
}

void chat_apply_client(struct model *m, const struct event *ev, struct op_ctx *cx)
{
    int k = ev->instance - 1;
    if (!in_range(k))
        return;
    m->chat.used = true;
    struct model_chat_conn *c = &m->chat.conn[k];
    c->client = ev->pid;
    if (ev->phase == PH_END) {
        c->done = true;
        c->quit = ev->chat_client.quit;
    }
}

struct model_line *chat_story_client(struct model *m, const struct event *ev, struct op_ctx *cx)
{
    if (ev->phase != PH_END)
        return NULL;
    struct model_line *l = line_for(m, ev, cx);
    if (ev->result < 0)
        SAY(_("could not connect: %s"), errname(ev->err));
    else if (ev->chat_client.quit)
        SAY(_("disconnects midway after %lld lines (shutdown SHUT_WR, then close): its child sees "
              "EOF and exits"),
            (long long)ev->chat_client.total);
    else
        SAY(_("the server closed: sent %lld lines, got %d"), (long long)ev->chat_client.total,
            ev->chat_client.seq);
    return l;
}

void chat_doing_sent(const struct event *ev, char *buf, size_t len)
{
    snprintf(buf, len, "send line %d", ev->chat_client.seq);
}

void chat_apply_sent(struct model *m, const struct event *ev, struct op_ctx *cx)
{
    int k = ev->instance - 1;
    if (in_range(k))
        m->chat.conn[k].sent = ev->chat_client.seq;
}

struct model_line *chat_story_sent(struct model *m, const struct event *ev, struct op_ctx *cx)
{
    struct model_line *l = line_for(m, ev, cx);
    SAY(_("sends line %d"), ev->chat_client.seq);
    return l;
}

void chat_doing_got(const struct event *ev, char *buf, size_t len)
{
    snprintf(buf, len, "got line %d of client-%d", ev->chat_client.seq, ev->chat_client.from);
}

/* In order per sender, each once, the sender's own text. */
void chat_apply_got(struct model *m, const struct event *ev, struct op_ctx *cx)
{
    int k = ev->instance - 1, s = ev->chat_client.from - 1;
    if (!in_range(k) || !in_range(s))
        return;
    struct model_chat_conn *c = &m->chat.conn[k];
    c->got++;
    if (ev->chat_client.seq != m->chat.last[k][s] + 1 || !ev->chat_client.ok || s == k)
        c->bad++;
    if (ev->chat_client.seq > m->chat.last[k][s])
        m->chat.last[k][s] = ev->chat_client.seq;
}

struct model_line *chat_story_got(struct model *m, const struct event *ev, struct op_ctx *cx)
{
    struct model_line *l = line_for(m, ev, cx);
    int k = ev->instance - 1, s = ev->chat_client.from - 1;
    bool next = in_range(k) && in_range(s) && ev->chat_client.ok;
    SAY(_("got line %d of client-%d%s"), ev->chat_client.seq, ev->chat_client.from,
        next ? "" : _(": NOT that sender's text"));
    return l;
}

const struct field chat_payload_serve[] = {FLD(struct ev_chat_serve, fd),
                                           FLD(struct ev_chat_serve, port),
                                           FLD(struct ev_chat_serve, net),
                                           FLD(struct ev_chat_serve, clients),
                                           FLD(struct ev_chat_serve, forked),
                                           FLD(struct ev_chat_serve, reaped),
                                           FLD_END};
const struct field chat_payload_accept[] = {FLD(struct ev_chat_accept, conn),
                                            FLD(struct ev_chat_accept, sp),
                                            FLD(struct ev_chat_accept, nth),
                                            FLD(struct ev_chat_accept, child),
                                            FLD(struct ev_chat_accept, child_pid),
                                            FLD(struct ev_chat_accept, peer_port),
                                            FLD_END};
const struct field chat_payload_line[] = {FLD(struct ev_chat_line, buf),
                                          FLD(struct ev_chat_line, seq),
                                          FLD(struct ev_chat_line, told),
                                          FLD(struct ev_chat_line, lost),
                                          FLD(struct ev_chat_line, told_mask),
                                          FLD(struct ev_chat_line, self),
                                          FLD_END};
const struct field chat_payload_client[] = {
    FLD(struct ev_chat_client, from),  FLD(struct ev_chat_client, seq),
    FLD(struct ev_chat_client, ok),    FLD(struct ev_chat_client, quit),
    FLD(struct ev_chat_client, total), FLD_END};
