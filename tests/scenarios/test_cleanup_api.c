/* test_cleanup_api.c — the runs issue 12's API scenarios added leave nothing
 * behind when interrupted midway (SIGINT, SIGTERM, SIGHUP to ipcplay): a
 * writer asleep on a full pipe, a parent polling waitpid with a stopped
 * child, a sleeper interrupted by EINTR, workers taking two locks at once,
 * a FIFO reader asleep in open. */
#include <criterion/criterion.h>
#include <signal.h>

#include "checks.h"

TestSuite(cleanup_api, .init = checks_setup, .fini = checks_teardown, .timeout = 120);

static void interrupt_run(const char *const argv[], const char *needle, int sig)
{
    struct run r;
    cr_assert_eq(support_start(&r, argv), 0);
    cr_assert(support_wait_output(&r, needle, 60), "the run never got going:\n%s",
              r.out ? r.out : "");
    kill(r.pid, sig);
    cr_expect_eq(support_wait_exit(&r, 20), 128 + sig);
    assert_left_nothing(&r, 2.0);
    support_free(&r);
}

Test(cleanup_api, sigint_pipebuf_writer_asleep_on_a_full_pipe)
{
    const char *const argv[] = {"ipcplay", "run", "pipebuf", "gap=1s", "--headless", NULL};
    interrupt_run(argv, "the next write sleeps", SIGINT);
}

Test(cleanup_api, sigterm_wait_while_a_child_is_stopped)
{
    const char *const argv[] = {"ipcplay",   "run",        "wait", "untraced=off",
                                "gap=200ms", "--headless", NULL};
    interrupt_run(argv, "kill(getpid(), SIGSTOP)", SIGTERM);
}

Test(cleanup_api, sighup_sem_after_eintr)
{
    /* think=0: the workers always queue on P, so the poker finds a sleeper */
    const char *const argv[] = {"ipcplay",   "run",        "sem",     "usr1=poke",  "workers=3",
                                "rounds=50", "hold=200ms", "think=0", "--headless", NULL};
    interrupt_run(argv, "-> EINTR", SIGHUP);
}

Test(cleanup_api, sigint_deadlock_atomic_midway)
{
    const char *const argv[] = {"ipcplay",   "run",        "deadlock", "order=atomic",
                                "rounds=50", "--headless", NULL};
    interrupt_run(argv, "in one semop", SIGINT);
}

Test(cleanup_api, sigterm_fifo_reader_asleep_in_open)
{
    const char *const argv[] = {"ipcplay",  "run",    "pipe",       "mode=fifo",
                                "probe=on", "gap=2s", "--headless", NULL};
    interrupt_run(argv, "ENXIO", SIGTERM);
}
