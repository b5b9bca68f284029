/* hand_cmds.c — the hand's console commands (hand_cmds.h): the words are
 * parsed into a struct hand_cmd (one line naming what is accepted when they
 * are wrong) and the call is handed to `you` (engine/hand.h); what it did
 * is told by its op events, like any role's. Never in a replay: a recording
 * only shows. */
#include "hand_cmds.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../engine/hand.h"
#include "../model/event.h"
#include "../model/model.h"
#include "../plan/plan.h"
#include "../model/i18n.h"

static int parse_int(const char *s, long lo, long hi, long *out)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || end == s || *end || v < lo || v > hi)
        return -1;
    *out = v;
    return 0;
}

int hand_parse(int argc, char **argv, struct hand_cmd *c, char *err, size_t errlen)
{
    memset(c, 0, sizeof *c);
    const char *name = argv[0];
    long v, n;
    /* Trailing option words, for the commands that take them. */
    int words = argc;
    bool takes_flags = strcmp(name, "p") == 0 || strcmp(name, "v") == 0 ||
                       strcmp(name, "semop") == 0 || strcmp(name, "wait0") == 0 ||
                       strcmp(name, "msgrcv") == 0 || strcmp(name, "msgsnd") == 0;
    while (takes_flags && words > 1) {
        const char *w = argv[words - 1];
        uint16_t f =
            strcmp(w, "nowait") == 0 ? OPF_NOWAIT
            : strcmp(w, "undo") == 0 && strcmp(name, "msgrcv") != 0 && strcmp(name, "msgsnd") != 0
                ? OPF_UNDO
            : strcmp(w, "except") == 0 && strcmp(name, "msgrcv") == 0  ? OPF_EXCEPT
            : strcmp(w, "noerror") == 0 && strcmp(name, "msgrcv") == 0 ? OPF_NOERROR
                                                                       : 0;
        if (!f)
            break;
        c->flags |= f;
        words--;
    }
    if (strcmp(name, "p") == 0 || strcmp(name, "v") == 0 || strcmp(name, "wait0") == 0) {
        bool w0 = name[0] == 'w';
        c->kind = HAND_SEMOP;
        c->nsops = 1;
        if (words > 1 && parse_int(argv[1], 0, PLAN_MAX_SEMS - 1, &v) < 0) {
            snprintf(err, errlen, _("%s: '%s' is not a semaphore number (0 to %d)%s"), name,
                     argv[1], PLAN_MAX_SEMS - 1,
                     w0 ? "; then nowait, undo" : "; then N, nowait, undo");
            return -1;
        }
        c->sops[0].num = (int16_t)(words > 1 ? v : 0);
        n = 1;
        if (words > 2 && (w0 || parse_int(argv[2], 1, 32767, &n) < 0)) {
            snprintf(err, errlen, _("%s: '%s' is not %s"), name, argv[2],
                     w0 ? "accepted (wait0 [SEM] [nowait] [undo])"
                        : "a count (1 to 32767; then nowait, undo)");
            return -1;
        }
        if (words > 3) {
            snprintf(err, errlen, _("%s: '%s' is not accepted (%s [SEM] [N] [nowait] [undo])"),
                     name, argv[3], name);
            return -1;
        }
        c->sops[0].op = (int16_t)(w0 ? 0 : name[0] == 'p' ? -n : n);
        return 0;
    }
    if (strcmp(name, "semop") == 0) {
        c->kind = HAND_SEMOP;
        if (words != 2) {
            snprintf(err, errlen,
                     _("semop: one list SEM:OP[,SEM:OP...] (e.g. 0:-1,1:+1), then "
                       "nowait, undo"));
            return -1;
        }
        char buf[128];
        snprintf(buf, sizeof buf, "%s", argv[1]);
        char *save = NULL;
        for (char *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
            char *colon = strchr(t, ':');
            long num, op;
            if (c->nsops >= HAND_MAX_SOPS) {
                snprintf(err, errlen, _("semop: at most %d sembufs in one call here"),
                         HAND_MAX_SOPS);
                return -1;
            }
            if (!colon) {
                snprintf(err, errlen, _("semop: '%s' is not SEM:OP (e.g. 0:-1, 1:+1, 2:0)"), t);
                return -1;
            }
            *colon = '\0';
            const char *os = colon[1] == '+' ? colon + 2 : colon + 1;
            if (parse_int(t, 0, PLAN_MAX_SEMS - 1, &num) < 0 ||
                parse_int(os, -32767, 32767, &op) < 0 || (colon[1] == '+' && os[0] == '-')) {
                snprintf(err, errlen,
                         _("semop: '%s:%s' is not SEM:OP (SEM 0 to %d, OP -32767 to +32767)"), t,
                         colon + 1, PLAN_MAX_SEMS - 1);
                return -1;
            }
            c->sops[c->nsops].num = (int16_t)num;
            c->sops[c->nsops].op = (int16_t)op;
            c->nsops++;
        }
        if (c->nsops == 0) {
            snprintf(err, errlen, _("semop: one list SEM:OP[,SEM:OP...] (e.g. 0:-1,1:+1)"));
            return -1;
        }
        return 0;
    }
    if (strcmp(name, "setval") == 0) {
        c->kind = HAND_SETVAL;
        c->nsops = 1;
        if (words != 3 || parse_int(argv[1], 0, PLAN_MAX_SEMS - 1, &n) < 0 ||
            parse_int(argv[2], 0, 32767, &v) < 0) {
            snprintf(err, errlen, _("setval: SEM N (SEM 0 to %d, N 0 to 32767)"),
                     PLAN_MAX_SEMS - 1);
            return -1;
        }
        c->sops[0].num = (int16_t)n;
        c->val = (int32_t)v;
        return 0;
    }
    if (strcmp(name, "msgsnd") == 0) {
        c->kind = HAND_MSGSND;
        if (words < 3 || parse_int(argv[1], 1, 2147483647L, &v) < 0) {
            snprintf(err, errlen,
                     _("msgsnd: TYPE TEXT (TYPE 1 or more; quote a TEXT with spaces), "
                       "then nowait"));
            return -1;
        }
        c->type = v;
        size_t off = 0;
        for (int i = 2; i < words; i++) {
            int k =
                snprintf(c->text + off, sizeof c->text - off, "%s%s", i > 2 ? " " : "", argv[i]);
            if (k < 0 || (size_t)k >= sizeof c->text - off) {
                snprintf(err, errlen, _("msgsnd: a TEXT of at most %d bytes"), HAND_MAX_TEXT - 1);
                return -1;
            }
            off += (size_t)k;
        }
        c->len = (int32_t)off;
        return 0;
    }
    if (strcmp(name, "msgrcv") == 0) {
        c->kind = HAND_MSGRCV;
        if (words != 2 || parse_int(argv[1], -2147483647L, 2147483647L, &v) < 0) {
            snprintf(err, errlen,
                     _("msgrcv: SEL (0 any, N type N, -N lowest type <= N), then "
                       "except, noerror, nowait"));
            return -1;
        }
        c->type = v;
        return 0;
    }
    if (strcmp(name, "rmid") == 0) {
        c->kind = HAND_RMID;
        if (words == 2 && strcmp(argv[1], "sem") == 0)
            c->what = HAND_OBJ_SEM;
        else if (words == 2 && (strcmp(argv[1], "msq") == 0 || strcmp(argv[1], "msg") == 0))
            c->what = HAND_OBJ_MSQ;
        else if (words == 2 && strcmp(argv[1], "shm") == 0)
            c->what = HAND_OBJ_SHM;
        else {
            snprintf(err, errlen, _("rmid: sem, msq or shm (the run's own object of that kind)"));
            return -1;
        }
        return 0;
    }
    snprintf(err, errlen, _("%s is no hand command"), name);
    return -1;
}

static int hand_run(struct cmd_host *h, const char *name, int argc, char **argv)
{
    if (!h->engine || !h->model || !h->model->live) {
        command_printf(h, OUT_ERROR, _("%s: hand operations need a live run (not a replay)"), name);
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
