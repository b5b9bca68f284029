/* test_errors.c — a run that cannot do its work says so: a role whose call
 * fails ends the run as a runtime error (exit 3, one line naming the role,
 * the call, its errno and a hint), its checks stay pending instead of ok, and
 * nothing is left behind; a semaphore set larger than the kernel allows is
 * refused with the limit named. The kernel limits are lowered only inside a
 * private IPC namespace of this test's own, never on the host. */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "checks.h"

TestSuite(errors, .init = checks_setup, .fini = checks_teardown, .timeout = 120);

/* Enter a fresh IPC namespace (proved by a new /proc/self/ns/ipc inode)
 * and only then write value into the IPC sysctl at path. */
static void lower_ipc_limit(const char *path, const char *value)
{
    struct stat before, after;
    cr_assert_eq(stat("/proc/self/ns/ipc", &before), 0);
    if (unshare(CLONE_NEWIPC) != 0)
        cr_skip_test("no private IPC namespace (needs root): %s is left alone", path);
    cr_assert_eq(stat("/proc/self/ns/ipc", &after), 0);
    cr_assert_neq(before.st_ino, after.st_ino, "still in the old IPC namespace");
    int fd = open(path, O_WRONLY | O_CLOEXEC);
    cr_assert_geq(fd, 0, "open %s", path);
    cr_assert_eq(write(fd, value, strlen(value)), (ssize_t)strlen(value), "write %s", path);
    close(fd);
    support_ipc_counts(&checks_before); /* the new namespace's own (empty) view */
}

/* Run to the end with our stderr sent to a file; its text goes into err. */
static int run_capturing_stderr(struct run *r, const char *const argv[], char *err, size_t len)
{
    return support_run_stderr(r, argv, 40, err, len);
}

Test(errors, a_sender_that_cannot_send_ends_the_run_with_status_3)
{
    /* msgmax 16: every 48-byte msgsnd fails with EINVAL. Before, the
     * receivers slept forever and the checks said ok about 0 of 16. */
    lower_ipc_limit("/proc/sys/kernel/msgmax", "16");
    struct run r;
    char err[4096];
    const char *const argv[] = {"ipcplay", "run", "msgq", "--headless", "--speed", "max", NULL};
    int rc = run_capturing_stderr(&r, argv, err, sizeof err);
    cr_assert_eq(rc, 3, "a role that gave up is a runtime error (exit 3), got %d:\n%s\n%s", rc,
                 r.out ? r.out : "", err);
    cr_expect(strstr(err, "ipcplay: run error: sender-"), "%s", err);
    cr_expect(strstr(err, ": msgsnd(type ") && strstr(err, ") failed: EINVAL (Invalid argument)"),
              "%s", err);
    cr_expect(strstr(err, "a 48-byte message is longer than kernel.msgmax (16): see ipcs -l"), "%s",
              err);
    cr_expect_eq(strchr(err, '\n'), strrchr(err, '\n'), "one line:\n%s", err);
    cr_expect(has(&r, "gives up     msgsnd(type "), "%s", r.out);
    cr_expect(has(&r, "ipcplay ends the run"), "%s", r.out);
    cr_expect(!has(&r, " ok ("), "no check may be ok about work that did not happen:\n%s", r.out);
    cr_expect(has(&r, "check: every_message_once pending (0 of 16 received"), "%s", r.out);
    cr_expect(has(&r, "check: selector_matches pending"), "%s", r.out);
    cr_expect(has(&r, "check: kernel_order pending"), "%s", r.out);
    cr_expect(has(&r, "check: whole_messages pending"), "%s", r.out);
    assert_left_nothing(&r, 3.0);
    support_free(&r);
}

Test(errors, json_tells_the_error_and_pending_checks)
{
    lower_ipc_limit("/proc/sys/kernel/msgmax", "16");
    struct run r;
    char err[4096];
    const char *const argv[] = {"ipcplay", "run",     "msgq", "--headless",
                                "--json",  "--speed", "max",  NULL};
    int rc = run_capturing_stderr(&r, argv, err, sizeof err);
    cr_assert_eq(rc, 3, "exit %d:\n%s\n%s", rc, r.out ? r.out : "", err);
    cr_expect(has(&r, "\"type\":\"error\",") && has(&r, "\"what\":\"gives up\""), "%s", r.out);
    cr_expect(has(&r, "kernel.msgmax (16)"), "%s", r.out);
    cr_expect(!has(&r, "\"status\":\"ok\""), "%s", r.out);
    cr_expect(has(&r, "{\"type\":\"check\",\"name\":\"every_message_once\",\"status\":\"pending\""),
              "%s", r.out);
    cr_expect(strstr(err, "ipcplay: run error: sender-"), "%s", err);
    assert_left_nothing(&r, 3.0);
    support_free(&r);
}

Test(errors, a_set_larger_than_semmsl_names_the_limit)
{
    /* semmsl 4: deadlock workers=8 needs a set of 9 (8 locks + barrier). */
    lower_ipc_limit("/proc/sys/kernel/sem", "4 32000 32 128");
    struct run r;
    char err[4096];
    const char *const argv[] = {"ipcplay",    "run",     "deadlock", "workers=8",
                                "--headless", "--speed", "max",      NULL};
    int rc = run_capturing_stderr(&r, argv, err, sizeof err);
    cr_assert_eq(rc, 3, "exit %d:\n%s", rc, err);
    cr_expect(strstr(err, "ipcplay: cannot start deadlock: semget(9 semaphores) failed: EINVAL "
                          "(Invalid argument): a set of 9 is more than kernel.sem allows per set "
                          "(semmsl 4): see ipcs -l\n"),
              "%s", err);
    assert_left_nothing(&r, 3.0);
    support_free(&r);
}
