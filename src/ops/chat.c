/* chat.c — the chat-room family: the chapter's shared-memory chat-room
 * server and its clients (see scenarios/chatroom.c for the whole picture).
 * The server is one op that runs the classic design: listen, accept, fork a
 * child per client with a socketpair to it, and multiplex the listening
 * socket, a self-pipe its SIGCHLD handler writes to, and every socketpair
 * with poll. A child writes what its client says into its own buffer in the
 * shared area and tells the parent (the buffer's number, over the
 * socketpair); the parent tells every other child; each reads that buffer
 * and sends the line to its client, one line at a time (the client acks
 * each). With sync on, a child writes its buffer only when every reader has
 * read the last line (the buffer's `pending` is 0); with sync off it does
 * not wait, and a slow reader finds the buffer moved on.
 *
 * The wire: client -> child "H n" (hello, client n), "L n seq text", "A"
 * (ack), "E" (sent everything); child -> client "W" (everyone is here),
 * "M n seq text"; the end is EOF. Parent <-> child: struct note.
 *
 * The events: the op's own begin/end, and notes (PH_NOTE) for each step,
 * plus fork and reaped events in the proc family's form so the engine
 * tracks the children like any a role forks. This file has the processes;
 * chat_model.c how the model and the story take the events. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../engine/events.h"
#include "../engine/ops.h"
#include "chat_wire.h"
#include "op.h"

/* ---- shared by server and clients --------------------------------------- */

static int64_t now_ms(void)
{
    return (int64_t)(events_now_ns() / 1000000ull);
}

static int scaled_ms(struct runner *r, int ms)
{
    return (int)(gate_scale_ns(r->gate, ms) / 1000000ull);
}

void chat_note(struct runner *r, int op, struct event *ev)
{
    ev->t_ns = events_now_ns() - r->t0_ns;
    ev->op = (uint8_t)op;
    ev->phase = PH_NOTE;
    ev->pid = events_pid();
    ev->role = (int16_t)r->role;
    ev->instance = (int16_t)r->instance;
    runner_send(r, ev);
}

int chat_write_all(int fd, const char *buf, size_t n)
{
    while (n > 0) {
        ssize_t w = send(fd, buf, n, MSG_NOSIGNAL);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return -1;
        buf += w;
        n -= (size_t)w;
    }
    return 0;
}

/* One line out of lb (up to its '\n', which is dropped) into out; 0 none yet. */
int chat_take_line(struct chat_linebuf *lb, char *out, size_t len)
{
    char *nl = memchr(lb->data, '\n', lb->n);
    if (!nl)
        return 0;
    size_t l = (size_t)(nl - lb->data);
    snprintf(out, len, "%.*s", (int)l, lb->data);
    memmove(lb->data, nl + 1, lb->n - l - 1);
    lb->n -= l + 1;
    return 1;
}

/* Read what is there into lb; bytes read, 0 at EOF, -1 on error. */
ssize_t chat_fill(int fd, struct chat_linebuf *lb)
{
    if (lb->n >= sizeof lb->data)
        return -1;
    ssize_t n;
    do
        n = read(fd, lb->data + lb->n, sizeof lb->data - lb->n);
    while (n < 0 && errno == EINTR);
    if (n > 0)
        lb->n += (size_t)n;
    return n;
}

void chat_text(int from, int seq, char *buf, size_t len)
{
    snprintf(buf, len, "client-%d says line %d", from, seq);
}

int chat_not_a_step(struct runner *r, const struct op *op)
{
    (void)r;
    (void)op;
    errno = EINVAL;
    return -1;
}

/* ---- a client ----------------------------------------------------------- */

/* Connect to the server: TCP to 127.0.0.1 and the port it wrote in the
 * run file obj, or the UNIX socket path obj; retried until it listens. */
static int client_connect(struct runner *r, const struct op *op)
{
    const char *path = r->plan->files[op->obj].path;
    int64_t limit = now_ms() + 10000;
    for (;;) {
        int fd = -1, rc = -1;
        if (op->arg0 == CHAT_NET_TCP) {
            char buf[16] = "";
            int pf = open(path, O_RDONLY | O_CLOEXEC);
            if (pf >= 0) {
                ssize_t n = read(pf, buf, sizeof buf - 1);
                buf[n > 0 ? n : 0] = '\0';
                close(pf);
            }
            int port = atoi(buf);
            if (port > 0 && port < 65536) {
                struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
                sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
                fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
                rc = fd < 0 ? -1 : connect(fd, (struct sockaddr *)&sa, sizeof sa);
            }
        } else {
            struct sockaddr_un sa = {.sun_family = AF_UNIX};
            snprintf(sa.sun_path, sizeof sa.sun_path, "%s", path);
            fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
            rc = fd < 0 ? -1 : connect(fd, (struct sockaddr *)&sa, sizeof sa);
        }
        if (rc == 0)
            return fd;
        if (fd >= 0)
            close(fd);
        if (now_ms() > limit)
            return -1;
        runner_nap_ms(5);
    }
}

struct client {
    int fd, me, lines, sent, got, pace, slow_ms;
    bool quitter, welcomed, ack_owed;
    int64_t next_send, ack_at;
    struct chat_linebuf in;
};

static void client_got(struct runner *r, const struct op *op, struct client *c, const char *line)
{
    if (line[0] == 'W') {
        c->welcomed = true;
        c->next_send = now_ms();
        return;
    }
    int from = 0, seq = 0, off = 0;
    if (line[0] != 'M' || sscanf(line, "M %d %d %n", &from, &seq, &off) < 2)
        return;
    char want[CHAT_TEXT];
    chat_text(from, seq, want, sizeof want);
    struct event ev = runner_event(r, op, PH_NOTE);
    ev.chat_client.from = from;
    ev.chat_client.seq = seq;
    ev.chat_client.ok = off > 0 && strcmp(line + off, want) == 0;
    ev.chat_client.total = ++c->got;
    chat_note(r, OP_CHAT_GOT, &ev);
    c->ack_owed = true;
    c->ack_at = now_ms() + (c->slow_ms > 0 ? scaled_ms(r, c->slow_ms) : 0);
}

/* Send the next line; 1 when this client now leaves (the quitter). */
static int client_send(struct runner *r, const struct op *op, struct client *c)
{
    gate_pass(r->gate);
    char text[CHAT_TEXT], line[96];
    int seq = ++c->sent;
    chat_text(c->me, seq, text, sizeof text);
    snprintf(line, sizeof line, "L %d %d %s\n", c->me, seq, text);
    if (chat_write_all(c->fd, line, strlen(line)) < 0)
        return 1;
    struct event ev = runner_event(r, op, PH_NOTE);
    ev.chat_client.from = c->me;
    ev.chat_client.seq = seq;
    ev.chat_client.total = seq;
    chat_note(r, OP_CHAT_SENT, &ev);
    c->next_send = now_ms() + scaled_ms(r, c->pace);
    if (c->sent == c->lines) {
        if (c->quitter)
            return 1;
        chat_write_all(c->fd, "E\n", 2);
    }
    return 0;
}

/* The client's poll timeout: until the next line or the owed ack. */
static int client_timeout(const struct client *c)
{
    int64_t t = -1, now = now_ms();
    if (c->welcomed && c->sent < c->lines)
        t = c->next_send;
    if (c->ack_owed && (t < 0 || c->ack_at < t))
        t = c->ack_at;
    return t < 0 ? -1 : t <= now ? 0 : (int)(t - now);
}

/* client: connect (net arg0, where: run file obj), say hello, wait for
 * everyone, then send `count` lines `ms` apart while reading and acking
 * what the others say. Instance arg2 acks each line arg1 ms late (the slow
 * client); instance arg3 disconnects after half its lines. */
static int run_client(struct runner *r, const struct op *op)
{
    struct client c = {.me = r->instance, .lines = op->count, .pace = op->ms};
    c.quitter = op->arg3 == r->instance;
    c.slow_ms = op->arg2 == r->instance ? op->arg1 : 0;
    if (c.quitter)
        c.lines = op->count / 2 > 0 ? op->count / 2 : 1;
    struct event ev = runner_event(r, op, PH_BEGIN);
    runner_begin(r, &ev);
    c.fd = client_connect(r, op);
    if (c.fd < 0)
        return runner_end(r, &ev, -1, errno ? errno : ETIMEDOUT);
    char hello[24];
    snprintf(hello, sizeof hello, "H %d\n", c.me);
    chat_write_all(c.fd, hello, strlen(hello));
    for (;;) {
        struct pollfd p = {c.fd, POLLIN, 0};
        int n = poll(&p, 1, client_timeout(&c));
        if (n < 0 && errno != EINTR)
            break;
        int64_t now = now_ms();
        if (c.welcomed && c.sent < c.lines && now >= c.next_send && client_send(r, op, &c)) {
            ev.chat_client.quit = 1;
            break;
        }
        if (c.ack_owed && now >= c.ack_at) {
            c.ack_owed = false;
            chat_write_all(c.fd, "A\n", 2);
        }
        if (n > 0 && (p.revents & (POLLIN | POLLHUP | POLLERR))) {
            ssize_t got = chat_fill(c.fd, &c.in);
            char line[CHAT_LINE];
            while (chat_take_line(&c.in, line, sizeof line))
                client_got(r, op, &c, line);
            if (got <= 0)
                break; /* EOF: the server said goodbye */
        }
    }
    if (ev.chat_client.quit) {
        /* Leave cleanly: a close() with the server's lines still unread
         * would send a TCP reset, and the reset can throw away the lines
         * this client sent just before (its child would never see them).
         * Half-close, then read and drop until the child closes. */
        shutdown(c.fd, SHUT_WR);
        char sink[512];
        ssize_t got;
        do
            got = read(c.fd, sink, sizeof sink);
        while (got > 0 || (got < 0 && errno == EINTR));
    }
    close(c.fd);
    ev.chat_client.total = c.sent;
    ev.chat_client.seq = c.got;
    return runner_end(r, &ev, 0, 0);
}

/* ---- the entries ---------------------------------------------------------- */

const struct op_entry op_entry_CHAT_CLIENT = {.name = "chat_client",
                                              .verb =
                                                  "chats: connects, sends lines, reads the others'",
                                              .run = run_client,
                                              .touches_fds = true,
                                              CHAT_MODEL(client),
                                              .payload = chat_payload_client};
const struct op_entry op_entry_CHAT_SENT = {.name = "chat_sent",
                                            .verb = "sent a line",
                                            .run = chat_not_a_step,
                                            CHAT_MODEL(sent),
                                            .payload = chat_payload_client};
const struct op_entry op_entry_CHAT_GOT = {.name = "chat_got",
                                           .verb = "got a line",
                                           .run = chat_not_a_step,
                                           CHAT_MODEL(got),
                                           .payload = chat_payload_client};
