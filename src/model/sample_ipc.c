/* sample_ipc.c — applying samples of the IPC objects (semaphore sets,
 * segments, queues), a deadlock finding, and the extra detail an inspect
 * view asked for. A segment holding struct cs_stats also updates the
 * critical-section bookkeeping. Pure: no I/O, no syscalls. */
#include <stdio.h>
#include <string.h>

#include "apply.h"
#include "model.h"
#include "record.h"
#include "i18n.h"

void apply_sample_semset(struct model *m, const struct sample_semset *s)
{
    if (s->index < 0 || s->index >= m->nsemsets)
        return;
    struct model_semset *ms = &m->semsets[s->index];
    int n = s->nsems < 0 ? 0 : s->nsems > MODEL_MAX_SEMS ? MODEL_MAX_SEMS : s->nsems;
    ms->nsems = n;
    ms->mode = s->mode;
    ms->otime = s->otime;
    ms->ctime = s->ctime;
    ms->perm = s->perm;
    ms->stat_ok = true;
    for (int k = 0; k < n; k++) {
        if (ms->ncnt[k] != s->ncnt[k] || ms->val[k] != s->val[k])
            m->gen_objects++;
        ms->val[k] = s->val[k];
        ms->ncnt[k] = s->ncnt[k];
        ms->zcnt[k] = s->zcnt[k];
        ms->lastpid[k] = s->lastpid[k];
    }
}

/* The stats segment's counters (struct cs_stats) as the sampler read them. */
static void apply_cs_stats(struct model *m, const struct sample_cs *st)
{
    m->cs.present = true;
    m->cs.occupancy = st->occupancy;
    /* After a death inside, the shared count keeps the dead one: only the
     * event count judges then (see model_cs). */
    m->cs.shm_max = st->max_occupancy;
    model_cs_judge_max(m);
    m->cs.entries = st->entries;
    /* the plain read-modify-write counters live per section */
    long long counter = 0;
    for (int k = 0; k < MODEL_MAX_SECTIONS; k++) {
        const struct sample_cs_section *sc = &st->sect[k];
        m->cs.sect_occupancy[k] = sc->occupancy;
        if (m->cs.died_inside == 0 && sc->max_occupancy > m->cs.sect_max[k])
            m->cs.sect_max[k] = sc->max_occupancy;
        m->cs.sect_counter[k] = sc->counter;
        m->cs.sect_entries[k] = sc->entries;
        counter = (long long)((uint64_t)counter + (uint64_t)sc->counter); /* wraps, never UB */
    }
    m->cs.counter = counter;
}

void apply_sample_shmseg(struct model *m, const struct sample_shmseg *s)
{
    if (s->index < 0 || s->index >= m->nshmsegs)
        return;
    struct model_shmseg *g = &m->shmsegs[s->index];
    if (g->nattch != s->nattch || g->lpid != s->lpid)
        m->gen_objects++;
    g->segsz = s->segsz;
    g->mode = s->mode;
    g->nattch = (long)s->nattch;
    g->cpid = s->cpid;
    g->lpid = s->lpid;
    g->atime = s->atime;
    g->dtime = s->dtime;
    g->ctime = s->ctime;
    g->stat_ok = s->stat_ok != 0;
    g->perm = s->perm;
    g->ino = (unsigned long)s->ino;
    if (!s->has_peek)
        return;
    size_t n = s->peek_len < MODEL_SHM_PEEK ? s->peek_len : MODEL_SHM_PEEK;
    if (n != g->peek_len || memcmp(g->peek, s->peek, n) != 0)
        m->gen_objects++;
    memcpy(g->peek, s->peek, n);
    g->peek_len = n;
    if (g->stats && s->has_cs)
        apply_cs_stats(m, &s->cs);
}

void apply_sample_msgq(struct model *m, const struct sample_msgq *s)
{
    if (s->index < 0 || s->index >= m->nmsgqs)
        return;
    struct model_msgq *q = &m->msgqs[s->index];
    if (s->removed) {
        q->removed = true;
        q->npeek = 0;
        m->gen_objects++;
        return;
    }
    if (q->qnum != s->qnum || q->cbytes != s->cbytes || q->lspid != s->lspid ||
        q->lrpid != s->lrpid)
        m->gen_objects++;
    q->mode = s->mode;
    q->qnum = (long)s->qnum;
    q->cbytes = (long)s->cbytes;
    q->qbytes = (long)s->qbytes;
    q->lspid = s->lspid;
    q->lrpid = s->lrpid;
    q->stime = s->stime;
    q->rtime = s->rtime;
    q->ctime = s->ctime;
    q->perm = s->perm;
    q->stat_ok = true;
    int n = s->npeek < 0 ? 0 : s->npeek > MODEL_MSG_PEEK ? MODEL_MSG_PEEK : s->npeek;
    if (s->peek_state != PEEK_COPIED)
        n = 0;
    if (s->peek_state != q->peek_state || n != q->npeek ||
        memcmp(s->peek, q->peek, sizeof s->peek[0] * (size_t)n) != 0)
        m->gen_objects++;
    q->peek_state = s->peek_state;
    memcpy(q->peek, s->peek, sizeof s->peek[0] * (size_t)n);
    q->npeek = n;
}

void apply_sample_deadlock(struct model *m, uint64_t t, const struct sample_deadlock *s)
{
    if (m->deadlock.found && s->n == 0 && !m->deadlock.broken[0]) {
        APPLY_STR(m->deadlock.broken, s->text);
        m->gen_header++;
        m->gen_objects++;
        model_say(m, LINE_EVENT, "ipcplay", "deadlock", _("the cycle is broken: %s"),
                  m->deadlock.broken);
        return;
    }
    if (m->deadlock.found || s->n == 0)
        return;
    m->now_ns = t;
    m->deadlock.found = true;
    m->deadlock.t_ns = t;
    APPLY_STR(m->deadlock.text, s->text);
    m->gen_header++;
    m->gen_objects++;
    model_say(m, LINE_EVENT, "ipcplay", "deadlock", _("deadlock: %s"), m->deadlock.text);
    model_say(m, LINE_EVENT, "ipcplay", "deadlock",
              _("each of the %d waits in semtimedop for a semaphore (semval 0) that the next "
                "one holds: no one can ever V"),
              s->n);
}

void apply_detail_proc(struct model *m, const struct model_proc_detail *d)
{
    memcpy(&m->detail, d, sizeof *d);
    struct model_proc_detail *x = &m->detail;
    x->wchan[sizeof x->wchan - 1] = x->syscall[sizeof x->syscall - 1] = '\0';
    x->status[sizeof x->status - 1] = '\0';
    if (x->nfds < 0 || x->nfds > MODEL_DETAIL_FDS)
        x->nfds = x->nfds < 0 ? 0 : MODEL_DETAIL_FDS;
    for (int i = 0; i < MODEL_DETAIL_FDS; i++)
        x->fds[i].target[sizeof x->fds[i].target - 1] = '\0';
    if (x->nattach < 0 || x->nattach > MODEL_DETAIL_ATTACH)
        x->nattach = x->nattach < 0 ? 0 : MODEL_DETAIL_ATTACH;
    for (int i = 0; i < MODEL_DETAIL_ATTACH; i++)
        x->attach[i].perms[sizeof x->attach[i].perms - 1] = '\0';
}

void apply_detail_shm(struct model *m, const struct detail_shm *d)
{
    if (d->index < 0 || d->index >= m->nshmsegs)
        return;
    struct model_shmseg *g = &m->shmsegs[d->index];
    g->nmappers = d->n < 0 ? 0 : d->n > MODEL_MAX_MAPPERS ? MODEL_MAX_MAPPERS : d->n;
    memcpy(g->mappers, d->pids, sizeof g->mappers[0] * (size_t)g->nmappers);
    g->mappers_known = true;
}
