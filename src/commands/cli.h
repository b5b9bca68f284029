/* cli.h — the ipcplay command line read into options and command words,
 * with nothing started and nothing printed: main.c acts on the result, and
 * the fuzz harness calls it directly. */
#ifndef IPCPLAY_CLI_H
#define IPCPLAY_CLI_H

#include <stdbool.h>
#include <stddef.h>

extern const char *const cli_usage; /* marked N_(): show it through _() */

enum cli_action {
    CLI_ERROR = -1, /* err says why: exit 2 */
    CLI_WORDS = 0,  /* run words[0..nwords) through the command table */
    CLI_HELP = 1,   /* print cli_usage */
    CLI_VERSION = 2,
};

struct cli_opts {
    bool headless, json;
    bool paused;              /* --paused: the dashboard starts the run paused */
    double speed;             /* 0 = max */
    double for_seconds;       /* 0 = until the scenario ends */
    const char *record;       /* --record FILE, or NULL */
    bool text;                /* export --text */
    const char *cast;         /* export --cast OUT, or NULL */
    int cast_cols, cast_rows; /* --size (120x40) */
    /* watch: --user, --key, --sort ("" / 0 / -1 when not given) */
    char user[24];
    const char *key;
    int sort;
    /* watch -- PROGRAM [ARGS] / watch --pid PID / --no-trace */
    char **prog; /* NULL-terminated, into argv; NULL when not given */
    int pid;     /* 0 when not given */
    bool no_trace;
    int trace_via;   /* --trace: 0 default (preload when it can), 1 preload, 2 ptrace */
    bool trace_set;  /* --trace given */
    bool stdin_pipe; /* --stdin */
    int nwords;
    char **words; /* points into argv, or at the default "run sem" */
};

/* Reads argv with getopt_long (which may reorder argv; getopt's own state is
 * reset first, so it can be called again). */
int cli_parse(int argc, char **argv, struct cli_opts *o, char *err, size_t errlen);

#endif
