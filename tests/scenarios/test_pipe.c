/* test_pipe.c — the pipe scenario with real processes, in each mode: every
 * byte arrives once and in order, the reader is seen asleep in read(), EOF
 * comes when the last write end closes; close_reader=on brings SIGPIPE or
 * EPIPE and close_unused=off withholds EOF (exit 1); a FIFO's path is gone
 * after a normal, an interrupted and a killed run. */
#include <criterion/criterion.h>

#include "checks.h"

TestSuite(pipe, .init = checks_setup, .fini = checks_teardown, .timeout = 180);

static void mode_holds(const char *mode, const char *blocked_in)
{
    struct run r;
    char arg[32];
    snprintf(arg, sizeof arg, "mode=%s", mode);
    const char *const w[] = {arg, NULL};
    int rc = run_max(&r, "pipe", w);
    cr_assert_eq(rc, 0, "%s: exit %d, output:\n%s", mode, rc, r.out);
    cr_expect(has(&r, "check: delivery ok"), "%s", r.out);
    cr_expect(has(&r, "check: eof ok"), "%s", r.out);
    cr_expect(has(&r, "check: reader_blocked ok"), "%s", r.out);
    /* The writer waited until the sampler saw this: deterministic. */
    cr_expect(has(&r, blocked_in), "%s: no '%s' in:\n%s", mode, blocked_in, r.out);
    assert_left_nothing(&r, 3.0);
    support_free(&r);
}

Test(pipe, mode_pipe)
{
    mode_holds("pipe", "S read(fd 4 pipe:[");
}
Test(pipe, mode_duplex)
{
    mode_holds("duplex", " S read(fd 4 pipe:[");
}
Test(pipe, mode_socketpair)
{
    mode_holds("socketpair", " S read(fd 5 socket:[");
}
Test(pipe, mode_fifo)
{
    mode_holds("fifo", "S openat(fifo)");
}

Test(pipe, a_megabyte_through_a_socketpair)
{
    struct run r;
    const char *const w[] = {"mode=socketpair", "bytes=1048576", "chunk=65536", NULL};
    int rc = run_max(&r, "pipe", w);
    cr_assert_eq(rc, 0, "exit %d, output:\n%s", rc, r.out);
    cr_expect(has(&r, "check: delivery ok (1048576 bytes each way, 2 way(s)"), "%s", r.out);
    support_free(&r);
}

Test(pipe, reader_gone_means_sigpipe)
{
    struct run r;
    const char *const w[] = {"close_reader=on", NULL};
    int rc = run_max(&r, "pipe", w);
    cr_assert_eq(rc, 1, "exit %d, output:\n%s", rc, r.out);
    cr_expect(has(&r, "check: delivery broken on purpose"), "%s", r.out);
    cr_expect(has(&r, "check: sigpipe ok (the reader was gone: the writer was killed by SIGPIPE)"),
              "%s", r.out);
    assert_left_nothing(&r, 3.0);
    support_free(&r);
}

Test(pipe, reader_gone_with_sigpipe_ignored_means_epipe)
{
    struct run r;
    const char *const w[] = {"mode=fifo", "close_reader=on", "sigpipe=ignore", NULL};
    int rc = run_max(&r, "pipe", w);
    cr_assert_eq(rc, 1, "exit %d, output:\n%s", rc, r.out);
    cr_expect(has(&r, "-> EPIPE"), "%s", r.out);
    cr_expect(has(&r, "check: sigpipe ok (the reader was gone: the writer got EPIPE"), "%s", r.out);
    assert_left_nothing(&r, 3.0);
    support_free(&r);
}

Test(pipe, unused_write_end_withholds_eof)
{
    struct run r;
    const char *const w[] = {"close_unused=off", NULL};
    int rc = run_max(&r, "pipe", w);
    cr_assert_eq(rc, 1, "exit %d, output:\n%s", rc, r.out);
    cr_expect(has(&r, "check: eof broken on purpose"), "%s", r.out);
    cr_expect(has(&r, "check: delivery ok"), "the bytes still arrive:\n%s", r.out);
    support_free(&r);
}

Test(pipe, endless_combination_is_refused)
{
    struct run r;
    const char *const w[] = {"close_reader=on", "close_unused=off", "bytes=100000", NULL};
    int rc = run_max(&r, "pipe", w);
    cr_expect_eq(rc, 2, "parameters that do not go together are a usage error, exit %d", rc);
    assert_left_nothing(&r, 3.0);
    support_free(&r);
}

Test(pipe, interrupted_fifo_leaves_nothing)
{
    const char *const argv[] = {"ipcplay",  "run",        "pipe",       "mode=fifo",
                                "gap=3000", "chunk=1024", "--headless", NULL};
    interrupt_midway(argv, "-> 1024 bytes (1024 so far)", SIGINT, false);
}

Test(pipe, killed_dashboard_fifo_leaves_nothing)
{
    const char *const argv[] = {"ipcplay",  "run",        "pipe",       "mode=fifo",
                                "gap=3000", "chunk=1024", "--headless", NULL};
    interrupt_midway(argv, "-> 1024 bytes (1024 so far)", SIGKILL, true);
}

Test(pipe, interrupted_duplex_leaves_nothing)
{
    const char *const argv[] = {"ipcplay",  "run",        "pipe",       "mode=duplex",
                                "gap=3000", "chunk=1024", "--headless", NULL};
    interrupt_midway(argv, "-> 1024 bytes (1024 so far)", SIGTERM, false);
}
