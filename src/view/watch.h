/* watch.h — `ipcplay watch --headless [--json] [--for S]`: the whole
 * system's IPC objects with the processes that use them, as text or JSON
 * lines, read from the model (filled by whole-system samples). */
#ifndef IPCPLAY_VIEW_WATCH_H
#define IPCPLAY_VIEW_WATCH_H

#include <stdbool.h>
#include <stdio.h>

#include "../engine/engine.h"
#include "../record/recording.h"

struct watch_opts {
    double for_seconds; /* 0: one sample, printed, then exit */
    int period_ms;      /* between samples */
    bool json;
    struct sysipc_filter filter;
    FILE *out;
};

/* Returns the exit status: 0, 3 runtime error, 128+N stopped by signal N. */
int watch_headless(struct engine *e, struct model *m, const struct watch_opts *o);

/* `ipcplay replay FILE --headless [--json]` of a recorded watch session:
 * the lines the live `watch --headless` printed, from the records (a sample
 * printed when it shows something new, as live). Returns the exit status
 * the live session had (128+N when a signal stopped it). */
int watch_replay(struct replay *rp, const struct rec_trailer *end, bool json, FILE *out);

/* The objects the filter shows, with their users, as text lines (also
 * for tests): calls line() for each. Returns how many objects were shown. */
int watch_format_text(const struct model *m, void (*line)(void *ctx, const char *s), void *ctx);

#endif
