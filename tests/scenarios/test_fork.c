/* test_fork.c — the fork scenario with real processes: every claim holds by
 * default and with other parameters; each knob that should break a claim
 * does (exit 1); the exec'd helper shows up in /proc with its new comm and
 * exe; an interrupted run leaves nothing. */
#include <criterion/criterion.h>

#include "checks.h"

TestSuite(fork, .init = checks_setup, .fini = checks_teardown, .timeout = 180);

Test(fork, default_run_all_checks_hold)
{
    struct run r;
    int rc = run_max(&r, "fork", NULL);
    cr_assert_eq(rc, 0, "exit %d, output:\n%s", rc, r.out);
    cr_expect(has(&r, "check: fork_returns_twice ok"), "%s", r.out);
    cr_expect(has(&r, "check: child_ppid ok"), "%s", r.out);
    cr_expect(has(&r, "check: shared_offset ok (all 7 records"), "%s", r.out);
    cr_expect(has(&r, "check: copy_on_write ok"), "%s", r.out);
    cr_expect(has(&r, "check: exec_image ok"), "%s", r.out);
    cr_expect(has(&r, "check: cloexec ok (fd 4 (no FD_CLOEXEC) stayed open across exec; fd 5"),
              "%s", r.out);
    cr_expect(has(&r, "fork() returned 0 in the child"), "%s", r.out);
    /* The state line that shows the exec'd helper is printed before the
     * helper may go on: comm and exe changed, fd 4 still there. */
    cr_expect(has(&r, "comm fdreport exe fdreport [fd 4 shared.txt"), "%s", r.out);
    assert_left_nothing(&r, 3.0);
    support_free(&r);
}

Test(fork, stopped_by_for_leaves_checks_pending_not_failed)
{
    /* --for ends the run before the child execs: what was not reached is
     * pending, nothing failed, so the exit status is 0 (1 means a check
     * failed). */
    struct run r;
    const char *const argv[] = {"ipcplay", "run", "fork",       "gap=10000",
                                "--for",   "0.5", "--headless", NULL};
    int rc = support_run(&r, argv, 60);
    cr_expect(has(&r, "check: exec_image pending"), "%s", r.out);
    cr_expect_not(has(&r, "FAILED"), "%s", r.out);
    cr_expect_eq(rc, 0, "exit %d, output:\n%s", rc, r.out);
    assert_left_nothing(&r, 3.0);
    support_free(&r);
}

Test(fork, more_rounds_no_gap)
{
    struct run r;
    const char *const w[] = {"rounds=20", "gap=0", NULL};
    int rc = run_max(&r, "fork", w);
    cr_assert_eq(rc, 0, "exit %d, output:\n%s", rc, r.out);
    cr_expect(has(&r, "check: shared_offset ok (all 41 records"), "%s", r.out);
    assert_left_nothing(&r, 3.0);
    support_free(&r);
}

Test(fork, separate_offset_overwrites)
{
    struct run r;
    const char *const w[] = {"offset=separate", NULL};
    int rc = run_max(&r, "fork", w);
    cr_assert_eq(rc, 1, "exit %d, output:\n%s", rc, r.out);
    cr_expect(has(&r, "check: shared_offset broken on purpose (offset=separate"), "%s", r.out);
    cr_expect(has(&r, "check: copy_on_write ok"), "%s", r.out);
    assert_left_nothing(&r, 3.0);
    support_free(&r);
}

Test(fork, shared_page_is_not_copied)
{
    struct run r;
    const char *const w[] = {"page=shared", NULL};
    int rc = run_max(&r, "fork", w);
    cr_assert_eq(rc, 1, "exit %d, output:\n%s", rc, r.out);
    cr_expect(
        has(&r, "check: copy_on_write broken on purpose (page=shared: the parent's page changed"),
        "%s", r.out);
    cr_expect(has(&r, "check: shared_offset ok"), "%s", r.out);
    support_free(&r);
}

Test(fork, without_cloexec_the_fd_survives_exec)
{
    struct run r;
    const char *const w[] = {"cloexec=off", NULL};
    int rc = run_max(&r, "fork", w);
    cr_assert_eq(rc, 1, "exit %d, output:\n%s", rc, r.out);
    cr_expect(has(&r, "check: cloexec broken on purpose (cloexec=off: fd 5 survived exec"), "%s",
              r.out);
    cr_expect(has(&r, "fd 5 is still open after exec"), "%s", r.out);
    cr_expect(has(&r, "check: exec_image ok"), "%s", r.out);
    support_free(&r);
}

Test(fork, interrupted_midway_leaves_nothing)
{
    const char *const argv[] = {"ipcplay", "run", "fork", "gap=3000", "--headless", NULL};
    interrupt_midway(argv, "fork() returned 0 in the child", SIGINT, false);
}

Test(fork, dashboard_killed_leaves_nothing)
{
    /* kill -9 of the dashboard: the guardian removes the run directory
     * (shared.txt, the helper link) and the process group. */
    const char *const argv[] = {"ipcplay", "run", "fork", "gap=3000", "--headless", NULL};
    interrupt_midway(argv, "fork() returned 0 in the child", SIGKILL, true);
}
