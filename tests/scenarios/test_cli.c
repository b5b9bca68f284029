/* test_cli.c — the real binary's command line, stderr included: a bad
 * parameter, an output that cannot be written and a stop by signal each
 * give exactly one line on stderr (the one asserted here, word for word)
 * and the documented exit status. */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "checks.h"
#include "scenarios/scenario.h"

TestSuite(cli, .init = checks_setup, .fini = checks_teardown, .timeout = 120);

extern char **environ;

struct outcome {
    char out[16384], err[4096];
    int status; /* exit code, 128+N after signal N, -1 on timeout */
};

/* Runs ipcplay with argv (argv[0] ignored). stdout goes to a pipe, or to
 * out_path when given (e.g. /dev/full); stderr to a pipe. When `needle`
 * shows on stdout, `sig` is sent to the ipcplay process started here. */
static void run_cli(struct run *r, struct outcome *o, const char *const argv[],
                    const char *out_path, const char *needle, int sig)
{
    memset(o, 0, sizeof *o);
    memset(r, 0, sizeof *r);
    r->status = o->status = -1;
    r->out_fd = -1;
    snprintf(r->token, sizeof r->token, "t%d-cli-%ld-%d", (int)getpid(), (long)time(NULL), rand());
    int po[2], pe[2];
    cr_assert_eq(pipe2(po, O_CLOEXEC), 0);
    cr_assert_eq(pipe2(pe, O_CLOEXEC), 0);
    const char *args[32] = {IPCPLAY_BIN};
    int n = 1;
    while (argv[n] && n < 31) {
        args[n] = argv[n];
        n++;
    }
    args[n] = NULL;
    int ne = 0;
    while (environ[ne])
        ne++;
    char **env = calloc((size_t)ne + 2, sizeof *env);
    cr_assert_not_null(env);
    int k = 0;
    for (int i = 0; i < ne; i++)
        if (strncmp(environ[i], "IPCPLAY_TEST_TOKEN=", 19) != 0)
            env[k++] = environ[i];
    char tok[96];
    snprintf(tok, sizeof tok, "IPCPLAY_TEST_TOKEN=%s", r->token);
    env[k++] = tok;
    env[k] = NULL;
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    if (out_path)
        posix_spawn_file_actions_addopen(&fa, 1, out_path, O_WRONLY, 0);
    else
        posix_spawn_file_actions_adddup2(&fa, po[1], 1);
    posix_spawn_file_actions_adddup2(&fa, pe[1], 2);
    posix_spawnattr_t attr;
    posix_spawnattr_init(&attr);
    sigset_t none, all;
    sigemptyset(&none);
    sigfillset(&all);
    posix_spawnattr_setsigmask(&attr, &none);
    posix_spawnattr_setsigdefault(&attr, &all);
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
    int rc = posix_spawn(&r->pid, IPCPLAY_BIN, &fa, &attr, (char *const *)args, env);
    posix_spawn_file_actions_destroy(&fa);
    posix_spawnattr_destroy(&attr);
    free(env);
    close(po[1]);
    close(pe[1]);
    cr_assert_eq(rc, 0, "cannot start %s: %s", IPCPLAY_BIN, strerror(rc));
    size_t lo = 0, le = 0;
    bool open_o = true, open_e = true, sent = false;
    double end = support_now() + 60;
    while ((open_o || open_e) && support_now() < end) {
        struct pollfd p[2] = {{.fd = open_o ? po[0] : -1, .events = POLLIN},
                              {.fd = open_e ? pe[0] : -1, .events = POLLIN}};
        if (poll(p, 2, 100) < 0 && errno != EINTR)
            break;
        if (p[0].revents) {
            ssize_t got = read(po[0], o->out + lo, sizeof o->out - 1 - lo);
            if (got > 0)
                lo += (size_t)got;
            else
                open_o = false;
        }
        if (p[1].revents) {
            ssize_t got = read(pe[0], o->err + le, sizeof o->err - 1 - le);
            if (got > 0)
                le += (size_t)got;
            else
                open_e = false;
        }
        o->out[lo] = o->err[le] = '\0';
        if (needle && !sent && strstr(o->out, needle)) {
            kill(r->pid, sig);
            sent = true;
        }
    }
    close(po[0]);
    close(pe[0]);
    int st;
    pid_t w;
    while ((w = waitpid(r->pid, &st, WNOHANG)) == 0 && support_now() < end + 10) {
        struct timespec ts = {0, 10 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    if (w != r->pid) {
        kill(r->pid, SIGKILL);
        waitpid(r->pid, &st, 0);
        return;
    }
    o->status = r->status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

static void expect_refused(const char *const argv[], const char *line)
{
    struct run r;
    struct outcome o;
    run_cli(&r, &o, argv, NULL, NULL, 0);
    cr_expect_eq(o.status, 2, "exit %d", o.status);
    cr_expect_str_eq(o.err, line);
    cr_expect_str_eq(o.out, "", "nothing started, nothing printed");
}

Test(cli, a_huge_whole_number_is_out_of_range)
{
    const char *const argv[] = {"ipcplay",    "run", "sem", "workers=99999999999999999999",
                                "--headless", NULL};
    expect_refused(argv, "ipcplay: workers=99999999999999999999 is out of range: accepted "
                         "1..256\n");
}

Test(cli, hex_and_exponents_are_not_numbers)
{
    const char *const hex[] = {"ipcplay", "run", "sem", "workers=0x10", "--headless", NULL};
    expect_refused(hex, "ipcplay: bad value '0x10' for workers: accepted a whole number 1..256, "
                        "in decimal digits\n");
    const char *const e[] = {"ipcplay", "run", "sem", "rounds=1e2", "--headless", NULL};
    expect_refused(e, "ipcplay: bad value '1e2' for rounds: accepted a whole number 1..100000, in "
                      "decimal digits\n");
    const char *const frac[] = {"ipcplay", "run", "sem", "workers=1.5", "--headless", NULL};
    expect_refused(frac, "ipcplay: bad value '1.5' for workers: accepted a whole number 1..256, "
                         "in decimal digits\n");
}

Test(cli, a_parameter_given_twice_is_refused)
{
    const char *const argv[] = {"ipcplay",   "run",        "sem", "workers=2",
                                "workers=3", "--headless", NULL};
    expect_refused(argv, "ipcplay: workers given twice (workers=2, then workers=3): give each "
                         "parameter once\n");
}

Test(cli, an_unknown_short_option_in_a_group_is_named)
{
    const char *const argv[] = {"ipcplay", "-Vx", NULL};
    struct run r;
    struct outcome o;
    run_cli(&r, &o, argv, NULL, NULL, 0);
    /* -V comes first and answers; the letter after it is never read */
    cr_expect_eq(o.status, 0);
    const char *const bad[] = {"ipcplay", "-xV", NULL};
    expect_refused(bad, "ipcplay: unknown option '-x' (see ipcplay --help)\n");
}

Test(cli, output_that_cannot_be_written_is_said_on_stderr)
{
    struct run r;
    struct outcome o;
    const char *const argv[] = {"ipcplay", "run", "sem",        "workers=2", "rounds=1",
                                "--speed", "max", "--headless", NULL};
    run_cli(&r, &o, argv, "/dev/full", NULL, 0);
    cr_expect_eq(o.status, 3, "exit %d", o.status);
    cr_expect_str_eq(o.err, "ipcplay: cannot write the output: No space left on device\n");
    assert_left_nothing(&r, 3.0);
    const char *const list[] = {"ipcplay", "list", NULL};
    run_cli(&r, &o, list, "/dev/full", NULL, 0);
    cr_expect_eq(o.status, 3, "exit %d", o.status);
    cr_expect_str_eq(o.err, "ipcplay: cannot write the output: No space left on device\n");
    const char *const version[] = {"ipcplay", "--version", NULL};
    run_cli(&r, &o, version, "/dev/full", NULL, 0);
    cr_expect_eq(o.status, 3, "exit %d", o.status);
    cr_expect_str_eq(o.err, "ipcplay: cannot write the output: No space left on device\n");
}

Test(cli, a_stop_by_signal_names_it_the_one_way)
{
    struct run r;
    struct outcome o;
    const char *const argv[] = {"ipcplay",   "run",        "sem", "workers=2",
                                "hold=1000", "--headless", NULL};
    run_cli(&r, &o, argv, NULL, "acquired", SIGTERM);
    cr_expect_eq(o.status, 128 + SIGTERM, "exit %d", o.status);
    cr_expect_str_eq(o.err, "ipcplay: stopped by SIGTERM; every process and object of the run "
                            "was removed\n");
    assert_left_nothing(&r, 3.0);
}

Test(cli, list_never_cuts_what_to_watch)
{
    /* `ipcplay list NAME` prints the whole paragraph, however long (msgq's
     * is over 512 bytes and was cut mid-word). */
    for (int i = 0; i < nscenarios; i++) {
        static char out[16384];
        const char *const argv[] = {IPCPLAY_BIN, "list", scenarios[i]->name, NULL};
        cr_assert_eq(support_capture(argv, out, sizeof out), 0);
        char want[2048];
        snprintf(want, sizeof want, "  what to watch: %s\n", scenarios[i]->watch);
        cr_expect(strstr(out, want), "%s: cut:\n%s", scenarios[i]->name, out);
    }
}
