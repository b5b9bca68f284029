/* test_hand.c — hands on a live run, the engine driven directly with the
 * console's own command lines: `you` (a real process of the run) does V and
 * wakes a sleeper, even while the run is paused; its blocked P is refused a
 * second command and interrupted (EINTR, as Ctrl-C does); a semop of two
 * sembufs that cannot pass applies none; `you` is reaped and forgotten with
 * the run. Then hands from outside (a process this test forks, not the
 * run's, on the run's own object id only): its V is told by pid and name
 * from sempid, and its IPC_RMID ends the run as interrupted, with no check
 * left saying ok. Each test runs in a private IPC namespace. */
#include <criterion/criterion.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/msg.h>
#include <sys/sem.h>
#include <sys/wait.h>
#include <unistd.h>

#include "commands/commands.h"
#include "engine/engine.h"
#include "engine/hand.h"
#include "engine/registry.h"
#include "support.h"

static const struct param_def no_params[] = {{0}};

/* One worker P()s semaphore 0 of a set of two, both at 0, then exits. */
static int build(const long *v, struct plan *p, char *err, size_t errlen)
{
    (void)v;
    (void)err;
    (void)errlen;
    int set = plan_add_semset(p, 2, 0);
    struct plan_role *w = plan_add_role(p, "worker", 1);
    plan_op(w, (struct op){.kind = OP_P, .obj = set, .arg0 = 0});
    plan_op(w, (struct op){.kind = OP_EXIT});
    return 0;
}

/* A check that would say ok about anything: an interrupted run must not. */
static void judge(struct model *m, const long *vals, int final)
{
    (void)vals;
    (void) final;
    model_set_check(m, "made_up", CHECK_OK, "says ok");
}

static const struct scenario_def waiting = {.name = "waiting",
                                            .summary = "",
                                            .watch = "",
                                            .params = no_params,
                                            .nparams = 0,
                                            .build = build,
                                            .judge = judge};

/* One receiver takes two messages of any type from a queue, then exits. */
static int build_queue(const long *v, struct plan *p, char *err, size_t errlen)
{
    (void)v;
    (void)err;
    (void)errlen;
    int q = plan_add_msgq(p, 0);
    struct plan_role *r = plan_add_role(p, "receiver", 1);
    for (int i = 0; i < 2; i++)
        plan_op(r, (struct op){.kind = OP_MSGRCV, .obj = q, .arg0 = 0, .arg1 = 1024});
    plan_op(r, (struct op){.kind = OP_EXIT});
    return 0;
}

static const struct scenario_def queue = {.name = "queue",
                                          .summary = "",
                                          .watch = "",
                                          .params = no_params,
                                          .nparams = 0,
                                          .build = build_queue};

static struct model m;
static struct engine *e;
static char printed[4096];

static void print(void *self, int kind, const char *line)
{
    (void)self;
    (void)kind;
    size_t n = strlen(printed);
    snprintf(printed + n, sizeof printed - n, "%s\n", line);
}

static struct cmd_host host;

static void start_def(const struct scenario_def *def);

static void start(void)
{
    start_def(&waiting);
}

static void start_def(const struct scenario_def *def)
{
    support_isolate_ipc();
    registry_init(-1);
    e = engine_new(&m);
    cr_assert_not_null(e);
    char err[256];
    cr_assert_eq(engine_start(e, def, NULL, 1.0, err, sizeof err), 0, "%s", err);
    engine_set_sample_ms(e, 0); /* only the samples this test takes */
    memset(&host, 0, sizeof host);
    host.where = CMD_CONSOLE;
    host.engine = e;
    host.model = &m;
    host.print = print;
    printed[0] = '\0';
}

static void turn(void)
{
    struct pollfd pfds[ENGINE_MAX_POLLFDS];
    int n = engine_pollfds(e, pfds, ENGINE_MAX_POLLFDS);
    if (poll(pfds, (nfds_t)n, 10) > 0)
        engine_dispatch(e, pfds, n);
    if (engine_active(e))
        engine_sample_now(e);
}

/* Turn the loop until cond holds (10 s at most). */
#define UNTIL(cond)                                                                                \
    do {                                                                                           \
        double end_ = support_now() + 10;                                                          \
        while (!(cond) && support_now() < end_)                                                    \
            turn();                                                                                \
    } while (0)

static bool story_has(const char *a, const char *b)
{
    for (uint64_t i = model_story_first(&m); i < m.story_count; i++) {
        const struct model_line *l = model_story_line(&m, i);
        char all[512];
        snprintf(all, sizeof all, "%s %s %s", l->who, l->what, l->detail);
        if (strstr(all, a) && (!b || strstr(all, b)))
            return true;
    }
    return false;
}

static const struct model_proc *you(void)
{
    for (int i = 0; i < m.nprocs; i++)
        if (strcmp(m.procs[i].name, "you") == 0)
            return &m.procs[i];
    return NULL;
}

static void finish_run(void)
{
    if (engine_active(e))
        engine_stop(e);
    cr_expect_eq(registry_count(0), 0, "the registry holds %d entries after the run",
                 registry_count(0));
    engine_free(e);
    e = NULL;
    support_reap_strays();
}

Test(hand, you_v_wakes_the_sleeper_even_while_paused_and_dies_with_the_run, .timeout = 60)
{
    start();
    UNTIL(m.nsemsets > 0 && m.semsets[0].ncnt[0] == 1);
    cr_assert_eq(m.semsets[0].ncnt[0], 1, "the worker never slept in P");
    engine_pause(e);
    UNTIL(m.state == RUN_PAUSED);
    cr_assert_eq(command_run_line(&host, "v 0"), CMD_OK, "%s", printed);
    UNTIL(story_has("worker-1", "acquired"));
    cr_expect_eq(m.state, RUN_PAUSED, "the hand's V needed no resume");
    const struct model_proc *y = you();
    cr_assert_not_null(y, "no process named you in the tree");
    char label[40];
    snprintf(label, sizeof label, "you[%d]", (int)y->pid);
    cr_expect(story_has(label, "V(sem 0)"), "no V told as %s's", label);
    cr_expect(story_has(label, "joins the run"));
    cr_expect(!story_has("outside the run", NULL), "your V taken for an outsider's");
    pid_t ypid = y->pid;
    char comm[32] = "";
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/comm", (int)ypid);
    FILE *f = fopen(path, "r");
    if (f) {
        cr_expect(fgets(comm, sizeof comm, f) != NULL);
        fclose(f);
    }
    cr_expect_str_eq(comm, "you\n", "PR_SET_NAME: comm is %s", comm);
    engine_resume(e);
    UNTIL(!engine_active(e));
    cr_assert(!engine_active(e), "the run did not end when its only worker did");
    cr_expect(you()->exited, "you was not reaped with the run");
    cr_expect_eq(kill(ypid, 0), -1, "you is still there");
    finish_run();
}

Test(hand, a_blocked_p_refuses_more_and_ctrl_c_interrupts_it, .timeout = 60)
{
    start();
    cr_assert_eq(command_run_line(&host, "p 1"), CMD_OK, "%s", printed);
    UNTIL(m.nsemsets > 0 && m.semsets[0].ncnt[1] == 1);
    cr_assert(engine_hand_busy(e), "you should be asleep in P(sem 1)");
    printed[0] = '\0';
    cr_expect_eq(command_run_line(&host, "v 1"), CMD_ERROR);
    cr_expect(strstr(printed, "you is still in P(sem 1): Ctrl-C (on an empty line) interrupts it"),
              "%s", printed);
    cr_assert_eq(engine_hand_interrupt(e), 0);
    UNTIL(story_has("EINTR: Ctrl-C sent you SIGINT", NULL));
    cr_expect(story_has("EINTR: Ctrl-C sent you SIGINT", "you gives the call up"));
    UNTIL(!engine_hand_busy(e));
    cr_expect(!engine_hand_busy(e));
    cr_expect_eq(engine_hand_interrupt(e), -1, "nothing to interrupt any more");
    /* two sembufs, one cannot pass: the kernel applies none */
    cr_assert_eq(command_run_line(&host, "semop 1:+1,0:-1 nowait"), CMD_OK, "%s", printed);
    UNTIL(story_has("EAGAIN: one sembuf could not pass", NULL));
    cr_expect(story_has("applied none (all or nothing): sem 1 0 -> 0, sem 0 0 -> 0", NULL));
    printed[0] = '\0';
    cr_expect_eq(command_run_line(&host, "p 5"), CMD_ERROR);
    cr_expect(strstr(printed, "no semaphore 5: this run's set has 2 (0 to 1)"), "%s", printed);
    cr_expect_eq(command_run_line(&host, "msgsnd 1 hi"), CMD_ERROR);
    cr_expect(strstr(printed, "this run has no message queue"), "%s", printed);
    finish_run();
}

/* your SEM_UNDO is your own: killing you gives the unit back */
Test(hand, killing_you_undoes_your_sem_undo, .timeout = 60)
{
    start();
    cr_assert_eq(command_run_line(&host, "setval 1 1"), CMD_OK, "%s", printed);
    UNTIL(story_has("SETVAL", NULL) || story_has("setval", NULL));
    cr_assert_eq(command_run_line(&host, "p 1 undo"), CMD_OK, "%s", printed);
    UNTIL(story_has("you[", "acquired"));
    engine_sample_now(e);
    cr_expect_eq(m.semsets[0].val[1], 0);
    printed[0] = '\0';
    cr_expect_eq(command_run_line(&host, "step you"), CMD_ERROR);
    cr_expect(strstr(printed, "you make your own calls"), "%s", printed);
    cr_assert_eq(command_run_line(&host, "kill you KILL"), CMD_OK, "%s", printed);
    UNTIL(you() && you()->exited);
    cr_assert(you()->exited, "you was not reaped after kill you");
    engine_sample_now(e);
    cr_expect_eq(m.semsets[0].val[1], 1, "the kernel did not undo your P");
    printed[0] = '\0';
    cr_expect_eq(command_run_line(&host, "v 0"), CMD_ERROR);
    cr_expect(strstr(printed, "is gone (killed)"), "%s", printed);
    finish_run();
}

/* A process outside the run: forked by the test (not the engine's child's
 * group), makes one call on the run's object, exits. */
static void outside(void (*call)(int), int id)
{
    pid_t pid = fork();
    cr_assert_geq(pid, 0);
    if (pid == 0) {
        setpgid(0, 0);
        prctl(PR_SET_NAME, "semv");
        call(id);
        /* wait to be looked at, so /proc/PID/comm still names it */
        sleep(2);
        _exit(0);
    }
    UNTIL(story_has("a process outside the run", NULL) || !engine_active(e));
    /* it exits by itself; the engine (a subreaper) may have reaped it first */
    waitpid(pid, NULL, 0);
}

static void outside_v(int semid)
{
    struct sembuf b = {1, 1, 0};
    semop(semid, &b, 1);
}

static void outside_rmid(int semid)
{
    semctl(semid, 0, IPC_RMID);
}

Test(hand, an_outside_v_is_told_by_pid_and_name, .timeout = 60)
{
    start();
    engine_set_sample_ms(e, 50); /* outside hands are looked for on the sampling timer */
    UNTIL(m.nsemsets > 0 && m.semsets[0].ncnt[0] == 1);
    /* past the second the set was made in: sem_ctime (seconds) then tells a
     * SETVAL from a V; within it, the story says "a semop or SETVAL" */
    double until = support_now() + 1.2;
    UNTIL(support_now() > until);
    outside(outside_v, m.semsets[0].semid);
    cr_expect(story_has("a process outside the run (pid ", ", semv) did V on sem 1: semval 0 -> 1"),
              "the outside V was not told");
    cr_expect(engine_active(e), "an outside V is no reason to end the run");
    finish_run();
}

static void outside_setval(int semid)
{
    semctl(semid, 1, SETVAL, 7);
}

/* SETVAL sets sempid too, but it is no V: sem_ctime says so */
Test(hand, an_outside_setval_is_told_as_setval_not_v, .timeout = 60)
{
    start();
    engine_set_sample_ms(e, 50);
    UNTIL(m.nsemsets > 0 && m.semsets[0].ncnt[0] == 1);
    double until = support_now() + 1.2;
    UNTIL(support_now() > until);
    outside(outside_setval, m.semsets[0].semid);
    cr_expect(story_has(", semv) did SETVAL on sem 1: semval 0 -> 7", NULL),
              "the outside SETVAL was not told as one");
    cr_expect(!story_has("did V on sem 1", NULL), "a SETVAL told as a V");
    finish_run();
}

static void outside_v0(int semid)
{
    struct sembuf b = {0, 1, 0};
    semop(semid, &b, 1);
}

/* The V lets the sleeping worker through at once: sempid names the worker
 * before any sample, so it is told from the run's events (nobody of the run
 * gave while the worker slept). */
Test(hand, an_outside_v_that_wakes_a_sleeper_is_told_too, .timeout = 60)
{
    start();
    engine_set_sample_ms(e, 50);
    UNTIL(m.nsemsets > 0 && m.semsets[0].ncnt[0] == 1);
    UNTIL(m.nprocs > 1 && m.procs[1].state == 'S' && m.procs[1].kernel.semid >= 0);
    double until = support_now() + 0.3; /* a few looks on the timer see it asleep */
    UNTIL(support_now() > until);
    outside(outside_v0, m.semsets[0].semid);
    cr_expect(story_has("a process outside the run gave sem 0 the unit that let worker-1[",
                        "(no V of the run's while it slept"),
              "the outside V that woke worker-1 was not told");
    finish_run();
}

Test(hand, an_outside_rmid_ends_the_run_as_interrupted, .timeout = 60)
{
    start();
    UNTIL(m.nsemsets > 0 && m.semsets[0].ncnt[0] == 1 && m.nchecks > 0);
    cr_assert_eq(m.checks[0].status, CHECK_OK);
    int id = m.semsets[0].semid;
    pid_t pid = fork();
    cr_assert_geq(pid, 0);
    if (pid == 0) {
        setpgid(0, 0);
        outside_rmid(id);
        _exit(0);
    }
    waitpid(pid, NULL, 0);
    UNTIL(!engine_active(e));
    cr_assert(!engine_active(e), "the run went on without its semaphore set");
    cr_expect(story_has("interrupted: semaphore set", "was removed by a process outside the run"));
    cr_expect(m.interrupted, "the run ended as a runtime error, not as interrupted");
    cr_expect(strncmp(m.error, "interrupted: semaphore set", 26) == 0, "error: %s", m.error);
    cr_expect_eq(m.checks[0].status, CHECK_PENDING, "a check still says %s",
                 model_check_word(m.checks[0].status));
    cr_expect(strstr(m.checks[0].detail, "not judged: interrupted"), "%s", m.checks[0].detail);
    finish_run();
}

static void outside_msgsnd(int msqid)
{
    struct {
        long type;
        char text[8];
    } msg = {3, "hi"};
    msgsnd(msqid, &msg, 2, 0);
}

/* Your message carries a header naming you and a checksum: the receiver
 * takes it whole, from you. One from outside has none: it is told as put
 * there from outside, not as a checksum error, and its sender by lspid. */
Test(hand, your_message_is_yours_and_an_outside_one_is_told_as_such, .timeout = 60)
{
    start_def(&queue);
    engine_set_sample_ms(e, 50);
    UNTIL(m.nprocs > 1 && m.procs[1].state == 'S');
    cr_assert_eq(command_run_line(&host, "msgsnd 2 hello from you"), CMD_OK, "%s", printed);
    UNTIL(story_has("receiver-1[", "got type 2 from you #1"));
    cr_expect(story_has("receiver-1[", "got type 2 from you #1"), "your message was not told");
    cr_expect(!story_has("CHECKSUM", NULL));
    cr_assert_gt(m.nmsgqs, 0);
    outside(outside_msgsnd, m.msgqs[0].msqid);
    UNTIL(!engine_active(e));
    cr_expect(story_has("receiver-1[", "got type 3 (2 bytes) that no process of the run sent"));
    cr_expect(story_has("a process outside the run (pid ", "sent a message to queue"));
    cr_expect(!story_has("CHECKSUM", NULL));
    finish_run();
}
