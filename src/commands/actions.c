/* actions.c — the commands' run actions (commands.h, struct cmd_actions)
 * done on a real engine. The command table itself never calls the engine,
 * so every command can be tested with a host of fake actions. */
#include "commands.h"

#include "../engine/engine.h"

static bool a_active(void *ctx)
{
    return engine_active(ctx);
}

static void a_stop(void *ctx)
{
    engine_stop(ctx);
}

static void a_pause(void *ctx)
{
    engine_pause(ctx);
}

static void a_resume(void *ctx)
{
    engine_resume(ctx);
}

static void a_step(void *ctx, int n)
{
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
    return engine_kill(ctx, pid, sig);
}

const struct cmd_actions *cmd_actions_engine(struct engine *e)
{
    /* One engine per process (engine.h): one table. */
    static struct cmd_actions act = {.active = a_active, .stop = a_stop, .pause = a_pause,
                                     .resume = a_resume, .step = a_step, .step_proc = a_step_proc,
                                     .get_speed = a_get_speed, .set_speed = a_set_speed,
                                     .kill = a_kill, .get_breaks = a_get_breaks,
                                     .set_breaks = a_set_breaks};
    act.ctx = e;
    return &act;
}
