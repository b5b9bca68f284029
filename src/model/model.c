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

static unsigned pid_hash(pid_t pid)
{
    return ((unsigned)pid * 2654435761u) >> 22; /* 10 bits: MODEL_PID_SLOTS */
}

int model_add_proc(struct model *m, pid_t pid, pid_t ppid, int role, int instance, const char *name)
{
    int i = model_find_proc(m, pid);
    if (i >= 0)
        return i;
    if (m->nprocs >= MODEL_MAX_PROCS)
        return -1;
    i = m->nprocs++;
    unsigned h = pid_hash(pid);
    while (m->pid_slot[h])
        h = (h + 1) % MODEL_PID_SLOTS;
    m->pid_slot[h] = (int16_t)(i + 1);
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

/* The first process added with pid (pids are not reused within a run, but
 * a model applies what it is told). */
int model_find_proc(const struct model *m, pid_t pid)
{
    _Static_assert(MODEL_PID_SLOTS == 1024, "pid_hash gives 10 bits");
    for (unsigned h = pid_hash(pid), n = 0; n < MODEL_PID_SLOTS;
         h = (h + 1) % MODEL_PID_SLOTS, n++) {
        int s = m->pid_slot[h];
        if (s == 0)
            return -1;
        if (m->procs[s - 1].pid == pid)
            return s - 1;
    }
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
    if (m->story_count >= MODEL_STORY_CAP)
        m->story_evicted = *l;
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

/* A story line is put into words only when read (model.h): the format's
 * conversions are walked once when it is said, each argument taken from
 * the va_list by its type and kept (strings copied into the line), and
 * written out conversion by conversion when the line is first read. A
 * format this does not know (%n, long double, too many arguments, strings
 * that do not fit) is written out at once, as before. */

struct conv {
    const char *start, *end; /* "%-5.*lld" */
    char type;               /* 'i' signed, 'u' unsigned, 'd' double, 's', 'p', '%' */
    char len;                /* 'H' hh, 'h', 'l', 'L' ll, 'z', 'j', 't', 0 */
    int stars;               /* '*' in width and precision: ints taken first */
};

/* The next conversion at or after *f, or false at the end (or one it does
 * not know: then c->type is 0). */
static bool next_conv(const char **f, struct conv *c)
{
    const char *s = strchr(*f, '%');
    if (!s)
        return false;
    memset(c, 0, sizeof *c);
    c->start = s++;
    while (*s && strchr("-+ #0'", *s))
        s++;
    for (int part = 0; part < 2; part++) {
        if (*s == '*') {
            c->stars++;
            s++;
        } else {
            while (*s >= '0' && *s <= '9')
                s++;
        }
        if (part == 0 && *s == '.')
            s++;
        else
            break;
    }
    if (s[0] == 'h' && s[1] == 'h')
        c->len = 'H', s += 2;
    else if (s[0] == 'l' && s[1] == 'l')
        c->len = 'L', s += 2;
    else if (*s && strchr("hlzjt", *s))
        c->len = *s++;
    switch (*s) {
    case 'd':
    case 'i': c->type = 'i'; break;
    case 'u':
    case 'x':
    case 'X':
    case 'o': c->type = 'u'; break;
    case 'c': c->type = 'i'; break;
    case 'f':
    case 'F':
    case 'e':
    case 'E':
    case 'g':
    case 'G':
    case 'a':
    case 'A': c->type = c->len ? 0 : 'd'; break;
    case 's': c->type = c->len ? 0 : 's'; break;
    case 'p': c->type = 'p'; break;
    case '%': c->type = '%'; break;
    default: c->type = 0; break;
    }
    c->end = *s ? s + 1 : s;
    *f = c->end;
    return true;
}

static long long take_signed(va_list *ap, char len)
{
    switch (len) {
    case 'l': return va_arg(*ap, long);
    case 'L': return va_arg(*ap, long long);
    case 'z': return va_arg(*ap, ssize_t);
    case 'j': return va_arg(*ap, intmax_t);
    case 't': return va_arg(*ap, ptrdiff_t);
    default: return va_arg(*ap, int);
    }
}

static unsigned long long take_unsigned(va_list *ap, char len)
{
    switch (len) {
    case 'l': return va_arg(*ap, unsigned long);
    case 'L': return va_arg(*ap, unsigned long long);
    case 'z': return va_arg(*ap, size_t);
    case 'j': return va_arg(*ap, uintmax_t);
    case 't': return (unsigned long long)va_arg(*ap, ptrdiff_t);
    default: return va_arg(*ap, unsigned);
    }
}

/* Keep fmt and its arguments in l; false when it cannot (l unchanged).
 * fmt is kept as a pointer: a literal, or a translation _() returned, which
 * points into a gettext catalogue. glibc never unloads a catalogue it has
 * loaded (switching with `lang` calls textdomain() and sets LANGUAGE; both
 * only load more), so the pointer stays good for the life of the process,
 * and a line written out after a switch keeps the language it was said in. */
static bool line_capture(struct model_line *l, const char *fmt, va_list ap0)
{
    union model_line_arg arg[MODEL_LINE_ARGS];
    char strs[sizeof l->lazy.strs];
    size_t nstr = 0;
    int n = 0;
    va_list ap;
    va_copy(ap, ap0);
    const char *f = fmt;
    struct conv c;
    bool ok = true;
    while (ok && next_conv(&f, &c)) {
        if (c.type == '%')
            continue;
        if (!c.type || n + c.stars + 1 > MODEL_LINE_ARGS) {
            ok = false;
            break;
        }
        for (int k = 0; k < c.stars; k++)
            arg[n++].i = va_arg(ap, int);
        switch (c.type) {
        case 'i': arg[n++].i = take_signed(&ap, c.len); break;
        case 'u': arg[n++].u = take_unsigned(&ap, c.len); break;
        case 'd': arg[n++].d = va_arg(ap, double); break;
        case 'p': arg[n++].p = va_arg(ap, const void *); break;
        case 's': {
            const char *str = va_arg(ap, const char *);
            if (!str)
                str = "(null)";
            size_t len = strlen(str) + 1;
            if (len > sizeof strs - nstr) {
                ok = false;
                break;
            }
            memcpy(strs + nstr, str, len);
            arg[n++].str = (uint32_t)nstr;
            nstr += len;
            break;
        }
        }
    }
    va_end(ap);
    if (!ok)
        return false;
    memcpy(l->lazy.arg, arg, (size_t)n * sizeof arg[0]);
    memcpy(l->lazy.strs, strs, nstr);
    l->fmt = fmt;
    return true;
}

/* Write out what l kept (its format's conversions one by one). */
static void line_render(struct model_line *l)
{
    char out[sizeof l->detail];
    size_t o = 0;
    memset(out, 0, sizeof out); /* a line written out is the same bytes in every model */
    const char *f = l->fmt, *lit = f;
    int n = 0;
    struct conv c;
    out[0] = '\0';
    while (next_conv(&f, &c)) {
        strbuf_put(out, sizeof out, &o, "%.*s", (int)(c.start - lit), lit);
        lit = c.end;
        if (c.type == '%') {
            strbuf_put(out, sizeof out, &o, "%%");
            continue;
        }
        /* The conversion with its length modifier made ll (the value was
         * widened when kept) and its stars written as numbers. */
        char spec[48];
        size_t so = 0;
        const char *s = c.start;
        spec[0] = '\0';
        while (s < c.end - 1 && so < sizeof spec - 24) {
            if (*s == '*')
                so += (size_t)snprintf(spec + so, sizeof spec - so, "%d", (int)l->lazy.arg[n++].i);
            else if (!strchr("hlzjt", *s))
                spec[so++] = *s;
            s++;
        }
        if (c.type == 'i' || c.type == 'u') {
            if (c.end[-1] != 'c')
                spec[so++] = 'l', spec[so++] = 'l';
        }
        spec[so++] = c.end[-1];
        spec[so] = '\0';
        union model_line_arg a = l->lazy.arg[n++];
        switch (c.type) {
        case 'i':
            if (c.end[-1] == 'c')
                strbuf_put(out, sizeof out, &o, spec, (int)a.i);
            else
                strbuf_put(out, sizeof out, &o, spec, a.i);
            break;
        case 'u': strbuf_put(out, sizeof out, &o, spec, a.u); break;
        case 'd': strbuf_put(out, sizeof out, &o, spec, a.d); break;
        case 'p': strbuf_put(out, sizeof out, &o, spec, a.p); break;
        case 's': strbuf_put(out, sizeof out, &o, spec, l->lazy.strs + a.str); break;
        }
    }
    strbuf_put(out, sizeof out, &o, "%s", lit);
    l->fmt = NULL;
    text_cut_utf8(out); /* a cut never ends inside a UTF-8 character */
    memcpy(l->detail, out, sizeof out);
}

/* Lines and doings are written out when read: the model is logically
 * unchanged by it, hence the casts from const. */
static void line_write_out(struct model_line *l)
{
    if (l->fmt)
        line_render(l);
    if (l->what_lazy) {
        model_doing(&l->what_ev, l->what, sizeof l->what);
        l->what_lazy = false;
    }
}

const struct model_line *model_story_line(const struct model *m, uint64_t i)
{
    if (i >= m->story_count || i < model_story_first(m))
        return NULL;
    struct model_line *l = (struct model_line *)&m->story[i % MODEL_STORY_CAP];
    line_write_out(l);
    return l;
}

/* doing_lazy stays set once written out (doing is no longer ""), so a model
 * that was read and one that was not differ only in doing's text. */
const char *model_story_what(const struct model *m, uint64_t i)
{
    if (i >= m->story_count || i < model_story_first(m))
        return NULL;
    struct model_line *l = (struct model_line *)&m->story[i % MODEL_STORY_CAP];
    if (l->what_lazy) {
        model_doing(&l->what_ev, l->what, sizeof l->what);
        l->what_lazy = false;
    }
    return l->what;
}

const char *model_proc_doing(const struct model_proc *p)
{
    if (p->doing_lazy && !p->doing[0]) {
        struct model_proc *w = (struct model_proc *)p;
        model_doing(&p->doing_ev, w->doing, sizeof w->doing);
    }
    return p->doing;
}

void model_write_out(struct model *m)
{
    for (uint64_t i = model_story_first(m); i < m->story_count; i++)
        line_write_out(&m->story[i % MODEL_STORY_CAP]);
    for (int i = 0; i < m->nprocs; i++)
        model_proc_doing(&m->procs[i]);
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
    if (hint && strncmp(hint, "interrupted: ", 13) == 0) {
        /* an object taken away from outside: what failed after is its consequence */
        m->interrupted = true;
        snprintf(m->error, sizeof m->error, "%s", hint);
        model_say(m, LINE_ERROR, "ipcplay", "error", "%s; ipcplay ends the run", hint);
        m->gen_header++;
        return;
    }
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
    l->fmt = NULL;
    if (!line_capture(l, fmt, ap)) {
        vsnprintf(l->detail, sizeof l->detail, fmt, ap);
        text_cut_utf8(l->detail);
    } /* else: detail holds the kept arguments; cut when written out */
    va_end(ap);
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
        p->doing[0] = '\0'; /* written out when read: model_proc_doing() */
        p->doing_lazy = true;
        p->doing_ev = *ev;
    } else if (ev->phase == PH_END) {
        p->ops_done++;
        p->op = OP_NONE;
    }
}

/* Do two lines say the same words? The cheap refusals come first (kind,
 * who, the format and the op a lazy line keeps): lines are written out only
 * when those agree, so folding costs nothing on a run that does not repeat. */
static bool same_words(struct model_line *a, struct model_line *b)
{
    if (a->kind != b->kind || strcmp(a->who, b->who) != 0)
        return false;
    if (a->fmt && b->fmt && a->fmt != b->fmt)
        return false;
    if (a->what_lazy && b->what_lazy && a->what_ev.op != b->what_ev.op)
        return false;
    line_write_out(a);
    line_write_out(b);
    return strcmp(a->what, b->what) == 0 && strcmp(a->detail, b->detail) == 0;
}

/* A process tells the same line again (same words, a retry's EAGAIN, a
 * poll's 0): the earlier line counts it instead ("x12"), so a retry loop
 * does not flood the story. Only an event's single line folds, into the
 * process's own previous event line; a different line ends the series
 * (closes1). Pure: the same records fold the same way live and replayed. */
static void collapse_repeat(struct model *m, struct model_proc *p, uint64_t before)
{
    uint64_t last = m->story_count - 1;
    struct model_line *l = &m->story[last % MODEL_STORY_CAP];
    uint64_t pi = p->last_line1 - 1;
    struct model_line *prev = p->last_line1 && pi >= model_story_first(m) && pi < last
                                  ? &m->story[pi % MODEL_STORY_CAP]
                                  : NULL;
    if (last == before && prev && same_words(prev, l)) {
        struct model_line *pl = &m->story[(p->last_line1 - 1) % MODEL_STORY_CAP];
        pl->more++;
        pl->t_last_ns = l->t_ns;
        /* Take the new line back, and the one it pushed out of the ring. */
        if (m->story_count > MODEL_STORY_CAP)
            *l = m->story_evicted;
        else
            memset(l, 0, sizeof *l);
        m->story_count--;
        return;
    }
    if (prev && prev->more > 0)
        m->story[before % MODEL_STORY_CAP].closes1 = p->last_line1;
    p->last_line1 = last + 1;
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
    if (cx.p)
        apply_to_proc(m, ev, e, &cx);
    if (e->apply)
        e->apply(m, ev, &cx);
    uint64_t before = m->story_count;
    struct model_line *l = e->story ? e->story(m, ev, &cx) : NULL;
    if (l) {
        memcpy(l->who, cx.who, sizeof l->who);
        if (!l->what[0]) { /* the op's name, written out when read */
            l->what_lazy = true;
            l->what_ev = *ev;
        }
    }
    if (cx.p && m->story_count > before)
        collapse_repeat(m, cx.p, before);
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
