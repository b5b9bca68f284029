/* main.c — parses argv and picks the mode: the dashboard (default), a headless
 * run, or a one-shot command (list, help, version). Commands go through the
 * same table as the console. Bad input: one line on stderr, exit 2, nothing
 * started. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <locale.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "commands/commands.h"
#include "engine/engine.h"
#include "engine/guardian.h"
#include "engine/helper.h"
#include "engine/journal.h"
#include "engine/registry.h"
#include "model/model.h"
#include "ui/ui.h"
#include "view/headless.h"

static const char usage[] =
    "usage: ipcplay [run SCENARIO [name=value ...]] [options]\n"
    "       ipcplay list [SCENARIO]\n"
    "       ipcplay help [COMMAND] | --help | --version\n"
    "\n"
    "Real processes do real IPC (System V semaphores, queues, shared memory, pipes,\n"
    "fd passing) under scripted scenarios; ipcplay shows what the kernel sees.\n"
    "With no command it opens the dashboard on the sem scenario.\n"
    "\n"
    "options:\n"
    "  --headless         no dashboard: print the story, state lines and checks\n"
    "  --json             with --headless: print JSON lines instead of text\n"
    "  --speed X|max      pace: 1 human (default), 0.25 slow motion, max no delays\n"
    "  --for SECONDS      stop the run after SECONDS (0.1 to 86400)\n"
    "  -h, --help         this text\n"
    "  -V, --version      the version\n"
    "\n"
    "exit status: 0 every check held, 1 a check failed, 2 usage error,\n"
    "3 runtime error, 128+N stopped by signal N.\n"
    "See ipcplay(1), `ipcplay list` and `ipcplay help`.\n";

struct cli {
    bool headless, json;
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
        struct ui_opts uo = {.speed = c->speed};
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
    struct cli cli = {.speed = 1.0, .status = 0};
    static const struct option longopts[] = {
        {"help", no_argument, NULL, 'h'},
        {"version", no_argument, NULL, 'V'},
        {"headless", no_argument, NULL, 'H'},
        {"json", no_argument, NULL, 'j'},
        {"speed", required_argument, NULL, 's'},
        {"for", required_argument, NULL, 'f'},
        {NULL, 0, NULL, 0},
    };
    opterr = 0;
    int ch;
    while ((ch = getopt_long(argc, argv, ":hV", longopts, NULL)) != -1) {
        switch (ch) {
        case 'h': fputs(usage, stdout); return 0;
        case 'V': printf("ipcplay %s\n", IPCPLAY_VERSION); return 0;
        case 'H': cli.headless = true; break;
        case 'j': cli.json = true; break;
        case 's':
            if (command_parse_speed(optarg, &cli.speed) < 0) {
                fprintf(stderr, "ipcplay: bad --speed '%s': accepted a factor from 0.05 to 100 "
                                "(0.25, 2x, 1/4) or max\n", optarg);
                return 2;
            }
            break;
        case 'f': {
            char *end;
            cli.for_seconds = strtod(optarg, &end);
            if (end == optarg || *end || !(cli.for_seconds >= 0.1 && cli.for_seconds <= 86400)) {
                fprintf(stderr, "ipcplay: bad --for '%s': accepted seconds from 0.1 to 86400\n",
                        optarg);
                return 2;
            }
            break;
        }
        case ':':
            fprintf(stderr, "ipcplay: option %s needs a value (see ipcplay --help)\n",
                    argv[optind - 1]);
            return 2;
        default:
            fprintf(stderr, "ipcplay: unknown option '%s' (see ipcplay --help)\n",
                    argv[optind - 1]);
            return 2;
        }
    }
    if (cli.json && !cli.headless) {
        fprintf(stderr, "ipcplay: --json needs --headless\n");
        return 2;
    }
    char *dflt[] = {"run", "sem", NULL};
    int nwords = argc - optind;
    char **words = argv + optind;
    if (nwords == 0) {
        words = dflt;
        nwords = 2;
    }
    struct cmd_host host = {.self = &cli, .where = CMD_CLI, .print = cli_print, .run = cli_run};
    int rc = command_run_argv(&host, nwords, words);
    fflush(stdout);
    if (rc == CMD_ERROR)
        return cli.status ? cli.status : 2;
    return cli.status;
}
