/* hand.h — "you": a real process of the run that does what the console
 * asks (p, v, semop, setval, wait0, msgsnd, msgrcv, rmid). It is forked on
 * the first hand command into the run's process group, named `you`
 * (PR_SET_NAME), with its own SEM_UNDO adjustments, and dies with the run.
 * Its calls are told through the same op events as the roles' ones. It does
 * not pass the run's gate: a paused run still takes the hand's calls (the
 * gate holds the scenario's roles; the hand is the person at the console).
 * A call that blocks leaves `you` asleep; engine_hand_interrupt sends it
 * SIGINT, whose handler makes the call return EINTR. */
#ifndef IPCPLAY_HAND_H
#define IPCPLAY_HAND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct engine;

#define HAND_MAX_SOPS 4   /* sembufs one `semop` command may carry */
#define HAND_MAX_TEXT 512 /* bytes of a `msgsnd` text */

enum hand_kind {
    HAND_SEMOP = 1, /* p, v, wait0, semop: sops[0..nsops) on set obj */
    HAND_SETVAL,    /* setval: sops[0].num to val */
    HAND_MSGSND,    /* msgsnd: type, text */
    HAND_MSGRCV,    /* msgrcv: type is the selector */
    HAND_RMID,      /* rmid: what (enum hand_obj) */
};

enum hand_obj { HAND_OBJ_SEM = 0, HAND_OBJ_MSQ, HAND_OBJ_SHM };

/* One command, as the console parsed it; written whole to `you`. */
struct hand_cmd {
    int32_t kind; /* enum hand_kind */
    int32_t obj;  /* plan index of the set, queue or segment (0: the first) */
    int32_t nsops;
    struct hand_sop {
        int16_t num, op;
    } sops[HAND_MAX_SOPS];
    uint16_t flags; /* OPF_UNDO, OPF_NOWAIT, OPF_EXCEPT, OPF_NOERROR */
    int32_t val;    /* setval */
    int64_t type;   /* msgsnd: mtype; msgrcv: msgtyp */
    int32_t what;   /* rmid: enum hand_obj */
    int32_t len;    /* msgsnd: text bytes */
    char text[HAND_MAX_TEXT];
};

/* Hand c to `you` (forked first if it is not there yet). 0, or -1 with a
 * line in err (no run, `you` asleep in an earlier call, an object the run
 * does not have). */
int engine_hand(struct engine *e, const struct hand_cmd *c, char *err, size_t errlen);
/* `you` is in the middle of a call (asleep, as a rule). */
bool engine_hand_busy(const struct engine *e);
/* Interrupt the call `you` sleeps in (SIGINT; the call returns EINTR).
 * 0, or -1 when it is not in one. */
int engine_hand_interrupt(struct engine *e);
/* Its pid, 0 when there is none. */
pid_t engine_hand_pid(const struct engine *e);

/* engine.c: a new run has no hand; the run's end kills and reaps it. */
void hand_reset(struct engine *e);
/* A new run: nothing done by your hand yet. */
void hand_run_reset(void);
/* emit.c: a check failed after your hand changed the run's objects (a V, a
 * SETVAL, a message, a removal): it is marked broken, by your hand, naming
 * your first such call, not failed by the program. */
struct model_check;
void hand_mark_checks(struct model_check *checks, int nchecks);
void hand_end(struct engine *e);
/* Processes of the run besides `you` still alive (the run ends when none). */
int hand_roles_alive(const struct engine *e);

#endif
