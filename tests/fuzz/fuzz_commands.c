/* fuzz_commands.c — libFuzzer harness for what a person types: the console
 * line parser (quotes, prefixes, name=value parameters of every scenario,
 * speeds, signals) and Tab completion at every cursor position. Built with
 * clang when IPCPLAY_FUZZ=ON; script/test runs it for a fixed number of
 * inputs from a fixed seed (a smoke test, not a benchmark). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "commands/commands.h"
#include "model/model.h"

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

static void count(void *ctx, const char *cand)
{
    *(size_t *)ctx += strlen(cand);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct model m;
    char line[1024];
    if (size >= sizeof line)
        size = sizeof line - 1;
    memcpy(line, data, size);
    line[size] = '\0';
    struct cmd_host h = {
        .self = NULL, .where = CMD_CONSOLE, .model = &m, .print = quiet, .run = no_run};
    /* Commands that need a live engine say so; none may crash. */
    command_run_line(&h, line);
    h.where = CMD_CLI;
    command_run_line(&h, line);
    h.where = CMD_CONSOLE;
    size_t len = strlen(line), total = 0;
    for (size_t at = 0; at <= len; at += 1 + len / 8) {
        size_t start = at;
        while (start > 0 && line[start - 1] != ' ')
            start--;
        char prefix[1024];
        memcpy(prefix, line + start, at - start);
        prefix[at - start] = '\0';
        command_complete(&h, line, (int)start, prefix, count, &total);
    }
    return 0;
}
