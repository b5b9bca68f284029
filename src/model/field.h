/* field.h — a plain struct described field by field (name, type, offset,
 * size, count): how a recording writes records and events' payloads with
 * named fields and reads them back (src/record/fields.c), with no code per
 * field. A description is an array of struct field ending with {0}. The op
 * families describe their payloads with these (struct op_entry.payload). */
#ifndef IPCPLAY_FIELD_H
#define IPCPLAY_FIELD_H

#include <stddef.h>

enum field_type {
    FT_END = 0,
    FT_SINT, /* signed integer of size 1, 2, 4 or 8 (char too) */
    FT_UINT, /* unsigned integer (bool too) */
    FT_F64,  /* double */
    FT_CHAR, /* one char, written as a one-letter string ("" for 0) */
    FT_STR,  /* char[size]: up to the first NUL (may fill the array) */
    FT_HEX,  /* uint8_t[size]: bytes, written as hex */
    FT_SUB,  /* a struct (count 1) or an array of them (sub describes one) */
};

struct field {
    const char *name;
    enum field_type type;
    size_t offset;
    size_t size;  /* of one element */
    size_t count; /* elements: 1 for a plain field; an array is written as a JSON array */
    const struct field *sub;
};

/* Integers know their own signedness, so a changed type stays right. */
#define FIELD_MEMBER(T, f) (((T *)0)->f)
#define FIELD_INT_TYPE(x) (((__typeof__(x))-1) < (__typeof__(x))1 ? FT_SINT : FT_UINT)
#define FLD(T, f)                                                                                  \
    {                                                                                              \
#f, FIELD_INT_TYPE(FIELD_MEMBER(T, f)), offsetof(T, f), sizeof(FIELD_MEMBER(T, f)), 1,     \
            NULL                                                                                   \
    }
/* An array of integers: int32_t val[32]. */
#define FLD_ARR(T, f)                                                                              \
    {                                                                                              \
#f, FIELD_INT_TYPE(FIELD_MEMBER(T, f)[0]), offsetof(T, f), sizeof(FIELD_MEMBER(T, f)[0]),  \
            sizeof(FIELD_MEMBER(T, f)) / sizeof(FIELD_MEMBER(T, f)[0]), NULL                       \
    }
/* Under another name (a union's member, a name shared with the record's own keys). */
#define FLD_AS(name, T, f)                                                                         \
    {                                                                                              \
        name, FIELD_INT_TYPE(FIELD_MEMBER(T, f)), offsetof(T, f), sizeof(FIELD_MEMBER(T, f)), 1,   \
            NULL                                                                                   \
    }
#define FLD_F64(T, f)                                                                              \
    {                                                                                              \
#f, FT_F64, offsetof(T, f), sizeof(double), 1, NULL                                        \
    }
#define FLD_CHAR(T, f)                                                                             \
    {                                                                                              \
#f, FT_CHAR, offsetof(T, f), 1, 1, NULL                                                    \
    }
#define FLD_STR(T, f)                                                                              \
    {                                                                                              \
#f, FT_STR, offsetof(T, f), sizeof(FIELD_MEMBER(T, f)), 1, NULL                            \
    }
/* char names[8][24]: an array of strings. */
#define FLD_STRS(T, f)                                                                             \
    {                                                                                              \
#f, FT_STR, offsetof(T, f), sizeof(FIELD_MEMBER(T, f)[0]),                                 \
            sizeof(FIELD_MEMBER(T, f)) / sizeof(FIELD_MEMBER(T, f)[0]), NULL                       \
    }
#define FLD_HEX(T, f)                                                                              \
    {                                                                                              \
#f, FT_HEX, offsetof(T, f), sizeof(FIELD_MEMBER(T, f)), 1, NULL                            \
    }
#define FLD_SUB(T, f, desc)                                                                        \
    {                                                                                              \
#f, FT_SUB, offsetof(T, f), sizeof(FIELD_MEMBER(T, f)), 1, desc                            \
    }
#define FLD_SUBS(T, f, desc)                                                                       \
    {                                                                                              \
#f, FT_SUB, offsetof(T, f), sizeof(FIELD_MEMBER(T, f)[0]),                                 \
            sizeof(FIELD_MEMBER(T, f)) / sizeof(FIELD_MEMBER(T, f)[0]), desc                       \
    }
#define FLD_END                                                                                    \
    {                                                                                              \
        NULL, FT_END, 0, 0, 0, NULL                                                                \
    }

#endif
