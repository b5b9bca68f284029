/* test_engine_kill.c — the engine driven directly (no front end), around
 * signals: one sent with engine_kill shows in the very next sample (a child
 * asleep in a system call with no new events is otherwise re-read only every
 * tenth sample, and a stop or continue sends no event); a death just before
 * a stop is judged as a death, not as one of the stop's kills. */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "engine/engine.h"
#include "engine/registry.h"
#include "support.h"

static const struct param_def no_params[] = {{0}};

/* Two workers P on a semaphore that starts at 0: both sleep in semtimedop. */
static int build(const long *v, struct plan *p, char *err, size_t errlen)
{
    (void)v;
    (void)err;
    (void)errlen;
    int set = plan_add_semset(p, 1, 0);
    struct plan_role *w = plan_add_role(p, "worker", 2);
    plan_op(w, (struct op){.kind = OP_P, .obj = set, .arg0 = 0});
    plan_op(w, (struct op){.kind = OP_EXIT});
    return 0;
}

static const struct scenario_def blocked = {.name = "blocked",
                                            .summary = "",
                                            .watch = "",
                                            .params = no_params,
                                            .nparams = 0,
                                            .build = build};

static char kernel_state(pid_t pid)
{
    char path[64], buf[512];
    snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return '?';
    ssize_t n = read(fd, buf, sizeof buf - 1);
    close(fd);
    if (n <= 0)
        return '?';
    buf[n] = '\0';
    const char *p = strrchr(buf, ')');
    return p && p[1] == ' ' ? p[2] : '?';
}

static bool wait_kernel_state(pid_t pid, char want)
{
    double end = support_now() + 10;
    while (support_now() < end) {
        if (kernel_state(pid) == want)
            return true;
        struct timespec ts = {0, 2 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    return false;
}

Test(engine, a_signal_sent_with_engine_kill_shows_in_the_next_sample, .timeout = 60)
{
    support_isolate_ipc();
    registry_init(-1);
    static struct model m;
    struct engine *e = engine_new(&m);
    cr_assert_not_null(e);
    char err[256];
    cr_assert_eq(engine_start(e, &blocked, NULL, 0, err, sizeof err), 0, "%s", err);
    engine_set_sample_ms(e, 0); /* only the samples this test takes */
    double end = support_now() + 20;
    while (m.semsets[0].ncnt[0] < 2 && support_now() < end) {
        struct pollfd pfds[ENGINE_MAX_POLLFDS];
        int n = engine_pollfds(e, pfds, ENGINE_MAX_POLLFDS);
        if (poll(pfds, (nfds_t)n, 10) > 0)
            engine_dispatch(e, pfds, n);
        engine_sample_now(e);
    }
    cr_assert_eq(m.semsets[0].ncnt[0], 2);
    int wi = model_find_proc(&m, m.procs[1].pid);
    pid_t pid = m.procs[wi].pid;
    cr_assert(wait_kernel_state(pid, 'S'));
    engine_sample_full(e);
    cr_assert_eq(m.procs[wi].state, 'S');
    /* Ten samples: whichever of them is the child's periodic re-read, the
     * others must show the change too. */
    for (int k = 0; k < 5; k++) {
        cr_assert_eq(engine_kill(e, pid, SIGSTOP), 0);
        cr_assert(wait_kernel_state(pid, 'T'));
        engine_sample_now(e);
        cr_expect_eq(m.procs[wi].state, 'T', "round %d: stopped, but the sample says %c", k,
                     m.procs[wi].state);
        cr_assert_eq(engine_kill(e, pid, SIGCONT), 0);
        cr_assert(wait_kernel_state(pid, 'S'));
        engine_sample_now(e);
        cr_expect_eq(m.procs[wi].state, 'S', "round %d: continued, but the sample says %c", k,
                     m.procs[wi].state);
    }
    engine_stop(e);
    engine_free(e);
}

static bool in_semtimedop(pid_t pid)
{
    char path[64], buf[256];
    snprintf(path, sizeof path, "/proc/%d/syscall", (int)pid);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return false;
    ssize_t n = read(fd, buf, sizeof buf - 1);
    close(fd);
    buf[n > 0 ? n : 0] = '\0';
    char nr[16];
    snprintf(nr, sizeof nr, "%d ", (int)SYS_semtimedop);
    return strncmp(buf, nr, strlen(nr)) == 0;
}

Test(engine, a_death_just_before_stop_is_not_the_stop_s_kill, .timeout = 60)
{
    /* A holder is killed (SEM_UNDO lets the other worker in) and the run is
     * stopped before the engine handled that SIGCHLD. The holder died on its
     * own, inside: mutual exclusion held. Taken for one of the stop's kills,
     * it would count as a second process inside. */
    support_isolate_ipc();
    registry_init(-1);
    static struct model m;
    struct engine *e = engine_new(&m);
    cr_assert_not_null(e);
    const struct scenario_def *s = scenario_find("sem");
    cr_assert_not_null(s);
    long vals[SCENARIO_MAX_PARAMS];
    char *words[] = {"workers=2", "rounds=1", "hold=60000", "think=0"};
    char err[256];
    cr_assert_eq(scenario_parse_params(s, 4, words, vals, err, sizeof err), 0, "%s", err);
    cr_assert_eq(engine_start(e, s, vals, 1.0, err, sizeof err), 0, "%s", err);
    engine_set_sample_ms(e, 0);
    pid_t inside = 0, other = 0;
    double end = support_now() + 20;
    while (!inside && support_now() < end) {
        struct pollfd pfds[ENGINE_MAX_POLLFDS];
        int n = engine_pollfds(e, pfds, ENGINE_MAX_POLLFDS);
        if (poll(pfds, (nfds_t)n, 10) > 0)
            engine_dispatch(e, pfds, n);
        for (int i = 1; i < m.nprocs; i++)
            if (m.procs[i].cs_inside)
                inside = m.procs[i].pid;
    }
    cr_assert_gt(inside, 0);
    for (int i = 1; i < m.nprocs; i++)
        if (m.procs[i].pid != inside)
            other = m.procs[i].pid;
    cr_assert(wait_kernel_state(other, 'S'));
    end = support_now() + 10;
    while (!in_semtimedop(other) && support_now() < end) {
        struct timespec ts = {0, 2 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    cr_assert(in_semtimedop(other), "the other worker never waited in P");
    kill(inside, SIGKILL);
    /* SEM_UNDO gives the semaphore back: the other one gets in. */
    end = support_now() + 10;
    while (in_semtimedop(other) && support_now() < end) {
        struct timespec ts = {0, 2 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    cr_assert_not(in_semtimedop(other), "the other worker never got the semaphore");
    /* It is inside once the shared count says two (the dead one is never
     * counted out there). A sample reads it without touching SIGCHLD. */
    end = support_now() + 10;
    while (m.cs.occupancy < 2 && support_now() < end) {
        struct timespec ts = {0, 2 * 1000 * 1000};
        nanosleep(&ts, NULL);
        engine_sample_now(e);
    }
    cr_assert_eq(m.cs.occupancy, 2);
    engine_stop(e);
    int mi = -1;
    for (int i = 0; i < m.nchecks; i++)
        if (strcmp(m.checks[i].name, "mutual_exclusion") == 0)
            mi = i;
    cr_assert_geq(mi, 0);
    cr_expect_eq(m.checks[mi].status, CHECK_OK, "%s", m.checks[mi].detail);
    engine_free(e);
}
