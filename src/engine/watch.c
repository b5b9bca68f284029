/* watch.c — see watch.h. */
#include "watch.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/msg.h>
#include <sys/sem.h>
#include <sys/shm.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include "engine_internal.h"
#include "registry.h"
#include "syswatch.h"
#include "tree.h"
#include "sysv.h"
#include "../model/i18n.h"

struct engine_sys {
    struct syswatch *w;
    int timerfd; /* -1 until watching */
    int period_ms;
};

static struct engine_sys *sys_get(struct engine *e)
{
    if (e->sys)
        return e->sys;
    struct engine_sys *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    s->timerfd = -1;
    s->w = syswatch_new(NULL, NULL, NULL);
    if (!s->w) {
        free(s);
        return NULL;
    }
    e->sys = s;
    return s;
}

void engine_sys_free(struct engine *e)
{
    struct engine_sys *s = e->sys;
    if (!s)
        return;
    if (s->timerfd >= 0)
        close(s->timerfd);
    syswatch_free(s->w);
    free(s);
    e->sys = NULL;
}

static void emit_cb(void *ctx, const struct record *r)
{
    engine_emit(ctx, r);
}

bool engine_sys_ours(const struct engine *e, int kind, int id)
{
    if (!e->active || id < 0)
        return false;
    for (int i = 0; i < e->plan.nsemsets && kind == SYS_SEM; i++)
        if (e->semids[i] == id)
            return true;
    for (int i = 0; i < e->plan.nshmsegs && kind == SYS_SHM; i++)
        if (e->shmids[i] == id)
            return true;
    for (int i = 0; i < e->plan.nmsgqs && kind == SYS_MSG; i++)
        if (e->ipc.msqids[i] == id)
            return true;
    return false;
}

void engine_sys_sample(struct engine *e)
{
    struct engine_sys *s = sys_get(e);
    if (!s)
        return;
    int n = 0;
    int ids[PLAN_MAX_SEMSETS + PLAN_MAX_SHMSEGS + PLAN_MAX_MSGQS];
    for (int i = 0; e->active && i < e->plan.nsemsets; i++)
        ids[n++] = e->semids[i];
    syswatch_set_ours(s->w, SYS_SEM, ids, e->active ? n : 0);
    n = 0;
    for (int i = 0; e->active && i < e->plan.nshmsegs; i++)
        if (e->shmids[i] >= 0)
            ids[n++] = e->shmids[i];
    syswatch_set_ours(s->w, SYS_SHM, ids, n);
    n = 0;
    for (int i = 0; e->active && i < e->plan.nmsgqs; i++)
        ids[n++] = e->ipc.msqids[i];
    syswatch_set_ours(s->w, SYS_MSG, ids, n);
    syswatch_sample(s->w, engine_now(e), emit_cb, e);
    engine_tree_sample(e); /* a watched tree: after the objects it narrows to */
}

void engine_sys_limits(struct engine *e)
{
    struct engine_sys *s = sys_get(e);
    struct record r;
    record_init(&r, REC_SYS_LIMITS, engine_now(e));
    if (s && syswatch_limits(s->w, &r.u.sys_limits) == 0)
        engine_emit(e, &r);
}

void engine_sys_filter(struct engine *e, const struct sysipc_filter *f)
{
    struct record r;
    record_init(&r, REC_SYS_FILTER, engine_now(e));
    r.u.sys_filter = *f;
    engine_emit(e, &r);
}

bool engine_sys_watching(const struct engine *e)
{
    return e->sys && e->sys->timerfd >= 0;
}

static void start_session(struct engine *e, const struct sysipc_filter *f)
{
    e->t0_ns = events_now_ns();
    struct record r;
    record_init(&r, REC_RUN_START, 0);
    snprintf(r.u.run.scenario, sizeof r.u.run.scenario, "watch");
    snprintf(r.u.run.params, sizeof r.u.run.params, "%s%s%s sort=%s", f->user[0] ? "user=" : "",
             f->user, f->user[0] ? "" : "all users", sysipc_sort_name(f->sort));
    if (f->has_key) {
        size_t off = strlen(r.u.run.params);
        snprintf(r.u.run.params + off, sizeof r.u.run.params - off, " key=0x%08x", f->key);
    }
    r.u.run.live = 1;
    engine_emit(e, &r);
}

int engine_watch_system(struct engine *e, int period_ms, const struct sysipc_filter *f, char *err,
                        size_t errlen)
{
    if (period_ms < 100 || period_ms > 60000) {
        snprintf(err, errlen, _("a watch samples every 100 ms to 60 s"));
        return -1;
    }
    struct engine_sys *s = sys_get(e);
    if (!s) {
        snprintf(err, errlen, _("cannot look at /proc: %s"), strerror(errno));
        return -1;
    }
    if (s->timerfd < 0)
        s->timerfd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
    if (s->timerfd < 0) {
        snprintf(err, errlen, _("timerfd: %s"), strerror(errno));
        return -1;
    }
    if (!e->active && !e->m->scenario[0])
        start_session(e, f); /* a run's results, if any, stay in the model */
    engine_sys_filter(e, f);
    engine_sys_limits(e);
    engine_sys_sample(e);
    s->period_ms = period_ms;
    struct itimerspec its = {{period_ms / 1000, (long)(period_ms % 1000) * 1000000L},
                             {period_ms / 1000, (long)(period_ms % 1000) * 1000000L}};
    timerfd_settime(s->timerfd, 0, &its, NULL);
    return 0;
}

int engine_sys_pollfd(const struct engine *e)
{
    return e->sys ? e->sys->timerfd : -1;
}

int engine_sys_tick(struct engine *e)
{
    uint64_t ticks;
    if (!e->sys || read(e->sys->timerfd, &ticks, sizeof ticks) <= 0)
        return 0;
    engine_sys_sample(e);
    return ENGINE_SAMPLE | ENGINE_CHANGED;
}

static const int reg_kind[] = {[SYS_SEM] = REG_SEM, [SYS_MSG] = REG_MSG, [SYS_SHM] = REG_SHM};

/* Still the object the person was shown? The id alone could be a new one. */
static int still_same(const struct sys_obj *o, char *err, size_t errlen)
{
    struct sysv_stat st;
    if (sysv_stat(reg_kind[o->kind], o->id, &st) < 0) {
        snprintf(err, errlen, "%s %d: %s", sysipc_kind_name(o->kind), o->id,
                 errno == EINVAL || errno == EIDRM ? "it is gone already" : strerror(errno));
        return -1;
    }
    if ((uint32_t)st.key != o->key || st.cuid != o->cuid) {
        snprintf(err, errlen,
                 _("%s %d is not the object that was shown (key or creator changed): nothing "
                   "removed"),
                 sysipc_kind_name(o->kind), o->id);
        return -1;
    }
    return 0;
}

int engine_sys_remove(struct engine *e, const struct sys_obj *o, char *err, size_t errlen)
{
    if (o->kind < SYS_SEM || o->kind > SYS_SHM) {
        snprintf(err, errlen, _("only System V objects are removed by id"));
        return -1;
    }
    if (still_same(o, err, errlen) < 0)
        return -1;
    int rc = o->kind == SYS_SEM   ? semctl(o->id, 0, IPC_RMID)
             : o->kind == SYS_MSG ? msgctl(o->id, IPC_RMID, NULL)
                                  : shmctl(o->id, IPC_RMID, NULL);
    if (rc < 0) {
        snprintf(err, errlen, _("cannot remove %s %d: %s"), sysipc_kind_name(o->kind), o->id,
                 strerror(errno));
        return -1;
    }
    if (engine_sys_ours(e, o->kind, o->id))
        registry_forget(reg_kind[o->kind], o->id, NULL);
    engine_sys_sample(e);
    return 0;
}
