/* test_msgq.c — the msgq scenario run headless with real processes: its
 * checks hold by default and with other parameters; MSG_NOERROR truncation is
 * seen to fail a check; the kernel view shows a receiver waiting for its type
 * and senders asleep on a full queue; the numbers agree with util-linux's
 * `ipcs -q -i`; and an interrupted run leaves nothing behind. */
#include <criterion/criterion.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "checks.h"

TestSuite(msgq, .init = checks_setup, .fini = checks_teardown, .timeout = 240);

Test(msgq, defaults_hold_at_max_speed)
{
    struct run r;
    const char *const argv[] = {"ipcplay", "run", "msgq", "--headless", "--speed", "max", NULL};
    int rc = support_run(&r, argv, 120);
    cr_assert_eq(rc, 0, "exit %d:\n%s", rc, r.out);
    cr_expect(strstr(r.out, "check: every_message_once ok (all 16 messages"), "%s", r.out);
    cr_expect(strstr(r.out, "check: selector_matches ok"), "%s", r.out);
    cr_expect(strstr(r.out, "check: kernel_order ok"), "%s", r.out);
    cr_expect(strstr(r.out, "check: whole_messages ok"), "%s", r.out);
    /* every 4th message is long: without MSG_NOERROR it meets E2BIG first */
    cr_expect(strstr(r.out, "E2BIG: the message it may take is longer"), "%s", r.out);
    cr_expect(strstr(r.out, "EIDRM") || strstr(r.out, "EINVAL"),
              "receivers must stop when the queue is removed:\n%s", r.out);
    assert_left_nothing(&r, 3.0);
    support_free(&r);
}

Test(msgq, other_parameters_hold)
{
    struct run r;
    const char *const argv[] = {"ipcplay",    "run",     "msgq",   "senders=4", "messages=40",
                                "types=5",    "sel=3",   "long=0", "size=100",  "qbytes=1000",
                                "--headless", "--speed", "max",    NULL};
    int rc = support_run(&r, argv, 120);
    cr_assert_eq(rc, 0, "exit %d:\n%s", rc, r.out);
    cr_expect(strstr(r.out, "check: every_message_once ok (all 160 messages"), "%s", r.out);
    cr_expect(strstr(r.out, "recv-upto3-1"), "%s", r.out);
    cr_expect(strstr(r.out, "recv-not3-1"), "%s", r.out);
    cr_expect(strstr(r.out, "msg_qbytes 16384 -> 1000"), "%s", r.out);
    assert_left_nothing(&r, 3.0);
    support_free(&r);
}

Test(msgq, nowait_gives_enomsg_and_still_holds)
{
    /* Nobody sends type 9: recv-type9 polls with IPC_NOWAIT and meets
     * ENOMSG until the queue is removed. */
    struct run r;
    const char *const argv[] = {"ipcplay", "run",    "msgq",    "nowait=on",  "sel=9",
                                "types=3", "gap=20", "work=10", "--headless", NULL};
    int rc = support_run(&r, argv, 120);
    cr_assert_eq(rc, 0, "exit %d:\n%s", rc, r.out);
    cr_expect(strstr(r.out, "recv-type9-1"), "%s", r.out);
    cr_expect(strstr(r.out, "ENOMSG: nothing of type 9 queued"), "%s", r.out);
    cr_expect(strstr(r.out, "check: every_message_once ok"), "%s", r.out);
    assert_left_nothing(&r, 3.0);
    support_free(&r);
}

Test(msgq, msg_noerror_truncation_fails_a_check)
{
    struct run r;
    const char *const argv[] = {"ipcplay",    "run",     "msgq", "noerror=on",
                                "--headless", "--speed", "max",  NULL};
    int rc = support_run(&r, argv, 120);
    cr_assert_eq(rc, 1, "truncation must be caught (exit 1), got %d:\n%s", rc, r.out);
    cr_expect(strstr(r.out, "check: whole_messages broken on purpose (noerror=on: 4 cut short"),
              "%s", r.out);
    cr_expect(strstr(r.out, "MSG_NOERROR cut the rest"), "%s", r.out);
    cr_expect(strstr(r.out, "check: every_message_once ok"), "%s", r.out);
    cr_expect(!strstr(r.out, "E2BIG:"), "MSG_NOERROR never returns E2BIG:\n%s", r.out);
    assert_left_nothing(&r, 3.0);
    support_free(&r);
}

/* Sum of the "T:N" counts after "by type" in a state line. */
static int by_type_total(const char *line)
{
    const char *p = strstr(line, "by type");
    if (!p)
        return -1;
    p += 7;
    int total = 0;
    while (*p == ' ') {
        char *end;
        strtol(p + 1, &end, 10);
        if (*end != ':')
            break;
        total += (int)strtol(end + 1, &end, 10);
        p = end;
    }
    return total;
}

Test(msgq, kernel_view_at_human_pace)
{
    /* Three 48-byte messages fill qbytes=144; receivers work a second per
     * message, so senders sleep on the full queue. Nobody sends type 9, so
     * recv-type9 sleeps in msgrcv the whole run. */
    struct run r;
    const char *const argv[] = {"ipcplay",   "run",        "msgq",   "senders=2",  "messages=6",
                                "types=3",   "sel=9",      "long=0", "qbytes=144", "gap=0",
                                "work=1000", "--headless", NULL};
    int rc = support_run(&r, argv, 120);
    cr_assert_eq(rc, 0, "exit %d:\n%s", rc, r.out);
    cr_expect(strstr(r.out, "S msgrcv(type 9)"), "%s", r.out);
    cr_expect(strstr(r.out, "blocks: no message of type 9 in the queue"), "%s", r.out);
    cr_expect(strstr(r.out, "S msgsnd(type "), "%s", r.out);
    cr_expect(strstr(r.out, "blocks: the queue is full"), "%s", r.out);
    char line[4096];
    cr_assert(support_last_line(r.out, "cbytes 144/144", line, sizeof line), "%s", r.out);
    cr_expect(strstr(line, "qnum 3 "), "%s", line);
    cr_expect_eq(by_type_total(line), 3, "the copied contents must count 3 messages: %s", line);
    cr_expect(strstr(r.out, "closer-1") && strstr(r.out, "wait0(sem 0)"), "%s", r.out);
    assert_left_nothing(&r, 3.0);
    support_free(&r);
}

Test(msgq, ipcs_agrees_during_a_run)
{
    /* A stable moment: the queue is full (5 x 48 = 240 = qbytes) and every
     * receiver works for 4 s. Compare our last state line with ipcs. */
    struct run r;
    const char *const argv[] = {"ipcplay", "run",       "msgq",       "senders=1", "messages=40",
                                "types=1", "sel=1",     "long=0",     "size=48",   "qbytes=240",
                                "gap=0",   "work=4000", "--headless", NULL};
    cr_assert_eq(support_start(&r, argv), 0);
    cr_assert(support_wait_output(&r, "cbytes 240/240", 30), "%s", r.out ? r.out : "");
    bool agreed = false;
    char line[4096] = "", ipcs[2048] = "";
    for (int attempt = 0; attempt < 10 && !agreed; attempt++) {
        support_wait_output(&r, "\n\n", 0.3); /* pump what is there */
        size_t len_before = r.len;
        cr_assert(support_last_line(r.out, "msgq ", line, sizeof line));
        long id = support_field(line, "msgq ");
        char idbuf[24];
        snprintf(idbuf, sizeof idbuf, "%ld", id);
        const char *const ia[] = {"ipcs", "-q", "-i", idbuf, NULL};
        cr_assert_eq(support_capture(ia, ipcs, sizeof ipcs), 0, "ipcs failed: %s", ipcs);
        support_wait_output(&r, "\n\n", 0.2);
        if (r.len != len_before && strstr(r.out + len_before, "state"))
            continue; /* something changed meanwhile: look again */
        agreed = support_field(ipcs, "qnum=") == support_field(line, "qnum ") &&
                 support_field(ipcs, "cbytes=") == support_field(line, "cbytes ") &&
                 support_field(ipcs, "qbytes=") == 240 &&
                 support_field(ipcs, "lspid=") == support_field(line, "lspid ") &&
                 support_field(ipcs, "lrpid=") == support_field(line, "lrpid ");
    }
    cr_expect(agreed, "ipcs says:\n%s\nwe say:\n%s", ipcs, line);
    kill(r.pid, SIGINT);
    cr_expect_eq(support_wait_exit(&r, 30), 128 + SIGINT);
    assert_left_nothing(&r, 3.0);
    support_free(&r);
}

static void msgq_interrupt(bool kill_dashboard)
{
    struct run r;
    const char *const argv[] = {"ipcplay",   "run",        "msgq", "messages=50",
                                "work=1000", "--headless", NULL};
    cr_assert_eq(support_start(&r, argv), 0);
    cr_assert(support_wait_output(&r, "-> got type", 30), "%s", r.out ? r.out : "");
    struct ipc_counts now;
    support_ipc_counts(&now);
    cr_expect_eq(now.msg, checks_before.msg + 1, "the queue should exist during the run");
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

Test(msgq, sigint_midway_leaves_nothing)
{
    msgq_interrupt(false);
}
Test(msgq, sigkill_of_the_dashboard_leaves_nothing)
{
    msgq_interrupt(true);
}

Test(msgq, impossible_queue_size_starts_nothing)
{
    struct run r;
    const char *const argv[] = {"ipcplay", "run",    "msgq",       "qbytes=100",
                                "size=48", "long=2", "--headless", NULL};
    int rc = support_run(&r, argv, 30);
    cr_expect_eq(rc, 2, "a plan that cannot run is a usage error, got %d", rc);
    cr_expect(r.out == NULL || !strstr(r.out, "summary"), "nothing should run");
    assert_left_nothing(&r, 3.0);
    support_free(&r);
}

Test(msgq, listed_with_what_to_watch)
{
    struct run r;
    const char *const a1[] = {"ipcplay", "list", NULL};
    cr_assert_eq(support_run(&r, a1, 30), 0);
    cr_expect(strstr(r.out, "msgq "), "%s", r.out);
    support_free(&r);
    const char *const a2[] = {"ipcplay", "list", "msgq", NULL};
    cr_assert_eq(support_run(&r, a2, 30), 0);
    cr_expect(strstr(r.out, "what to watch:"), "%s", r.out);
    cr_expect(strstr(r.out, "noerror"), "%s", r.out);
    cr_expect(strstr(r.out, "qbytes"), "%s", r.out);
    support_free(&r);
}
