/* chat_server.c — the chat-room server op (see chat.c for the design): the
 * parent's poll loop over the listening socket, its SIGCHLD self-pipe and a
 * socketpair per child, and the child that serves one client. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
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

static int sig_pipe[2] = {-1, -1};

static void on_sigchld(int sig)
{
    (void)sig;
    int saved = errno;
    char b = 'C';
    (void)!write(sig_pipe[1], &b, 1); /* the loop reaps: waitpid is not for a handler's */
    errno = saved;
}

static _Atomic int32_t *pending_of(struct chat_area *a, int b)
{
    return (_Atomic int32_t *)&a->buf[b].pending;
}

static int send_note(int fd, int kind, int buf, int seq)
{
    struct note n = {kind, buf, seq, 0};
    return chat_write_all(fd, (const char *)&n, sizeof n);
}

static int recv_note(int fd, struct note *n, int flags)
{
    ssize_t got;
    do
        got = recv(fd, n, sizeof *n, MSG_WAITALL | flags);
    while (got < 0 && errno == EINTR);
    return got == (ssize_t)sizeof *n ? 1 : got == 0 ? 0 : -1;
}

/* ---- the child that serves one client -------------------------------- */

#define CONN_QUEUE 64 /* a client's lines (and its "E") read but not yet stored */

struct conn {
    int fd, sp, me; /* me: its client's number - 1, -1 until hello */
    bool sync, awaiting_ack;
    struct queued {
        int seq; /* 0: the client's "E" (it sent everything) */
        char text[CHAT_TEXT];
    } q[CONN_QUEUE];
    int qh, qn;
    struct chat_linebuf in;
    struct chat_area *area;
};

/* Store the line at the queue's head: 0 done, -1 it must wait (sync: a
 * reader has not read the buffer's last line yet). */
static int conn_store(struct runner *r, const struct op *op, struct conn *c)
{
    const struct queued *l = &c->q[c->qh];
    _Atomic int32_t *pend = pending_of(c->area, c->me);
    int before = atomic_load(pend);
    if (c->sync && before != 0)
        return -1;
    gate_pass(r->gate);
    struct chat_buf *b = &c->area->buf[c->me];
    atomic_store(pend, -1);
    b->seq = l->seq;
    b->from = c->me + 1;
    b->writes++;
    memcpy(b->text, l->text, CHAT_TEXT);
    struct event ev = runner_event(r, op, PH_NOTE);
    ev.chat_line.buf = c->me;
    ev.chat_line.seq = l->seq;
    ev.chat_line.told = before;
    ev.chat_line.self = c->me;
    chat_note(r, OP_CHAT_STORE, &ev);
    send_note(c->sp, NOTE_LINE, c->me, l->seq);
    return 0;
}

/* Store what waits, in order, as far as the buffer allows; true when a
 * line is left waiting. */
static bool conn_pump(struct runner *r, const struct op *op, struct conn *c)
{
    while (c->qn > 0) {
        if (c->q[c->qh].seq == 0)
            send_note(c->sp, NOTE_DONE, c->me, 0);
        else if (conn_store(r, op, c) < 0)
            return true;
        c->qh = (c->qh + 1) % CONN_QUEUE;
        c->qn--;
    }
    return false;
}

/* Lines from the client: hello and acks at once, its lines into the queue. */
static void conn_lines(struct conn *c)
{
    char line[CHAT_LINE];
    while (chat_take_line(&c->in, line, sizeof line)) {
        int n = 0, seq = 0, off = 0;
        if (line[0] == 'H' && sscanf(line, "H %d", &n) == 1 && n >= 1 && n <= CHAT_MAX) {
            c->me = n - 1;
            send_note(c->sp, NOTE_HELLO, c->me, 0);
        } else if (line[0] == 'A') {
            c->awaiting_ack = false;
        } else if (c->me >= 0 && c->qn < CONN_QUEUE &&
                   (line[0] == 'E' ||
                    (line[0] == 'L' && sscanf(line, "L %d %d %n", &n, &seq, &off) >= 2 && off > 0 &&
                     seq > 0))) {
            struct queued *q = &c->q[(c->qh + c->qn++) % CONN_QUEUE];
            memset(q, 0, sizeof *q);
            q->seq = line[0] == 'E' ? 0 : seq;
            if (q->seq)
                snprintf(q->text, sizeof q->text, "%s", line + off);
        }
    }
}

/* A notice from the parent: read that buffer and send the line on. */
static int conn_notice(struct runner *r, const struct op *op, struct conn *c)
{
    struct note n;
    int rc = recv_note(c->sp, &n, 0);
    if (rc <= 0)
        return -1;
    if (n.kind == NOTE_START) {
        chat_write_all(c->fd, "W\n", 2);
    } else if (n.kind == NOTE_BYE) {
        shutdown(c->fd, SHUT_WR);
    } else if (n.kind == NOTE_READ && n.buf >= 0 && n.buf < CHAT_MAX) {
        gate_pass(r->gate);
        struct chat_buf *b = &c->area->buf[n.buf];
        char text[CHAT_TEXT], line[CHAT_LINE];
        int seq = b->seq, from = b->from;
        memcpy(text, b->text, CHAT_TEXT);
        text[CHAT_TEXT - 1] = '\0';
        atomic_fetch_sub(pending_of(c->area, n.buf), 1);
        snprintf(line, sizeof line, "M %d %d %s\n", from, seq, text);
        chat_write_all(c->fd, line, strlen(line));
        c->awaiting_ack = true;
        struct event ev = runner_event(r, op, PH_NOTE);
        ev.chat_line.buf = n.buf;
        ev.chat_line.seq = n.seq;
        ev.chat_line.told = seq;
        ev.chat_line.lost = seq != n.seq;
        ev.chat_line.self = c->me;
        chat_note(r, OP_CHAT_RELAY, &ev);
    }
    return 0;
}

static bool conn_pump(struct runner *r, const struct op *op, struct conn *c);

/* The client left: no more notices can land (SHUT_RD makes the parent's
 * sends fail with EPIPE); those already here are counted as read, and what
 * the client said before it left is still stored and announced. */
static void conn_leave(struct runner *r, const struct op *op, struct conn *c)
{
    shutdown(c->sp, SHUT_RD);
    struct note n;
    for (;;) {
        int got = recv_note(c->sp, &n, MSG_DONTWAIT);
        if (got != 1) {
            if (!conn_pump(r, op, c))
                break;
            runner_nap_ms(2);
            continue;
        }
        if (n.kind == NOTE_READ && n.buf >= 0 && n.buf < CHAT_MAX) {
            atomic_fetch_sub(pending_of(c->area, n.buf), 1);
            struct event ev = runner_event(r, op, PH_NOTE);
            ev.chat_line.buf = n.buf;
            ev.chat_line.seq = n.seq;
            ev.chat_line.lost = 2;
            ev.chat_line.self = c->me;
            chat_note(r, OP_CHAT_RELAY, &ev);
        }
    }
}

static _Noreturn void conn_main(struct runner *r, const struct op *op, int fd, int sp)
{
    static struct conn c;
    memset(&c, 0, sizeof c);
    c.fd = fd;
    c.sp = sp;
    c.me = -1;
    c.sync = op->arg2 != 0;
    c.area = r->shm[0];
    bool waiting = false;
    for (;;) {
        struct pollfd p[2] = {{fd, POLLIN, 0}, {sp, c.awaiting_ack ? 0 : POLLIN, 0}};
        int n = poll(p, 2, waiting ? 2 : -1);
        if (n < 0 && errno != EINTR)
            break;
        if (n > 0 && (p[0].revents & (POLLIN | POLLHUP | POLLERR))) {
            ssize_t got = chat_fill(fd, &c.in);
            conn_lines(&c);
            if (got <= 0) {
                conn_leave(r, op, &c);
                break;
            }
        }
        if (n > 0 && (p[1].revents & (POLLIN | POLLHUP | POLLERR)) && conn_notice(r, op, &c) < 0)
            break;
        waiting = conn_pump(r, op, &c);
    }
    close(fd);
    close(sp);
    _exit(0);
}

/* ---- the parent -------------------------------------------------------- */

struct kid {
    pid_t pid;
    int sp; /* -1 once closed */
    bool done, reaped;
    int client; /* its client's number - 1, from its first note; -1 */
};

struct server {
    int lfd, clients, accepted, forked, reaped, nkids, sub;
    bool byed;
    struct kid kids[CHAT_MAX];
    struct chat_area *area;
};

static int listen_on(struct runner *r, const struct op *op, struct event *ev)
{
    const char *path = r->plan->files[op->obj].path;
    int fd;
    if (op->arg0 == CHAT_NET_TCP) {
        struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = 0};
        sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK); /* loopback only */
        fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        socklen_t sl = sizeof sa;
        if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof sa) < 0 || listen(fd, CHAT_MAX) < 0 ||
            getsockname(fd, (struct sockaddr *)&sa, &sl) < 0)
            return -1;
        ev->chat_serve.port = ntohs(sa.sin_port);
        char buf[16];
        int pf = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC | O_NOFOLLOW);
        int n = snprintf(buf, sizeof buf, "%d\n", ev->chat_serve.port);
        if (pf < 0 || write(pf, buf, (size_t)n) != n)
            return -1;
        close(pf);
    } else {
        struct sockaddr_un sa = {.sun_family = AF_UNIX};
        snprintf(sa.sun_path, sizeof sa.sun_path, "%s", path);
        fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        mode_t old = umask(0177);
        int rc = fd < 0 ? -1 : bind(fd, (struct sockaddr *)&sa, sizeof sa);
        umask(old);
        if (rc < 0 || listen(fd, CHAT_MAX) < 0)
            return -1;
    }
    ev->chat_serve.fd = fd;
    return fd;
}

/* accept one client, make its socketpair and fork the child that serves it. */
static void serve_accept(struct runner *r, const struct op *op, struct server *s)
{
    gate_pass(r->gate);
    struct sockaddr_in peer;
    socklen_t pl = sizeof peer;
    int fd = accept4(s->lfd, (struct sockaddr *)&peer, &pl, SOCK_CLOEXEC);
    int sv[2];
    if (fd < 0 || socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0) {
        if (fd >= 0)
            close(fd);
        return;
    }
    int inst = ++s->accepted;
    struct op fop = {.kind = OP_FORK, .arg0 = s->sub};
    struct event fev = runner_event(r, &fop, PH_BEGIN);
    fev.fork.role = s->sub;
    runner_begin(r, &fev);
    pid_t parent = getpid();
    pid_t pid = fork();
    if (pid == 0) {
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (getppid() != parent)
            _exit(3);
        signal(SIGCHLD, SIG_DFL);
        close(sig_pipe[0]);
        close(sig_pipe[1]);
        close(s->lfd);
        close(sv[0]);
        for (int i = 0; i < s->nkids; i++)
            if (s->kids[i].sp >= 0)
                close(s->kids[i].sp);
        r->role = s->sub;
        r->instance = inst;
        fev.pid = getpid();
        fev.role = (int16_t)s->sub;
        fev.instance = (int16_t)inst;
        fev.fork.ppid = parent;
        fev.fork.self_instance = inst;
        runner_end(r, &fev, 0, 0);
        conn_main(r, op, fd, sv[1]);
    }
    int err = errno;
    close(sv[1]);
    fev.fork.instance = inst;
    runner_end(r, &fev, pid, err);
    if (pid < 0) {
        close(fd);
        close(sv[0]);
        return;
    }
    s->forked++;
    s->kids[s->nkids++] = (struct kid){pid, sv[0], false, false, -1};
    struct event ev = runner_event(r, op, PH_NOTE);
    ev.chat_accept.conn = fd;
    ev.chat_accept.sp = sv[0];
    ev.chat_accept.nth = inst;
    ev.chat_accept.child = inst;
    ev.chat_accept.child_pid = pid;
    ev.chat_accept.peer_port = op->arg0 == CHAT_NET_TCP ? ntohs(peer.sin_port) : 0;
    chat_note(r, OP_CHAT_ACCEPT, &ev);
    close(fd); /* the child has it */
    if (s->accepted == s->clients)
        for (int i = 0; i < s->nkids; i++)
            if (s->kids[i].sp >= 0)
                send_note(s->kids[i].sp, NOTE_START, 0, 0);
}

/* Child k's buffer holds a new line: tell every other child. */
static void serve_line(struct runner *r, const struct op *op, struct server *s, int k,
                       const struct note *n)
{
    gate_pass(r->gate);
    int b = n->buf >= 0 && n->buf < CHAT_MAX ? n->buf : 0;
    int readers = 0, told = 0, lost = 0;
    int64_t mask = 0;
    for (int i = 0; i < s->nkids; i++)
        readers += i != k && s->kids[i].sp >= 0;
    atomic_store(pending_of(s->area, b), readers);
    for (int i = 0; i < s->nkids; i++) {
        if (i == k || s->kids[i].sp < 0)
            continue;
        if (send_note(s->kids[i].sp, NOTE_READ, b, n->seq) == 0) {
            told++;
            if (s->kids[i].client >= 0)
                mask |= 1ll << s->kids[i].client;
        } else {
            atomic_fetch_sub(pending_of(s->area, b), 1); /* it had gone: EPIPE */
            lost++;
        }
    }
    struct event ev = runner_event(r, op, PH_NOTE);
    ev.chat_line.buf = b;
    ev.chat_line.seq = n->seq;
    ev.chat_line.told = told;
    ev.chat_line.lost = lost;
    ev.chat_line.told_mask = mask;
    chat_note(r, OP_CHAT_NOTIFY, &ev);
}

static void serve_kid(struct runner *r, const struct op *op, struct server *s, int k)
{
    struct kid *kd = &s->kids[k];
    struct note n;
    if (recv_note(kd->sp, &n, 0) <= 0) {
        close(kd->sp); /* its client left, or it is gone */
        kd->sp = -1;
        kd->done = true;
        return;
    }
    if (n.buf >= 0 && n.buf < CHAT_MAX)
        kd->client = n.buf;
    if (n.kind == NOTE_LINE)
        serve_line(r, op, s, k, &n);
    else if (n.kind == NOTE_DONE)
        kd->done = true;
}

/* SIGCHLD came: reap every child that has exited (several may be behind
 * one signal), each told as the proc family tells a handler's reap. */
static void serve_reap(struct runner *r, struct server *s)
{
    char b[16];
    while (read(sig_pipe[0], b, sizeof b) > 0)
        ;
    int status, batch = 0;
    pid_t pid;
    while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
        batch++;
        for (int i = 0; i < s->nkids; i++)
            if (s->kids[i].pid == pid)
                s->kids[i].reaped = true;
        s->reaped++;
        struct op n = {.kind = OP_REAPED};
        struct event ev = runner_event(r, &n, PH_NOTE);
        ev.result = pid;
        ev.reaped.call = s->reaped;
        ev.reaped.batch = batch;
        ev.reaped.status = status;
        runner_send(r, &ev);
    }
}

static void serve_loop(struct runner *r, const struct op *op, struct server *s)
{
    for (;;) {
        bool all_done = s->accepted == s->clients;
        bool all_reaped = all_done;
        for (int i = 0; i < s->nkids; i++) {
            all_done = all_done && s->kids[i].done;
            all_reaped = all_reaped && s->kids[i].reaped;
        }
        if (all_reaped)
            return;
        if (all_done && !s->byed) {
            s->byed = true;
            for (int i = 0; i < s->nkids; i++)
                if (s->kids[i].sp >= 0)
                    send_note(s->kids[i].sp, NOTE_BYE, 0, 0);
        }
        struct pollfd p[CHAT_MAX + 2];
        int np = 0, at[CHAT_MAX];
        p[np++] = (struct pollfd){sig_pipe[0], POLLIN, 0};
        p[np++] = (struct pollfd){s->accepted < s->clients ? s->lfd : -1, POLLIN, 0};
        for (int i = 0; i < s->nkids; i++)
            if (s->kids[i].sp >= 0) {
                at[np - 2] = i;
                p[np++] = (struct pollfd){s->kids[i].sp, POLLIN, 0};
            }
        if (poll(p, (nfds_t)np, 1000) < 0 && errno != EINTR)
            return;
        if (p[0].revents & POLLIN)
            serve_reap(r, s);
        if (p[1].revents & POLLIN)
            serve_accept(r, op, s);
        for (int j = 2; j < np; j++)
            if (p[j].revents & (POLLIN | POLLHUP | POLLERR))
                serve_kid(r, op, s, at[j - 2]);
    }
}

/* serve: net arg0 (where: run file obj), arg1 clients, arg2 sync, arg3 the
 * role its children run. The shared area is the run's segment 0. */
static int run_serve(struct runner *r, const struct op *op)
{
    struct server s = {.clients = op->arg1, .sub = op->arg3, .area = r->shm[0]};
    struct event ev = runner_event(r, op, PH_BEGIN);
    ev.chat_serve.net = op->arg0;
    ev.chat_serve.clients = op->arg1;
    runner_begin(r, &ev);
    if (!s.area || s.clients < 1 || s.clients > CHAT_MAX)
        return runner_end(r, &ev, -1, EINVAL);
    s.area->nbuf = s.clients;
    if (pipe2(sig_pipe, O_CLOEXEC | O_NONBLOCK) < 0)
        return runner_end(r, &ev, -1, errno);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_sigchld;
    sa.sa_flags = SA_RESTART | SA_NOCLDSTOP;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGCHLD, &sa, NULL);
    s.lfd = listen_on(r, op, &ev);
    if (s.lfd < 0)
        return runner_end(r, &ev, -1, errno);
    chat_note(r, OP_CHAT_SERVE, &ev);
    serve_loop(r, op, &s);
    close(s.lfd);
    ev.chat_serve.forked = s.forked;
    ev.chat_serve.reaped = s.reaped;
    return runner_end(r, &ev, 0, 0);
}

const struct op_entry op_entry_CHAT_SERVE = {
    .name = "chat_serve",
    .verb = "serves the chat room (listen, fork per client, poll)",
    .run = run_serve,
    .touches_fds = true,
    CHAT_MODEL(serve),
    .payload = chat_payload_serve};
const struct op_entry op_entry_CHAT_ACCEPT = {.name = "chat_accept",
                                              .verb = "accepted a client and forked its child",
                                              .run = chat_not_a_step,
                                              .touches_fds = true,
                                              CHAT_MODEL(accept),
                                              .payload = chat_payload_accept};
const struct op_entry op_entry_CHAT_NOTIFY = {.name = "chat_notify",
                                              .verb =
                                                  "tells the other children which buffer to read",
                                              .run = chat_not_a_step,
                                              CHAT_MODEL(notify),
                                              .payload = chat_payload_line};
const struct op_entry op_entry_CHAT_STORE = {.name = "chat_store",
                                             .verb = "writes its client's line into its buffer",
                                             .run = chat_not_a_step,
                                             CHAT_MODEL(store),
                                             .payload = chat_payload_line};
const struct op_entry op_entry_CHAT_RELAY = {.name = "chat_relay",
                                             .verb =
                                                 "reads a buffer and sends the line to its client",
                                             .run = chat_not_a_step,
                                             CHAT_MODEL(relay),
                                             .payload = chat_payload_line};
