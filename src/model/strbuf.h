/* strbuf.h — appending formatted text to a fixed buffer without overflowing
 * it: the one way model and view code build their summaries and windows.
 * The buffer always stays NUL-terminated; once full, more is dropped. */
#ifndef IPCPLAY_STRBUF_H
#define IPCPLAY_STRBUF_H

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>

static inline void strbuf_vput(char *buf, size_t len, size_t *off, const char *fmt, va_list ap)
{
    if (len == 0 || *off + 1 >= len)
        return;
    int w = vsnprintf(buf + *off, len - *off, fmt, ap);
    if (w > 0)
        *off += (size_t)w < len - *off ? (size_t)w : len - *off - 1;
}

/* Append to buf (of len bytes) at *off; *off stops at len - 1 when full. */
static inline void __attribute__((format(printf, 4, 5)))
strbuf_put(char *buf, size_t len, size_t *off, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    strbuf_vput(buf, len, off, fmt, ap);
    va_end(ap);
}

/* The same, for a buffer carried with its length and fill. */
struct strbuf {
    char *buf;
    size_t len, off;
};

static inline void __attribute__((format(printf, 2, 3)))
strbuf_add(struct strbuf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    strbuf_vput(b->buf, b->len, &b->off, fmt, ap);
    va_end(ap);
}

#endif
