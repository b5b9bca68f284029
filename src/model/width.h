/* width.h — the display width of text in terminal columns (a CJK character
 * takes two, a combining mark none), for the code outside the dashboard that
 * lines text up in columns: the headless story, `list`, the key help. printf's
 * "%-12s" pads by bytes, which breaks every column after a Chinese word. */
#ifndef IPCPLAY_WIDTH_H
#define IPCPLAY_WIDTH_H

#include <stddef.h>

/* Columns s takes; an undecodable byte counts as one. */
int text_width(const char *s);
/* s padded with spaces to at least cols columns, in buf (len bytes): buf. */
const char *text_pad(char *buf, size_t len, const char *s, int cols);

/* A string cut to its buffer by snprintf may end inside a UTF-8 sequence
 * (a Chinese story line is three bytes a character): drop that partial tail. */
void text_cut_utf8(char *s);

#endif
