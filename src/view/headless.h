/* headless.h — the text / JSON-lines view: runs one scenario without a
 * terminal UI and prints the story, state lines, a summary and the checks. */
#ifndef IPCPLAY_HEADLESS_H
#define IPCPLAY_HEADLESS_H

#include <stdbool.h>
#include <stdio.h>

#include "../engine/engine.h"

struct headless_opts {
    double speed;        /* 0 = max */
    double for_seconds;  /* 0 = until the scenario ends */
    bool json;
    FILE *out;
};

/* Returns the process exit status: 0 checks held, 1 a check failed,
 * 3 runtime error, 128+N when stopped by signal N. */
int headless_run(struct engine *e, struct model *m, const struct scenario_def *s,
                 const long *vals, const struct headless_opts *o);

#endif
