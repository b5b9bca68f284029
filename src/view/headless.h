/* headless.h — the text / JSON-lines view: runs one scenario without a
 * terminal UI and prints the story, state lines, a summary and the checks. */
#ifndef IPCPLAY_HEADLESS_H
#define IPCPLAY_HEADLESS_H

#include <stdbool.h>
#include <stdio.h>

#include "../engine/engine.h"
#include "../record/recording.h"

struct headless_opts {
    double speed;       /* 0 = max */
    double for_seconds; /* 0 = until the scenario ends */
    bool json;
    FILE *out;
    /* When set, told how the run ended and when (for a recording's end line). */
    struct rec_trailer *ending;
};

/* Returns the process exit status: 0 checks held, 1 a check failed,
 * 3 runtime error, 128+N when stopped by signal N. */
int headless_run(struct engine *e, struct model *m, const struct scenario_def *s, const long *vals,
                 const struct headless_opts *o);

/* The same lines, from a recording instead of an engine (nothing is run):
 * rp is loaded and at its start; end is its end line, NULL when the file was
 * cut short (then the run is summed up as stopped where it ends). Returns the
 * exit status the live run had. */
int headless_replay(struct replay *rp, const struct rec_header *hd, const struct rec_trailer *end,
                    const struct headless_opts *o);

#endif
