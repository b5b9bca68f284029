/* console.c — the command prompt on the bottom line: GNU readline through its
 * callback interface, living inside ncurses (STYLE.md's recipe). ncurses owns
 * the terminal and reads the keys; the loop hands each key's bytes to
 * readline (rl_getc_function reads them back from a small queue); readline
 * edits, searches history (Ctrl-R) and completes (from the command table),
 * and its redisplay only marks the console dirty: the loop draws the prompt
 * and the line, placing the cursor by display width. Match lists go to a
 * popup inside the UI, never to the terminal. History lives in
 * $XDG_STATE_HOME/ipcplay/history. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <wchar.h>

#include <readline/history.h>
#include <readline/readline.h>

#include "ui_internal.h"
#include "../model/i18n.h"

#define CONSOLE_PROMPT "ipcplay> "
#define CONSOLE_HISTORY_MAX 1000
/* Longer than any command; a paste of a whole file stops here (readline
 * would spend seconds absorbing it, and the story and the history would
 * keep it). */
#define CONSOLE_LINE_MAX 4096

static struct ui *console_ui; /* readline's callbacks carry no context */
static unsigned char queue[256];
static size_t qhead, qtail;
static FILE *devnull;
static bool line_capped; /* the line being typed went over CONSOLE_LINE_MAX */

static int console_getc(FILE *f)
{
    (void)f;
    if (qhead == qtail)
        return 0; /* not reached: readline is only called with bytes queued (and
                     EOF here would read as Ctrl-D) */
    return queue[qhead++];
}

static int console_input_available(void)
{
    return qhead != qtail;
}

static void console_redisplay(void)
{
    if (console_ui)
        console_ui->dirty |= DIRTY_CONSOLE;
}

static void console_on_line(char *line)
{
    struct ui *u = console_ui;
    if (!line) {
        u->eof = true;
        return;
    }
    if (line_capped) { /* said when it happened: neither run nor remembered */
        line_capped = false;
        free(line);
        return;
    }
    if (u->nlines < UI_MAX_LINES)
        u->lines[u->nlines++] = line;
    else
        free(line);
}

/* ---- completion -------------------------------------------------------- */

static char **cands;
static int ncands, cand_cap, cand_next;

static void cand_add(void *ctx, const char *c)
{
    (void)ctx;
    for (int i = 0; i < ncands; i++)
        if (strcmp(cands[i], c) == 0)
            return;
    if (ncands == cand_cap) {
        int cap = cand_cap ? cand_cap * 2 : 32;
        char **n = realloc(cands, (size_t)cap * sizeof *n);
        if (!n)
            return;
        cands = n;
        cand_cap = cap;
    }
    char *d = strdup(c);
    if (d)
        cands[ncands++] = d;
}

static void cand_clear(void)
{
    for (int i = 0; i < ncands; i++)
        free(cands[i]);
    ncands = 0;
}

static char *cand_generate(const char *text, int state)
{
    (void)text;
    if (state == 0)
        cand_next = 0;
    if (cand_next < ncands)
        return strdup(cands[cand_next++]);
    return NULL;
}

static int cand_cmp(const void *a, const void *b)
{
    return strverscmp(*(char *const *)a, *(char *const *)b);
}

static char **console_complete(const char *text, int start, int end)
{
    (void)end;
    struct ui *u = console_ui;
    rl_attempted_completion_over = 1; /* never fall back to file names */
    cand_clear();
    command_complete(&u->host, rl_line_buffer, start, text, cand_add, NULL);
    if (ncands == 0)
        return NULL;
    /* worker-2 before worker-10 (readline's own sort is plain strcmp) */
    qsort(cands, (size_t)ncands, sizeof *cands, cand_cmp);
    /* `workers=` wants a value next, not a space */
    if (ncands == 1 && cands[0][0] && cands[0][strlen(cands[0]) - 1] == '=')
        rl_completion_suppress_append = 1;
    return rl_completion_matches(text, cand_generate);
}

static void console_show_matches(char **matches, int n, int maxlen)
{
    (void)maxlen;
    struct ui *u = console_ui;
    console_clear_matches(u);
    /* matches[0] is the common prefix; the candidates follow */
    u->matches = calloc((size_t)n, sizeof *u->matches);
    if (!u->matches)
        return;
    for (int i = 0; i < n; i++)
        if ((u->matches[u->nmatches] = strdup(matches[i + 1])))
            u->nmatches++;
    u->dirty |= DIRTY_POPUP | DIRTY_CONSOLE;
}

void console_clear_matches(struct ui *u)
{
    if (!u->matches)
        return;
    for (int i = 0; i < u->nmatches; i++)
        free(u->matches[i]);
    free(u->matches);
    u->matches = NULL;
    u->nmatches = 0;
    u->dirty |= DIRTY_ALL & ~DIRTY_LAYOUT; /* what the popup covered */
}

/* ---- history ----------------------------------------------------------- */

/* Create the directories of `rel` below `base`, one by one. The base must
 * exist already: ipcplay makes its own state directory, never a home. */
static int mkdir_below(const char *base, const char *rel, char *out, size_t outlen)
{
    struct stat sb;
    if (stat(base, &sb) < 0)
        return -1;
    if (!S_ISDIR(sb.st_mode)) {
        errno = ENOTDIR;
        return -1;
    }
    int len = snprintf(out, outlen, "%s/%s", base, rel);
    if (len < 0 || (size_t)len >= outlen) {
        errno = ENAMETOOLONG;
        return -1;
    }
    for (char *p = out + strlen(base) + 1;; p++) {
        if (*p != '/' && *p != '\0')
            continue;
        char was = *p;
        *p = '\0';
        int rc = mkdir(out, 0700);
        *p = was;
        if (rc < 0 && errno != EEXIST)
            return -1;
        if (!was)
            return 0;
    }
}

/* $XDG_STATE_HOME/ipcplay (XDG_STATE_HOME itself may be made, under an
 * existing parent), else $HOME/.local/state/ipcplay under an existing HOME.
 * A failure is kept in u->history_note, said once the story is set up. */
static void history_path(struct ui *u)
{
    const char *state = getenv("XDG_STATE_HOME");
    const char *home = getenv("HOME");
    char dir[480], base[480], relbuf[480];
    const char *rel;
    u->history_path[0] = '\0';
    if (state && state[0] == '/') {
        struct stat sb;
        snprintf(base, sizeof base, "%s", state);
        rel = "ipcplay";
        char *slash = strrchr(base, '/');
        if (stat(state, &sb) < 0 && slash && slash > base && slash[1]) {
            /* base = its parent, rel = "last/ipcplay" */
            snprintf(relbuf, sizeof relbuf, "%s/ipcplay", slash + 1);
            *slash = '\0';
            rel = relbuf;
        }
    } else if (home && home[0] == '/') {
        snprintf(base, sizeof base, "%s", home);
        rel = ".local/state/ipcplay";
    } else {
        return;
    }
    if (mkdir_below(base, rel, dir, sizeof dir) < 0) {
        snprintf(u->history_note, sizeof u->history_note,
                 "the command history is not kept: cannot make %.200s/%.200s (%s)", base, rel,
                 strerror(errno));
        return;
    }
    snprintf(u->history_path, sizeof u->history_path, "%s/history", dir);
}

/* ---- life cycle ---------------------------------------------------------- */

int console_init(struct ui *u)
{
    console_ui = u;
    devnull = fopen("/dev/null", "we");
    /* readline must not touch the terminal: ncurses owns it. */
    rl_readline_name = "ipcplay";
    rl_catch_signals = 0;
    rl_catch_sigwinch = 0;
    rl_change_environment = 0;
    rl_prep_term_function = NULL;
    rl_deprep_term_function = NULL;
    rl_instream = stdin;
    rl_outstream = devnull ? devnull : stderr;
    rl_getc_function = console_getc;
    rl_input_available_hook = console_input_available;
    rl_redisplay_function = console_redisplay;
    rl_initialize();
    rl_variable_bind("bell-style", "none");
    rl_variable_bind("show-all-if-ambiguous", "on");
    rl_variable_bind("completion-query-items", "0");
    rl_variable_bind("horizontal-scroll-mode", "on");
    rl_variable_bind("enable-bracketed-paste", "off");
    rl_completer_word_break_characters = " \t";
    rl_completer_quote_characters = "\"'";
    rl_attempted_completion_function = console_complete;
    rl_sort_completion_matches = 0; /* console_complete sorts them */
    rl_completion_display_matches_hook = console_show_matches;
    rl_set_screen_size(u->lay.rows > 0 ? u->lay.rows : 24, u->lay.cols > 0 ? u->lay.cols : 80);

    using_history();
    stifle_history(CONSOLE_HISTORY_MAX);
    history_path(u);
    if (u->history_path[0]) {
        int rc = read_history(u->history_path);
        if (rc != 0 && rc != ENOENT)
            snprintf(u->history_note, sizeof u->history_note,
                     "cannot read the command history %s: %s", u->history_path, strerror(rc));
    }
    rl_callback_handler_install(CONSOLE_PROMPT, console_on_line);
    return 0;
}

void console_fini(struct ui *u)
{
    rl_callback_handler_remove();
}

/* After endwin: the terminal is the shell's again, so errors can be said. */
void console_save_history(struct ui *u)
{
    if (u->history_path[0]) {
        int rc = write_history(u->history_path);
        if (rc == 0)
            history_truncate_file(u->history_path, CONSOLE_HISTORY_MAX);
        else
            fprintf(stderr, _("ipcplay: cannot save the command history to %s: %s\n"),
                    u->history_path, strerror(rc));
    }
    clear_history();
    cand_clear();
    free(cands);
    cands = NULL;
    cand_cap = 0;
    console_clear_matches(u);
    if (devnull) {
        rl_outstream = stderr;
        fclose(devnull);
        devnull = NULL;
    }
    console_ui = NULL;
}

/* Printable bytes past the cap are dropped; keys (Enter, Ctrl-C, editing
 * sequences) still work. Said once per line. */
static bool console_over_cap(struct ui *u, const char *bytes, size_t n)
{
    unsigned char c = n ? (unsigned char)bytes[0] : 0;
    if (c < 0x20 || c == 0x7f || console_searching() || (size_t)rl_end + n <= CONSOLE_LINE_MAX)
        return false;
    if (!line_capped)
        ui_say(u, OUT_ERROR,
               _("the line is longer than %d bytes: the rest is dropped, and Enter will neither "
                 "run it nor keep it in the history (Ctrl-C clears it)"),
               CONSOLE_LINE_MAX);
    line_capped = true;
    return true;
}

void console_feed(struct ui *u, const char *bytes, size_t n)
{
    if (console_over_cap(u, bytes, n))
        return;
    if (qhead == qtail)
        qhead = qtail = 0;
    for (size_t i = 0; i < n && qtail < sizeof queue; i++)
        queue[qtail++] = (unsigned char)bytes[i];
    while (qhead != qtail && !u->eof)
        rl_callback_read_char();
    qhead = qtail = 0;
}

void console_remember(const char *line)
{
    HIST_ENTRY *last = history_length > 0 ? history_get(history_base + history_length - 1) : NULL;
    if (!last || strcmp(last->line, line) != 0)
        add_history(line);
    /* Point readline past the end again: otherwise the next line typed
     * would be taken as an edit of this entry and overwrite it. */
    using_history();
}

void console_cancel(struct ui *u)
{
    line_capped = false;
    rl_callback_sigcleanup(); /* leaves i-search, multi-key and arg states */
    rl_free_line_state();
    rl_replace_line("", 0);
    rl_point = rl_end = rl_mark = 0;
    rl_done = 0;
    rl_clear_message();
    rl_set_prompt(CONSOLE_PROMPT);
    rl_reset_line_state();
    console_clear_matches(u);
    u->dirty |= DIRTY_CONSOLE;
}

bool console_searching(void)
{
    return RL_ISSTATE(RL_STATE_ISEARCH | RL_STATE_NSEARCH) != 0;
}

bool console_empty(void)
{
    return rl_end == 0;
}

void console_set_line(struct ui *u, const char *text)
{
    rl_replace_line(text, 0);
    rl_point = rl_end;
    u->dirty |= DIRTY_CONSOLE;
}

void console_resize(struct ui *u)
{
    rl_set_screen_size(u->lay.rows, u->lay.cols);
}

/* The hand's process, when it is in the middle of a call; NULL otherwise. */
static const struct model_proc *console_hand_asleep(const struct model *m)
{
    if (!m || m->state == RUN_DONE)
        return NULL;
    for (int i = 0; i < m->nprocs; i++) {
        const struct model_proc *p = &m->procs[i];
        if (p->role >= 0 && !p->exited && p->op != OP_NONE && strcmp(p->name, "you") == 0 &&
            model_proc_doing(p)[0])
            return p;
    }
    return NULL;
}

void console_draw(struct ui *u, WINDOW *w, int h, int width)
{
    const char *prompt = rl_display_prompt ? rl_display_prompt : CONSOLE_PROMPT;
    const char *line = rl_line_buffer ? rl_line_buffer : "";
    int x = 0;
    /* `you` (the hand) asleep in a call: said before the prompt, which
     * stays usable; Ctrl-C on an empty line interrupts the call. */
    const struct model_proc *you = console_hand_asleep(u->m);
    if (you) {
        char asleep[96];
        snprintf(asleep, sizeof asleep, _("you asleep in %s (Ctrl-C interrupts) "),
                 model_proc_doing(you));
        x = draw_text(w, 0, 0, width / 2, theme_style(S_BAR_WAIT), asleep);
    }
    int pw = draw_width(prompt);
    if (pw > width / 2)
        pw = width / 2;
    x = draw_text(w, 0, x, pw, theme_style(S_PROMPT), prompt);
    int room = width - x - 1;
    if (room < 1)
        return;
    int point = rl_point >= 0 && rl_point <= rl_end ? rl_point : rl_end;
    int ccol = draw_width_n(line, (size_t)point);
    /* Scroll the line horizontally so the cursor stays visible. */
    int shift = ccol >= room ? ccol - room + 1 : 0;
    size_t from = draw_skip(line, shift);
    int drawn_shift = draw_width_n(line, from);
    int cols;
    size_t fit = draw_fit(line + from, room, &cols);
    char buf[4096];
    if (fit >= sizeof buf)
        fit = sizeof buf - 1;
    memcpy(buf, line + from, fit);
    buf[fit] = '\0';
    draw_text(w, 0, x, room, A_NORMAL, buf);
    int cx = x + ccol - drawn_shift;
    if (cx >= width)
        cx = width - 1;
    wmove(w, 0, cx);
}
