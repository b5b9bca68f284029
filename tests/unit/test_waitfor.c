/* test_waitfor.c — the wait-for graph: cycle finding on plain arrays, and the
 * graph built from hand-made models (who sleeps on which lock, who holds it). */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "model/model.h"
#include "model/waitfor.h"

Test(waitfor, two_node_cycle)
{
    int next[] = {-1, 2, 1};
    int cyc[8];
    cr_assert_eq(waitfor_cycle(next, 3, cyc, 8), 2);
    cr_expect_eq(cyc[0], 1);
    cr_expect_eq(cyc[1], 2);
}

Test(waitfor, chain_into_cycle_starts_at_smallest)
{
    /* 0 -> 4 -> 3 -> 2 -> 4: the cycle is {4,3,2}, reported from 2 */
    int next[] = {4, -1, 4, 2, 3};
    int cyc[8];
    cr_assert_eq(waitfor_cycle(next, 5, cyc, 8), 3);
    cr_expect_eq(cyc[0], 2);
    cr_expect_eq(cyc[1], 4);
    cr_expect_eq(cyc[2], 3);
}

Test(waitfor, self_loop_is_a_cycle)
{
    int next[] = {-1, 1};
    int cyc[4];
    cr_assert_eq(waitfor_cycle(next, 2, cyc, 4), 1);
    cr_expect_eq(cyc[0], 1);
}

Test(waitfor, chains_without_cycle)
{
    int next[] = {1, 2, 3, -1, 3};
    int cyc[8];
    cr_expect_eq(waitfor_cycle(next, 5, cyc, 8), 0);
    int none[] = {-1, -1, -1};
    cr_expect_eq(waitfor_cycle(none, 3, cyc, 8), 0);
}

static struct model *m;

static void setup(void)
{
    m = calloc(1, sizeof *m);
    cr_assert_not_null(m);
    model_init(m);
    m->nroles = 1;
    strcpy(m->role_names[0], "worker");
    model_add_proc(m, 100, 1, -1, 0, "ipcplay");
    struct model_semset *s = &m->semsets[m->nsemsets++];
    s->index = 0;
    s->semid = 7;
    s->nsems = 3;
    s->lockmask = 0x3; /* sems 0 and 1 are locks, 2 is not */
}

static void teardown(void)
{
    free(m);
}

/* Worker `name` (pid) holds `holds` (or -1) and sleeps taking `wants`. */
static void worker(const char *name, pid_t pid, int holds, int wants)
{
    int i = model_add_proc(m, pid, 100, 0, (int)(pid - 200), name);
    struct model_proc *p = &m->procs[i];
    p->state = 'S';
    p->kernel.nr = 64; /* any syscall number: the sembuf is what matters */
    p->kernel.semid = wants >= 0 ? 7 : -1;
    p->kernel.nsops = 1;
    p->kernel.sem_num = wants;
    p->kernel.sem_op = -1;
    if (holds >= 0) {
        m->semsets[0].holder[holds] = pid;
        m->semsets[0].val[holds] = 0;
    }
}

TestSuite(waitfor_model, .init = setup, .fini = teardown);

Test(waitfor_model, opposite_order_is_a_named_cycle)
{
    worker("worker-1", 201, 0, 1);
    worker("worker-2", 202, 1, 0);
    struct waitfor_cycle c;
    cr_assert_eq(waitfor_find(m, &c), 1);
    cr_expect_eq(c.n, 2);
    cr_expect_str_eq(c.text, "worker-1 -> sem 1 -> worker-2 -> sem 0 -> worker-1");
}

Test(waitfor_model, no_cycle_when_one_is_running)
{
    worker("worker-1", 201, 0, 1);
    worker("worker-2", 202, 1, 0);
    m->procs[2].state = 'R';
    struct waitfor_cycle c;
    cr_expect_eq(waitfor_find(m, &c), 0);
}

Test(waitfor_model, no_edge_while_the_lock_is_free)
{
    /* The kernel says it sleeps, but semval is 1: it is about to wake. */
    worker("worker-1", 201, 0, 1);
    worker("worker-2", 202, 1, 0);
    m->semsets[0].val[0] = 1;
    struct waitfor_cycle c;
    cr_expect_eq(waitfor_find(m, &c), 0);
}

Test(waitfor_model, counting_semaphores_make_no_edges)
{
    /* Semaphore 2 is not a lock: "last to pass P" is not a holder. */
    worker("worker-1", 201, 2, 2);
    struct waitfor_cycle c;
    cr_expect_eq(waitfor_find(m, &c), 0);
}

Test(waitfor_model, holder_gone_breaks_the_cycle)
{
    worker("worker-1", 201, 0, 1);
    worker("worker-2", 202, 1, 0);
    m->procs[2].exited = true;
    struct waitfor_cycle c;
    cr_expect_eq(waitfor_find(m, &c), 0);
}

Test(waitfor_model, wait_for_zero_makes_no_edge)
{
    worker("worker-1", 201, 0, 1);
    worker("worker-2", 202, 1, 0);
    m->procs[2].kernel.sem_op = 0;
    struct waitfor_cycle c;
    cr_expect_eq(waitfor_find(m, &c), 0);
}
