/* cli.c — see cli.h. The options of the ipcplay command line; what follows
 * them is command words for the command table. */
#include "cli.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../model/sysipc.h"
#include "../model/i18n.h"
#include "commands.h"
#include "lang.h"

const char *const cli_usage =
    N_("usage: ipcplay [run SCENARIO [name=value ...]] [options]\n"
       "       ipcplay replay FILE [--headless [--json]]   (the dashboard without --headless)\n"
       "       ipcplay export FILE --text | --cast OUT.cast [--size 120x40] [--speed X]\n"
       "       ipcplay watch [--user U] [--key K] [--sort id|key|owner|activity] [options]\n"
       "       ipcplay watch [--trace=preload|ptrace|off] [--stdin] [options] -- PROGRAM [ARGS]\n"
       "       ipcplay watch --pid PID [options]\n"
       "       ipcplay list [SCENARIO]\n"
       "       ipcplay help [COMMAND] | --help | --version\n"
       "\n"
       "Real processes do real IPC (System V semaphores, queues, shared memory, pipes,\n"
       "fd passing) under scripted scenarios; ipcplay shows what the kernel sees.\n"
       "With no command it opens the dashboard on the sem scenario; `watch` shows every\n"
       "IPC object of the system and the processes that use it.\n"
       "\n"
       "options:\n"
       "  --headless         no dashboard: print the story, state lines and checks\n"
       "  --json             with --headless: print JSON lines instead of text\n"
       "  --speed X|max      pace: 1 human (default), 0.25 slow motion, max no delays\n"
       "  --record FILE      record the run to FILE (JSON lines; gzip when FILE ends in .gz)\n"
       "  --text             with export: the story and the state lines as text\n"
       "  --cast OUT.cast    with export: an asciicast v2 file (asciinema play), drawn\n"
       "                     by the dashboard, with a marker at every check change,\n"
       "                     death, deadlock and command; --speed sets its pace\n"
       "  --size COLSxROWS   with --cast: the screen (default 120x40; 80x24 to 500x200)\n"
       "  --for SECONDS      stop the run (or the watch) after SECONDS (0.1 to 86400);\n"
       "                     watch --headless without it prints one look and exits\n"
       "  --paused           start paused before the first op (dashboard; or the word paused)\n"
       "  --user USER        watch: only objects owned by USER (name or uid)\n"
       "  --key KEY          watch: only objects with this key (0x1234abcd)\n"
       "  --sort ORDER       watch: id (default), key, owner or activity\n"
       "  -- PROGRAM [ARGS]  watch: run PROGRAM as a tracked tree and tell its IPC and\n"
       "                     process calls (traced: see --trace)\n"
       "  --trace HOW        watch -- PROGRAM: how its calls are traced: preload (the\n"
       "                     default: an interposer, libipcplay-hook.so, in each\n"
       "                     process; for dynamically linked programs), ptrace\n"
       "                     (ptrace + seccomp, those calls only; the fallback for\n"
       "                     static programs; ~100x slower per traced call), off\n"
       "  --no-trace         the same as --trace=off: the story comes from samples\n"
       "  --stdin            watch -- PROGRAM: its stdin is a pipe the console command\n"
       "                     `input TEXT` writes to (`input --eof` closes it); without\n"
       "                     it, /dev/null\n"
       "  --pid PID          watch: the running tree of PID (samples only; never signalled)\n"
       "  --lang zh|en       the language shown: Chinese or English (default: the locale)\n"
       "  -h, --help         this text\n"
       "  -V, --version      the version\n"
       "\n"
       "exit status: 0 every check held, 1 a check failed, 2 usage error,\n"
       "3 runtime error, 128+N stopped by signal N.\n"
       "See ipcplay(1), `ipcplay list` and `ipcplay help`.\n");

static char *default_words[] = {"run", "sem", NULL};

/* "120x40": 0, or -1 when it is not COLSxROWS within 80x24 .. 500x200. */
static int cli_parse_size(const char *s, int *cols, int *rows)
{
    char *end;
    if (*s < '0' || *s > '9')
        return -1;
    long c = strtol(s, &end, 10);
    if (*end != 'x' || end[1] < '0' || end[1] > '9')
        return -1;
    long r = strtol(end + 1, &end, 10);
    if (*end || c < 80 || c > 500 || r < 24 || r > 200)
        return -1;
    *cols = (int)c;
    *rows = (int)r;
    return 0;
}

int cli_parse(int argc, char **argv, struct cli_opts *o, char *err, size_t errlen)
{
    static const struct option longopts[] = {
        {"help", no_argument, NULL, 'h'},        {"version", no_argument, NULL, 'V'},
        {"headless", no_argument, NULL, 'H'},    {"json", no_argument, NULL, 'j'},
        {"speed", required_argument, NULL, 's'}, {"for", required_argument, NULL, 'f'},
        {"paused", no_argument, NULL, 'P'},      {"record", required_argument, NULL, 'r'},
        {"text", no_argument, NULL, 't'},        {"cast", required_argument, NULL, 'c'},
        {"size", required_argument, NULL, 'z'},  {"user", required_argument, NULL, 'u'},
        {"key", required_argument, NULL, 'k'},   {"sort", required_argument, NULL, 'o'},
        {"pid", required_argument, NULL, 'p'},   {"no-trace", no_argument, NULL, 'T'},
        {"trace", required_argument, NULL, 'R'}, {"stdin", no_argument, NULL, 'I'},
        {"lang", required_argument, NULL, 'L'},  {NULL, 0, NULL, 0},
    };
    *o = (struct cli_opts){.speed = 1.0, .sort = -1, .cast_cols = 120, .cast_rows = 40};
    /* `watch ... -- PROGRAM ARGS`: the program's words are not ours to read. */
    for (int i = 1; i < argc; i++)
        if (strcmp(argv[i], "--") == 0) {
            o->prog = argv + i + 1;
            argv[i] = NULL;
            argc = i;
            break;
        }
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
        case 'r': o->record = optarg; break;
        case 't': o->text = true; break;
        case 'c': o->cast = optarg; break;
        case 'z':
            if (cli_parse_size(optarg, &o->cast_cols, &o->cast_rows) < 0) {
                snprintf(err, errlen,
                         _("bad --size '%s': COLSxROWS, from 80x24 to 500x200 (120x40)"), optarg);
                return CLI_ERROR;
            }
            break;
        case 's':
            if (command_parse_speed(optarg, &o->speed) < 0) {
                snprintf(err, errlen,
                         _("bad --speed '%s': accepted a factor from 0.05 to 100 "
                           "(0.25, 2x, 1/4) or max"),
                         optarg);
                return CLI_ERROR;
            }
            break;
        case 'f': {
            char *end;
            o->for_seconds = strtod(optarg, &end);
            if (end == optarg || *end || !(o->for_seconds >= 0.1 && o->for_seconds <= 86400)) {
                snprintf(err, errlen, _("bad --for '%s': accepted seconds from 0.1 to 86400"),
                         optarg);
                return CLI_ERROR;
            }
            break;
        }
        case 'u':
            if (strlen(optarg) >= sizeof o->user || !*optarg) {
                snprintf(err, errlen, _("bad --user '%s': a user name or uid"), optarg);
                return CLI_ERROR;
            }
            snprintf(o->user, sizeof o->user, "%s", optarg);
            break;
        case 'k': o->key = optarg; break;
        case 'T': o->no_trace = true; break;
        case 'I': o->stdin_pipe = true; break;
        case 'R':
            if (strcmp(optarg, "off") == 0) {
                o->no_trace = true;
            } else if (strcmp(optarg, "preload") == 0 || strcmp(optarg, "ptrace") == 0) {
                o->trace_via = optarg[1] == 'r' ? 1 : 2;
            } else {
                snprintf(err, errlen, _("bad --trace '%s': accepted preload, ptrace, off"), optarg);
                return CLI_ERROR;
            }
            o->trace_set = true;
            break;
        case 'L':
            if (strcmp(optarg, "zh") != 0 && strcmp(optarg, "en") != 0) {
                snprintf(err, errlen, _("bad --lang '%s': accepted zh (Chinese) or en (English)"),
                         optarg);
                return CLI_ERROR;
            }
            break;
        case 'p': {
            char *end;
            long v = strtol(optarg, &end, 10);
            if (end == optarg || *end || v <= 0 || v > 4194304) {
                snprintf(err, errlen, _("bad --pid '%s': a process id"), optarg);
                return CLI_ERROR;
            }
            o->pid = (int)v;
            break;
        }
        case 'o':
            if ((o->sort = sysipc_sort_parse(optarg)) < 0) {
                snprintf(err, errlen, _("bad --sort '%s': accepted id, key, owner, activity"),
                         optarg);
                return CLI_ERROR;
            }
            break;
        case ':':
            snprintf(err, errlen, _("option %s needs a value (see ipcplay --help)"),
                     argv[optind - 1]);
            return CLI_ERROR;
        default:
            /* A short option inside a group (-xV) leaves optind on that
             * word: name the letter, not the word before it. */
            if (optopt)
                snprintf(err, errlen, _("unknown option '-%c' (see ipcplay --help)"), optopt);
            else
                snprintf(err, errlen, _("unknown option '%s' (see ipcplay --help)"),
                         argv[optind - 1]);
            return CLI_ERROR;
        }
    }
    if (o->json && !o->headless) {
        snprintf(err, errlen, _("--json needs --headless"));
        return CLI_ERROR;
    }
    uint32_t key;
    if (o->key && sysipc_parse_key(o->key, &key) < 0) {
        snprintf(err, errlen, _("bad --key '%s': 0x1234abcd or a number"), o->key);
        return CLI_ERROR;
    }
    if (o->prog && !o->prog[0]) {
        snprintf(err, errlen, _("watch --: no program given (watch -- PROGRAM [ARGS])"));
        return CLI_ERROR;
    }
    if (o->prog && o->pid) {
        snprintf(err, errlen, _("watch: either -- PROGRAM or --pid PID, not both"));
        return CLI_ERROR;
    }
    o->nwords = argc - optind;
    o->words = argv + optind;
    if (o->stdin_pipe && !o->prog) {
        snprintf(err, errlen,
                 "--stdin goes with watch -- PROGRAM (ipcplay watch --stdin -- PROGRAM)");
        return CLI_ERROR;
    }
    if (o->trace_set && !o->prog) {
        snprintf(err, errlen,
                 "--trace goes with watch -- PROGRAM (ipcplay watch --trace=ptrace -- "
                 "PROGRAM)");
        return CLI_ERROR;
    }
    if ((o->prog || o->pid || o->no_trace) &&
        (o->nwords == 0 || strcmp(o->words[0], "watch") != 0)) {
        snprintf(err, errlen,
                 _("-- PROGRAM, --pid and --no-trace go with watch "
                   "(ipcplay watch -- PROGRAM [ARGS])"));
        return CLI_ERROR;
    }
    if (o->nwords == 0) {
        o->words = default_words;
        o->nwords = 2;
    }
    return CLI_WORDS;
}
