/* cli.c — see cli.h. The options of the ipcplay command line; what follows
 * them is command words for the command table. */
#include "cli.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"

const char cli_usage[] =
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
    "  --paused           start paused before the first op (dashboard; or the word paused)\n"
    "  -h, --help         this text\n"
    "  -V, --version      the version\n"
    "\n"
    "exit status: 0 every check held, 1 a check failed, 2 usage error,\n"
    "3 runtime error, 128+N stopped by signal N.\n"
    "See ipcplay(1), `ipcplay list` and `ipcplay help`.\n";

static char *default_words[] = {"run", "sem", NULL};

int cli_parse(int argc, char **argv, struct cli_opts *o, char *err, size_t errlen)
{
    static const struct option longopts[] = {
        {"help", no_argument, NULL, 'h'},
        {"version", no_argument, NULL, 'V'},
        {"headless", no_argument, NULL, 'H'},
        {"json", no_argument, NULL, 'j'},
        {"speed", required_argument, NULL, 's'},
        {"for", required_argument, NULL, 'f'},
        {"paused", no_argument, NULL, 'P'},
        {NULL, 0, NULL, 0},
    };
    *o = (struct cli_opts){.speed = 1.0};
    opterr = 0;
    optind = 0; /* glibc: start over, as if never called */
    int ch;
    while ((ch = getopt_long(argc, argv, ":hV", longopts, NULL)) != -1) {
        switch (ch) {
        case 'h': return CLI_HELP;
        case 'V': return CLI_VERSION;
        case 'H': o->headless = true; break;
        case 'j': o->json = true; break;
        case 'P': o->paused = true; break;
        case 's':
            if (command_parse_speed(optarg, &o->speed) < 0) {
                snprintf(err, errlen,
                         "bad --speed '%s': accepted a factor from 0.05 to 100 "
                         "(0.25, 2x, 1/4) or max",
                         optarg);
                return CLI_ERROR;
            }
            break;
        case 'f': {
            char *end;
            o->for_seconds = strtod(optarg, &end);
            if (end == optarg || *end || !(o->for_seconds >= 0.1 && o->for_seconds <= 86400)) {
                snprintf(err, errlen, "bad --for '%s': accepted seconds from 0.1 to 86400", optarg);
                return CLI_ERROR;
            }
            break;
        }
        case ':':
            snprintf(err, errlen, "option %s needs a value (see ipcplay --help)", argv[optind - 1]);
            return CLI_ERROR;
        default:
            /* A short option inside a group (-xV) leaves optind on that
             * word: name the letter, not the word before it. */
            if (optopt)
                snprintf(err, errlen, "unknown option '-%c' (see ipcplay --help)", optopt);
            else
                snprintf(err, errlen, "unknown option '%s' (see ipcplay --help)", argv[optind - 1]);
            return CLI_ERROR;
        }
    }
    if (o->json && !o->headless) {
        snprintf(err, errlen, "--json needs --headless");
        return CLI_ERROR;
    }
    o->nwords = argc - optind;
    o->words = argv + optind;
    if (o->nwords == 0) {
        o->words = default_words;
        o->nwords = 2;
    }
    return CLI_WORDS;
}
