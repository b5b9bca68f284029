/* wait.c — the `wait` scenario: a parent forks three children -- one exits
 * with status 7, one is killed by SIGTERM, one stops itself with SIGSTOP --
 * and polls waitpid(-1, &status, WNOHANG|WUNTRACED): 0 while they run, then
 * each status word decoded by the macros (WIFEXITED/WEXITSTATUS,
 * WIFSIGNALED/WTERMSIG, WIFSTOPPED/WSTOPSIG; the stopped one gets SIGCONT and
 * exits later), and at last -1 ECHILD. Knobs that break a claim:
 * untraced=off (a stop is never reported), wnohang=off (waitpid sleeps and
 * never answers 0). */
#include <signal.h>
#include <stdio.h>

#include "scenario.h"
#include "../model/i18n.h"

enum { P_UNTRACED, P_WNOHANG, P_GAP, P__N };
enum { R_PARENT, R_EXITER, R_KILLED, R_STOPPED };

static const struct param_def params[] = {
    [P_UNTRACED] = {"untraced", PARAM_BOOL, 1, 0, 1, NULL,
                    N_("WUNTRACED: waitpid also reports a child that stopped")},
    [P_WNOHANG] = {"wnohang", PARAM_BOOL, 1, 0, 1, NULL,
                   N_("WNOHANG: waitpid returns 0 at once while no child changed state")},
    [P_GAP] = {"gap", PARAM_MS, 5000, 0, 10000, NULL, N_("how long each child runs first")},
};

#define OP(r, ...) plan_op(r, (struct op){__VA_ARGS__})

static int build(const long *v, struct plan *p, char *err, size_t errlen)
{
    (void)err;
    (void)errlen;
    int32_t gap = (int32_t)v[P_GAP];
    p->observe = 1; /* the board: a stop nobody reports is ended with SIGCONT */
    struct plan_role *par = plan_add_role(p, "parent", 1);
    struct plan_role *ex = plan_add_role(p, "exiter", 0);
    struct plan_role *ki = plan_add_role(p, "killed", 0);
    struct plan_role *st = plan_add_role(p, "stopped", 0);
    OP(par, .kind = OP_FORK, .arg0 = R_EXITER);
    OP(par, .kind = OP_FORK, .arg0 = R_KILLED);
    OP(par, .kind = OP_FORK, .arg0 = R_STOPPED);
    int32_t how = (v[P_UNTRACED] ? 1 : 0) | (v[P_WNOHANG] ? 0 : 2);
    /* exits, death, stop (when reported) and the continued one's exit */
    OP(par, .kind = OP_WAITPOLL, .arg1 = how, .arg2 = R_STOPPED, .count = v[P_UNTRACED] ? 4 : 3,
       .ms = 50);
    OP(par, .kind = OP_WAITPOLL, .arg1 = how, .arg2 = R_STOPPED, .count = 1);
    OP(par, .kind = OP_EXIT);

    OP(ex, .kind = OP_SLEEP, .ms = gap);
    OP(ex, .kind = OP_EXIT, .arg1 = 7);
    OP(ki, .kind = OP_SLEEP, .ms = gap * 2);
    OP(ki, .kind = OP_RAISE, .arg0 = SIGTERM);
    OP(ki, .kind = OP_EXIT, .arg1 = 1); /* never: SIGTERM's default action ends it */
    OP(st, .kind = OP_SLEEP, .ms = gap * 3);
    OP(st, .kind = OP_RAISE, .arg0 = SIGSTOP);
    OP(st, .kind = OP_SLEEP, .ms = gap);
    OP(st, .kind = OP_EXIT, .arg1 = 0);
    return 0;
}

static void judge(struct model *m, const long *v, int final)
{
    int pend = final == 1 ? CHECK_FAILED : CHECK_PENDING;
    long long zeros = model_fact(m, "wait.zero", 0);
    if (zeros > 0)
        model_set_check(m, "wnohang", CHECK_OK,
                        _("waitpid(WNOHANG) answered 0 %lld time(s) while the children ran"),
                        zeros);
    else if (!v[P_WNOHANG] && final)
        model_set_check(m, "wnohang", CHECK_FAILED,
                        _("waitpid never answered 0: without WNOHANG it sleeps until a child "
                          "changes state (wnohang=off breaks it on purpose)"));
    else
        model_set_check(m, "wnohang", pend, _("no answer of 0 yet"));

    long long ex = model_fact(m, "wait.exited", 0), sig = model_fact(m, "wait.signaled", 0);
    long long stop = model_fact(m, "wait.stopped", 0);
    if (ex == 8 && sig == SIGTERM && stop == SIGSTOP)
        model_set_check(m, "status", CHECK_OK,
                        _("decoded: WEXITSTATUS 7, WTERMSIG SIGTERM, WSTOPSIG SIGSTOP"));
    else if (ex == 8 && sig == SIGTERM && final && !v[P_UNTRACED])
        model_set_check(m, "status", CHECK_FAILED,
                        _("no WIFSTOPPED status: without WUNTRACED waitpid says nothing of a "
                          "stopped child (untraced=off breaks it on purpose)"));
    else
        model_set_check(m, "status", pend, _("exited %s, signaled %s, stopped %s"),
                        ex ? _("seen") : _("not yet"), sig ? _("seen") : _("not yet"),
                        stop ? _("seen") : _("not yet"));

    if (model_fact(m, "wait.echild", 0))
        model_set_check(m, "echild", CHECK_OK, _("with every child reaped, waitpid says ECHILD"));
    else
        model_set_check(m, "echild", pend, _("no ECHILD yet"));
}

const struct scenario_def scenario_wait = {
    .name = "wait",
    .summary =
        N_("waitpid with WNOHANG and WUNTRACED: 0 while children run, the status word, ECHILD"),
    .watch = N_("The parent polls waitpid(-1, &status, WNOHANG|WUNTRACED): 0 while its three "
                "children run (it does not sleep: state R between polls). Then each status word "
                "in hex and as the macros decode it: exited 7, killed by SIGTERM, stopped by "
                "SIGSTOP (state T; only WUNTRACED reports it; the parent sends SIGCONT). With no "
                "children left: -1 ECHILD."),
    .params = params,
    .nparams = P__N,
    .build = build,
    .judge = judge,
};
