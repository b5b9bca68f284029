/* pipebuf.h — the pipe-capacity family's ops (ops/pipebuf.c): ask a pipe its
 * capacity (F_GETPIPE_SZ), fill it chunk by chunk (blocking, or O_NONBLOCK
 * until EAGAIN), and drain it, slowly or not, checking that chunks written by
 * two writers arrived whole. Their event payloads. */
#ifndef IPCPLAY_OPS_PIPEBUF_H
#define IPCPLAY_OPS_PIPEBUF_H

#include <stdint.h>

#define OPS_PIPEBUF(X) X(PIPESZ) X(FILL) X(DRAIN)

/* pipesz (result: the capacity), and each write of fill or read of drain
 * (result: bytes of this call). */
struct ev_pipebuf {
    int32_t fd;
    int32_t cap;    /* F_GETPIPE_SZ of the pipe */
    int32_t queued; /* end: bytes in the pipe just after (FIONREAD) */
    int32_t before; /* end: bytes in the pipe just before */
    int64_t total;  /* end: bytes so far, this process */
    int32_t split;  /* drain's last read: chunks cut by another writer's bytes */
    int32_t chunks; /* drain's last read: whole chunks expected (total / chunk) */
};

#define PAYLOADS_PIPEBUF struct ev_pipebuf pipebuf;

#endif
