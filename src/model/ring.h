/* ring.h — the producer/consumer ring the shm scenario keeps in shared
 * memory: its layout (written by the op runner's ring_put / ring_get, read
 * through the engine's read-only view) and a pure decoder for the bytes a
 * sample copied, so views and tests never touch the live segment. */
#ifndef IPCPLAY_RING_H
#define IPCPLAY_RING_H

#include <stddef.h>
#include <stdint.h>

#define RING_MAX_SLOTS 16

/* head and tail are plain ints on purpose: the mutex semaphore is what keeps
 * two producers (or two consumers) from using the same index. The counters
 * below them are updated atomically, so they stay true witnesses even when
 * the ring itself is corrupted (sync=off). A slot holding 0 is empty. */
struct shm_ring {
    int32_t head;  /* total puts as the producers count them (slot = head % slots) */
    int32_t tail;  /* total takes as the consumers count them */
    int32_t slots; /* written by every put, so a reader can decode alone */
    int32_t pad;
    int64_t produced; /* atomic: puts done */
    int64_t consumed; /* atomic: takes done */
    int64_t sum_in;   /* atomic: checksum of the values put (sum of ring_mix) */
    int64_t sum_out;  /* atomic: checksum of the values taken */
    int64_t slot[RING_MAX_SLOTS];
};

/* An item's value names its producer and its number: never 0. */
static inline int64_t ring_item(int producer, int k)
{
    return (int64_t)producer * 1000000 + k;
}

/* What an item adds to a checksum. A plain sum would let a lost item and a
 * duplicate cancel out (1000001 lost, 2000001 twice, 1000002... ); summing
 * a 64-bit mix of each value makes that practically impossible, and the sum
 * still does not depend on the order items pass. */
static inline int64_t ring_mix(int64_t v)
{
    uint64_t z = (uint64_t)v + 0x9e3779b97f4a7c15ull;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return (int64_t)(z ^ (z >> 31));
}

struct ring_view {
    int slots;
    int head, tail; /* as stored */
    int used;       /* head - tail, what the indexes claim is in the ring */
    long long produced, consumed, sum_in, sum_out;
    long long slot[RING_MAX_SLOTS];
};

/* Decode a copy of the segment's first bytes. slots: from the plan (the
 * segment may not have been written yet). Returns 0, or -1 when the bytes are
 * too few or slots is out of range. */
int ring_decode(const void *bytes, size_t len, int slots, struct ring_view *out);
/* "[1000001 1000002 . .] head 2 tail 0" with "." for empty slots; '>' marks
 * the slot head points at when it is not also the tail's. Returns length. */
int ring_format(const struct ring_view *v, char *buf, size_t len);

#endif
