/* ring.c — pure decoding and formatting of the shared ring (see ring.h). */
#include "ring.h"
#include "strbuf.h"

#include <stdio.h>
#include <string.h>

int ring_decode(const void *bytes, size_t len, int slots, struct ring_view *out)
{
    memset(out, 0, sizeof *out);
    if (slots < 1 || slots > RING_MAX_SLOTS)
        return -1;
    size_t need = offsetof(struct shm_ring, slot) + (size_t)slots * sizeof(int64_t);
    if (!bytes || len < need)
        return -1;
    struct shm_ring r;
    memset(&r, 0, sizeof r);
    memcpy(&r, bytes, need);
    out->slots = slots;
    out->head = r.head;
    out->tail = r.tail;
    out->used = r.head - r.tail;
    out->produced = r.produced;
    out->consumed = r.consumed;
    out->sum_in = r.sum_in;
    out->sum_out = r.sum_out;
    for (int i = 0; i < slots; i++)
        out->slot[i] = r.slot[i];
    return 0;
}

int ring_format(const struct ring_view *v, char *buf, size_t len)
{
    size_t off = 0;
#define PUT(...) strbuf_put(buf, len, &off, __VA_ARGS__)
    if (len)
        buf[0] = '\0';
    PUT("[");
    for (int i = 0; i < v->slots; i++) {
        if (v->slot[i])
            PUT("%s%lld", i ? " " : "", v->slot[i]);
        else
            PUT("%s.", i ? " " : "");
    }
    PUT("] head %d tail %d", v->head, v->tail);
#undef PUT
    if (off >= len && len > 0)
        off = len - 1;
    return (int)off;
}
