/* test_loop.c — the one loop (view/loop.h) with a fake view: a pipe as its
 * input fd and a real scripted run at speed max. In a turn where both are
 * ready, the view's input is served before the engine's work; the view's
 * deadline fires (with a run and without one); the engine's DONE reaches
 * the view. */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "engine/engine.h"
#include "engine/registry.h"
#include "support.h"
#include "view/loop.h"

struct fake {
    struct engine *e;
    int rfd;
    char log[4096]; /* T a turn begins, I input, E engine work, O the deadline */
    size_t nlog;
    uint64_t due_ns; /* the view's deadline, 0: none */
    uint64_t fired_ns;
    int inputs, bytes;
    bool done;
};

static void note(struct fake *f, char c)
{
    if (f->nlog + 1 < sizeof f->log)
        f->log[f->nlog++] = c;
}

static int fake_fds(void *self, struct pollfd *pfds, int max)
{
    struct fake *f = self;
    pfds[0] = (struct pollfd){f->rfd, POLLIN, 0};
    return 1;
}

static enum loop_verdict fake_input(void *self, const struct pollfd *pfds, int n)
{
    struct fake *f = self;
    cr_assert_eq(n, 1);
    char buf[64];
    ssize_t r = read(f->rfd, buf, sizeof buf);
    f->bytes += r > 0 ? (int)r : 0;
    f->inputs++;
    note(f, 'I');
    return LOOP_GO;
}

static enum loop_verdict fake_engine(void *self, int flags)
{
    struct fake *f = self;
    note(f, 'E');
    if (flags & ENGINE_DONE)
        f->done = true;
    return f->done && f->fired_ns ? LOOP_STOP : LOOP_GO;
}

static int fake_timeout_ms(void *self, uint64_t now)
{
    struct fake *f = self;
    note(f, 'T');
    return f->due_ns ? loop_ms_until(now, f->due_ns) : -1;
}

static enum loop_verdict fake_deadline(void *self, uint64_t now)
{
    struct fake *f = self;
    cr_assert_neq(f->due_ns, 0, "on_timeout without a deadline");
    cr_assert_geq(now, f->due_ns, "on_timeout before the deadline");
    note(f, 'O');
    f->fired_ns = now;
    f->due_ns = 0;
    return f->done || !engine_active(f->e) ? LOOP_STOP : LOOP_GO;
}

static const struct loop_view fake_view = {.input_fds = fake_fds,
                                           .on_input = fake_input,
                                           .on_engine = fake_engine,
                                           .next_timeout_ms = fake_timeout_ms,
                                           .on_timeout = fake_deadline};

/* Wait (without dispatching) until one of the engine's fds is ready. */
static bool engine_ready(struct engine *e, double timeout_s)
{
    double end = support_now() + timeout_s;
    while (support_now() < end) {
        struct pollfd pfds[ENGINE_MAX_POLLFDS];
        int n = engine_pollfds(e, pfds, ENGINE_MAX_POLLFDS);
        if (poll(pfds, (nfds_t)n, 10) > 0)
            return true;
    }
    return false;
}

static struct engine *start_sem(struct model *m)
{
    support_isolate_ipc();
    registry_init(-1);
    struct engine *e = engine_new(m);
    cr_assert_not_null(e);
    const struct scenario_def *s = scenario_find("sem");
    cr_assert_not_null(s);
    long vals[SCENARIO_MAX_PARAMS];
    char *words[] = {"workers=2", "rounds=3", "hold=0", "think=0"};
    char err[256];
    cr_assert_eq(scenario_parse_params(s, 4, words, vals, err, sizeof err), 0, "%s", err);
    cr_assert_eq(engine_start(e, s, vals, 0, err, sizeof err), 0, "%s", err);
    return e;
}

Test(loop, input_is_served_before_the_engine_and_the_deadline_fires, .timeout = 60)
{
    static struct model m;
    struct engine *e = start_sem(&m);
    int p[2];
    cr_assert_eq(pipe2(p, O_CLOEXEC | O_NONBLOCK), 0);
    cr_assert_eq(write(p[1], "ab", 2), 2);
    cr_assert(engine_ready(e, 10), "the run never woke the engine");
    struct fake f = {.e = e, .rfd = p[0], .due_ns = events_now_ns() + 30 * 1000000ull};
    struct loop_view v = fake_view;
    v.self = &f;
    uint64_t t0 = events_now_ns();
    cr_assert_eq(loop_run(e, &v), 0);
    f.log[f.nlog] = '\0';
    /* Both were ready before the first turn: input first, then the engine. */
    cr_assert(strncmp(f.log, "TIE", 3) == 0, "first turn: %.40s", f.log);
    cr_expect_eq(f.inputs, 1);
    cr_expect_eq(f.bytes, 2);
    cr_assert(f.done, "the run's end never reached the view: %.200s", f.log);
    cr_assert_eq(m.state, RUN_DONE);
    cr_assert_neq(f.fired_ns, 0, "the deadline never fired: %.200s", f.log);
    cr_expect_geq(f.fired_ns - t0, 30 * 1000000ull);
    /* In every turn, input (when there is some) comes before engine work. */
    for (const char *t = f.log; *t; t++)
        if (*t == 'E')
            for (const char *k = t + 1; *k && *k != 'T'; k++)
                cr_assert_neq(*k, 'I', "input after engine work in one turn: %s", f.log);
    close(p[0]);
    close(p[1]);
    engine_free(e);
}

Test(loop, the_deadline_fires_with_no_run_and_no_input, .timeout = 30)
{
    support_isolate_ipc();
    registry_init(-1);
    static struct model m;
    struct engine *e = engine_new(&m);
    cr_assert_not_null(e);
    int p[2];
    cr_assert_eq(pipe2(p, O_CLOEXEC | O_NONBLOCK), 0);
    uint64_t t0 = events_now_ns();
    struct fake f = {.e = e, .rfd = p[0], .due_ns = t0 + 40 * 1000000ull};
    struct loop_view v = fake_view;
    v.self = &f;
    cr_assert_eq(loop_run(e, &v), 0);
    f.log[f.nlog] = '\0';
    cr_assert_neq(f.fired_ns, 0);
    cr_expect_geq(f.fired_ns - t0, 40 * 1000000ull);
    cr_expect_lt(f.fired_ns - t0, 2000 * 1000000ull, "late by far: %llu ns",
                 (unsigned long long)(f.fired_ns - t0));
    cr_expect_eq(f.inputs, 0, "%s", f.log);
    /* One poll that waits, not a spin: a few turns at most. */
    cr_expect_leq(strlen(f.log), 6, "%s", f.log);
    close(p[0]);
    close(p[1]);
    engine_free(e);
}

Test(loop, ms_until_rounds_up_and_sooner_ignores_none)
{
    cr_expect_eq(loop_ms_until(5000000, 5000000), 0);
    cr_expect_eq(loop_ms_until(6000000, 5000000), 0);
    cr_expect_eq(loop_ms_until(0, 1), 1);
    cr_expect_eq(loop_ms_until(0, 2000000), 2);
    cr_expect_eq(loop_sooner(-1, 7), 7);
    cr_expect_eq(loop_sooner(7, -1), 7);
    cr_expect_eq(loop_sooner(-1, -1), -1);
    cr_expect_eq(loop_sooner(3, 0), 0);
}
