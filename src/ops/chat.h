/* chat.h — the chat-room family's ops (ops/chat.c): the chapter's
 * shared-memory chat-room server (listen, fork a child per client, one
 * buffer per client in shared memory, notices over socketpairs, SIGCHLD and
 * poll in the parent), and its clients. Their event payloads, the layout of
 * the shared area, and what the model keeps of a chat (model.h: m->chat). */
#ifndef IPCPLAY_OPS_CHAT_H
#define IPCPLAY_OPS_CHAT_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

/* one X-macro list, laid out by hand */
// clang-format off
#define OPS_CHAT(X)                                                                      \
    X(CHAT_SERVE) X(CHAT_ACCEPT) X(CHAT_NOTIFY) X(CHAT_STORE) X(CHAT_RELAY) X(CHAT_CLIENT) \
    X(CHAT_SENT) X(CHAT_GOT)
// clang-format on

#define CHAT_MAX 8   /* clients, and so buffers */
#define CHAT_TEXT 48 /* a line's text in its buffer */

/* The shared area: one buffer per client. `pending` counts the children
 * still to read the line (-1: written, the parent has not yet counted its
 * readers); with sync on, a child writes its buffer only when it is 0. */
struct chat_buf {
    int32_t pending; /* atomic */
    int32_t seq;     /* the line's number from its sender, 0: none yet */
    int32_t from;    /* the sender's client number */
    int32_t writes;  /* lines written into it */
    char text[CHAT_TEXT];
};
struct chat_area {
    int32_t nbuf;
    int32_t pad;
    struct chat_buf buf[CHAT_MAX];
};

/* serve (begin/end): the listening socket. */
struct ev_chat_serve {
    int32_t fd;   /* the listening fd */
    int32_t port; /* TCP: the port bind(0) gave; UNIX: 0 */
    int32_t net;  /* 0 tcp, 1 unix */
    int32_t clients;
    int64_t forked; /* end: children forked */
    int64_t reaped; /* end: children reaped in the SIGCHLD path */
};

/* accept (note, from the parent): a connection and the child for it. */
struct ev_chat_accept {
    int32_t conn;  /* the connected fd */
    int32_t sp;    /* the parent's end of the child's socketpair */
    int32_t nth;   /* connections so far */
    int32_t child; /* the child's instance */
    int64_t child_pid;
    int64_t peer_port; /* TCP: the client's port */
};

/* notify (note, from the parent): a child said buffer `buf` holds line
 * `seq`; the parent told `told` other children (and lost `lost` that had
 * gone). store: a child wrote its client's line into its buffer.
 * relay: a child read buffer `buf` for its client. */
struct ev_chat_line {
    int32_t buf;
    int32_t seq;       /* the line's number (notice's, for relay) */
    int32_t told;      /* notify: children told; store: readers still pending before it
                          wrote (>0: an overwrite); relay: the seq it found */
    int32_t lost;      /* notify: children gone; relay: 1 the buffer had moved on,
                          2 dropped unread (its client had gone) */
    int64_t told_mask; /* notify: bit k, the child of client k+1 was told */
    int64_t self;      /* store, relay: the writing/reading child's client (0-based) */
};

/* client (begin/end), sent, got: a client's line. */
struct ev_chat_client {
    int32_t from; /* sender's client number */
    int32_t seq;
    int32_t ok;    /* got: the text is what that sender wrote */
    int32_t quit;  /* client end: 1 it disconnected midway */
    int64_t total; /* lines sent or got so far */
    int64_t pad;
};

/* one X-macro list, laid out by hand */
// clang-format off
#define PAYLOADS_CHAT                                                                    \
    struct ev_chat_serve chat_serve;                                                     \
    struct ev_chat_accept chat_accept;                                                   \
    struct ev_chat_line chat_line;                                                       \
    struct ev_chat_client chat_client;
// clang-format on

/* What the model keeps of a chat (m->chat), from the events above. */
struct model_chat {
    bool used;
    int clients; /* planned */
    int port;    /* TCP port, 0 for UNIX */
    int accepted, forked, reaped;
    struct model_chat_buf {
        pid_t owner; /* the child that writes it */
        int seq, from, pending, writes;
        char text[CHAT_TEXT];
    } buf[CHAT_MAX];
    int inflight[CHAT_MAX]; /* notices waiting on child k's socketpair (by client) */
    struct model_chat_conn {
        pid_t client, child;
        int sent, got, bad; /* lines; bad: out of order, repeated or wrong text */
        bool done, quit;
    } conn[CHAT_MAX];
    int last[CHAT_MAX][CHAT_MAX]; /* [receiver][sender]: the last seq it got */
    int overwrites, stale;
};

#endif
