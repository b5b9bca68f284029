/* fd.h — the fd and socket family's ops (ops/fd.c): open, close, pipe,
 * socketpair, mkfifo, read, write, shutdown, listen, accept, connect, and fd
 * passing. Fds live in slots the plan names; events carry the real fd
 * numbers the kernel picked. Their event payloads. */
#ifndef IPCPLAY_OPS_FD_H
#define IPCPLAY_OPS_FD_H

#include <stdint.h>

/* one X-macro list, laid out by hand */
// clang-format off
#define OPS_FD(X)                                                                        \
    X(OPEN) X(CLOSE) X(PIPE) X(SOCKETPAIR) X(MKFIFO) X(READ) X(WRITE) X(SHUTDOWN)        \
    X(LISTEN) X(ACCEPT) X(CONNECT) X(SENDFD) X(RECVFD)
// clang-format on

/* close, shutdown, accept (the listening fd), listen, connect (result: fd). */
struct ev_fd {
    int32_t fd;
    int32_t pad[3];
    int64_t n; /* listen: the socket file's inode; connect: attempts */
    int64_t pad2;
};

struct ev_open {
    int32_t fd;     /* end: the new fd (result too) */
    int32_t access; /* 0 O_RDONLY, 1 O_WRONLY, 2 O_RDWR */
    int32_t fifo;   /* 1: the path is a FIFO (open waits for the other side) */
    int32_t pad;
    int64_t ino, dev; /* end: what it opened */
};

/* pipe, socketpair */
struct ev_pair {
    int32_t fd0, fd1; /* end: the two ends */
    int32_t pad[2];
    int64_t ino0, ino1;
};

/* read, write: result = bytes of this call. */
struct ev_io {
    int32_t fd;
    int32_t offset; /* read: the file offset before it; -1 on a pipe or socket */
    int32_t pad[2];
    int64_t total; /* end: bytes so far */
    union {
        int64_t sum; /* running checksum of the stream (pattern.h) */
        int64_t bad; /* read with OPF_PATTERN: bytes that were not the file's */
    };
};

struct ev_sendfd {
    int32_t sock; /* the socket it goes over */
    int32_t fd;   /* sendfd: the fd sent */
    int32_t pad[2];
    int64_t ino, dev; /* end: the open file in flight (sendfd) or received (recvfd) */
};

/* one X-macro list, laid out by hand */
// clang-format off
#define PAYLOADS_FD                                                                      \
    struct ev_fd fd;                                                                     \
    struct ev_open open;                                                                 \
    struct ev_pair pair;                                                                 \
    struct ev_io io;                                                                     \
    struct ev_sendfd fdpass;
// clang-format on

#endif
