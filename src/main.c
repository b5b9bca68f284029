/* main.c — picks the mode from the command line (read by commands/cli.c):
 * the dashboard (default), a headless run, or a one-shot command (list,
 * help, version). Commands go through the same table as the console. Bad
 * input: one line on stderr, exit 2, nothing started. */
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
#include "engine/engine.h"
#include "engine/guardian.h"
#include "engine/helper.h"
#include "engine/journal.h"
#include "engine/registry.h"
#include "model/model.h"
#include "ui/ui.h"
#include "view/headless.h"

struct cli {
    bool headless, json;
    bool paused;
    const struct cmd_host *host; /* its start_paused: `run NAME paused` */
    bool ran; /* a run's view (headless or dashboard) had stdout */
    double speed;
    double for_seconds;
    int status;
    struct model *model;
};

static void cli_print(void *self, int kind, const char *line)
{
    (void)self;
    if (kind == OUT_ERROR)
        fprintf(stderr, "ipcplay: %s\n", line);
    else
        printf("%s\n", line);
}

static bool have_terminal(void)
{
    const char *term = getenv("TERM");
    return isatty(STDIN_FILENO) && isatty(STDOUT_FILENO) && term && *term &&
           strcmp(term, "dumb") != 0;
}

static int cli_run(void *self, const struct scenario_def *s, const long *vals)
{
    struct cli *c = self;
    bool tui = !c->headless && ui_available();
    if (!c->headless && !have_terminal()) {
        fprintf(stderr, "ipcplay: no terminal to draw the dashboard on (stdin/stdout is not a "
                        "tty or TERM is dumb); use --headless for text output\n");
        c->status = 2;
        return -1;
    }
    bool paused = c->paused || (c->host && c->host->start_paused);
    if (paused && !tui) {
        fprintf(stderr, "ipcplay: --paused needs the dashboard: a headless run has no one to "
                        "resume it\n");
        c->status = 2;
        return -1;
    }
    c->ran = true;
    char note[512];
    if (journal_sweep(note, sizeof note) > 0)
        fprintf(stderr, "ipcplay: %s\n", note);
    if (journal_warning())
        fprintf(stderr, "ipcplay: warning: %s\n", journal_warning());
    int gfd = guardian_start(tui);
    registry_init(gfd);
    static struct model model;
    struct engine *e = engine_new(&model);
    if (!e) {
        fprintf(stderr, "ipcplay: cannot set up the engine (signalfd, timerfd or /proc)\n");
        c->status = 3;
        return -1;
    }
    if (tui) {
        struct ui_opts uo = {.speed = c->speed, .paused = paused};
        c->status = ui_run(e, &model, s, vals, &uo);
    } else {
        struct headless_opts ho = {.speed = c->speed, .for_seconds = c->for_seconds,
                                   .json = c->json, .out = stdout};
        c->status = headless_run(e, &model, s, vals, &ho);
    }
    engine_free(e);
    if (registry_count(0) == 0)
        registry_clean_exit();
    return 0;
}

/* What could not be written is an error, said once, never a silent
 * success: `ipcplay list > /dev/full`. */
static int output_status(int status)
{
    errno = 0;
    if (fflush(stdout) == 0 && !ferror(stdout))
        return status;
    fprintf(stderr, "ipcplay: cannot write the output: %s\n", strerror(errno ? errno : EIO));
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

int main(int argc, char **argv)
{
    reserve_stdio();
    /* Hidden helper modes, exec'd by scenarios; not in --help. */
    if (argc >= 2 && strcmp(argv[1], "__fdreport") == 0)
        return helper_fdreport(argc - 2, argv + 2);
    setlocale(LC_ALL, "");
    int bad_op;
    if (op_table_check(&bad_op) < 0) {
        fprintf(stderr, "ipcplay: op %d has no complete entry in the op table\n", bad_op);
        return 3;
    }
    struct cli cli = {.status = 0};
    struct cli_opts o;
    char err[256];
    switch (cli_parse(argc, argv, &o, err, sizeof err)) {
    case CLI_HELP: fputs(cli_usage, stdout); return output_status(0);
    case CLI_VERSION: printf("ipcplay %s\n", IPCPLAY_VERSION); return output_status(0);
    case CLI_ERROR: fprintf(stderr, "ipcplay: %s\n", err); return 2;
    default: break;
    }
    cli.headless = o.headless;
    cli.json = o.json;
    cli.speed = o.speed;
    cli.for_seconds = o.for_seconds;
    cli.paused = o.paused;
    struct cmd_host host = {.self = &cli, .where = CMD_CLI, .print = cli_print, .run = cli_run};
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
