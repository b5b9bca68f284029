/* fork.c — the `fork` scenario: fork returns twice; the child's PPID is its
 * parent; an fd opened before fork is shared (one open file description, one
 * offset: records from both land one after the other); copy-on-write (the
 * child's write to a private page costs it a minor fault and leaves the
 * parent's copy alone); then exec replaces the child's program (comm and exe
 * change, the op runner is gone) and closes the fd that had FD_CLOEXEC.
 * Knobs that break a claim: offset=separate, page=shared, cloexec=off. */
#include <signal.h>
#include <stdio.h>
#include <sys/wait.h>

#include "scenario.h"
#include "../model/i18n.h"

enum { P_ROUNDS, P_GAP, P_OFFSET, P_PAGE, P_CLOEXEC, P_EXEC, P_MISSING, P_SIGNALS, P__N };
enum { SIG_OFF, SIG_ON, SIG_RESET };

static const char *const offset_choices[] = {"shared", "separate", NULL};
static const char *const page_choices[] = {"private", "shared", NULL};
static const char *const signal_choices[] = {"off", "on", "reset", NULL};
static const char *const exec_choices[] = {"execve", "execl",  "execlp", "execle",
                                           "execv",  "execvp", NULL};

static const struct param_def params[] = {
    [P_ROUNDS] = {"rounds", PARAM_INT, 3, 1, 200, NULL,
                  N_("records each process writes to the shared file after fork")},
    [P_GAP] = {"gap", PARAM_MS, 4000, 0, 10000, NULL, N_("time between steps")},
    [P_OFFSET] = {"offset", PARAM_ENUM, 0, 0, 0, offset_choices,
                  N_("separate: the child opens the file again (own offset) and overwrites")},
    [P_PAGE] = {"page", PARAM_ENUM, 0, 0, 0, page_choices,
                N_("shared: MAP_SHARED, no copy-on-write; the parent sees the child's write")},
    [P_CLOEXEC] = {"cloexec", PARAM_BOOL, 1, 0, 1, NULL,
                   N_("the second fd gets FD_CLOEXEC (off: it survives exec)")},
    [P_EXEC] = {"exec", PARAM_ENUM, 0, 0, 0, exec_choices,
                N_("the exec call: l/v list or vector of args, p searches PATH, e passes envp")},
    [P_MISSING] = {"missing", PARAM_BOOL, 0, 0, 1, NULL,
                   N_("exec a program nobody has: -1 ENOENT, the child goes on and exits 127")},
    [P_SIGNALS] = {"signals", PARAM_ENUM, SIG_OFF, 0, 0, signal_choices,
                   N_("on: a handler, an ignored and a pending signal, seen in /proc before fork, "
                      "after fork and after exec; reset: the child resets them itself")},
};

enum { F_SHARED, F_HELPER };
enum { R_PARENT, R_CHILD };
enum { S_FILE, S_SECOND };

static int build(const long *v, struct plan *p, char *err, size_t errlen)
{
    (void)err;
    (void)errlen;
    int gap = (int)v[P_GAP];
    p->observe = 1;
    plan_add_file(p, PLANF_FILE, "shared.txt", 0);
    plan_add_file(p, PLANF_HELPER, "fdreport", 0);
    struct plan_role *par = plan_add_role(p, "parent", 1);
    struct plan_role *ch = plan_add_role(p, "child", 0); /* forked by the parent */

    plan_op(par, (struct op){.kind = OP_OPEN, .obj = F_SHARED, .arg0 = S_FILE, .arg1 = 2});
    plan_op(par, (struct op){.kind = OP_OPEN,
                             .obj = F_SHARED,
                             .arg0 = S_SECOND,
                             .arg1 = 0,
                             .flags = (uint16_t)(v[P_CLOEXEC] ? OPF_CLOEXEC : 0)});
    plan_op(par, (struct op){.kind = OP_COW_INIT, .flags = (uint16_t)(v[P_PAGE] ? OPF_SHARED : 0)});
    plan_op(par, (struct op){.kind = OP_RECORD, .arg0 = S_FILE});
    plan_op(par, (struct op){.kind = OP_SLEEP, .ms = gap});
    if (v[P_SIGNALS]) {
        plan_op(par, (struct op){.kind = OP_SIGSETUP});
        plan_op(par, (struct op){.kind = OP_SIGREPORT});
        plan_op(ch, (struct op){.kind = OP_SIGREPORT});
    }
    plan_op(par, (struct op){.kind = OP_FORK,
                             .arg0 = R_CHILD,
                             .count = 1,
                             .arg2 = v[P_SIGNALS] == SIG_ON ? 1 : 0});
    plan_op(par, (struct op){.kind = OP_SLEEP, .ms = gap / 2});
    int rep = plan_op(par, (struct op){.kind = OP_REPEAT, .count = (int32_t)v[P_ROUNDS]});
    plan_op(par, (struct op){.kind = OP_RECORD, .arg0 = S_FILE});
    plan_op(par, (struct op){.kind = OP_SLEEP, .ms = gap});
    plan_end_repeat(par, rep);
    plan_op(par, (struct op){.kind = OP_WAIT, .arg0 = 1, .arg1 = 1});
    plan_op(par, (struct op){.kind = OP_COW_CHECK});
    plan_op(par, (struct op){.kind = OP_FILE_CHECK, .arg0 = S_FILE});
    plan_op(par, (struct op){.kind = OP_EXIT, .arg1 = 0});

    if (v[P_OFFSET]) {
        plan_op(ch, (struct op){.kind = OP_CLOSE, .arg0 = S_FILE});
        plan_op(ch, (struct op){.kind = OP_OPEN, .obj = F_SHARED, .arg0 = S_FILE, .arg1 = 2});
    }
    rep = plan_op(ch, (struct op){.kind = OP_REPEAT, .count = (int32_t)v[P_ROUNDS]});
    plan_op(ch, (struct op){.kind = OP_RECORD, .arg0 = S_FILE});
    plan_op(ch, (struct op){.kind = OP_SLEEP, .ms = gap});
    plan_end_repeat(ch, rep);
    plan_op(ch, (struct op){.kind = OP_COW_WRITE, .flags = (uint16_t)(v[P_PAGE] ? OPF_SHARED : 0)});
    plan_op(ch, (struct op){.kind = OP_SLEEP, .ms = gap});
    if (v[P_EXEC] || v[P_MISSING]) /* execve is 0; EXV_ counts from execl */
        plan_op(ch, (struct op){.kind = OP_EXECAS,
                                .obj = F_HELPER,
                                .arg0 = v[P_EXEC] ? (int32_t)v[P_EXEC] - 1 : EXV_EXECV,
                                .arg1 = v[P_MISSING] ? 1 : 0});
    else
        plan_op(ch, (struct op){.kind = OP_EXEC, .obj = F_HELPER});
    /* Never runs when exec works: the op runner is gone. */
    plan_op(ch, (struct op){.kind = OP_EXIT, .arg1 = v[P_MISSING] ? 127 : 7});
    return 0;
}

static const struct model_proc *the_child(const struct model *m)
{
    for (int i = 0; i < m->nprocs; i++)
        if (m->procs[i].role == R_CHILD)
            return &m->procs[i];
    return NULL;
}

/* signals=on: what /proc showed before fork, after fork and after exec. */
static void judge_signals(struct model *m, const long *v, int pend)
{
    long long hup = 1ll << (SIGHUP - 1), pipe = 1ll << (SIGPIPE - 1), winch = 1ll << (SIGWINCH - 1);
    if (!model_has_fact(m, "sig.parent.caught") || !model_has_fact(m, "sig.fork.caught")) {
        model_set_check(m, "signals", pend, _("no report from both sides of fork yet"));
        return;
    }
    bool survived = model_fact(m, "sig.fork.caught", 0) & hup;
    bool was_pending = model_fact(m, "sig.parent.pending", 0) & winch;
    bool cleared = !(model_fact(m, "sig.fork.pending", 0) & winch);
    if (!survived || !was_pending || !cleared) {
        model_set_check(
            m, "signals", CHECK_FAILED, _("after fork: SIGHUP handler %s, SIGWINCH %s%s"),
            survived ? _("kept") : _("gone"), cleared ? _("not pending") : _("still pending"),
            v[P_SIGNALS] == SIG_RESET ? _(" (signals=reset: the child reset them "
                                          "itself; broken on purpose)")
                                      : "");
        return;
    }
    if (!model_has_fact(m, "sig.exec.caught")) {
        model_set_check(m, "signals", pend,
                        _("fork kept the handler and cleared pending; no "
                          "report from after exec yet"));
        return;
    }
    bool reset = !(model_fact(m, "sig.exec.caught", 0) & hup);
    bool ign = model_fact(m, "sig.exec.ignored", 0) & pipe;
    bool blk = model_fact(m, "sig.exec.blocked", 0) & winch;
    if (reset && ign && blk)
        model_set_check(m, "signals", CHECK_OK,
                        _("fork: the handler survives, the pending SIGWINCH does not; exec: the "
                          "handler is reset to default, SIGPIPE stays ignored, the mask stays"));
    else
        model_set_check(m, "signals", CHECK_FAILED,
                        _("after exec: handler %s, SIGPIPE %s, "
                          "SIGWINCH %s"),
                        reset ? _("reset") : _("kept"), ign ? _("ignored") : _("default"),
                        blk ? _("blocked") : _("unblocked"));
}

static void judge(struct model *m, const long *v, int final)
{
    if (v[P_SIGNALS])
        judge_signals(m, v, final == 1 ? CHECK_FAILED : CHECK_PENDING);
    /* Not reached yet is a failure only when the run ended by itself; a run
     * stopped early (final 2) leaves it pending. */
    int pend = final == 1 ? CHECK_FAILED : CHECK_PENDING;
    const struct model_proc *ch = the_child(m);
    long long in_parent = model_fact(m, "fork.parent_saw_pid", 0);
    long long in_child = model_fact(m, "fork.child_saw_0", 0);
    if (in_parent > 0 && in_child > 0)
        model_set_check(m, "fork_returns_twice", CHECK_OK,
                        _("fork() returned %d in the parent and 0 in the child"),
                        ch ? (int)ch->pid : -1);
    else
        model_set_check(m, "fork_returns_twice", pend,
                        _("seen in the parent %lld, in the child %lld"), in_parent, in_child);

    if (model_fact(m, "fork.ppid_ok", 0) > 0)
        model_set_check(m, "child_ppid", CHECK_OK,
                        _("the child's getppid() is its parent's pid %d"),
                        ch ? (int)ch->parent0 : -1);
    else
        model_set_check(m, "child_ppid", in_child ? CHECK_FAILED : pend,
                        _("the child's getppid() was not its parent"));

    long long written = model_fact(m, "records.written", 0);
    if (!model_has_fact(m, "file.intact")) {
        model_set_check(m, "shared_offset", pend, _("%lld records written so far"), written);
    } else {
        long long intact = model_fact(m, "file.intact", 0), bad = model_fact(m, "file.bad", 0);
        long long size = model_fact(m, "file.size", 0);
        if (intact == written && bad == 0 && size == 16 * written)
            model_set_check(m, "shared_offset", CHECK_OK,
                            _("all %lld records of both processes follow each other (%lld bytes): "
                              "one offset"),
                            written, size);
        else
            model_set_check(m, "shared_offset", CHECK_FAILED,
                            _("%lld of %lld records survived in %lld bytes: %s"), intact, written,
                            size,
                            v[P_OFFSET] ? _("two offsets, the child overwrote the parent")
                                        : _("records were lost"));
    }

    if (!model_has_fact(m, "cow.unchanged")) {
        model_set_check(m, "copy_on_write", pend, _("the parent has not checked its page yet"));
    } else {
        long long d = model_fact(m, "cow.minflt_delta", 0);
        if (model_fact(m, "cow.unchanged", 0) == 1 && model_fact(m, "cow.child_wrote", 0) && d >= 1)
            model_set_check(m, "copy_on_write", CHECK_OK,
                            _("the child's write cost it %lld minor fault(s); the parent's page "
                              "is unchanged"),
                            d);
        else if (model_fact(m, "cow.unchanged", 0) != 1)
            model_set_check(m, "copy_on_write", CHECK_FAILED,
                            _("the parent's page changed: the child wrote the %s page itself"),
                            v[P_PAGE] ? "MAP_SHARED" : _("same"));
        else
            model_set_check(m, "copy_on_write", CHECK_FAILED,
                            _("no minor fault on the child's write (%lld)"), d);
    }

    long long execd = model_fact(m, "exec.done", 0);
    bool comm = model_fact(m, "exec.comm_changed", 0), exe = model_fact(m, "exec.exe_changed", 0);
    bool exited_ok =
        ch && ch->exited && WIFEXITED(ch->wait_status) && WEXITSTATUS(ch->wait_status) == 0;
    if (model_fact(m, "exec.failed", 0))
        model_set_check(m, "exec_image", CHECK_FAILED,
                        _("exec returned -1 (missing=on breaks it on purpose): the old program "
                          "went on"));
    else if (!execd || !ch || !ch->exited)
        model_set_check(m, "exec_image", pend, _("the child has not exec'd and ended yet"));
    else if (execd == ch->pid && comm && exe && exited_ok)
        model_set_check(m, "exec_image", CHECK_OK,
                        _("pid %d now runs %s: comm and exe changed; the op runner's exit(7) "
                          "never ran (status 0)"),
                        (int)ch->pid, ch->comm);
    else
        model_set_check(m, "exec_image", CHECK_FAILED,
                        _("comm changed %d, exe changed %d, status %d"), comm, exe,
                        ch->wait_status);

    long long kept = model_fact(m, "open.1.fd", -1), second = model_fact(m, "open.2.fd", -1);
    long long mask = model_fact(m, "exec.fdmask", 0);
    if (!model_has_fact(m, "exec.reported")) {
        model_set_check(m, "cloexec", pend, _("no report from after the exec yet"));
    } else {
        bool kept_open = kept >= 0 && kept < 62 && (mask & (1ll << kept));
        bool second_open = second >= 0 && second < 62 && (mask & (1ll << second));
        if (kept_open && !second_open)
            model_set_check(m, "cloexec", CHECK_OK,
                            _("fd %lld (no FD_CLOEXEC) stayed open across exec; fd %lld "
                              "(FD_CLOEXEC) was closed"),
                            kept, second);
        else if (second_open)
            model_set_check(m, "cloexec", CHECK_FAILED,
                            _("fd %lld survived exec: it had no FD_CLOEXEC"), second);
        else
            model_set_check(m, "cloexec", CHECK_FAILED, _("fd %lld did not survive exec"), kept);
    }
}

/* Knobs that break a check on purpose: told as such, not as a failure. */
static const struct param_break breaks[] = {
    {"offset", "shared_offset"},
    {"page", "copy_on_write"},
    {"cloexec", "cloexec"},
    {NULL, NULL},
};

const struct scenario_def scenario_fork = {
    .breaks = breaks,
    .name = "fork",
    .summary = N_("fork returns twice; shared fds and offsets, copy-on-write, then exec"),
    .watch = N_("fork() returns the child's pid in the parent and 0 in the child, whose PPID is "
                "the parent. Both write records through one fd opened before fork: watch the fd's "
                "pos in both fd tables move together. The child writes a private page: its minor "
                "faults rise (a copy), the parent's page stays. Then the child execs: same pid, "
                "new comm and exe, fd without FD_CLOEXEC still open, the other closed."),
    .params = params,
    .nparams = P__N,
    .build = build,
    .judge = judge,
};
