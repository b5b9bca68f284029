/* test_engine_kill.c — the engine driven directly (no front end): a signal
 * sent with engine_kill shows in the very next sample. A child asleep in a
 * system call with no new events is otherwise re-read only every tenth
 * sample (sampler.c), and a stop or continue sends no event. */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
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

static const struct scenario_def blocked = {.name = "blocked", .summary = "", .watch = "",
                                            .params = no_params, .nparams = 0, .build = build};

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
