/* main.c — picks the mode from the command line (read by commands/cli.c):
 * the dashboard (default), a headless run, a watch of the whole system
 * (dashboard or headless), or a one-shot command (list, help, version). Commands go through the
 * same table as the console. Bad input: one line on stderr, exit 2, nothing started. */
#include <errno.h>
#include <fcntl.h>
#include <locale.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "commands/cli.h"
#include "commands/commands.h"
#include "commands/lang.h"
#include "engine/engine.h"
#include "engine/guardian.h"
#include "engine/helper.h"
#include "engine/journal.h"
#include "engine/registry.h"
#include "engine/tree.h"
#include "engine/watch.h"
#include "model/i18n.h"
#include "model/model.h"
#include "ui/ui.h"
#include "record/recording.h"
#include "view/headless.h"
#include "view/replay_main.h"
#include "view/tree.h"
#include "view/watch.h"

struct cli {
    bool headless, json;
    bool paused;
    const struct cmd_host *host; /* its start_paused: `run NAME paused` */
    bool ran;                    /* a run's view (headless or dashboard) had stdout */
    double speed;
    double for_seconds;
    const char *record; /* --record FILE */
    int argc;
    char **argv;
    int status;
    struct model *model;
    const struct cli_opts *opts;
};

/* The errno of the first write to stdout that failed: a long output (`list`)
 * fails mid-way, and by the final fflush the buffer is gone with its errno. */
static int out_errno;

static void cli_print(void *self, int kind, const char *line)
{
    (void)self;
    if (kind == OUT_ERROR) {
        fprintf(stderr, _("ipcplay: %s\n"), line);
        return;
    }
    errno = 0;
    if (printf("%s\n", line) < 0 && !out_errno)
        out_errno = errno;
}

static bool have_terminal(void)
{
    const char *term = getenv("TERM");
    return isatty(STDIN_FILENO) && isatty(STDOUT_FILENO) && term && *term &&
           strcmp(term, "dumb") != 0;
}

/* A full disk stops the recording: the story says so, the run goes on. */
static void record_say(void *ctx, const char *line)
{
    engine_say(ctx, 2, "ipcplay", "record", "%s", line);
}

/* --record: the file is created before anything starts (refused: exit 2). */
static struct recorder *record_open(struct cli *c, const struct scenario_def *s, const long *vals,
                                    bool tui)
{
    char params[192], err[512];
    scenario_format_params(s, vals, params, sizeof params);
    struct rec_header h;
    rec_header_init(&h, s->name, params, c->speed,
                    tui       ? "dashboard"
                    : c->json ? "headless-json"
                              : "headless",
                    c->argc, c->argv);
    struct recorder *rc = recorder_open(c->record, &h, err, sizeof err);
    if (!rc) {
        fprintf(stderr, _("ipcplay: %s\n"), err);
        c->status = 2;
    }
    return rc;
}

static void record_close(struct recorder *rc, struct rec_trailer *end)
{
    char err[512];
    if (rc && recorder_close(rc, end, err, sizeof err) < 0)
        fprintf(stderr, _("ipcplay: %s\n"), err);
}

static int cli_run(void *self, const struct scenario_def *s, const long *vals)
{
    struct cli *c = self;
    bool tui = !c->headless && ui_available();
    if (!c->headless && !have_terminal()) {
        fprintf(stderr, _("ipcplay: no terminal to draw the dashboard on (stdin/stdout is not a "
                          "tty or TERM is dumb); use --headless for text output\n"));
        c->status = 2;
        return -1;
    }
    bool paused = c->paused || (c->host && c->host->start_paused);
    if (paused && !tui) {
        fprintf(stderr, _("ipcplay: --paused needs the dashboard: a headless run has no one to "
                          "resume it\n"));
        c->status = 2;
        return -1;
    }
    struct recorder *rec = c->record ? record_open(c, s, vals, tui) : NULL;
    if (c->record && !rec)
        return -1;
    c->ran = true;
    char note[512];
    if (journal_sweep(note, sizeof note) > 0)
        fprintf(stderr, _("ipcplay: %s\n"), note);
    if (journal_warning())
        fprintf(stderr, _("ipcplay: warning: %s\n"), journal_warning());
    int gfd = guardian_start(tui);
    registry_init(gfd);
    static struct model model;
    struct engine *e = engine_new(&model);
    if (!e) {
        fprintf(stderr, _("ipcplay: cannot set up the engine (signalfd, timerfd or /proc)\n"));
        record_close(rec, NULL);
        c->status = 3;
        return -1;
    }
    struct rec_trailer ending = {.how = REC_END_STOPPED};
    if (rec) {
        engine_set_tap(e, recorder_tap, rec);
        recorder_set_say(rec, record_say, e);
    }
    if (tui) {
        struct ui_opts uo = {.speed = c->speed, .rec = &rec, .paused = paused};
        c->status = ui_run(e, &model, s, vals, &uo);
        ending.elapsed_ns = model.now_ns;
    } else {
        struct headless_opts ho = {.speed = c->speed,
                                   .for_seconds = c->for_seconds,
                                   .json = c->json,
                                   .out = stdout,
                                   .ending = &ending};
        c->status = headless_run(e, &model, s, vals, &ho);
    }
    engine_set_tap(e, NULL, NULL);
    record_close(rec, &ending);
    engine_free(e);
    if (registry_count(0) == 0)
        registry_clean_exit();
    return 0;
}

/* `ipcplay watch -- PROGRAM` / `watch --pid PID`: a tree, tracked. The
 * program is checked before anything starts; its group is registered with
 * the guardian, so a kill -9 of the dashboard still ends it. */
static int cli_tree(struct cli *c, int period_ms)
{
    char path[4096], err[256];
    if (c->record) { /* said, not ignored: nothing would be written */
        fprintf(stderr, _("ipcplay: --record: a watch of a program is not recorded yet\n"));
        c->status = 2;
        return -1;
    }
    if (c->opts->prog &&
        tree_check_program(c->opts->prog[0], path, sizeof path, err, sizeof err) < 0) {
        fprintf(stderr, _("ipcplay: %s\n"), err);
        c->status = 2;
        return -1;
    }
    bool tui = !c->headless && ui_available();
    if (!c->headless && !have_terminal()) {
        fprintf(stderr, _("ipcplay: no terminal to draw the dashboard on; use watch --headless\n"));
        c->status = 2;
        return -1;
    }
    c->ran = true;
    int gfd = guardian_start(tui);
    registry_init(gfd);
    static struct model model;
    struct engine *e = engine_new(&model);
    if (!e) {
        fprintf(stderr, _("ipcplay: cannot set up the engine (signalfd, timerfd or /proc)\n"));
        c->status = 3;
        return -1;
    }
    struct tree_opts to = {.argv = c->opts->prog,
                           .pid = c->opts->pid,
                           .trace = !c->opts->no_trace,
                           .via = c->opts->trace_via == 1   ? TREE_VIA_PRELOAD
                                  : c->opts->trace_via == 2 ? TREE_VIA_PTRACE
                                                            : TREE_VIA_AUTO,
                           .period_ms = period_ms,
                           .stdin_pipe = c->opts->stdin_pipe};
    if (engine_watch_tree(e, &to, err, sizeof err) < 0) {
        fprintf(stderr, _("ipcplay: %s\n"), err);
        c->status = 3;
    } else if (tui) {
        struct ui_opts uo = {.speed = c->speed};
        c->status = ui_run(e, &model, NULL, NULL, &uo);
    } else {
        struct tree_view_opts vo = {.for_seconds = c->for_seconds, .out = stdout};
        c->status = tree_headless(e, &model, &vo);
    }
    engine_free(e);
    if (registry_count(0) == 0)
        registry_clean_exit();
    return 0;
}

/* `ipcplay watch`: the whole system, in the dashboard or headless. The
 * options (--user, --key, --sort) win over the words (user=...). */
static int cli_watch(void *self, const struct sysipc_filter *words, int period_ms)
{
    struct cli *c = self;
    if (c->opts->prog || c->opts->pid)
        return cli_tree(c, period_ms == WATCH_DEFAULT_MS ? 250 : period_ms);
    struct sysipc_filter f = *words;
    if (c->opts->user[0])
        snprintf(f.user, sizeof f.user, "%s", c->opts->user);
    if (c->opts->key && sysipc_parse_key(c->opts->key, &f.key) == 0)
        f.has_key = 1;
    if (c->opts->sort >= 0)
        f.sort = c->opts->sort;
    bool tui = !c->headless && ui_available();
    if (!c->headless && !have_terminal()) {
        fprintf(stderr, _("ipcplay: no terminal to draw the dashboard on; use watch --headless\n"));
        c->status = 2;
        return -1;
    }
    /* --record: the file is created before anything starts (refused: exit 2) */
    struct recorder *rec = NULL;
    if (c->record) {
        char params[192], err[512];
        snprintf(params, sizeof params, "%s%s%ssort=%s", f.user[0] ? "user=" : "", f.user,
                 f.user[0] ? " " : "", sysipc_sort_name(f.sort));
        if (f.has_key) {
            size_t off = strlen(params);
            snprintf(params + off, sizeof params - off, " key=0x%08x", f.key);
        }
        struct rec_header h;
        rec_header_init(&h, "watch", params, 0,
                        tui       ? "watch-dashboard"
                        : c->json ? "watch-headless-json"
                                  : "watch-headless",
                        c->argc, c->argv);
        rec = recorder_open(c->record, &h, err, sizeof err);
        if (!rec) {
            fprintf(stderr, "ipcplay: %s\n", err);
            c->status = 2;
            return -1;
        }
    }
    c->ran = true;
    static struct model model;
    struct engine *e = engine_new(&model);
    if (!e) {
        fprintf(stderr, _("ipcplay: cannot set up the engine (signalfd, timerfd or /proc)\n"));
        record_close(rec, NULL);
        c->status = 3;
        return -1;
    }
    struct rec_trailer ending = {.how = REC_END_STOPPED};
    if (rec) {
        engine_set_tap(e, recorder_tap, rec);
        recorder_set_say(rec, record_say, e);
    }
    if (tui) {
        char err[256];
        if (engine_watch_system(e, period_ms, &f, err, sizeof err) < 0) {
            fprintf(stderr, _("ipcplay: watch: %s\n"), err);
            c->status = 3;
        } else {
            struct ui_opts uo = {.speed = c->speed, .rec = &rec};
            c->status = ui_run(e, &model, NULL, NULL, &uo);
        }
    } else {
        struct watch_opts wo = {.for_seconds = c->for_seconds,
                                .period_ms = period_ms,
                                .json = c->json,
                                .filter = f,
                                .out = stdout};
        c->status = watch_headless(e, &model, &wo);
        ending.how = c->status >= 128 ? REC_END_SIGNAL
                     : c->status == 0 ? REC_END_FOR
                                      : REC_END_STOPPED;
        ending.signal = c->status >= 128 ? c->status - 128 : 0;
    }
    ending.elapsed_ns = model.now_ns;
    engine_set_tap(e, NULL, NULL);
    record_close(rec, &ending);
    engine_free(e);
    return 0;
}

/* What could not be written is an error, said once, never a silent
 * success: `ipcplay list > /dev/full`. */
static int output_status(int status)
{
    errno = 0;
    if (fflush(stdout) == 0 && !ferror(stdout))
        return status;
    int err = out_errno ? out_errno : errno ? errno : EIO;
    fprintf(stderr, _("ipcplay: cannot write the output: %s\n"), strerror(err));
    return 3;
}

/* A closed stdin, stdout or stderr would be handed out again by the next
 * open: the guardian's pipe or the journal would get our output. Park
 * /dev/null on them, read-only, so writing there fails as it would have. */
static void reserve_stdio(void)
{
    for (int fd = 0; fd <= 2; fd++) {
        if (fcntl(fd, F_GETFD) >= 0 || errno != EBADF)
            continue;
        int n = open("/dev/null", O_RDONLY);
        if (n >= 0 && n != fd) {
            dup2(n, fd);
            close(n);
        }
    }
}

/* `export FILE --cast OUT [--size WxH] [--speed X]`: the dashboard drawn on
 * a virtual screen, nothing run, no terminal needed. */
static int export_cast(const struct cli_opts *o)
{
    if (o->nwords != 2 || o->text || o->headless || o->json) {
        fprintf(stderr, _("ipcplay: usage: ipcplay export FILE --cast OUT.cast [--size 120x40] "
                          "[--speed X]\n"));
        return 2;
    }
    if (o->speed == 0) {
        fprintf(stderr, _("ipcplay: export --cast: --speed max has no meaning in a cast; give a "
                          "factor (2 plays twice as fast)\n"));
        return 2;
    }
    struct ui_cast_opts co = {
        .out = o->cast, .cols = o->cast_cols, .rows = o->cast_rows, .speed = o->speed};
    return ui_cast(o->words[1], &co);
}

int main(int argc, char **argv)
{
    reserve_stdio();
    /* Hidden helper modes, exec'd by scenarios; not in --help. */
    if (argc >= 2 && strcmp(argv[1], "__fdreport") == 0)
        return helper_fdreport(argc - 2, argv + 2);
    lang_init(lang_from_argv(argc, argv)); /* a bad --lang is cli_parse's to report */
    int bad_op;
    if (op_table_check(&bad_op) < 0) {
        fprintf(stderr, _("ipcplay: op %d has no complete entry in the op table\n"), bad_op);
        return 3;
    }
    struct cli cli = {.status = 0};
    struct cli_opts o;
    char err[256];
    switch (cli_parse(argc, argv, &o, err, sizeof err)) {
    case CLI_HELP: fputs(_(cli_usage), stdout); return output_status(0);
    case CLI_VERSION: printf("ipcplay %s\n", IPCPLAY_VERSION); return output_status(0);
    case CLI_ERROR: fprintf(stderr, _("ipcplay: %s\n"), err); return 2;
    default: break;
    }
    cli.headless = o.headless;
    cli.json = o.json;
    cli.speed = o.speed;
    cli.for_seconds = o.for_seconds;
    cli.paused = o.paused;
    cli.record = o.record;
    cli.argc = argc;
    cli.argv = argv;
    if (strcmp(o.words[0], "replay") == 0 && o.nwords == 2 && !o.headless && !o.json) {
        /* the dashboard on a recording; `run` typed there starts it live */
        if (!have_terminal()) {
            fprintf(stderr, _("ipcplay: no terminal to draw the dashboard on; use replay FILE "
                              "--headless\n"));
            return 2;
        }
        const struct scenario_def *next = NULL;
        long vals[SCENARIO_MAX_PARAMS];
        int st = ui_replay(o.words[1], &next, vals);
        if (st != UI_REPLAY_RUN)
            return st;
        cli.opts = &o;
        cli.record = NULL;
        cli_run(&cli, next, vals);
        return cli.status;
    }
    if (strcmp(o.words[0], "export") == 0 && o.cast)
        return export_cast(&o);
    if (strcmp(o.words[0], "replay") == 0 || strcmp(o.words[0], "export") == 0) {
        struct replay_cli rc = {.headless = o.headless, .json = o.json, .text = o.text};
        int st = replay_main(o.nwords, o.words, &rc);
        fflush(stdout);
        return st;
    }
    cli.opts = &o;
    struct cmd_host host = {
        .self = &cli, .where = CMD_CLI, .print = cli_print, .run = cli_run, .watch = cli_watch};
    cli.host = &host;
    int rc = command_run_argv(&host, o.nwords, o.words);
    if (cli.ran) /* the run's view reported its own output errors */
        fflush(stdout);
    else
        cli.status = output_status(cli.status);
    if (rc == CMD_ERROR)
        return cli.status ? cli.status : 2;
    return cli.status;
}
