/* ui.c — the dashboard, a view attached to the one loop (view/loop.h): it
 * gives the loop the terminal (and a signalfd for SIGTSTP) to poll, handles
 * keys first in every turn, takes the engine's flags, and tells the loop
 * when a frame or the inspect window is due. Key handlers and engine
 * dispatch only change state and mark areas dirty; each dirty area is then
 * drawn once with wnoutrefresh() and the frame pushed with a single
 * doupdate(). Drawing after input happens at once; redraws the engine
 * causes are paced (at most one per 100 ms). Keys act through the one key
 * table (view/keys.h); commands, from the prompt or a function key, go
 * through the one command table (commands.h). */
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>
#include <wchar.h>

#include "ui_internal.h"
#include "../engine/hand.h"
#include "../view/loop.h"
#include "../model/signames.h"
#include "../model/i18n.h"

#define UI_FRAME_NS 100000000ull   /* engine-driven redraws: at most 10 a second */
#define UI_INSPECT_NS 500000000ull /* the inspect view re-reads /proc twice a second */

static struct ui the_ui;

/* A story line of command output; long ones are split at spaces so nothing
 * is lost to the model's fixed-size line. */
static void ui_say_line(struct ui *u, int kind, const char *who, const char *text)
{
    if (timeline_print(u, kind, text)) /* a replay, or the past: no story to add to */
        return;
    size_t len = strlen(text), off = 0;
    const size_t max = sizeof u->m->story[0].detail - 1;
    do {
        size_t n = len - off;
        if (n > max) {
            /* the last sentence or clause end that fits, else the last space */
            size_t cut = 0;
            for (const char *ends = ".;:"; *ends && !cut; ends++)
                for (size_t i = max / 3; i + 1 < max; i++)
                    if (text[off + i] == *ends && text[off + i + 1] == ' ')
                        cut = i + 1;
            /* Chinese has its own full stops and commas, and no spaces */
            for (int k = 0; k < 4 && !cut; k++) {
                static const char *const cjk_ends[] = {"。", "；", "：", "，"};
                size_t el = strlen(cjk_ends[k]);
                for (size_t i = max / 3; i + el <= max; i++)
                    if (memcmp(text + off + i, cjk_ends[k], el) == 0)
                        cut = i + el;
            }
            if (!cut)
                for (size_t i = max / 2; i < max; i++)
                    if (text[off + i] == ' ')
                        cut = i;
            n = cut ? cut : max;
            while (n > 0 && ((unsigned char)text[off + n] & 0xc0) == 0x80)
                n--; /* never split a UTF-8 character */
        }
        engine_say(u->e, kind, off ? "" : who, "", "%.*s", (int)n, text + off);
        off += n;
        while (off < len && text[off] == ' ')
            off++;
    } while (off < len);
}

void ui_say(struct ui *u, int kind, const char *fmt, ...)
{
    char *buf = NULL; /* as long as it needs: ui_say_line wraps, never cuts */
    va_list ap;
    va_start(ap, fmt);
    int n = vasprintf(&buf, fmt, ap);
    va_end(ap);
    if (n >= 0)
        ui_say_line(u, kind, "", buf);
    free(buf);
}

/* ---- the command host ------------------------------------------------------ */

static const char *current_line; /* the line being run, echoed again after a run starts */

static void host_print(void *self, int kind, const char *line)
{
    ui_say_line(self, kind, "", line);
}

static void ui_welcome_run(struct ui *u, const struct scenario_def *s)
{
    ui_say(u, OUT_INFO, _("what to watch: %s"), _(s->watch));
    ui_say(u, OUT_INFO,
           _("F3 pauses, F4 steps one op, F5/F6 change the pace; type help for "
             "every command, F1 for keys"));
}

static int host_run(void *self, const struct scenario_def *s, const long *vals)
{
    struct ui *u = self;
    char err[256];
    if (!u->e) { /* in a replay: the caller starts it live, with a terminal of its own */
        u->run_s = s;
        memcpy(u->run_vals, vals, sizeof u->run_vals);
        u->quit = true;
        return 0;
    }
    if (u->host.start_paused)
        engine_start_paused(u->e);
    u->host.start_paused = false;
    timeline_restart(u);
    if (engine_start(u->e, s, vals, engine_speed(u->e), err, sizeof err) < 0) {
        ui_say(u, OUT_ERROR, _("cannot start %s: %s"), s->name, err);
        return -1;
    }
    panels_reset(u);
    if (current_line)
        ui_say_line(u, OUT_INFO, "you", current_line);
    ui_welcome_run(u, s);
    u->dirty |= DIRTY_ALL;
    return 0;
}

static void host_clear(void *self)
{
    struct ui *u = self;
    u->story_base = u->m->story_count;
    u->story_anchor = 0;
    u->dirty |= DIRTY_STORY;
}

static void host_inspect(void *self, const char *what)
{
    overlay_inspect(self, what);
}

static void ui_on_stopped(struct ui *u);

/* Run one command line as if typed (function keys use this too). */
static void ui_command(struct ui *u, const char *line, const char *echo_note)
{
    while (*line == ' ' || *line == '\t')
        line++;
    if (!*line)
        return;
    if (timeline_past(u))
        ; /* a replay's story is the recording's */
    else if (echo_note)
        engine_say(u->e, OUT_INFO, "you", "", "%s   (%s)", line, echo_note);
    else
        ui_say_line(u, OUT_INFO, "you", line);
    u->story_anchor = 0;
    u->dirty |= DIRTY_STORY;
    if (u->overlay)
        overlay_close(u); /* `inspect` opens its own */
    char again[256];
    if (strcmp(line, "run") == 0 && timeline_run_line(u, again, sizeof again))
        line = again; /* a replay's `run`: its scenario, with the recorded values */
    current_line = line;
    bool was_active = u->e && engine_active(u->e);
    int rc = command_run_line(&u->host, line);
    current_line = NULL;
    if (rc == CMD_QUIT)
        u->quit = true;
    else if (was_active && u->e && !engine_active(u->e))
        ui_on_stopped(u);
}

static void ui_run_lines(struct ui *u)
{
    for (int i = 0; i < u->nlines; i++) {
        char *line = u->lines[i];
        const char *p = line;
        while (*p == ' ' || *p == '\t')
            p++;
        if (*p) {
            console_remember(line);
            if (!u->quit)
                ui_command(u, p, NULL);
        }
        free(line);
    }
    u->nlines = 0;
}

/* ---- speed keys ---------------------------------------------------------- */

static const double speed_ladder[] = {0.1, 0.25, 0.5, 1, 2, 4, 10};
#define NLADDER ((int)(sizeof speed_ladder / sizeof speed_ladder[0]))

static void ui_speed_step(struct ui *u, int dir, const char *key)
{
    const struct cmd_actions *a = u->host.act;
    double cur = a ? a->get_speed(a->ctx) : engine_speed(u->e);
    double eff = cur == 0 ? 1e9 : cur; /* max is the fastest */
    char cmd[32];
    if (dir > 0) {
        int i = 0;
        while (i < NLADDER && speed_ladder[i] <= eff + 1e-9)
            i++;
        if (i < NLADDER)
            snprintf(cmd, sizeof cmd, "speed %g", speed_ladder[i]);
        else
            snprintf(cmd, sizeof cmd, "speed max");
    } else {
        int i = NLADDER - 1;
        while (i >= 0 && speed_ladder[i] >= eff - 1e-9)
            i--;
        if (i < 0)
            i = 0;
        snprintf(cmd, sizeof cmd, "speed %g", speed_ladder[i]);
    }
    ui_command(u, cmd, key);
}

/* ---- keys ------------------------------------------------------------------ */

static void ui_feed(struct ui *u, const char *bytes)
{
    console_feed(u, bytes, strlen(bytes));
    ui_run_lines(u);
}

static void ui_key_code(struct ui *u, int key);

/* wget_wch(), but a byte that cannot start or continue a character costs
 * only itself: ncurses' own decoder keeps reading after an invalid byte and
 * throws away everything it read with it (the rest of a paste, Enter
 * included). Keys come byte by byte from wgetch() and are decoded here;
 * an invalid byte is dropped and the bytes after it are read again. */
static int ui_get_key(struct ui *u, wint_t *wc)
{
    for (;;) {
        int c = wgetch(u->input);
        if (c == ERR)
            return ERR;
        if (c >= KEY_MIN) {
            *wc = (wint_t)c;
            return KEY_CODE_YES;
        }
        char bytes[MB_LEN_MAX];
        size_t n = 0;
        bytes[n++] = (char)c;
        mbstate_t st;
        memset(&st, 0, sizeof st);
        wchar_t w;
        size_t r = mbrtowc(&w, bytes, n, &st);
        while (r == (size_t)-2 && n < sizeof bytes) {
            int next = wgetch(u->input);
            if (next == ERR) { /* the rest is not here yet: wait for it */
                while (n > 0)
                    ungetch((unsigned char)bytes[--n]);
                return ERR;
            }
            if (next >= KEY_MIN) {
                ungetch(next);
                r = (size_t)-1; /* cut short by a key: drop the lead byte */
                break;
            }
            bytes[n] = (char)next;
            memset(&st, 0, sizeof st);
            r = mbrtowc(&w, bytes, ++n, &st);
        }
        if (r != (size_t)-1 && r != (size_t)-2) {
            *wc = r == 0 ? 0 : (wint_t)w;
            return OK;
        }
        /* Drop the first byte; what followed it is read again. */
        while (n > 1)
            ungetch((unsigned char)bytes[--n]);
    }
}

/* Escape sequences ncurses did not recognise for this terminal (xterm-style
 * modified keys, mostly): decode the few we use, drop the rest rather than
 * let readline insert their bytes. */
static void ui_key_escape_seq(struct ui *u, wint_t intro)
{
    char seq[32];
    size_t n = 0;
    seq[n++] = (char)intro;
    for (;;) {
        wint_t c;
        int r = ui_get_key(u, &c);
        if (r != OK || n + 1 >= sizeof seq)
            break;
        seq[n++] = (char)c;
        if (intro == 'O' || (c >= 0x40 && c <= 0x7e))
            break;
    }
    seq[n] = '\0';
    static const struct {
        const char *seq;
        int key;          /* a curses key code, or 0 */
        const char *feed; /* or bytes for readline */
    } map[] = {
        {"[1;2A", KEY_SR, NULL},    {"[1;2B", KEY_SF, NULL},   {"[5;2~", KEY_SPREVIOUS, NULL},
        {"[6;2~", KEY_SNEXT, NULL}, {"[1;5C", 0, "\033f"},     {"[1;5D", 0, "\033b"},
        {"[1;3C", 0, "\033f"},      {"[1;3D", 0, "\033b"},     {"[A", KEY_UP, NULL},
        {"[B", KEY_DOWN, NULL},     {"[C", KEY_RIGHT, NULL},   {"[D", KEY_LEFT, NULL},
        {"OA", KEY_UP, NULL},       {"OB", KEY_DOWN, NULL},    {"OC", KEY_RIGHT, NULL},
        {"OD", KEY_LEFT, NULL},     {"[H", KEY_HOME, NULL},    {"[F", KEY_END, NULL},
        {"OH", KEY_HOME, NULL},     {"OF", KEY_END, NULL},     {"[1~", KEY_HOME, NULL},
        {"[4~", KEY_END, NULL},     {"[7~", KEY_HOME, NULL},   {"[8~", KEY_END, NULL},
        {"[3~", KEY_DC, NULL},      {"[5~", KEY_PPAGE, NULL},  {"[6~", KEY_NPAGE, NULL},
        {"OP", KEY_F(1), NULL},     {"OQ", KEY_F(2), NULL},    {"OR", KEY_F(3), NULL},
        {"OS", KEY_F(4), NULL},     {"[11~", KEY_F(1), NULL},  {"[12~", KEY_F(2), NULL},
        {"[13~", KEY_F(3), NULL},   {"[14~", KEY_F(4), NULL},  {"[15~", KEY_F(5), NULL},
        {"[17~", KEY_F(6), NULL},   {"[21~", KEY_F(10), NULL},
    };
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
        if (strcmp(seq, map[i].seq) == 0) {
            if (map[i].key)
                ui_key_code(u, map[i].key);
            else
                ui_feed(u, map[i].feed);
            return;
        }
}

static void ui_key_esc(struct ui *u)
{
    if (console_searching()) { /* Esc ends a history search, keeping the line */
        ui_feed(u, "\033");
        return;
    }
    if (u->nmatches)
        console_clear_matches(u);
    else if (u->overlay)
        overlay_close(u);
    u->dirty |= DIRTY_HINTS;
}

static void ui_key_enter(struct ui *u)
{
    if (u->overlay == OVERLAY_SCENARIOS && console_empty()) {
        char line[64];
        snprintf(line, sizeof line, "run %s ", scenarios[u->overlay_sel]->name);
        overlay_close(u);
        console_set_line(u, line);
        return;
    }
    ui_feed(u, "\r");
}

static void ui_key_cancel(struct ui *u)
{
    bool empty = console_empty();
    console_cancel(u);
    /* On an empty line, Ctrl-C interrupts the call `you` sleeps in (EINTR). */
    if (empty && u->e && engine_hand_interrupt(u->e) == 0)
        return;
    if (empty)
        ui_say(u, OUT_INFO,
               _("Ctrl-C clears the line being typed; to quit: quit, F10 or "
                 "Ctrl-D"));
}

/* A timeline key's command, not echoed: moving about is no story line. */
static void ui_timeline_command(struct ui *u, const char *line)
{
    command_run_line(&u->host, line);
    u->dirty |= DIRTY_HEADER | DIRTY_HINTS;
}

/* What a key of the table does (view/keys.h); code is the key pressed, for
 * the direction of a pair. */
static void ui_key_act(struct ui *u, const struct key_binding *b, int code)
{
    int dir = keys_dir(b, code);
    bool paused = timeline_paused(u);
    switch (b->action) {
    case KA_HELP:
        if (u->overlay == OVERLAY_HELP)
            overlay_close(u);
        else
            overlay_help(u);
        break;
    case KA_SCENARIOS:
        if (u->overlay == OVERLAY_SCENARIOS)
            overlay_close(u);
        else
            overlay_scenarios(u);
        break;
    case KA_PAUSE:
    case KA_PLAY: ui_command(u, paused ? "resume" : "pause", b->name); break;
    case KA_STEP: ui_command(u, "step", b->name); break;
    case KA_SLOWER: ui_speed_step(u, -1, b->name); break;
    case KA_FASTER: ui_speed_step(u, +1, b->name); break;
    case KA_QUIT: ui_command(u, "quit", b->name); break;
    case KA_CLOSE: ui_key_esc(u); return;
    case KA_MOVE:
        if (!overlay_key(u, dir < 0 ? KEY_UP : KEY_DOWN))
            ui_feed(u, dir < 0 ? "\033[A" : "\033[B");
        return;
    case KA_PAGE:
        if (!overlay_key(u, dir < 0 ? KEY_PPAGE : KEY_NPAGE))
            panels_story_scroll(u, dir * (panels_story_page(u) - 1));
        return;
    case KA_PROCS_LINE: panels_procs_scroll(u, dir); return;
    case KA_PROCS_PAGE: panels_procs_scroll(u, dir * (u->lay.area[AREA_PROCS].h - 3)); return;
    case KA_ENTER: ui_key_enter(u); return;
    case KA_COMPLETE: ui_feed(u, "\t"); return;
    case KA_SEARCH: ui_feed(u, "\022"); return;
    case KA_CANCEL: ui_key_cancel(u); return; /* never quits */
    case KA_REPAINT:
        clearok(curscr, TRUE);
        u->dirty |= DIRTY_ALL & ~DIRTY_LAYOUT;
        return;
    case KA_SUSPEND: u->suspend = true; return; /* as the terminal's own Ctrl-Z would */
    case KA_BACK: ui_timeline_command(u, "back"); return;
    case KA_SEEK: ui_timeline_command(u, dir < 0 ? "seek -5" : "seek +5"); return;
    case KA_ENDS: ui_timeline_command(u, dir < 0 ? "seek start" : "seek end"); return;
    case KA_MARK: ui_timeline_command(u, dir < 0 ? "mark prev" : "mark next"); return;
    }
    u->dirty |= DIRTY_HINTS; /* F3's word, an overlay opened or closed */
}

/* A key of the table by its code: false when it has no binding. The
 * timeline's keys (Space, arrows, Home/End, [ ]) are theirs only on a
 * timeline, with the line empty and no window open: else they edit. */
static bool ui_key(struct ui *u, int code)
{
    const struct key_binding *b = keys_find(code);
    if (b && b->timeline && !(u->tl && console_empty() && !u->overlay && !u->nmatches))
        b = NULL;
    if (b)
        ui_key_act(u, b, code);
    return b != NULL;
}

/* A curses key code as the key table's code, or 0. Some terminfo entries
 * name Shift + arrows only as extended keys. */
static int ui_keyc(int key)
{
    if (key >= KEY_F(1) && key <= KEY_F(24)) /* 13..24: Shift + F1..F12 */
        return KEYC_F(key - KEY_F(0));
    static const struct {
        int curses, keyc;
    } map[] = {
        {KEY_UP, KEYC_UP},
        {KEY_DOWN, KEYC_DOWN},
        {KEY_PPAGE, KEYC_PGUP},
        {KEY_NPAGE, KEYC_PGDN},
        {KEY_SR, KEYC_SHIFT_UP},
        {KEY_SF, KEYC_SHIFT_DOWN},
        {KEY_SPREVIOUS, KEYC_SHIFT_PGUP},
        {KEY_SNEXT, KEYC_SHIFT_PGDN},
        {KEY_ENTER, KEYC_ENTER},
        {KEY_LEFT, KEYC_LEFT},
        {KEY_RIGHT, KEYC_RIGHT},
        {KEY_HOME, KEYC_HOME},
        {KEY_END, KEYC_END},
    };
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
        if (map[i].curses == key)
            return map[i].keyc;
    const char *name = key >= KEY_MIN ? keyname(key) : NULL;
    static const struct {
        const char *name;
        int keyc;
    } ext[] = {{"kUP2", KEYC_SHIFT_UP},
               {"kDN2", KEYC_SHIFT_DOWN},
               {"kPRV2", KEYC_SHIFT_PGUP},
               {"kNXT2", KEYC_SHIFT_PGDN}};
    for (size_t i = 0; name && i < sizeof ext / sizeof ext[0]; i++)
        if (strcmp(name, ext[i].name) == 0)
            return ext[i].keyc;
    return 0;
}

static void ui_key_code(struct ui *u, int key)
{
    if (key != '\t' && u->nmatches)
        console_clear_matches(u);
    int kc = ui_keyc(key);
    if (kc && ui_key(u, kc))
        return;
    /* The rest is line editing: readline's keys, given to it as bytes. */
    switch (key) {
    case KEY_RESIZE: return; /* resizes come through the engine's signalfd */
    case KEY_LEFT: ui_feed(u, "\033[D"); return;
    case KEY_RIGHT: ui_feed(u, "\033[C"); return;
    case KEY_HOME: ui_feed(u, "\033[H"); return;
    case KEY_END: ui_feed(u, "\033[F"); return;
    case KEY_DC: ui_feed(u, "\033[3~"); return;
    case KEY_BACKSPACE: ui_feed(u, "\177"); return;
    default: break;
    }
    /* Ctrl/Alt + arrows, as some terminfo entries name them. */
    const char *name = keyname(key);
    if (!name)
        return;
    if (strcmp(name, "kRIT5") == 0 || strcmp(name, "kRIT3") == 0)
        ui_feed(u, "\033f");
    else if (strcmp(name, "kLFT5") == 0 || strcmp(name, "kLFT3") == 0)
        ui_feed(u, "\033b");
}

static void ui_key_char(struct ui *u, wint_t wc);

/* Esc: alone it is the Esc key; with what follows it in the same read, a
 * key sequence, Esc then a key, or an Alt-key for readline. */
static void ui_key_esc_intro(struct ui *u)
{
    wint_t c2;
    int r = ui_get_key(u, &c2);
    if (r == ERR)
        ui_key(u, KEYC_ESC);
    else if (r == KEY_CODE_YES)
        ui_key_code(u, (int)c2);
    else if (c2 == '[' || c2 == 'O') {
        if (u->nmatches)
            console_clear_matches(u);
        ui_key_escape_seq(u, c2);
    } else if ((u->overlay || u->nmatches) && !console_searching()) {
        /* Esc and the next key in one read (typed fast, or sent by a
         * script): with a window open an Alt-key means nothing, so
         * this is Esc closing it, then a key for the prompt */
        ui_key(u, KEYC_ESC);
        ui_key_char(u, c2);
    } else {
        if (u->nmatches)
            console_clear_matches(u);
        char buf[8] = {27};
        mbstate_t st;
        memset(&st, 0, sizeof st);
        size_t n = wcrtomb(buf + 1, (wchar_t)c2, &st);
        if (n != (size_t)-1) {
            console_feed(u, buf, n + 1);
            ui_run_lines(u);
        }
    }
}

static void ui_key_char(struct ui *u, wint_t wc)
{
    /* Esc decides below what the open list means for the key after it */
    if (wc != '\t' && wc != 27 && u->nmatches)
        console_clear_matches(u);
    if (wc == 27) {
        ui_key_esc_intro(u);
        return;
    }
    if (ui_key(u, wc == '\n' ? KEYC_ENTER : (int)wc))
        return;
    char buf[MB_LEN_MAX + 1];
    mbstate_t st;
    memset(&st, 0, sizeof st);
    size_t n = wcrtomb(buf, (wchar_t)wc, &st);
    if (n == (size_t)-1)
        return;
    console_feed(u, buf, n);
    ui_run_lines(u);
}

/* Read every key waiting (the input pad is nodelay). */
static void ui_read_keys(struct ui *u)
{
    for (int guard = 0; guard < 4096 && !u->quit && !u->eof; guard++) {
        wint_t wc;
        int r = ui_get_key(u, &wc);
        if (r == ERR)
            break;
        if (r == KEY_CODE_YES)
            ui_key_code(u, (int)wc);
        else
            ui_key_char(u, wc);
    }
}

/* ---- layout and windows ---------------------------------------------------- */

static void layout_compute(const struct ui *u, int rows, int cols, struct ui_layout *L)
{
    memset(L, 0, sizeof *L);
    L->rows = rows;
    L->cols = cols;
    if (rows < UI_MIN_ROWS || cols < UI_MIN_COLS) {
        L->small = true;
        return;
    }
    const struct model *m = u->m;
    L->wide = cols >= 116 && objects_any(m) && !objects_prefer_full_width(m);
    int hh = panels_header_rows(u, cols);
    L->area[AREA_HEADER] = (struct ui_rect){0, 0, hh, cols};
    L->area[AREA_HINTS] = (struct ui_rect){rows - 2, 0, 1, cols};
    L->area[AREA_CONSOLE] = (struct ui_rect){rows - 1, 0, 1, cols};
    int y = hh, content = rows - 2 - hh;
    int pw = ui_panels[AREA_PROCS].want(u, cols, 0);
    if (L->wide) {
        L->detail = true;
        int lw = cols - 54 > cols * 55 / 100 ? cols - 54 : cols * 55 / 100;
        int ow = objects_want(u, cols - lw, 2);
        int top = pw > ow ? pw : ow;
        int story_min = 7;
        if (top < 8)
            top = 8;
        if (top > content - story_min)
            top = content - story_min;
        L->split = lw - 1;
        L->area[AREA_PROCS] = (struct ui_rect){y, 0, top, lw};
        L->area[AREA_OBJECTS] = (struct ui_rect){y, lw, top, cols - lw};
        L->area[AREA_STORY] = (struct ui_rect){y + top, 0, content - top, cols};
        return;
    }
    /* Stacked: processes, objects, story. Objects in detail when that
     * leaves the processes and the story enough room. */
    int story_min = 6;
    int avail = content - story_min;
    int ow = objects_want(u, cols, 2);
    L->detail = ow <= avail / 2;
    if (!L->detail) {
        ow = objects_want(u, cols, 1);
        if (pw + ow > avail) {
            L->tight = true;
            ow = objects_want(u, cols, 0);
        }
    }
    /* When both want more than there is, share it: neither starves. */
    if (pw + ow > avail) {
        int half = avail / 2;
        if (pw <= half)
            ow = avail - pw;
        else if (ow <= half)
            pw = avail - ow;
        else {
            pw = avail - half;
            ow = half;
        }
    }
    if (pw < 3)
        pw = 3;
    L->area[AREA_PROCS] = (struct ui_rect){y, 0, pw, cols};
    L->area[AREA_OBJECTS] = (struct ui_rect){y + pw, 0, ow, cols};
    L->area[AREA_STORY] = (struct ui_rect){y + pw + ow, 0, content - pw - ow, cols};
}

static void ui_free_windows(struct ui *u)
{
    for (int i = 0; i < AREA__N; i++)
        if (u->win[i]) {
            delwin(u->win[i]);
            u->win[i] = NULL;
        }
    if (u->overlay_win)
        delwin(u->overlay_win);
    if (u->popup_win)
        delwin(u->popup_win);
    if (u->small_win)
        delwin(u->small_win);
    u->overlay_win = u->popup_win = u->small_win = NULL;
}

static void ui_relayout(struct ui *u)
{
    ui_free_windows(u);
    layout_compute(u, LINES, COLS, &u->lay);
    if (u->lay.small) {
        u->small_win = newwin(LINES > 0 ? LINES : 1, COLS > 0 ? COLS : 1, 0, 0);
        if (u->small_win)
            leaveok(u->small_win, TRUE);
    } else {
        for (int i = 0; i < AREA__N; i++) {
            struct ui_rect r = u->lay.area[i];
            if (r.h <= 0 || r.w <= 0)
                continue;
            u->win[i] = newwin(r.h, r.w, r.y, r.x);
            if (u->win[i] && i != AREA_CONSOLE)
                leaveok(u->win[i], TRUE);
        }
        u->overlay_win = newwin(1, 1, 0, 0);
        u->popup_win = newwin(1, 1, 0, 0);
        if (u->overlay_win)
            leaveok(u->overlay_win, TRUE);
        if (u->popup_win)
            leaveok(u->popup_win, TRUE);
    }
    curs_set(u->lay.small ? 0 : 1);
    console_resize(u);
    u->dirty |= DIRTY_ALL;
    u->dirty &= ~DIRTY_LAYOUT;
}

static void ui_resize(struct ui *u)
{
    struct winsize ws;
    if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_row > 0 && ws.ws_col > 0)
        resizeterm(ws.ws_row, ws.ws_col);
    clearok(curscr, TRUE);
    u->dirty |= DIRTY_ALL;
}

/* Compare what the model says now with what was drawn. */
static void ui_check_model(struct ui *u)
{
    const struct model *m = u->m;
    uint64_t gens[4] = {m->gen_header, m->gen_procs, m->gen_objects, m->gen_story};
    bool layout_may_change = false;
    if (timeline_shown(u) != u->tl_shown) {
        u->tl_shown = timeline_shown(u);
        u->dirty |= DIRTY_LAYOUT;
    }
    if (gens[0] != u->seen_gen[0] || m->state != u->seen_state || m->ops_begun != u->seen_ops) {
        u->dirty |= DIRTY_HEADER | DIRTY_HINTS;
        layout_may_change = true;
    }
    if (gens[1] != u->seen_gen[1]) {
        u->dirty |= DIRTY_PROCS | DIRTY_OBJECTS;
        layout_may_change = true;
    }
    if (gens[2] != u->seen_gen[2]) {
        u->dirty |= DIRTY_OBJECTS;
        layout_may_change = true;
    }
    if (gens[3] != u->seen_gen[3])
        u->dirty |= DIRTY_STORY | DIRTY_CONSOLE; /* the prompt tells whether you sleeps */
    uint64_t tenths = m->now_ns / 100000000ull;
    if (tenths != u->seen_tenths)
        u->dirty |= DIRTY_HEADER | (m->state != RUN_DONE ? DIRTY_PROCS : 0);
    memcpy(u->seen_gen, gens, sizeof gens);
    u->seen_tenths = tenths;
    u->seen_state = m->state;
    u->seen_ops = m->ops_begun;
    if (layout_may_change && !u->lay.small) {
        struct ui_layout L;
        layout_compute(u, u->lay.rows, u->lay.cols, &L);
        if (memcmp(&L, &u->lay, sizeof L) != 0)
            u->dirty |= DIRTY_LAYOUT;
    }
}

static void ui_draw(struct ui *u)
{
    if (u->dirty & DIRTY_LAYOUT)
        ui_relayout(u);
    if (u->lay.small) {
        small_draw(u);
        doupdate();
        u->dirty = 0;
        u->last_draw_ns = events_now_ns();
        return;
    }
    bool any = false;
    for (int i = 0; i < ui_npanels; i++) {
        const struct ui_panel *p = &ui_panels[i];
        WINDOW *w = u->win[p->area];
        if (p->area == AREA_CONSOLE || !w || !(u->dirty & (1u << p->area)))
            continue;
        werase(w);
        p->draw(u, w, u->lay.area[p->area].h, u->lay.area[p->area].w);
        wnoutrefresh(w);
        any = true;
    }
    if (u->overlay && (any || (u->dirty & DIRTY_OVERLAY)))
        overlay_draw(u);
    if (u->nmatches && (any || (u->dirty & (DIRTY_OVERLAY | DIRTY_POPUP))))
        popup_draw(u);
    WINDOW *cw = u->win[AREA_CONSOLE];
    if (cw) {
        if (u->dirty & DIRTY_CONSOLE) {
            werase(cw);
            console_draw(u, cw, 1, u->lay.area[AREA_CONSOLE].w);
        }
        wnoutrefresh(cw); /* last: the cursor goes where the console put it */
    }
    doupdate();
    u->dirty = 0;
    u->last_draw_ns = events_now_ns();
}

/* ---- the loop ----------------------------------------------------------------- */

/* Ctrl-Z or SIGTSTP: give the terminal back as the shell had it, stop the
 * job (the guardian stops itself when it sees our SIGTSTP), and on `fg`
 * take the terminal again and repaint. The run's processes are in their
 * own group: they go on meanwhile, and the story tells what they did. */
static void ui_suspend(struct ui *u)
{
    u->suspend = false;
    endwin();
    fflush(stdout);
    sigset_t tstp;
    sigemptyset(&tstp);
    sigaddset(&tstp, SIGTSTP);
    struct sigaction dfl, old;
    memset(&dfl, 0, sizeof dfl);
    dfl.sa_handler = SIG_DFL;
    sigaction(SIGTSTP, &dfl, &old);
    kill(0, SIGTSTP);                      /* our process group: guardian and us */
    sigprocmask(SIG_UNBLOCK, &tstp, NULL); /* stops here until SIGCONT */
    sigprocmask(SIG_BLOCK, &tstp, NULL);
    sigaction(SIGTSTP, &old, NULL);
    struct signalfd_siginfo si;
    while (u->tstpfd >= 0 && read(u->tstpfd, &si, sizeof si) > 0)
        ;         /* a stop asked for while we were stopping */
    ui_resize(u); /* the size may have changed meanwhile; the next doupdate
                     puts the terminal back in program mode */
    u->dirty |= DIRTY_LAYOUT;
}

/* "mutual_exclusion ok, no_lost_updates FAILED"; returns the failed ones. */
static int checks_text(const struct model *m, const char *lead, char *buf, size_t len)
{
    size_t off = (size_t)snprintf(buf, len, "%s", lead);
    int failed = 0;
    for (int i = 0; i < m->nchecks && off < len; i++) {
        const struct model_check *c = &m->checks[i];
        failed += c->status == CHECK_FAILED || c->status == CHECK_BROKEN;
        off += (size_t)snprintf(buf + off, len - off, "%s%s %s", i ? ", " : "", c->name,
                                _(model_check_word(c->status)));
    }
    return failed;
}

/* `stop` ended the run: say how its checks stand, as for a run that ended
 * by itself (but it does not count for the exit status). */
static void ui_on_stopped(struct ui *u)
{
    char buf[512];
    if (u->m->nchecks) {
        int failed = checks_text(u->m, _("checks when stopped: "), buf, sizeof buf);
        ui_say_line(u, failed ? OUT_ERROR : OUT_INFO, "", buf);
    }
    ui_say(u, OUT_INFO,
           _("its objects are removed too (the panels keep the last sample): run %s starts it "
             "again"),
           u->m->scenario);
}

static void ui_on_done(struct ui *u)
{
    const struct model *m = u->m;
    char buf[512];
    int failed = checks_text(m, "", buf, sizeof buf);
    u->last_run_failed = m->error[0] ? 3 : failed > 0 ? 1 : 0;
    ui_say_line(u, failed ? OUT_ERROR : OUT_INFO, "", m->nchecks ? buf : _("the run is over"));
    ui_say(u, OUT_INFO,
           _("the run is over and its objects are removed (the panels keep the "
             "last sample): run %s starts it again, quit leaves"),
           m->scenario);
    if (u->overlay == OVERLAY_INSPECT && u->inspect_what[0])
        overlay_inspect(u, u->inspect_what);
}

/* 1 when the last run that ended on its own failed a check, 3 when a role
 * gave up and it ended as a runtime error (like a headless run); a run the
 * user stopped or quit is not judged for the exit status,
 * so it neither clears nor sets it: starting a run does not undo a failure
 * seen before it, only a later run that ends by itself does. */
static int ui_exit_status(const struct ui *u)
{
    return u->last_run_failed;
}

/* ---- the view: what the loop calls ------------------------------------------ */

/* What the user did shows at once; what the engine did waits for a frame. */
static bool ui_urgent(const struct ui *u)
{
    return (u->dirty &
            (DIRTY_CONSOLE | DIRTY_OVERLAY | DIRTY_POPUP | DIRTY_LAYOUT | DIRTY_HINTS)) != 0;
}

static bool ui_inspect_live(const struct ui *u)
{
    return u->overlay == OVERLAY_INSPECT && u->inspect_what[0] && u->e && engine_active(u->e) &&
           !timeline_past(u);
}

static int ui_input_fds(void *self, struct pollfd *pfds, int max)
{
    struct ui *u = self;
    pfds[0] = (struct pollfd){STDIN_FILENO, POLLIN, 0};
    pfds[1] = (struct pollfd){u->tstpfd, POLLIN, 0};
    return 2;
}

static enum loop_verdict ui_on_input(void *self, const struct pollfd *pfds, int n)
{
    struct ui *u = self;
    if (pfds[0].revents) {
        if (pfds[0].revents & (POLLHUP | POLLERR | POLLNVAL)) {
            u->quit_sig = SIGHUP; /* the terminal went away */
            return LOOP_STOP;
        }
        ui_read_keys(u);
        /* what the user did shows at once, not at the next frame */
        ui_check_model(u);
        if (u->dirty && !u->quit && !u->eof)
            ui_draw(u);
    }
    if (pfds[1].revents) {
        struct signalfd_siginfo si;
        while (read(u->tstpfd, &si, sizeof si) > 0)
            u->suspend = true;
    }
    if (u->quit || u->eof)
        return LOOP_STOP;
    if (u->suspend)
        ui_suspend(u);
    return LOOP_GO;
}

static enum loop_verdict ui_on_engine(void *self, int flags)
{
    struct ui *u = self;
    if (flags & ENGINE_QUIT) {
        u->quit_sig = engine_quit_signal(u->e);
        return LOOP_STOP;
    }
    if (flags & ENGINE_RESIZE)
        ui_resize(u);
    timeline_on_engine(u);
    if ((flags & ENGINE_SAMPLE) && !timeline_past(u))
        objects_note_sample(u);
    if (flags & ENGINE_DONE)
        ui_on_done(u);
    return LOOP_GO;
}

/* Deadlines: a frame (engine-driven redraws are paced; the user's are not)
 * and the inspect window's refresh. */
static int ui_next_timeout_ms(void *self, uint64_t now)
{
    struct ui *u = self;
    ui_check_model(u);
    int t = -1;
    if (u->dirty)
        t = ui_urgent(u) ? 0 : loop_ms_until(now, u->last_draw_ns + UI_FRAME_NS);
    if (ui_inspect_live(u))
        t = loop_sooner(t, loop_ms_until(now, u->inspect_at_ns + UI_INSPECT_NS));
    return loop_sooner(t, timeline_next_ms(u, now));
}

static enum loop_verdict ui_on_timeout(void *self, uint64_t now)
{
    struct ui *u = self;
    if (ui_inspect_live(u) && now >= u->inspect_at_ns + UI_INSPECT_NS)
        overlay_inspect(u, u->inspect_what);
    timeline_tick(u, now);
    ui_check_model(u);
    if (u->dirty && (ui_urgent(u) || now >= u->last_draw_ns + UI_FRAME_NS))
        ui_draw(u);
    return LOOP_GO;
}

/* ---- start and end ------------------------------------------------------------ */

/* The terminal in curses mode, the windows, the console; NULL (and said
 * why) when this terminal cannot be drawn on. */
static SCREEN *ui_open(struct ui *u)
{
    const char *term = getenv("TERM");
    SCREEN *scr = newterm(NULL, stdout, stdin);
    if (!scr) {
        fprintf(stderr,
                _("ipcplay: cannot draw on this terminal (TERM=%s is unknown to "
                  "terminfo); use --headless for text output\n"),
                term ? term : "");
        return NULL;
    }
    set_term(scr);
    raw(); /* Ctrl-C and Ctrl-Z arrive as keys: Ctrl-C clears the line */
    noecho();
    nonl();
    set_escdelay(25);
    theme_init(u);
    u->input = newpad(1, 1);
    keypad(u->input, TRUE);
    nodelay(u->input, TRUE);
    layout_compute(u, LINES, COLS, &u->lay);
    console_init(u);
    ui_relayout(u);
    /* SIGTSTP (from kill, or forwarded by the guardian) is read in the
     * loop like a key: suspending needs curses, which a handler must not
     * touch. */
    sigset_t tstp;
    sigemptyset(&tstp);
    sigaddset(&tstp, SIGTSTP);
    sigprocmask(SIG_BLOCK, &tstp, NULL);
    u->tstpfd = signalfd(-1, &tstp, SFD_CLOEXEC | SFD_NONBLOCK);
    return scr;
}

static void ui_greet(struct ui *u, const struct scenario_def *s, const long *vals, double speed)
{
    if (s) {
        char err[256];
        if (engine_start(u->e, s, vals, speed, err, sizeof err) < 0)
            ui_say(u, OUT_ERROR, _("cannot start %s: %s"), s->name, err);
        else
            ui_welcome_run(u, s);
    } else {
        ui_say(u, OUT_INFO,
               _("type  run sem  (or press F2 to pick a scenario); help lists "
                 "every command"));
    }
    /* after engine_start, which clears the story */
    if (u->history_note[0])
        ui_say(u, OUT_ERROR, "%s", u->history_note);
}

/* Leave: the run's processes and objects first, then the terminal. */
static void ui_close(struct ui *u, SCREEN *scr)
{
    if (u->tstpfd >= 0) /* SIGTSTP stays blocked: one pending now must not stop the exit */
        close(u->tstpfd);
    u->tstpfd = -1;
    if (u->e && engine_active(u->e))
        engine_stop(u->e);
    timeline_close(u);
    console_fini(u);
    overlay_close(u);
    ui_free_windows(u);
    if (u->input)
        delwin(u->input);
    endwin();
    delscreen(scr);
    console_save_history(u);
    for (int i = 0; i < u->nlines; i++)
        free(u->lines[i]);
    u->nlines = 0;
}

void ui_setup(struct ui *u, struct engine *e, struct model *m)
{
    memset(u, 0, sizeof *u);
    u->e = e;
    u->m = m;
    u->tstpfd = -1;
    u->host = (struct cmd_host){.self = u,
                                .where = CMD_CONSOLE,
                                .engine = e,
                                .model = m,
                                .print = host_print,
                                .run = host_run,
                                .clear = host_clear,
                                .inspect = host_inspect};
}

/* The loop until quit, then the terminal back; the exit status. */
static int ui_loop(struct ui *u, SCREEN *scr)
{
    u->dirty = DIRTY_ALL;
    const struct loop_view view = {.self = u,
                                   .input_fds = ui_input_fds,
                                   .on_input = ui_on_input,
                                   .on_engine = ui_on_engine,
                                   .next_timeout_ms = ui_next_timeout_ms,
                                   .on_timeout = ui_on_timeout};
    int poll_errno = 0;
    if (loop_run(u->e, &view) < 0) {
        poll_errno = errno;
        u->quit_sig = -1;
    }
    ui_close(u, scr);
    if (u->quit_sig > 0) {
        fprintf(stderr,
                _("ipcplay: stopped by %s; every process and object of the run was "
                  "removed\n"),
                signame(u->quit_sig).s);
        return 128 + u->quit_sig;
    }
    if (u->quit_sig < 0) {
        fprintf(stderr, _("ipcplay: poll failed: %s\n"), strerror(poll_errno));
        return 3;
    }
    return ui_exit_status(u);
}

int ui_run(struct engine *e, struct model *m, const struct scenario_def *s, const long *vals,
           const struct ui_opts *o)
{
    struct ui *u = &the_ui;
    ui_setup(u, e, m);
    engine_set_speed(e, o ? o->speed : 1.0);
    engine_set_interactive(e, true);
    if (o && o->paused)
        engine_start_paused(e);
    timeline_open_live(u, o ? o->rec : NULL);
    if (u->tl)
        u->host.act = timeline_actions(u);
    SCREEN *scr = ui_open(u);
    if (!scr) {
        timeline_close(u);
        return 2;
    }
    ui_greet(u, s, vals, o ? o->speed : 1.0);
    return ui_loop(u, scr);
}

int ui_replay(const char *path, const struct scenario_def **next, long *vals)
{
    struct ui *u = &the_ui;
    ui_setup(u, NULL, NULL);
    char err[512];
    int status = 2;
    if (timeline_open_file(u, path, err, sizeof err, &status) < 0) {
        fprintf(stderr, "ipcplay: %s\n", err);
        return status;
    }
    u->host.act = timeline_actions(u);
    SCREEN *scr = ui_open(u);
    if (!scr) {
        timeline_close(u);
        return 2;
    }
    int st = ui_loop(u, scr);
    if (u->run_s && next) {
        *next = u->run_s;
        memcpy(vals, u->run_vals, sizeof u->run_vals);
        return UI_REPLAY_RUN;
    }
    return st;
}

/* ---- off screen (cast.c): the same drawing on a screen that is no terminal -- */

struct ui *ui_offscreen(void)
{
    struct ui *u = &the_ui;
    ui_setup(u, NULL, NULL);
    return u;
}

void ui_offscreen_layout(struct ui *u)
{
    theme_init(u);
    ui_relayout(u);
    u->dirty = DIRTY_ALL;
}

bool ui_frame(struct ui *u)
{
    ui_check_model(u);
    if (!u->dirty)
        return false;
    ui_draw(u);
    return true;
}

void ui_offscreen_close(struct ui *u)
{
    timeline_close(u);
    overlay_close(u);
    ui_free_windows(u);
}

int ui_available(void)
{
    return 1;
}
