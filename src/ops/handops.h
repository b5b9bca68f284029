/* handops.h — the ops only the console's hand (`you`, engine/hand.c) makes:
 * a semop of up to four sembufs of any signs (SEMOPN), and IPC_RMID of the
 * run's semaphore set or segment (RMID). Their event payloads. */
#ifndef IPCPLAY_OPS_HANDOPS_H
#define IPCPLAY_OPS_HANDOPS_H

#include <stdint.h>

#define OPS_HAND(X) X(SEMOPN) X(RMID)

/* semopn: nsops sembufs (sem num[i], sem_op op[i]) in one semop, with GETVAL
 * of each just before and just after. */
struct ev_semopn {
    uint8_t nsops;
    uint8_t num[4];
    uint8_t pad;
    int16_t op[4];
    int16_t before[4];
    int16_t after[4];
    int16_t ncnt; /* an EINTR end: semncnt of the first just after */
};

/* rmid: what (0 semaphore set, 2 segment: enum hand_obj), its id; left:
 * processes asleep on the set, or the segment's nattch, just before. */
struct ev_rmid {
    int32_t what;
    int32_t id;
    int64_t left;
    int64_t pad[2];
};

/* one X-macro list, laid out by hand */
// clang-format off
#define PAYLOADS_HAND                                                                    \
    struct ev_semopn semopn;                                                             \
    struct ev_rmid rmid;
// clang-format on

#endif
