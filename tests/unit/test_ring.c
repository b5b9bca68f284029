/* test_ring.c — decoding the shared ring from a copy of its bytes, as the
 * sampler's read-only view sees them, and its one-line picture. */
#include <criterion/criterion.h>
#include <stddef.h>
#include <string.h>

#include "model/ring.h"

Test(ring, decodes_indexes_counters_and_slots)
{
    struct shm_ring r;
    memset(&r, 0, sizeof r);
    r.head = 6;
    r.tail = 4;
    r.slots = 4;
    r.produced = 6;
    r.consumed = 4;
    r.sum_in = 123;
    r.sum_out = 45;
    r.slot[0] = ring_item(1, 5);
    r.slot[1] = ring_item(2, 3);
    struct ring_view v;
    size_t len = offsetof(struct shm_ring, slot) + 4 * sizeof(int64_t);
    cr_assert_eq(ring_decode(&r, len, 4, &v), 0);
    cr_expect_eq(v.head, 6);
    cr_expect_eq(v.tail, 4);
    cr_expect_eq(v.used, 2);
    cr_expect_eq(v.produced, 6);
    cr_expect_eq(v.consumed, 4);
    cr_expect_eq(v.sum_in, 123);
    cr_expect_eq(v.slot[0], 1000005);
    cr_expect_eq(v.slot[1], 2000003);
    cr_expect_eq(v.slot[2], 0);
    char buf[128];
    ring_format(&v, buf, sizeof buf);
    cr_expect_str_eq(buf, "[1000005 2000003 . .] head 6 tail 4");
}

Test(ring, refuses_short_copies_and_bad_sizes)
{
    struct shm_ring r;
    memset(&r, 0, sizeof r);
    struct ring_view v;
    size_t len = offsetof(struct shm_ring, slot) + 4 * sizeof(int64_t);
    cr_expect_eq(ring_decode(&r, len - 1, 4, &v), -1);
    cr_expect_eq(ring_decode(&r, sizeof r, 0, &v), -1);
    cr_expect_eq(ring_decode(&r, sizeof r, RING_MAX_SLOTS + 1, &v), -1);
    cr_expect_eq(ring_decode(NULL, sizeof r, 4, &v), -1);
}

Test(ring, format_truncates_safely)
{
    struct ring_view v;
    memset(&v, 0, sizeof v);
    v.slots = RING_MAX_SLOTS;
    for (int i = 0; i < RING_MAX_SLOTS; i++)
        v.slot[i] = ring_item(8, 4000 + i);
    char small[16];
    int n = ring_format(&v, small, sizeof small);
    cr_expect_lt(n, (int)sizeof small);
    cr_expect_eq(strlen(small), (size_t)n);
}

Test(ring, checksum_catches_a_loss_hidden_by_a_duplicate)
{
    /* 1000001 lost and 2000001 taken twice, 1000002 taken twice and 2000002
     * lost: a plain sum would not notice. */
    int64_t in = 0, out = 0;
    int64_t put[] = {1000001, 1000002, 2000001, 2000002};
    int64_t got[] = {2000001, 2000001, 1000002, 1000002};
    for (int i = 0; i < 4; i++) {
        in = (int64_t)((uint64_t)in + (uint64_t)ring_mix(put[i]));
        out = (int64_t)((uint64_t)out + (uint64_t)ring_mix(got[i]));
    }
    cr_expect_neq(in, out);
}
