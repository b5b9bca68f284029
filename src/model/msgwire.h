/* msgwire.h — what travels in a scenario's queue messages and how a msgrcv's
 * outcome is packed into an event. The payload starts with a header naming
 * the sender and its sequence number, so receptions can be checked (each
 * message once, in the kernel's order) and the sampler can say whose message
 * sits in the queue; the rest is filler covered by a checksum, so a message
 * cut short by MSG_NOERROR is noticed. Plain data, shared by the op runner,
 * the sampler and the model. */
#ifndef IPCPLAY_MSGWIRE_H
#define IPCPLAY_MSGWIRE_H

#include <stddef.h>
#include <stdint.h>

#define MSGWIRE_MAGIC 0x4d534751u /* "MSGQ" */

struct msgwire_head {
    uint32_t magic;
    int16_t role, instance; /* the sender */
    int32_t seq;            /* the sender's message number, from 1 */
    int32_t type;           /* the mtype it was sent with */
    int32_t len;            /* mtext bytes it was sent with */
    uint32_t sum;           /* checksum of the bytes after the header */
};

/* Filler byte i of a message: depends on the sender and seq, so a message
 * cannot pass for another. */
static inline unsigned char msgwire_fill(const struct msgwire_head *h, size_t i)
{
    return (unsigned char)((size_t)h->seq * 31u + (size_t)h->instance * 7u + i * 13u);
}

static inline uint32_t msgwire_sum(const unsigned char *p, size_t n)
{
    uint32_t s = 2166136261u; /* FNV-1a */
    for (size_t i = 0; i < n; i++) {
        s ^= p[i];
        s *= 16777619u;
    }
    return s;
}

/* msgrcv end event: value = sender and seq, value2 = lengths and verdict. */
static inline int64_t msgwire_who(int role, int instance, int seq)
{
    return (int64_t)(((uint64_t)(uint16_t)role << 48) | ((uint64_t)(uint16_t)instance << 32) |
                     (uint32_t)seq);
}
static inline int msgwire_who_role(int64_t v)
{
    return (int16_t)(uint16_t)((uint64_t)v >> 48);
}
static inline int msgwire_who_instance(int64_t v)
{
    return (int16_t)(uint16_t)((uint64_t)v >> 32);
}
static inline int msgwire_who_seq(int64_t v)
{
    return (int32_t)(uint32_t)v;
}

/* full_len: what the sender sent; sum_ok: the checksum held; bufsz: the
 * buffer the receiver offered. */
static inline int64_t msgwire_how(int full_len, int sum_ok, int bufsz)
{
    return (int64_t)(((uint64_t)(uint32_t)bufsz << 33) | ((uint64_t)(sum_ok ? 1 : 0) << 32) |
                     (uint32_t)full_len);
}
static inline int msgwire_how_len(int64_t v)
{
    return (int32_t)(uint32_t)v;
}
static inline int msgwire_how_sum_ok(int64_t v)
{
    return (int)(((uint64_t)v >> 32) & 1u);
}
static inline int msgwire_how_bufsz(int64_t v)
{
    return (int)((uint64_t)v >> 33);
}

#endif
