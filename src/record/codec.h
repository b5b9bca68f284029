/* codec.h — one record as one line of JSON with named fields, and back
 * (doc/recording.md). Fields come from descriptions (model/field.h): one per
 * record kind here, one per op family for events' payloads (op_entry.payload).
 * Fields that are zero are left out (a record starts zeroed), so a line says
 * only what the record carries. */
#ifndef IPCPLAY_RECORD_CODEC_H
#define IPCPLAY_RECORD_CODEC_H

#include <json-c/json.h>
#include <stdbool.h>
#include <stddef.h>

#include "../model/record.h"

/* A growing text buffer for the writer. */
struct codec_buf {
    char *s;
    size_t len, cap;
    int oom; /* an allocation failed: the text is incomplete */
};

void codec_buf_free(struct codec_buf *b);
void codec_buf_put(struct codec_buf *b, const char *s, size_t n);
void codec_buf_printf(struct codec_buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* A JSON string of the bytes s[0..n) (bytes from 0x80 as \u0080..\u00ff). */
void codec_buf_jstr(struct codec_buf *b, const char *s, size_t n);

/* Append an integer in decimal. */
void codec_buf_u64(struct codec_buf *b, unsigned long long v);
void codec_buf_i64(struct codec_buf *b, long long v);

/* Append r as one JSON object (no newline): {"t":NS,"k":"KIND",...}. */
void codec_write_record(struct codec_buf *b, const struct record *r);
/* Read one record from a parsed line. Returns 0, or -1 with a short reason
 * in err ("unknown record kind 'x'", "field 'pid' is not a number"). */
int codec_read_record(json_object *o, struct record *r, char *err, size_t errlen);

/* Delta records (format version 2): a sample of an object (a process, a
 * semaphore set, ...) is written as what changed since the last record of
 * the same kind and key (its pid, its index), marked "d":1. Writer and
 * reader each keep the last record of every key they saw in a table.
 * codec_delta_kind() tells whether a kind is written so. */
struct codec_delta;
struct codec_delta *codec_delta_new(void);
void codec_delta_free(struct codec_delta *d);
bool codec_delta_kind(enum record_kind kind);
/* As codec_write_record, against (and then into) d's table. */
void codec_write_record_delta(struct codec_buf *b, const struct record *r, struct codec_delta *d);
/* As codec_read_record, taking delta lines against d's table (and keeping
 * every record of a delta kind it reads in it). d NULL: no delta lines. */
int codec_read_record_delta(json_object *o, struct record *r, struct codec_delta *d, char *err,
                            size_t errlen);
/* Zero what a string field holds after its first NUL: what a recording keeps
 * of a record (tests compare records after this). */
void codec_normalize(struct record *r);
/* The description of a kind's payload (NULL: none, as REC_CLOCK). */
const struct field *codec_fields(enum record_kind kind);
enum record_kind codec_kind_from_name(const char *name);

#endif
