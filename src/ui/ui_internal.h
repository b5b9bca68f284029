/* ui_internal.h — what the dashboard's modules share: the one `struct ui`
 * (layout, windows, dirty flags, view state), the theme (colours and glyphs),
 * the drawing helpers, the panels, the console and the overlays. Only
 * src/ui/ includes ncurses and readline. */
#ifndef IPCPLAY_UI_INTERNAL_H
#define IPCPLAY_UI_INTERNAL_H

#include <curses.h>
#include <stdbool.h>
#include <stdint.h>

#include "../commands/commands.h"
#include "../engine/engine.h"
#include "../model/model.h"
#include "../record/recording.h"
#include "../view/keys.h"
#include "ui.h"

/* ---- areas, layout, dirty flags ---------------------------------------- */

enum ui_area {
    AREA_HEADER,
    AREA_PROCS,
    AREA_OBJECTS,
    AREA_STORY,
    AREA_HINTS,
    AREA_CONSOLE,
    AREA__N
};

enum ui_dirty {
    DIRTY_HEADER = 1u << AREA_HEADER,
    DIRTY_PROCS = 1u << AREA_PROCS,
    DIRTY_OBJECTS = 1u << AREA_OBJECTS,
    DIRTY_STORY = 1u << AREA_STORY,
    DIRTY_HINTS = 1u << AREA_HINTS,
    DIRTY_CONSOLE = 1u << AREA_CONSOLE,
    DIRTY_OVERLAY = 1u << 8,
    DIRTY_POPUP = 1u << 9,
    DIRTY_LAYOUT = 1u << 10, /* sizes changed: rebuild every window */
    DIRTY_ALL = 0x7ffu,
};

struct ui_rect {
    int y, x, h, w;
};

struct ui_layout {
    int rows, cols;
    bool small;  /* below 80x24: one line saying so */
    bool wide;   /* processes and IPC objects side by side */
    bool detail; /* the IPC objects get several rows each (else a line or two) */
    bool tight;  /* not detailed, and short of rows: one line per semaphore */
    int split;   /* wide: column of the vertical rule (in the procs window) */
    struct ui_rect area[AREA__N];
};

#define UI_MIN_COLS 80
#define UI_MIN_ROWS 24

enum ui_overlay { OVERLAY_NONE, OVERLAY_HELP, OVERLAY_SCENARIOS, OVERLAY_INSPECT };

#define UI_MAX_LINES 32 /* lines accepted by readline in one input burst */
#define UI_OCC_HIST 160

struct ui_tl;

struct ui {
    struct engine *e; /* NULL in a replay: nothing runs */
    struct ui_tl *tl; /* the timeline: a replay, or the live run's records */
    bool tl_shown;    /* its row was on screen at the last layout */
    struct model *m;
    struct cmd_host host;
    struct ui_layout lay;
    WINDOW *win[AREA__N];
    WINDOW *overlay_win, *popup_win, *small_win;
    WINDOW *input; /* a pad: reading keys from it never refreshes */
    unsigned dirty;
    bool utf8, color;

    /* generations last drawn (the model bumps them; != means redraw) */
    uint64_t seen_gen[4];
    uint64_t seen_tenths; /* elapsed time shown, in 0.1 s */
    uint64_t seen_ops;
    int seen_state;
    uint64_t last_draw_ns;

    /* story view */
    uint64_t story_base;   /* `clear`: lines before this are hidden */
    uint64_t story_anchor; /* 0: follow the newest; else 1 + the bottom line shown */
    int proc_scroll;

    /* overlay (help, scenarios, inspect) */
    int overlay;
    char overlay_title[128];
    char *overlay_text; /* newline-separated lines */
    int overlay_nlines;
    int overlay_scroll;
    int overlay_sel; /* scenarios: the highlighted one */
    char inspect_what[64];
    uint64_t inspect_at_ns;

    /* completion matches shown above the console */
    char **matches;
    int nmatches;

    /* view-side history of what the kernel showed, for the little graphs */
    unsigned char occ_hist[UI_OCC_HIST];
    int occ_n;
    uint64_t occ_samples;
    int sem_peak[MODEL_MAX_SEMSETS][MODEL_MAX_SEMS];

    /* lines readline accepted, run by the loop after input is handled */
    char *lines[UI_MAX_LINES];
    int nlines;
    bool eof; /* Ctrl-D on an empty line */
    bool quit;
    bool suspend;        /* Ctrl-Z or SIGTSTP: the loop suspends */
    int tstpfd;          /* a signalfd for SIGTSTP, polled with the terminal */
    int quit_sig;        /* the signal that ended the loop; -1 when poll failed */
    int last_run_failed; /* the last run that ended by itself: 1 a check failed, 3 a role
                            gave up (a runtime error), else 0 */
    const struct scenario_def *run_s; /* `run` typed in a replay: started live after it */
    long run_vals[SCENARIO_MAX_PARAMS];
    char history_path[512];
    char history_note[640]; /* a history problem, said after the run starts */
};

/* ---- theme: colours and glyphs ----------------------------------------- */

enum ui_style {
    S_NORMAL,
    S_DIM,
    S_BOLD,
    S_TITLE,
    S_RULE,
    S_OK,
    S_FAIL,
    S_FAIL_TEXT,
    S_PENDING,
    S_BROKEN, /* a check a parameter breaks on purpose: not a failure's red */
    S_BADGE_RUN,
    S_BADGE_PAUSE,
    S_BADGE_STEP,
    S_BADGE_DONE,
    S_BADGE_IDLE,
    S_STATE_R,
    S_STATE_S,
    S_STATE_D,
    S_STATE_Z,
    S_STATE_T,
    S_GONE,
    S_KEY,
    S_KEYTEXT,
    S_ERROR,
    S_INFO,
    S_YOU,
    S_BAR_ON,
    S_BAR_OFF,
    S_BAR_WAIT,
    S_PROMPT,
    S_SELECT,
    S_HEADING,
    S__COUNT
};

#define UI_PROC_COLORS 8

struct ui_glyphs {
    const char *hline, *vline, *tee_down, *tee_up, *branch, *last, *pipe_cont;
    const char *bar_full, *bar_empty, *ok, *fail, *pending, *ellipsis, *dot, *up, *down;
    const char *spark[9];
    const char *corner[4]; /* top left, top right, bottom left, bottom right */
};

void theme_init(struct ui *u);
attr_t theme_style(int style);
attr_t theme_proc(int proc_index);
attr_t theme_state(char state);
const struct ui_glyphs *theme_glyphs(void);

/* ---- drawing helpers ----------------------------------------------------- */

/* Display width of a string (multibyte aware; invalid bytes count as one). */
int draw_width(const char *s);
/* Write s at (y, x), at most maxw columns, ending in an ellipsis when cut.
 * Returns the columns written. */
int draw_text(WINDOW *w, int y, int x, int maxw, attr_t a, const char *s);
int draw_textf(WINDOW *w, int y, int x, int maxw, attr_t a, const char *fmt, ...)
    __attribute__((format(printf, 6, 7)));
/* A horizontal rule with an optional title: "─ TITLE ─────". */
void draw_rule(WINDOW *w, int y, int x, int n, const char *title, const char *extra);
void draw_hline(WINDOW *w, int y, int x, int n, attr_t a);
/* How many bytes of s fit in maxw columns (no ellipsis). */
size_t draw_fit(const char *s, int maxw, int *cols);
/* The same within the first n bytes of s; and the width of those bytes. */
size_t draw_fit_n(const char *s, size_t n, int maxw, int *cols);
int draw_width_n(const char *s, size_t n);
/* Bytes of s to skip so that `cols` display columns are dropped. */
size_t draw_skip(const char *s, int cols);
/* The one way text wraps: the bytes of the next row of p (len bytes) in at
 * most `room` columns, broken at a space — or before " -> " when `chains`
 * — unless that would leave the row under a third full; at least one
 * character. The caller skips the spaces that follow. */
size_t draw_wrap_row(const char *p, size_t len, int room, bool chains);
/* "mm:ss.d" */
void draw_clock(uint64_t ns, char *buf, size_t len);

/* ---- panels (panels.c) ---------------------------------------------------- */

struct ui_panel {
    const char *name;
    int area;
    /* Rows this panel would like at a width and level (the objects: 2
     * detailed, 1 compact, 0 tight; others ignore it). 0: what is left. */
    int (*want)(const struct ui *u, int width, int level);
    void (*draw)(struct ui *u, WINDOW *w, int h, int wdt);
};

extern const struct ui_panel ui_panels[];
extern const int ui_npanels;
int panels_header_rows(const struct ui *u, int width);
void panels_reset(struct ui *u);
/* Scroll the story by n lines (negative: back in time). */
void panels_story_scroll(struct ui *u, int n);
int panels_story_page(const struct ui *u);
void panels_procs_scroll(struct ui *u, int n);

/* ---- IPC objects (objects.c) ------------------------------------------------ */

/* Rows the objects want at a level: 2 detailed, 1 compact, 0 tight. */
int objects_want(const struct ui *u, int width, int level);
void objects_draw(struct ui *u, WINDOW *w, int h, int width);
bool objects_any(const struct model *m);
/* fd tables and streams read better across the whole width */
bool objects_prefer_full_width(const struct model *m);
/* Record per-sample history the panel draws (the occupancy graph). */
void objects_note_sample(struct ui *u);
/* objects_chat.c: the chat room's section of the objects panel. */
int chat_section_count(const struct model *m);
int chat_section_rows(const struct ui *u, int i, int width, int level);
int chat_section_draw(struct ui *u, WINDOW *w, int i, int y, int h, int width, int level);
/* watch.c: the whole system's objects in a watch session (takes the
 * objects area while the session has no run objects). */
bool watch_panel_active(const struct model *m);
int watch_panel_want(const struct ui *u, int width, int level);
void watch_panel_draw(struct ui *u, WINDOW *w, int h, int width);

/* ---- console (console.c): GNU readline, callback interface --------------- */

int console_init(struct ui *u);
void console_fini(struct ui *u);
void console_save_history(struct ui *u);
/* Add a line to the history (not twice in a row). */
void console_remember(const char *line);
/* Give readline the bytes of one key press. */
void console_feed(struct ui *u, const char *bytes, size_t n);
/* Ctrl-C: drop the line being typed (and any search or completion state). */
void console_cancel(struct ui *u);
bool console_empty(void);
/* Ctrl-R (or a non-incremental search) is in progress. */
bool console_searching(void);
void console_set_line(struct ui *u, const char *text);
void console_resize(struct ui *u);
void console_draw(struct ui *u, WINDOW *w, int h, int wdt);
void console_clear_matches(struct ui *u);

/* ---- overlays (overlay.c) -------------------------------------------------- */

void overlay_open(struct ui *u, int kind, const char *title, const char *text);
void overlay_close(struct ui *u);
void overlay_help(struct ui *u);
void overlay_scenarios(struct ui *u);
/* (Re)read the inspect view's text from the engine; 0 or -1 (error printed). */
int overlay_inspect(struct ui *u, const char *what);
/* Navigation keys while an overlay is open: true when consumed. */
bool overlay_key(struct ui *u, int key);
void overlay_draw(struct ui *u);
void popup_draw(struct ui *u);
void small_draw(struct ui *u);

/* ---- the timeline (timeline.c): a replay, or going back in a live run ---- */

/* A replay of a file: u->m becomes the replay's model. 0, or -1 with a line
 * in err and the exit status in *status. */
int timeline_open_file(struct ui *u, const char *path, char *err, size_t errlen, int *status);
/* A live run: its records are kept (the engine's tap), with *rec (--record,
 * may point at NULL) written too; `record` changes *rec. */
void timeline_open_live(struct ui *u, struct recorder **rec);
/* A new run starts: what was kept of the last one goes. */
void timeline_restart(struct ui *u);
void timeline_close(struct ui *u);
const struct cmd_actions *timeline_actions(struct ui *u);
/* The timeline's row of the header. */
void timeline_draw(struct ui *u, WINDOW *w, int y, int width);
/* Command output while the view shows the past (or a replay): kept for the
 * timeline's row; false when it goes to the story as usual. */
bool timeline_print(struct ui *u, int kind, const char *line);
bool timeline_paused(const struct ui *u);
/* The view is not live: a replay, or the past of a live run. */
bool timeline_past(const struct ui *u);
/* Is the timeline row on screen: a replay, a look back, or a recording. A
 * live run that is only kept in memory does not spend a row on it. */
bool timeline_shown(const struct ui *u);
/* Replay playback: ms until the next frame (-1 none), and the frame. */
int timeline_next_ms(struct ui *u, uint64_t now);
void timeline_tick(struct ui *u, uint64_t now);
/* The engine did work: the header's "behind live" moves on. */
void timeline_on_engine(struct ui *u);
/* An export plays the replay on its own clock: the pace shown in the row,
 * no key help there; then the records up to t_ns (true at the end). */
void timeline_export_begin(struct ui *u, double speed);
bool timeline_play_to(struct ui *u, uint64_t t_ns);
/* "a check changed", "a process died", ... */
const char *timeline_mark_word(enum replay_mark k);
const struct rec_header *timeline_header(const struct ui *u);
const struct replay_marker *timeline_markers(const struct ui *u, size_t *n);
/* The scenario and values of a replay, for `run` with no other words. */
const char *timeline_run_line(const struct ui *u, char *buf, size_t len);

/* ---- ui.c ------------------------------------------------------------------ */

void ui_say(struct ui *u, int kind, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
void ui_setup(struct ui *u, struct engine *e, struct model *m);
/* cast.c: the dashboard drawn on a screen that is not a terminal (the
 * caller made it with newterm and set_term). No console, no signals. */
struct ui *ui_offscreen(void);
void ui_offscreen_layout(struct ui *u);
/* Compare the model with what was drawn, and draw what changed: true when
 * something was drawn (doupdate done). */
bool ui_frame(struct ui *u);
void ui_offscreen_close(struct ui *u);

#endif
