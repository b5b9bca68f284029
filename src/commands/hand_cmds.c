/* hand_cmds.c — the hand's console commands (hand_cmds.h): the words are
 * parsed by hand_parse (one line naming what is accepted when they are
 * wrong) and the call is handed to `you`; what it did is told by its op
 * events, like any role's. Never in a replay: a recording only shows. */
#include "hand_cmds.h"

#include <stdio.h>

#include "../engine/hand.h"
#include "../model/model.h"

static int hand_run(struct cmd_host *h, const char *name, int argc, char **argv)
{
    if (!h->engine || !h->model || !h->model->live) {
        command_printf(h, OUT_ERROR, "%s: hand operations need a live run (not a replay)", name);
        return CMD_ERROR;
    }
    argv[0] = (char *)name; /* a prefix or alias was typed: parse as the command */
    struct hand_cmd c;
    char err[256];
    if (hand_parse(argc, argv, &c, err, sizeof err) < 0 ||
        engine_hand(h->engine, &c, err, sizeof err) < 0) {
        command_printf(h, OUT_ERROR, "%s", err);
        return CMD_ERROR;
    }
    return CMD_OK;
}

#define HAND_CMD(fn, word)                                                                         \
    int fn(struct cmd_host *h, int argc, char **argv)                                              \
    {                                                                                              \
        return hand_run(h, word, argc, argv);                                                      \
    }

HAND_CMD(cmd_hand_p, "p")
HAND_CMD(cmd_hand_v, "v")
HAND_CMD(cmd_hand_semop, "semop")
HAND_CMD(cmd_hand_setval, "setval")
HAND_CMD(cmd_hand_wait0, "wait0")
HAND_CMD(cmd_hand_msgsnd, "msgsnd")
HAND_CMD(cmd_hand_msgrcv, "msgrcv")
HAND_CMD(cmd_hand_rmid, "rmid")
