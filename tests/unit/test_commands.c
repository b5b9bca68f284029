/* test_commands.c — the command table: exact/alias/prefix lookup with the
 * "unknown"/"ambiguous" messages, word splitting, completion generated from
 * the table, and every error being one line that changes nothing. */
#include <criterion/criterion.h>
#include <poll.h>
#include <stdarg.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "commands/commands.h"
#include "engine/engine.h"
#include "engine/registry.h"
#include "model/model.h"
#include "support.h"

struct sink {
    char text[8192];
    int errors, infos, runs;
};

static void sink_print(void *self, int kind, const char *line)
{
    struct sink *s = self;
    if (kind == OUT_ERROR)
        s->errors++;
    else
        s->infos++;
    strncat(s->text, line, sizeof s->text - strlen(s->text) - 2);
    strcat(s->text, "\n");
}

static int sink_run(void *self, const struct scenario_def *sc, const long *vals)
{
    struct sink *s = self;
    s->runs++;
    (void)sc;
    (void)vals;
    return 0;
}

static struct model model;

static struct cmd_host host(struct sink *s, unsigned where)
{
    memset(s, 0, sizeof *s);
    model_init(&model);
    struct cmd_host h = {
        .self = s, .where = where, .model = &model, .print = sink_print, .run = sink_run};
    return h;
}

Test(commands, lookup_exact_alias_prefix)
{
    char err[256];
    cr_expect_str_eq(command_find("run", CMD_CONSOLE, err, sizeof err)->name, "run");
    cr_expect_str_eq(command_find("exit", CMD_CONSOLE, err, sizeof err)->name, "quit");
    cr_expect_str_eq(command_find("ru", CMD_CONSOLE, err, sizeof err)->name, "run");
    cr_expect_str_eq(command_find("pa", CMD_CONSOLE, err, sizeof err)->name, "pause");
    cr_expect_null(command_find("s", CMD_CONSOLE, err, sizeof err));
    cr_expect_str_eq(err, "ambiguous command: s, could be: stop, step, speed, semop, setval, seek");
    cr_expect_null(command_find("frob", CMD_CONSOLE, err, sizeof err));
    cr_expect(strstr(err, "unknown command: frob"));
    cr_expect_null(command_find("pause", CMD_CLI, err, sizeof err), "console only");
}

Test(commands, split_words_and_quotes)
{
    char *argv[16], buf[256];
    int n = command_split("  run  sem 'a b' \"c\\\"d\" e\\ f # comment", argv, 16, buf, sizeof buf);
    cr_assert_eq(n, 5);
    cr_expect_str_eq(argv[0], "run");
    cr_expect_str_eq(argv[2], "a b");
    cr_expect_str_eq(argv[3], "c\"d");
    cr_expect_str_eq(argv[4], "e f");
    cr_expect_eq(command_split("run 'unbalanced", argv, 16, buf, sizeof buf), -1);
    cr_expect_eq(command_split("", argv, 16, buf, sizeof buf), 0);
}

Test(commands, run_parses_through_the_scenario_table)
{
    struct sink s;
    struct cmd_host h = host(&s, CMD_CONSOLE);
    cr_expect_eq(command_run_line(&h, "run sem workers=3"), CMD_OK);
    cr_expect_eq(s.runs, 1);
    cr_expect_eq(command_run_line(&h, "run sem workers=0"), CMD_ERROR);
    cr_expect_eq(command_run_line(&h, "run nosuch"), CMD_ERROR);
    cr_expect_eq(command_run_line(&h, "run"), CMD_ERROR);
    cr_expect_eq(command_run_line(&h, "run sem --speed max"), CMD_ERROR);
    cr_expect(strstr(s.text, "--speed is an option of the ipcplay command line; in the "
                             "dashboard type: speed X|max"),
              "%s", s.text);
    cr_expect_eq(s.runs, 1, "errors start nothing");
    cr_expect_eq(s.errors, 4);
    cr_expect(strstr(s.text, "unknown scenario: nosuch (accepted: sem"));
}

Test(commands, errors_are_one_line_and_change_nothing)
{
    struct sink s;
    struct cmd_host h = host(&s, CMD_CONSOLE);
    const char *bad[] = {"frobnicate",  "s",          "step 0", "step x",
                         "speed fast",  "speed 1000", "kill",   "kill worker-1 NOSIG",
                         "pause",       "stop",       "'oops",  "p 0",
                         "msgsnd 1 hi", "rmid sem"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        s.errors = 0;
        s.text[0] = '\0';
        cr_expect_eq(command_run_line(&h, bad[i]), CMD_ERROR, "%s", bad[i]);
        cr_expect_eq(s.errors, 1, "'%s' gave %d error lines: %s", bad[i], s.errors, s.text);
    }
    cr_expect_eq(s.runs, 0);
}

Test(commands, quit_and_help)
{
    struct sink s;
    struct cmd_host h = host(&s, CMD_CONSOLE);
    cr_expect_eq(command_run_line(&h, "quit"), CMD_QUIT);
    cr_expect_eq(command_run_line(&h, "help"), CMD_OK);
    cr_expect(strstr(s.text, "pause"));
    cr_expect(strstr(s.text, "step [ROLE|PID] [N]"));
    s.text[0] = '\0';
    cr_expect_eq(command_run_line(&h, "help ru"), CMD_OK);
    cr_expect(strstr(s.text, "usage: run SCENARIO"));
    cr_expect_eq(command_run_line(&h, "list sem"), CMD_OK);
    cr_expect(strstr(s.text, "what to watch"));
}

struct cands {
    char list[16][64];
    int n;
};

static void add(void *ctx, const char *c)
{
    struct cands *cs = ctx;
    if (cs->n < 16)
        snprintf(cs->list[cs->n++], 64, "%s", c);
}

static struct cands complete(const char *line)
{
    struct sink s;
    struct cmd_host h = host(&s, CMD_CONSOLE);
    const char *sp = strrchr(line, ' ');
    int start = sp ? (int)(sp - line) + 1 : 0;
    struct cands c = {.n = 0};
    command_complete(&h, line, start, line + start, add, &c);
    return c;
}

Test(commands, completion_from_the_tables)
{
    struct cands c = complete("ru");
    cr_assert_eq(c.n, 1);
    cr_expect_str_eq(c.list[0], "run");
    c = complete("s");
    cr_expect_eq(c.n, 6); /* stop, step, speed, semop, setval, seek */
    c = complete("run s");
    cr_expect_eq(c.n, 3); /* sem, shm, shmlife */
    c = complete("run se");
    cr_assert_eq(c.n, 1);
    cr_expect_str_eq(c.list[0], "sem");
    c = complete("run sem wor");
    cr_assert_eq(c.n, 1);
    cr_expect_str_eq(c.list[0], "workers=");
    c = complete("run sem undo=o");
    cr_expect_eq(c.n, 2);
    c = complete("help pa");
    cr_assert_eq(c.n, 1);
    cr_expect_str_eq(c.list[0], "pause");
}

Test(commands, speed_parsing)
{
    double v;
    cr_expect_eq(command_parse_speed("max", &v), 0);
    cr_expect_eq(v, 0);
    cr_expect_eq(command_parse_speed("0.25", &v), 0);
    cr_expect_float_eq(v, 0.25, 1e-9);
    cr_expect_eq(command_parse_speed("2x", &v), 0);
    cr_expect_float_eq(v, 2, 1e-9);
    cr_expect_eq(command_parse_speed("1/4", &v), 0);
    cr_expect_float_eq(v, 0.25, 1e-9);
    cr_expect_eq(command_parse_speed("0", &v), -1);
    cr_expect_eq(command_parse_speed("fast", &v), -1);
    cr_expect_eq(command_parse_speed("1/0", &v), -1);
}

static struct cands complete_in(struct cmd_host *h, const char *line)
{
    const char *sp = strrchr(line, ' ');
    int start = sp ? (int)(sp - line) + 1 : 0;
    struct cands c = {.n = 0};
    command_complete(h, line, start, line + start, add, &c);
    return c;
}

static bool has(const struct cands *c, const char *want)
{
    for (int i = 0; i < c->n; i++)
        if (strcmp(c->list[i], want) == 0)
            return true;
    return false;
}

Test(commands, completion_of_kill_and_inspect_targets)
{
    struct sink s;
    struct cmd_host h = host(&s, CMD_CONSOLE);
    model.nroles = 1;
    strcpy(model.role_names[0], "worker");
    model_add_proc(&model, 4711, 1, 0, 1, "worker-1");
    model_add_proc(&model, 4712, 1, 0, 2, "worker-2");
    model.procs[model_find_proc(&model, 4712)].exited = true;
    model.semsets[model.nsemsets++] = (struct model_semset){.semid = 3001, .nsems = 1};
    model.msgqs[model.nmsgqs++] = (struct model_msgq){.msqid = 3002};

    struct cands c = complete_in(&h, "kill w");
    cr_expect(has(&c, "worker-1"));
    cr_expect(!has(&c, "worker-2"), "a dead process cannot be killed");
    c = complete_in(&h, "kill worker-1 K");
    cr_assert_eq(c.n, 1);
    cr_expect_str_eq(c.list[0], "KILL");
    c = complete_in(&h, "kill worker-1 ");
    cr_expect(has(&c, "TERM") && has(&c, "STOP") && has(&c, "CONT"));

    c = complete_in(&h, "inspect w");
    cr_expect(has(&c, "worker-1") && has(&c, "worker-2"), "inspect a dead one too");
    c = complete_in(&h, "inspect ");
    cr_expect(has(&c, "sem") && has(&c, "msq"));
    cr_expect(!has(&c, "shm"), "no segment in this run");
    c = complete_in(&h, "inspect 300");
    cr_expect(has(&c, "3001") && has(&c, "3002"));
}

static void apply_sys(struct record *r, enum record_kind kind)
{
    r->kind = kind;
    model_apply(&model, r);
}

/* ipcs prints the model's look at the whole system with util-linux's
 * columns; POSIX objects after, as ipcs does not list them. */
Test(commands, ipcs_lists_the_system_as_util_linux)
{
    struct sink s;
    struct cmd_host h = host(&s, CMD_CONSOLE);
    cr_expect_eq(command_run_line(&h, "ipcs"), CMD_ERROR, "no look taken yet");
    cr_expect(strstr(s.text, "no look at the system"), "%s", s.text);
    static struct record r;
    record_init(&r, REC_SYS_BEGIN, 0);
    apply_sys(&r, REC_SYS_BEGIN);
    record_init(&r, REC_SYS_OBJ, 0);
    r.u.sys_obj = (struct sys_obj){.kind = SYS_MSG,
                                   .id = 77,
                                   .key = 0x1234,
                                   .mode = 0600,
                                   .qnum = 2,
                                   .cbytes = 96,
                                   .owner = "root",
                                   .ours = 1};
    apply_sys(&r, REC_SYS_OBJ);
    r.u.sys_obj = (struct sys_obj){.kind = SYS_PSHM,
                                   .id = -1,
                                   .name = "ipcplay-1-0",
                                   .mode = 0600,
                                   .segsz = 80,
                                   .owner = "root"};
    apply_sys(&r, REC_SYS_OBJ);
    record_init(&r, REC_SYS_END, 0);
    apply_sys(&r, REC_SYS_END);
    s.text[0] = '\0';
    cr_expect_eq(command_run_line(&h, "ipcs"), CMD_OK);
    cr_expect(strstr(s.text, "------ Message Queues --------"), "%s", s.text);
    cr_expect(strstr(s.text, "0x00001234 77         root       600        96           2"), "%s",
              s.text);
    cr_expect(strstr(s.text, "(this run)"), "%s", s.text);
    cr_expect(strstr(s.text, "/ipcplay-1-0"), "%s", s.text);
    cr_expect(strstr(s.text, "------ Semaphore Arrays --------"), "%s", s.text);
    s.text[0] = '\0';
    cr_expect_eq(command_run_line(&h, "ipcs -q"), CMD_OK);
    cr_expect(!strstr(s.text, "Semaphore Arrays"), "-q: queues only: %s", s.text);
    cr_expect_eq(command_run_line(&h, "ipcs -x"), CMD_ERROR);
}

Test(commands, kill_refuses_ipcplay_itself_and_says_so)
{
    struct sink s;
    struct cmd_host h = host(&s, CMD_CONSOLE);
    model_add_proc(&model, getpid(), getppid(), -1, 0, "ipcplay");
    char line[64], want[160];
    snprintf(want, sizeof want,
             "that is ipcplay itself (pid %d); ipcplay does not signal itself: use quit\n",
             (int)getpid());
    snprintf(line, sizeof line, "kill %d", (int)getpid());
    cr_expect_eq(command_run_line(&h, line), CMD_ERROR);
    cr_expect_str_eq(s.text, want);
    s.text[0] = '\0';
    cr_expect_eq(command_run_line(&h, "kill ipcplay KILL"), CMD_ERROR);
    cr_expect_str_eq(s.text, want);
    cr_expect_eq(s.errors, 2);
}

Test(commands, kill_an_unknown_signal_says_what_is_accepted)
{
    struct sink s;
    struct cmd_host h = host(&s, CMD_CONSOLE);
    cr_expect_eq(command_run_line(&h, "kill worker-1 RTMIN+99"), CMD_ERROR);
    cr_expect_str_eq(s.text, "unknown signal 'RTMIN+99': accepted a name (TERM or SIGTERM, KILL, "
                             "INT, STOP, CONT, RTMIN+N, RTMAX-N ...) or a number 1..31, 34..64\n");
}

Test(commands, completion_of_signal_names_in_both_forms)
{
    struct cands c = complete("kill worker-1 SIGK");
    cr_assert_eq(c.n, 1);
    cr_expect_str_eq(c.list[0], "SIGKILL");
    c = complete("kill worker-1 RT");
    cr_expect(has(&c, "RTMIN") && has(&c, "RTMAX"));
}

/* A live run: the line kill prints names a real-time signal the way every
 * other message does (it printed "sent SIG(null)"). */
Test(commands, kill_sends_and_names_real_time_signals, .timeout = 60)
{
    support_isolate_ipc();
    registry_init(-1);
    static struct model m;
    struct engine *e = engine_new(&m);
    cr_assert_not_null(e);
    const struct scenario_def *sc = scenario_find("sem");
    long vals[SCENARIO_MAX_PARAMS];
    char *words[] = {"workers=2", "rounds=1", "hold=60000", "think=0"};
    char err[256];
    cr_assert_eq(scenario_parse_params(sc, 4, words, vals, err, sizeof err), 0, "%s", err);
    cr_assert_eq(engine_start(e, sc, vals, 1.0, err, sizeof err), 0, "%s", err);
    struct sink s;
    memset(&s, 0, sizeof s);
    struct cmd_host h = {.self = &s,
                         .where = CMD_CONSOLE,
                         .engine = e,
                         .model = &m,
                         .print = sink_print,
                         .run = sink_run};
    int wi = -1;
    double end = support_now() + 20;
    while (wi < 0 && support_now() < end) {
        struct pollfd pfds[ENGINE_MAX_POLLFDS];
        int n = engine_pollfds(e, pfds, ENGINE_MAX_POLLFDS);
        if (poll(pfds, (nfds_t)n, 10) > 0)
            engine_dispatch(e, pfds, n);
        for (int i = 0; i < m.nprocs; i++)
            if (strcmp(m.procs[i].name, "worker-1") == 0)
                wi = i;
    }
    cr_assert_geq(wi, 0, "worker-1 never started");
    pid_t pid = m.procs[wi].pid;
    cr_expect_eq(command_run_line(&h, "kill worker-1 64"), CMD_OK, "%s", s.text);
    char want[128];
    snprintf(want, sizeof want, "sent SIGRTMAX to worker-1 (pid %d)\n", (int)pid);
    cr_expect_str_eq(s.text, want);
    s.text[0] = '\0';
    cr_expect_eq(command_run_line(&h, "kill worker-2 RTMIN+2"), CMD_OK, "%s", s.text);
    cr_expect(strstr(s.text, "sent SIGRTMIN+2 to worker-2 (pid "), "%s", s.text);
    s.text[0] = '\0';
    snprintf(want, sizeof want, "kill %d", (int)getpid());
    cr_expect_eq(command_run_line(&h, want), CMD_ERROR);
    cr_expect(strstr(s.text, "that is ipcplay itself"), "%s", s.text);
    engine_stop(e);
    engine_free(e);
}

/* A host whose run actions only write down what they were asked. */
struct fake {
    bool active;
    char log[512];
    double speed;
};

static void note(void *ctx, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void note(void *ctx, const char *fmt, ...)
{
    struct fake *f = ctx;
    char one[64];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(one, sizeof one, fmt, ap);
    va_end(ap);
    strncat(f->log, one, sizeof f->log - strlen(f->log) - 2);
    strcat(f->log, ";");
}

static bool f_active(void *ctx)
{
    return ((struct fake *)ctx)->active;
}
static void f_stop(void *ctx)
{
    note(ctx, "stop");
}
static void f_pause(void *ctx)
{
    note(ctx, "pause");
}
static void f_resume(void *ctx)
{
    note(ctx, "resume");
}
static void f_step(void *ctx, int n)
{
    note(ctx, "step %d", n);
}
static double f_get_speed(void *ctx)
{
    return ((struct fake *)ctx)->speed;
}
static void f_set_speed(void *ctx, double v)
{
    note(ctx, "speed %g", v);
}
static int f_kill(void *ctx, pid_t pid, int sig)
{
    note(ctx, "kill %d %d", (int)pid, sig);
    return 0;
}

static int f_seek(void *ctx, const struct cmd_seek *to, char *err, size_t errlen)
{
    note(ctx, "seek %d %g", (int)to->how, to->v);
    return 0;
}
static int f_record(void *ctx, const char *path, char *err, size_t errlen)
{
    note(ctx, "record %s", path ? path : "stop");
    return 0;
}

static struct fake fake;
static void f_step_proc(void *ctx, pid_t pid, int n)
{
    note(ctx, "step %d of %d", n, (int)pid);
}

static unsigned fake_breaks;
static unsigned f_get_breaks(void *ctx)
{
    (void)ctx;
    return fake_breaks;
}
static void f_set_breaks(void *ctx, unsigned m)
{
    note(ctx, "breaks %u", m);
    fake_breaks = m;
}

static const struct cmd_actions fake_actions = {.ctx = &fake,
                                                .active = f_active,
                                                .stop = f_stop,
                                                .pause = f_pause,
                                                .resume = f_resume,
                                                .step = f_step,
                                                .get_speed = f_get_speed,
                                                .set_speed = f_set_speed,
                                                .kill = f_kill,
                                                .step_one = NULL,
                                                .seek = f_seek,
                                                .record = f_record,
                                                .step_proc = f_step_proc,
                                                .get_breaks = f_get_breaks,
                                                .set_breaks = f_set_breaks};

Test(commands, the_timeline_commands_parse_their_words)
{
    struct sink s;
    struct cmd_host h = host(&s, CMD_CONSOLE);
    h.act = &fake_actions;
    memset(&fake, 0, sizeof fake);
    const char *lines[] = {"seek 12.5",  "seek +3",  "seek -5",     "seek 1:05",  "seek op 140",
                           "seek start", "seek end", "back",        "back 4",     "mark next",
                           "mark prev",  "live",     "record x.gz", "record stop"};
    for (size_t i = 0; i < sizeof lines / sizeof lines[0]; i++)
        cr_expect_eq(command_run_line(&h, lines[i]), CMD_OK, "%s: %s", lines[i], s.text);
    cr_expect_str_eq(fake.log, "seek 0 12.5;seek 1 3;seek 1 -5;seek 0 65;seek 2 140;seek 0 0;"
                               "seek 5 0;seek 3 -1;seek 3 -4;seek 4 1;seek 4 -1;seek 5 0;"
                               "record x.gz;record stop;");
    memset(&fake, 0, sizeof fake);
    const char *bad[] = {"seek soon", "seek op", "seek op -1", "back 0", "back x", "mark up"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        cr_expect_eq(command_run_line(&h, bad[i]), CMD_ERROR, "%s", bad[i]);
    cr_expect_str_eq(fake.log, "");
    /* Without a timeline (a fake host of the old actions): one clear line. */
    struct cmd_actions none = fake_actions;
    none.seek = NULL;
    h.act = &none;
    s.text[0] = '\0';
    cr_expect_eq(command_run_line(&h, "back"), CMD_ERROR);
    cr_expect(strstr(s.text, "going back needs the dashboard"), "%s", s.text);
}

Test(commands, every_run_action_goes_through_the_host)
{
    struct sink s;
    struct cmd_host h = host(&s, CMD_CONSOLE);
    h.act = &fake_actions;
    memset(&fake, 0, sizeof fake);
    fake.active = true;
    int w = model_add_proc(&model, 4242, 1, 0, 2, "worker-2");
    cr_assert_geq(w, 0);
    const char *lines[] = {"pause",      "step 3",    "resume",
                           "speed 0.25", "speed max", "kill worker-2 KILL",
                           "kill 4242",  "stop"};
    for (size_t i = 0; i < sizeof lines / sizeof lines[0]; i++)
        cr_expect_eq(command_run_line(&h, lines[i]), CMD_OK, "%s: %s", lines[i], s.text);
    cr_expect_str_eq(fake.log, "pause;step 3;resume;speed 0.25;speed 0;kill 4242 9;kill 4242 15;"
                               "stop;");
    /* With no run going on, nothing reaches the actions. */
    memset(&fake, 0, sizeof fake);
    s.text[0] = '\0';
    for (size_t i = 0; i < sizeof lines / sizeof lines[0]; i++)
        if (strncmp(lines[i], "speed", 5) != 0)
            cr_expect_eq(command_run_line(&h, lines[i]), CMD_ERROR, "%s", lines[i]);
    cr_expect_str_eq(fake.log, "");
    cr_expect(strstr(s.text, "nothing is running (start one with: run NAME)"), "%s", s.text);
}

Test(commands, step_one_process_by_role_or_pid)
{
    /* step worker-2 lets only worker-2's ops through; a lone number is a
     * count unless it is a pid of the run. */
    struct sink s;
    struct cmd_host h = host(&s, CMD_CONSOLE);
    h.act = &fake_actions;
    memset(&fake, 0, sizeof fake);
    fake.active = true;
    cr_assert_geq(model_add_proc(&model, 4242, 1, 0, 2, "worker-2"), 0);
    const char *lines[] = {"step worker-2", "step worker-2 3", "step 4242 2", "step 4242",
                           "step 5"};
    for (size_t i = 0; i < sizeof lines / sizeof lines[0]; i++)
        cr_expect_eq(command_run_line(&h, lines[i]), CMD_OK, "%s: %s", lines[i], s.text);
    cr_expect_str_eq(fake.log,
                     "step 1 of 4242;step 3 of 4242;step 2 of 4242;step 1 of 4242;step 5;");
    cr_expect(strstr(s.text, "step worker-2[4242]: 3 ops of it alone"), "%s", s.text);
    cr_expect_eq(command_run_line(&h, "step nosuch 2"), CMD_ERROR);
    cr_expect(strstr(s.text, "no process 'nosuch' in this run"), "%s", s.text);
}

Test(commands, break_on_off_list_clear)
{
    struct sink s;
    struct cmd_host h = host(&s, CMD_CONSOLE);
    h.act = &fake_actions;
    memset(&fake, 0, sizeof fake);
    fake_breaks = 0;
    cr_expect_eq(command_run_line(&h, "break on block"), CMD_OK, "%s", s.text);
    cr_expect_eq(command_run_line(&h, "break on cycle"), CMD_OK, "%s", s.text);
    cr_expect(strstr(s.text, "breakpoints: block cycle"), "%s", s.text);
    cr_expect_eq(command_run_line(&h, "break off block"), CMD_OK, "%s", s.text);
    cr_expect_eq(command_run_line(&h, "break list"), CMD_OK, "%s", s.text);
    cr_expect_eq(command_run_line(&h, "break clear"), CMD_OK, "%s", s.text);
    cr_expect_str_eq(fake.log, "breaks 1;breaks 17;breaks 16;breaks 0;");
    cr_expect_eq(command_run_line(&h, "break on nosuch"), CMD_ERROR);
    cr_expect(strstr(s.text, "no breakpoint 'nosuch' (accepted: block wake zombie reap cycle "
                             "inflight full eidrm check)"),
              "%s", s.text);
}

Test(commands, run_paused_word_is_taken_off_the_parameters)
{
    /* `run sem workers=2 paused` (and --paused) asks the front end to start
     * paused; the word is not a parameter. */
    struct sink s;
    struct cmd_host h = host(&s, CMD_CONSOLE);
    cr_expect_eq(command_run_line(&h, "run sem workers=2 paused"), CMD_OK, "%s", s.text);
    cr_expect(h.start_paused);
    cr_expect_eq(command_run_line(&h, "run sem --paused"), CMD_OK, "%s", s.text);
    cr_expect(h.start_paused);
    cr_expect_eq(command_run_line(&h, "run sem"), CMD_OK, "%s", s.text);
    cr_expect(!h.start_paused);
}

Test(commands, wrong_word_counts_get_the_table_s_usage_line)
{
    struct sink s;
    struct cmd_host h = host(&s, CMD_CONSOLE);
    h.act = &fake_actions;
    memset(&fake, 0, sizeof fake);
    fake.active = true;
    for (int i = 0; i < ncommands; i++) {
        const struct command *c = &commands[i];
        if (!(c->where & CMD_CONSOLE))
            continue;
        char line[256], want[256];
        int n = c->max_args >= 0 ? c->max_args + 1 : -1;
        if (n < 0)
            continue; /* takes any number */
        int at = snprintf(line, sizeof line, "%s", c->name);
        for (int k = 0; k < n; k++)
            at += snprintf(line + at, sizeof line - (size_t)at, " x%d", k);
        snprintf(want, sizeof want, "usage: %s%s%s  (%s)\n", c->name, c->args[0] ? " " : "",
                 c->args, c->summary);
        s.text[0] = '\0';
        s.errors = 0;
        cr_expect_eq(command_run_line(&h, line), CMD_ERROR, "%s", line);
        cr_expect_str_eq(s.text, want, "%s", line);
        cr_expect_eq(s.errors, 1);
    }
    cr_expect_str_eq(fake.log, "", "a refused command acted: %s", fake.log);
    s.text[0] = '\0';
    cr_expect_eq(command_run_line(&h, "run"), CMD_ERROR);
    cr_expect(strstr(s.text, "usage: run SCENARIO [name=value ...]  (start a scenario)"), "%s",
              s.text);
}

/* The hand's commands complete the run's semaphore numbers, their option
 * words, and rmid the kinds of object the run has. */
Test(commands, hand_commands_complete_numbers_and_words)
{
    struct sink s;
    struct cmd_host h = host(&s, CMD_CONSOLE);
    model.nsemsets = 1;
    model.semsets[0].nsems = 2;
    model.nmsgqs = 1;
    struct cands c = {.n = 0};
    command_complete(&h, "p ", 2, "", add, &c);
    cr_expect(c.n == 2 && has(&c, "0") && has(&c, "1"), "p: %d candidates", c.n);
    c.n = 0;
    command_complete(&h, "v 1 ", 4, "", add, &c);
    cr_expect(c.n == 2 && has(&c, "nowait") && has(&c, "undo"));
    c.n = 0;
    command_complete(&h, "msgrcv 2 n", 9, "n", add, &c);
    cr_expect(c.n == 2 && has(&c, "noerror") && has(&c, "nowait"));
    c.n = 0;
    command_complete(&h, "rmid ", 5, "", add, &c);
    cr_expect(c.n == 2 && has(&c, "sem") && has(&c, "msq"), "rmid: %d candidates", c.n);
}
