/* msgq.h — the message-queue family's ops (ops/msgq.c): msgsnd, msgrcv and
 * msgctl(IPC_RMID). Their event payloads. */
#ifndef IPCPLAY_OPS_MSGQ_H
#define IPCPLAY_OPS_MSGQ_H

#include <stdint.h>

#define OPS_MSGQ(X) X(MSGSND) X(MSGRCV) X(MSGQ_RMID)

struct ev_msgsnd {
    int32_t type; /* mtype sent */
    int32_t len;  /* mtext bytes */
    int32_t pad[2];
    int64_t seq; /* this sender's message number (also in the message) */
    int64_t pad2;
};

struct ev_msgrcv {
    int32_t sel;  /* msgtyp passed (with OPF_EXCEPT: any type but this) */
    int32_t type; /* end: mtype received */
    int32_t pad[2];
    int64_t who; /* end: the sender, from the message (msgwire_who) */
    int64_t how; /* full length, checksum held, buffer size (msgwire_how) */
};

struct ev_msgq_rmid {
    int32_t pad[4];
    int64_t left; /* end: msg_qnum just before IPC_RMID */
    int64_t pad2;
};

/* one X-macro list, laid out by hand */
// clang-format off
#define PAYLOADS_MSGQ                                                                    \
    struct ev_msgsnd msgsnd;                                                             \
    struct ev_msgrcv msgrcv;                                                             \
    struct ev_msgq_rmid msgq_rmid;
// clang-format on

#endif
