/* record.c — model_apply(): the one entry by which records change the model,
 * and the front-end records (the run, its objects, story lines from ipcplay,
 * checks, the clock). Samples are applied in sample.c, events in model.c.
 * Pure: no I/O, no syscalls. */
#include <stdio.h>
#include <string.h>

#include "apply.h"
#include "model.h"
#include "record.h"

void record_init(struct record *r, enum record_kind kind, uint64_t t_ns)
{
    memset(r, 0, sizeof *r);
    r->kind = kind;
    r->t_ns = t_ns;
}

const char *record_kind_name(enum record_kind kind)
{
    switch (kind) {
    case REC_NONE: return "none";
    case REC_RUN_START: return "run_start";
    case REC_RUN_STATE: return "run_state";
    case REC_CLOCK: return "clock";
    case REC_PROC_ADD: return "proc_add";
    case REC_SEMSET_ADD: return "semset_add";
    case REC_SHMSEG_ADD: return "shmseg_add";
    case REC_MSGQ_ADD: return "msgq_add";
    case REC_RUNDIR: return "rundir";
    case REC_RUNFILE: return "runfile";
    case REC_SAY: return "say";
    case REC_CHECK: return "check";
    case REC_CS_PLAN: return "cs_plan";
    case REC_RUN_ERROR: return "run_error";
    case REC_EVENT: return "event";
    case REC_SAMPLE_PROC: return "sample_proc";
    case REC_SAMPLE_SELF: return "sample_self";
    case REC_SAMPLE_FDS: return "sample_fds";
    case REC_SAMPLE_SEMSET: return "sample_semset";
    case REC_SAMPLE_SHMSEG: return "sample_shmseg";
    case REC_SAMPLE_MSGQ: return "sample_msgq";
    case REC_SAMPLE_DEADLOCK: return "sample_deadlock";
    case REC_SAMPLE_END: return "sample_end";
    case REC_DETAIL_PROC: return "detail_proc";
    case REC_DETAIL_SHM: return "detail_shm";
    case REC_SYS_BEGIN: return "sys_begin";
    case REC_SYS_OBJ: return "sys_obj";
    case REC_SYS_USE: return "sys_use";
    case REC_SYS_PROC: return "sys_proc";
    case REC_SYS_END: return "sys_end";
    case REC_SYS_LIMITS: return "sys_limits";
    case REC_SYS_FILTER: return "sys_filter";
    case REC_TREE_START: return "tree_start";
    case REC_TREE_BEGIN: return "tree_begin";
    case REC_TREE_PROC: return "tree_proc";
    case REC_TREE_LINK: return "tree_link";
    case REC_TREE_EXIT: return "tree_exit";
    case REC_TREE_END: return "tree_end";
    case REC_TRACE_CALL: return "trace_call";
    case REC__COUNT: break;
    }
    return "?";
}

size_t record_size(enum record_kind kind)
{
    size_t h = offsetof(struct record, u);
    const struct record *r = NULL;
    switch (kind) {
    case REC_NONE:
    case REC_CLOCK:
    case REC__COUNT: return h;
    case REC_RUN_START: return h + sizeof r->u.run;
    case REC_RUN_STATE: return h + sizeof r->u.state;
    case REC_PROC_ADD: return h + sizeof r->u.proc_add;
    case REC_SEMSET_ADD: return h + sizeof r->u.semset_add;
    case REC_SHMSEG_ADD: return h + sizeof r->u.shmseg_add;
    case REC_MSGQ_ADD: return h + sizeof r->u.msgq_add;
    case REC_RUNDIR: return h + sizeof r->u.rundir;
    case REC_RUNFILE: return h + sizeof r->u.runfile;
    case REC_SAY: return h + sizeof r->u.say;
    case REC_CHECK: return h + sizeof r->u.check;
    case REC_CS_PLAN: return h + sizeof r->u.cs_plan;
    case REC_RUN_ERROR: return h + sizeof r->u.error;
    case REC_EVENT: return h + sizeof r->u.ev;
    case REC_SAMPLE_PROC: return h + sizeof r->u.proc;
    case REC_SAMPLE_SELF: return h + sizeof r->u.self;
    case REC_SAMPLE_FDS: return h + sizeof r->u.fds;
    case REC_SAMPLE_SEMSET: return h + sizeof r->u.sem;
    case REC_SAMPLE_SHMSEG: return h + sizeof r->u.shm;
    case REC_SAMPLE_MSGQ: return h + sizeof r->u.msq;
    case REC_SAMPLE_DEADLOCK: return h + sizeof r->u.dl;
    case REC_SAMPLE_END: return h + sizeof r->u.end;
    case REC_DETAIL_PROC: return h + sizeof r->u.detail;
    case REC_DETAIL_SHM: return h + sizeof r->u.mapped;
    case REC_SYS_BEGIN: return h + sizeof r->u.sys_begin;
    case REC_SYS_OBJ: return h + sizeof r->u.sys_obj;
    case REC_SYS_USE: return h + sizeof r->u.sys_use;
    case REC_SYS_PROC: return h + sizeof r->u.sys_proc;
    case REC_SYS_END: return h + sizeof r->u.sys_end;
    case REC_SYS_LIMITS: return h + sizeof r->u.sys_limits;
    case REC_SYS_FILTER: return h + sizeof r->u.sys_filter;
    case REC_TREE_START: return h + sizeof r->u.tree_start;
    case REC_TREE_BEGIN: return h + sizeof r->u.tree_begin;
    case REC_TREE_PROC: return h + sizeof r->u.tree_proc;
    case REC_TREE_LINK: return h + sizeof r->u.tree_link;
    case REC_TREE_EXIT: return h + sizeof r->u.tree_exit;
    case REC_TREE_END: return h + sizeof r->u.tree_end;
    case REC_TRACE_CALL: return h + sizeof r->u.trace_call;
    }
    return h;
}

static void apply_run_start(struct model *m, const struct rec_run_start *r)
{
    model_init(m);
    APPLY_STR(m->scenario, r->scenario);
    APPLY_STR(m->params, r->params);
    m->nroles = r->nroles < 0 ? 0 : r->nroles > MODEL_MAX_ROLES ? MODEL_MAX_ROLES : r->nroles;
    for (int i = 0; i < m->nroles; i++)
        APPLY_STR(m->role_names[i], r->role_names[i]);
    m->live = r->live != 0;
    m->gen_header++;
}

static void apply_run_state(struct model *m, const struct rec_run_state *r)
{
    if (r->state != m->state || r->step_tokens != m->step_tokens || r->speed != m->speed)
        m->gen_header++;
    bool done = r->state == RUN_DONE && m->state != RUN_DONE;
    m->state = r->state;
    m->step_tokens = r->step_tokens;
    m->speed = r->speed;
    if (done && m->nprocs > 0 && m->procs[0].role == -1) {
        /* ipcplay stops supervising */
        m->procs[0].state = 'S';
        snprintf(m->procs[0].doing, sizeof m->procs[0].doing, "done");
        m->gen_procs++;
        m->gen_objects++;
    }
}

static void apply_proc_add(struct model *m, const struct rec_proc_add *r)
{
    char name[sizeof r->name + 1];
    APPLY_STR(name, r->name);
    int i = model_add_proc(m, r->pid, r->ppid, r->role, r->instance, name);
    if (i < 0)
        return;
    struct model_proc *p = &m->procs[i];
    if (r->forked) {
        p->forked = true;
        p->parent0 = r->parent0;
    }
    if (r->state)
        p->state = r->state;
    if (r->doing[0])
        APPLY_STR(p->doing, r->doing);
}

static void apply_semset_add(struct model *m, const struct rec_semset_add *r)
{
    if (m->nsemsets >= MODEL_MAX_SEMSETS)
        return;
    struct model_semset *ms = &m->semsets[m->nsemsets++];
    memset(ms, 0, sizeof *ms);
    ms->index = r->index;
    ms->semid = r->semid;
    ms->nsems = r->nsems < 0 ? 0 : r->nsems > MODEL_MAX_SEMS ? MODEL_MAX_SEMS : r->nsems;
    for (int k = 0; k < ms->nsems; k++)
        ms->val[k] = r->init[k];
    ms->lockmask = r->lockmask;
    for (int k = 0; k < MODEL_MAX_SEMS; k++)
        APPLY_STR(ms->name[k], r->name[k]);
    m->gen_objects++;
}

static void apply_shmseg_add(struct model *m, const struct rec_shmseg_add *r)
{
    if (m->nshmsegs >= MODEL_MAX_SHMSEGS)
        return;
    struct model_shmseg *ms = &m->shmsegs[m->nshmsegs++];
    memset(ms, 0, sizeof *ms);
    ms->index = r->index;
    ms->shmid = r->shmid;
    ms->segsz = r->segsz;
    ms->stats = r->stats != 0;
    ms->kind = r->kind;
    ms->ring_slots = r->ring_slots;
    ms->mode = r->mode;
    APPLY_STR(ms->name, r->name);
    m->gen_objects++;
}

static void apply_msgq_add(struct model *m, const struct rec_msgq_add *r)
{
    if (m->nmsgqs >= MODEL_MAX_MSGQS)
        return;
    struct model_msgq *q = &m->msgqs[m->nmsgqs++];
    memset(q, 0, sizeof *q);
    q->index = r->index;
    q->msqid = r->msqid;
    q->mode = r->mode;
    q->qbytes = (long)r->qbytes;
    m->gen_objects++;
}

static void apply_runfile(struct model *m, const struct rec_runfile *r)
{
    if (r->index < 0 || r->index >= MODEL_MAX_FILES)
        return;
    APPLY_STR(m->files[r->index], r->name);
    if (m->nfiles < r->index + 1)
        m->nfiles = r->index + 1;
}

static void apply_say(struct model *m, uint64_t t, const struct rec_say *r)
{
    int pi = r->pid ? model_find_proc(m, r->pid) : -1;
    struct model_line *l = model_new_line(m, t, pi, r->kind);
    APPLY_STR(l->who, r->who);
    APPLY_STR(l->what, r->what);
    APPLY_STR(l->detail, r->detail);
}

static void apply_check(struct model *m, const struct model_check *c)
{
    char name[sizeof c->name + 1];
    APPLY_STR(name, c->name);
    model_set_check(m, name, c->status, "%.*s", (int)sizeof c->detail, c->detail);
}

void model_judge_dry(struct model *m, model_judge_fn *judge, const long *vals, int phase,
                     struct model_verdict *out)
{
    static struct model_verdict saved;
    _Static_assert(sizeof saved.checks == sizeof m->checks, "a verdict holds every check");
    memcpy(saved.checks, m->checks, sizeof saved.checks);
    saved.nchecks = m->nchecks;
    saved.cs_expected = m->cs.expected;
    saved.cs_nsections = m->cs.nsections;
    uint64_t gen = m->gen_header;
    judge(m, vals, phase);
    memcpy(out->checks, m->checks, sizeof out->checks);
    out->nchecks = m->nchecks;
    out->cs_expected = m->cs.expected;
    out->cs_nsections = m->cs.nsections;
    memcpy(m->checks, saved.checks, sizeof saved.checks);
    m->nchecks = saved.nchecks;
    m->cs.expected = saved.cs_expected;
    m->cs.nsections = saved.cs_nsections;
    m->gen_header = gen;
}

void model_apply(struct model *m, const struct record *r)
{
    switch (r->kind) {
    case REC_NONE:
    case REC__COUNT: break;
    case REC_RUN_START: apply_run_start(m, &r->u.run); break;
    case REC_RUN_STATE: apply_run_state(m, &r->u.state); break;
    case REC_CLOCK: m->now_ns = r->t_ns; break;
    case REC_PROC_ADD: apply_proc_add(m, &r->u.proc_add); break;
    case REC_SEMSET_ADD: apply_semset_add(m, &r->u.semset_add); break;
    case REC_SHMSEG_ADD: apply_shmseg_add(m, &r->u.shmseg_add); break;
    case REC_MSGQ_ADD: apply_msgq_add(m, &r->u.msgq_add); break;
    case REC_RUNDIR: APPLY_STR(m->rundir, r->u.rundir.path); break;
    case REC_RUNFILE: apply_runfile(m, &r->u.runfile); break;
    case REC_SAY: apply_say(m, r->t_ns, &r->u.say); break;
    case REC_CHECK: apply_check(m, &r->u.check); break;
    case REC_RUN_ERROR: {
        char hint[sizeof r->u.error.hint + 1];
        APPLY_STR(hint, r->u.error.hint);
        model_end_in_error(m, hint);
        break;
    }
    case REC_CS_PLAN:
        m->cs.expected = r->u.cs_plan.expected;
        m->cs.nsections = r->u.cs_plan.nsections;
        break;
    case REC_EVENT: model_apply_event(m, &r->u.ev); break;
    case REC_SAMPLE_PROC: apply_sample_proc(m, r->t_ns, &r->u.proc); break;
    case REC_SAMPLE_SELF: apply_sample_self(m, &r->u.self); break;
    case REC_SAMPLE_FDS: apply_sample_fds(m, &r->u.fds); break;
    case REC_SAMPLE_SEMSET: apply_sample_semset(m, &r->u.sem); break;
    case REC_SAMPLE_SHMSEG: apply_sample_shmseg(m, &r->u.shm); break;
    case REC_SAMPLE_MSGQ: apply_sample_msgq(m, &r->u.msq); break;
    case REC_SAMPLE_DEADLOCK: apply_sample_deadlock(m, r->t_ns, &r->u.dl); break;
    case REC_SAMPLE_END:
        m->samples++;
        m->wall_s = r->u.end.wall_s;
        break;
    case REC_DETAIL_PROC: apply_detail_proc(m, &r->u.detail); break;
    case REC_DETAIL_SHM: apply_detail_shm(m, &r->u.mapped); break;
    case REC_SYS_BEGIN: sysipc_begin(&m->sys, &r->u.sys_begin); break;
    case REC_SYS_OBJ: sysipc_obj(&m->sys, r->t_ns, &r->u.sys_obj); break;
    case REC_SYS_USE: sysipc_use(&m->sys, &r->u.sys_use); break;
    case REC_SYS_PROC: sysipc_proc(&m->sys, &r->u.sys_proc); break;
    case REC_SYS_END:
        sysipc_end(&m->sys, &r->u.sys_end);
        m->now_ns = r->t_ns;
        m->wall_s = r->u.sys_end.wall_s;
        m->gen_objects++;
        break;
    case REC_SYS_LIMITS: sysipc_set_limits(&m->sys, &r->u.sys_limits); break;
    case REC_SYS_FILTER: sysipc_set_filter(&m->sys, &r->u.sys_filter); break;
    case REC_TREE_START:
    case REC_TREE_BEGIN:
    case REC_TREE_PROC:
    case REC_TREE_LINK:
    case REC_TREE_EXIT:
    case REC_TREE_END:
    case REC_TRACE_CALL:
        tree_apply(m, r);
        m->now_ns = r->t_ns > m->now_ns ? r->t_ns : m->now_ns;
        m->gen_story++;
        break;
    }
}
