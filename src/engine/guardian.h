/* guardian.h — a tiny process that outlives the dashboard just long enough to
 * clean up after it. The process the shell started becomes the guardian; the
 * dashboard runs as its child. The dashboard tells the guardian (over a pipe)
 * every object and process it creates. If the dashboard dies without saying
 * "clean" (kill -9, a crash), the guardian kills the run's processes, removes
 * its objects, restores the terminal and exits with the dashboard's status.
 * If the guardian itself is killed, the dashboard gets SIGTERM (parent-death
 * signal) and cleans up as on any SIGTERM. */
#ifndef IPCPLAY_GUARDIAN_H
#define IPCPLAY_GUARDIAN_H

#include <stdbool.h>

/* Fork the guardian. Returns, in the dashboard process only, the write end of
 * the guardian pipe (or -1 if no guardian could be started: the run goes on
 * without one). The guardian process never returns from this call. */
int guardian_start(bool restore_terminal);

#endif
