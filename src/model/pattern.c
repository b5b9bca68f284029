/* pattern.c — see pattern.h. */
#include "pattern.h"

unsigned char pattern_byte(int stream, uint64_t i)
{
    uint64_t col = i % 32;
    if (col == 31)
        return '\n';
    uint64_t line = i / 32;
    return (unsigned char)('a' + (line * 7 + col + (uint64_t)stream * 13) % 26);
}

void pattern_fill(int stream, uint64_t off, unsigned char *buf, size_t n)
{
    for (size_t k = 0; k < n; k++)
        buf[k] = pattern_byte(stream, off + k);
}

size_t pattern_mismatch(int stream, uint64_t off, const unsigned char *buf, size_t n)
{
    size_t bad = 0;
    for (size_t k = 0; k < n; k++)
        if (buf[k] != pattern_byte(stream, off + k))
            bad++;
    return bad;
}

uint64_t pattern_sum_update(uint64_t sum, const unsigned char *buf, size_t n)
{
    for (size_t k = 0; k < n; k++) {
        sum ^= buf[k];
        sum *= 0x100000001b3ull;
    }
    return sum;
}

uint64_t pattern_sum(int stream, uint64_t n)
{
    uint64_t sum = PATTERN_SUM_INIT;
    unsigned char buf[256];
    for (uint64_t off = 0; off < n;) {
        size_t k = n - off < sizeof buf ? (size_t)(n - off) : sizeof buf;
        pattern_fill(stream, off, buf, k);
        sum = pattern_sum_update(sum, buf, k);
        off += k;
    }
    return sum;
}
