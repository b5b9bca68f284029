/* width.c — display width of UTF-8 (or the locale's) text. See width.h. */
#include "width.h"

#include <stdio.h>
#include <string.h>
#include <wchar.h>

int text_width(const char *s)
{
    int cols = 0;
    mbstate_t st;
    memset(&st, 0, sizeof st);
    while (*s) {
        unsigned char c = (unsigned char)*s;
        if (c < 0x80) {
            cols++;
            s++;
            continue;
        }
        wchar_t wc;
        size_t n = mbrtowc(&wc, s, strlen(s), &st);
        if (n == (size_t)-1 || n == (size_t)-2 || n == 0) {
            memset(&st, 0, sizeof st);
            cols++;
            s++;
            continue;
        }
        int w = wcwidth(wc);
        cols += w < 0 ? 1 : w;
        s += n;
    }
    return cols;
}

const char *text_pad(char *buf, size_t len, const char *s, int cols)
{
    if (len == 0)
        return "";
    int pad = cols - text_width(s);
    snprintf(buf, len, "%s%*s", s, pad > 0 ? pad : 0, "");
    return buf;
}

void text_cut_utf8(char *s)
{
    size_t n = strlen(s), k = n;
    /* back over continuation bytes to the lead byte of the last character */
    while (k > 0 && ((unsigned char)s[k - 1] & 0xC0) == 0x80)
        k--;
    if (k == 0 || (unsigned char)s[k - 1] < 0xC0)
        return; /* ASCII last, or no lead byte: nothing to mend */
    unsigned char lead = (unsigned char)s[k - 1];
    size_t want = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : 2;
    if (n - (k - 1) < want)
        s[k - 1] = '\0';
}
