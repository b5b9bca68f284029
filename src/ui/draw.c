/* draw.c — small drawing helpers shared by the panels: text clipped to a
 * number of columns by display width (multibyte aware, so UTF-8 and wide
 * characters never overflow a panel), rules with titles, the clock format. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "ui_internal.h"

/* Decode one character at s: its byte length and display width. Invalid or
 * control bytes count as one byte, one column (drawn as '?'). */
static size_t draw_char(const char *s, int *width, bool *bad)
{
    unsigned char c = (unsigned char)*s;
    if (c >= 0x20 && c < 0x7f) { /* plain ASCII: most of what we draw */
        *width = 1;
        *bad = false;
        return 1;
    }
    mbstate_t st;
    memset(&st, 0, sizeof st);
    wchar_t wc;
    size_t n = mbrtowc(&wc, s, MB_CUR_MAX, &st);
    *bad = false;
    if (n == (size_t)-1 || n == (size_t)-2 || n == 0) {
        *width = 1;
        *bad = true;
        return 1;
    }
    int cw = wcwidth(wc);
    if (cw < 0) {
        *width = 1;
        *bad = true;
        return n;
    }
    *width = cw;
    return n;
}

size_t draw_fit(const char *s, int maxw, int *cols)
{
    size_t off = 0;
    int used = 0;
    while (s[off]) {
        int cw;
        bool bad;
        size_t n = draw_char(s + off, &cw, &bad);
        if (used + cw > maxw)
            break;
        used += cw;
        off += n;
    }
    if (cols)
        *cols = used;
    return off;
}

size_t draw_fit_n(const char *s, size_t n, int maxw, int *cols)
{
    size_t off = 0;
    int used = 0;
    while (off < n && s[off]) {
        int cw;
        bool bad;
        size_t k = draw_char(s + off, &cw, &bad);
        if (used + cw > maxw || off + k > n)
            break;
        used += cw;
        off += k;
    }
    if (cols)
        *cols = used;
    return off;
}

size_t draw_skip(const char *s, int cols)
{
    size_t off = 0;
    int used = 0;
    while (s[off] && used < cols) {
        int cw;
        bool bad;
        off += draw_char(s + off, &cw, &bad);
        used += cw;
    }
    return off;
}

/* Byte k of p is between two characters, and a wide one starts at k or ends
 * just before it. */
static bool wide_break(const char *p, size_t k)
{
    int cw;
    bool bad;
    if (((unsigned char)p[k] & 0xC0) == 0x80)
        return false; /* inside a character */
    if ((unsigned char)p[k] >= 0xC0) {
        draw_char(p + k, &cw, &bad);
        if (cw == 2)
            return true;
    }
    size_t b = k;
    while (b > 0 && ((unsigned char)p[b - 1] & 0xC0) == 0x80)
        b--;
    if (b > 0 && b < k && (unsigned char)p[b - 1] >= 0xC0) {
        draw_char(p + b - 1, &cw, &bad);
        return cw == 2;
    }
    return false;
}

size_t draw_wrap_row(const char *p, size_t len, int room, bool chains)
{
    int cols;
    size_t fit = draw_fit_n(p, len, room, &cols);
    if (fit >= len)
        return len;
    size_t cut = 0;
    /* a chain ("a -> b -> c") breaks before an arrow, so "sem 5" stays whole */
    for (size_t k = fit / 2; chains && k + 3 <= fit; k++)
        if (strncmp(p + k, " -> ", 4) == 0)
            cut = k;
    if (!cut) {
        /* at a space, or between two characters when either is wide: Chinese
         * has no spaces, and a line may break between any two of its
         * characters (but not inside an ASCII word or number next to them) */
        cut = fit;
        while (cut > 0 && p[cut] != ' ' && !wide_break(p, cut))
            cut--;
    }
    if (cut > fit / 3)
        fit = cut;
    if (fit == 0) {
        int cw;
        bool bad;
        fit = draw_char(p, &cw, &bad);
    }
    return fit < len ? fit : len;
}

int draw_width_n(const char *s, size_t n)
{
    int used = 0;
    size_t off = 0;
    while (off < n && s[off]) {
        int cw;
        bool bad;
        off += draw_char(s + off, &cw, &bad);
        used += cw;
    }
    return used;
}

int draw_width(const char *s)
{
    int used = 0;
    size_t off = 0;
    while (s[off]) {
        int cw;
        bool bad;
        off += draw_char(s + off, &cw, &bad);
        used += cw;
    }
    return used;
}

/* Write bytes [s, s+len), replacing undecodable or control characters. */
static void draw_raw(WINDOW *w, const char *s, size_t len)
{
    size_t off = 0, run = 0;
    while (off < len) {
        int cw;
        bool bad;
        size_t n = draw_char(s + off, &cw, &bad);
        if (bad) {
            if (off > run)
                waddnstr(w, s + run, (int)(off - run));
            waddch(w, '?');
            run = off + n;
        }
        off += n;
    }
    if (len > run)
        waddnstr(w, s + run, (int)(len - run));
}

int draw_text(WINDOW *w, int y, int x, int maxw, attr_t a, const char *s)
{
    if (maxw <= 0 || !s)
        return 0;
    int cols;
    size_t fit = draw_fit(s, maxw, &cols);
    wattrset(w, a);
    wmove(w, y, x);
    if (s[fit] == '\0') {
        draw_raw(w, s, fit);
        wattrset(w, A_NORMAL);
        return cols;
    }
    const char *ell = theme_glyphs()->ellipsis;
    fit = draw_fit(s, maxw - 1, &cols);
    draw_raw(w, s, fit);
    waddstr(w, ell);
    wattrset(w, A_NORMAL);
    return cols + 1;
}

int draw_textf(WINDOW *w, int y, int x, int maxw, attr_t a, const char *fmt, ...)
{
    char buf[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    return draw_text(w, y, x, maxw, a, buf);
}

void draw_hline(WINDOW *w, int y, int x, int n, attr_t a)
{
    const char *h = theme_glyphs()->hline;
    wattrset(w, a);
    wmove(w, y, x);
    for (int i = 0; i < n; i++)
        waddstr(w, h);
    wattrset(w, A_NORMAL);
}

void draw_rule(WINDOW *w, int y, int x, int n, const char *title, const char *extra)
{
    draw_hline(w, y, x, n, theme_style(S_RULE));
    if (!title || n < 6)
        return;
    int used = draw_text(w, y, x + 1, n - 2, theme_style(S_TITLE), " ");
    used += draw_text(w, y, x + 1 + used, n - 2 - used, theme_style(S_TITLE), title);
    if (extra && *extra && n - 2 - used > 4) {
        used += draw_text(w, y, x + 1 + used, n - 2 - used, A_NORMAL, "  ");
        used += draw_text(w, y, x + 1 + used, n - 3 - used, A_NORMAL, extra);
    }
    draw_text(w, y, x + 1 + used, n - 2 - used, A_NORMAL, " ");
}

void draw_clock(uint64_t ns, char *buf, size_t len)
{
    uint64_t tenths = ns / 100000000ull;
    unsigned long long min = tenths / 600, sec = (tenths / 10) % 60, d = tenths % 10;
    snprintf(buf, len, "%02llu:%02llu.%llu", min, sec, d);
}
