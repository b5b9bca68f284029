/* headless.c — see headless.h. Output is flushed line by line so it can be
 * piped; JSON lines are built with json-c. */
#include "headless.h"

#include <errno.h>
#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>

#include "../engine/events.h"
#include "../model/signames.h"
#include "loop.h"
#include "../model/i18n.h"
#include "../model/width.h"

struct hl {
    FILE *out;
    bool json;
    const struct model *m;
    struct engine *e; /* NULL in a replay */
    struct rec_trailer *ending;
    int64_t elapsed_ns;             /* a replay: the recorded elapsed time (-1 live) */
    uint64_t start_ns, deadline_ns; /* deadline: --for, or 0 */
    int rc;                         /* the exit status, once the loop ends */
    uint64_t next_line;
    /* A state line names every process: 256 workers need far more than a
     * line usually takes. Both the same size (HL_STATE). */
    char *state, *last_state;
    int werr; /* errno of the first write that failed, 0 while all went out */
};

#define HL_STATE 65536

/* Seconds with millisecond precision, written as "1.234" (not 1.2339999). */
static json_object *jtime(uint64_t ns)
{
    char buf[32];
    snprintf(buf, sizeof buf, "%.3f", (double)ns / 1e9);
    return json_object_new_double_s((double)ns / 1e9, buf);
}

/* Each line goes out at once (so it can be piped), and the first failure
 * is remembered with its errno: by the time the loop sees ferror(), errno
 * says something else. */
static void hl_flush(struct hl *h)
{
    if (fflush(h->out) == EOF && !h->werr)
        h->werr = errno ? errno : EIO;
}

static void emit_json(struct hl *h, json_object *o)
{
    fprintf(h->out, "%s\n", json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
    hl_flush(h);
    json_object_put(o);
}

/* One story line; a series of repeats (l->more > 0) goes out as one line
 * with its count, at its last time, once it has ended. */
static void print_line(struct hl *h, const struct model_line *l, bool series)
{
    const struct model *m = h->m;
    uint64_t t = series ? l->t_last_ns : l->t_ns;
    char detail[sizeof l->detail + 48];
    if (series)
        snprintf(detail, sizeof detail, _("%s \u00d7%u since %.3f"), l->detail,
                 (unsigned)l->more + 1, (double)l->t_ns / 1e9);
    else
        snprintf(detail, sizeof detail, "%s", l->detail);
    if (h->json) {
        json_object *o = json_object_new_object();
        json_object_object_add(o, "type",
                               json_object_new_string(l->kind == LINE_ERROR  ? "error"
                                                      : l->kind == LINE_NOTE ? "note"
                                                                             : "event"));
        json_object_object_add(o, "t", jtime(t));
        json_object_object_add(o, "who", json_object_new_string(l->who));
        if (l->proc >= 0 && l->proc < m->nprocs)
            json_object_object_add(o, "pid", json_object_new_int(m->procs[l->proc].pid));
        json_object_object_add(o, "what", json_object_new_string(l->what));
        json_object_object_add(o, "detail", json_object_new_string(l->detail));
        if (series) {
            json_object_object_add(o, "times", json_object_new_int64((int64_t)l->more + 1));
            json_object_object_add(o, "first", jtime(l->t_ns));
        }
        emit_json(h, o);
    } else {
        char who[64], what[64];
        fprintf(h->out, "%7.3f  %s %s %s\n", (double)t / 1e9, text_pad(who, sizeof who, l->who, 16),
                text_pad(what, sizeof what, l->what, 12), detail);
        hl_flush(h);
    }
}

/* The first line of a series is told at once; when the process moves on
 * (its next line closes the series) the repeats are told as one line. */
static void print_lines(struct hl *h)
{
    const struct model *m = h->m;
    uint64_t first = model_story_first(m);
    if (h->next_line < first)
        h->next_line = first;
    for (; h->next_line < m->story_count; h->next_line++) {
        const struct model_line *l = model_story_line(m, h->next_line);
        if (!l)
            continue;
        const struct model_line *done = l->closes1 ? model_story_line(m, l->closes1 - 1) : NULL;
        if (done && done->more > 0)
            print_line(h, done, true);
        print_line(h, l, false);
    }
}

/* At the end: every series still open, in the processes' order. */
static void print_open_series(struct hl *h)
{
    const struct model *m = h->m;
    for (int i = 0; i < m->nprocs; i++) {
        const struct model_proc *p = &m->procs[i];
        const struct model_line *l = p->last_line1 ? model_story_line(m, p->last_line1 - 1) : NULL;
        if (l && l->more > 0)
            print_line(h, l, true);
    }
}

/* The run's processes still alive, with their fd tables when read. */
static json_object *json_procs(const struct model *m)
{
    json_object *procs = json_object_new_array();
    for (int i = 0; i < m->nprocs; i++) {
        const struct model_proc *p = &m->procs[i];
        if (p->role < 0 || p->exited)
            continue;
        json_object *po = json_object_new_object();
        json_object_object_add(po, "name", json_object_new_string(p->name));
        json_object_object_add(po, "pid", json_object_new_int(p->pid));
        char st[2] = {p->state, 0};
        json_object_object_add(po, "state", json_object_new_string(st));
        json_object_object_add(po, "kernel", json_object_new_string(p->kernel.text));
        json_object_object_add(po, "doing", json_object_new_string(model_proc_doing(p)));
        json_object_object_add(po, "ppid", json_object_new_int(p->ppid));
        if (p->comm[0])
            json_object_object_add(po, "comm", json_object_new_string(p->comm));
        if (p->exe[0])
            json_object_object_add(po, "exe", json_object_new_string(p->exe));
        const struct model_fdtable *ft = model_fdtable_find(m, p->pid);
        if (ft) {
            json_object *fds = json_object_new_array();
            for (int k = 0; k < ft->nfds && k < MODEL_MAX_FDS; k++) {
                const struct model_fd *f = &ft->fds[k];
                json_object *fo = json_object_new_object();
                json_object_object_add(fo, "fd", json_object_new_int(f->fd));
                json_object_object_add(fo, "target", json_object_new_string(f->target));
                json_object_object_add(fo, "ino", json_object_new_int64((int64_t)f->ino));
                json_object_object_add(fo, "pos", json_object_new_int64(f->pos));
                char flags[16];
                snprintf(flags, sizeof flags, "0%o", f->flags);
                json_object_object_add(fo, "flags", json_object_new_string(flags));
                if (f->scm_fds >= 0)
                    json_object_object_add(fo, "scm_fds", json_object_new_int(f->scm_fds));
                json_object_array_add(fds, fo);
            }
            json_object_object_add(po, "fds", fds);
        }
        json_object_array_add(procs, po);
    }
    return procs;
}

static void print_state(struct hl *h)
{
    const struct model *m = h->m;
    char *buf = h->state;
    int n = model_format_state(m, buf, HL_STATE);
    if (n >= HL_STATE - 1) /* cut short: say so rather than drop the rest silently */
        snprintf(buf + HL_STATE - 8, 8, " | ...");
    if (strcmp(buf, h->last_state) == 0)
        return;
    memcpy(h->last_state, buf, HL_STATE);
    if (!h->json) {
        fprintf(h->out, _("%7.3f  state  %s\n"), (double)m->now_ns / 1e9, buf);
        hl_flush(h);
        return;
    }
    json_object *o = json_object_new_object();
    json_object_object_add(o, "type", json_object_new_string("state"));
    json_object_object_add(o, "t", jtime(m->now_ns));
    json_object *sets = json_object_new_array();
    for (int i = 0; i < m->nsemsets; i++) {
        const struct model_semset *s = &m->semsets[i];
        json_object *so = json_object_new_object();
        json_object_object_add(so, "semid", json_object_new_int(s->semid));
        json_object *sems = json_object_new_array();
        for (int k = 0; k < s->nsems; k++) {
            json_object *e = json_object_new_object();
            json_object_object_add(e, "num", json_object_new_int(k));
            json_object_object_add(e, "semval", json_object_new_int(s->val[k]));
            json_object_object_add(e, "semncnt", json_object_new_int(s->ncnt[k]));
            json_object_object_add(e, "semzcnt", json_object_new_int(s->zcnt[k]));
            json_object_object_add(e, "sempid", json_object_new_int(s->lastpid[k]));
            json_object_array_add(sems, e);
        }
        json_object_object_add(so, "sems", sems);
        json_object_array_add(sets, so);
    }
    json_object_object_add(o, "semsets", sets);
    if (m->cs.present) {
        json_object *cs = json_object_new_object();
        json_object_object_add(cs, "occupancy", json_object_new_int(m->cs.occupancy));
        json_object_object_add(cs, "max_occupancy", json_object_new_int(m->cs.max_occupancy));
        json_object_object_add(cs, "counter", json_object_new_int64(m->cs.counter));
        json_object_object_add(cs, "entries", json_object_new_int64(m->cs.entries));
        json_object_object_add(o, "cs", cs);
    }
    if (m->nmsgqs > 0) {
        json_object *qs = json_object_new_array();
        for (int i = 0; i < m->nmsgqs; i++) {
            const struct model_msgq *q = &m->msgqs[i];
            json_object *qo = json_object_new_object();
            json_object_object_add(qo, "msqid", json_object_new_int(q->msqid));
            json_object_object_add(qo, "removed", json_object_new_boolean(q->removed));
            json_object_object_add(qo, "qnum", json_object_new_int64(q->qnum));
            json_object_object_add(qo, "cbytes", json_object_new_int64(q->cbytes));
            json_object_object_add(qo, "qbytes", json_object_new_int64(q->qbytes));
            json_object_object_add(qo, "lspid", json_object_new_int(q->lspid));
            json_object_object_add(qo, "lrpid", json_object_new_int(q->lrpid));
            json_object_object_add(qo, "stime", json_object_new_int64(q->stime));
            json_object_object_add(qo, "rtime", json_object_new_int64(q->rtime));
            json_object *types = json_object_new_array();
            for (int k = 0; k < q->npeek; k++)
                json_object_array_add(types, json_object_new_int64(q->peek[k].type));
            json_object_object_add(qo, q->peek_state ? "types_unknown" : "types", types);
            json_object_array_add(qs, qo);
        }
        json_object_object_add(o, "msgqs", qs);
    }
    if (m->nshmsegs > 0) {
        json_object *ss = json_object_new_array();
        for (int i = 0; i < m->nshmsegs; i++) {
            const struct model_shmseg *sg = &m->shmsegs[i];
            static const char *const kinds[] = {"sysv", "posix", "anon"};
            json_object *so = json_object_new_object();
            json_object_object_add(
                so, "kind",
                json_object_new_string(sg->kind >= 0 && sg->kind < 3 ? kinds[sg->kind] : "?"));
            if (sg->kind == SHM_SYSV)
                json_object_object_add(so, "shmid", json_object_new_int(sg->shmid));
            if (sg->name[0])
                json_object_object_add(so, "name", json_object_new_string(sg->name));
            json_object_object_add(so, "segsz", json_object_new_int64((int64_t)sg->segsz));
            if (sg->kind == SHM_SYSV) {
                json_object_object_add(so, "nattch", json_object_new_int64(sg->nattch));
                json_object_object_add(so, "cpid", json_object_new_int(sg->cpid));
                json_object_object_add(so, "lpid", json_object_new_int(sg->lpid));
                json_object_object_add(so, "atime", json_object_new_int64(sg->atime));
                json_object_object_add(so, "dtime", json_object_new_int64(sg->dtime));
                json_object_object_add(so, "ctime", json_object_new_int64(sg->ctime));
            }
            json_object_array_add(ss, so);
        }
        json_object_object_add(o, "shmsegs", ss);
    }
    if (m->deadlock.found)
        json_object_object_add(o, "deadlock", json_object_new_string(m->deadlock.text));
    json_object_object_add(o, "procs", json_procs(m));
    emit_json(h, o);
}

/* Returns 1 when a check failed. A check still pending fails too when the
 * run ended by itself (its judge had everything); after --for stopped it, a
 * pending check is only what was not reached in time. */
static int print_summary(struct hl *h, double elapsed, bool stopped)
{
    const struct model *m = h->m;
    int failed = 0;
    long long exited = 0;
    for (int i = 0; i < m->nprocs; i++)
        if (m->procs[i].role >= 0 && m->procs[i].exited)
            exited++;
    if (h->json) {
        json_object *o = json_object_new_object();
        json_object_object_add(o, "type", json_object_new_string("summary"));
        json_object_object_add(o, "scenario", json_object_new_string(m->scenario));
        json_object_object_add(o, "params", json_object_new_string(m->params));
        json_object_object_add(o, "elapsed", json_object_new_double(elapsed));
        json_object_object_add(o, "events", json_object_new_int64((int64_t)m->events));
        json_object_object_add(o, "samples", json_object_new_int64((int64_t)m->samples));
        json_object_object_add(o, "processes", json_object_new_int64(exited));
        if (m->cs.present) {
            json_object_object_add(o, "counter", json_object_new_int64(m->cs.counter));
            json_object_object_add(o, "entries", json_object_new_int64(m->cs.entries));
            json_object_object_add(o, "max_occupancy", json_object_new_int(m->cs.max_occupancy));
        }
        emit_json(h, o);
    } else {
        fprintf(h->out, _("summary: %s %s\n"), m->scenario, m->params);
        fprintf(h->out, _("summary: %.3f s, %llu events, %llu samples, %lld processes reaped\n"),
                elapsed, (unsigned long long)m->events, (unsigned long long)m->samples, exited);
        if (m->cs.present)
            fprintf(
                h->out,
                _("summary: critical sections %lld of %lld, counter %lld, max inside at once %d\n"),
                m->cs.entries, m->cs.expected, m->cs.counter, m->cs.max_occupancy);
    }
    for (int i = 0; i < m->nchecks; i++) {
        const struct model_check *c = &m->checks[i];
        const char *st = model_check_word(c->status);
        if (c->status == CHECK_FAILED || c->status == CHECK_BROKEN ||
            (c->status == CHECK_PENDING && !stopped))
            failed = 1;
        if (h->json) {
            json_object *o = json_object_new_object();
            json_object_object_add(o, "type", json_object_new_string("check"));
            json_object_object_add(o, "name", json_object_new_string(c->name));
            json_object_object_add(o, "status", json_object_new_string(st));
            json_object_object_add(o, "detail", json_object_new_string(c->detail));
            emit_json(h, o);
        } else {
            fprintf(h->out, _("check: %s %s (%s)\n"), c->name, _(st), c->detail);
        }
    }
    hl_flush(h);
    return failed;
}

/* The run's objects, as it starts. */
static void print_start(struct hl *h, const struct scenario_def *s, double speed)
{
    const struct model *m = h->m;
    if (h->json) {
        json_object *j = json_object_new_object();
        json_object_object_add(j, "type", json_object_new_string("start"));
        json_object_object_add(j, "scenario", json_object_new_string(s->name));
        json_object_object_add(j, "params", json_object_new_string(m->params));
        json_object_object_add(j, "speed", json_object_new_double(speed));
        json_object *objs = json_object_new_array();
        for (int i = 0; i < m->nsemsets; i++) {
            json_object *x = json_object_new_object();
            json_object_object_add(x, "kind", json_object_new_string("semset"));
            json_object_object_add(x, "semid", json_object_new_int(m->semsets[i].semid));
            json_object_object_add(x, "nsems", json_object_new_int(m->semsets[i].nsems));
            json_object_array_add(objs, x);
        }
        for (int i = 0; i < m->nshmsegs; i++) {
            json_object *x = json_object_new_object();
            const struct model_shmseg *sg = &m->shmsegs[i];
            json_object_object_add(x, "kind",
                                   json_object_new_string(sg->kind == SHM_POSIX  ? "posix_shm"
                                                          : sg->kind == SHM_ANON ? "anon_shm"
                                                                                 : "shmseg"));
            if (sg->kind == SHM_SYSV)
                json_object_object_add(x, "shmid", json_object_new_int(sg->shmid));
            if (sg->name[0])
                json_object_object_add(x, "name", json_object_new_string(sg->name));
            json_object_object_add(x, "size", json_object_new_int64((int64_t)m->shmsegs[i].segsz));
            json_object_array_add(objs, x);
        }
        for (int i = 0; i < m->nmsgqs; i++) {
            json_object *x = json_object_new_object();
            json_object_object_add(x, "kind", json_object_new_string("msgq"));
            json_object_object_add(x, "msqid", json_object_new_int(m->msgqs[i].msqid));
            json_object_object_add(x, "qbytes", json_object_new_int64(m->msgqs[i].qbytes));
            json_object_array_add(objs, x);
        }
        if (m->rundir[0]) {
            json_object *x = json_object_new_object();
            json_object_object_add(x, "kind", json_object_new_string("rundir"));
            json_object_object_add(x, "path", json_object_new_string(m->rundir));
            json_object *names = json_object_new_array();
            for (int i = 0; i < m->nfiles; i++)
                json_object_array_add(names, json_object_new_string(m->files[i]));
            json_object_object_add(x, "names", names);
            json_object_array_add(objs, x);
        }
        json_object_object_add(j, "objects", objs);
        emit_json(h, j);
        return;
    }
    char sp[24];
    if (speed == 0)
        snprintf(sp, sizeof sp, "max");
    else
        snprintf(sp, sizeof sp, "%gx", speed);
    fprintf(h->out, _("ipcplay %s: %s (speed %s)\n"), s->name, m->params, sp);
    fprintf(h->out, _("what to watch: %s\n"), _(s->watch));
    for (int i = 0; i < m->nsemsets; i++)
        fprintf(h->out, _("object: semaphore set semid=%d nsems=%d mode=0600\n"),
                m->semsets[i].semid, m->semsets[i].nsems);
    for (int i = 0; i < m->nshmsegs; i++) {
        const struct model_shmseg *sg = &m->shmsegs[i];
        if (sg->kind == SHM_POSIX)
            fprintf(h->out, _("object: POSIX shared memory name=%s size=%zu mode=0600\n"), sg->name,
                    sg->segsz);
        else if (sg->kind == SHM_ANON)
            fprintf(h->out,
                    _("object: anonymous shared memory (MAP_SHARED, inherited across "
                      "fork) size=%zu\n"),
                    sg->segsz);
        else
            fprintf(h->out, _("object: shared memory shmid=%d size=%zu mode=0600\n"), sg->shmid,
                    sg->segsz);
    }
    for (int i = 0; i < m->nmsgqs; i++)
        fprintf(h->out, _("object: message queue msqid=%d qbytes=%ld mode=0600\n"),
                m->msgqs[i].msqid, m->msgqs[i].qbytes);
    if (m->rundir[0]) {
        fprintf(h->out, _("object: run directory %s mode=0700:"), m->rundir);
        for (int i = 0; i < m->nfiles; i++)
            fprintf(h->out, " %s", m->files[i]);
        fprintf(h->out, "\n");
    }
    hl_flush(h);
}

/* ---- the view: what the loop calls --------------------------------------- */

static uint64_t hl_elapsed_ns(const struct hl *h)
{
    return h->elapsed_ns >= 0 ? (uint64_t)h->elapsed_ns : events_now_ns() - h->start_ns;
}

static double hl_elapsed(const struct hl *h)
{
    return (double)hl_elapsed_ns(h) / 1e9;
}

/* The end is measured once: the summary and the recording's end line say
 * the same elapsed time. */
static void hl_ended(struct hl *h, enum rec_how how, int sig)
{
    h->elapsed_ns = (int64_t)hl_elapsed_ns(h);
    if (h->ending)
        *h->ending =
            (struct rec_trailer){.how = how, .signal = sig, .elapsed_ns = hl_elapsed_ns(h)};
}

/* The run ended (by itself, or stopped by --for): last lines, the state,
 * the summary and the checks. */
static enum loop_verdict hl_done(struct hl *h, bool stopped)
{
    hl_ended(h, stopped ? REC_END_FOR : REC_END_DONE, 0);
    print_lines(h);
    print_open_series(h);
    print_state(h);
    h->rc = print_summary(h, hl_elapsed(h), stopped);
    if (h->m->error[0]) { /* a role gave up: a runtime error, whatever the checks say */
        fprintf(stderr, "ipcplay: %s%s\n", h->m->interrupted ? _("run ") : _("run error: "),
                h->m->error);
        h->rc = 3;
    }
    return LOOP_STOP;
}

/* A write failed: say so once, remove the run, exit 3. */
static enum loop_verdict hl_check_output(struct hl *h)
{
    if (!ferror(h->out))
        return LOOP_GO;
    fprintf(stderr, _("ipcplay: cannot write the output: %s\n"), strerror(h->werr ? h->werr : EIO));
    if (h->e)
        engine_stop(h->e);
    h->rc = 3;
    return LOOP_STOP;
}

/* Stopped by a signal (after the engine was stopped). */
static void hl_quit(struct hl *h, int sig)
{
    hl_ended(h, REC_END_SIGNAL, sig);
    print_lines(h);
    print_open_series(h);
    fprintf(stderr,
            _("ipcplay: stopped by %s; every process and object of the run was "
              "removed\n"),
            signame(sig).s);
    print_summary(h, hl_elapsed(h), true);
    h->rc = 128 + sig;
}

static enum loop_verdict hl_on_engine(void *self, int flags)
{
    struct hl *h = self;
    print_lines(h);
    if (flags & ENGINE_SAMPLE)
        print_state(h);
    if (flags & ENGINE_QUIT) {
        int sig = engine_quit_signal(h->e);
        engine_stop(h->e);
        hl_quit(h, sig);
        return LOOP_STOP;
    }
    if (flags & ENGINE_DONE) {
        hl_done(h, false);
        hl_check_output(h);
        return LOOP_STOP;
    }
    return hl_check_output(h);
}

/* --for: the one deadline of this view. */
static int hl_next_timeout_ms(void *self, uint64_t now)
{
    const struct hl *h = self;
    return h->deadline_ns ? loop_ms_until(now, h->deadline_ns) : -1;
}

static enum loop_verdict hl_on_timeout(void *self, uint64_t now)
{
    struct hl *h = self;
    if (engine_active(h->e))
        engine_stop(h->e);
    hl_done(h, true);
    hl_check_output(h);
    return LOOP_STOP;
}

int headless_run(struct engine *e, struct model *m, const struct scenario_def *s, const long *vals,
                 const struct headless_opts *o)
{
    struct hl h = {.out = o->out ? o->out : stdout,
                   .json = o->json,
                   .m = m,
                   .e = e,
                   .rc = -1,
                   .ending = o->ending,
                   .elapsed_ns = -1};
    h.state = malloc(HL_STATE);
    h.last_state = calloc(1, HL_STATE);
    if (!h.state || !h.last_state) {
        free(h.state);
        free(h.last_state);
        fprintf(stderr, _("ipcplay: out of memory\n"));
        return 3;
    }
    char err[256];
    if (engine_start(e, s, vals, o->speed, err, sizeof err) < 0) {
        fprintf(stderr, _("ipcplay: cannot start %s: %s\n"), s->name, err);
        free(h.state);
        free(h.last_state);
        return 3;
    }
    print_start(&h, s, o->speed);
    h.start_ns = events_now_ns();
    if (o->for_seconds > 0)
        h.deadline_ns = h.start_ns + (uint64_t)(o->for_seconds * 1e9);
    print_lines(&h);
    print_state(&h);
    const struct loop_view view = {.self = &h,
                                   .on_engine = hl_on_engine,
                                   .next_timeout_ms = hl_next_timeout_ms,
                                   .on_timeout = hl_on_timeout};
    if (loop_run(e, &view) < 0) {
        fprintf(stderr, _("ipcplay: poll failed: %s\n"), strerror(errno));
        engine_stop(e);
        h.rc = 3;
    }
    free(h.state);
    free(h.last_state);
    return h.rc;
}

/* ---- fed by a recording ---------------------------------------------------- */

/* A replay of the live run's turns: each engine_dispatch() ended with a
 * REC_CLOCK, so the records up to one are what one turn applied, and its
 * flags are what those records say (a sample's end, the run's end). What
 * engine_start() applied ends with its sample and that sample's verdicts.
 * Returns the flags, with HL_TAIL when the records ran out before a clock. */
#define HL_TAIL (1 << 16)

static int hl_next_turn(struct replay *rp, bool start)
{
    int flags = 0;
    struct record r;
    size_t end = replay_count(rp);
    for (size_t pos = replay_pos(rp); pos < end; pos++) {
        replay_get(rp, pos, &r);
        if (start && (flags & ENGINE_SAMPLE) && r.kind != REC_CHECK && r.kind != REC_CS_PLAN)
            return flags;
        replay_seek(rp, pos + 1);
        if (r.kind == REC_SAMPLE_END)
            flags |= ENGINE_SAMPLE;
        if (r.kind == REC_RUN_STATE && r.u.state.state == RUN_DONE)
            flags |= ENGINE_DONE;
        if (r.kind == REC_CLOCK && !start)
            return flags;
    }
    return flags | HL_TAIL;
}

static void hl_replay_turns(struct hl *h, struct replay *rp, const struct rec_trailer *end)
{
    for (;;) {
        int flags = hl_next_turn(rp, false);
        h->m = replay_model(rp);
        if (flags & HL_TAIL)
            break;
        print_lines(h);
        if (flags & ENGINE_SAMPLE)
            print_state(h);
        if (flags & ENGINE_DONE) {
            hl_done(h, false);
            return;
        }
        if (ferror(h->out))
            return;
    }
    if (end && end->how == REC_END_SIGNAL)
        hl_quit(h, end->signal);
    else
        hl_done(h, !end || end->how != REC_END_DONE);
}

int headless_replay(struct replay *rp, const struct rec_header *hd, const struct rec_trailer *end,
                    const struct headless_opts *o)
{
    struct hl h = {.out = o->out ? o->out : stdout,
                   .json = o->json,
                   .rc = -1,
                   .elapsed_ns = end ? (int64_t)end->elapsed_ns : -1};
    h.state = malloc(HL_STATE);
    h.last_state = calloc(1, HL_STATE);
    if (!h.state || !h.last_state) {
        free(h.state);
        free(h.last_state);
        fprintf(stderr, _("ipcplay: out of memory\n"));
        return 3;
    }
    const struct scenario_def *found = scenario_find(hd->scenario);
    struct scenario_def unknown = {.name = hd->scenario, .watch = ""};
    hl_next_turn(rp, true);
    h.m = replay_model(rp);
    if (!end) /* cut short: what was there, summed up as stopped where it ends */
        h.elapsed_ns = (int64_t)replay_end_time(rp);
    print_start(&h, found ? found : &unknown, hd->speed);
    print_lines(&h);
    print_state(&h);
    hl_replay_turns(&h, rp, end);
    if (hl_check_output(&h) == LOOP_STOP && h.rc < 0)
        h.rc = 3;
    free(h.state);
    free(h.last_state);
    return h.rc < 0 ? 3 : h.rc;
}
