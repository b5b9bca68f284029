/* test_deadlock.c — the deadlock scenario run headless with real processes:
 * the unsafe order ends in the cycle the engine names (for 2 and for 4
 * workers), the safe order finishes with none, the kernel view shows every
 * worker asleep in semtimedop on its neighbour's lock, and interrupting the
 * run -- before or during the deadlock -- leaves nothing behind. */
#include <criterion/criterion.h>
#include <signal.h>
#include <string.h>

#include "checks.h"

TestSuite(deadlock, .init = checks_setup, .fini = checks_teardown, .timeout = 240);

Test(deadlock, unsafe_order_is_reported_and_ends_the_run)
{
    struct run r;
    const char *const argv[] = {"ipcplay", "run", "deadlock", "--headless", "--speed", "max", NULL};
    int rc = support_run(&r, argv, 120);
    cr_assert_eq(rc, 0, "exit %d:\n%s", rc, r.out);
    cr_expect(strstr(r.out, "deadlock: worker-1 -> sem 1 -> worker-2 -> sem 0 -> worker-1"), "%s",
              r.out);
    cr_expect(strstr(r.out, "check: deadlock ok (cycle found"), "%s", r.out);
    cr_expect(strstr(r.out, "ipcplay ends the run"), "%s", r.out);
    assert_left_nothing(&r, 3.0);
    support_free(&r);
}

Test(deadlock, four_workers_make_one_long_cycle)
{
    struct run r;
    const char *const argv[] = {"ipcplay",    "run",     "deadlock", "workers=4",
                                "--headless", "--speed", "max",      NULL};
    int rc = support_run(&r, argv, 120);
    cr_assert_eq(rc, 0, "exit %d:\n%s", rc, r.out);
    cr_expect(strstr(r.out, "deadlock: worker-1 -> sem 1 -> worker-2 -> sem 2 -> worker-3 -> "
                            "sem 3 -> worker-4 -> sem 0 -> worker-1"),
              "%s", r.out);
    assert_left_nothing(&r, 3.0);
    support_free(&r);
}

#define CYCLE_OF_8                                                                                 \
    "worker-1 -> sem 1 -> worker-2 -> sem 2 -> worker-3 -> sem 3 -> worker-4 -> sem 4 -> "         \
    "worker-5 -> sem 5 -> worker-6 -> sem 6 -> worker-7 -> sem 7 -> worker-8 -> sem 0 -> "         \
    "worker-1"

Test(deadlock, eight_workers_check_names_the_whole_cycle)
{
    /* 176 characters of cycle: the check's detail once cut it at 111. */
    struct run r;
    const char *const argv[] = {"ipcplay",    "run",     "deadlock", "workers=8",
                                "--headless", "--speed", "max",      NULL};
    int rc = support_run(&r, argv, 120);
    cr_assert_eq(rc, 0, "exit %d:\n%s", rc, r.out);
    cr_expect(strstr(r.out, "check: deadlock ok (cycle found: " CYCLE_OF_8 ")\n"), "%s", r.out);
    assert_left_nothing(&r, 3.0);
    support_free(&r);

    const char *const json[] = {"ipcplay", "run",     "deadlock", "workers=8", "--headless",
                                "--json",  "--speed", "max",      NULL};
    rc = support_run(&r, json, 120);
    cr_assert_eq(rc, 0, "exit %d:\n%s", rc, r.out);
    cr_expect(strstr(r.out, "{\"type\":\"check\",\"name\":\"deadlock\",\"status\":\"ok\","
                            "\"detail\":\"cycle found: " CYCLE_OF_8 "\"}"),
              "%s", r.out);
    assert_left_nothing(&r, 3.0);
    support_free(&r);
}

Test(deadlock, without_the_barrier_the_check_says_what_the_run_showed)
{
    /* barrier=off at full speed: a cycle forms only when every worker
     * holds its first lock at once, which timing mostly prevents. Each run
     * must report what it saw -- a cycle or none -- and never fail by chance. */
    for (int i = 0; i < 6; i++) {
        struct run r;
        const char *const argv[] = {"ipcplay",    "run",     "deadlock", "barrier=off",
                                    "--headless", "--speed", "max",      NULL};
        int rc = support_run(&r, argv, 120);
        cr_expect_eq(rc, 0, "run %d: exit %d:\n%s", i, rc, r.out);
        cr_expect(strstr(r.out, "check: deadlock ok (cycle found: worker-1 -> sem 1") ||
                      strstr(r.out, "check: deadlock ok (no cycle this time: all 2 workers "
                                    "finished"),
                  "run %d:\n%s", i, r.out);
        assert_left_nothing(&r, 3.0);
        support_free(&r);
    }
}

Test(deadlock, safe_order_finishes_without_a_cycle)
{
    struct run r;
    const char *const argv[] = {"ipcplay",   "run",       "deadlock", "order=safe",
                                "workers=3", "rounds=20", "hold=1",   "--headless",
                                "--speed",   "max",       NULL};
    int rc = support_run(&r, argv, 120);
    cr_assert_eq(rc, 0, "exit %d:\n%s", rc, r.out);
    cr_expect(strstr(r.out, "check: deadlock ok (no cycle"), "%s", r.out);
    cr_expect(!strstr(r.out, "deadlock: worker-"), "%s", r.out);
    cr_expect(strstr(r.out, "exited with status 0"), "%s", r.out);
    assert_left_nothing(&r, 3.0);
    support_free(&r);
}

Test(deadlock, kernel_view_at_human_pace)
{
    struct run r;
    const char *const argv[] = {"ipcplay", "run", "deadlock", "hold=100", "--headless", NULL};
    int rc = support_run(&r, argv, 120);
    cr_assert_eq(rc, 0, "exit %d:\n%s", rc, r.out);
    cr_expect(strstr(r.out, "worker-1[") && strstr(r.out, "S semtimedop(sem 1, -1)"), "%s", r.out);
    cr_expect(strstr(r.out, "S semtimedop(sem 0, -1)"), "%s", r.out);
    cr_expect(strstr(r.out, "sem 0: val 0 ncnt 1") && strstr(r.out, "sem 1: val 0 ncnt 1"), "%s",
              r.out);
    cr_expect(strstr(r.out, "sem 2 (barrier)"), "%s", r.out);
    cr_expect(strstr(r.out, "was killed by SIGKILL"), "%s", r.out);
    assert_left_nothing(&r, 3.0);
    support_free(&r);
}

static void interrupt_after(const char *needle, const char *const argv[])
{
    struct run r;
    cr_assert_eq(support_start(&r, argv), 0);
    cr_assert(support_wait_output(&r, needle, 30), "%s", r.out ? r.out : "");
    kill(r.pid, SIGINT);
    cr_expect_eq(support_wait_exit(&r, 30), 128 + SIGINT);
    assert_left_nothing(&r, 3.0);
    support_free(&r);
}

Test(deadlock, sigint_before_the_deadlock_leaves_nothing)
{
    const char *const argv[] = {"ipcplay", "run", "deadlock", "hold=10s", "--headless", NULL};
    interrupt_after("wait0(sem 2) -> semval reached 0", argv);
}

Test(deadlock, sigint_while_deadlocked_leaves_nothing)
{
    /* At a quarter speed the cycle stays on screen for 6 s before the run
     * ends: interrupt it then. */
    const char *const argv[] = {"ipcplay", "run",  "deadlock",   "hold=0",
                                "--speed", "0.25", "--headless", NULL};
    interrupt_after("deadlock: worker-1", argv);
}

Test(deadlock, sigint_midway_in_safe_order_leaves_nothing)
{
    const char *const argv[] = {"ipcplay",   "run",        "deadlock", "order=safe",
                                "rounds=50", "--headless", NULL};
    interrupt_after("acquired", argv);
}

Test(deadlock, listed_with_what_to_watch)
{
    struct run r;
    const char *const a[] = {"ipcplay", "list", "deadlock", NULL};
    cr_assert_eq(support_run(&r, a, 30), 0);
    cr_expect(strstr(r.out, "what to watch:"), "%s", r.out);
    cr_expect(strstr(r.out, "unsafe|safe"), "%s", r.out);
    support_free(&r);
}
