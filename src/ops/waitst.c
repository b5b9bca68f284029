/* waitst.c — the wait-status family: `raise` (a process signals itself:
 * SIGTERM kills it, SIGSTOP stops it), and `waitpoll`, a parent that polls
 * waitpid(-1, &status, WNOHANG) -- 0 while its children run -- and tells
 * each status word as the macros decode it: WIFEXITED/WEXITSTATUS,
 * WIFSIGNALED/WTERMSIG, WIFSTOPPED/WSTOPSIG (reported only with WUNTRACED);
 * a stopped child is sent SIGCONT. With no children left: ECHILD. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../engine/board.h"
#include "../engine/engine_internal.h"
#include "../engine/events.h"
#include "../engine/ops.h"
#include "../model/field.h"
#include "../model/model.h"
#include "../model/signames.h"
#include "op.h"
#include "../model/i18n.h"

#define WAITPOLL_QUIET_MS 3000 /* answers of 0 this long after the last change: give up */

/* ---- in the child ------------------------------------------------------ */

static int run_raise(struct runner *r, const struct op *op)
{
    struct event ev = runner_event(r, op, PH_BEGIN);
    ev.raise.sig = op->arg0;
    runner_begin(r, &ev);
    int rc = kill(getpid(), op->arg0);
    return runner_end(r, &ev, rc, errno);
}

/* The stopped children of role `role` the board knows: SIGCONT each. */
static void cont_role(int role)
{
    const struct board *b = board_get();
    for (int i = 0; b && i < b->n && i < BOARD_MAX; i++)
        if (b->e[i].role == role && !(b->e[i].seen & SEEN_EXITED))
            kill(b->e[i].pid, SIGCONT);
}

/* waitpoll: collect `count` state changes (exits, deaths, stops) with
 * waitpid(-1, WNOHANG | (arg1 & 1 ? WUNTRACED : 0)), `ms` between polls;
 * arg1 & 2: without WNOHANG (it sleeps). A stopped child gets SIGCONT. When
 * nothing changes for a while, role arg2's children are sent SIGCONT (a stop
 * nobody was told of) and it goes on. The polls back off while nothing
 * changes (ms, 2ms, 4ms... up to WAITPOLL_BACKOFF_MS, at the run's speed): a
 * class sees the zeros without a flood of them. A stopped child stays
 * stopped a moment (PLAN_MOMENT_MS) before its SIGCONT. */
#define WAITPOLL_BACKOFF_MS 1000
static int run_waitpoll(struct runner *r, const struct op *op)
{
    int options = ((op->arg1 & 2) ? 0 : WNOHANG) | ((op->arg1 & 1) ? WUNTRACED : 0);
    int got = 0, zeros = 0, pause_ms = op->ms > 0 ? op->ms : 50;
    /* Quiet is counted on the run's clock (pause excluded) at its speed, and
     * never shorter than WAITPOLL_QUIET_MS of real time (speed max). */
    uint64_t quiet_ns = gate_scale_ns(r->gate, WAITPOLL_QUIET_MS);
    uint64_t quiet_since = gate_clock_ns(r->gate, r->t0_ns);
    if (quiet_ns < WAITPOLL_QUIET_MS * 1000000ull)
        quiet_ns = WAITPOLL_QUIET_MS * 1000000ull;
    while (got < (op->count > 0 ? op->count : 1)) {
        struct event ev = runner_event(r, op, PH_BEGIN);
        ev.waitpoll.options = options;
        runner_begin(r, &ev);
        int st = 0;
        pid_t pid;
        do
            pid = waitpid(-1, &st, options);
        while (pid < 0 && errno == EINTR);
        int err = errno;
        ev.waitpoll.status = st;
        ev.waitpoll.zeros = pid == 0 ? ++zeros : zeros;
        bool stopped = pid > 0 && WIFSTOPPED(st);
        ev.waitpoll.cont = stopped; /* told now, sent after the moment */
        runner_end(r, &ev, pid, err);
        if (stopped) {
            runner_hold(r, PLAN_MOMENT_MS);
            kill(pid, SIGCONT);
        }
        if (pid < 0)
            return 0; /* ECHILD: the answer is the point */
        if (pid > 0) {
            got++;
            quiet_since = gate_clock_ns(r->gate, r->t0_ns);
            pause_ms = op->ms > 0 ? op->ms : 50;
            continue;
        }
        if (gate_clock_ns(r->gate, r->t0_ns) - quiet_since > quiet_ns) {
            cont_role(op->arg2);
            quiet_since = gate_clock_ns(r->gate, r->t0_ns);
        }
        runner_hold(r, pause_ms);
        pause_ms = pause_ms * 2 > WAITPOLL_BACKOFF_MS ? WAITPOLL_BACKOFF_MS : pause_ms * 2;
        runner_nap_ms(2); /* even at full speed, not a flood of answers */
    }
    return 0;
}

/* ---- in the engine ----------------------------------------------------- */

/* A child the role reaped is gone; a stopped one is not. */
static void track_waitpoll(struct engine *e, const struct event *ev)
{
    int st = (int)ev->waitpoll.status;
    if (ev->phase != PH_END || ev->result <= 0 || WIFSTOPPED(st))
        return;
    struct child *c = supervisor_find(e, ev->result);
    if (c && c->forked)
        family_gone(e, c);
}

/* ---- in the model ------------------------------------------------------ */

static void doing_waitst(const struct event *ev, char *buf, size_t len)
{
    if (ev->op == OP_RAISE)
        snprintf(buf, len, "kill(self, %s)", signame(ev->raise.sig).s);
    else
        snprintf(buf, len, "waitpid(-1, %s)",
                 (ev->waitpoll.options & (WNOHANG | WUNTRACED)) == (WNOHANG | WUNTRACED)
                     ? "WNOHANG|WUNTRACED"
                 : (ev->waitpoll.options & WNOHANG)   ? "WNOHANG"
                 : (ev->waitpoll.options & WUNTRACED) ? "WUNTRACED"
                                                      : "0");
}

static struct model_line *story_raise(struct model *m, const struct event *ev, struct op_ctx *cx)
{
    if (ev->phase != PH_BEGIN)
        return NULL;
    struct model_line *l = model_new_line(m, ev->t_ns, cx->pi, LINE_EVENT);
    model_line_say(l, _("-> kill(getpid(), %s)"), signame(ev->raise.sig).s);
    return l;
}

/* Which status words it saw, for the judge: bit 0 exited, 1 signaled, 2 stopped. */
static void apply_waitpoll(struct model *m, const struct event *ev, struct op_ctx *cx)
{
    (void)cx;
    if (ev->phase != PH_END)
        return;
    int st = (int)ev->waitpoll.status;
    if (ev->result == 0)
        model_fact_add(m, "wait.zero", 1);
    else if (ev->result < 0 && ev->err == ECHILD)
        model_fact_add(m, "wait.echild", 1);
    else if (ev->result > 0 && WIFEXITED(st) && !model_has_fact(m, "wait.exited"))
        model_fact_set(m, "wait.exited", WEXITSTATUS(st) + 1); /* the first exit's status */
    else if (ev->result > 0 && WIFSIGNALED(st))
        model_fact_set(m, "wait.signaled", WTERMSIG(st));
    else if (ev->result > 0 && WIFSTOPPED(st))
        model_fact_set(m, "wait.stopped", WSTOPSIG(st));
}

static struct model_line *story_waitpoll(struct model *m, const struct event *ev, struct op_ctx *cx)
{
    const struct ev_waitpoll *w = &ev->waitpoll;
    if (ev->phase != PH_END || (ev->result == 0 && w->zeros != 1))
        return NULL; /* the first 0 is told, the rest counted */
    struct model_line *l = model_new_line(m, ev->t_ns, cx->pi, LINE_EVENT);
    int st = (int)w->status;
    char who[48] = "?";
    int pi = ev->result > 0 ? model_find_proc(m, ev->result) : -1;
    if (pi >= 0)
        model_proc_label(&m->procs[pi], who, sizeof who);
    else if (ev->result > 0)
        snprintf(who, sizeof who, "pid %d", ev->result);
    if (ev->result == 0)
        model_line_say(l, _("-> 0: children exist, none has changed state; WNOHANG returns at "
                            "once instead of sleeping (it polls again)"));
    else if (ev->result < 0 && ev->err == ECHILD)
        model_line_say(l, _("-> -1 ECHILD: no children left to wait for"));
    else if (ev->result < 0)
        model_line_say(l, "-> -1 %s", errname(ev->err));
    else if (WIFEXITED(st))
        model_line_say(l, _("-> %s, status 0x%04x: WIFEXITED true, WEXITSTATUS %d"), who, st,
                       WEXITSTATUS(st));
    else if (WIFSIGNALED(st))
        model_line_say(l, _("-> %s, status 0x%04x: WIFSIGNALED true, WTERMSIG %d (%s)%s"), who, st,
                       WTERMSIG(st), signame(WTERMSIG(st)).s,
                       WCOREDUMP(st) ? _(", core dumped") : "");
    else if (WIFSTOPPED(st))
        model_line_say(l,
                       _("-> %s, status 0x%04x: WIFSTOPPED true, WSTOPSIG %d (%s) -- reported "
                         "because of WUNTRACED; %s"),
                       who, st, WSTOPSIG(st), signame(WSTOPSIG(st)).s,
                       w->cont ? _("it sends SIGCONT") : _("SIGCONT failed"));
    else
        model_line_say(l, _("-> %s, status 0x%04x"), who, st);
    return l;
}

/* ---- the entries ------------------------------------------------------- */

static const struct field payload_raise[] = {FLD(struct ev_raise, sig), FLD_END};
static const struct field payload_waitpoll[] = {
    FLD(struct ev_waitpoll, options), FLD(struct ev_waitpoll, zeros), FLD(struct ev_waitpoll, cont),
    FLD(struct ev_waitpoll, status), FLD_END};

const struct op_entry op_entry_RAISE = {.payload = payload_raise,
                                        .name = "raise",
                                        .verb = "signals itself",
                                        .run = run_raise,
                                        .doing = doing_waitst,
                                        .story = story_raise};
const struct op_entry op_entry_WAITPOLL = {.payload = payload_waitpoll,
                                           .name = "waitpoll",
                                           .verb = "polls waitpid and decodes the status",
                                           .run = run_waitpoll,
                                           .track = track_waitpoll,
                                           .doing = doing_waitst,
                                           .apply = apply_waitpoll,
                                           .story = story_waitpoll};
