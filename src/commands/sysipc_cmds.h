/* sysipc_cmds.h — the console commands that look at the whole system's IPC
 * (ipcs, ipcs -l, ipcrm with its y/N question, watch); their table entries
 * are in commands.c. */
#ifndef IPCPLAY_SYSIPC_CMDS_H
#define IPCPLAY_SYSIPC_CMDS_H

#include <stdbool.h>

#include "commands.h"

int cmd_ipcs(struct cmd_host *h, int argc, char **argv);
int cmd_ipcrm(struct cmd_host *h, int argc, char **argv);
int cmd_watch(struct cmd_host *h, int argc, char **argv);
/* An ipcrm of an object that is not the run's waits for its answer: the
 * next line this host runs is that answer (y removes it, anything else
 * keeps it). */
bool sysipc_cmd_pending(const struct cmd_host *h);
int sysipc_cmd_answer(struct cmd_host *h, const char *line);
/* watch's words (user=, key=, sort=, every=) into a filter and a period. */
int sysipc_cmd_parse_watch(int argc, char **argv, struct sysipc_filter *f, int *period_ms,
                           char *err, size_t errlen);

#endif
