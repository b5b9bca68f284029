/* test_shm.c — the shm scenario run headless with real processes, for each
 * kind of shared memory: the checks hold with the mutex and are seen to fail
 * without it; the state shows segsz, nattch (counting ipcplay's read-only
 * view), cpid/lpid and the ring; `ipcs -m -i` agrees; an interrupted run
 * leaves no segment, /dev/shm name, semaphore set or process behind. */
#include <criterion/criterion.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "checks.h"

TestSuite(shm, .init = checks_setup, .fini = checks_teardown, .timeout = 240);

static void run_kind(const char *kind, const char *shows)
{
    struct run r;
    char k[32];
    snprintf(k, sizeof k, "kind=%s", kind);
    const char *const argv[] = {"ipcplay", "run", "shm", k, "--headless", "--speed", "max", NULL};
    int rc = support_run(&r, argv, 120);
    cr_assert_eq(rc, 0, "exit %d:\n%s", rc, r.out);
    cr_expect(strstr(r.out, "check: every_item_once ok (all 6 items"), "%s", r.out);
    cr_expect(strstr(r.out, "check: checksum ok"), "%s", r.out);
    cr_expect(strstr(r.out, shows), "%s", r.out);
    cr_expect(strstr(r.out, "ring ["), "%s", r.out);
    assert_left_nothing(&r, 3.0);
    support_free(&r);
}

Test(shm, sysv_holds_at_max_speed)
{
    run_kind("sysv", "segsz 80 nattch");
}
Test(shm, posix_holds_at_max_speed)
{
    run_kind("posix", "shm /ipcplay-");
}
Test(shm, anon_holds_at_max_speed)
{
    run_kind("anon", "shm anonymous (MAP_SHARED");
}

Test(shm, other_parameters_hold)
{
    struct run r;
    const char *const argv[] = {"ipcplay",     "run",     "shm",      "producers=3",
                                "consumers=2", "slots=2", "items=50", "kind=posix",
                                "--headless",  "--speed", "max",      NULL};
    int rc = support_run(&r, argv, 120);
    cr_assert_eq(rc, 0, "exit %d:\n%s", rc, r.out);
    cr_expect(strstr(r.out, "check: every_item_once ok (all 150 items"), "%s", r.out);
    cr_expect(strstr(r.out, "check: checksum ok"), "%s", r.out);
    assert_left_nothing(&r, 3.0);
    support_free(&r);
}

Test(shm, without_the_mutex_the_checks_fail)
{
    /* Two producers read the same head within the 50 ms hold. */
    struct run r;
    const char *const argv[] = {"ipcplay", "run",     "shm",        "sync=off",
                                "hold=50", "think=0", "--headless", NULL};
    int rc = support_run(&r, argv, 120);
    cr_assert_eq(rc, 1, "the corruption must be caught (exit 1), got %d:\n%s", rc, r.out);
    cr_expect(strstr(r.out, "check: every_item_once broken on purpose (sync=off"), "%s", r.out);
    cr_expect(strstr(r.out, "check: checksum broken on purpose (sync=off"), "%s", r.out);
    assert_left_nothing(&r, 3.0);
    support_free(&r);
}

Test(shm, kernel_view_at_human_pace)
{
    struct run r;
    const char *const argv[] = {"ipcplay",  "run",       "shm",        "items=2",
                                "hold=300", "think=100", "--headless", NULL};
    int rc = support_run(&r, argv, 120);
    cr_assert_eq(rc, 0, "exit %d:\n%s", rc, r.out);
    /* 2 producers + 2 consumers attached; ipcplay reads through their
     * memory and does not count */
    cr_expect(strstr(r.out, "nattch 4 cpid"), "%s", r.out);
    cr_expect(!strstr(r.out, "nattch 5 "), "%s", r.out);
    cr_expect(strstr(r.out, "sem 0 (empty)") && strstr(r.out, "sem 2 (mutex)"), "%s", r.out);
    cr_expect(strstr(r.out, "semtimedop(sem 2, -1)"), "someone must wait for the mutex:\n%s",
              r.out);
    cr_expect(strstr(r.out, "-> wrote 1000001 into slot"), "%s", r.out);
    assert_left_nothing(&r, 3.0);
    support_free(&r);
}

Test(shm, ipcs_agrees_during_a_run)
{
    struct run r;
    const char *const argv[] = {"ipcplay", "run",       "shm",        "items=50",
                                "hold=50", "think=500", "--headless", NULL};
    cr_assert_eq(support_start(&r, argv), 0);
    cr_assert(support_wait_output(&r, "nattch 4 ", 30), "%s", r.out ? r.out : "");
    char line[4096], ipcs[2048] = "";
    cr_assert(support_last_line(r.out, "nattch 4 ", line, sizeof line));
    long id = support_field(line, "shm ");
    char idbuf[24];
    snprintf(idbuf, sizeof idbuf, "%ld", id);
    const char *const ia[] = {"ipcs", "-m", "-i", idbuf, NULL};
    cr_assert_eq(support_capture(ia, ipcs, sizeof ipcs), 0, "ipcs failed: %s", ipcs);
    /* segsz, nattch, cpid and lpid do not change once everyone is attached */
    cr_expect_eq(support_field(ipcs, "bytes="), support_field(line, "segsz "), "%s\n%s", ipcs,
                 line);
    /* the program's own: ipcplay is not attached */
    cr_expect_eq(support_field(ipcs, "nattch="), 4, "%s", ipcs);
    cr_expect_eq(support_field(ipcs, "cpid="), support_field(line, "cpid "), "%s\n%s", ipcs, line);
    cr_expect_eq(support_field(ipcs, "lpid="), support_field(line, "lpid "), "%s\n%s", ipcs, line);
    kill(r.pid, SIGINT);
    cr_expect_eq(support_wait_exit(&r, 30), 128 + SIGINT);
    assert_left_nothing(&r, 3.0);
    support_free(&r);
}

static void shm_interrupt(const char *kind, bool kill_dashboard)
{
    struct run r;
    char k[32];
    snprintf(k, sizeof k, "kind=%s", kind);
    const char *const argv[] = {"ipcplay", "run", "shm", k, "items=100", "--headless", NULL};
    cr_assert_eq(support_start(&r, argv), 0);
    cr_assert(support_wait_output(&r, "-> read ", 30), "%s", r.out ? r.out : "");
    struct ipc_counts now;
    support_ipc_counts(&now);
    cr_expect_eq(now.sem, checks_before.sem + 1);
    cr_expect_eq(now.shm, checks_before.shm + (strcmp(kind, "sysv") == 0));
    cr_expect_eq(now.devshm, checks_before.devshm + (strcmp(kind, "posix") == 0));
    if (kill_dashboard) {
        pid_t d = support_dashboard_pid(&r, 5);
        cr_assert_gt(d, 0);
        kill(d, SIGKILL);
        cr_expect_eq(support_wait_exit(&r, 30), 128 + SIGKILL);
    } else {
        kill(r.pid, SIGINT);
        cr_expect_eq(support_wait_exit(&r, 30), 128 + SIGINT);
    }
    assert_left_nothing(&r, 3.0);
    support_free(&r);
}

Test(shm, sigint_midway_sysv)
{
    shm_interrupt("sysv", false);
}
Test(shm, sigint_midway_posix)
{
    shm_interrupt("posix", false);
}
Test(shm, sigint_midway_anon)
{
    shm_interrupt("anon", false);
}
Test(shm, sigkill_dashboard_posix)
{
    shm_interrupt("posix", true);
}
Test(shm, sigkill_dashboard_sysv)
{
    shm_interrupt("sysv", true);
}

Test(shm, listed_with_what_to_watch)
{
    struct run r;
    const char *const a[] = {"ipcplay", "list", "shm", NULL};
    cr_assert_eq(support_run(&r, a, 30), 0);
    cr_expect(strstr(r.out, "what to watch:"), "%s", r.out);
    cr_expect(strstr(r.out, "sysv|posix|anon"), "%s", r.out);
    support_free(&r);
}
