/* tree.h — `ipcplay watch --headless -- PROGRAM` / `--pid PID`: a watched
 * tree's story and view as text lines, read from the model. */
#ifndef IPCPLAY_VIEW_TREE_H
#define IPCPLAY_VIEW_TREE_H

#include <stdio.h>

#include "../engine/engine.h"

struct tree_view_opts {
    double for_seconds; /* 0: until the tree is gone (or stalls) */
    FILE *out;
};

/* Returns the exit status: 0 the tree ended (or --for), 1 a stall was
 * named, 3 runtime error, 128+N stopped by signal N. */
int tree_headless(struct engine *e, struct model *m, const struct tree_view_opts *o);

#endif
