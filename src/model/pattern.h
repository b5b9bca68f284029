/* pattern.h — the known bytes that flow through pipes, sockets and files in
 * the process scenarios, and an order-sensitive checksum over them. Writers
 * and readers compute the same checksum on their own, so equal sums prove
 * every byte arrived once and in order; judges can compute the expected sum
 * without having seen the bytes. Pure: no I/O. */
#ifndef IPCPLAY_PATTERN_H
#define IPCPLAY_PATTERN_H

#include <stddef.h>
#include <stdint.h>

/* A plan file (PLANF_FILE) at index i holds stream PATTERN_FILE_STREAM + i. */
#define PATTERN_FILE_STREAM 16
#define PATTERN_SUM_INIT 0xcbf29ce484222325ull /* FNV-1a 64 offset basis */

/* Byte number `i` of stream `stream`: readable text, 32-byte lines. */
unsigned char pattern_byte(int stream, uint64_t i);
void pattern_fill(int stream, uint64_t off, unsigned char *buf, size_t n);
/* Number of bytes in buf that differ from the stream at `off`. */
size_t pattern_mismatch(int stream, uint64_t off, const unsigned char *buf, size_t n);
/* FNV-1a 64 over bytes, continuing from `sum`. */
uint64_t pattern_sum_update(uint64_t sum, const unsigned char *buf, size_t n);
/* The checksum of the first n bytes of a stream. */
uint64_t pattern_sum(int stream, uint64_t n);

#endif
