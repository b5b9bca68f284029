/* commands.h — one command table serves the TUI console, the command line
 * (`ipcplay run sem workers=4`) and command scripts. Help text, usage lines
 * and Tab completion are generated from it. `name=value` is the one parameter
 * syntax. No ncurses here. */
#ifndef IPCPLAY_COMMANDS_H
#define IPCPLAY_COMMANDS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "../scenarios/scenario.h"

struct engine;
struct model;
struct sysipc_filter;

enum cmd_where { CMD_CLI = 1, CMD_CONSOLE = 2 };
enum cmd_result { CMD_OK = 0, CMD_ERROR = 1, CMD_QUIT = 2 };
enum cmd_out { OUT_INFO = LINE_NOTE, OUT_ERROR = LINE_ERROR }; /* story line kinds */

/* Where `seek`, `back`, `mark` and `live` go on the timeline. */
enum cmd_seek_how {
    CMD_SEEK_TIME, /* to v seconds from the start */
    CMD_SEEK_REL,  /* v seconds from here (negative: back) */
    CMD_SEEK_OP,   /* just after op number v (0: the start) */
    CMD_SEEK_OPS,  /* v ops from here (negative: back) */
    CMD_SEEK_MARK, /* the next (v > 0) or previous marker */
    CMD_SEEK_END,  /* the end of a replay; live: back to live */
};
struct cmd_seek {
    enum cmd_seek_how how;
    double v;
};

/* Everything a command does to a run goes through these: the dashboard's
 * come from its engine (cmd_actions_engine), a test gives its own. */
struct cmd_actions {
    void *ctx;
    bool (*active)(void *ctx); /* is a run going on? */
    void (*stop)(void *ctx);
    void (*pause)(void *ctx);
    void (*resume)(void *ctx);
    void (*step)(void *ctx, int n);
    double (*get_speed)(void *ctx); /* 0 is max */
    void (*set_speed)(void *ctx, double speed);
    /* Signal one process of the run; -1 if it is not (or no longer) ours. */
    int (*kill)(void *ctx, pid_t pid, int sig);
    /* `step PID`: one call of one process of a watched tree; 0 done, 1 not
     * one (the word is a count). May be NULL. */
    int (*step_one)(void *ctx, const char *who);
    /* The timeline (a replay, or going back in a live run); NULL where there
     * is none. Returns 0, or -1 with a line in err. */
    int (*seek)(void *ctx, const struct cmd_seek *to, char *err, size_t errlen);
    /* `record FILE` (path), `record stop` (NULL); NULL where it cannot. */
    int (*record)(void *ctx, const char *path, char *err, size_t errlen);
    void (*step_proc)(void *ctx, pid_t pid, int n); /* n ops of one process only; may be NULL */
    /* breakpoints: a bit per engine_break_names entry; may be NULL */
    unsigned (*get_breaks)(void *ctx);
    void (*set_breaks)(void *ctx, unsigned mask);
    /* `input TEXT` / `input --eof` to a watched program's stdin; may be
     * NULL. 0, or -1 with one line in err. */
    int (*input)(void *ctx, const char *text, bool eof, char *err, size_t errlen);
};

/* Actions on a real engine (one per engine; the pointer stays valid). */
const struct cmd_actions *cmd_actions_engine(struct engine *e);

/* What a front end offers the commands. */
struct cmd_host {
    void *self;
    unsigned where;                /* CMD_CLI or CMD_CONSOLE */
    struct engine *engine;         /* may be NULL (e.g. `list` from the CLI) */
    const struct cmd_actions *act; /* NULL: taken from engine when there is one */
    struct model *model;
    void (*print)(void *self, int kind, const char *line);
    /* Start a scenario with parsed values. Returns 0 or -1 (and prints why). */
    int (*run)(void *self, const struct scenario_def *s, const long *vals);
    void (*clear)(void *self);
    /* Show a detail view for one pid or IPC id (TUI); may be NULL. */
    void (*inspect)(void *self, const char *what);
    /* `run NAME ... paused`: set by the command for the run callback */
    bool start_paused;
    /* Watch the whole system (`ipcplay watch`); NULL: the engine's, if any. */
    int (*watch)(void *self, const struct sysipc_filter *f, int period_ms);
};

/* What Tab completes after a command's name; each has one completer. */
enum cmd_complete {
    COMPLETE_NONE,
    COMPLETE_SCENARIO, /* a scenario name */
    COMPLETE_RUN,      /* a scenario, then its name= parameters and values */
    COMPLETE_KILL,     /* a live role or pid of the run, then a signal */
    COMPLETE_COMMAND,  /* a command name */
    COMPLETE_INSPECT,  /* any process, sem / shm / msq and the objects' ids */
    COMPLETE_HAND,     /* a hand command's semaphore numbers and option words */
};

/* What a command needs before it runs; checked once, by the dispatcher. */
enum cmd_needs {
    NEEDS_NOTHING,
    NEEDS_DASHBOARD, /* a front end with run actions */
    NEEDS_RUN,       /* a run going on */
};

struct command {
    const char *name;
    const char *alias;
    const char *args; /* "NAME [name=value ...]": the usage line */
    const char *summary;
    const char *help;
    unsigned where;
    int min_args, max_args; /* words after the name; -1: no upper bound */
    enum cmd_needs needs;
    enum cmd_complete complete;
    int (*exec)(struct cmd_host *h, int argc, char **argv);
};

extern const struct command commands[];
extern const int ncommands;

/* Exact name or alias, then a unique prefix. On failure writes
 * "unknown command: x" or "ambiguous command: x, could be: a, b". */
const struct command *command_find(const char *word, unsigned where, char *err, size_t errlen);
/* Split a line into words (quotes and backslashes honoured). Returns argc or -1. */
int command_split(const char *line, char **argv, int max, char *buf, size_t buflen);
/* Parse and run one line (console, scripts). Returns enum cmd_result. */
int command_run_line(struct cmd_host *h, const char *line);
int command_run_argv(struct cmd_host *h, int argc, char **argv);
/* "max" -> 0, "0.25", "2x", "1/4"; -1 if not a speed in 0.05..100. */
int command_parse_speed(const char *s, double *out);
void command_printf(struct cmd_host *h, int kind, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Completion candidates for the word being typed: calls add() for each. */
void command_complete(const struct cmd_host *h, const char *line, int word_start,
                      const char *prefix, void (*add)(void *ctx, const char *cand), void *ctx);

#endif
