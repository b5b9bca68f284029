/* op.h — an op is one unit: one table entry carries its name and verb, what
 * it does in a child (run), how the engine tracks it, its "doing" text, how it
 * changes the model (apply) and how the story tells it (story). Entries live
 * in their family's file (sem.c, msgq.c, shm.c, shmlife.c, proc.c, fd.c, key.c, chat.c,
 * demo.c); the family's header lists its ops and declares their event payloads, and this
 * header puts the lists together into one enum and one payload union.
 *
 * The model dispatches through the table without seeing the engine: runner,
 * engine and model are only forward-declared here. */
#ifndef IPCPLAY_OP_H
#define IPCPLAY_OP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../model/field.h"
#include "chat.h"
#include "demo.h"
#include "execfam.h"
#include "fd.h"
#include "handops.h"
#include "key.h"
#include "msgq.h"
#include "pipebuf.h"
#include "proc.h"
#include "race.h"
#include "sem.h"
#include "shm.h"
#include "shmlife.h"
#include "sig.h"
#include "waitst.h"

/* Every op, family by family. The enum follows the families' order; names,
 * not numbers, leave the program. Op E's entry is op_entry_E, defined in its
 * family's file; op.c indexes them by kind (a missing one does not link). */
/* one X-macro list, laid out by hand */
// clang-format off
#define IPCPLAY_OPS(X)                                                                   \
    OPS_DEMO(X) OPS_PROC(X) OPS_SEM(X) OPS_MSGQ(X) OPS_SHM(X) OPS_SHMLIFE(X) OPS_FD(X) OPS_KEY(X)      \
        OPS_CHAT(X) OPS_SIG(X) OPS_PIPEBUF(X) OPS_WAITST(X) OPS_EXECFAM(X) OPS_HAND(X) OPS_RACE(X)
// clang-format on

enum op_kind {
#define IPCPLAY_OP_ENUM(e) OP_##e,
    IPCPLAY_OPS(IPCPLAY_OP_ENUM)
#undef IPCPLAY_OP_ENUM
        OP__COUNT
};

enum ev_phase { PH_BEGIN = 0, PH_END = 1, PH_NOTE = 2 };

/* The op-specific part of an event: one named struct per op (or per group of
 * ops that report the same things), each in its family's header. */
/* one X-macro list, laid out by hand */
// clang-format off
#define IPCPLAY_PAYLOADS                                                                 \
    PAYLOADS_DEMO PAYLOADS_PROC PAYLOADS_SEM PAYLOADS_MSGQ PAYLOADS_SHM PAYLOADS_SHMLIFE PAYLOADS_FD      \
        PAYLOADS_KEY PAYLOADS_CHAT PAYLOADS_SIG PAYLOADS_PIPEBUF PAYLOADS_WAITST PAYLOADS_EXECFAM PAYLOADS_HAND \
        PAYLOADS_RACE
// clang-format on

union op_payload {
    IPCPLAY_PAYLOADS
    unsigned char bytes[32];
};

_Static_assert(sizeof(union op_payload) == 32, "an op's payload is 32 bytes");

struct runner;
struct engine;
struct model;
struct model_proc;
struct model_line;
struct event;
struct op;

/* What the model knows while it applies one event; apply may leave findings
 * for the story of the same event in `found`. */
struct op_ctx {
    int pi;               /* the process's index in the model, -1 when unknown */
    struct model_proc *p; /* that process, or NULL */
    char who[32];         /* "worker-2[4711]" */
    union {
        struct {
            int held_undo, held_dead; /* locks it held, given back or left taken */
            int inside;               /* 1: it was in a critical section */
        } exited;
        struct {
            bool told; /* the send was told already, with its receive */
        } msgsnd;
    } found;
};

/* run's results besides 0 (done) and -1 (a call failed that the role cannot
 * go on without: the runner reports it and the child exits with status 3). */
#define OPS_END_ROLE 1 /* the role ends here, normally (r->exit_code) */

struct op_entry {
    const char *name; /* "P": output, recordings, scenarios */
    const char *verb; /* "P: take the semaphore" */
    /* In a child: pass the gate, emit begin, make the call, emit end. Every
     * entry has one; an event only the engine writes refuses to run. */
    int (*run)(struct runner *r, const struct op *op);
    /* In the engine, before the model applies ev: what the engine itself
     * keeps (processes forked, reaped, exec'd; objects gone). NULL: nothing. */
    void (*track)(struct engine *e, const struct event *ev);
    bool touches_fds; /* may change fd tables or offsets: look at every fd table again */
    bool from_engine; /* written by the engine about a process, not by the process */
    /* "P(sem 0)": what the process is doing, for the panels and the story. NULL:
     * the op's name. */
    void (*doing)(const struct event *ev, char *buf, size_t len);
    /* The process this event introduces to the model (its index), or NULL. */
    int (*appear)(struct model *m, const struct event *ev);
    /* What the event changes in the model (NULL: nothing beyond "doing"). */
    void (*apply)(struct model *m, const struct event *ev, struct op_ctx *cx);
    /* Its story line(s); returns the line to name with who/what, or NULL. */
    struct model_line *(*story)(struct model *m, const struct event *ev, struct op_ctx *cx);
    /* Its payload's fields by name (field.h), relative to the payload: how a
     * recording writes and reads them. NULL: it carries none. */
    const struct field *payload;
};

/* The table, indexed by enum op_kind; NULL for a number that is no op. */
const struct op_entry *op_entry(int op);
/* Every entry complete (name, verb, run; the index is its kind)? 0, or -1 and
 * the first incomplete op's number in *bad. */
int op_table_check(int *bad);

const char *op_name(int op);
const char *op_verb(int op);
int op_from_name(const char *name);

#define IPCPLAY_OP_EXTERN(e) extern const struct op_entry op_entry_##e;
IPCPLAY_OPS(IPCPLAY_OP_EXTERN)
#undef IPCPLAY_OP_EXTERN

#endif
