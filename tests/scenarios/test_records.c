/* test_records.c — the model is a pure function of the record stream. Every
 * scenario runs for real, in process, at 20x and at speed max (and with each
 * choice of its enum parameters at max); a tap on the engine keeps every record. Applied in
 * order to a fresh model they must give the very same model, byte for byte,
 * and the same text a headless run prints from it (the state line after
 * every sample, the story, the checks). A record the engine forgot to emit,
 * or a model field an engine file writes behind the stream's back, makes the
 * two differ; the test also drops one record on purpose to show it notices. */
#include <criterion/criterion.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/engine.h"
#include "engine/registry.h"
#include "model/inspect.h"
#include "model/record.h"
#include "support.h"

#define STATE_LEN 65536
#define INSPECT_LEN 32768

/* Records as taken, packed (record_size bytes each), and the state line
 * the live model showed after each sample. */
struct tape {
    const struct model *live;
    unsigned char *buf;
    size_t len, cap;
    size_t nrec;
    char **states;
    size_t nstates, capstates;
    bool want_shm;   /* the inspect view looks at the first segment, if any */
    char watch[32];  /* what it looks at (else the first worker); "" until known */
    char **inspects; /* its text after every fifth sample */
    size_t kinds[REC__COUNT];
};

static void *grow(void *p, size_t *cap, size_t need, size_t unit)
{
    if (need <= *cap)
        return p;
    size_t n = *cap ? *cap : 4096;
    while (n < need)
        n *= 2;
    p = realloc(p, n * unit);
    cr_assert_not_null(p);
    *cap = n;
    return p;
}

/* The inspect views of the watched target and of every object kind. */
static void inspect_text(const struct model *m, const char *watch, char *buf)
{
    const char *what[] = {watch, "sem", "shm", "msq"};
    size_t off = 0;
    for (int i = 0; i < 4 && off < INSPECT_LEN; i++) {
        char title[128], err[256];
        int rc = model_inspect(m, what[i], title, sizeof title, buf + off, INSPECT_LEN - off, err,
                               sizeof err);
        off += strlen(buf + off);
        if (off < INSPECT_LEN)
            off += (size_t)snprintf(buf + off, INSPECT_LEN - off, "\n[%s: %d %s]\n", what[i], rc,
                                    rc ? err : title);
    }
}

static void tap(void *ctx, const struct record *r)
{
    struct tape *t = ctx;
    cr_assert(r->kind > REC_NONE && r->kind < REC__COUNT, "record kind %d", (int)r->kind);
    size_t n = record_size(r->kind);
    t->buf = grow(t->buf, &t->cap, t->len + n, 1);
    memcpy(t->buf + t->len, r, n);
    t->len += n;
    t->nrec++;
    t->kinds[r->kind]++;
    if (r->kind == REC_SAMPLE_END) {
        t->states = grow(t->states, &t->capstates, t->nstates + 1, sizeof *t->states);
        char *s = malloc(STATE_LEN);
        cr_assert_not_null(s);
        model_format_state(t->live, s, STATE_LEN);
        t->inspects = realloc(t->inspects, t->capstates * sizeof *t->inspects);
        cr_assert_not_null(t->inspects);
        t->inspects[t->nstates] = NULL;
        if (!t->watch[0] && t->want_shm && t->live->nshmsegs > 0)
            snprintf(t->watch, sizeof t->watch, "shm");
        else if (!t->watch[0] && t->live->nprocs > 1)
            snprintf(t->watch, sizeof t->watch, "%s", t->live->procs[1].name);
        if (t->nstates % 5 == 0) {
            t->inspects[t->nstates] = malloc(INSPECT_LEN);
            cr_assert_not_null(t->inspects[t->nstates]);
            inspect_text(t->live, t->watch, t->inspects[t->nstates]);
        }
        t->states[t->nstates++] = s;
    }
}

static void tape_free(struct tape *t)
{
    for (size_t i = 0; i < t->nstates; i++) {
        free(t->states[i]);
        free(t->inspects[i]);
    }
    free(t->states);
    free(t->inspects);
    free(t->buf);
    memset(t, 0, sizeof *t);
}

/* Where two models first differ, by top-level field. */
static const char *field_at(size_t off)
{
#define F(x)                                                                                       \
    {                                                                                              \
#x, offsetof(struct model, x)                                                              \
    }
    static const struct {
        const char *name;
        size_t off;
    } f[] = {
        F(scenario),    F(params),    F(role_names),  F(nroles),   F(state),      F(step_tokens),
        F(speed),       F(now_ns),    F(samples),     F(live),     F(procs),      F(nprocs),
        F(semsets),     F(nsemsets),  F(shmsegs),     F(nshmsegs), F(cs),         F(checks),
        F(nchecks),     F(story),     F(story_count), F(events),   F(ops_begun),  F(gen_procs),
        F(gen_objects), F(gen_story), F(gen_header),  F(msgqs),    F(nmsgqs),     F(msglog),
        F(ring),        F(deadlock),  F(files),       F(nfiles),   F(rundir),     F(fdtables),
        F(nfdtables),   F(streams),   F(chunks),      F(nchunks),  F(chunk_seal), F(chunks_lost),
        F(facts),       F(nfacts),    F(wall_s),      F(detail)};
#undef F
    const char *name = "?";
    size_t best = 0;
    for (size_t i = 0; i < sizeof f / sizeof f[0]; i++)
        if (f[i].off <= off && f[i].off >= best) {
            best = f[i].off;
            name = f[i].name;
        }
    return name;
}

static size_t first_diff(const struct model *a, const struct model *b)
{
    const unsigned char *x = (const void *)a, *y = (const void *)b;
    for (size_t i = 0; i < sizeof *a; i++)
        if (x[i] != y[i])
            return i;
    return (size_t)-1;
}

/* The text a headless run prints from the model at its end. */
static void final_text(const struct model *m, char *buf, size_t len)
{
    size_t off = 0;
    for (uint64_t i = model_story_first(m); i < m->story_count && off < len; i++) {
        const struct model_line *l = model_story_line(m, i);
        off += (size_t)snprintf(buf + off, len - off, "%7.3f  %-16s %-12s %s\n",
                                (double)l->t_ns / 1e9, l->who, l->what, l->detail);
    }
    for (int i = 0; i < m->nchecks && off < len; i++)
        off += (size_t)snprintf(buf + off, len - off, "check: %s %d (%s)\n", m->checks[i].name,
                                m->checks[i].status, m->checks[i].detail);
    if (off < len)
        model_format_state(m, buf + off, len - off);
}

/* Apply the tape to m, skipping record number `skip` (-1: none). Returns
 * the number of sample states that differed from the live ones. */
static size_t replay(const struct tape *t, struct model *m, long skip, const char *what)
{
    static struct record r;
    static char state[STATE_LEN], insp[INSPECT_LEN];
    model_init(m);
    size_t off = 0, si = 0, bad = 0;
    for (size_t i = 0; i < t->nrec; i++) {
        memset(&r, 0, sizeof r);
        memcpy(&r, t->buf + off, offsetof(struct record, u));
        size_t n = record_size(r.kind);
        memcpy(&r, t->buf + off, n);
        off += n;
        if ((long)i == skip)
            continue;
        model_apply(m, &r);
        if (r.kind != REC_SAMPLE_END)
            continue;
        model_format_state(m, state, sizeof state);
        if (strcmp(state, t->states[si]) != 0 && bad++ == 0 && skip < 0)
            cr_log_error("%s: state after sample %zu differs:\n live   %.300s\n replay %.300s",
                         what, si, t->states[si], state);
        if (t->inspects[si]) {
            inspect_text(m, t->watch, insp);
            if (strcmp(insp, t->inspects[si]) != 0 && bad++ == 0 && skip < 0)
                cr_log_error("%s: inspect after sample %zu differs:\n live   %.2000s\n"
                             " replay %.2000s",
                             what, si, t->inspects[si], insp);
        }
        si++;
    }
    return bad;
}

static void drive(struct engine *e, const struct model *m, const char *watch, const char *what)
{
    double end = support_now() + 120;
    while (engine_active(e) && support_now() < end) {
        engine_watch(e, watch); /* as an open inspect view keeps doing */
        struct pollfd pfds[ENGINE_MAX_POLLFDS];
        int n = engine_pollfds(e, pfds, ENGINE_MAX_POLLFDS);
        if (poll(pfds, (nfds_t)n, 50) > 0)
            engine_dispatch(e, pfds, n);
    }
    if (engine_active(e)) {
        cr_log_warn("%s: still running after 120 s: stopped", what);
        engine_stop(e);
    }
    cr_assert_eq(m->state, RUN_DONE, "%s", what);
}

static void round_trip(struct engine *e, struct model *live, const struct scenario_def *s,
                       const long *vals, double speed, const char *what)
{
    static struct model again;
    static char a[1 << 20], b[1 << 20];
    /* an inspect view open on the first worker, or on the first segment */
    struct tape t = {.live = live, .want_shm = speed > 0};
    engine_set_tap(e, tap, &t);
    char err[256];
    cr_assert_eq(engine_start(e, s, vals, speed, err, sizeof err), 0, "%s: %s", what, err);
    engine_set_sample_ms(e, 5); /* many samples: a fast run ends in a blink */
    drive(e, live, t.watch, what);
    engine_set_tap(e, NULL, NULL);
    cr_assert_gt(t.kinds[REC_EVENT], 0, "%s: no events", what);
    cr_assert_gt(t.kinds[REC_SAMPLE_END], 0, "%s: no samples", what);
    cr_assert_gt(t.kinds[REC_SAMPLE_PROC], 0, "%s: no process samples", what);
    if (speed > 0 && live->nshmsegs > 0)
        cr_expect_gt(t.kinds[REC_DETAIL_SHM], 0, "%s: the watched segment had no detail", what);

    size_t bad = replay(&t, &again, -1, what);
    cr_expect_eq(bad, 0, "%s: %zu of %zu sample states differ", what, bad, t.nstates);
    final_text(live, a, sizeof a);
    final_text(&again, b, sizeof b);
    cr_expect_str_eq(b, a, "%s: the text from the replayed model differs", what);
    model_write_out(live); /* words are written when read: write them all in both */
    model_write_out(&again);
    size_t d = first_diff(live, &again);
    cr_expect_eq(d, (size_t)-1, "%s: models differ at byte %zu, in %s (%zu records)", what, d,
                 field_at(d), t.nrec);
    bool same = d == (size_t)-1 && bad == 0;

    /* The comparison has teeth: without its first event the replay differs. */
    long first_event = -1;
    size_t off = 0;
    for (size_t i = 0; i < t.nrec && first_event < 0; i++) {
        struct record h;
        memcpy(&h, t.buf + off, offsetof(struct record, u));
        if (h.kind == REC_EVENT)
            first_event = (long)i;
        off += record_size(h.kind);
    }
    replay(&t, &again, first_event, what);
    model_write_out(&again);
    cr_expect_neq(first_diff(live, &again), (size_t)-1, "%s: a dropped record went unnoticed",
                  what);
    if (same)
        cr_log_info("%s: %zu records, %zu samples, %zu details: same model", what, t.nrec,
                    t.nstates, t.kinds[REC_DETAIL_PROC] + t.kinds[REC_DETAIL_SHM]);
    tape_free(&t);
}

Test(records, every_scenario_replays_to_the_same_model, .timeout = 900)
{
    support_isolate_ipc();
    registry_init(-1);
    static struct model m;
    struct engine *e = engine_new(&m);
    cr_assert_not_null(e);
    for (int i = 0; i < nscenarios; i++) {
        const struct scenario_def *s = scenarios[i];
        long vals[SCENARIO_MAX_PARAMS];
        scenario_defaults(s, vals);
        /* 20x: delays short, yet long enough for many samples of blocked
         * processes; then speed max */
        char what[96];
        snprintf(what, sizeof what, "%s at 20x", s->name);
        round_trip(e, &m, s, vals, 20, what);
        round_trip(e, &m, s, vals, 0, s->name);
        /* each choice of each enum parameter (pipe modes, lock orders...) */
        for (int k = 0; k < s->nparams; k++) {
            const struct param_def *p = &s->params[k];
            if (p->type != PARAM_ENUM)
                continue;
            for (long c = 0; p->choices[c]; c++) {
                if (c == p->def)
                    continue;
                scenario_defaults(s, vals);
                vals[k] = c;
                snprintf(what, sizeof what, "%s %s=%s", s->name, p->name, p->choices[c]);
                round_trip(e, &m, s, vals, 0, what);
            }
        }
    }
    engine_free(e);
}
