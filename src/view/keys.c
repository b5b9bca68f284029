/* keys.c — the dashboard's key table and what is generated from it: the
 * hint bar's items and the F1 help's key lines. See keys.h. The order of
 * the table is the order of the hint bar and of the help. */
#include "keys.h"

#include <stdio.h>
#include <string.h>

#include "../model/i18n.h"
#include "../model/width.h"

#define PANELS(l, s) [KEYS_PANELS] = {l, s}
#define WINDOW(l, s) [KEYS_WINDOW] = {l, s}
#define SCENARIOS(l, s) [KEYS_SCENARIOS] = {l, s}

const struct key_binding keys[] = {
    {.name = "F1",
     .code = KEYC_F(1),
     .action = KA_HELP,
     .hint = {PANELS(N_("Help"), N_("Help"))},
     .help = N_("this help")},
    {.name = "F2",
     .code = KEYC_F(2),
     .action = KA_SCENARIOS,
     .hint = {PANELS(N_("Scenarios"), N_("Scen"))},
     .help = N_("pick a scenario")},
    {.name = "F3",
     .code = KEYC_F(3),
     .action = KA_PAUSE,
     .hint = {PANELS(N_("Pause"), N_("Pause"))},
     .paused = N_("Resume"),
     .help = N_("pause / resume")},
    {.name = "F4",
     .code = KEYC_F(4),
     .action = KA_STEP,
     .hint = {PANELS(N_("Step"), N_("Step"))},
     .help = N_("step one op")},
    {.name = "Shift-F4", .code = KEYC_F(16), .action = KA_BACK, .help = N_("one op back")},
    {.name = "Space", .code = ' ', .action = KA_PLAY, .timeline = true, .help = N_("play / pause")},
    {.name = "Left/Right",
     .code = KEYC_LEFT,
     .code2 = KEYC_RIGHT,
     .action = KA_SEEK,
     .timeline = true,
     .help = N_("5 s back / on")},
    {.name = "Home/End",
     .code = KEYC_HOME,
     .code2 = KEYC_END,
     .action = KA_ENDS,
     .timeline = true,
     .help = N_("start / end")},
    {.name = "[/]",
     .code = '[',
     .code2 = ']',
     .action = KA_MARK,
     .timeline = true,
     .help = N_("prev / next mark")},
    {.name = "F5",
     .code = KEYC_F(5),
     .action = KA_SLOWER,
     .hint = {PANELS(N_("Slower"), N_("Slow"))},
     .help = N_("slower")},
    {.name = "F6",
     .code = KEYC_F(6),
     .action = KA_FASTER,
     .hint = {PANELS(N_("Faster"), N_("Fast"))},
     .help = N_("faster")},
    {.name = "Esc",
     .code = KEYC_ESC,
     .action = KA_CLOSE,
     .hint = {WINDOW(N_("Close"), N_("Close")), SCENARIOS(N_("Close"), N_("Close"))},
     .help = N_("close a window")},
    {.name = "Ctrl-L", .code = KEYC_CTRL_L, .action = KA_REPAINT, .help = N_("redraw the screen")},
    {.name = "Up/Down",
     .code = KEYC_UP,
     .code2 = KEYC_DOWN,
     .action = KA_MOVE,
     .hint = {WINDOW(N_("Scroll"), N_("Scroll")), SCENARIOS(N_("Choose"), N_("Choose"))},
     .help = N_("command history; in a window, scroll it or choose")},
    {.name = "PgUp/PgDn",
     .code = KEYC_PGUP,
     .code2 = KEYC_PGDN,
     .action = KA_PAGE,
     .hint = {PANELS(N_("Story"), N_("Story")), WINDOW(N_("Page"), N_("Page"))},
     .help = N_("scroll the story")},
    {.name = "Enter",
     .code = KEYC_ENTER,
     .action = KA_ENTER,
     .hint = {SCENARIOS(N_("Edit a run command"), N_("Run"))},
     .help = N_("run the line")},
    {.name = "Tab",
     .code = KEYC_TAB,
     .action = KA_COMPLETE,
     .hint = {PANELS(N_("Complete"), N_("Compl"))},
     .optional = true,
     .help = N_("complete commands, scenarios, name=value, roles and pids")},
    {.name = "Shift-PgUp/PgDn",
     .code = KEYC_SHIFT_PGUP,
     .code2 = KEYC_SHIFT_PGDN,
     .action = KA_PROCS_PAGE,
     .help = N_("page through the process list when it is longer than its panel")},
    {.name = "F10",
     .code = KEYC_F(10),
     .action = KA_QUIT,
     .hint = {PANELS(N_("Quit"), N_("Quit")), WINDOW(N_("Quit"), N_("Quit")),
              SCENARIOS(N_("Quit"), N_("Quit"))},
     .help = N_("quit (or Ctrl-D)")},
    {.name = "Shift-Up/Down",
     .code = KEYC_SHIFT_UP,
     .code2 = KEYC_SHIFT_DOWN,
     .action = KA_PROCS_LINE,
     .help = N_("scroll processes")},
    {.name = "Ctrl-R", .code = KEYC_CTRL_R, .action = KA_SEARCH, .help = N_("search history")},
    {.name = "Ctrl-C", .code = KEYC_CTRL_C, .action = KA_CANCEL, .help = N_("clear / EINTR you")},
    {.name = "Ctrl-Z", .code = KEYC_CTRL_Z, .action = KA_SUSPEND, .help = N_("suspend to shell")},
};
const int nkeys = (int)(sizeof keys / sizeof keys[0]);

const struct key_binding *keys_find(int code)
{
    for (int i = 0; i < nkeys; i++)
        if (keys[i].code == code || (keys[i].code2 && keys[i].code2 == code))
            return &keys[i];
    return NULL;
}

int keys_dir(const struct key_binding *b, int code)
{
    return b->code2 && code == b->code2 ? 1 : -1;
}

/* Passes: 0 full words and two spaces between; 1 short words, one space;
 * 2 short words without the optional keys (drawn even if still too wide:
 * the bar is cut at the edge). */
int keys_hint_bar(enum key_place where, bool paused, int width, struct key_hint_item *out, int max)
{
    for (int pass = 0; pass < 3; pass++) {
        int need = 0, n = 0;
        for (int i = 0; i < nkeys && n < max; i++) {
            const struct key_binding *b = &keys[i];
            const struct key_hint *h = &b->hint[where];
            if (!h->label || (pass == 2 && b->optional))
                continue;
            const char *text = _(pass == 0 ? h->label : h->shortl);
            if (paused && b->paused)
                text = _(b->paused);
            out[n++] = (struct key_hint_item){b->name, text, pass == 0 ? "  " : " "};
            need += text_width(b->name) + 1 + text_width(text) + (pass == 0 ? 2 : 1);
        }
        if (need <= width || pass == 2)
            return n;
    }
    return 0;
}

size_t keys_hint_text(enum key_place where, bool paused, int width, char *buf, size_t len)
{
    struct key_hint_item it[KEYS_MAX_HINTS];
    int n = keys_hint_bar(where, paused, width, it, KEYS_MAX_HINTS);
    size_t off = 0;
    if (len)
        buf[0] = '\0';
    for (int i = 0; i < n && off < len; i++) {
        int w = snprintf(buf + off, len - off, "%s %s%s", it[i].key, it[i].text, it[i].sep);
        off += w > 0 ? (size_t)w : 0;
    }
    return off < len ? off : len ? len - 1 : 0;
}

/* Short entries go two to a row, in cells of KEYS_HELP_NAME + KEYS_HELP_WORDS
 * columns; a long one takes its row. Rows stay within 72 columns, so the
 * help is read at 80 without wrapping. */
#define KEYS_HELP_NAME 17
#define KEYS_HELP_WORDS 17

static bool help_short(const struct key_binding *b)
{
    return text_width(b->name) + 2 <= KEYS_HELP_NAME && text_width(_(b->help)) <= KEYS_HELP_WORDS;
}

size_t keys_help_text(char *buf, size_t len)
{
    size_t off = 0;
    if (len)
        buf[0] = '\0';
    for (int i = 0; i < nkeys && off < len; i++) {
        const struct key_binding *b = &keys[i], *next = i + 1 < nkeys ? &keys[i + 1] : NULL;
        int w;
        char words[KEYS_HELP_WORDS * 4];
        if (next && help_short(b) && help_short(next)) {
            w = snprintf(buf + off, len - off, "  %-*s%s  %-*s%s\n", KEYS_HELP_NAME, b->name,
                         text_pad(words, sizeof words, _(b->help), KEYS_HELP_WORDS), KEYS_HELP_NAME,
                         next->name, _(next->help));
            i++;
        } else {
            w = snprintf(buf + off, len - off, "  %-*s%s\n", KEYS_HELP_NAME, b->name, _(b->help));
        }
        off += w > 0 ? (size_t)w : 0;
    }
    return off < len ? off : len ? len - 1 : 0;
}
