/* helper.h — hidden helper modes of the ipcplay binary, run by scenarios
 * through exec (never documented in --help). */
#ifndef IPCPLAY_HELPER_H
#define IPCPLAY_HELPER_H

/* `ipcplay __fdreport ROLE INSTANCE T0_NS`: the program a fork scenario's
 * child execs. It reports, on the event pipe it inherited as fd 3, that the
 * exec worked and which fds (4 and up) survived it, then waits (at most 10 s)
 * for SIGUSR1: the engine sends it once a sample has shown the new program.
 * argv starts after "__fdreport". Returns the exit code. */
int helper_fdreport(int argc, char **argv);

#endif
