/* emit.c — the engine's one door into the model: every record (events from
 * the op runners, samples, the run's own records) goes through
 * engine_emit(), which applies it and shows it to the tap. Also the records
 * the engine itself writes: story lines and the judges' verdicts. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "engine_internal.h"
#include "hand.h"

void engine_emit(struct engine *e, const struct record *r)
{
    model_apply(e->m, r);
    if (e->tap)
        e->tap(e->tap_ctx, r);
}

void engine_set_tap(struct engine *e, engine_tap_fn *fn, void *ctx)
{
    e->tap = fn;
    e->tap_ctx = ctx;
}

uint64_t engine_now(const struct engine *e)
{
    return gate_clock_ns(e->gate, e->t0_ns);
}

void engine_say(struct engine *e, int kind, const char *who, const char *what, const char *fmt, ...)
{
    struct record r;
    record_init(&r, REC_SAY, e->m->now_ns);
    r.u.say.kind = kind;
    snprintf(r.u.say.who, sizeof r.u.say.who, "%s", who ? who : "");
    snprintf(r.u.say.what, sizeof r.u.say.what, "%s", what ? what : "");
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(r.u.say.detail, sizeof r.u.say.detail, fmt, ap);
    va_end(ap);
    engine_emit(e, &r);
}

void engine_judge(struct engine *e, int phase)
{
    if (!e->scenario || !e->scenario->judge)
        return;
    struct model *m = e->m;
    static struct model_verdict v;
    model_judge_dry(m, e->scenario->judge, e->vals, phase, &v);
    scenario_mark_on_purpose(e->scenario, e->vals, v.checks, v.nchecks);
    hand_mark_checks(v.checks, v.nchecks);
    struct record r;
    if (v.cs_expected != m->cs.expected || v.cs_nsections != m->cs.nsections) {
        record_init(&r, REC_CS_PLAN, m->now_ns);
        r.u.cs_plan.expected = v.cs_expected;
        r.u.cs_plan.nsections = v.cs_nsections;
        engine_emit(e, &r);
    }
    for (int i = 0; i < v.nchecks && i < MODEL_MAX_CHECKS; i++) {
        if (i < m->nchecks && memcmp(&v.checks[i], &m->checks[i], sizeof v.checks[i]) == 0)
            continue;
        record_init(&r, REC_CHECK, m->now_ns);
        r.u.check = v.checks[i];
        engine_emit(e, &r);
    }
}
