/* commands.c — the command table and its parser: lookup by name, alias or
 * unique prefix; tokenising; help and completion generated from the table. */
#include "commands.h"

#include <ctype.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "../engine/engine.h"
#include "../model/model.h"
#include "../model/signames.h"
#include "../model/strbuf.h"
#include "hand_cmds.h"
#include "lang.h"
#include "sysipc_cmds.h"
#include "../model/i18n.h"

#define MAX_ARGS 64

void command_printf(struct cmd_host *h, int kind, const char *fmt, ...)
{
    /* Never cut: a scenario's "what to watch" is longer than any fixed line. */
    char line[512];
    va_list ap, again;
    va_start(ap, fmt);
    va_copy(again, ap);
    int n = vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    char *big = n >= (int)sizeof line ? malloc((size_t)n + 1) : NULL;
    if (big)
        vsnprintf(big, (size_t)n + 1, fmt, again);
    va_end(again);
    h->print(h->self, kind, big ? big : line);
    free(big);
}

#define OUT(...) command_printf(h, OUT_INFO, __VA_ARGS__)
#define ERR(...) command_printf(h, OUT_ERROR, __VA_ARGS__)

static const struct cmd_actions *actions(struct cmd_host *h)
{
    if (!h->act && h->engine)
        h->act = cmd_actions_engine(h->engine);
    return h->act;
}

static bool need_dashboard(struct cmd_host *h)
{
    if (actions(h))
        return true;
    ERR(_("this command needs the dashboard (try: ipcplay run NAME)"));
    return false;
}

static bool running(struct cmd_host *h)
{
    const struct cmd_actions *a = actions(h);
    return a && a->active(a->ctx);
}

static bool need_run(struct cmd_host *h)
{
    if (!need_dashboard(h))
        return false;
    if (running(h))
        return true;
    ERR(_("nothing is running (start one with: run NAME)"));
    return false;
}

/* The one usage line, from the table. */
static int usage(struct cmd_host *h, const struct command *c)
{
    ERR(_("usage: %s%s%s  (%s)"), c->name, c->args[0] ? " " : "", c->args, _(c->summary));
    return CMD_ERROR;
}

/* A process of the run by pid or by name ("worker-3"). */
static const struct model_proc *find_proc(struct cmd_host *h, const char *word)
{
    const struct model *m = h->model;
    if (!m)
        return NULL;
    char *end;
    long pid = strtol(word, &end, 10);
    for (int i = 0; i < m->nprocs; i++) {
        const struct model_proc *p = &m->procs[i];
        if (*end == '\0' && p->pid == pid)
            return p;
        if (strcmp(p->name, word) == 0)
            return p;
    }
    return NULL;
}

static int unknown_scenario(struct cmd_host *h, const char *name)
{
    char names[256];
    size_t off = 0;
    names[0] = '\0';
    for (int i = 0; i < nscenarios; i++)
        strbuf_put(names, sizeof names, &off, "%s%s", i ? ", " : "", scenarios[i]->name);
    ERR(_("unknown scenario: %s (accepted: %s)"), name, names);
    return CMD_ERROR;
}

static void print_scenario_params(struct cmd_host *h, const struct scenario_def *s)
{
    for (int i = 0; i < s->nparams; i++) {
        const struct param_def *p = &s->params[i];
        char def[48], range[160];
        scenario_param_value(p, p->def, def, sizeof def);
        scenario_param_range(p, range, sizeof range);
        OUT(_("    %-12s default %-7s %-22s %s"), p->name, def, range, _(p->help));
    }
}

static int c_list(struct cmd_host *h, int argc, char **argv)
{
    if (argc == 2) {
        const struct scenario_def *s = scenario_find(argv[1]);
        if (!s)
            return unknown_scenario(h, argv[1]);
        OUT("%s — %s", s->name, _(s->summary));
        OUT(_("  parameters:"));
        print_scenario_params(h, s);
        OUT(_("  what to watch: %s"), _(s->watch));
        return CMD_OK;
    }
    for (int i = 0; i < nscenarios; i++) {
        const struct scenario_def *s = scenarios[i];
        OUT("%-9s %s", s->name, _(s->summary));
        print_scenario_params(h, s);
    }
    return CMD_OK;
}

static int c_run(struct cmd_host *h, int argc, char **argv)
{
    const struct scenario_def *s = scenario_find(argv[1]);
    if (!s)
        return unknown_scenario(h, argv[1]);
    /* `paused` (or --paused): stop before the first op */
    h->start_paused = false;
    for (int i = 2; i < argc; i++)
        if (strcmp(argv[i], "paused") == 0 || strcmp(argv[i], "--paused") == 0) {
            h->start_paused = true;
            memmove(&argv[i], &argv[i + 1], sizeof *argv * (size_t)(argc - i));
            argc--;
            i--;
        }
    for (int i = 2; i < argc && h->where == CMD_CONSOLE; i++)
        if (strncmp(argv[i], "--", 2) == 0) {
            ERR(_("%s is an option of the ipcplay command line; in the dashboard type: %s"),
                argv[i],
                strncmp(argv[i], "--speed", 7) == 0 ? _("speed X|max (before or during the run)")
                                                    : _("run NAME [name=value ...]"));
            return CMD_ERROR;
        }
    long vals[SCENARIO_MAX_PARAMS];
    char err[256];
    if (scenario_parse_params(s, argc - 2, argv + 2, vals, err, sizeof err) < 0) {
        ERR("%s", err);
        return CMD_ERROR;
    }
    /* Values can be fine one by one and impossible together: building the
     * plan (pure, creates nothing) says so before anything starts. */
    static struct plan trial;
    memset(&trial, 0, sizeof trial);
    err[0] = '\0';
    if (s->build(vals, &trial, err, sizeof err) < 0) {
        ERR("%s: %s", s->name, err[0] ? err : _("these parameters do not go together"));
        return CMD_ERROR;
    }
    return h->run(h->self, s, vals) < 0 ? CMD_ERROR : CMD_OK;
}

static int c_stop(struct cmd_host *h, int argc, char **argv)
{
    h->act->stop(h->act->ctx);
    return CMD_OK;
}

static int c_pause(struct cmd_host *h, int argc, char **argv)
{
    h->act->pause(h->act->ctx);
    OUT(_("paused: every process stops at its next op (press F3 or type resume)"));
    return CMD_OK;
}

static int c_resume(struct cmd_host *h, int argc, char **argv)
{
    h->act->resume(h->act->ctx);
    return CMD_OK;
}

/* step [ROLE|PID] [N]: a lone number is a count, unless it is a pid of the run. */
static int c_step(struct cmd_host *h, int argc, char **argv)
{
    long n = 1;
    /* a watched tree's process: one call of it (watch mode) */
    if (argc == 2 && h->act && h->act->step_one && h->act->step_one(h->act->ctx, argv[1]) == 0)
        return CMD_OK;
    const struct model_proc *p = argc >= 2 ? find_proc(h, argv[1]) : NULL;
    if (p && p->role < 0)
        p = NULL; /* ipcplay itself runs no ops */
    if (p && strcmp(p->name, "you") == 0) {
        ERR("you make your own calls (p, v, semop, ...): step a role, like worker-2");
        return CMD_ERROR;
    }
    int ncount = argc - 1 - (p ? 1 : 0);
    if (argc == 3 && !p) {
        ERR(_("no process '%s' in this run (give a role like worker-2 or a pid)"), argv[1]);
        return CMD_ERROR;
    }
    if (ncount == 1) {
        char *end;
        n = strtol(argv[argc - 1], &end, 10);
        if (*end || n < 1 || n > 1000) {
            ERR(_("bad step count '%s': accepted 1..1000 (or a role like worker-2)"),
                argv[argc - 1]);
            return CMD_ERROR;
        }
    }
    if (!need_run(h))
        return CMD_ERROR;
    if (p && (p->exited || p->state == 'Z')) {
        ERR(_("%s has no ops left (it has exited)"), p->name);
        return CMD_ERROR;
    }
    if (p && h->act->step_proc) {
        h->act->step_proc(h->act->ctx, p->pid, (int)n);
        OUT(_("step %s[%d]: %ld op%s of it alone; every other process stays paused"), p->name,
            (int)p->pid, n, n == 1 ? "" : "s");
    } else {
        h->act->step(h->act->ctx, (int)n);
    }
    return CMD_OK;
}

static void break_names(unsigned mask, char *buf, size_t len)
{
    size_t off = 0;
    buf[0] = '\0';
    for (int i = 0; i < ENGINE_NBREAKS; i++)
        if (mask & (1u << i))
            strbuf_put(buf, len, &off, "%s%s", off ? " " : "", engine_break_names[i]);
}

/* predict [on|off]: a question at each breakpoint; alone, the score. */
static int c_predict(struct cmd_host *h, int argc, char **argv)
{
    if (!h->engine) {
        ERR(_("predict needs a live run (not a replay)"));
        return CMD_ERROR;
    }
    if (argc == 2 && strcmp(argv[1], "on") != 0 && strcmp(argv[1], "off") != 0) {
        ERR(_("bad predict '%s': accepted on, off (or nothing: the score)"), argv[1]);
        return CMD_ERROR;
    }
    if (argc == 2)
        engine_predict_set(h->engine, strcmp(argv[1], "on") == 0);
    char score[96];
    engine_predict_score(h->engine, score, sizeof score);
    if (argc == 2 && engine_predict_on(h->engine))
        OUT(_("predict on: at each breakpoint a question about the next step (break on ... "
              "first); answer, then step. Score so far: %s"),
            score);
    else
        OUT(_("predict %s; score: %s"), engine_predict_on(h->engine) ? "on" : "off", score);
    return CMD_OK;
}

/* answer X: the answer to predict's open question (a lone word typed while
 * one is open is taken as one too). */
static int c_answer(struct cmd_host *h, int argc, char **argv)
{
    char text[64] = "", msg[256];
    for (int i = 1; i < argc; i++)
        snprintf(text + strlen(text), sizeof text - strlen(text), "%s%s", i > 1 ? " " : "",
                 argv[i]);
    if (!h->engine) {
        ERR(_("answer goes with predict on, in a live run"));
        return CMD_ERROR;
    }
    if (engine_predict_answer(h->engine, text, msg, sizeof msg) < 0) {
        ERR("%s", msg);
        return CMD_ERROR;
    }
    OUT("%s", msg);
    return CMD_OK;
}

/* break on WHAT | break off WHAT | break list | break clear */
static int c_break(struct cmd_host *h, int argc, char **argv)
{
    if (!need_dashboard(h))
        return CMD_ERROR;
    const struct cmd_actions *a = h->act;
    if (!a->get_breaks || !a->set_breaks) {
        ERR(_("breakpoints need the dashboard"));
        return CMD_ERROR;
    }
    unsigned mask = a->get_breaks(a->ctx);
    char all[160];
    break_names(~0u, all, sizeof all);
    bool on = strcmp(argv[1], "on") == 0, off = strcmp(argv[1], "off") == 0;
    if ((on || off) && argc == 3) {
        int b = engine_break_find(argv[2]);
        if (b < 0) {
            ERR(_("no breakpoint '%s' (accepted: %s)"), argv[2], all);
            return CMD_ERROR;
        }
        mask = on ? mask | (1u << b) : mask & ~(1u << b);
        a->set_breaks(a->ctx, mask);
    } else if (strcmp(argv[1], "clear") == 0 && argc == 2) {
        mask = 0;
        a->set_breaks(a->ctx, 0);
    } else if (strcmp(argv[1], "list") != 0 || argc != 2) {
        ERR(_("usage: break on|off WHAT, break list, break clear (WHAT: %s)"), all);
        return CMD_ERROR;
    }
    char set[160];
    break_names(mask, set, sizeof set);
    OUT(_("breakpoints: %s"), mask ? set : _("none (break on WHAT pauses when WHAT happens)"));
    return CMD_OK;
}

/* "max", "2", "0.25", "2x", "1/4" */
static int parse_speed(const char *s, double *out)
{
    if (strcasecmp(s, "max") == 0) {
        *out = 0;
        return 0;
    }
    char *end;
    double v = strtod(s, &end);
    if (end != s && *end == '/') {
        double d = strtod(end + 1, &end);
        if (d <= 0)
            return -1;
        v /= d;
    }
    if (end != s && (*end == 'x' || *end == 'X'))
        end++;
    if (end == s || *end || !(v >= 0.05 && v <= 100))
        return -1;
    *out = v;
    return 0;
}

static int c_speed(struct cmd_host *h, int argc, char **argv)
{
    if (argc != 2) {
        double s = h->act->get_speed(h->act->ctx);
        if (s == 0)
            OUT(_("speed max (no delays)"));
        else
            OUT(_("speed %gx"), s);
        return CMD_OK;
    }
    double v;
    if (parse_speed(argv[1], &v) < 0) {
        ERR(_("bad speed '%s': accepted a factor from 0.05 to 100 (0.25, 2x, 1/4) or max"),
            argv[1]);
        return CMD_ERROR;
    }
    h->act->set_speed(h->act->ctx, v);
    return CMD_OK;
}

int command_parse_speed(const char *s, double *out)
{
    return parse_speed(s, out);
}

/* ipcplay itself (the front end the process panel lists as "ipcplay"), by
 * name or pid: never signalled from its own console. */
static const struct model_proc *find_self(struct cmd_host *h, const char *word)
{
    static const struct model_proc none;
    const struct model_proc *p = find_proc(h, word);
    if (p && p->role < 0)
        return p;
    char *end;
    long pid = strtol(word, &end, 10);
    if (strcmp(word, "ipcplay") == 0 || (*end == '\0' && end != word && pid == (long)getpid()))
        return &none;
    return NULL;
}

static int c_kill(struct cmd_host *h, int argc, char **argv)
{
    int sig = SIGTERM;
    if (argc == 3 && (sig = signame_parse(argv[2])) < 0) {
        ERR(_("unknown signal '%s': accepted a name (TERM or SIGTERM, KILL, INT, STOP, CONT, "
              "RTMIN+N, RTMAX-N ...) or a number 1..31, %d..%d"),
            argv[2], SIGRTMIN, SIGRTMAX);
        return CMD_ERROR;
    }
    const struct model_proc *self = find_self(h, argv[1]);
    if (self) {
        ERR(_("that is ipcplay itself (pid %d); ipcplay does not signal itself: use quit"),
            self->pid > 0 ? (int)self->pid : (int)getpid());
        return CMD_ERROR;
    }
    if (!need_run(h))
        return CMD_ERROR;
    const struct model_proc *p = find_proc(h, argv[1]);
    if (!p || p->role < 0 || p->exited) {
        ERR(_("no live process '%s' in this run (give a role like worker-2 or one of its pids)"),
            argv[1]);
        return CMD_ERROR;
    }
    pid_t pid = p->pid;
    if (h->act->kill(h->act->ctx, pid, sig) < 0) {
        ERR(_("cannot signal %s: it is not one of this run's processes"), argv[1]);
        return CMD_ERROR;
    }
    OUT(_("sent %s to %s (pid %d)"), signame(sig).s, p->name, (int)pid);
    return CMD_OK;
}

static int c_inspect(struct cmd_host *h, int argc, char **argv)
{
    if (!h->inspect) {
        ERR(_("inspect needs the dashboard"));
        return CMD_ERROR;
    }
    h->inspect(h->self, argv[1]);
    return CMD_OK;
}

static int c_clear(struct cmd_host *h, int argc, char **argv)
{
    if (h->clear)
        h->clear(h->self);
    return CMD_OK;
}

static int c_quit(struct cmd_host *h, int argc, char **argv)
{
    return CMD_QUIT;
}

static int c_lang(struct cmd_host *h, int argc, char **argv)
{
    if (argc == 2 && lang_set(argv[1]) < 0) {
        ERR(_("bad language '%s': accepted zh (Chinese) or en (English)"), argv[1]);
        return CMD_ERROR;
    }
    OUT(_("language: %s (lang zh: Chinese, lang en: English)"), lang_current());
    return CMD_OK;
}

static int c_version(struct cmd_host *h, int argc, char **argv)
{
    OUT("ipcplay %s", IPCPLAY_VERSION);
    return CMD_OK;
}

static bool need_timeline(struct cmd_host *h)
{
    if (actions(h) && h->act->seek)
        return true;
    ERR(_("going back needs the dashboard: a replay (ipcplay replay FILE) or a run"));
    return false;
}

static int go(struct cmd_host *h, enum cmd_seek_how how, double v)
{
    if (!need_timeline(h))
        return CMD_ERROR;
    char err[256] = "";
    struct cmd_seek to = {how, v};
    if (h->act->seek(h->act->ctx, &to, err, sizeof err) < 0) {
        ERR("%s", err);
        return CMD_ERROR;
    }
    return CMD_OK;
}

/* A count of 1..100000 (default 1). */
static int count_arg(struct cmd_host *h, int argc, char **argv, long *n)
{
    *n = 1;
    if (argc < 2)
        return 0;
    char *end;
    *n = strtol(argv[1], &end, 10);
    if (*end || end == argv[1] || *n < 1 || *n > 100000) {
        ERR(_("bad count '%s': accepted 1..100000"), argv[1]);
        return -1;
    }
    return 0;
}

static int c_back(struct cmd_host *h, int argc, char **argv)
{
    long n;
    if (count_arg(h, argc, argv, &n) < 0)
        return CMD_ERROR;
    return go(h, CMD_SEEK_OPS, -(double)n);
}

/* "12.5", "+3", "-5", "1:05", "op 140", "start", "end" */
static int c_seek(struct cmd_host *h, int argc, char **argv)
{
    const char *a = argv[1];
    if (strcmp(a, "op") == 0) {
        char *end;
        long n = argc == 3 ? strtol(argv[2], &end, 10) : -1;
        if (argc != 3 || *end || n < 0) {
            ERR(_("seek op N: N is an op number from 0 (the start)"));
            return CMD_ERROR;
        }
        return go(h, CMD_SEEK_OP, (double)n);
    }
    if (argc != 2) {
        ERR(_("usage: seek SECONDS|+S|-S|op N|start|end"));
        return CMD_ERROR;
    }
    if (strcmp(a, "start") == 0)
        return go(h, CMD_SEEK_TIME, 0);
    if (strcmp(a, "end") == 0 || strcmp(a, "live") == 0)
        return go(h, CMD_SEEK_END, 0);
    char *end;
    double v = strtod(a, &end), min = 0;
    if (*end == ':') {
        min = v;
        v = strtod(end + 1, &end);
    }
    if (end == a || *end || v != v || v > 1e7 || v < -1e7) {
        ERR(_("bad time '%s': seconds (12.5), from here (+3, -5), mm:ss, op N, start or end"), a);
        return CMD_ERROR;
    }
    v += 60 * min;
    return go(h, a[0] == '+' || a[0] == '-' ? CMD_SEEK_REL : CMD_SEEK_TIME, v);
}

static int c_mark(struct cmd_host *h, int argc, char **argv)
{
    const char *a = argc > 1 ? argv[1] : "next";
    if (strcmp(a, "next") != 0 && strcmp(a, "prev") != 0) {
        ERR(_("mark next|prev: the next or previous marker (a check, a death, a deadlock, a "
              "command)"));
        return CMD_ERROR;
    }
    return go(h, CMD_SEEK_MARK, a[0] == 'n' ? 1 : -1);
}

static int c_live(struct cmd_host *h, int argc, char **argv)
{
    return go(h, CMD_SEEK_END, 0);
}

static int c_record(struct cmd_host *h, int argc, char **argv)
{
    if (!actions(h) || !h->act->record) {
        ERR(_("record needs a live run in the dashboard"));
        return CMD_ERROR;
    }
    char err[512] = "";
    bool stop = strcmp(argv[1], "stop") == 0;
    if (h->act->record(h->act->ctx, stop ? NULL : argv[1], err, sizeof err) < 0) {
        ERR("%s", err);
        return CMD_ERROR;
    }
    if (err[0])
        OUT("%s", err);
    return CMD_OK;
}

/* input TEXT...: the words joined by one space, and a newline. */
static int c_input(struct cmd_host *h, int argc, char **argv)
{
    if (!actions(h) || !h->act->input) {
        ERR(_("input needs a program started with watch --stdin -- PROGRAM"));
        return CMD_ERROR;
    }
    bool eof = strcmp(argv[1], "--eof") == 0;
    if (eof && argc > 2) {
        ERR(_("input --eof takes nothing more (to send the word, type input -- --eof)"));
        return CMD_ERROR;
    }
    int first = strcmp(argv[1], "--") == 0 ? 2 : 1;
    char text[1024];
    size_t off = 0;
    text[0] = '\0';
    for (int i = first; i < argc && !eof; i++) {
        size_t n = strlen(argv[i]);
        if (off + n + 2 > sizeof text) {
            ERR(_("input: a line of at most %zu bytes"), sizeof text - 2);
            return CMD_ERROR;
        }
        if (i > first)
            text[off++] = ' ';
        memcpy(text + off, argv[i], n + 1);
        off += n;
    }
    char err[256] = "";
    if (h->act->input(h->act->ctx, text, eof, err, sizeof err) < 0) {
        ERR("%s", err);
        return CMD_ERROR;
    }
    return CMD_OK;
}

static int c_help(struct cmd_host *h, int argc, char **argv);

/* name, alias, args (the usage line), summary, help, where, argument words
 * (least, most; -1 any), what it needs, what Tab completes, handler. */
const struct command commands[] = {
    {"help", "?", "[COMMAND]", N_("list commands, or explain one"),
     N_("With no argument, lists every command. `help run` explains one."), CMD_CLI | CMD_CONSOLE,
     0, 1, NEEDS_NOTHING, COMPLETE_COMMAND, c_help},
    {"list", "ls", "[SCENARIO]", N_("list scenarios and their parameters"),
     N_("Each scenario with its parameters (default, accepted values, meaning). `list sem` adds "
        "what to watch."),
     CMD_CLI | CMD_CONSOLE, 0, 1, NEEDS_NOTHING, COMPLETE_SCENARIO, c_list},
    {"run", NULL, "SCENARIO [name=value ...]", N_("start a scenario"),
     N_("Starts SCENARIO with the given parameters; a running one is stopped first. "
        "Example: run sem workers=6 hold=1s"),
     CMD_CLI | CMD_CONSOLE, 1, -1, NEEDS_NOTHING, COMPLETE_RUN, c_run},
    {"stop", NULL, "", N_("stop the running scenario"),
     N_("Kills the run's processes, removes its objects and shows the checks."), CMD_CONSOLE, 0, 0,
     NEEDS_RUN, COMPLETE_NONE, c_stop},
    {"pause", NULL, "", N_("pause: every process stops at its next op"),
     N_("Processes wait at their gate (no SIGSTOP), so what the kernel shows stays real."),
     CMD_CONSOLE, 0, 0, NEEDS_RUN, COMPLETE_NONE, c_pause},
    {"resume", "continue", "", N_("resume after pause or step"), N_("Lets every process go on."),
     CMD_CONSOLE, 0, 0, NEEDS_RUN, COMPLETE_NONE, c_resume},
    {"step", NULL, "[ROLE|PID] [N]", N_("let exactly N ops happen (default 1), then pause"),
     N_("Each op (P, V, a sleep, ...) of any process counts as one; N from 1 to 1000. With a role "
        "or pid (step worker-2 3) only that process goes on."),
     CMD_CONSOLE, 0, 2, NEEDS_NOTHING, COMPLETE_KILL, c_step},
    {"break", NULL, "on|off|list|clear [WHAT]", N_("pause the run when something happens"),
     N_("WHAT: block (a process goes to sleep), wake, zombie, reap, cycle (a deadlock), inflight "
        "(an fd sent, not yet received), full (a queue), eidrm, check (a check fails). The story "
        "says which breakpoint paused the run."),
     CMD_CONSOLE, 1, 2, NEEDS_DASHBOARD, COMPLETE_NONE, c_break},
    {"predict", NULL, "[on|off]", N_("predict, then see: a question at each breakpoint"),
     N_("predict on: at each breakpoint the story asks one question about the next step (who "
        "passes P next, what semncnt the next sleeper makes, who gets the message, does this call "
        "block); type the answer (answer X, or just X), then step: the story says right or wrong. "
        "predict alone shows the score; each run's end tells it (it counts from predict on)."),
     CMD_CONSOLE, 0, 1, NEEDS_DASHBOARD, COMPLETE_NONE, c_predict},
    {"answer", NULL, "X", N_("answer predict's question (a name, a pid, yes or no)"),
     N_("The answer is checked when the step happens. While a question is open a lone word that "
        "is not a command is taken as the answer."),
     CMD_CONSOLE, 1, -1, NEEDS_DASHBOARD, COMPLETE_NONE, c_answer},
    {"speed", NULL, "X|max", N_("set the pace: 0.25 slow motion, 2 faster, max no delays"),
     N_("Scales every delay (hold, think, sleep) by 1/X, X from 0.05 to 100. Without an argument, "
        "shows the speed."),
     CMD_CONSOLE, 0, 1, NEEDS_DASHBOARD, COMPLETE_NONE, c_speed},
    {"kill", NULL, "ROLE|PID [SIGNAL]", N_("send a signal to one process of the run"),
     N_("Default SIGTERM. Kill the semaphore holder to see SEM_UNDO give it back: kill worker-1 "
        "KILL"),
     CMD_CONSOLE, 1, 2, NEEDS_NOTHING, COMPLETE_KILL, c_kill},
    {"p", NULL, "[SEM] [N] [nowait] [undo]",
     N_("you (a process of the run) take N from a semaphore"),
     N_("`you` is a real process of the run (you[PID] in the tree and the story): P by N (default "
        "1) on semaphore SEM (default 0) of the run's set. It may sleep; Ctrl-C on an empty line "
        "interrupts it (EINTR). undo: SEM_UNDO, given back when you dies (kill you). Works while "
        "the run is paused: the pause holds the scenario's roles, not your hand."),
     CMD_CONSOLE, 0, 4, NEEDS_RUN, COMPLETE_HAND, cmd_hand_p},
    {"v", NULL, "[SEM] [N] [nowait] [undo]", N_("you give N to a semaphore (wakes a sleeper)"),
     N_("V by N (default 1) on semaphore SEM (default 0), made by `you`, a real process of the "
        "run."),
     CMD_CONSOLE, 0, 4, NEEDS_RUN, COMPLETE_HAND, cmd_hand_v},
    {"semop", NULL, "SEM:OP[,SEM:OP...] [nowait] [undo]",
     N_("you make one semop of several sembufs"),
     N_("Up to 4 sembufs in one call, all applied or none: semop 0:-1,1:-1 takes both or sleeps; "
        "semop 0:-1,1:+1 nowait shows EAGAIN changing nothing. OP 0 waits for zero."),
     CMD_CONSOLE, 1, 3, NEEDS_RUN, COMPLETE_HAND, cmd_hand_semop},
    {"setval", NULL, "SEM N", N_("you set a semaphore's value (semctl SETVAL)"),
     N_("Wakes whoever the new value lets go and clears every process's SEM_UNDO adjustment of "
        "it."),
     CMD_CONSOLE, 2, 2, NEEDS_RUN, COMPLETE_HAND, cmd_hand_setval},
    {"wait0", NULL, "[SEM] [nowait]", N_("you wait until a semaphore is 0"),
     N_("A semop with sem_op 0 on SEM (default 0): sleeps while semval is not 0 (semzcnt counts "
        "you)."),
     CMD_CONSOLE, 0, 3, NEEDS_RUN, COMPLETE_HAND, cmd_hand_wait0},
    {"msgsnd", NULL, "TYPE TEXT [nowait]", N_("you send a message to the run's queue"),
     N_("TYPE 1 or more; the text is carried with a header naming you and a checksum, so the "
        "receivers' checks count it as yours, not as damage. Sleeps while the queue is full."),
     CMD_CONSOLE, 2, -1, NEEDS_RUN, COMPLETE_HAND, cmd_hand_msgsnd},
    {"msgrcv", NULL, "SEL [except] [noerror] [nowait]",
     N_("you take a message from the run's queue"),
     N_("SEL 0 the first, N the first of type N, -N the lowest type <= N; except: any type but N; "
        "noerror: MSG_NOERROR; nowait: ENOMSG instead of sleeping."),
     CMD_CONSOLE, 1, 4, NEEDS_RUN, COMPLETE_HAND, cmd_hand_msgrcv},
    {"rmid", NULL, "sem|msq|shm", N_("you remove the run's object (IPC_RMID)"),
     N_("A set or queue goes at once (its sleepers wake with EIDRM); a segment when its last "
        "attachment goes."),
     CMD_CONSOLE, 1, 1, NEEDS_RUN, COMPLETE_HAND, cmd_hand_rmid},
    {"input", NULL, "TEXT...|--eof", N_("type a line to the watched program's stdin"),
     N_("With watch --stdin -- PROGRAM, the program's stdin is a pipe: `input hello world` writes "
        "\"hello world\" and a newline to it; `input --eof` closes it (the program reads end of "
        "file). Without --stdin its stdin is /dev/null."),
     CMD_CONSOLE, 1, -1, NEEDS_NOTHING, COMPLETE_NONE, c_input},
    {"inspect", NULL, "ROLE|PID|ID", N_("details of a process or an IPC object"),
     N_("Shows /proc status and fd table of a process, or the full *_ds of a semaphore set, "
        "segment or queue (by id, or sem / shm / msq for the run's first one). Any other id, "
        "/name of a POSIX object, or pid is shown read-only from a look at the whole system."),
     CMD_CONSOLE, 1, 1, NEEDS_NOTHING, COMPLETE_INSPECT, c_inspect},
    {"ipcs", NULL, "[-a|-q|-m|-s] [-l] [-i ID]", N_("the system's IPC objects, as util-linux ipcs"),
     N_("Every System V queue, segment and semaphore set with util-linux's columns (the run's "
        "marked), then POSIX ones; -l the kernel's limits; -i ID one object and who uses it."),
     CMD_CONSOLE, 0, 3, NEEDS_NOTHING, COMPLETE_NONE, cmd_ipcs},
    {"ipcrm", NULL, "sem|shm|msq ID | key KEY", N_("remove a System V object"),
     N_("The run's objects go at once; any other only after a y/N question naming it. Never in a "
        "replay."),
     CMD_CONSOLE, 2, 2, NEEDS_NOTHING, COMPLETE_NONE, cmd_ipcrm},
    {"watch", NULL, "[user=U] [key=K] [sort=S] [scope=tree|all] [every=S]",
     N_("watch the whole system's IPC objects and who uses them"),
     N_("Samples every object (System V and POSIX) and the processes asleep on or attached to them "
        "every S seconds (default 1); user= and key= filter, sort=id|key|owner|activity orders "
        "the list. Watching a program (watch -- PROGRAM), the panel shows its objects only; "
        "scope=all "
        "widens it to the whole system, scope=tree narrows it again."),
     CMD_CLI | CMD_CONSOLE, 0, 5, NEEDS_NOTHING, COMPLETE_NONE, cmd_watch},
    {"back", NULL, "[N]", N_("go back N ops (default 1) on the timeline"),
     N_("In a replay, or in a live run (the run itself is not touched: its records are kept in "
        "memory). Shift-F4 does `back`; `live` or End returns to the present."),
     CMD_CONSOLE, 0, 1, NEEDS_DASHBOARD, COMPLETE_NONE, c_back},
    {"seek", NULL, "SECONDS|+S|-S|op N|start|end", N_("go to a time or an op on the timeline"),
     N_("seek 12.5 (from the start), seek +3 / seek -5 (from here), seek op 140, seek start, seek "
        "end. Left/Right go 5 s, Home/End to the ends, when the line is empty."),
     CMD_CONSOLE, 1, 2, NEEDS_DASHBOARD, COMPLETE_NONE, c_seek},
    {"mark", NULL, "next|prev", N_("go to the next or previous marker"),
     N_("Markers: a check changed, a process died, a deadlock was found, you typed a command. "
        "] and [ do the same when the line is empty."),
     CMD_CONSOLE, 0, 1, NEEDS_DASHBOARD, COMPLETE_NONE, c_mark},
    {"live", NULL, "", N_("back to the present after going back in a live run"),
     N_("The view follows the run again (End does the same)."), CMD_CONSOLE, 0, 0, NEEDS_DASHBOARD,
     COMPLETE_NONE, c_live},
    {"record", NULL, "FILE|stop", N_("record the run to FILE (from its start), or stop"),
     N_("Writes the run so far, then every record as it comes; the header shows REC. A name "
        "ending in .gz is compressed. ipcplay replay FILE plays it back."),
     CMD_CONSOLE, 1, 1, NEEDS_DASHBOARD, COMPLETE_NONE, c_record},
    {"clear", NULL, "", N_("clear the story"), N_("Empties the story panel."), CMD_CONSOLE, 0, 0,
     NEEDS_NOTHING, COMPLETE_NONE, c_clear},
    {"quit", "exit", "", N_("quit ipcplay"),
     N_("Stops the run, removes everything, restores the terminal."), CMD_CONSOLE, 0, 0,
     NEEDS_NOTHING, COMPLETE_NONE, c_quit},
    {"lang", NULL, "[zh|en]", N_("show or switch the language: zh Chinese, en English"),
     N_("Everything shown from now on (panels, story, help) is in that language; the lines "
        "already in the story stay as they were. The command line takes --lang zh|en."),
     CMD_CONSOLE, 0, 1, NEEDS_NOTHING, COMPLETE_NONE, c_lang},
    {"version", NULL, "", N_("print the version"), N_("Prints ipcplay's version."), CMD_CLI, 0, 0,
     NEEDS_NOTHING, COMPLETE_NONE, c_version},
};
const int ncommands = (int)(sizeof commands / sizeof commands[0]);

static int c_help(struct cmd_host *h, int argc, char **argv)
{
    if (argc >= 2) {
        char err[256];
        const struct command *c = command_find(argv[1], h->where, err, sizeof err);
        if (!c) {
            ERR("%s", err);
            return CMD_ERROR;
        }
        OUT(_("usage: %s %s"), c->name, c->args);
        OUT("  %s", _(c->summary));
        OUT("  %s", _(c->help));
        if (c->alias)
            OUT(_("  alias: %s"), c->alias);
        return CMD_OK;
    }
    for (int i = 0; i < ncommands; i++) {
        const struct command *c = &commands[i];
        if (!(c->where & h->where))
            continue;
        char head[64];
        snprintf(head, sizeof head, "%s %s", c->name, c->args);
        OUT("  %-32s %s", head, _(c->summary));
    }
    return CMD_OK;
}

const struct command *command_find(const char *word, unsigned where, char *err, size_t errlen)
{
    for (int i = 0; i < ncommands; i++)
        if ((commands[i].where & where) &&
            (strcmp(commands[i].name, word) == 0 ||
             (commands[i].alias && strcmp(commands[i].alias, word) == 0)))
            return &commands[i];
    const struct command *found = NULL;
    int matches = 0;
    char cands[256] = "";
    size_t wl = strlen(word);
    for (int i = 0; i < ncommands && wl > 0; i++) {
        if (!(commands[i].where & where) || strncmp(commands[i].name, word, wl) != 0)
            continue;
        found = &commands[i];
        matches++;
        strncat(cands, matches > 1 ? ", " : "", sizeof cands - strlen(cands) - 1);
        strncat(cands, commands[i].name, sizeof cands - strlen(cands) - 1);
    }
    if (matches == 1)
        return found;
    if (matches > 1)
        snprintf(err, errlen, _("ambiguous command: %s, could be: %s"), word, cands);
    else
        snprintf(err, errlen, _("unknown command: %s (type help for the list)"), word);
    return NULL;
}

int command_split(const char *line, char **argv, int max, char *buf, size_t buflen)
{
    int argc = 0;
    size_t o = 0;
    const char *p = line;
    for (;;) {
        while (*p && isspace((unsigned char)*p))
            p++;
        if (!*p || *p == '#')
            break;
        if (argc >= max - 1)
            return -1;
        argv[argc++] = buf + o;
        char quote = 0;
        while (*p && (quote || !isspace((unsigned char)*p))) {
            if (quote && *p == quote) {
                quote = 0;
                p++;
                continue;
            }
            if (!quote && (*p == '"' || *p == '\'')) {
                quote = *p++;
                continue;
            }
            if (*p == '\\' && p[1] && quote != '\'')
                p++;
            if (o + 1 >= buflen)
                return -1;
            buf[o++] = *p++;
        }
        if (quote)
            return -1;
        if (o + 1 >= buflen)
            return -1;
        buf[o++] = '\0';
    }
    argv[argc] = NULL;
    return argc;
}

int command_run_argv(struct cmd_host *h, int argc, char **argv)
{
    if (argc == 0)
        return CMD_OK;
    char err[256];
    const struct command *c = command_find(argv[0], h->where, err, sizeof err);
    if (argc == 1 && h->engine && engine_predict_waiting(h->engine) &&
        (!c || strcmp(c->name, argv[0]) != 0)) /* a lone word, not a command: the answer */
        return c_answer(h, 2, (char *[]){"answer", argv[0], NULL});
    if (!c) {
        ERR("%s", err);
        return CMD_ERROR;
    }
    int n = argc - 1;
    if (n < c->min_args || (c->max_args >= 0 && n > c->max_args))
        return usage(h, c);
    if ((c->needs == NEEDS_DASHBOARD && !need_dashboard(h)) ||
        (c->needs == NEEDS_RUN && !need_run(h)))
        return CMD_ERROR;
    return c->exec(h, argc, argv);
}

int command_run_line(struct cmd_host *h, const char *line)
{
    if (sysipc_cmd_pending(h)) /* the answer to ipcrm's y/N */
        return sysipc_cmd_answer(h, line);
    char *argv[MAX_ARGS];
    char buf[1024];
    int argc = command_split(line, argv, MAX_ARGS, buf, sizeof buf);
    if (argc < 0) {
        ERR(_("cannot parse that line: unbalanced quotes or too long"));
        return CMD_ERROR;
    }
    return command_run_argv(h, argc, argv);
}

/* What a completer is given: the words before the one being typed. */
struct completion {
    const struct cmd_host *h;
    int argc;
    char **argv;
    const char *prefix;
    size_t pl;
    void (*add)(void *ctx, const char *cand);
    void *ctx;
};

static void offer(const struct completion *c, const char *cand)
{
    if (strncmp(cand, c->prefix, c->pl) == 0)
        c->add(c->ctx, cand);
}

static void complete_commands(const struct completion *c)
{
    for (int i = 0; c->argc == 1 && i < ncommands; i++)
        if (commands[i].where & c->h->where)
            offer(c, commands[i].name);
}

static void complete_scenarios(const struct completion *c)
{
    for (int i = 0; c->argc == 1 && i < nscenarios; i++)
        offer(c, scenarios[i]->name);
}

/* run: a scenario, then name= and, after the '=', the values it accepts. */
static void complete_run(const struct completion *c)
{
    if (c->argc == 1) {
        complete_scenarios(c);
        return;
    }
    const struct scenario_def *s = scenario_find(c->argv[1]);
    if (!s)
        return;
    const char *eq = strchr(c->prefix, '=');
    if (!eq) {
        for (int i = 0; i < s->nparams; i++) {
            char cand[64];
            snprintf(cand, sizeof cand, "%s=", s->params[i].name);
            offer(c, cand);
        }
        return;
    }
    char name[64];
    snprintf(name, sizeof name, "%.*s", (int)(eq - c->prefix), c->prefix);
    int idx = scenario_param_index(s, name);
    if (idx < 0)
        return;
    const struct param_def *p = &s->params[idx];
    static const char *const bools[] = {"on", "off", NULL};
    const char *const *ch = p->type == PARAM_BOOL   ? bools
                            : p->type == PARAM_ENUM ? p->choices
                                                    : NULL;
    for (int i = 0; ch && ch[i]; i++) {
        char cand[96];
        snprintf(cand, sizeof cand, "%s=%s", name, ch[i]);
        offer(c, cand);
    }
}

/* The run's processes (live ones only when `live`), by name or pid. */
static void complete_procs(const struct completion *c, bool live)
{
    const struct model *m = c->h->model;
    for (int i = 0; m && i < m->nprocs; i++) {
        const struct model_proc *p = &m->procs[i];
        if (live && (p->role < 0 || p->exited))
            continue;
        char pid[16];
        snprintf(pid, sizeof pid, "%d", (int)p->pid);
        offer(c, p->name);
        if (c->pl)
            offer(c, pid);
    }
}

/* kill: a live process, then a signal (short names; the SIG form once the
 * word starts with SIG). */
static void complete_kill(const struct completion *c)
{
    if (c->argc == 1) {
        complete_procs(c, true);
        return;
    }
    static const char *const sigs[] = {"TERM", "KILL", "INT",  "HUP",   "QUIT",  "STOP",
                                       "CONT", "USR1", "USR2", "RTMIN", "RTMAX", NULL};
    for (int i = 0; c->argc == 2 && sigs[i]; i++) {
        char full[16];
        snprintf(full, sizeof full, "SIG%s", sigs[i]);
        if (strncasecmp(sigs[i], c->prefix, c->pl) == 0)
            c->add(c->ctx, sigs[i]);
        else if (c->pl >= 3 && strncasecmp(full, c->prefix, c->pl) == 0)
            c->add(c->ctx, full);
    }
}

/* inspect: every process (a dead one's exit is worth a look), then the
 * objects, by word or id. */
static void complete_inspect(const struct completion *c)
{
    const struct model *m = c->h->model;
    if (c->argc != 1 || !m)
        return;
    complete_procs(c, false);
    const char *words[] = {m->nsemsets ? "sem" : NULL, m->nshmsegs ? "shm" : NULL,
                           m->nmsgqs ? "msq" : NULL};
    for (int i = 0; i < 3; i++)
        if (words[i])
            offer(c, words[i]);
    char id[16];
    for (int i = 0; c->pl && i < m->nsemsets; i++)
        if (snprintf(id, sizeof id, "%d", m->semsets[i].semid) > 0)
            offer(c, id);
    for (int i = 0; c->pl && i < m->nshmsegs; i++)
        if (m->shmsegs[i].kind == SHM_SYSV &&
            snprintf(id, sizeof id, "%d", m->shmsegs[i].shmid) > 0)
            offer(c, id);
    for (int i = 0; c->pl && i < m->nmsgqs; i++)
        if (snprintf(id, sizeof id, "%d", m->msgqs[i].msqid) > 0)
            offer(c, id);
}

/* The hand's commands: the run's semaphore numbers where a SEM goes, then
 * the option words that command takes; rmid: the kinds the run has. */
static void complete_hand(const struct completion *c)
{
    const struct model *m = c->h->model;
    char err[128];
    const struct command *cmd = command_find(c->argv[0], c->h->where, err, sizeof err);
    if (!cmd || !m)
        return;
    const char *n = cmd->name;
    if (strcmp(n, "rmid") == 0) {
        const char *words[] = {m->nsemsets ? "sem" : NULL, m->nmsgqs ? "msq" : NULL,
                               m->nshmsegs ? "shm" : NULL};
        for (int i = 0; c->argc == 1 && i < 3; i++)
            if (words[i])
                offer(c, words[i]);
        return;
    }
    bool sem_first = strcmp(n, "p") == 0 || strcmp(n, "v") == 0 || strcmp(n, "wait0") == 0 ||
                     strcmp(n, "setval") == 0;
    if (sem_first && c->argc == 1) {
        for (int k = 0; m->nsemsets > 0 && k < m->semsets[0].nsems; k++) {
            char num[16];
            snprintf(num, sizeof num, "%d", k);
            offer(c, num);
        }
        return;
    }
    const char *const *words = NULL;
    static const char *const sem_words[] = {"nowait", "undo", NULL};
    static const char *const rcv_words[] = {"except", "noerror", "nowait", NULL};
    static const char *const snd_words[] = {"nowait", NULL};
    if (strcmp(n, "msgrcv") == 0 && c->argc >= 2)
        words = rcv_words;
    else if (strcmp(n, "msgsnd") == 0 && c->argc >= 3)
        words = snd_words;
    else if (strcmp(n, "setval") != 0 && strcmp(n, "msgrcv") != 0 && strcmp(n, "msgsnd") != 0 &&
             c->argc >= 2)
        words = sem_words;
    for (int i = 0; words && words[i]; i++)
        offer(c, words[i]);
}

static void complete_nothing(const struct completion *c)
{
    (void)c;
}

static void (*const completers[])(const struct completion *) = {
    [COMPLETE_NONE] = complete_nothing,     [COMPLETE_SCENARIO] = complete_scenarios,
    [COMPLETE_RUN] = complete_run,          [COMPLETE_KILL] = complete_kill,
    [COMPLETE_COMMAND] = complete_commands, [COMPLETE_INSPECT] = complete_inspect,
    [COMPLETE_HAND] = complete_hand,
};

void command_complete(const struct cmd_host *h, const char *line, int word_start,
                      const char *prefix, void (*add)(void *ctx, const char *cand), void *ctx)
{
    char *argv[MAX_ARGS];
    char buf[1024];
    char head[1024];
    snprintf(head, sizeof head, "%.*s", word_start, line);
    int argc = command_split(head, argv, MAX_ARGS, buf, sizeof buf);
    if (argc < 0)
        return;
    struct completion c = {h, argc, argv, prefix, strlen(prefix), add, ctx};
    if (argc == 0) {
        c.argc = 1; /* the command's own name */
        complete_commands(&c);
        return;
    }
    char err[128];
    const struct command *cmd = command_find(argv[0], h->where, err, sizeof err);
    if (cmd)
        completers[cmd->complete](&c);
}
