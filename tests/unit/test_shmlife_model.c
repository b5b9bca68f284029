/* test_shmlife_model.c — the shmlife ops' model side, driven by hand-made
 * events (no process is started): the story tells dest and key 0 and the
 * destruction at the last detach, and the judge fails where the claims do not
 * hold — a nattch that counts someone besides the run's processes (ipcplay
 * attaching), a segment gone while still attached, and bytes not zero at
 * creation. */
#include <criterion/criterion.h>
#include <errno.h>
#include <string.h>
#include <sys/shm.h>

#include "model/model.h"
#include "model/record.h"
#include "scenarios/scenario.h"

static struct model m;
static long vals[SCENARIO_MAX_PARAMS];
static const struct scenario_def *s;
static uint64_t t;

static void setup(void)
{
    s = scenario_find("shmlife");
    cr_assert_not_null(s);
    scenario_defaults(s, vals);
    model_init(&m);
    model_add_proc(&m, 100, 1, -1, 0, "ipcplay");
    model_add_proc(&m, 201, 100, 0, 1, "writer-1");
    model_add_proc(&m, 202, 100, 1, 1, "reader-1");
    t = 0;
}

TestSuite(shmlife_model, .init = setup);

static struct event ev(pid_t pid, int op, int result, int err)
{
    struct event e;
    memset(&e, 0, sizeof e);
    e.t_ns = ++t * 1000000;
    e.pid = pid;
    e.role = pid == 201 ? 0 : 1;
    e.instance = 1;
    e.op = (uint8_t)op;
    e.phase = PH_END;
    e.result = result;
    e.err = err;
    return e;
}

static void attach(pid_t pid, int nattch)
{
    struct event e = ev(pid, OP_SHM_ATTACH, 0, 0);
    e.shml_map.id = 7;
    e.shml_map.nattch = nattch;
    e.shml_map.addr = 0x7f0000000000;
    e.shml_map.size = 4096;
    model_apply_event(&m, &e);
}

static void detach(pid_t pid, int nattch, int stat_err)
{
    struct event e = ev(pid, OP_SHM_DETACH, 0, 0);
    e.shml_map.id = 7;
    e.shml_map.nattch = nattch;
    e.shml_map.stat_err = stat_err;
    model_apply_event(&m, &e);
}

static void zeros(long long nonzero)
{
    struct event e = ev(201, OP_SHM_ZEROS, 0, 0);
    e.shml_zeros.bytes = 4096;
    e.shml_zeros.nonzero = nonzero;
    model_apply_event(&m, &e);
}

static void rmid(int nattch)
{
    struct event e = ev(201, OP_SHM_REMOVE, 0, 0);
    e.shml_ctl.id = 7;
    e.shml_ctl.nattch = nattch;
    model_apply_event(&m, &e);
}

static void stat_dest(int nattch)
{
    struct event e = ev(201, OP_SHM_STAT, 0, 0);
    e.shml_stat.id = 7;
    e.shml_stat.mode = SHM_DEST | 0600;
    e.shml_stat.nattch = nattch;
    e.shml_stat.proc_found = 1;
    e.shml_stat.proc_mode = SHM_DEST | 0600;
    e.shml_stat.proc_nattch = nattch;
    model_apply_event(&m, &e);
}

static void read_msg(int seq)
{
    struct event e = ev(202, OP_SHM_READ, 0, 0);
    e.shml_msg.seq = seq;
    e.shml_msg.pid = 201;
    model_apply_event(&m, &e);
}

static int status_of(const char *check)
{
    for (int i = 0; i < m.nchecks; i++)
        if (strcmp(m.checks[i].name, check) == 0)
            return m.checks[i].status;
    cr_assert_fail("no check %s", check);
    return -1;
}

static bool story_has(const char *needle)
{
    for (uint64_t i = model_story_first(&m); i < m.story_count; i++) {
        const struct model_line *l = model_story_line(&m, i);
        if (l && strstr(l->detail, needle))
            return true;
    }
    return false;
}

Test(shmlife_model, the_whole_life_holds_and_is_told)
{
    attach(201, 1);
    zeros(0);
    attach(202, 2);
    read_msg(1);
    rmid(2);
    stat_dest(2);
    read_msg(2);
    detach(201, 1, 0);
    detach(202, -1, EINVAL);
    s->judge(&m, vals, 1);
    cr_expect_eq(status_of("zero_filled"), CHECK_OK);
    cr_expect_eq(status_of("outlived_removal"), CHECK_OK);
    cr_expect_eq(status_of("nattch_own"), CHECK_OK);
    cr_expect_eq(status_of("dest_key0"), CHECK_OK);
    cr_expect(story_has("shmat(7, NULL, 0) -> 0x7f0000000000"));
    cr_expect(story_has("ipcs status: dest"));
    cr_expect(story_has("after IPC_RMID: the segment is still shared"));
    cr_expect(story_has("IPC_STAT on shmid 7 says EINVAL"));
}

Test(shmlife_model, a_nattch_that_counts_ipcplay_fails)
{
    attach(201, 2); /* one more than the run's processes: someone else attached */
    s->judge(&m, vals, 0);
    cr_expect_eq(status_of("nattch_own"), CHECK_FAILED);
}

Test(shmlife_model, gone_while_attached_fails)
{
    attach(201, 1);
    attach(202, 2);
    rmid(2);
    read_msg(2);
    detach(201, -1, EINVAL); /* the reader is still attached */
    s->judge(&m, vals, 1);
    cr_expect_eq(status_of("outlived_removal"), CHECK_FAILED);
}

Test(shmlife_model, bytes_not_zero_fail)
{
    attach(201, 1);
    zeros(3);
    s->judge(&m, vals, 0);
    cr_expect_eq(status_of("zero_filled"), CHECK_FAILED);
}

Test(shmlife_model, removal_with_nobody_attached_fails)
{
    attach(201, 1);
    detach(201, 0, 0);
    rmid(0);
    s->judge(&m, vals, 1);
    cr_expect_eq(status_of("outlived_removal"), CHECK_FAILED);
}

/* A reader killed while attached was detached by the kernel as it died: a
 * lower nattch and the destruction at the writer's detach are no failure. */
Test(shmlife_model, a_process_killed_while_attached_is_no_failure)
{
    attach(201, 1);
    attach(202, 2);
    read_msg(1);
    rmid(2);
    m.procs[model_find_proc(&m, 202)].exited = true;
    stat_dest(1);
    detach(201, -1, EINVAL);
    s->judge(&m, vals, 0);
    cr_expect_eq(status_of("nattch_own"), CHECK_OK);
    cr_expect_neq(status_of("outlived_removal"), CHECK_FAILED);
}
