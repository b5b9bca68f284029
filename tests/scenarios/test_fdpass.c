/* test_fdpass.c — the fdpass scenario with real processes: the fd is seen in
 * flight (scm_fds), arrives as another fd number for the same inode, both
 * read in turn from one offset, the receiver carries on after the sender's
 * close; pass=path breaks the shared offset (exit 1); the socket file, the
 * data file and the run directory are gone after every kind of ending. */
#include <criterion/criterion.h>

#include "checks.h"

TestSuite(fdpass, .init = checks_setup, .fini = checks_teardown, .timeout = 180);

Test(fdpass, default_run_all_checks_hold)
{
    struct run r;
    int rc = run_max(&r, "fdpass", NULL);
    cr_assert_eq(rc, 0, "exit %d, output:\n%s", rc, r.out);
    cr_expect(has(&r, "check: same_file ok (sender's fd 4 and receiver's fd 6: same device"), "%s",
              r.out);
    cr_expect(has(&r, "check: shared_offset ok (6 reads"), "%s", r.out);
    cr_expect(has(&r, "check: content ok (all 96 bytes"), "%s", r.out);
    cr_expect(has(&r, "check: carried_on ok"), "%s", r.out);
    /* The receiver waited until the sampler saw the fd in flight. */
    cr_expect(has(&r, "scm_fds 1 in flight]"), "%s", r.out);
    assert_left_nothing(&r, 3.0);
    support_free(&r);
}

Test(fdpass, bigger_file_more_turns)
{
    struct run r;
    const char *const w[] = {"bytes=5000", "chunk=100", "turns=5", NULL};
    int rc = run_max(&r, "fdpass", w);
    cr_assert_eq(rc, 0, "exit %d, output:\n%s", rc, r.out);
    cr_expect(has(&r, "check: content ok (all 5000 bytes"), "%s", r.out);
    assert_left_nothing(&r, 3.0);
    support_free(&r);
}

Test(fdpass, many_small_reads_after_the_close)
{
    /* 4000 one-byte reads after the sender closes: far more reads than the
     * model keeps records, and every check must still hold. */
    struct run r;
    const char *const w[] = {"bytes=4096", "chunk=1", "turns=3", "gap=0", NULL};
    int rc = run_max(&r, "fdpass", w);
    cr_assert_eq(rc, 0, "exit %d, output:\n%s", rc, r.out);
    cr_expect(has(&r, "check: content ok (all 4096 bytes"), "%s", r.out);
    cr_expect(has(&r, "check: carried_on ok (after the sender closed fd 4, the receiver read "
                      "4090 more time(s)"),
              "%s", r.out);
    assert_left_nothing(&r, 3.0);
    support_free(&r);
}

Test(fdpass, by_path_the_offsets_are_separate)
{
    struct run r;
    const char *const w[] = {"pass=path", NULL};
    int rc = run_max(&r, "fdpass", w);
    cr_assert_eq(rc, 1, "exit %d, output:\n%s", rc, r.out);
    cr_expect(has(&r, "check: same_file ok"), "same inode either way:\n%s", r.out);
    cr_expect(has(&r, "check: shared_offset broken on purpose (pass=path"), "%s", r.out);
    cr_expect(has(&r, "check: content broken on purpose (pass=path"), "%s", r.out);
    assert_left_nothing(&r, 3.0);
    support_free(&r);
}

Test(fdpass, state_lines_show_both_fd_tables)
{
    /* At human pace the sampler shows the sender's fd 4 and the receiver's
     * fd 6 on the same inode; the exact moment does not matter. */
    struct run r;
    const char *const argv[] = {"ipcplay", "run", "fdpass", "gap=200", "--headless", NULL};
    int rc = support_run(&r, argv, 60);
    cr_assert_eq(rc, 0, "exit %d, output:\n%s", rc, r.out);
    const char *s = strstr(r.out, "[fd 4 data.txt ino ");
    cr_assert(s, "%s", r.out);
    char ino[32];
    cr_assert_eq(sscanf(s, "[fd 4 data.txt ino %31s", ino), 1);
    char want[80];
    snprintf(want, sizeof want, "[fd 6 data.txt ino %s pos", ino);
    cr_expect(has(&r, want), "no '%s' in:\n%s", want, r.out);
    support_free(&r);
}

Test(fdpass, interrupted_leaves_nothing)
{
    const char *const argv[] = {"ipcplay", "run", "fdpass", "gap=3000", "--headless", NULL};
    interrupt_midway(argv, "in flight", SIGINT, false);
}

Test(fdpass, killed_dashboard_leaves_nothing)
{
    const char *const argv[] = {"ipcplay", "run", "fdpass", "gap=3000", "--headless", NULL};
    interrupt_midway(argv, "in flight", SIGKILL, true);
}
