/* zombie.c — the `zombie` scenario: a parent forks children that exit at
 * staggered times. Until the parent reaps one (wait, waitpid, or a SIGCHLD
 * handler looping waitpid(-1, WNOHANG)), it stays in the process table in
 * state Z. With `delay` the parent leaves each zombie alone until ipcplay has
 * shown it, then that much longer. reap=none leaves them all until the
 * parent exits: then they are re-parented to ipcplay (a child subreaper),
 * which reaps them. orphan=on: the parent exits first and its children are
 * adopted alive. Knobs that break a claim: reap=none, handler=once. */
#include <stdio.h>

#include "scenario.h"
#include "../model/i18n.h"

enum { P_CHILDREN, P_STAGGER, P_DELAY, P_REAP, P_HANDLER, P_ORPHAN, P__N };
enum { REAP_NONE, REAP_WAIT, REAP_WAITPID, REAP_SIGCHLD };

static const char *const reap_choices[] = {"none", "wait", "waitpid", "sigchld", NULL};
static const char *const handler_choices[] = {"loop", "once", NULL};

static const struct param_def params[] = {
    [P_CHILDREN] = {"children", PARAM_INT, 3, 1, 16, NULL, N_("children the parent forks")},
    [P_STAGGER] = {"stagger", PARAM_MS, 3000, 0, 10000, NULL,
                   N_("child k exits k x stagger after it starts (exit status k)")},
    [P_DELAY] =
        {"delay", PARAM_MS, 6000, 0, 60000, NULL,
         N_("how long the parent leaves a zombie after ipcplay has shown it (0: reap at once)")},
    [P_REAP] =
        {"reap", PARAM_ENUM, REAP_WAIT, 0, 0, reap_choices,
         N_("how the parent reaps: not at all, wait(), waitpid() newest first, SIGCHLD handler")},
    [P_HANDLER] = {"handler", PARAM_ENUM, 0, 0, 0, handler_choices,
                   N_("reap=sigchld: the handler loops waitpid(-1, WNOHANG), or calls it once")},
    [P_ORPHAN] = {"orphan", PARAM_BOOL, 0, 0, 1, NULL,
                  N_("the parent exits first: its children are adopted by ipcplay (subreaper)")},
};

enum { R_PARENT, R_CHILD };

static int build(const long *v, struct plan *p, char *err, size_t errlen)
{
    (void)err;
    (void)errlen;
    int n = (int)v[P_CHILDREN], delay = (int)v[P_DELAY], stagger = (int)v[P_STAGGER];
    p->observe = 1;
    struct plan_role *par = plan_add_role(p, "parent", 1);
    struct plan_role *ch = plan_add_role(p, "child", 0);

    if (v[P_ORPHAN])
        plan_op(ch, (struct op){.kind = OP_ORPHANED});
    plan_op(ch, (struct op){.kind = OP_SLEEP, .ms = stagger, .flags = OPF_PER_INSTANCE});
    plan_op(ch, (struct op){.kind = OP_EXIT, .arg1 = 0, .flags = OPF_PER_INSTANCE});

    uint16_t hold = delay > 0 ? OPF_HOLD : 0;
    if (!v[P_ORPHAN] && v[P_REAP] == REAP_SIGCHLD)
        plan_op(par, (struct op){.kind = OP_SIGCHLD_INSTALL,
                                 .flags = (uint16_t)(v[P_HANDLER] == 0 ? OPF_LOOP : 0)});
    plan_op(par, (struct op){.kind = OP_FORK,
                             .arg0 = R_CHILD,
                             .count = n,
                             .flags = (uint16_t)(v[P_ORPHAN] ? OPF_ORPHAN : 0)});
    if (v[P_ORPHAN]) {
        plan_op(par, (struct op){.kind = OP_SLEEP, .ms = stagger / 2});
    } else {
        switch (v[P_REAP]) {
        case REAP_NONE:
            plan_op(par,
                    (struct op){.kind = OP_HOLD, .arg0 = SEEN_ZOMBIE, .arg1 = R_CHILD, .count = n});
            plan_op(par, (struct op){.kind = OP_SLEEP, .ms = delay});
            break;
        case REAP_WAIT: {
            int rep = plan_op(par, (struct op){.kind = OP_REPEAT, .count = n});
            plan_op(par, (struct op){.kind = OP_WAIT, .arg0 = 0, .ms = delay, .flags = hold});
            plan_end_repeat(par, rep);
            break;
        }
        case REAP_WAITPID:
            /* Newest first: waitpid waits for that one child while the older
             * ones, already dead, stay zombies. */
            for (int k = n; k >= 1; k--)
                plan_op(
                    par,
                    (struct op){.kind = OP_WAIT, .arg0 = 1, .arg1 = k, .ms = delay, .flags = hold});
            break;
        default:
            plan_op(par, (struct op){.kind = OP_SIGCHLD_AWAIT, .ms = delay, .flags = hold});
            break;
        }
    }
    plan_op(par, (struct op){.kind = OP_EXIT, .arg1 = 0});
    return 0;
}

static void judge(struct model *m, const long *v, int final)
{
    int n = (int)v[P_CHILDREN];
    int total = 0, seen = 0, by_parent = 0, by_us = 0, adopted = 0, gone = 0;
    const char *pname = "the parent";
    for (int i = 0; i < m->nprocs; i++) {
        const struct model_proc *p = &m->procs[i];
        if (p->role == R_PARENT)
            pname = p->name;
        if (p->role != R_CHILD)
            continue;
        total++;
        if (p->seen & SEEN_ZOMBIE)
            seen++;
        if (p->adopted)
            adopted++;
        if (p->exited) {
            gone++;
            if (p->reaped_by && p->reaped_by == p->parent0)
                by_parent++;
            else if (!p->reaped_by)
                by_us++;
        }
    }
    /* Not reached yet is a failure only when the run ended by itself; a run
     * stopped early (final 2) leaves it pending. */
    int pend = final == 1 ? CHECK_FAILED : CHECK_PENDING;
    bool required = v[P_DELAY] > 0 || v[P_REAP] == REAP_NONE || v[P_ORPHAN];
    if (seen == n && total == n)
        model_set_check(m, "seen_zombie", CHECK_OK,
                        _("all %d children were seen in state Z before they were reaped"), n);
    else if (!required)
        model_set_check(m, "seen_zombie", final == 1 ? CHECK_OK : CHECK_PENDING,
                        _("delay=0: reaped at once; %d of %d seen as Z anyway"), seen, n);
    else
        model_set_check(m, "seen_zombie", pend, _("%d of %d children seen in state Z"), seen, n);

    if (v[P_ORPHAN]) {
        if (adopted == n && by_us == n)
            model_set_check(m, "adopted", CHECK_OK,
                            _("all %d children outlived %s: PPID became ipcplay's, which reaped "
                              "them"),
                            n, pname);
        else
            model_set_check(m, "adopted", pend, _("%d of %d adopted, %d reaped by ipcplay"),
                            adopted, n, by_us);
    } else if (by_parent == n) {
        static const char *const how[] = {"", "wait()", "waitpid()", "its SIGCHLD handler"};
        model_set_check(m, "reaped_by_parent", CHECK_OK, _("%s reaped all %d children with %s"),
                        pname, n, how[v[P_REAP]]);
    } else if (final != 1) {
        model_set_check(m, "reaped_by_parent", CHECK_PENDING, _("%d of %d reaped by %s so far"),
                        by_parent, n, pname);
    } else {
        if (v[P_REAP] == REAP_SIGCHLD)
            model_set_check(m, "reaped_by_parent", CHECK_FAILED,
                            _("%d of %d reaped by the handler (one waitpid per SIGCHLD); %d left "
                              "for ipcplay"),
                            by_parent, n, by_us);
        else
            model_set_check(m, "reaped_by_parent", CHECK_FAILED,
                            _("%d of %d reaped by %s; %d stayed zombies until it exited, then "
                              "ipcplay reaped them"),
                            by_parent, n, pname, by_us);
    }

    if (!final || (final == 2 && gone != n))
        model_set_check(m, "none_left", CHECK_PENDING, _("%d of %d children gone"), gone, n);
    else if (gone == n && total == n)
        model_set_check(m, "none_left", CHECK_OK, _("every child was reaped: no zombie is left"));
    else
        model_set_check(m, "none_left", CHECK_FAILED, _("%d of %d children were reaped"), gone, n);
}

/* Knobs that break a check on purpose: told as such, not as a failure. */
static const struct param_break breaks[] = {
    {"reap", "reaped_by_parent"},
    {"handler", "reaped_by_parent"},
    {NULL, NULL},
};

const struct scenario_def scenario_zombie = {
    .breaks = breaks,
    .name = "zombie",
    .summary = N_("children exit, stay zombies (state Z) until reaped; orphans get adopted"),
    .watch = N_("Each child exits at its time and turns into a zombie: state Z, exit status kept "
                "by the kernel until the parent calls wait. Watch the parent's state (wait4 when "
                "it waits; asleep elsewhere while zombies pile up). waitpid picks one child; a "
                "SIGCHLD handler must loop, since one signal may stand for several exits. "
                "reap=none: zombies stay until the parent exits; orphan=on: the parent exits "
                "first and ipcplay, a child subreaper, becomes the children's parent (PPID)."),
    .params = params,
    .nparams = P__N,
    .build = build,
    .judge = judge,
};
