/* test_sem_panel.c — the model's list of a semaphore's sleepers (the panel shows it) is one moment:
 * the last sample saw a process asleep in P, its own events since say its P
 * ended (it holds the lock now); the panel must not say "held by worker-1"
 * and "asleep in P: worker-1" together. Built from a hand-made model. */
#include <criterion/criterion.h>

#include "events.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/model.h"

static struct model *m;

static void setup(void)
{
    m = calloc(1, sizeof *m);
    cr_assert_not_null(m);
    model_init(m);
    struct model_semset *ss = &m->semsets[m->nsemsets++];
    ss->semid = 7;
    ss->nsems = 1;
    ss->lockmask = 1;
    ss->val[0] = 0;
    for (int i = 1; i <= 3; i++) {
        char name[16];
        snprintf(name, sizeof name, "worker-%d", i);
        model_add_proc(m, 100 + i, 100, 0, i, name);
    }
}

static void teardown(void)
{
    free(m);
}

TestSuite(sem_panel, .init = setup, .fini = teardown);

/* what the sampler saw: asleep in semop(sem 0, op) */
static void sampled_asleep(int pid, int op)
{
    for (int i = 0; i < m->nprocs; i++)
        if (m->procs[i].pid == pid) {
            struct model_proc *p = &m->procs[i];
            p->state = 'S';
            p->kernel.semid = 7;
            p->kernel.nsops = 1;
            p->kernel.sem_num = 0;
            p->kernel.sem_op = op;
        }
}

static void event(int pid, int op, int phase, uint64_t t)
{
    struct event ev = test_event(op, phase, pid, 0, pid - 100);
    ev.t_ns = t;
    ev.sem.amount = -1;
    model_apply_event(m, &ev);
}

static bool listed(const int *idx, int n, int pid)
{
    for (int i = 0; i < n; i++)
        if (m->procs[idx[i]].pid == pid)
            return true;
    return false;
}

Test(sem_panel, a_holder_is_not_also_asleep_in_p)
{
    event(101, OP_P, PH_BEGIN, 1000);
    event(102, OP_P, PH_BEGIN, 1100);
    sampled_asleep(101, -1);
    sampled_asleep(102, -1);
    sampled_asleep(103, -1);        /* no events of its own: as the sample saw it */
    event(101, OP_P, PH_END, 2000); /* after the sample: it got the lock */
    cr_assert_eq(m->semsets[0].holder[0], 101, "the events make worker-1 the holder");
    int idx[MODEL_MAX_PROCS];
    int n = model_sem_waiters(m, &m->semsets[0], 0, false, idx);
    cr_expect(!listed(idx, n, 101), "the holder is not listed asleep in P");
    cr_expect(listed(idx, n, 102), "a process still in its P is listed");
    cr_expect(listed(idx, n, 103), "a process without events is as sampled");
    cr_expect_eq(n, 2);
}

Test(sem_panel, a_finished_wait_for_zero_is_not_listed)
{
    event(102, OP_WAIT0, PH_BEGIN, 1000);
    sampled_asleep(102, 0);
    int idx[MODEL_MAX_PROCS];
    cr_expect_eq(model_sem_waiters(m, &m->semsets[0], 0, true, idx), 1);
    event(102, OP_WAIT0, PH_END, 2000);
    cr_expect_eq(model_sem_waiters(m, &m->semsets[0], 0, true, idx), 0);
}
