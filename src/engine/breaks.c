/* breaks.c — breakpoints: `break on block|wake|zombie|reap|cycle|inflight|
 * full|eidrm|check` pauses the run when that happens. What happened is read
 * from the story the model has just told (the same words the class reads),
 * and from the checks; the gate then holds everyone and the story says why. */
#include <stdio.h>
#include <string.h>

#include "../model/model.h"
#include "engine_internal.h"
#include "../model/i18n.h"

const char *const engine_break_names[ENGINE_NBREAKS] = {
    "block", "wake", "zombie", "reap", "cycle", "inflight", "full", "eidrm", "check",
};

int engine_break_find(const char *name)
{
    for (int i = 0; i < ENGINE_NBREAKS; i++)
        if (strcmp(engine_break_names[i], name) == 0)
            return i;
    return -1;
}

void engine_set_breaks(struct engine *e, unsigned mask)
{
    e->breaks = mask;
    e->break_seen = e->m->story_count;
}

unsigned engine_get_breaks(const struct engine *e)
{
    return e->breaks;
}

/* The story says it in English or in the language shown: a marked fragment
 * matches either (its translation is a part of the translated lines). */
static bool says(const char *text, const char *fragment)
{
    return strstr(text, fragment) || strstr(text, _(fragment));
}

static bool starts(const char *text, const char *prefix)
{
    const char *tr = _(prefix);
    return strncmp(text, prefix, strlen(prefix)) == 0 || strncmp(text, tr, strlen(tr)) == 0;
}

/* Which breakpoint a story line meets, or -1. */
static int line_break(const struct model_line *l)
{
    if (l->kind != LINE_EVENT)
        return -1;
    /* TRANSLATORS: the fragments below are parts of story lines: each
     * translation must be the same part of those lines' translations. */
    if (starts(l->detail, N_("blocks:")))
        return says(l->detail, N_("queue is full")) ? 6 : 0;
    if (says(l->detail, N_("waited ")) || says(l->detail, N_("wakes")))
        return 1;
    if (strcmp(l->what, "zombie") == 0)
        return 2;
    if (strcmp(l->what, "reaped") == 0 || says(l->detail, N_("reaped")))
        return 3;
    if (strcmp(l->what, "deadlock") == 0 && starts(l->detail, N_("deadlock:")))
        return 4;
    if (strcmp(l->what, "in flight") == 0 || says(l->detail, N_("is now in flight")))
        return 5;
    if (strstr(l->detail, "EIDRM"))
        return 7;
    return -1;
}

static int failed_checks(const struct model *m)
{
    int n = 0;
    for (int i = 0; i < m->nchecks; i++)
        n += m->checks[i].status == CHECK_FAILED || m->checks[i].status == CHECK_BROKEN;
    return n;
}

/* After new records: pause at the first line that meets a breakpoint. */
void engine_breaks_check(struct engine *e)
{
    const struct model *m = e->m;
    char verdict[256];
    if (predict_resolve(&e->predict, m, verdict, sizeof verdict))
        engine_say(e, LINE_NOTE, "ipcplay", "predict", "%s", verdict);
    if (!e->active || !e->breaks) {
        e->break_seen = m->story_count;
        e->break_failed = failed_checks(m);
        return;
    }
    uint64_t from = e->break_seen;
    if (m->story_count - from > MODEL_STORY_CAP)
        from = m->story_count - MODEL_STORY_CAP;
    e->break_seen = m->story_count;
    int hit = -1;
    const struct model_line *l = NULL;
    for (uint64_t i = from; i < m->story_count && hit < 0; i++) {
        l = model_story_line(m, i);
        if (!l)
            continue;
        int b = line_break(l);
        if (b >= 0 && (e->breaks & (1u << b)))
            hit = b;
    }
    int failed = failed_checks(m);
    if (hit < 0 && failed > e->break_failed && (e->breaks & (1u << 8)))
        hit = 8, l = NULL;
    e->break_failed = failed;
    if (hit < 0 || gate_mode(e->gate) == GATE_PAUSE)
        return;
    gate_set_mode(e->gate, GATE_PAUSE);
    if (l)
        engine_say(e, LINE_NOTE, "ipcplay", "break",
                   _("breakpoint '%s': %s %s %.60s -- paused (resume: F3, step: F4)"),
                   engine_break_names[hit], l->who, l->what, l->detail);
    else
        engine_say(e, LINE_NOTE, "ipcplay", "break",
                   _("breakpoint 'check': a check failed -- paused (resume: F3)"));
    if (e->predict.on && predict_ask(&e->predict, m, l))
        engine_say(e, LINE_NOTE, "ipcplay", "predict", "%s", e->predict.question);
    e->break_seen = e->m->story_count;
}

/* Turned on, a new score starts; it lasts across runs (a lecture's). */
void engine_predict_set(struct engine *e, bool on)
{
    if (on && !e->predict.on)
        memset(&e->predict, 0, sizeof e->predict);
    e->predict.on = on;
    if (!on)
        e->predict.kind = PREDICT_NONE;
}

bool engine_predict_on(const struct engine *e)
{
    return e->predict.on;
}

int engine_predict_answer(struct engine *e, const char *text, char *msg, size_t len)
{
    return predict_answer(&e->predict, text, msg, len);
}

void engine_predict_score(const struct engine *e, char *buf, size_t len)
{
    predict_score(&e->predict, buf, len);
}

bool engine_predict_waiting(const struct engine *e)
{
    return e->predict.on && e->predict.kind != PREDICT_NONE && !e->predict.answer[0];
}

/* A new run: a question left open by the last one is dropped; the score
 * goes on. */
void engine_predict_reset(struct engine *e)
{
    e->predict.kind = PREDICT_NONE;
}

/* The run is over: a question it never answered counts as unanswered. */
void engine_predict_end(struct engine *e)
{
    if (e->predict.kind != PREDICT_NONE) {
        e->predict.unanswered++;
        e->predict.kind = PREDICT_NONE;
    }
    if (!e->predict.on || e->predict.asked == 0)
        return;
    char score[96];
    predict_score(&e->predict, score, sizeof score);
    engine_say(e, LINE_NOTE, "ipcplay", "predict", "score: %s", score);
}
