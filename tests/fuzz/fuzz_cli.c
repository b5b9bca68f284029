/* fuzz_cli.c — libFuzzer harness for the ipcplay command line: the input is
 * argv (words separated by NUL bytes), read by cli_parse() as main() reads
 * it, then the words go through the command table's argv path as from the
 * shell (run, list, help, version, prefixes, name=value parameters), with a
 * host whose run() starts nothing. Built with clang when IPCPLAY_FUZZ=ON. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "commands/cli.h"
#include "commands/commands.h"

static void quiet(void *self, int kind, const char *line)
{
    (void)self;
    (void)kind;
    (void)line;
}

static int no_run(void *self, const struct scenario_def *s, const long *vals)
{
    (void)self;
    (void)s;
    (void)vals;
    return 0;
}

#define MAX_WORDS 32

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static char buf[4096];
    if (size >= sizeof buf)
        size = sizeof buf - 1;
    memcpy(buf, data, size);
    buf[size] = '\0';
    char *argv[MAX_WORDS + 1] = {"ipcplay"};
    int argc = 1;
    /* Each NUL ends a word, as the kernel hands argv over; an empty word is
     * a word too (ipcplay run sem ''). */
    for (size_t at = 0; at <= size && argc < MAX_WORDS; argc++) {
        argv[argc] = buf + at;
        at += strlen(buf + at) + 1;
    }
    argv[argc] = NULL;
    struct cli_opts o;
    char err[256];
    if (cli_parse(argc, argv, &o, err, sizeof err) != CLI_WORDS)
        return 0;
    struct cmd_host h = {.self = NULL, .where = CMD_CLI, .print = quiet, .run = no_run};
    command_run_argv(&h, o.nwords, o.words);
    return 0;
}
