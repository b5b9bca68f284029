/* handops.c — the hand's own ops (handops.h): a semop of several sembufs of
 * any signs, told all or nothing from the values before and after, and
 * IPC_RMID of the run's semaphore set or System V segment. Only `you`
 * (engine/hand.c) makes these calls; a role's list cannot hold them. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "../engine/engine_internal.h"
#include "../engine/registry.h"
#include "../model/model.h"
#include "../model/signames.h"
#include "op.h"

int ops_not_a_step(struct runner *r, const struct op *op); /* demo.c */

/* ---- in the engine ----------------------------------------------------- */

/* The hand removed an object: it is no longer ours to remove. */
static void track_rmid(struct engine *e, const struct event *ev)
{
    if (ev->phase != PH_END || ev->result != 0)
        return;
    registry_forget(ev->rmid.what == 0 ? REG_SEM : REG_SHM, ev->rmid.id, NULL);
}

/* ---- in the model ------------------------------------------------------ */

static int clamp_n(int n)
{
    return n < 0 ? 0 : n > 4 ? 4 : n;
}

static void doing_semopn(const struct event *ev, char *buf, size_t len)
{
    size_t off = 0;
    int k = snprintf(buf, len, "semop(");
    off = k > 0 && (size_t)k < len ? (size_t)k : 0;
    for (int i = 0; i < clamp_n(ev->semopn.nsops) && off < len; i++) {
        k = snprintf(buf + off, len - off, "%s%d:%+d", i ? "," : "", ev->semopn.num[i],
                     ev->semopn.op[i]);
        if (k < 0 || (size_t)k >= len - off)
            return;
        off += (size_t)k;
    }
    if (off < len)
        snprintf(buf + off, len - off, ")");
}

/* "sem 0 1 -> 0, sem 1 0 -> 1" */
static void values(const struct ev_semopn *s, char *buf, size_t len)
{
    size_t off = 0;
    buf[0] = '\0';
    for (int i = 0; i < clamp_n(s->nsops); i++) {
        int k = snprintf(buf + off, len - off, "%ssem %d %d -> %d", i ? ", " : "", s->num[i],
                         s->before[i], s->after[i]);
        if (k < 0 || (size_t)k >= len - off)
            return;
        off += (size_t)k;
    }
}

static struct model_line *story_semopn(struct model *m, const struct event *ev, struct op_ctx *cx)
{
    if (ev->phase != PH_END)
        return NULL;
    const struct ev_semopn *s = &ev->semopn;
    struct model_line *l = model_new_line(m, ev->t_ns, cx->pi, LINE_EVENT);
    char v[96];
    values(s, v, sizeof v);
    if (ev->result == 0)
        model_line_say(l, "-> the kernel applied all %d sembufs at once: %s", clamp_n(s->nsops), v);
    else if (ev->err == EAGAIN)
        model_line_say(l,
                       "-> EAGAIN: one sembuf could not pass, so the kernel applied none "
                       "(all or nothing): %s",
                       v);
    else if (ev->err == EINTR)
        model_line_say(l,
                       "-> EINTR: a signal's handler ran; it left the sleep (semncnt of sem "
                       "%d is %d now) and applied none",
                       s->num[0], s->ncnt);
    else
        model_line_say(l, "-> failed: %s", errname(ev->err));
    return l;
}

static void doing_rmid(const struct event *ev, char *buf, size_t len)
{
    snprintf(buf, len, "%s(IPC_RMID)", ev->rmid.what == 0 ? "semctl" : "shmctl");
}

static struct model_line *story_rmid(struct model *m, const struct event *ev, struct op_ctx *cx)
{
    if (ev->phase != PH_END)
        return NULL;
    struct model_line *l = model_new_line(m, ev->t_ns, cx->pi, LINE_EVENT);
    if (ev->result < 0)
        model_line_say(l, "-> failed: %s", errname(ev->err));
    else if (ev->rmid.what == 0)
        model_line_say(l,
                       "-> semaphore set %d removed at once: the %lld process(es) asleep on it "
                       "wake with EIDRM; any later call gets EINVAL",
                       ev->rmid.id, (long long)ev->rmid.left);
    else
        model_line_say(l,
                       "-> shm %d marked for removal (key now IPC_PRIVATE); it goes when the "
                       "last of its %lld attachment(s) detaches",
                       ev->rmid.id, (long long)ev->rmid.left);
    return l;
}

static const struct field payload_semopn[] = {FLD(struct ev_semopn, nsops),
                                              FLD_ARR(struct ev_semopn, num),
                                              FLD_ARR(struct ev_semopn, op),
                                              FLD_ARR(struct ev_semopn, before),
                                              FLD_ARR(struct ev_semopn, after),
                                              FLD(struct ev_semopn, ncnt),
                                              FLD_END};
static const struct field payload_rmid[] = {FLD(struct ev_rmid, what), FLD(struct ev_rmid, id),
                                            FLD(struct ev_rmid, left), FLD_END};

const struct op_entry op_entry_SEMOPN = {.payload = payload_semopn,
                                         .name = "semopn",
                                         .verb = "semop with several sembufs (all or nothing)",
                                         .run = ops_not_a_step,
                                         .doing = doing_semopn,
                                         .story = story_semopn};
const struct op_entry op_entry_RMID = {.payload = payload_rmid,
                                       .name = "rmid",
                                       .verb = "removes an object (IPC_RMID)",
                                       .run = ops_not_a_step,
                                       .track = track_rmid,
                                       .doing = doing_rmid,
                                       .story = story_rmid};
