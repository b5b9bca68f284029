/* test_chatroom.c — the chatroom scenario run headless with real processes:
 * over TCP on 127.0.0.1 and over a UNIX socket, with POSIX and System V
 * shared memory, with a slow client and one that leaves midway, every line
 * reaches every other client once and in order, no buffer is overwritten
 * before its readers read it, and every child is reaped; sync=off breaks
 * the first two, visibly. Nothing is left behind: after a normal end,
 * SIGINT and SIGTERM midway, and kill -9 of the dashboard. */
#include <criterion/criterion.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>

#include "checks.h"

TestSuite(chatroom, .init = checks_setup, .fini = checks_teardown, .timeout = 180);

static void holds(const char *const *words, const char *deliveries)
{
    struct run r;
    int rc = run_max(&r, "chatroom", words);
    cr_assert_eq(rc, 0, "exit %d:\n%s", rc, r.out);
    cr_expect(has(&r, deliveries), "%s", r.out);
    cr_expect(has(&r, "check: no_overwrite ok"), "%s", r.out);
    cr_expect(has(&r, "check: every_child_reaped ok"), "%s", r.out);
    assert_left_nothing(&r, 3.0);
    support_free(&r);
}

Test(chatroom, tcp_posix_holds)
{
    const char *const w[] = {NULL};
    holds(w, "check: every_line_once_in_order ok (every line reached every other client once, "
             "in order per sender (24 deliveries))");
}

Test(chatroom, unix_sysv_holds)
{
    const char *const w[] = {"net=unix", "kind=sysv", "clients=4", NULL};
    holds(w, "(48 deliveries)");
}

Test(chatroom, a_slow_client_and_one_that_leaves_midway)
{
    const char *const w[] = {"clients=5", "lines=8", "slow=4", "quit=2", NULL};
    holds(w, "check: every_line_once_in_order ok");
}

Test(chatroom, the_story_tells_the_design)
{
    struct run r;
    const char *const w[] = {"quit=3", NULL};
    cr_assert_eq(run_max(&r, "chatroom", w), 0, "%s", r.out);
    cr_expect(has(&r, "socket(AF_INET) + bind(127.0.0.1:0) + listen -> fd"), "%s", r.out);
    cr_expect(has(&r, "socketpair -> its end fd"), "%s", r.out);
    cr_expect(has(&r, "in shared memory; tells the parent over the socketpair"), "%s", r.out);
    cr_expect(has(&r, "over their socketpairs"), "%s", r.out);
    cr_expect(has(&r, "disconnects midway"), "%s", r.out);
    cr_expect(has(&r, "waitpid(-1, WNOHANG) reaped conn-"), "%s", r.out);
    support_free(&r);
}

/* At human pace (scaled delays matter): the slow client's child falls
 * behind, and without sync the writers do not wait for it. */
Test(chatroom, sync_off_overwrites_a_buffer_before_it_is_read)
{
    struct run r;
    const char *const argv[] = {"ipcplay",    "run",       "chatroom",       "sync=off",
                                "slow=1",     "pace=30ms", "slowness=150ms", "lines=6",
                                "--headless", NULL};
    int rc = support_run(&r, argv, 120);
    cr_assert_eq(rc, 1, "exit %d:\n%s", rc, r.out);
    cr_expect(has(&r, "check: no_overwrite FAILED"), "%s", r.out);
    cr_expect(has(&r, "OVERWRITES buffer"), "%s", r.out);
    cr_expect(has(&r, "check: every_line_once_in_order FAILED"), "%s", r.out);
    cr_expect(has(&r, "check: every_child_reaped ok"), "%s", r.out);
    assert_left_nothing(&r, 3.0);
    support_free(&r);
}

static const char *const slow_run[] = {"ipcplay",  "run",        "chatroom", "pace=2000ms",
                                       "net=unix", "--headless", NULL};

Test(chatroom, sigint_midway_leaves_nothing)
{
    interrupt_midway(slow_run, "sends line 1", SIGINT, false);
}

Test(chatroom, sigterm_to_the_dashboard_midway_leaves_nothing)
{
    interrupt_midway(slow_run, "sends line 1", SIGTERM, true);
}

Test(chatroom, kill_9_of_the_dashboard_leaves_nothing)
{
    struct run r;
    cr_assert_eq(support_start(&r, slow_run), 0);
    cr_assert(support_wait_output(&r, "sends line 1", 60), "%s", r.out ? r.out : "");
    pid_t d = support_dashboard_pid(&r, 5);
    cr_assert_gt(d, 0);
    kill(d, SIGKILL);
    int rc = support_wait_exit(&r, 20);
    cr_expect_eq(rc, 128 + SIGKILL);
    assert_left_nothing(&r, 3.0);
    support_free(&r);
}
