/* test_ipckeys.c — the keys scenario run headless with real processes: one
 * ftok key names a set, a queue and a segment; IPC_CREAT opens the existing
 * ones, IPC_CREAT|IPC_EXCL gets EEXIST, flags 0 with nsems/size 0 opens
 * them, and the mode refuses a stranger's alter operations (EACCES). Each
 * claim is seen to fail under the parameter that breaks it. The keyed
 * objects go on every exit path: a normal end, SIGINT and SIGTERM midway,
 * and kill -9 of the whole job (the next start proves them ours by key).
 * Also: every scenario's creation calls are told with their real arguments. */
#include <criterion/criterion.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>

#include "checks.h"

TestSuite(keys, .init = checks_setup, .fini = checks_teardown, .timeout = 180);

static void run_words(struct run *r, const char *const *words, int want_rc)
{
    int rc = run_max(r, "keys", words);
    cr_assert_eq(rc, want_rc, "exit %d:\n%s", rc, r->out);
}

Test(keys, every_claim_holds)
{
    struct run r;
    run_words(&r, NULL, 0);
    cr_expect(has(&r, "check: same_key ok"), "%s", r.out);
    cr_expect(has(&r, "check: creat_existing ok"), "%s", r.out);
    cr_expect(has(&r, "check: excl_eexist ok"), "%s", r.out);
    cr_expect(has(&r, "check: open_existing ok"), "%s", r.out);
    cr_expect(has(&r, "check: refused ok"), "%s", r.out);
    cr_expect(has(&r, "semget(0x"), "%s", r.out);
    cr_expect(has(&r, ", 1, IPC_CREAT|IPC_EXCL|0600) -> semid"), "%s", r.out);
    cr_expect(has(&r, "-> -1, EEXIST"), "%s", r.out);
    cr_expect(has(&r, "-> EACCES"), "%s", r.out);
    assert_left_nothing(&r, 3.0);
    support_free(&r);
}

Test(keys, another_proj_is_another_key)
{
    struct run r;
    const char *const w[] = {"lookup_proj=2", NULL};
    run_words(&r, w, 1);
    cr_expect(has(&r, "check: same_key FAILED"), "%s", r.out);
    cr_expect(has(&r, "check: open_existing FAILED"), "%s", r.out);
    cr_expect(has(&r, "-> -1, ENOENT"), "%s", r.out);
    cr_expect(has(&r, "check: creat_existing ok"), "%s", r.out);
    assert_left_nothing(&r, 3.0);
    support_free(&r);
}

Test(keys, without_ipc_excl_the_existing_object_is_opened)
{
    struct run r;
    const char *const w[] = {"excl=off", NULL};
    run_words(&r, w, 1);
    cr_expect(has(&r, "check: excl_eexist FAILED"), "%s", r.out);
    cr_expect(has(&r, "check: refused ok"), "%s", r.out);
    assert_left_nothing(&r, 3.0);
    support_free(&r);
}

Test(keys, mode_0666_lets_the_stranger_alter)
{
    struct run r;
    const char *const w[] = {"mode=0666", NULL};
    run_words(&r, w, 1);
    cr_expect(has(&r, "check: refused FAILED"), "%s", r.out);
    cr_expect(has(&r, "IPC_SET, {mode 0666}"), "%s", r.out);
    assert_left_nothing(&r, 3.0);
    support_free(&r);
}

static const char *const slow[] = {"ipcplay", "run", "keys", "gap=3000ms", "--headless", NULL};

Test(keys, sigint_midway_leaves_nothing)
{
    interrupt_midway(slow, "exclusive-1", SIGINT, false);
}

Test(keys, sigterm_to_the_dashboard_midway_leaves_nothing)
{
    interrupt_midway(slow, "exclusive-1", SIGTERM, true);
}

Test(keys, kill_9_of_the_whole_job_then_the_next_start_sweeps_the_keyed_objects)
{
    struct run r;
    cr_assert_eq(support_start(&r, slow), 0);
    cr_assert(support_wait_output(&r, "exclusive-1", 60), "%s", r.out ? r.out : "");
    pid_t d = support_dashboard_pid(&r, 5);
    cr_assert_gt(d, 0);
    kill(-r.pid, SIGKILL);
    kill(d, SIGKILL);
    waitpid(r.pid, &r.status, 0);
    cr_expect(support_procs_gone(r.token, 2.0), "processes must die with the dashboard");
    struct ipc_counts mid;
    support_ipc_counts(&mid);
    cr_expect_eq(mid.sem, checks_before.sem + 1, "the keyed set should be left for the sweep");
    struct run next;
    const char *const argv[] = {"ipcplay", "run", "sem",        "workers=1", "rounds=1",
                                "--speed", "max", "--headless", NULL};
    cr_expect_eq(support_run(&next, argv, 60), 0);
    assert_left_nothing(&next, 2.0);
    support_free(&next);
    support_free(&r);
}

/* Section 2 of the issue: every scenario's creation calls, as made. */
Test(keys, creation_calls_are_told_with_their_arguments)
{
    struct run r;
    const char *const sem[] = {"workers=1", "rounds=1", NULL};
    cr_assert_eq(run_max(&r, "sem", sem), 0, "%s", r.out);
    cr_expect(has(&r, "semget(IPC_PRIVATE, 1, IPC_CREAT|0600) -> semid"), "%s", r.out);
    cr_expect(has(&r, "SETALL, {1})"), "%s", r.out);
    cr_expect(has(&r, "shmget(IPC_PRIVATE, "), "%s", r.out);
    support_free(&r);
    const char *const msgq[] = {"qbytes=512", NULL};
    int rc = run_max(&r, "msgq", msgq);
    cr_expect(has(&r, "msgget(IPC_PRIVATE, IPC_CREAT|0600) -> msqid"), "rc %d %s", rc, r.out);
    cr_expect(has(&r, "IPC_SET, {msg_qbytes"), "%s", r.out);
    support_free(&r);
    const char *const shm[] = {"kind=posix", NULL};
    cr_assert_eq(run_max(&r, "shm", shm), 0, "%s", r.out);
    cr_expect(has(&r, "shm_open(\"/ipcplay-"), "%s", r.out);
    cr_expect(has(&r, "O_RDWR|O_CREAT|O_EXCL|O_CLOEXEC, 0600) -> fd"), "%s", r.out);
    cr_expect(has(&r, "then ftruncate(fd"), "%s", r.out);
    assert_left_nothing(&r, 3.0);
    support_free(&r);
}
