/* sem.c — the `sem` scenario: N workers contend for a binary System V
 * semaphore guarding a critical section (a read-modify-write of a shared
 * counter). sem=off replaces it with the seed chapter's plain-variable "lock",
 * which fails: the checks must see it fail.
 *
 * sems=N: one set of N semaphores, each guarding its own critical section
 * (its own counter); worker i uses semaphore (i-1) mod N, so only workers on
 * the same semaphore wait for each other. op=wait0: before the first round
 * every worker waits for zero on one more semaphore, `start` (value 1);
 * semzcnt counts them, and when a starter process takes it to 0 the kernel
 * wakes them all at once -- where V wakes one P waiter. op=setval: the same,
 * but the starter sets `start` to 0 with semctl(SETVAL), which wakes them too. */
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>

#include <sys/wait.h>

#include "scenario.h"
#include "../model/i18n.h"

enum {
    P_WORKERS,
    P_ROUNDS,
    P_HOLD,
    P_THINK,
    P_UNDO,
    P_NOWAIT,
    P_SEM,
    P_OP,
    P_SEMS,
    P_TAKE,
    P_POOL,
    P_USR1,
    P_DIE,
    P__N
};
enum { OP_PV, OP_WAIT0_START, OP_WAIT0_SETVAL };

static const char *const ops[] = {"pv", "wait0", "setval", NULL};
enum { USR1_OFF, USR1_HANDLER, USR1_POKE, USR1_KILL };
static const char *const usr1_choices[] = {"off", "handler", "poke", "kill", NULL};

static const struct param_def params[] = {
    [P_WORKERS] = {"workers", PARAM_INT, 4, 1, 256, NULL, N_("worker processes contending")},
    [P_ROUNDS] = {"rounds", PARAM_INT, 3, 1, 100000, NULL, N_("critical sections per worker")},
    [P_HOLD] = {"hold", PARAM_MS, 2000, 0, 60000, NULL,
                N_("time spent inside (between read and write)")},
    [P_THINK] = {"think", PARAM_MS, 500, 0, 60000, NULL, N_("time spent outside between rounds")},
    [P_UNDO] = {"undo", PARAM_BOOL, 1, 0, 1, NULL,
                N_("SEM_UNDO: the kernel gives the semaphore back if a holder dies")},
    [P_NOWAIT] = {"nowait", PARAM_BOOL, 0, 0, 1, NULL,
                  N_("try-P with IPC_NOWAIT: EAGAIN instead of sleeping, then retry")},
    [P_SEM] =
        {"sem", PARAM_BOOL, 1, 0, 1, NULL,
         N_("off: guard with a plain shared variable instead (the race the chapter warns of)")},
    [P_OP] = {"op", PARAM_ENUM, OP_PV, 0, 2, ops,
              N_("wait0: first all wait for zero on a start semaphore (semzcnt), woken at once; "
                 "setval: woken by semctl(SETVAL, 0)")},
    [P_SEMS] =
        {"sems", PARAM_INT, 1, 1, PLAN_MAX_SECTIONS, NULL,
         N_("semaphores in the set, each guarding its own section; worker i uses (i-1) mod N")},
    [P_TAKE] = {"take", PARAM_INT, 1, 1, 100, NULL,
                N_("units P takes and V gives in one semop (sem_op -N / +N)")},
    [P_POOL] =
        {"pool", PARAM_INT, 0, 0, 1000, NULL,
         N_("the semaphore's initial value (0: take); pool/take workers fit inside at once")},
    [P_USR1] = {"usr1", PARAM_ENUM, USR1_OFF, 0, 3, usr1_choices,
                N_("handler: workers catch SIGUSR1, so `kill worker-2 USR1` makes a sleeping P "
                   "return EINTR; poke: and a poker sends it to worker-2 asleep in P; kill: the "
                   "poker's signal, with no handler")},
    [P_DIE] = {"die", PARAM_BOOL, 0, 0, 1, NULL,
               N_("workers=1: the worker exits inside, holding the semaphore; a checker then reads "
                  "semval (did the kernel apply its semadj?)")},
};

static int build(const long *v, struct plan *p, char *err, size_t errlen)
{
    int sems = (int)v[P_SEMS];
    bool wait0 = v[P_OP] == OP_WAIT0_START || v[P_OP] == OP_WAIT0_SETVAL;
    if (sems > 1 && !v[P_SEM]) {
        snprintf(err, errlen, _("sems=%d needs sem=on (sem=off has one plain-variable lock)"),
                 sems);
        return -1;
    }
    int take = (int)v[P_TAKE], pool = v[P_POOL] ? (int)v[P_POOL] : take;
    if (v[P_USR1] >= USR1_POKE && (v[P_WORKERS] < 2 || !v[P_SEM])) {
        snprintf(err, errlen,
                 _("usr1=poke|kill needs workers=2 or more and sem=on (it signals worker-2 "
                   "asleep in P)"));
        return -1;
    }
    if (v[P_DIE] && (v[P_WORKERS] != 1 || !v[P_SEM] || sems != 1 || wait0)) {
        snprintf(err, errlen,
                 _("die=on needs workers=1, sems=1, op=pv and sem=on (without "
                   "SEM_UNDO a waiter would sleep forever)"));
        return -1;
    }
    int set = -1, start = sems;
    if (v[P_SEM] || wait0) {
        set = plan_add_semset(p, (v[P_SEM] ? sems : 0) + (wait0 ? 1 : 0), 1);
        for (int k = 0; v[P_SEM] && k < sems; k++)
            p->semsets[set].init[k] = pool;
        if (v[P_SEM] && pool == 1)
            p->semsets[set].lockmask = (1u << sems) - 1;
        else
            start = 0;
        if (wait0)
            snprintf(p->semsets[set].name[start], sizeof p->semsets[set].name[start], "start");
    }
    plan_add_shmseg(p, 4096, 1);
    struct plan_role *w = plan_add_role(p, "worker", (int)v[P_WORKERS]);
    uint16_t pflags = (uint16_t)((v[P_UNDO] ? OPF_UNDO : 0) | (v[P_NOWAIT] ? OPF_NOWAIT : 0));
    uint16_t vflags = (uint16_t)(v[P_UNDO] ? OPF_UNDO : 0);
    /* With sems > 1, worker i's semaphore and section: (i-1) mod sems. */
    uint16_t rel = sems > 1 ? OPF_REL : 0;
    if (v[P_USR1] == USR1_HANDLER || v[P_USR1] == USR1_POKE)
        plan_op(w, (struct op){.kind = OP_SIGHANDLER, .arg0 = SIGUSR1});
    if (wait0) /* nowait=on: IPC_NOWAIT here too, EAGAIN while start is not 0 */
        plan_op(w, (struct op){.kind = OP_WAIT0,
                               .flags = (uint16_t)(v[P_NOWAIT] ? OPF_NOWAIT : 0),
                               .obj = set,
                               .arg0 = start,
                               .ms = 100});
    int rep = plan_op(w, (struct op){.kind = OP_REPEAT, .count = (int32_t)v[P_ROUNDS]});
    if (v[P_SEM])
        plan_op(w, (struct op){.kind = OP_P,
                               .flags = (uint16_t)(pflags | rel),
                               .obj = set,
                               .arg0 = 0,
                               .arg1 = take > 1 ? take : 0,
                               .arg3 = sems,
                               .ms = 100});
    else
        plan_op(w, (struct op){.kind = OP_LOCKVAR_ACQUIRE});
    plan_op(w, (struct op){.kind = OP_CS_ENTER, .flags = rel, .arg3 = sems});
    if (v[P_DIE]) { /* exits holding it: only semadj can give it back */
        plan_op(w, (struct op){.kind = OP_EXIT, .arg1 = 0});
        p->observe = 1;
        struct plan_role *c = plan_add_role(p, "checker", 1);
        plan_op(c, (struct op){.kind = OP_HOLD, .arg0 = SEEN_EXITED, .arg1 = 0});
        plan_op(c, (struct op){.kind = OP_GETVAL, .obj = set, .arg0 = 0});
        plan_op(c, (struct op){.kind = OP_EXIT, .arg1 = 0});
        return 0;
    }
    plan_op(
        w, (struct op){.kind = OP_CS_UPDATE, .flags = rel, .arg3 = sems, .ms = (int32_t)v[P_HOLD]});
    plan_op(w, (struct op){.kind = OP_CS_LEAVE, .flags = rel, .arg3 = sems});
    if (v[P_SEM])
        plan_op(w, (struct op){.kind = OP_V,
                               .flags = (uint16_t)(vflags | rel),
                               .obj = set,
                               .arg0 = 0,
                               .arg1 = take > 1 ? take : 0,
                               .arg3 = sems});
    else
        plan_op(w, (struct op){.kind = OP_LOCKVAR_RELEASE});
    plan_op(w, (struct op){.kind = OP_SLEEP, .ms = (int32_t)v[P_THINK]});
    plan_end_repeat(w, rep);
    plan_op(w, (struct op){.kind = OP_EXIT, .arg1 = 0});
    if (wait0) {
        /* No SEM_UNDO: its exit must not put the start semaphore back. */
        struct plan_role *s = plan_add_role(p, "starter", 1);
        /* hold, and at least a moment: the wait-for-zero phase on screen */
        int32_t ms = (int32_t)v[P_HOLD] > PLAN_MOMENT_MS ? (int32_t)v[P_HOLD] : PLAN_MOMENT_MS;
        plan_op(s, (struct op){.kind = OP_SLEEP, .ms = ms});
        plan_op(s, (struct op){.kind = v[P_OP] == OP_WAIT0_SETVAL ? OP_SETVAL : OP_P,
                               .obj = set,
                               .arg0 = start,
                               .arg1 = 0});
        plan_op(s, (struct op){.kind = OP_EXIT, .arg1 = 0});
    }
    if (v[P_USR1] >= USR1_POKE) {
        /* The board names worker-2's pid; semncnt and sempid say it sleeps. */
        p->observe = 1;
        struct plan_role *k = plan_add_role(p, "poker", 1);
        plan_op(k, (struct op){.kind = OP_POKE,
                               .obj = set,
                               .arg0 = 0,
                               .arg1 = SIGUSR1,
                               .arg2 = 2,
                               .arg3 = 0,
                               .count = (int32_t)v[P_WORKERS] - 1});
        plan_op(k, (struct op){.kind = OP_EXIT, .arg1 = 0});
    }
    return 0;
}

/* usr1=poke|kill: worker-2, asleep in P, gets SIGUSR1. With a handler semop
 * returns EINTR and it goes on; without one the default action kills it. */
static void judge_poke(struct model *m, const long *v, int final)
{
    for (int i = 0; i < m->nprocs; i++) {
        const struct model_proc *p = &m->procs[i];
        if (p->role == 0 && p->instance == 2 && p->exited && WIFSIGNALED(p->wait_status)) {
            model_set_check(m, "eintr", CHECK_FAILED,
                            _("worker-2 was killed by %s: without a handler the default action "
                              "ends it%s"),
                            WTERMSIG(p->wait_status) == SIGUSR1 ? "SIGUSR1" : _("a signal"),
                            v[P_USR1] == USR1_KILL ? _(" (usr1=kill breaks it on purpose)") : "");
            return;
        }
    }
    long long n = model_fact(m, "sem.eintr", 0);
    if (n > 0)
        model_set_check(m, "eintr", CHECK_OK,
                        _("semop returned EINTR %lld time(s): the handler ran, the sleeper left "
                          "the queue and tried again"),
                        n);
    else
        model_set_check(m, "eintr", final ? CHECK_FAILED : CHECK_PENDING, _("no EINTR %s"),
                        final ? _("seen: the signal never interrupted a P") : _("yet"));
}

/* die=on: the worker exited holding the semaphore, semadj +take as counted;
 * the kernel applies it at exit, so the checker reads semval back at pool. */
static void judge_die(struct model *m, const long *v, int final)
{
    long long pool = v[P_POOL] ? v[P_POOL] : v[P_TAKE];
    if (!model_has_fact(m, "semadj.getval")) {
        model_set_check(m, "semadj", final == 1 ? CHECK_FAILED : CHECK_PENDING,
                        _("the checker has not read semval yet"));
        return;
    }
    long long got = model_fact(m, "semadj.getval", -1), adj = model_fact(m, "semadj.exited", 0);
    if (adj > 0 && got == pool)
        model_set_check(m, "semadj", CHECK_OK,
                        _("the worker died holding with semadj %+lld (counted); the kernel added "
                          "it at exit: semval is %lld again"),
                        adj, got);
    else
        model_set_check(m, "semadj", CHECK_FAILED,
                        _("semval is %lld after the holder died (semadj counted %+lld): nobody "
                          "gave it back%s"),
                        got, adj, v[P_UNDO] ? "" : _(" (undo=off breaks it on purpose)"));
}

static void judge(struct model *m, const long *v, int final)
{
    if (v[P_USR1] >= USR1_POKE)
        judge_poke(m, v, final);
    if (v[P_DIE]) {
        judge_die(m, v, final);
        return;
    }
    long long expected = (long long)v[P_WORKERS] * v[P_ROUNDS];
    m->cs.expected = expected;
    m->cs.nsections = (int)v[P_SEMS];
    /* max_occupancy is the most ever inside one section */
    int maxocc = m->cs.max_occupancy;
    long long entries = m->cs.entries, counter = m->cs.counter;
    int fit = v[P_SEM] ? (int)((v[P_POOL] ? v[P_POOL] : v[P_TAKE]) / v[P_TAKE]) : 1;
    if (maxocc > 1 && fit > 1) /* a pool that fits several: exclusion was never promised */
        model_set_check(m, "mutual_exclusion", CHECK_FAILED,
                        _("%d processes were inside the critical section at once: pool %ld "
                          "holds %d takes of %ld (broken on purpose)"),
                        maxocc, v[P_POOL], fit, v[P_TAKE]);
    else if (maxocc > 1)
        model_set_check(m, "mutual_exclusion", CHECK_FAILED,
                        _("%d processes were inside the critical section at once"), maxocc);
    else if (maxocc == 0 && entries == 0) /* nobody went in: nothing to say yet */
        model_set_check(m, "mutual_exclusion", CHECK_PENDING, _("nobody has entered yet"));
    else if (final && v[P_SEMS] > 1)
        model_set_check(m, "mutual_exclusion", CHECK_OK,
                        _("never more than 1 inside any of the %ld critical sections"), v[P_SEMS]);
    else if (final)
        model_set_check(m, "mutual_exclusion", CHECK_OK,
                        _("never more than 1 inside the critical section"));
    else
        model_set_check(m, "mutual_exclusion", CHECK_OK, _("at most 1 inside so far"));

    /* Processes that entered and never left (stopped mid-section, or killed
     * inside) may have written their update without counting it as done. */
    long long inflight = m->cs.occupancy > 0 ? m->cs.occupancy : 0;
    if (!final) {
        model_set_check(m, "no_lost_updates", CHECK_PENDING, _("counter %lld, %lld of %lld done"),
                        counter, entries, expected);
    } else if (counter < entries || counter > entries + inflight) {
        model_set_check(m, "no_lost_updates", CHECK_FAILED,
                        _("counter is %lld after %lld updates: %lld lost"), counter, entries,
                        entries - counter);
    } else if (counter != entries) {
        model_set_check(m, "no_lost_updates", CHECK_OK,
                        _("counter %lld = updates %lld + %lld cut short inside (run ended early)"),
                        counter, entries, counter - entries);
    } else if (counter == 0) {
        model_set_check(m, "no_lost_updates", CHECK_PENDING,
                        _("no update was made: the run was cut short (0 of %lld)"), expected);
    } else if (entries != expected) {
        model_set_check(m, "no_lost_updates", CHECK_OK,
                        _("counter %lld = updates %lld (run ended early: %lld of %lld)"), counter,
                        entries, entries, expected);
    } else {
        model_set_check(m, "no_lost_updates", CHECK_OK, _("counter %lld = %lld workers x rounds"),
                        counter, expected);
    }
}

/* Knobs that break a check on purpose: told as such, not as a failure. */
static const struct param_break breaks[] = {
    {"sem", "mutual_exclusion no_lost_updates"},
    {NULL, NULL},
};

const struct scenario_def scenario_sem = {
    .breaks = breaks,
    .name = "sem",
    .summary = N_("workers contend for a binary semaphore guarding a critical section"),
    .watch = N_("Watch semval drop to 0 when a worker passes P, and the others sleep in "
                "semtimedop: semncnt counts them. V wakes one. Inside, the shared counter is "
                "read, held and written back; with sem=off two workers get in at once and "
                "updates are lost. sems=N: a set of N semaphores side by side, each with its own "
                "waiters. op=wait0: everyone first sleeps waiting for zero on `start` (semzcnt "
                "counts them) until the starter takes it to 0 and all wake at once."),
    .params = params,
    .nparams = P__N,
    .build = build,
    .judge = judge,
};
