/* ops.c — the op runner, inside a child: walks a role's ops and runs each
 * through its entry in the op table (src/ops/); every event an op emits
 * leaves through runner_send. What each op does is in its family's file. */
#include "ops.h"

#include <errno.h>
#include <signal.h>
#include <sched.h>
#include <string.h>
#include <sys/prctl.h>
#include <time.h>
#include <unistd.h>

#include "../model/model.h"
#include "events.h"

struct event runner_event(const struct runner *r, const struct op *op, enum ev_phase phase)
{
    struct event ev;
    memset(&ev, 0, sizeof ev);
    ev.t_ns = gate_clock_ns(r->gate, r->t0_ns);
    ev.pid = events_pid();
    ev.role = (int16_t)r->role;
    ev.instance = (int16_t)r->instance;
    ev.op = op->kind;
    ev.phase = (uint8_t)phase;
    ev.flags = op->flags;
    ev.obj = op->obj;
    return ev;
}

void runner_send(struct runner *r, const struct event *ev)
{
    if (ev->phase == PH_END && ev->result < 0)
        r->failure = *ev;
    events_emit(r->evfd, ev);
}

void runner_begin(struct runner *r, struct event *ev)
{
    gate_pass(r->gate);
    ev->t_ns = gate_clock_ns(r->gate, r->t0_ns);
    ev->phase = PH_BEGIN;
    runner_send(r, ev);
}

int runner_end(struct runner *r, struct event *ev, int32_t result, int err)
{
    ev->t_ns = gate_clock_ns(r->gate, r->t0_ns);
    ev->phase = PH_END;
    ev->result = result;
    ev->err = result < 0 ? err : 0;
    runner_send(r, ev);
    return result < 0 ? -1 : 0;
}

int runner_slot(const struct runner *r, int s)
{
    return s >= 0 && s < (int)(sizeof r->slot_fd1 / sizeof r->slot_fd1[0]) ? r->slot_fd1[s] - 1
                                                                           : -1;
}

void runner_slot_set(struct runner *r, int s, int fd)
{
    if (s >= 0 && s < (int)(sizeof r->slot_fd1 / sizeof r->slot_fd1[0]))
        r->slot_fd1[s] = fd + 1;
}

void runner_hold(struct runner *r, int ms)
{
    if (gate_scale_ns(r->gate, ms))
        gate_delay(r->gate, ms);
    else
        sched_yield();
}

void runner_set_comm(const char *role, int instance)
{
    char name[32];
    role_instance_name(role, instance, name, sizeof name);
    prctl(PR_SET_NAME, name);
}

void runner_reset_signals(void)
{
    sigset_t none;
    sigemptyset(&none);
    for (int s = 1; s < NSIG; s++)
        if (s != SIGKILL && s != SIGSTOP)
            signal(s, SIG_DFL);
    sigprocmask(SIG_SETMASK, &none, NULL);
}

void runner_nap_us(long us)
{
    struct timespec ts = {us / 1000000, (us % 1000000) * 1000L};
    while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
        ;
}

void runner_nap_ms(long ms)
{
    runner_nap_us(ms * 1000);
}

/* The op gives up (the role cannot go on): tell the engine which call failed
 * and why, before the process exits with status 3. An op that failed
 * without a failed call of its own (a plan it cannot use) names itself. */
static void report_failure(struct runner *r, const struct op *op)
{
    struct event ev = r->failure.op != OP_NONE ? r->failure : runner_event(r, op, PH_END);
    ev.t_ns = gate_clock_ns(r->gate, r->t0_ns);
    /* The call's first two payload words stay: they name it ("msgsnd(type 3)"). */
    ev.failed.call = ev.op;
    ev.failed.pad2 = 0;
    ev.op = OP_FAILED;
    ev.phase = PH_NOTE;
    ev.result = -1;
    events_emit(r->evfd, &ev);
}

int runner_run_list(struct runner *r, const struct op *ops, int nops)
{
    for (int i = 0; i < nops; i++) {
        const struct op *op = &ops[i];
        const struct op_entry *e = op_entry(op->kind);
        r->failure.op = OP_NONE;
        r->list_end = ops + nops;
        int rc = e ? e->run(r, op) : -1;
        if (rc < 0) {
            report_failure(r, op);
            r->exit_code = 3;
            return 1;
        }
        if (rc == OPS_END_ROLE)
            return 1;
        /* An op with a body (repeat) ran it itself. */
        if (op->body > 0)
            i += op->body < nops - i - 1 ? op->body : nops - i - 1;
    }
    return 0;
}

int runner_run(struct runner *r, const struct op *ops, int nops)
{
    struct op start = {.kind = OP_START};
    struct event ev = runner_event(r, &start, PH_NOTE);
    ev.start.parent = getppid();
    runner_send(r, &ev);
    r->exit_code = 0;
    runner_run_list(r, ops, nops);
    return r->exit_code;
}
