/* model.c — the model's core: processes, the story ring, checks, and
 * applying an event through its op's entry in the op table (each op's apply
 * and story live with the op, src/ops/). Pure: no I/O, no syscalls. Live
 * runs and replays go through the same code. */
#include "model.h"
#include "signames.h"
#include "strbuf.h"
#include "i18n.h"
#include "width.h"

#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>

static bool cs_dead(const struct model_cs *cs, pid_t pid)
{
    for (int i = 0; i < cs->ndead; i++)
        if (cs->dead[i] == pid)
            return true;
    return false;
}

/* Was pid, an insider of a crowd that formed at t, really inside then? A
 * live one was; a dead one only if it did something after t (a holder that
 * died and let the next one in did nothing after its death). */
static bool cs_was_inside(const struct model *m, pid_t pid, uint64_t t)
{
    if (!cs_dead(&m->cs, pid))
        return true;
    int i = model_find_proc(m, pid);
    return i >= 0 && m->procs[i].last_ev_ns > t;
}

void model_cs_judge_max(struct model *m)
{
    struct model_cs *cs = &m->cs;
    int max = cs->ev_max > 0 ? 1 : 0;
    for (int i = 0; i < cs->ncrowds; i++) {
        int alive = 0;
        for (int k = 0; k < cs->crowds[i].n; k++)
            alive += cs_was_inside(m, cs->crowds[i].who[k], cs->crowds[i].t_ns);
        if (alive > max)
            max = alive;
    }
    if (cs->died_inside == 0 && cs->shm_max > max)
        max = cs->shm_max;
    cs->max_occupancy = max;
}

void model_init(struct model *m)
{
    memset(m, 0, sizeof *m);
    m->speed = 1.0;
}

int model_add_proc(struct model *m, pid_t pid, pid_t ppid, int role, int instance, const char *name)
{
    int i = model_find_proc(m, pid);
    if (i >= 0)
        return i;
    if (m->nprocs >= MODEL_MAX_PROCS)
        return -1;
    i = m->nprocs++;
    struct model_proc *p = &m->procs[i];
    memset(p, 0, sizeof *p);
    p->pid = pid;
    p->ppid = ppid;
    p->role = role;
    p->instance = instance;
    p->state = '?';
    p->kernel.nr = -3;
    p->kernel.semid = -1;
    snprintf(p->name, sizeof p->name, "%s", name);
    m->gen_procs++;
    return i;
}

int model_find_proc(const struct model *m, pid_t pid)
{
    for (int i = 0; i < m->nprocs; i++)
        if (m->procs[i].pid == pid)
            return i;
    return -1;
}

const char *model_role_name(const struct model *m, int role)
{
    if (role < 0)
        return "ipcplay";
    if (role < m->nroles)
        return m->role_names[role];
    return "?";
}

const char *model_state_name(int state)
{
    switch (state) {
    case RUN_RUNNING: return "RUNNING";
    case RUN_PAUSED: return "PAUSED";
    case RUN_STEP: return "STEP";
    case RUN_DONE: return "DONE";
    default: return "IDLE";
    }
}

static struct model_line *new_line(struct model *m, uint64_t t, int proc, int kind)
{
    struct model_line *l = &m->story[m->story_count % MODEL_STORY_CAP];
    memset(l, 0, sizeof *l);
    l->t_ns = t;
    l->proc = proc;
    l->kind = kind;
    m->story_count++;
    m->gen_story++;
    return l;
}

void model_say(struct model *m, int kind, const char *who, const char *what, const char *fmt, ...)
{
    struct model_line *l = new_line(m, m->now_ns, -1, kind);
    snprintf(l->who, sizeof l->who, "%s", who ? who : "");
    snprintf(l->what, sizeof l->what, "%s", what ? what : "");
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(l->detail, sizeof l->detail, fmt, ap);
    va_end(ap);
    text_cut_utf8(l->detail);
}

struct model_line *model_new_line(struct model *m, uint64_t t, int proc, int kind)
{
    return new_line(m, t, proc, kind);
}

const struct model_line *model_story_line(const struct model *m, uint64_t i)
{
    if (i >= m->story_count || i < model_story_first(m))
        return NULL;
    return &m->story[i % MODEL_STORY_CAP];
}

uint64_t model_story_first(const struct model *m)
{
    return m->story_count > MODEL_STORY_CAP ? m->story_count - MODEL_STORY_CAP : 0;
}

const char *model_check_word(int status)
{
    switch (status) {
    case CHECK_OK: return N_("ok");
    case CHECK_FAILED: return N_("FAILED");
    case CHECK_BROKEN: return N_("broken on purpose");
    default: return N_("pending");
    }
}

void model_set_check(struct model *m, const char *name, int status, const char *fmt, ...)
{
    struct model_check *c = NULL;
    for (int i = 0; i < m->nchecks; i++)
        if (strcmp(m->checks[i].name, name) == 0)
            c = &m->checks[i];
    if (!c) {
        if (m->nchecks >= MODEL_MAX_CHECKS)
            return;
        c = &m->checks[m->nchecks++];
        snprintf(c->name, sizeof c->name, "%s", name);
    }
    char detail[sizeof c->detail];
    memset(detail, 0, sizeof detail); /* no stale bytes after the text: checks compare whole */
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(detail, sizeof detail, fmt, ap);
    va_end(ap);
    text_cut_utf8(detail);
    if (c->status != status || strcmp(c->detail, detail) != 0)
        m->gen_header++;
    c->status = status;
    memcpy(c->detail, detail, sizeof detail);
}

void model_end_in_error(struct model *m, const char *hint)
{
    size_t n = strlen(m->error);
    if (hint && hint[0] && n < sizeof m->error)
        snprintf(m->error + n, sizeof m->error - n, ": %s", hint);
    if (hint && hint[0])
        model_say(m, LINE_ERROR, "ipcplay", "error", _("%s; ipcplay ends the run"), hint);
    else
        model_say(m, LINE_ERROR, "ipcplay", "error",
                  _("ipcplay ends the run: its processes are killed, its objects removed"));
    m->gen_header++;
}

struct model_semset *model_semset(struct model *m, int index)
{
    for (int i = 0; i < m->nsemsets; i++)
        if (m->semsets[i].index == index)
            return &m->semsets[i];
    return NULL;
}

void model_line_say(struct model_line *l, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(l->detail, sizeof l->detail, fmt, ap);
    va_end(ap);
    text_cut_utf8(l->detail);
}

void model_doing(const struct event *ev, char *buf, size_t len)
{
    const struct op_entry *e = op_entry(ev->op);
    if (e && e->doing)
        e->doing(ev, buf, len);
    else
        snprintf(buf, len, "%s", op_name(ev->op));
}

/* What every event does to the process that sent it: its "doing", its
 * latest sign of life, its count of ops done. */
static void apply_to_proc(struct model *m, const struct event *ev, const struct op_entry *e,
                          struct op_ctx *cx)
{
    struct model_proc *p = cx->p;
    m->gen_procs++;
    if (!e->from_engine && ev->t_ns > p->last_ev_ns)
        p->last_ev_ns = ev->t_ns;
    if (ev->phase == PH_BEGIN) {
        p->op = ev->op;
        p->doing_since = ev->t_ns;
        snprintf(p->doing, sizeof p->doing, "%s", cx->what);
    } else if (ev->phase == PH_END) {
        p->ops_done++;
        p->op = OP_NONE;
    }
}

/* One event through its op's entry: the process's bookkeeping, then what
 * the op changes (apply), then how the story tells it (story). */
void model_apply_event(struct model *m, const struct event *ev)
{
    const struct op_entry *e = op_entry(ev->op);
    m->events++;
    if (ev->phase == PH_BEGIN) {
        m->ops_begun++;
        m->gen_header++;
    }
    if (ev->t_ns > m->now_ns)
        m->now_ns = ev->t_ns;
    if (!e)
        return; /* no op of ours: counted, nothing more */
    struct op_ctx cx;
    memset(&cx, 0, sizeof cx);
    cx.pi = model_find_proc(m, ev->pid);
    if (cx.pi < 0 && e->appear)
        cx.pi = e->appear(m, ev);
    cx.p = cx.pi >= 0 ? &m->procs[cx.pi] : NULL;
    if (cx.p)
        model_proc_label(cx.p, cx.who, sizeof cx.who);
    else
        snprintf(cx.who, sizeof cx.who, "pid %d", (int)ev->pid);
    model_doing(ev, cx.what, sizeof cx.what);
    if (cx.p)
        apply_to_proc(m, ev, e, &cx);
    if (e->apply)
        e->apply(m, ev, &cx);
    struct model_line *l = e->story ? e->story(m, ev, &cx) : NULL;
    if (l) {
        snprintf(l->who, sizeof l->who, "%s", cx.who);
        if (!l->what[0])
            snprintf(l->what, sizeof l->what, "%s", cx.what);
    }
}

void model_describe_kernel(const struct model *m, struct model_kernel *k)
{
    if (k->nr == -2) {
        snprintf(k->text, sizeof k->text, "running");
        return;
    }
    if (k->nr == -1) {
        snprintf(k->text, sizeof k->text, "user space");
        return;
    }
    if (k->nr == -4) {
        snprintf(k->text, sizeof k->text, "(no permission)");
        return;
    }
    if (k->nr < 0) {
        k->text[0] = '\0';
        return;
    }
    if (k->msgcall) {
        model_ipc_describe_kernel(m, k);
        return;
    }
    const char *name = syscall_name(k->nr);
    char nbuf[24];
    if (!name) {
        snprintf(nbuf, sizeof nbuf, "syscall %ld", k->nr);
        name = nbuf;
    }
    if (k->semid >= 0) {
        if (k->nsops < 0) {
            snprintf(k->text, sizeof k->text, "%s(semid %d, ?)", name, k->semid);
            return;
        }
        int idx = -1;
        for (int i = 0; i < m->nsemsets; i++)
            if (m->semsets[i].semid == k->semid)
                idx = i;
        char op[16];
        snprintf(op, sizeof op, k->sem_op > 0 ? "+%d" : "%d", k->sem_op);
        if (m->nsemsets <= 1 && idx >= 0)
            snprintf(k->text, sizeof k->text, "%s(sem %d, %s)", name, k->sem_num, op);
        else
            snprintf(k->text, sizeof k->text, "%s(set %d sem %d, %s)", name, k->semid, k->sem_num,
                     op);
        return;
    }
    snprintf(k->text, sizeof k->text, "%s", name);
}

int model_format_state(const struct model *m, char *buf, size_t len)
{
    size_t off = 0;
    if (len > 0)
        buf[0] = '\0'; /* nothing to say is an empty line, not stale bytes */
#define PUT(...) strbuf_put(buf, len, &off, __VA_ARGS__)
    for (int i = 0; i < m->nsemsets; i++) {
        const struct model_semset *s = &m->semsets[i];
        for (int k = 0; k < s->nsems; k++) {
            if (s->name[k][0])
                PUT("%ssem %d (%s): val %d ncnt %d zcnt %d pid %d", off ? " | " : "", k, s->name[k],
                    s->val[k], s->ncnt[k], s->zcnt[k], (int)s->lastpid[k]);
            else
                PUT("%ssem %d: val %d ncnt %d zcnt %d pid %d", off ? " | " : "", k, s->val[k],
                    s->ncnt[k], s->zcnt[k], (int)s->lastpid[k]);
        }
    }
    if (m->cs.present)
        PUT("%scs: inside %d max %d counter %lld", off ? " | " : "", m->cs.occupancy,
            m->cs.max_occupancy, m->cs.counter);
    off = model_ipc_format_state(m, buf, len, off);
    for (int i = 0; i < m->nprocs; i++) {
        const struct model_proc *p = &m->procs[i];
        if (p->role < 0 || p->exited)
            continue;
        PUT("%s%s[%d] %c %s", off ? " | " : "", p->name, (int)p->pid, p->state,
            p->kernel.text[0] ? p->kernel.text : "-");
        if (off < len)
            off += model_proc_format(m, p, buf + off, len - off);
    }
#undef PUT
    if (off >= len && len > 0)
        off = len - 1;
    return (int)off;
}
