/* keys.h — the dashboard's keys, one table: each key's code, its name as
 * people read it ("F3", "PgUp/PgDn"), the action it does, the words the
 * hint bar shows for it (per place: the panels, a window, the scenarios)
 * and its line in the F1 help. The key dispatch, the hint bar and the help
 * all read this table, so they cannot drift. Codes are ipcplay's own (as
 * tmux's KEYC_*), not curses': the dashboard maps its terminal's keys to
 * them, and this stays in the core, testable without a terminal. */
#ifndef IPCPLAY_KEYS_H
#define IPCPLAY_KEYS_H

#include <stdbool.h>
#include <stddef.h>

/* Control characters are their own codes; named keys sit above Unicode. */
enum {
    KEYC_CTRL_C = 3,
    KEYC_TAB = 9,
    KEYC_CTRL_L = 12,
    KEYC_ENTER = 13,
    KEYC_CTRL_R = 18,
    KEYC_CTRL_Z = 26,
    KEYC_ESC = 27,
    KEYC_BASE = 0x110000,
    KEYC_F0 = KEYC_BASE, /* KEYC_F(n): function key n, 1 to 12 */
    KEYC_UP = KEYC_BASE + 0x20,
    KEYC_DOWN,
    KEYC_PGUP,
    KEYC_PGDN,
    KEYC_SHIFT_UP,
    KEYC_SHIFT_DOWN,
    KEYC_SHIFT_PGUP,
    KEYC_SHIFT_PGDN,
    KEYC_LEFT,
    KEYC_RIGHT,
    KEYC_HOME,
    KEYC_END,
};
#define KEYC_F(n) (KEYC_F0 + (n))

enum key_action {
    KA_HELP,       /* open or close the F1 help */
    KA_SCENARIOS,  /* open or close the scenarios window */
    KA_PAUSE,      /* pause, or resume a paused run */
    KA_PLAY,       /* in a replay or a look back: play / pause (the same as KA_PAUSE) */
    KA_STEP,       /* let one op through */
    KA_SLOWER,     /* one step down the speed ladder */
    KA_FASTER,     /* one step up */
    KA_CLOSE,      /* close the window or the completion list */
    KA_MOVE,       /* a pair: history, or scroll / choose in a window */
    KA_PAGE,       /* a pair: the story by pages, or a window */
    KA_ENTER,      /* run the line; in the scenarios, edit a run command */
    KA_COMPLETE,   /* readline's completion */
    KA_PROCS_LINE, /* a pair: the process list by a line */
    KA_PROCS_PAGE, /* a pair: the process list by a page */
    KA_SEARCH,     /* readline's history search */
    KA_CANCEL,     /* drop the line being typed */
    KA_REPAINT,    /* repaint the whole screen */
    KA_SUSPEND,    /* stop as a job, as the terminal's Ctrl-Z would */
    KA_BACK,       /* the timeline: one op back */
    KA_SEEK,       /* a pair: the timeline 5 s back / on */
    KA_ENDS,       /* a pair: the timeline's start / end (live: back to live) */
    KA_MARK,       /* a pair: the previous / next marker */
    KA_QUIT,
};

/* Where the hint bar is: over the panels, in a window (help, inspect), or
 * in the scenarios window. */
enum key_place { KEYS_PANELS, KEYS_WINDOW, KEYS_SCENARIOS, KEYS__PLACES };

struct key_hint {
    const char *label, *shortl; /* "Scenarios", and "Scen" when room is short */
};

struct key_binding {
    const char *name; /* as people read it: "F3", "PgUp/PgDn" (ASCII) */
    int code, code2;  /* the key; for a pair, code goes back or up, code2 on */
    enum key_action action;
    struct key_hint hint[KEYS__PLACES]; /* shown where label is set */
    const char *paused;                 /* the label while the run is paused */
    bool optional;                      /* the first to go from a short bar */
    bool timeline;    /* only on a timeline, with the line empty (else it edits the line) */
    const char *help; /* its line in F1 */
};

extern const struct key_binding keys[];
extern const int nkeys;

/* The binding of a key code, or NULL. */
const struct key_binding *keys_find(int code);
/* For a pair, -1 for its first key and +1 for its second; else -1. */
int keys_dir(const struct key_binding *b, int code);

/* One item of the hint bar as drawn: the key's name in the key colour,
 * then " " text sep. */
struct key_hint_item {
    const char *key, *text, *sep;
};
#define KEYS_MAX_HINTS 16

/* The hint bar for a place at a width: full words when they fit, else the
 * short ones, else without the optional keys. Returns how many items. */
int keys_hint_bar(enum key_place where, bool paused, int width, struct key_hint_item *out, int max);
/* The same as plain text (what the bar shows, before it is cut to width). */
size_t keys_hint_text(enum key_place where, bool paused, int width, char *buf, size_t len);
/* The help's "Keys" lines: "  NAME  what it does", short ones two to a row. */
size_t keys_help_text(char *buf, size_t len);

#endif
