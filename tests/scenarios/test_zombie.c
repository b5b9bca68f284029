/* test_zombie.c — the zombie scenario with real processes: zombies are seen
 * in state Z before they are reaped, by each way of reaping; reap=none and a
 * SIGCHLD handler that does not loop leave zombies for ipcplay (exit 1);
 * orphans are adopted by ipcplay as subreaper; interrupted runs leave no
 * process behind. */
#include <criterion/criterion.h>

#include "checks.h"

TestSuite(zombie, .init = checks_setup, .fini = checks_teardown, .timeout = 180);

static void expect_all_ok(struct run *r, const char *reap_check)
{
    cr_expect(has(r, "check: seen_zombie ok (all"), "%s", r->out);
    cr_expect(has(r, reap_check), "%s", r->out);
    cr_expect(has(r, "check: none_left ok"), "%s", r->out);
}

Test(zombie, wait_shows_every_zombie)
{
    struct run r;
    int rc = run_max(&r, "zombie", NULL);
    cr_assert_eq(rc, 0, "exit %d, output:\n%s", rc, r.out);
    expect_all_ok(&r, "check: reaped_by_parent ok (parent-1 reaped all 3 children with wait()");
    /* The sampler's view: state Z with the exit status kept by the kernel. */
    cr_expect(has(&r, " Z zombie, exit status 2, not reaped ppid "), "%s", r.out);
    assert_left_nothing(&r, 3.0);
    support_free(&r);
}

Test(zombie, waitpid_newest_first)
{
    struct run r;
    const char *const w[] = {"reap=waitpid", "children=4", NULL};
    int rc = run_max(&r, "zombie", w);
    cr_assert_eq(rc, 0, "exit %d, output:\n%s", rc, r.out);
    expect_all_ok(&r, "check: reaped_by_parent ok (parent-1 reaped all 4 children with waitpid()");
    const char *c4 = strstr(r.out, "-> reaped child-4"), *c1 = strstr(r.out, "-> reaped child-1");
    cr_expect(c4 && c1 && c4 < c1, "waitpid should reap child-4 first:\n%s", r.out);
    support_free(&r);
}

Test(zombie, sigchld_handler_loops)
{
    struct run r;
    const char *const w[] = {"reap=sigchld", "children=5", "stagger=0", NULL};
    int rc = run_max(&r, "zombie", w);
    cr_assert_eq(rc, 0, "exit %d, output:\n%s", rc, r.out);
    expect_all_ok(&r,
                  "check: reaped_by_parent ok (parent-1 reaped all 5 children with its SIGCHLD");
    /* All five were zombies behind one pending signal: one call reaped them. */
    cr_expect(has(&r, "(5 in this call)"), "%s", r.out);
    support_free(&r);
}

Test(zombie, sigchld_handler_once_leaves_zombies)
{
    struct run r;
    const char *const w[] = {"reap=sigchld", "handler=once", NULL};
    int rc = run_max(&r, "zombie", w);
    cr_assert_eq(rc, 1, "exit %d, output:\n%s", rc, r.out);
    cr_expect(has(&r,
                  "check: reaped_by_parent broken on purpose (handler=once: 1 of 3 reaped by the "
                  "handler"),
              "%s", r.out);
    cr_expect(has(&r, "2 child(ren) left as zombies"), "%s", r.out);
    cr_expect(has(&r, "check: none_left ok"), "ipcplay must reap what is left:\n%s", r.out);
    assert_left_nothing(&r, 3.0);
    support_free(&r);
}

Test(zombie, reap_none_keeps_zombies_until_the_parent_exits)
{
    struct run r;
    const char *const w[] = {"reap=none", NULL};
    int rc = run_max(&r, "zombie", w);
    cr_assert_eq(rc, 1, "exit %d, output:\n%s", rc, r.out);
    cr_expect(has(&r, "check: seen_zombie ok (all 3"), "%s", r.out);
    cr_expect(has(&r, "check: reaped_by_parent broken on purpose (reap=none: 0 of 3 reaped by "
                      "parent-1; 3 stayed"),
              "%s", r.out);
    cr_expect(has(&r, "as its new parent (child subreaper)"), "%s", r.out);
    cr_expect(has(&r, "check: none_left ok"), "%s", r.out);
    assert_left_nothing(&r, 3.0);
    support_free(&r);
}

Test(zombie, orphans_are_adopted_by_ipcplay)
{
    struct run r;
    const char *const w[] = {"orphan=on", "children=2", NULL};
    int rc = run_max(&r, "zombie", w);
    cr_assert_eq(rc, 0, "exit %d, output:\n%s", rc, r.out);
    cr_expect(has(&r, "check: adopted ok (all 2 children outlived parent-1"), "%s", r.out);
    cr_expect(has(&r, "check: seen_zombie ok"), "%s", r.out);
    cr_expect(has(&r, "(the child subreaper): getppid()"), "%s", r.out);
    assert_left_nothing(&r, 3.0);
    support_free(&r);
}

Test(zombie, delay_zero_reaps_at_once)
{
    struct run r;
    const char *const w[] = {"delay=0", "children=4", NULL};
    int rc = run_max(&r, "zombie", w);
    cr_assert_eq(rc, 0, "exit %d, output:\n%s", rc, r.out);
    cr_expect(has(&r, "check: seen_zombie ok"), "%s", r.out);
    cr_expect(has(&r, "check: reaped_by_parent ok"), "%s", r.out);
    support_free(&r);
}

Test(zombie, parent_seen_blocked_in_wait4)
{
    /* delay=0 at human pace: the parent calls wait() long before the child
     * exits, and sleeps in wait4 meanwhile. */
    struct run r;
    const char *const argv[] = {"ipcplay",      "run",     "zombie",     "children=1",
                                "stagger=2000", "delay=0", "--headless", NULL};
    int rc = support_run(&r, argv, 60);
    cr_assert_eq(rc, 0, "exit %d, output:\n%s", rc, r.out);
    cr_expect(has(&r, "parent-1[") && has(&r, "] S wait4(any child)"), "%s", r.out);
    support_free(&r);
}

Test(zombie, interrupted_with_zombies_leaves_nothing)
{
    const char *const argv[] = {"ipcplay",     "run",        "zombie", "reap=none",
                                "delay=20000", "--headless", NULL};
    interrupt_midway(argv, "Z zombie, exit status 3", SIGINT, false);
}

Test(zombie, orphans_when_dashboard_killed)
{
    const char *const argv[] = {"ipcplay",      "run",        "zombie", "orphan=on",
                                "stagger=5000", "--headless", NULL};
    interrupt_midway(argv, "getppid()", SIGKILL, true);
}
