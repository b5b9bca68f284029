/* strbuf.h — appending formatted text to a fixed buffer without overflowing
 * it: the one way model and view code build their one-line summaries. */
#ifndef IPCPLAY_STRBUF_H
#define IPCPLAY_STRBUF_H

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>

/* Append to buf (of len bytes) at *off; *off stops at len - 1 when full. */
static inline void __attribute__((format(printf, 4, 5)))
strbuf_put(char *buf, size_t len, size_t *off, const char *fmt, ...)
{
    if (*off >= len)
        return;
    va_list ap;
    va_start(ap, fmt);
    int w = vsnprintf(buf + *off, len - *off, fmt, ap);
    va_end(ap);
    if (w > 0)
        *off += (size_t)w;
}

#endif
