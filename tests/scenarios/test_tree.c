/* test_tree.c — `ipcplay watch -- PROGRAM` and `watch --pid PID` on a
 * small foreign program of the tests' own (tests/programs/semq.c: a parent
 * and a child, a semaphore, a queue): its traced story with real arguments
 * and results, its waiters, a deliberate stall named, the story from
 * samples only (--no-trace, --pid), and bad input: a program that does not
 * exist, is not executable, exits at once, forks 300 children, ignores
 * SIGTERM, and a kill -9 of the dashboard. Nothing is left behind: no
 * process carrying the run's token; the program's own objects are removed
 * by id (they are the program's, not ipcplay's). */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/msg.h>
#include <sys/sem.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "engine/engine.h"
#include "engine/registry.h"
#include "engine/tree.h"
#include "commands/commands.h"
#include "support.h"

static void setup(void)
{
    support_isolate_ipc();
}

TestSuite(tree, .init = setup, .fini = support_reap_strays);

/* The program prints "semid S msqid Q": remove them (it may have not). */
static void remove_objects(const char *out)
{
    const char *p = strstr(out, "semid ");
    int semid, msqid;
    while (p && sscanf(p, "semid %d msqid %d", &semid, &msqid) != 2)
        p = strstr(p + 1, "semid ");
    if (!p)
        return;
    semctl(semid, 0, IPC_RMID);
    msgctl(msqid, IPC_RMID, NULL);
}

static int watch(struct run *r, const char *const *args, double timeout)
{
    int rc = support_run(r, args, timeout);
    cr_assert(support_procs_gone(r->token, 5), "processes left behind:\n%s", r->out);
    remove_objects(r->out);
    return rc;
}

Test(tree, turns_traced_story)
{
    struct run r;
    const char *argv[] = {"ipcplay", "watch", "--headless", "--", SEMQ_BIN, "turns", "2", NULL};
    int rc = watch(&r, argv, 30);
    cr_assert_eq(rc, 0, "exit %d:\n%s", rc, r.out);
    cr_assert(strstr(r.out, "story from traced calls: traced via preload"), "%s", r.out);
    cr_assert(strstr(r.out, "semget(IPC_PRIVATE, nsems 1, 0600) -> semid "), "%s", r.out);
    cr_assert(strstr(r.out, "fork -> child "), "%s", r.out);
    cr_assert(strstr(r.out, "semop(semid ") && strstr(r.out, "[{0, -1, 0}]) -> blocks: semval 0"),
              "%s", r.out);
    cr_assert(strstr(r.out, "[{0, 1, 0}]) -> 0"), "%s", r.out);
    cr_assert(strstr(r.out, "msgsnd(msqid ") && strstr(r.out, "type 1, 16 bytes) -> 0"), "%s",
              r.out);
    cr_assert(strstr(r.out, "output   parent: got pong 2"), "%s", r.out);
    cr_assert(strstr(r.out, "wait4("), "%s", r.out);
    cr_assert(strstr(r.out, "exit status 0, reaped by ipcplay"), "%s", r.out);
    cr_assert(!strstr(r.out, "STALL"), "%s", r.out);
    support_free(&r);
}

/* The same story from each way of tracing: ptrace chosen, and ptrace as
 * the fallback for a statically linked program the interposer cannot
 * reach. */
static void assert_turns_story(const char *out)
{
    cr_assert(strstr(out, "semget(IPC_PRIVATE, nsems 1, 0600) -> semid "), "%s", out);
    cr_assert(strstr(out, "fork -> child "), "%s", out);
    cr_assert(strstr(out, "[{0, -1, 0}]) -> blocks: semval 0"), "%s", out);
    cr_assert(strstr(out, "[{0, 1, 0}]) -> 0"), "%s", out);
    cr_assert(strstr(out, "type 1, 16 bytes) -> 0"), "%s", out);
    cr_assert(strstr(out, "wait4("), "%s", out);
    cr_assert(strstr(out, "exit status 0, reaped by ipcplay"), "%s", out);
}

Test(tree, turns_traced_via_ptrace)
{
    struct run r;
    const char *argv[] = {"ipcplay", "watch", "--headless", "--trace=ptrace", "--", SEMQ_BIN,
                          "turns",   "2",     NULL};
    int rc = watch(&r, argv, 30);
    cr_assert_eq(rc, 0, "exit %d:\n%s", rc, r.out);
    cr_assert(strstr(r.out, "story from traced calls: traced via ptrace"), "%s", r.out);
    assert_turns_story(r.out);
    support_free(&r);
}

Test(tree, static_program_falls_back_to_ptrace)
{
    struct run r;
    const char *argv[] = {"ipcplay",       "watch", "--headless", "--",
                          SEMQ_STATIC_BIN, "turns", "1",          NULL};
    int rc = watch(&r, argv, 30);
    cr_assert_eq(rc, 0, "exit %d:\n%s", rc, r.out);
    cr_assert(strstr(r.out, "traced via ptrace: a statically linked program"), "%s", r.out);
    assert_turns_story(r.out);
    support_free(&r);
    const char *want[] = {"ipcplay", "watch",         "--headless", "--trace=preload",
                          "--",      SEMQ_STATIC_BIN, "quick",      NULL};
    char said[512] = "";
    rc = support_run_stderr(&r, want, 20, said, sizeof said);
    cr_assert_eq(rc, 3, "--trace=preload of a static program is refused: %d\n%s", rc, said);
    cr_assert(strstr(said, "watch --trace=preload: a statically linked program"), "%s", said);
    support_free(&r);
}

/* POSIX shared memory and queues are told through the preload hook (they
 * are no system call of their own, or not one ptrace's filter stops at). */
Test(tree, posix_calls_told_via_preload)
{
    struct run r;
    const char *argv[] = {"ipcplay", "watch", "--headless", "--", SEMQ_BIN, "posix", NULL};
    int rc = watch(&r, argv, 30);
    cr_assert_eq(rc, 0, "exit %d:\n%s", rc, r.out);
    cr_assert(strstr(r.out, "output   posix 5"), "%s", r.out);
    cr_assert(strstr(r.out, "calls    shm_open(/semq-test-") &&
                  strstr(r.out, ", O_RDWR|O_CREAT|O_EXCL, 0600) -> fd "),
              "%s", r.out);
    cr_assert(strstr(r.out, "calls    shm_unlink(/semq-test-"), "%s", r.out);
    cr_assert(strstr(r.out, "-> mqd "), "%s", r.out);
    cr_assert(strstr(r.out, "mq_send(mqd ") && strstr(r.out, "5 bytes, prio 1) -> 0"), "%s", r.out);
    cr_assert(strstr(r.out, "up to 32 bytes) -> 5 bytes"), "%s", r.out);
    cr_assert(strstr(r.out, "calls    mq_unlink(/semq-test-"), "%s", r.out);
    support_free(&r);
}

/* The interposer trusts no fd named in its variable: a regular file, a
 * pipe, an fd that is not open, words that are not numbers. The program
 * then runs as without it, and nothing is written anywhere. */
Test(tree, hook_refuses_fds_that_are_not_its_rings)
{
    char file[] = "/tmp/ipcplay-hookfd-XXXXXX";
    int fd = mkstemp(file);
    cr_assert(fd >= 0);
    unlink(file);
    cr_assert_eq(ftruncate(fd, 1 << 20), 0);
    int p[2];
    cr_assert_eq(pipe(p), 0);
    char vals[4][32];
    snprintf(vals[0], sizeof vals[0], "%d,%d", fd, p[1]);
    snprintf(vals[1], sizeof vals[1], "%d,%d", p[0], p[1]);
    snprintf(vals[2], sizeof vals[2], "900,901");
    snprintf(vals[3], sizeof vals[3], "x,y");
    for (int i = 0; i < 4; i++) {
        pid_t pid = fork();
        if (pid == 0) {
            int out = open("/dev/null", O_WRONLY);
            dup2(out, 1);
            setenv("LD_PRELOAD", IPCPLAY_HOOK_LIB, 1);
            setenv("IPCPLAY_HOOK", vals[i], 1);
            execl(SEMQ_BIN, SEMQ_BIN, "quick", (char *)NULL);
            _exit(127);
        }
        int st;
        cr_assert_eq(waitpid(pid, &st, 0), pid);
        cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0, "IPCPLAY_HOOK=%s: status %d", vals[i], st);
    }
    char buf[16];
    cr_assert_eq(pread(fd, buf, sizeof buf, 0), (ssize_t)sizeof buf);
    for (size_t i = 0; i < sizeof buf; i++)
        cr_assert_eq(buf[i], 0, "the file was written");
    cr_assert_eq(fcntl(p[0], F_SETFL, O_NONBLOCK), 0);
    cr_assert_eq(read(p[0], buf, sizeof buf), -1, "the pipe was written");
    close(fd);
    close(p[0]);
    close(p[1]);
}

Test(tree, stall_named_with_waiters)
{
    struct run r;
    const char *argv[] = {"ipcplay", "watch", "--headless", "--", SEMQ_BIN, "stall", NULL};
    int rc = watch(&r, argv, 30);
    cr_assert_eq(rc, 1, "exit %d:\n%s", rc, r.out);
    cr_assert(strstr(r.out, "msgrcv(msqid ") && strstr(r.out, "-> blocks: no message of that type"),
              "%s", r.out);
    cr_assert(strstr(r.out, "waits: ") &&
                  strstr(r.out, "semval 0; no process of the tree is awake"),
              "%s", r.out);
    cr_assert(strstr(r.out, "STALL: every process of the tree is asleep on IPC"), "%s", r.out);
    cr_assert(strstr(r.out, "killed by signal 9, reaped by ipcplay"), "%s", r.out);
    support_free(&r);
}

Test(tree, stall_from_samples_only)
{
    struct run r;
    const char *argv[] = {"ipcplay", "watch",  "--headless", "--no-trace",
                          "--",      SEMQ_BIN, "stall",      NULL};
    int rc = watch(&r, argv, 30);
    cr_assert_eq(rc, 1, "exit %d:\n%s", rc, r.out);
    cr_assert(strstr(r.out, "story from samples only"), "%s", r.out);
    cr_assert(!strstr(r.out, "calls    semop"), "%s", r.out);
    cr_assert(strstr(r.out, "STALL:"), "%s", r.out);
    support_free(&r);
}

Test(tree, pid_of_a_running_tree)
{
    pid_t pid = fork();
    if (pid == 0) { /* its own group, so the test can end it and its child */
        setpgid(0, 0);
        int null = open("/dev/null", O_WRONLY);
        dup2(null, 1);
        dup2(null, 2);
        execl(SEMQ_BIN, "semq", "stall", (char *)NULL);
        _exit(127);
    }
    usleep(300 * 1000);
    char pidw[16];
    snprintf(pidw, sizeof pidw, "%d", (int)pid);
    struct run r;
    const char *argv[] = {"ipcplay", "watch", "--headless", "--pid", pidw, "--for", "5", NULL};
    int rc = support_run(&r, argv, 30);
    cr_assert_eq(rc, 1, "exit %d:\n%s", rc, r.out);
    cr_assert(strstr(r.out, "story from samples only: watch --pid"), "%s", r.out);
    cr_assert(strstr(r.out, "STALL:"), "%s", r.out);
    cr_assert_eq(kill(pid, 0), 0, "watch --pid must not signal the tree");
    kill(-pid, SIGKILL);
    waitpid(pid, NULL, 0);
    remove_objects(r.out);
    support_free(&r);
}

Test(tree, program_missing_or_not_executable)
{
    struct run r;
    const char *argv[] = {"ipcplay", "watch", "--headless", "--", "no-such-program-xyz", NULL};
    cr_assert_eq(support_run(&r, argv, 10), 2);
    support_free(&r);
    char path[] = "/tmp/ipcplay-notexec-XXXXXX";
    int fd = mkstemp(path);
    cr_assert(fd >= 0);
    close(fd);
    chmod(path, 0644);
    const char *argv2[] = {"ipcplay", "watch", "--headless", "--", path, NULL};
    cr_assert_eq(support_run(&r, argv2, 10), 2);
    support_free(&r);
    unlink(path);
    const char *argv3[] = {"ipcplay", "watch", "--headless", "--", NULL};
    cr_assert_eq(support_run(&r, argv3, 10), 2);
    support_free(&r);
}

Test(tree, exits_at_once)
{
    struct run r;
    const char *argv[] = {"ipcplay", "watch", "--headless", "--", SEMQ_BIN, "quick", NULL};
    int rc = watch(&r, argv, 20);
    cr_assert_eq(rc, 0, "exit %d:\n%s", rc, r.out);
    cr_assert(strstr(r.out, "exit status 0, reaped by ipcplay"), "%s", r.out);
    support_free(&r);
}

Test(tree, forks_300_and_ignores_sigterm)
{
    struct run r;
    const char *argv[] = {"ipcplay", "watch",  "--headless", "--for", "3",
                          "--",      SEMQ_BIN, "fork",       "300",   NULL};
    int rc = watch(&r, argv, 60);
    cr_assert_eq(rc, 0, "exit %d:\n%s", rc, r.out);
    cr_assert(strstr(r.out, "forked 300"), "%s", r.out);
    cr_assert(strstr(r.out, "killed and reaped at the end"), "%s", r.out);
    support_free(&r);
    const char *argv2[] = {"ipcplay", "watch",  "--headless",  "--for", "1",
                           "--",      SEMQ_BIN, "ignore-term", NULL};
    rc = watch(&r, argv2, 30);
    cr_assert_eq(rc, 0, "exit %d:\n%s", rc, r.out);
    support_free(&r);
}

Test(tree, kill_9_of_the_dashboard)
{
    struct run r;
    const char *argv[] = {"ipcplay", "watch", "--headless", "--", SEMQ_BIN, "fork", "20", NULL};
    cr_assert_eq(support_start(&r, argv), 0);
    cr_assert(support_wait_output(&r, "forked 20", 20), "%s", r.out);
    pid_t dash = support_dashboard_pid(&r, 5);
    cr_assert(dash > 0);
    kill(dash, SIGKILL);
    support_wait_exit(&r, 20);
    cr_assert(support_procs_gone(r.token, 10), "the tree outlived a kill -9 of the dashboard");
    support_free(&r);
}

/* pause holds the tree at its next traced call; step PID lets exactly one
 * call of that process through; resume lets it finish. */
static int count(const struct model *m, const char *needle)
{
    int n = 0;
    for (uint64_t i = model_story_first(m); i < m->story_count; i++) {
        const struct model_line *l = model_story_line(m, i);
        n += l && strstr(l->detail, needle) != NULL;
    }
    return n;
}

static void turn(struct engine *e, double seconds)
{
    double end = support_now() + seconds;
    while (support_now() < end && !engine_tree_done(e)) {
        struct pollfd p[ENGINE_MAX_POLLFDS];
        int n = engine_pollfds(e, p, ENGINE_MAX_POLLFDS);
        poll(p, (nfds_t)n, 50);
        engine_dispatch(e, p, n);
    }
}

static int input_host_said_n;
static char input_host_said[512];
static void input_host_print(void *self, int kind, const char *line)
{
    input_host_said_n++;
    snprintf(input_host_said, sizeof input_host_said, "%s", line);
}

/* watch --stdin: `input TEXT` is a line on the program's stdin, `input
 * --eof` its end of file; without --stdin the command says why not. */
Test(tree, input_types_to_the_program)
{
    static struct model m;
    registry_init(-1);
    struct engine *e = engine_new(&m);
    cr_assert(e);
    char *argv[] = {SEMQ_BIN, "read", NULL};
    struct tree_opts o = {.argv = argv, .trace = true, .period_ms = 100, .stdin_pipe = true};
    char err[256];
    cr_assert_eq(engine_watch_tree(e, &o, err, sizeof err), 0, "%s", err);
    struct cmd_host h = {.where = CMD_CONSOLE, .engine = e, .model = &m, .print = input_host_print};
    cr_assert_eq(command_run_line(&h, "input hello   world"), CMD_OK, "%s", input_host_said);
    turn(e, 0.5);
    cr_assert_eq(count(&m, "read: hello world"), 1);
    cr_assert_eq(count(&m, "eof"), 0, "stdin still open");
    cr_assert_eq(engine_tree_done(e), false);
    cr_assert_eq(command_run_line(&h, "input --eof"), CMD_OK, "%s", input_host_said);
    turn(e, 5);
    cr_assert(count(&m, "eof") >= 1, "the program read end of file");
    cr_assert(engine_tree_done(e));
    cr_assert_eq(command_run_line(&h, "input more"), CMD_ERROR);
    cr_assert(strstr(input_host_said, "closed"), "%s", input_host_said);
    engine_free(e);

    static struct model m2;
    e = engine_new(&m2);
    cr_assert(e);
    o.stdin_pipe = false;
    cr_assert_eq(engine_watch_tree(e, &o, err, sizeof err), 0, "%s", err);
    h.engine = e;
    h.act = NULL; /* the actions were the first engine's: taken from this one */
    h.model = &m2;
    cr_assert_eq(command_run_line(&h, "input hello"), CMD_ERROR);
    cr_assert(strstr(input_host_said, "stdin is /dev/null; start it with watch --stdin"), "%s",
              input_host_said);
    turn(e, 5);
    cr_assert(count(&m2, "eof") >= 1, "/dev/null: end of file at once");
    engine_free(e);
}

static void pause_and_step(int via, const char *how)
{
    static struct model m;
    registry_init(-1);
    struct engine *e = engine_new(&m);
    cr_assert(e);
    char *argv[] = {SEMQ_BIN, "turns", "1", NULL};
    struct tree_opts o = {.argv = argv, .trace = true, .via = via, .period_ms = 100};
    char err[256];
    cr_assert_eq(engine_watch_tree(e, &o, err, sizeof err), 0, "%s", err);
    cr_assert(strstr(m.tree.start.note, how), "%s", m.tree.start.note);
    cr_assert_eq(engine_tree_gate(e, TREE_GATE_PAUSE, 0, 0, err, sizeof err), 0, "%s", err);
    turn(e, 0.5);
    pid_t root = m.tree.start.root;
    cr_assert_eq(m.tree.held_pid, root, "held %d, root %d", m.tree.held_pid, root);
    cr_assert_eq(count(&m, "-> semid "), 0);
    cr_assert_eq(engine_tree_gate(e, TREE_GATE_STEP, 1, root, err, sizeof err), 0, "%s", err);
    turn(e, 0.5);
    cr_assert_eq(count(&m, "-> semid "), 1, "one step: semget went through");
    cr_assert_eq(count(&m, "-> msqid "), 0, "and msgget is held");
    cr_assert_eq(m.tree.held_pid, root);
    cr_assert_eq(engine_tree_kill(e, getpid(), 0), -1, "not the tree's: refused");
    cr_assert_eq(engine_tree_kill(e, root, 0), 0, "the tree's root may be signalled");
    cr_assert_eq(engine_tree_gate(e, TREE_GATE_RUN, 0, 0, err, sizeof err), 0, "%s", err);
    turn(e, 10);
    cr_assert(engine_tree_done(e), "the tree finished after resume");
    cr_assert(m.tree.root_reaped && m.tree.root_status == 0, "status %d", m.tree.root_status);
    engine_free(e);
}

Test(tree, pause_and_step_hold_traced_calls)
{
    pause_and_step(TREE_VIA_AUTO, "traced via preload");
}

Test(tree, pause_and_step_hold_ptrace_calls)
{
    pause_and_step(TREE_VIA_PTRACE, "traced via ptrace");
}
