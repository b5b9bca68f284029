/* commands.h — one command table serves the TUI console, the command line
 * (`ipcplay run sem workers=4`) and command scripts. Help text, usage lines
 * and Tab completion are generated from it. `name=value` is the one parameter
 * syntax. No ncurses here. */
#ifndef IPCPLAY_COMMANDS_H
#define IPCPLAY_COMMANDS_H

#include <stddef.h>
#include <sys/types.h>

#include "../scenarios/scenario.h"

struct engine;
struct model;

enum cmd_where { CMD_CLI = 1, CMD_CONSOLE = 2 };
enum cmd_result { CMD_OK = 0, CMD_ERROR = 1, CMD_QUIT = 2 };
enum cmd_out { OUT_INFO = 1, OUT_ERROR = 2 };

/* What a front end offers the commands. */
struct cmd_host {
    void *self;
    unsigned where;                 /* CMD_CLI or CMD_CONSOLE */
    struct engine *engine;          /* may be NULL (e.g. `list` from the CLI) */
    struct model *model;
    void (*print)(void *self, int kind, const char *line);
    /* Start a scenario with parsed values. Returns 0 or -1 (and prints why). */
    int (*run)(void *self, const struct scenario_def *s, const long *vals);
    void (*clear)(void *self);
    /* Show a detail view for one pid or IPC id (TUI); may be NULL. */
    void (*inspect)(void *self, const char *what);
};

struct command {
    const char *name;
    const char *alias;
    const char *args;               /* "NAME [name=value ...]" */
    const char *summary;
    const char *help;
    unsigned where;
    int (*exec)(struct cmd_host *h, int argc, char **argv);
    /* What argument word N completes to: 0 none, 1 scenario, 2 params of
       the scenario in argv[1], 3 live roles and pids then a signal, 4
       command names, 5 any process, sem / shm / msq and the objects' ids. */
    int complete;
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
