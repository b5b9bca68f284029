/* deadlock.c — the `deadlock` scenario: n workers and n lock semaphores;
 * worker i needs locks i-1 and i (mod n). order=unsafe: each takes "its"
 * lock first and then reaches for its neighbour's -- with everyone holding
 * one, nobody gets a second: a cycle. order=safe: everyone takes the
 * lower-numbered lock first, so there is no cycle; they take turns.
 *
 * barrier=on makes the unsafe outcome certain: after its first lock each
 * worker waits (wait-for-zero on a barrier semaphore) until every worker
 * holds one. Without it timing decides (at full speed the cycle seldom
 * forms), and the check reports what the run showed -- a cycle or none --
 * rather than calling chance a failure. In safe order the barrier comes
 * before the first lock, so they all start at once.
 *
 * The engine, not the scenario, finds the deadlock: from the kernel's view
 * (who sleeps in semtimedop on which semaphore) and the events (who holds
 * it) it builds the wait-for graph, names the cycle and ends the run. */
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>

#include "scenario.h"
#include "../model/i18n.h"

enum { P_WORKERS, P_ORDER, P_BARRIER, P_HOLD, P_ROUNDS, P_PROBE, P__N };
enum { ORDER_UNSAFE, ORDER_SAFE, ORDER_ATOMIC };
enum { PROBE_OFF, PROBE_ATOMIC, PROBE_SPLIT };

static const char *const orders[] = {"unsafe", "safe", "atomic", NULL};
static const char *const probes[] = {"off", "atomic", "split", NULL};

static const struct param_def params[] = {
    [P_WORKERS] = {"workers", PARAM_INT, 2, 2, 8, NULL, N_("workers, and as many lock semaphores")},
    [P_ORDER] = {"order", PARAM_ENUM, ORDER_UNSAFE, 0, 2, orders,
                 N_("unsafe: own lock first, then the neighbour's; safe: lower number first; "
                    "atomic: both in one semop with two sembufs")},
    [P_BARRIER] = {"barrier", PARAM_BOOL, 1, 0, 1, NULL,
                   N_("everyone holds a first lock before anyone reaches for a second (unsafe: "
                      "makes the deadlock certain)")},
    [P_HOLD] = {"hold", PARAM_MS, 8000, 0, 60000, NULL,
                N_("time between taking the first lock and reaching for the second")},
    [P_ROUNDS] = {"rounds", PARAM_INT, 3, 1, 1000, NULL, N_("times each worker takes both locks")},
    [P_PROBE] = {"probe", PARAM_ENUM, PROBE_OFF, 0, 2, probes,
                 N_("2 workers, order=atomic implied: a prober holds lock 1 and tries both with "
                    "IPC_NOWAIT: atomic (one semop: neither taken) or split (two: one taken)")},
};

/* order=atomic: each round takes both locks in one semop, so nobody ever
 * holds one while waiting for the other. probe: a prober holds lock 1, then
 * tries locks 0 and 1 with IPC_NOWAIT -- in one semop (all or nothing: lock 0
 * stays free) or in two (lock 0 taken, lock 1 refused). */
static int build_atomic(const long *v, struct plan *p, int set, int n)
{
    struct op both = {.kind = OP_P2,
                      .flags = (uint16_t)(OPF_REL | OPF_UNDO),
                      .obj = set,
                      .arg0 = 0,
                      .arg2 = 1,
                      .arg3 = n};
    struct op give = both;
    give.kind = OP_V2;
    int32_t ms = (int32_t)v[P_HOLD];
    struct plan_role *w = plan_add_role(p, "worker", n);
    int rep = plan_op(w, (struct op){.kind = OP_REPEAT, .count = (int32_t)v[P_ROUNDS]});
    plan_op(w, both);
    plan_op(w, (struct op){.kind = OP_SLEEP, .ms = ms});
    plan_op(w, give);
    plan_op(w, (struct op){.kind = OP_SLEEP, .ms = ms / 2});
    plan_end_repeat(w, rep);
    plan_op(w, (struct op){.kind = OP_EXIT, .arg1 = 0});
    if (v[P_PROBE] == PROBE_OFF)
        return 0;
    /* SEM_UNDO everywhere: whatever the probe took, its exit gives back. */
    struct plan_role *pr = plan_add_role(p, "prober", 1);
    plan_op(pr, (struct op){.kind = OP_P, .flags = OPF_UNDO, .obj = set, .arg0 = 1});
    plan_op(pr, (struct op){.kind = OP_P2,
                            .flags = OPF_UNDO | OPF_NOWAIT,
                            .obj = set,
                            .arg0 = 0,
                            .arg2 = 1,
                            .count = v[P_PROBE] == PROBE_SPLIT ? 2 : 1});
    plan_op(pr, (struct op){.kind = OP_SLEEP, .ms = ms});
    plan_op(pr, (struct op){.kind = OP_EXIT, .arg1 = 0});
    return 0;
}

static int build(const long *v, struct plan *p, char *err, size_t errlen)
{
    int n = (int)v[P_WORKERS];
    if (v[P_PROBE] != PROBE_OFF && n != 2) { /* a probe implies order=atomic */
        snprintf(err, errlen, _("probe=%s needs workers=2"), probes[v[P_PROBE]]);
        return -1;
    }
    int set = plan_add_semset(p, n + 1, 1);
    struct plan_semset *ss = &p->semsets[set];
    ss->init[n] = n;
    ss->lockmask = (1u << n) - 1;
    snprintf(ss->name[n], sizeof ss->name[n], "barrier");
    if (v[P_ORDER] == ORDER_ATOMIC || v[P_PROBE] != PROBE_OFF)
        return build_atomic(v, p, set, n);
    bool safe = v[P_ORDER] == ORDER_SAFE;
    bool barrier = v[P_BARRIER] != 0;
    int32_t ms = (int32_t)v[P_HOLD];

    /* Numbers relative to the worker: lock (0 + i-1) % n and (1 + i-1) % n. */
    uint16_t rel = OPF_REL;
    struct op first = {.kind = OP_P,
                       .flags = (uint16_t)(rel | OPF_UNDO),
                       .obj = set,
                       .arg0 = 0,
                       .arg2 = 1,
                       .arg3 = n};
    struct op second = first;
    if (safe) {
        first.flags |= OPF_LOW;
        second.flags |= OPF_HIGH;
    } else {
        second.arg0 = 1;
        second.arg2 = 0;
    }
    struct op give_second = second, give_first = first;
    give_second.kind = give_first.kind = OP_V;
    struct op arrive = {.kind = OP_P, .obj = set, .arg0 = n};
    struct op wait_all = {.kind = OP_WAIT0, .obj = set, .arg0 = n};

    struct plan_role *w = plan_add_role(p, "worker", n);
    if (!safe && barrier) {
        /* Certain deadlock: nobody gets past the second P, so one round. */
        plan_op(w, first);
        plan_op(w, arrive);
        plan_op(w, wait_all);
        plan_op(w, (struct op){.kind = OP_SLEEP, .ms = ms});
        plan_op(w, second);
        plan_op(w, give_second);
        plan_op(w, give_first);
        plan_op(w, (struct op){.kind = OP_EXIT, .arg1 = 0});
        return 0;
    }
    if (barrier) {
        plan_op(w, arrive);
        plan_op(w, wait_all);
    }
    int rep = plan_op(w, (struct op){.kind = OP_REPEAT, .count = (int32_t)v[P_ROUNDS]});
    plan_op(w, first);
    plan_op(w, (struct op){.kind = OP_SLEEP, .ms = ms});
    plan_op(w, second);
    plan_op(w, (struct op){.kind = OP_SLEEP, .ms = ms / 2});
    plan_op(w, give_second);
    plan_op(w, give_first);
    plan_op(w, (struct op){.kind = OP_SLEEP, .ms = ms / 2});
    plan_end_repeat(w, rep);
    plan_op(w, (struct op){.kind = OP_EXIT, .arg1 = 0});
    return 0;
}

/* The cycle the unsafe order must produce: worker-1 waits for lock 1, held
 * by worker-2, ..., worker-n waits for lock 0, held by worker-1. */
static void expected_cycle(int n, char *buf, size_t len)
{
    size_t off = 0;
    buf[0] = '\0';
    for (int i = 1; i <= n && off < len; i++) {
        int w = snprintf(buf + off, len - off, "worker-%d -> sem %d -> ", i, i % n);
        if (w > 0)
            off += (size_t)w;
    }
    if (off < len)
        snprintf(buf + off, len - off, "worker-1");
}

/* Workers that ran all their rounds and exited 0. */
static int finished(const struct model *m)
{
    int n = 0;
    for (int i = 0; i < m->nprocs; i++) {
        const struct model_proc *p = &m->procs[i];
        if (p->role == 0 && p->exited && WIFEXITED(p->wait_status) &&
            WEXITSTATUS(p->wait_status) == 0)
            n++;
    }
    return n;
}

/* Safe order: no cycle can form. Only a whole run proves it. */
static void judge_safe(struct model *m, const long *v, int final)
{
    const struct model_deadlock *d = &m->deadlock;
    int n = (int)v[P_WORKERS];
    if (d->found)
        model_set_check(m, "deadlock", CHECK_FAILED, _("%s order, yet a cycle was found: %s"),
                        v[P_ORDER] == ORDER_ATOMIC ? _("atomic") : _("safe"), d->text);
    else if (final == 1 && finished(m) == n)
        model_set_check(m, "deadlock", CHECK_OK, _("no cycle: %s; all %d workers finished"),
                        v[P_ORDER] == ORDER_ATOMIC || v[P_PROBE]
                            ? _("everyone took both locks in one semop")
                            : _("everyone took the lower lock first"),
                        n);
    else if (final == 1)
        model_set_check(m, "deadlock", CHECK_FAILED,
                        _("no cycle, but only %d of %d workers finished"), finished(m), n);
    else
        model_set_check(m, "deadlock", CHECK_PENDING,
                        _("no cycle so far (safe order; %d of %d workers finished%s)"), finished(m),
                        n, final ? _(", the run was cut short") : "");
}

/* Unsafe order: with the barrier the cycle is certain; without it, it forms
 * only when every worker holds its first lock at once -- timing decides, so
 * either outcome is what the run showed, and neither is a failure. */
static void judge_unsafe(struct model *m, const long *v, int final)
{
    const struct model_deadlock *d = &m->deadlock;
    int n = (int)v[P_WORKERS];
    bool barrier = v[P_BARRIER] != 0;
    char want[192];
    expected_cycle(n, want, sizeof want);
    if (d->found && strcmp(d->text, want) == 0)
        model_set_check(m, "deadlock", CHECK_OK, _("cycle found: %s"), d->text);
    else if (d->found)
        model_set_check(m, "deadlock", CHECK_FAILED, _("cycle %s, expected %s"), d->text, want);
    else if (final == 1 && !barrier && finished(m) == n)
        model_set_check(m, "deadlock", CHECK_OK,
                        _("no cycle this time: all %d workers finished (without the barrier the "
                          "cycle needs every worker to hold its first lock at once: timing "
                          "decides; barrier=on makes it certain)"),
                        n);
    else if (final == 1 && barrier)
        model_set_check(m, "deadlock", CHECK_FAILED,
                        _("no cycle formed, though the barrier had every worker hold its first "
                          "lock at once"));
    else if (final == 1)
        model_set_check(m, "deadlock", CHECK_FAILED,
                        _("no cycle, but only %d of %d workers finished"), finished(m), n);
    else if (final)
        model_set_check(m, "deadlock", CHECK_PENDING,
                        _("the run was cut short before a cycle formed"));
    else
        model_set_check(m, "deadlock", CHECK_PENDING, _("unsafe order: no cycle yet"));
}

/* probe: one semop of two sembufs that cannot both proceed changes nothing;
 * two semops change the first semaphore (split breaks it on purpose). */
static void judge_probe(struct model *m, const long *v, int final)
{
    long long same = model_fact(m, "sem2.eagain_unchanged", 0);
    long long changed = model_fact(m, "sem2.eagain_changed", 0);
    if (changed)
        model_set_check(m, "all_or_nothing", CHECK_FAILED,
                        _("a refused P on two semaphores changed one of them%s"),
                        v[P_PROBE] == PROBE_SPLIT ? _(": two semop calls (probe=split breaks it "
                                                      "on purpose)")
                                                  : "");
    else if (same)
        model_set_check(m, "all_or_nothing", CHECK_OK,
                        _("refused with EAGAIN, and neither semaphore changed: the kernel applies "
                          "every sembuf of a semop or none"));
    else
        model_set_check(m, "all_or_nothing", final ? CHECK_FAILED : CHECK_PENDING,
                        _("the probe has not been refused %s"),
                        final ? _("(it never ran)") : _("yet"));
}

static void judge(struct model *m, const long *v, int final)
{
    if (v[P_PROBE] != PROBE_OFF)
        judge_probe(m, v, final);
    if (v[P_ORDER] != ORDER_UNSAFE || v[P_PROBE] != PROBE_OFF)
        judge_safe(m, v, final);
    else
        judge_unsafe(m, v, final);
}

const struct scenario_def scenario_deadlock = {
    .name = "deadlock",
    .summary = N_("workers take two locks in opposite order and wait for each other forever"),
    .watch = N_("Each worker holds one semaphore (semval 0, holder: it) and sleeps in semtimedop "
                "asking for the one its neighbour holds: semncnt 1 on every lock, and nobody can "
                "V. ipcplay builds the wait-for graph -- who waits for which semaphore (the "
                "kernel's /proc/PID/syscall and the sembuf it passed), who holds it (the P "
                "events) -- names the cycle, and ends the run. order=safe: everyone takes the "
                "lower-numbered lock first; they wait for each other but never in a circle."),
    .params = params,
    .nparams = P__N,
    .build = build,
    .judge = judge,
};
