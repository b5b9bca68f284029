/* test_story_repeat.c — repeated identical story lines fold into one with a
 * count ("EAGAIN ×12"): per process, only into that process's previous event
 * line, a different line ends the series (and says so, for headless), and
 * the same records fold the same way every time (replay = live). */
#include <criterion/criterion.h>

#include "events.h"
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "model/model.h"
#include "ops/op.h"

static struct model m;

static void setup(void)
{
    model_init(&m);
    m.nroles = 1;
    strcpy(m.role_names[0], "worker");
    for (int i = 1; i <= 2; i++) {
        char name[16];
        snprintf(name, sizeof name, "worker-%d", i);
        model_add_proc(&m, 100 + i, 1, 0, i, name);
    }
}

TestSuite(story_repeat, .init = setup);

/* A try-P's end: EAGAIN (err) or acquired (0). */
static void try_p(struct model *mm, int pid, uint64_t t, int err)
{
    struct event e = test_event(OP_P, PH_END, pid, 0, pid - 100);
    e.t_ns = t;
    e.result = err ? -1 : 0;
    e.err = err;
    model_apply_event(mm, &e);
}

static const struct model_line *last_line(void)
{
    return model_story_line(&m, m.story_count - 1);
}

Test(story_repeat, eagain_folds_per_process)
{
    uint64_t before = m.story_count;
    for (int k = 0; k < 12; k++) {
        try_p(&m, 101, 1000 + (uint64_t)k * 10, EAGAIN);
        try_p(&m, 102, 1005 + (uint64_t)k * 10, EAGAIN); /* interleaved: still folds */
    }
    cr_assert_eq(m.story_count - before, 2, "12 + 12 EAGAIN lines fold into 2");
    const struct model_line *a = model_story_line(&m, before);
    const struct model_line *b = model_story_line(&m, before + 1);
    cr_assert(strstr(a->detail, "EAGAIN"));
    cr_expect_eq(a->more, 11);
    cr_expect_eq(b->more, 11);
    cr_expect_eq(a->t_ns, 1000);
    cr_expect_eq(a->t_last_ns, 1110);
    cr_expect_str_eq(a->who, "worker-1[101]");
}

Test(story_repeat, a_different_line_ends_the_series)
{
    try_p(&m, 101, 10, EAGAIN);
    uint64_t first = m.story_count - 1;
    try_p(&m, 101, 20, EAGAIN);
    try_p(&m, 101, 30, 0); /* acquired */
    cr_assert(strstr(last_line()->detail, "acquired"));
    cr_expect_eq(last_line()->closes1, first + 1, "the new line names the series it ends");
    try_p(&m, 101, 40, EAGAIN); /* a new series starts: not folded into the old one */
    cr_expect_eq(last_line()->more, 0);
    cr_expect_eq(model_story_line(&m, first)->more, 1);
    cr_expect_eq(last_line()->closes1, 0, "the line before it had no repeats");
}

Test(story_repeat, a_single_line_is_not_a_series)
{
    try_p(&m, 101, 10, EAGAIN);
    try_p(&m, 101, 20, 0);
    cr_expect_eq(last_line()->closes1, 0);
    cr_expect_eq(model_story_line(&m, m.story_count - 2)->more, 0);
}

/* The fold is a pure function of the records: a second model fed the same
 * events has the same story, line for line. */
Test(story_repeat, same_records_same_story)
{
    static struct model m2;
    model_init(&m2);
    m2.nroles = 1;
    strcpy(m2.role_names[0], "worker");
    model_add_proc(&m2, 101, 1, 0, 1, "worker-1");
    model_add_proc(&m2, 102, 1, 0, 2, "worker-2");
    int errs[] = {EAGAIN, EAGAIN, 0, EAGAIN, EAGAIN, EAGAIN, 0};
    for (int k = 0; k < 7; k++) {
        try_p(&m, 101 + k % 2, (uint64_t)k, errs[k]);
        try_p(&m2, 101 + k % 2, (uint64_t)k, errs[k]);
    }
    cr_assert_eq(m.story_count, m2.story_count);
    for (uint64_t i = 0; i < m.story_count; i++) {
        const struct model_line *x = model_story_line(&m, i), *y = model_story_line(&m2, i);
        cr_expect_str_eq(x->detail, y->detail);
        cr_expect_eq(x->more, y->more);
        cr_expect_eq(x->closes1, y->closes1);
    }
}

/* Past the ring's capacity a folded line gives back the slot it took. */
Test(story_repeat, folding_keeps_the_ring_whole)
{
    for (int k = 0; k < MODEL_STORY_CAP + 5; k++)
        model_say(&m, LINE_NOTE, "", "", "note %d", k);
    uint64_t oldest = model_story_first(&m);
    char keep[128];
    snprintf(keep, sizeof keep, "%s", model_story_line(&m, oldest)->detail);
    try_p(&m, 101, 1, EAGAIN);
    uint64_t oldest2 = model_story_first(&m);
    snprintf(keep, sizeof keep, "%s", model_story_line(&m, oldest2)->detail);
    try_p(&m, 101, 2, EAGAIN); /* folds: the line it pushed out comes back */
    cr_expect_eq(model_story_first(&m), oldest2);
    cr_expect_str_eq(model_story_line(&m, oldest2)->detail, keep);
}
