/* theme.c — the dashboard's colours and glyphs. Colours sit on the terminal's
 * own background (use_default_colors) and avoid yellow and white text, so
 * they read on dark and light terminals alike; strong signals (state badges,
 * a zombie, a failed check) are coloured backgrounds. NO_COLOR gets bold and
 * reverse only. A non-UTF-8 locale gets plain ASCII drawing. */
#include <langinfo.h>
#include <stdlib.h>
#include <string.h>

#include "ui_internal.h"

static attr_t styles[S__COUNT];
static attr_t procs[UI_PROC_COLORS];
static int nproc_colors = 1;

static const struct ui_glyphs glyphs_utf8 = {
    .hline = "─",
    .vline = "│",
    .tee_down = "┬",
    .tee_up = "┴",
    .branch = "├ ",
    .last = "└ ",
    .pipe_cont = "│ ",
    .bar_full = "█",
    .bar_empty = "░",
    .ok = "✔",
    .fail = "✘",
    .pending = "…",
    .ellipsis = "…",
    .dot = "·",
    .up = "▲",
    .down = "▼",
    .spark = {" ", "▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"},
    .corner = {"┌", "┐", "└", "┘"},
};

static const struct ui_glyphs glyphs_ascii = {
    .hline = "-",
    .vline = "|",
    .tee_down = "+",
    .tee_up = "+",
    .branch = "|-",
    .last = "`-",
    .pipe_cont = "| ",
    .bar_full = "#",
    .bar_empty = ".",
    .ok = "+",
    .fail = "X",
    .pending = "?",
    .ellipsis = "~",
    .dot = "-",
    .up = "^",
    .down = "v",
    .spark = {" ", ".", ".", ":", ":", "|", "|", "#", "#"},
    .corner = {"+", "+", "+", "+"},
};

static const struct ui_glyphs *glyphs = &glyphs_ascii;

const struct ui_glyphs *theme_glyphs(void)
{
    return glyphs;
}

static int next_pair = 1;

static attr_t pair(short fg, short bg)
{
    if (next_pair >= COLOR_PAIRS)
        return A_NORMAL;
    init_pair((short)next_pair, fg, bg);
    return COLOR_PAIR(next_pair++);
}

void theme_init(struct ui *u)
{
    const char *cs = nl_langinfo(CODESET);
    u->utf8 = cs && (strcmp(cs, "UTF-8") == 0 || strcmp(cs, "utf8") == 0);
    glyphs = u->utf8 ? &glyphs_utf8 : &glyphs_ascii;

    const char *nc = getenv("NO_COLOR");
    u->color = !(nc && *nc) && has_colors();

    /* Monochrome first: every style must make sense without colour. */
    for (int i = 0; i < S__COUNT; i++)
        styles[i] = A_NORMAL;
    styles[S_DIM] = A_DIM;
    styles[S_BOLD] = A_BOLD;
    styles[S_TITLE] = A_BOLD;
    styles[S_HEADING] = A_BOLD;
    styles[S_RULE] = A_DIM;
    styles[S_OK] = A_BOLD;
    styles[S_FAIL] = A_REVERSE | A_BOLD;
    styles[S_FAIL_TEXT] = A_BOLD;
    styles[S_PENDING] = A_NORMAL;
    styles[S_BROKEN] = A_UNDERLINE | A_BOLD;
    styles[S_BADGE_RUN] = A_REVERSE | A_BOLD;
    styles[S_BADGE_PAUSE] = A_REVERSE | A_BOLD;
    styles[S_BADGE_STEP] = A_REVERSE | A_BOLD;
    styles[S_BADGE_DONE] = A_REVERSE;
    styles[S_BADGE_IDLE] = A_REVERSE;
    styles[S_STATE_R] = A_BOLD;
    styles[S_STATE_D] = A_BOLD | A_UNDERLINE;
    styles[S_STATE_Z] = A_REVERSE | A_BOLD;
    styles[S_STATE_T] = A_REVERSE;
    styles[S_GONE] = A_DIM;
    styles[S_KEY] = A_REVERSE;
    styles[S_ERROR] = A_BOLD;
    styles[S_YOU] = A_BOLD;
    styles[S_BAR_ON] = A_BOLD;
    styles[S_BAR_OFF] = A_DIM;
    styles[S_BAR_WAIT] = A_BOLD;
    styles[S_PROMPT] = A_BOLD;
    styles[S_SELECT] = A_REVERSE;
    procs[0] = A_BOLD;
    nproc_colors = 1;
    if (!u->color)
        return;

    start_color();
    use_default_colors();
    short dflt = -1;
    bool rich = COLORS >= 256;
    styles[S_OK] = pair(COLOR_GREEN, dflt) | A_BOLD;
    styles[S_FAIL] = pair(COLOR_WHITE, COLOR_RED) | A_BOLD;
    styles[S_FAIL_TEXT] = pair(COLOR_RED, dflt) | A_BOLD;
    styles[S_ERROR] = styles[S_FAIL_TEXT];
    styles[S_PENDING] = pair(rich ? 67 : COLOR_BLUE, dflt) | (rich ? 0 : A_BOLD);
    styles[S_BROKEN] = pair(COLOR_YELLOW, dflt) | A_BOLD;
    styles[S_BADGE_RUN] = pair(COLOR_BLACK, COLOR_GREEN) | A_BOLD;
    styles[S_BADGE_PAUSE] = pair(COLOR_BLACK, COLOR_YELLOW) | A_BOLD;
    styles[S_BADGE_STEP] = pair(COLOR_BLACK, COLOR_CYAN) | A_BOLD;
    styles[S_BADGE_DONE] = pair(COLOR_WHITE, COLOR_BLUE) | A_BOLD;
    styles[S_STATE_R] = styles[S_OK];
    styles[S_STATE_D] = pair(COLOR_MAGENTA, dflt) | A_BOLD;
    styles[S_STATE_Z] = styles[S_FAIL];
    styles[S_STATE_T] = styles[S_BADGE_PAUSE];
    styles[S_KEY] = pair(COLOR_BLACK, COLOR_CYAN);
    styles[S_BAR_ON] = pair(COLOR_GREEN, dflt) | A_BOLD;
    styles[S_BAR_WAIT] = styles[S_FAIL_TEXT];
    styles[S_SELECT] = pair(COLOR_BLACK, COLOR_CYAN);
    styles[S_TITLE] = A_BOLD;
    styles[S_YOU] = pair(rich ? 67 : COLOR_BLUE, dflt) | A_BOLD;

    /* Mid-tone colours: legible on black and on white. */
    static const short rich_palette[UI_PROC_COLORS] = {26, 127, 28, 166, 30, 161, 94, 62};
    static const short basic_palette[] = {COLOR_BLUE, COLOR_MAGENTA, COLOR_GREEN, COLOR_RED,
                                          COLOR_CYAN};
    if (rich) {
        for (int i = 0; i < UI_PROC_COLORS; i++)
            procs[i] = pair(rich_palette[i], dflt) | A_BOLD;
        nproc_colors = UI_PROC_COLORS;
    } else {
        nproc_colors = (int)(sizeof basic_palette / sizeof basic_palette[0]);
        for (int i = 0; i < nproc_colors; i++)
            procs[i] = pair(basic_palette[i], dflt) | A_BOLD;
    }
}

attr_t theme_style(int style)
{
    return style >= 0 && style < S__COUNT ? styles[style] : A_NORMAL;
}

/* ipcplay itself (index 0) is plain bold; its children cycle the palette. */
attr_t theme_proc(int proc_index)
{
    if (proc_index <= 0)
        return A_BOLD;
    return procs[(proc_index - 1) % nproc_colors];
}

attr_t theme_state(char state)
{
    switch (state) {
    case 'R': return styles[S_STATE_R];
    case 'D': return styles[S_STATE_D];
    case 'Z': return styles[S_STATE_Z];
    case 'T':
    case 't': return styles[S_STATE_T];
    case 'x':
    case 'X': return styles[S_GONE];
    default: return A_NORMAL;
    }
}
