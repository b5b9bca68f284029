/* actions.c — the commands' run actions (commands.h, struct cmd_actions)
 * done on a real engine. The command table itself never calls the engine,
 * so every command can be tested with a host of fake actions. */
#include "commands.h"

#include <stdlib.h>

#include "../engine/engine.h"
#include "../engine/tree.h"

/* A watched, traced tree (watch -- PROGRAM) with no run going: pause, step
 * and resume hold or let go its traced calls; stop ends it. */
static bool tree_only(void *ctx)
{
    return !engine_active(ctx) && engine_tree_active(ctx);
}

static void tree_gate(void *ctx, int mode, int n, pid_t pid)
{
    char err[160];
    if (engine_tree_gate(ctx, mode, n, pid, err, sizeof err) < 0)
        engine_say(ctx, 2, "ipcplay", "error", "%s", err);
}

/* `step PID` of a process of the tree: 0 done, 1 not one (a count, or no tree). */
static int a_step_one(void *ctx, const char *who)
{
    char *end;
    long pid = strtol(who, &end, 10);
    if (!tree_only(ctx) || *end || pid <= 1000)
        return 1;
    tree_gate(ctx, TREE_GATE_STEP, 1, (pid_t)pid);
    return 0;
}

static bool a_active(void *ctx)
{
    return engine_active(ctx) || engine_tree_active(ctx);
}

static void a_stop(void *ctx)
{
    engine_stop(ctx);
    engine_tree_stop(ctx);
}

static void a_pause(void *ctx)
{
    if (tree_only(ctx))
        tree_gate(ctx, TREE_GATE_PAUSE, 0, 0);
    else
        engine_pause(ctx);
}

static void a_resume(void *ctx)
{
    if (tree_only(ctx))
        tree_gate(ctx, TREE_GATE_RUN, 0, 0);
    else
        engine_resume(ctx);
}

static void a_step(void *ctx, int n)
{
    if (tree_only(ctx))
        tree_gate(ctx, TREE_GATE_STEP, n, 0);
    else
        engine_step(ctx, n);
}

static void a_step_proc(void *ctx, pid_t pid, int n)
{
    engine_step_proc(ctx, pid, n);
}

static unsigned a_get_breaks(void *ctx)
{
    return engine_get_breaks(ctx);
}

static void a_set_breaks(void *ctx, unsigned mask)
{
    engine_set_breaks(ctx, mask);
}

static double a_get_speed(void *ctx)
{
    return engine_speed(ctx);
}

static void a_set_speed(void *ctx, double speed)
{
    engine_set_speed(ctx, speed);
}

static int a_kill(void *ctx, pid_t pid, int sig)
{
    if (tree_only(ctx))
        return engine_tree_kill(ctx, pid, sig);
    return engine_kill(ctx, pid, sig);
}

static int a_input(void *ctx, const char *text, bool eof, char *err, size_t errlen)
{
    return engine_tree_input(ctx, text, eof, err, errlen);
}

const struct cmd_actions *cmd_actions_engine(struct engine *e)
{
    /* One engine per process (engine.h): one table. */
    static struct cmd_actions act = {.active = a_active,
                                     .stop = a_stop,
                                     .pause = a_pause,
                                     .resume = a_resume,
                                     .step = a_step,
                                     .get_speed = a_get_speed,
                                     .set_speed = a_set_speed,
                                     .kill = a_kill,
                                     .step_one = a_step_one,
                                     .step_proc = a_step_proc,
                                     .get_breaks = a_get_breaks,
                                     .set_breaks = a_set_breaks,
                                     .input = a_input};
    act.ctx = e;
    return &act;
}
