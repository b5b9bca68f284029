/* shm.h — the shared-memory family's ops (ops/shm.c): put and take on a ring
 * in a shared segment, and the copy-on-write page. Their event payloads. */
#ifndef IPCPLAY_OPS_SHM_H
#define IPCPLAY_OPS_SHM_H

#include <stdint.h>

#define OPS_SHM(X) X(RING_PUT) X(RING_GET) X(COW_INIT) X(COW_WRITE) X(COW_CHECK)

struct ev_ring {
    int32_t pad0;
    int32_t slot; /* end: the slot written or read */
    int32_t pad[2];
    int64_t item;  /* the item (producer x 1000000 + its number; 0 empty) */
    int64_t index; /* head (put) or tail (take) before the op */
};

struct ev_cow_page {
    int32_t pad[4];
    int64_t sum; /* end: the page's checksum (init, check) */
    int64_t pad2;
};

struct ev_cow_write {
    int32_t pad[4];
    int64_t minflt_before, minflt_after; /* end: this process's minor faults */
};

/* one X-macro list, laid out by hand */
// clang-format off
#define PAYLOADS_SHM                                                                     \
    struct ev_ring ring;                                                                 \
    struct ev_cow_page cow_page;                                                         \
    struct ev_cow_write cow_write;
// clang-format on

#endif
