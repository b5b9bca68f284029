/* watch.h — the engine's side of `ipcplay watch` and of the console's ipcs,
 * ipcrm and inspect of objects that are not the run's: whole-system samples
 * (syswatch.h) emitted as records through engine_emit, on a timer of their
 * own while watching, or once when a command asks. Removing an object is
 * here too, checked against what the person was shown. */
#ifndef IPCPLAY_WATCH_H
#define IPCPLAY_WATCH_H

#include <stdbool.h>
#include <stddef.h>

#include "engine.h"

#define WATCH_DEFAULT_MS 1000

/* Watch the whole system: with no run going, the model starts afresh as a
 * "watch" session; then the filter, the limits and a first sample, and one
 * sample every period_ms (100..60000). 0, or -1 with a message. */
int engine_watch_system(struct engine *e, int period_ms, const struct sysipc_filter *f, char *err,
                        size_t errlen);
bool engine_sys_watching(const struct engine *e);
/* Change what the watch view lists (a REC_SYS_FILTER record). */
void engine_sys_filter(struct engine *e, const struct sysipc_filter *f);
/* One whole-system sample now (ipcs, inspect), and the limits (ipcs -l). */
void engine_sys_sample(struct engine *e);
void engine_sys_limits(struct engine *e);
/* Is this System V object one of the run's? */
bool engine_sys_ours(const struct engine *e, int kind, int id);
/* IPC_RMID of a System V object, only if it still is the one shown: same
 * key and creator (cuid) as `shown`. 0, or -1 with a message. Callers ask
 * first when it is not the run's (commands/sysipc_cmds.c). */
int engine_sys_remove(struct engine *e, const struct sys_obj *shown, char *err, size_t errlen);

/* For engine.c's loop: the watch timer's fd (-1 when not watching), and
 * what to do when it fires (returns engine flags). */
int engine_sys_pollfd(const struct engine *e);
int engine_sys_tick(struct engine *e);
void engine_sys_free(struct engine *e);

#endif
