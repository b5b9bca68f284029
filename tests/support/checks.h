/* checks.h — shared by every scenario test: set up a private IPC namespace
 * and TMPDIR, run the binary headless, and assert that a run left nothing
 * behind (no System V or /dev/shm object beyond what was there before, no
 * process carrying the run's token, no entry in the private TMPDIR where the
 * run directory lived). Static helpers: include once per test file, after
 * criterion.h. */
#ifndef IPCPLAY_TEST_CHECKS_H
#define IPCPLAY_TEST_CHECKS_H

#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>

#include "support.h"

static struct ipc_counts checks_before __attribute__((unused));

static inline void checks_setup(void)
{
    support_isolate_ipc();
    support_tmpdir();
    support_ipc_counts(&checks_before);
}

static inline void checks_teardown(void)
{
    support_tmpdir_done();
}

/* Nothing of run r is left: IPC objects, processes, run directory. Kills
 * leftover processes so a failed test does not leave them either. */
static inline void assert_left_nothing(struct run *r, double within)
{
    struct ipc_counts got;
    cr_expect(support_ipc_settles(&checks_before, within, &got),
              "objects left: sem %d->%d msg %d->%d shm %d->%d /dev/shm %d->%d", checks_before.sem,
              got.sem, checks_before.msg, got.msg, checks_before.shm, got.shm, checks_before.devshm,
              got.devshm);
    const char *dir = support_tmpdir();
    bool empty = support_dir_empties(dir, within);
    cr_expect(empty, "%d entries left in the run's TMPDIR %s", support_dir_entries(dir), dir);
    bool gone = support_procs_gone(r->token, within);
    pid_t pids[16];
    int n = gone ? 0 : support_token_procs(r->token, pids, 16);
    cr_expect(gone, "%d process(es) of the run still alive, first pid %d", n, n ? pids[0] : 0);
    for (int i = 0; i < n && i < 16; i++)
        kill(pids[i], SIGKILL);
}

/* Run to the end at max speed with extra words; returns the exit code. */
static inline int run_max(struct run *r, const char *scenario, const char *const *words)
{
    const char *argv[24] = {"ipcplay", "run", scenario};
    int n = 3;
    for (int i = 0; words && words[i] && n < 20; i++)
        argv[n++] = words[i];
    argv[n++] = "--speed";
    argv[n++] = "max";
    argv[n++] = "--headless";
    argv[n] = NULL;
    return support_run(r, argv, 120);
}

static inline bool has(const struct run *r, const char *needle)
{
    return r->out && strstr(r->out, needle);
}

/* Start at human pace, wait for `needle`, then interrupt with `sig` sent
 * to ipcplay (or its dashboard with to_dashboard); expect a clean end. */
static inline void interrupt_midway(const char *const argv[], const char *needle, int sig,
                                    bool to_dashboard)
{
    struct run r;
    cr_assert_eq(support_start(&r, argv), 0);
    cr_assert(support_wait_output(&r, needle, 60), "never saw '%s':\n%s", needle,
              r.out ? r.out : "");
    pid_t target = r.pid;
    if (to_dashboard) {
        target = support_dashboard_pid(&r, 5);
        cr_assert_gt(target, 0);
    }
    kill(target, sig);
    int rc = support_wait_exit(&r, 30);
    cr_expect_eq(rc, 128 + sig, "exit status %d after SIG%s:\n%s", rc, sigabbrev_np(sig),
                 r.out ? r.out : "");
    assert_left_nothing(&r, 3.0);
    support_free(&r);
}

#endif
