/* codec.h — one record as one line of JSON with named fields, and back
 * (doc/recording.md). Fields come from descriptions (model/field.h): one per
 * record kind here, one per op family for events' payloads (op_entry.payload).
 * Fields that are zero are left out (a record starts zeroed), so a line says
 * only what the record carries. */
#ifndef IPCPLAY_RECORD_CODEC_H
#define IPCPLAY_RECORD_CODEC_H

#include <json-c/json.h>
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

/* Append r as one JSON object (no newline): {"t":NS,"k":"KIND",...}. */
void codec_write_record(struct codec_buf *b, const struct record *r);
/* Read one record from a parsed line. Returns 0, or -1 with a short reason
 * in err ("unknown record kind 'x'", "field 'pid' is not a number"). */
int codec_read_record(json_object *o, struct record *r, char *err, size_t errlen);
/* Zero what a string field holds after its first NUL: what a recording keeps
 * of a record (tests compare records after this). */
void codec_normalize(struct record *r);
/* The description of a kind's payload (NULL: none, as REC_CLOCK). */
const struct field *codec_fields(enum record_kind kind);
enum record_kind codec_kind_from_name(const char *name);

#endif
