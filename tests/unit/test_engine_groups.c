/* test_engine_groups.c — ipcplay signals only process groups that are still
 * its own. A long session of runs leaves the registry and the journal as
 * small as they started; and when a stranger later gets an old run's process
 * group id (forced with ns_last_pid in a private pid namespace), neither the
 * dashboard nor its guardian — even after kill -9 of the dashboard — sends
 * that stranger anything. */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "engine/engine_internal.h"
#include "engine/guardian.h"
#include "engine/journal.h"
#include "engine/registry.h"
#include "support.h"

static const struct param_def no_params[] = {{0}};

static int build(const long *v, struct plan *p, char *err, size_t errlen)
{
    (void)v;
    (void)err;
    (void)errlen;
    struct plan_role *w = plan_add_role(p, "worker", 2);
    plan_op(w, (struct op){.kind = OP_EXIT});
    return 0;
}

static const struct scenario_def quick = {
    .name = "quick", .summary = "", .watch = "", .params = no_params, .nparams = 0, .build = build};

/* One whole run; returns the process group it used. */
static pid_t one_run(struct engine *e)
{
    char err[256];
    if (engine_start(e, &quick, NULL, 0, err, sizeof err) < 0)
        return -1;
    pid_t pgid = e->pgid;
    double end = support_now() + 20;
    while (engine_active(e) && support_now() < end) {
        struct pollfd pfds[ENGINE_MAX_POLLFDS];
        int n = engine_pollfds(e, pfds, ENGINE_MAX_POLLFDS);
        if (poll(pfds, (nfds_t)n, 50) > 0)
            engine_dispatch(e, pfds, n);
    }
    return engine_active(e) ? -1 : pgid;
}

Test(groups, a_long_session_keeps_registry_and_journal_flat, .timeout = 120)
{
    support_isolate_ipc();
    registry_init(-1);
    static struct model m;
    struct engine *e = engine_new(&m);
    cr_assert_not_null(e);
    int most_lines = 0;
    for (int run = 0; run < 150; run++) {
        cr_assert_gt(one_run(e), 0, "run %d did not start or end", run);
        cr_assert_eq(registry_count(0), 0, "run %d left %d registry entries (%d groups)", run,
                     registry_count(0), registry_count(REG_PGID));
        if (journal_lines() > most_lines)
            most_lines = journal_lines();
    }
    cr_expect_leq(most_lines, 80, "the journal grew to %d lines", most_lines);
    engine_free(e);
    registry_clean_exit();
}

/* In the dashboard (pid namespace's third process): many runs, then a decoy
 * that takes an old run's group id, then kill -9 of ourselves so that the
 * guardian cleans up with whatever it was told. Writes the decoy's pid to
 * `report`. */
static _Noreturn void dashboard(int report)
{
    static struct model m;
    struct engine *e = engine_new(&m);
    if (!e)
        _exit(10);
    pid_t groups[40];
    int ng = 0;
    for (int run = 0; run < 40; run++) {
        pid_t g = one_run(e);
        if (g <= 0)
            _exit(11);
        groups[ng++] = g;
    }
    for (int i = ng - 1; i >= 0; i--) {
        int fd = open("/proc/sys/kernel/ns_last_pid", O_WRONLY | O_CLOEXEC);
        if (fd < 0)
            _exit(12);
        char buf[32];
        int n = snprintf(buf, sizeof buf, "%d", (int)groups[i] - 1);
        if (write(fd, buf, (size_t)n) != n)
            _exit(13);
        close(fd);
        pid_t decoy = fork();
        if (decoy == 0) {
            close_range(0, ~0u, 0); /* nothing of ours, the guardian's pipe least of all */
            setsid();               /* a stranger's new session: its group id is its pid */
            for (;;)
                pause();
        }
        if (decoy == groups[i]) {
            if (write(report, &decoy, sizeof decoy) != (ssize_t)sizeof decoy)
                _exit(14);
            break;
        }
        kill(decoy, SIGKILL);
        waitpid(decoy, NULL, 0);
    }
    raise(SIGKILL);
    _exit(15);
}

/* The pid namespace's init: starts the guardian (which starts the
 * dashboard), waits for it to finish, then says whether the decoy lived. */
static _Noreturn void ns_init(void)
{
    if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0 ||
        mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0)
        _exit(20);
    int p[2];
    if (pipe(p) < 0)
        _exit(21);
    pid_t g = fork();
    if (g == 0) {
        close(p[0]);
        int gfd = guardian_start(false); /* we become the guardian; the dashboard returns */
        registry_init(gfd);
        dashboard(p[1]);
    }
    close(p[1]);
    pid_t decoy = 0;
    ssize_t got = read(p[0], &decoy, sizeof decoy);
    int st;
    waitpid(g, &st, 0); /* the guardian has cleaned up and gone */
    if (got != (ssize_t)sizeof decoy)
        _exit(22);
    /* The decoy came to us (init) when the guardian left. */
    int alive = waitpid(decoy, &st, WNOHANG) == 0;
    kill(decoy, SIGKILL);
    waitpid(decoy, NULL, 0);
    _exit(alive ? 0 : 1);
}

Test(groups, a_stranger_with_an_old_group_id_is_never_signalled, .timeout = 120)
{
    support_isolate_ipc();
    if (geteuid() != 0)
        cr_skip_test("needs root for a private pid namespace");
    pid_t c = fork();
    cr_assert_geq(c, 0);
    if (c == 0) {
        if (unshare(CLONE_NEWPID | CLONE_NEWNS) < 0)
            _exit(30);
        pid_t init = fork();
        if (init == 0)
            ns_init();
        int st;
        waitpid(init, &st, 0);
        _exit(WIFEXITED(st) ? WEXITSTATUS(st) : 31);
    }
    int st;
    waitpid(c, &st, 0);
    cr_assert(WIFEXITED(st), "the namespace's test process died");
    int code = WEXITSTATUS(st);
    cr_expect_neq(code, 1, "the decoy holding an old run's group id was killed");
    cr_expect_eq(code, 0, "the test did not get to the decoy (code %d)", code);
}
