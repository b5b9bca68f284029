/* test_cleanup.c — nothing is left behind: after a normal run, after SIGINT,
 * SIGTERM and SIGHUP (to ipcplay, to the dashboard, to the whole job), and
 * within 2 seconds after SIGKILL of ipcplay or of its dashboard process, no
 * System V object, /dev/shm object or process of the run remains. */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "checks.h"

TestSuite(cleanup, .init = checks_setup, .fini = checks_teardown, .timeout = 120);

static const char *const long_run[] = {
    "ipcplay", "run", "sem", "workers=6", "rounds=100", "hold=200", "think=50", "--headless", NULL};

/* Start a long run and wait until workers are really contending. */
static void start_busy(struct run *r)
{
    cr_assert_eq(support_start(r, long_run), 0);
    cr_assert(support_wait_output(r, "acquired", 20), "the run never got going:\n%s",
              r->out ? r->out : "");
    struct ipc_counts now;
    support_ipc_counts(&now);
    cr_assert(now.sem > checks_before.sem && now.shm > checks_before.shm,
              "objects not visible during run");
    pid_t pids[16];
    cr_assert_geq(support_token_procs(r->token, pids, 16), 8, "guardian+dashboard+6 workers");
}

Test(cleanup, normal_run)
{
    struct run r;
    const char *const argv[] = {"ipcplay", "run", "sem",        "workers=4", "rounds=3",
                                "--speed", "max", "--headless", NULL};
    cr_assert_eq(support_run(&r, argv, 60), 0, "output:\n%s", r.out ? r.out : "");
    assert_left_nothing(&r, 2.0);
    support_free(&r);
}

static void signal_guardian(int sig)
{
    struct run r;
    start_busy(&r);
    kill(r.pid, sig);
    int rc = support_wait_exit(&r, 20);
    cr_expect_eq(rc, 128 + sig, "exit status %d after SIG%s", rc, sigabbrev_np(sig));
    assert_left_nothing(&r, 2.0);
    support_free(&r);
}

Test(cleanup, sigint)
{
    signal_guardian(SIGINT);
}
Test(cleanup, sigterm)
{
    signal_guardian(SIGTERM);
}
Test(cleanup, sighup)
{
    signal_guardian(SIGHUP);
}

Test(cleanup, sigint_whole_job)
{
    /* What Ctrl-C in a shell does: every process of the foreground job. */
    struct run r;
    start_busy(&r);
    kill(-r.pid, SIGINT);
    int rc = support_wait_exit(&r, 20);
    cr_expect_eq(rc, 128 + SIGINT);
    assert_left_nothing(&r, 2.0);
    support_free(&r);
}

Test(cleanup, sigterm_dashboard)
{
    struct run r;
    start_busy(&r);
    pid_t d = support_dashboard_pid(&r, 5);
    cr_assert_gt(d, 0);
    kill(d, SIGTERM);
    int rc = support_wait_exit(&r, 20);
    cr_expect_eq(rc, 128 + SIGTERM);
    assert_left_nothing(&r, 2.0);
    support_free(&r);
}

Test(cleanup, sigkill_ipcplay)
{
    struct run r;
    start_busy(&r);
    kill(r.pid, SIGKILL);
    waitpid(r.pid, &r.status, 0);
    assert_left_nothing(&r, 2.0);
    support_free(&r);
}

Test(cleanup, sigkill_dashboard)
{
    struct run r;
    start_busy(&r);
    pid_t d = support_dashboard_pid(&r, 5);
    cr_assert_gt(d, 0);
    kill(d, SIGKILL);
    int rc = support_wait_exit(&r, 20);
    cr_expect_eq(rc, 128 + SIGKILL);
    assert_left_nothing(&r, 2.0);
    support_free(&r);
}

static bool write_sysctl(const char *path, const char *value)
{
    FILE *f = fopen(path, "w");
    if (!f)
        return false;
    bool ok = fputs(value, f) >= 0;
    return fclose(f) == 0 && ok;
}

Test(cleanup, start_error_leaves_nothing)
{
    /* In our private IPC namespace, allow no shared memory segment at all:
     * the semaphore set is created first, then shmget fails. The error path
     * must remove the set, say why in one line, and exit 3. */
    cr_assert(support_isolate_ipc(), "needs a private IPC namespace (root)");
    char old[64] = "4096";
    FILE *f = fopen("/proc/sys/kernel/shmmni", "r");
    if (f) {
        if (!fgets(old, sizeof old, f))
            snprintf(old, sizeof old, "4096");
        fclose(f);
    }
    cr_assert(write_sysctl("/proc/sys/kernel/shmmni", "0"), "cannot lower shmmni");
    struct run r;
    const char *const argv[] = {"ipcplay", "run", "sem", "--speed", "max", "--headless", NULL};
    int rc = support_run(&r, argv, 60);
    write_sysctl("/proc/sys/kernel/shmmni", old);
    cr_expect_eq(rc, 3, "a runtime error exits 3, got %d:\n%s", rc, r.out ? r.out : "");
    cr_expect(r.out == NULL || strstr(r.out, "check:") == NULL);
    assert_left_nothing(&r, 2.0);
    support_free(&r);
}

static void interrupt_run(const char *const argv[], const char *needle, int sig)
{
    struct run r;
    cr_assert_eq(support_start(&r, argv), 0);
    cr_assert(support_wait_output(&r, needle, 20), "the run never got going:\n%s",
              r.out ? r.out : "");
    kill(r.pid, sig);
    cr_expect_eq(support_wait_exit(&r, 20), 128 + sig);
    assert_left_nothing(&r, 2.0);
    support_free(&r);
}

Test(cleanup, sigint_sem_wait0_while_zero_waiting)
{
    const char *const argv[] = {"ipcplay", "run",      "sem",        "op=wait0",
                                "sems=3",  "hold=10s", "--headless", NULL};
    interrupt_run(argv, "zcnt 4", SIGINT);
}

Test(cleanup, sigterm_msgq_midway)
{
    const char *const argv[] = {"ipcplay", "run", "msgq", "messages=100", "--headless", NULL};
    interrupt_run(argv, "-> got type", SIGTERM);
}

Test(cleanup, sighup_shm_posix_midway)
{
    const char *const argv[] = {"ipcplay",   "run",        "shm", "kind=posix",
                                "items=100", "--headless", NULL};
    interrupt_run(argv, "-> read ", SIGHUP);
}

Test(cleanup, sigkill_whole_job_then_next_start_sweeps)
{
    /* kill -9 of the whole job: dashboard and guardian die together. The
     * workers die with their parent (PR_SET_PDEATHSIG); the objects stay until
     * the next ipcplay start proves they were that run's and removes them. */
    struct run r;
    start_busy(&r);
    pid_t d = support_dashboard_pid(&r, 5);
    cr_assert_gt(d, 0);
    kill(-r.pid, SIGKILL);
    kill(d, SIGKILL); /* in case the dashboard is not in that group */
    waitpid(r.pid, &r.status, 0);
    cr_expect(support_procs_gone(r.token, 2.0), "workers must die with the dashboard");
    struct run next;
    const char *const argv[] = {"ipcplay", "run", "sem",        "workers=1", "rounds=1",
                                "--speed", "max", "--headless", NULL};
    cr_expect_eq(support_run(&next, argv, 60), 0);
    assert_left_nothing(&next, 2.0);
    support_free(&next);
    support_free(&r);
}

Test(cleanup, another_run_s_dev_shm_name_is_not_counted_as_ours)
{
    /* /dev/shm is shared by everyone on the machine: while we check that
     * our run left nothing, someone else's run may hold its own name there.
     * That is not our leak; a name whose dashboard is gone is. */
    pid_t other = fork();
    cr_assert_geq(other, 0);
    if (other == 0) {
        pause(); /* stands for another user's live dashboard */
        _exit(0);
    }
    char name[64];
    snprintf(name, sizeof name, "/ipcplay-%d-1-0", (int)other);
    int fd = shm_open(name, O_RDWR | O_CREAT | O_EXCL, 0600);
    cr_assert_geq(fd, 0);
    close(fd);
    cr_expect_not(support_devshm_ours(name + 1));
    struct run r;
    const char *const argv[] = {"ipcplay", "run", "sem",        "workers=2", "rounds=2",
                                "--speed", "max", "--headless", NULL};
    cr_expect_eq(support_run(&r, argv, 60), 0, "output:\n%s", r.out ? r.out : "");
    assert_left_nothing(&r, 2.0);
    support_free(&r);
    kill(other, SIGKILL);
    waitpid(other, NULL, 0);
    /* Its dashboard gone, the name is a leak whoever made it. */
    cr_expect(support_devshm_ours(name + 1));
    shm_unlink(name);
}

Test(cleanup, closed_stdout_is_a_runtime_error_not_output_elsewhere)
{
    /* Started with stdout closed, the next fd ipcplay opened took number 1
     * (the journal), and the whole story was written into it: exit 0 and a
     * journal full of text. Writing must fail instead: exit 3, nothing left. */
    extern char **environ;
    struct run r;
    memset(&r, 0, sizeof r);
    r.out_fd = -1;
    r.status = -1;
    snprintf(r.token, sizeof r.token, "t%d-closed-%ld", (int)getpid(), (long)time(NULL));
    char tok[96];
    snprintf(tok, sizeof tok, "IPCPLAY_TEST_TOKEN=%s", r.token);
    int ne = 0;
    while (environ[ne])
        ne++;
    char **env = calloc((size_t)ne + 2, sizeof *env);
    cr_assert_not_null(env);
    for (int i = 0; i < ne; i++)
        env[i] = environ[i];
    env[ne] = tok;
    char *const argv[] = {(char *)IPCPLAY_BIN, "run", "sem",        "workers=2", "rounds=2",
                          "--speed",           "max", "--headless", NULL};
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addclose(&fa, 1);
    cr_assert_eq(posix_spawn(&r.pid, IPCPLAY_BIN, &fa, NULL, argv, env), 0);
    posix_spawn_file_actions_destroy(&fa);
    free(env);
    int rc = support_wait_exit(&r, 60);
    cr_expect_eq(rc, 3, "exit %d", rc);
    assert_left_nothing(&r, 2.0);
}
