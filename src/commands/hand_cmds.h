/* hand_cmds.h — the console commands that act through `you`, a real process
 * of the run (engine/hand.h): p, v, semop, setval, wait0, msgsnd, msgrcv,
 * rmid. Their table entries are in commands.c. */
#ifndef IPCPLAY_HAND_CMDS_H
#define IPCPLAY_HAND_CMDS_H

#include "commands.h"

struct hand_cmd;

/* Parse a hand command's words (argv[0] is the command's name) into c
 * (engine/hand.h). 0, or -1 with one line naming what is accepted in err.
 * Pure: no run needed. */
int hand_parse(int argc, char **argv, struct hand_cmd *c, char *err, size_t errlen);

int cmd_hand_p(struct cmd_host *h, int argc, char **argv);
int cmd_hand_v(struct cmd_host *h, int argc, char **argv);
int cmd_hand_semop(struct cmd_host *h, int argc, char **argv);
int cmd_hand_setval(struct cmd_host *h, int argc, char **argv);
int cmd_hand_wait0(struct cmd_host *h, int argc, char **argv);
int cmd_hand_msgsnd(struct cmd_host *h, int argc, char **argv);
int cmd_hand_msgrcv(struct cmd_host *h, int argc, char **argv);
int cmd_hand_rmid(struct cmd_host *h, int argc, char **argv);

#endif
