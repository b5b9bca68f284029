/* overlay.c — what is drawn over the panels: the F1 help (generated from the
 * command table), the F2 scenario list, the `inspect` detail view (text from
 * the engine, refreshed while open), the completion matches above the
 * prompt, and the one-line "terminal too small" screen. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ui_internal.h"
#include "../model/inspect.h"
#include "../model/strbuf.h"
#include "../engine/events.h"
#include "../model/i18n.h"

#define HELP_MAX 16384

static int scen_line[64]; /* scenarios overlay: line of each scenario's name */

static void overlay_set_text(struct ui *u, const char *text)
{
    free(u->overlay_text);
    u->overlay_text = strdup(text ? text : "");
    u->overlay_nlines = 0;
    if (!u->overlay_text)
        return;
    for (const char *p = u->overlay_text; *p; p++)
        if (*p == '\n')
            u->overlay_nlines++;
    size_t len = strlen(u->overlay_text);
    if (len && u->overlay_text[len - 1] != '\n')
        u->overlay_nlines++;
}

/* Display rows of the overlay's text: a line wider than the box is wrapped
 * at spaces, its continuation indented under its second column ("help
 * [COMMAND]     list commands..." continues under "list"), so nothing is
 * cut at 80 columns. */
struct orow {
    int start, len; /* bytes of overlay_text */
    int indent;     /* columns before the text */
    int src;        /* source line */
};

static struct orow *orows;
static int norows, orows_cap;

/* Where a wrapped line continues: under its last column ("help [COMMAND]
 * <spaces> list commands" continues under "list"), the last run of two or
 * more spaces after text that starts within max columns; else its own
 * indentation plus two. */
static int hanging_indent(const char *line, int len, int max)
{
    int i = 0;
    while (i < len && line[i] == ' ')
        i++;
    int best = draw_width_n(line, (size_t)i) + 2;
    for (; i + 2 < len; i++)
        if (line[i] != ' ' && line[i + 1] == ' ' && line[i + 2] == ' ') {
            int j = i + 1;
            while (j < len && line[j] == ' ')
                j++;
            int col = draw_width_n(line, (size_t)j);
            if (j < len && col <= max)
                best = col;
            i = j - 1;
        }
    return best <= max ? best : max;
}

static void orow_add(int start, int len, int indent, int src)
{
    if (norows == orows_cap) {
        int cap = orows_cap ? orows_cap * 2 : 256;
        struct orow *n = realloc(orows, (size_t)cap * sizeof *n);
        if (!n)
            return;
        orows = n;
        orows_cap = cap;
    }
    orows[norows++] = (struct orow){start, len, indent, src};
}

/* Lay the text out for a box `inner` columns wide; returns the rows. */
static int overlay_wrap(struct ui *u, int inner)
{
    norows = 0;
    const char *t = u->overlay_text ? u->overlay_text : "";
    if (inner < 16)
        inner = 16;
    int src = 0;
    for (const char *p = t; *p; src++) {
        const char *nl = strchr(p, '\n');
        int len = nl ? (int)(nl - p) : (int)strlen(p);
        int off = 0, indent = 0;
        int hang = -1;
        do {
            int fit = (int)draw_wrap_row(p + off, (size_t)(len - off), inner - indent, false);
            orow_add((int)(p - t) + off, fit, indent, src);
            off += fit;
            while (off < len && p[off] == ' ')
                off++;
            if (hang < 0)
                hang = hanging_indent(p, len, inner * 2 / 3);
            indent = hang;
        } while (off < len);
        p = nl ? nl + 1 : p + len;
    }
    u->overlay_nlines = norows;
    return norows;
}

/* The first display row of a source line. */
static int overlay_row_of(int src)
{
    for (int i = 0; i < norows; i++)
        if (orows[i].src == src)
            return i;
    return 0;
}

void overlay_open(struct ui *u, int kind, const char *title, const char *text)
{
    u->overlay = kind;
    snprintf(u->overlay_title, sizeof u->overlay_title, "%s", title);
    overlay_set_text(u, text);
    u->overlay_scroll = 0;
    u->dirty |= DIRTY_OVERLAY | DIRTY_HINTS;
}

void overlay_close(struct ui *u)
{
    free(orows);
    orows = NULL;
    norows = orows_cap = 0;
    if (!u->overlay)
        return;
    u->overlay = OVERLAY_NONE;
    free(u->overlay_text);
    u->overlay_text = NULL;
    u->overlay_nlines = 0;
    u->inspect_what[0] = '\0';
    /* Everything under it must be painted again. */
    u->dirty |= DIRTY_ALL & ~DIRTY_LAYOUT;
}

void overlay_help(struct ui *u)
{
    static char text[HELP_MAX];
    struct strbuf s = {text, sizeof text, 0};
    text[0] = '\0';
    strbuf_add(&s, _("Commands (type at the prompt; a unique prefix is enough, Tab completes)\n"));
    for (int i = 0; i < ncommands; i++) {
        const struct command *c = &commands[i];
        if (!(c->where & CMD_CONSOLE))
            continue;
        char head[64];
        snprintf(head, sizeof head, "%s %s", c->name, c->args);
        strbuf_add(&s, "  %-30s %s\n", head, _(c->summary));
    }
    strbuf_add(&s, "  %-30s %s\n", "help COMMAND", _("explains one command in the story"));
    strbuf_add(&s, _("\nKeys\n"));
    s.off += keys_help_text(s.buf + s.off, s.len - s.off);
    strbuf_add(&s, _("\nProcess states (ST, from /proc/PID/stat)\n"));
    strbuf_add(
        &s,
        _("  R running or runnable    S asleep, waiting for something (a semaphore, a timer)\n"));
    strbuf_add(&s, _("  D asleep, not interruptible    T stopped (SIGSTOP)    Z zombie: exited, "
                     "not reaped\n"));
    strbuf_add(&s, _("  -  gone: exited and reaped by ipcplay\n"));
    strbuf_add(&s, _("\nColumns\n"));
    strbuf_add(&s,
               _("  DOING        what the op runner in that process is doing (from its events)\n"));
    strbuf_add(&s, _("  KERNEL SAYS  the system call it is in (/proc/PID/syscall); in red when it "
                     "is asleep\n"));
    strbuf_add(
        &s,
        _("               on a semaphore. futex: it waits at ipcplay's gate (pause or step)\n"));
    strbuf_add(
        &s,
        _("  semval       the semaphore's value; semncnt: processes asleep waiting for it to\n"));
    strbuf_add(
        &s,
        _("               rise (in P); semzcnt: waiting for it to reach 0; sempid: last semop\n"));
    strbuf_add(&s, _("\nThe story and the header are the same for a recording and a live run.\n"));
    overlay_open(u, OVERLAY_HELP, _("Help"), text);
}

void overlay_scenarios(struct ui *u)
{
    static char text[HELP_MAX];
    struct strbuf s = {text, sizeof text, 0};
    text[0] = '\0';
    int line = 0;
    /* columns as wide as their widest entry (a range too long for its
     * column takes the room it needs; the overlay wraps what is wider
     * than the screen under the meaning column) */
    int namew = 4, defw = 4, rangew = 6;
    for (int i = 0; i < nscenarios && i < 64; i++)
        for (int k = 0; k < scenarios[i]->nparams; k++) {
            const struct param_def *p = &scenarios[i]->params[k];
            char def[48], range[96];
            scenario_param_value(p, p->def, def, sizeof def);
            scenario_param_range(p, range, sizeof range);
            int nw = draw_width(p->name), dw = draw_width(def), rw = draw_width(range);
            namew = nw > namew ? nw : namew;
            defw = dw > defw ? dw : defw;
            rangew = rw > rangew && rw <= 16 ? rw : rangew;
        }
    for (int i = 0; i < nscenarios && i < 64; i++) {
        const struct scenario_def *sc = scenarios[i];
        scen_line[i] = line;
        strbuf_add(&s, "%s  %s\n", sc->name, _(sc->summary));
        line++;
        for (int k = 0; k < sc->nparams; k++) {
            const struct param_def *p = &sc->params[k];
            char def[48], range[96];
            scenario_param_value(p, p->def, def, sizeof def);
            scenario_param_range(p, range, sizeof range);
            strbuf_add(&s, "    %-*s  %-*s  %-*s  %s\n", namew, p->name, defw, def, rangew, range,
                       _(p->help));
            line++;
        }
        strbuf_add(&s, _("    watch:  %s\n"), _(sc->watch));
        strbuf_add(&s, "\n");
        line += 2;
    }
    strbuf_add(&s, _("  Enter puts  run NAME  at the prompt: add name=value words, then Enter.\n"));
    if (u->overlay_sel >= nscenarios || u->overlay_sel < 0)
        u->overlay_sel = 0;
    overlay_open(u, OVERLAY_SCENARIOS, _("Scenarios"), text);
}

int overlay_inspect(struct ui *u, const char *what)
{
    static char text[65536];
    char title[128], err[256], target[64];
    snprintf(target, sizeof target, "%s", what); /* `what` may be u->inspect_what */
    bool refresh = u->overlay == OVERLAY_INSPECT && strcmp(u->inspect_what, target) == 0;
    int rc =
        timeline_past(u) || !u->e /* the past: the model alone */
            ? model_inspect(u->m, target, title, sizeof title, text, sizeof text, err, sizeof err)
            : engine_inspect(u->e, target, title, sizeof title, text, sizeof text, err, sizeof err);
    if (rc < 0) {
        if (refresh)
            u->inspect_what[0] = '\0'; /* keep the last text, stop refreshing */
        else
            ui_say(u, OUT_ERROR, "%s", err);
        return -1;
    }
    int keep = refresh ? u->overlay_scroll : 0;
    overlay_open(u, OVERLAY_INSPECT, title, text);
    u->overlay_scroll = keep;
    snprintf(u->inspect_what, sizeof u->inspect_what, "%s", target);
    u->inspect_at_ns = events_now_ns();
    return 0;
}

struct obox {
    int y, x, h, w;
};

static struct obox overlay_box(struct ui *u)
{
    int maxw = 0, cur = 0;
    const char *t = u->overlay_text ? u->overlay_text : "";
    for (const char *p = t;; p++) {
        if (*p == '\n' || *p == '\0') {
            if (cur > maxw)
                maxw = cur;
            cur = 0;
            if (!*p)
                break;
        } else if (((unsigned char)*p & 0xc0) != 0x80) {
            cur++;
        }
    }
    struct obox b;
    int rows = u->lay.rows, cols = u->lay.cols;
    b.w = maxw + 4;
    if (b.w < 40)
        b.w = 40;
    if (b.w > cols - 4)
        b.w = cols - 4;
    overlay_wrap(u, b.w - 4);
    b.h = u->overlay_nlines + 2;
    if (b.h > rows - 5)
        b.h = rows - 5;
    if (b.h < 5)
        b.h = 5;
    b.y = (rows - 2 - b.h) / 2;
    if (b.y < 1)
        b.y = 1;
    b.x = (cols - b.w) / 2;
    return b;
}

static int overlay_page(struct ui *u)
{
    struct obox b = overlay_box(u);
    return b.h - 2 > 1 ? b.h - 2 : 1;
}

bool overlay_key(struct ui *u, int key)
{
    if (!u->overlay)
        return false;
    int page = overlay_page(u);
    int maxscroll = u->overlay_nlines - page > 0 ? u->overlay_nlines - page : 0;
    switch (key) {
    case 27: overlay_close(u); return true;
    case KEY_UP:
        if (u->overlay == OVERLAY_SCENARIOS) {
            if (u->overlay_sel > 0)
                u->overlay_sel--;
            u->overlay_scroll = overlay_row_of(scen_line[u->overlay_sel]);
        } else {
            u->overlay_scroll--;
        }
        break;
    case KEY_DOWN:
        if (u->overlay == OVERLAY_SCENARIOS) {
            if (u->overlay_sel < nscenarios - 1)
                u->overlay_sel++;
            u->overlay_scroll = overlay_row_of(scen_line[u->overlay_sel]);
        } else {
            u->overlay_scroll++;
        }
        break;
    case KEY_PPAGE: u->overlay_scroll -= page - 1; break;
    case KEY_NPAGE: u->overlay_scroll += page - 1; break;
    case KEY_HOME: u->overlay_scroll = 0; break;
    case KEY_END: u->overlay_scroll = maxscroll; break;
    default: return false;
    }
    if (u->overlay_scroll > maxscroll)
        u->overlay_scroll = maxscroll;
    if (u->overlay_scroll < 0)
        u->overlay_scroll = 0;
    if (u->overlay == OVERLAY_SCENARIOS && (key == KEY_PPAGE || key == KEY_NPAGE)) {
        /* the highlight follows the page, so Enter picks what is shown:
         * the first scenario that starts on it, else the one it is in */
        int sel = -1;
        for (int i = 0; i < nscenarios && i < 64 && sel < 0; i++) {
            int r = overlay_row_of(scen_line[i]);
            if (r >= u->overlay_scroll && r < u->overlay_scroll + page)
                sel = i;
        }
        for (int i = 0; i < nscenarios && i < 64 && sel < 0; i++)
            if (overlay_row_of(scen_line[i]) <= u->overlay_scroll &&
                (i + 1 >= nscenarios || overlay_row_of(scen_line[i + 1]) > u->overlay_scroll))
                sel = i;
        if (sel >= 0)
            u->overlay_sel = sel;
    }
    u->dirty |= DIRTY_OVERLAY;
    return true;
}

static void box_frame(WINDOW *w, int h, int wd, const char *title, const char *foot)
{
    const struct ui_glyphs *g = theme_glyphs();
    attr_t ra = theme_style(S_BOLD);
    const char *tl = g->corner[0], *tr = g->corner[1], *bl = g->corner[2], *br = g->corner[3];
    draw_text(w, 0, 0, 1, ra, tl);
    draw_hline(w, 0, 1, wd - 2, ra);
    draw_text(w, 0, wd - 1, 1, ra, tr);
    for (int y = 1; y < h - 1; y++) {
        draw_text(w, y, 0, 1, ra, g->vline);
        draw_text(w, y, wd - 1, 1, ra, g->vline);
    }
    draw_text(w, h - 1, 0, 1, ra, bl);
    draw_hline(w, h - 1, 1, wd - 2, ra);
    draw_text(w, h - 1, wd - 1, 1, ra, br);
    if (title)
        draw_textf(w, 0, 2, wd - 4, theme_style(S_TITLE), " %s ", title);
    if (foot) {
        int fw = draw_width(foot) + 2;
        int fx = wd - 2 - fw;
        if (fx < 2)
            fx = 2;
        draw_textf(w, h - 1, fx, wd - fx - 1, theme_style(S_DIM), " %s ", foot);
    }
}

void overlay_draw(struct ui *u)
{
    if (!u->overlay || !u->overlay_win)
        return;
    WINDOW *w = u->overlay_win;
    struct obox b = overlay_box(u);
    int oh, ow;
    getmaxyx(w, oh, ow);
    int oy, ox;
    getbegyx(w, oy, ox);
    if (oh != b.h || ow != b.w || oy != b.y || ox != b.x) {
        delwin(w);
        w = u->overlay_win = newwin(b.h, b.w, b.y, b.x);
        if (!w)
            return;
        leaveok(w, TRUE);
    }
    werase(w);
    int page = b.h - 2;
    char foot[64];
    if (u->overlay_nlines > page)
        snprintf(foot, sizeof foot, _("%d-%d of %d  Esc closes"), u->overlay_scroll + 1,
                 u->overlay_scroll + page < u->overlay_nlines ? u->overlay_scroll + page
                                                              : u->overlay_nlines,
                 u->overlay_nlines);
    else
        snprintf(foot, sizeof foot, _("Esc closes"));
    box_frame(w, b.h, b.w, u->overlay_title, foot);
    const char *t = u->overlay_text ? u->overlay_text : "";
    for (int y = 1, r = u->overlay_scroll; y < b.h - 1 && r < norows; y++, r++) {
        const struct orow *row = &orows[r];
        char buf[512];
        size_t n = row->len < (int)sizeof buf ? (size_t)row->len : sizeof buf - 1;
        memcpy(buf, t + row->start, n);
        buf[n] = '\0';
        attr_t a = A_NORMAL;
        bool selected = false;
        if (u->overlay == OVERLAY_SCENARIOS) {
            for (int i = 0; i < nscenarios && i < 64; i++)
                if (scen_line[i] == row->src) {
                    a = A_BOLD;
                    selected = i == u->overlay_sel;
                }
        } else if ((r == 0 || orows[r - 1].src != row->src) && buf[0] && buf[0] != ' ') {
            a = theme_style(S_HEADING); /* a line that starts in column 0 */
        }
        if (selected) {
            a = theme_style(S_SELECT) | A_BOLD;
            wattrset(w, a);
            wmove(w, y, 1);
            for (int i = 1; i < b.w - 1; i++)
                waddch(w, ' ');
        }
        draw_text(w, y, 2 + row->indent, b.w - 4 - row->indent, a, buf);
    }
    wnoutrefresh(w);
}

void popup_draw(struct ui *u)
{
    if (!u->nmatches || !u->popup_win)
        return;
    int maxlen = 0;
    for (int i = 0; i < u->nmatches; i++) {
        int wl = draw_width(u->matches[i]);
        if (wl > maxlen)
            maxlen = wl;
    }
    int cols = u->lay.cols;
    int colw = maxlen + 2;
    int width = cols - 2;
    int ncol = (width - 2) / colw;
    if (ncol < 1)
        ncol = 1;
    int nrow = (u->nmatches + ncol - 1) / ncol;
    int maxrows = u->lay.rows / 3;
    if (maxrows < 3)
        maxrows = 3;
    bool cut = nrow > maxrows;
    if (cut)
        nrow = maxrows;
    if (ncol > u->nmatches)
        ncol = u->nmatches;
    int bw = ncol * colw + 3;
    if (bw < 30)
        bw = 30;
    if (bw > cols)
        bw = cols;
    int bh = nrow + 2;
    int by = u->lay.area[AREA_CONSOLE].y - bh;
    if (by < 0)
        by = 0;
    WINDOW *w = u->popup_win;
    int oh, ow, oy, ox;
    getmaxyx(w, oh, ow);
    getbegyx(w, oy, ox);
    if (oh != bh || ow != bw || oy != by || ox != 0) {
        delwin(w);
        w = u->popup_win = newwin(bh, bw, by, 0);
        if (!w)
            return;
        leaveok(w, TRUE);
    }
    werase(w);
    char title[48], foot[48];
    snprintf(title, sizeof title, "%d matches", u->nmatches);
    snprintf(foot, sizeof foot, "%s", cut ? _("more: type to narrow") : _("Tab again, or type"));
    box_frame(w, bh, bw, title, foot);
    int shown = cut ? nrow * ncol - 1 : u->nmatches;
    for (int i = 0; i < shown && i < u->nmatches; i++) {
        int r = i % nrow, c = i / nrow;
        draw_text(w, 1 + r, 2 + c * colw, colw - 1, A_NORMAL, u->matches[i]);
    }
    if (cut)
        draw_textf(w, nrow, 2 + (ncol - 1) * colw, colw, theme_style(S_DIM), "+%d",
                   u->nmatches - shown);
    wnoutrefresh(w);
}

void small_draw(struct ui *u)
{
    WINDOW *w = u->small_win;
    if (!w)
        return;
    werase(w);
    char msg[96];
    snprintf(msg, sizeof msg, "terminal too small: need %dx%d, have %dx%d", UI_MIN_COLS,
             UI_MIN_ROWS, u->lay.cols, u->lay.rows);
    draw_text(w, 0, 0, u->lay.cols, A_BOLD, msg);
    wnoutrefresh(w);
}
