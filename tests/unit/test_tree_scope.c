/* test_tree_scope.c — the objects the dashboard lists while a program is
 * watched (watch -- PROGRAM): only the program's (the ids its traced calls
 * returned or named), until `watch scope=all` widens the list to the whole
 * system; `watch scope=...` parsing and its bad input. Pure model and
 * command code, fed records as the engine would. */
#include <criterion/criterion.h>
#include <string.h>
#include <sys/syscall.h>

#include "commands/sysipc_cmds.h"
#include "model/model.h"
#include "model/record.h"
#include "model/sysipc.h"
#include "model/tree.h"

static struct model m;

static void apply_obj(int kind, int id)
{
    struct record r;
    record_init(&r, REC_SYS_OBJ, 1);
    r.u.sys_obj.kind = kind;
    r.u.sys_obj.id = id;
    r.u.sys_obj.qbytes = -1;
    model_apply(&m, &r);
}

static void setup_system(void)
{
    model_init(&m);
    struct record r;
    record_init(&r, REC_TREE_START, 0);
    r.u.tree_start.root = 4242;
    r.u.tree_start.traced = 1;
    model_apply(&m, &r);
    record_init(&r, REC_SYS_BEGIN, 1);
    r.u.sys_begin.seq = 1;
    model_apply(&m, &r);
    apply_obj(SYS_SEM, 10); /* the program's (below) */
    apply_obj(SYS_SEM, 11); /* someone else's */
    apply_obj(SYS_MSG, 20); /* the program's */
    apply_obj(SYS_SHM, 30); /* someone else's */
    record_init(&r, REC_SYS_END, 1);
    r.u.sys_end.seq = 1;
    model_apply(&m, &r);
    struct trace_call calls[] = {
        {.pid = 4242, .nr = SYS_semget, .phase = TRACE_DONE, .ret = 10, .semval = -1},
        {.pid = 4242, .nr = SYS_msgget, .phase = TRACE_DONE, .ret = 20, .semval = -1},
        {.pid = 4242, .nr = SYS_shmget, .phase = TRACE_DONE, .ret = -1, .err = 13, .semval = -1},
    };
    for (size_t i = 0; i < sizeof calls / sizeof calls[0]; i++) {
        record_init(&r, REC_TRACE_CALL, 2);
        r.u.trace_call = calls[i];
        model_apply(&m, &r);
    }
}

Test(tree_scope, narrowed_to_the_program_then_widened)
{
    setup_system();
    cr_assert_eq(m.sys.nobjs, 4);
    int idx[SYSIPC_MAX_OBJS];
    int n = tree_select_objs(&m, idx, SYSIPC_MAX_OBJS);
    cr_assert_eq(n, 2, "the program's semaphore set and queue only: %d", n);
    cr_assert_eq(m.sys.objs[idx[0]].o.id, 10);
    cr_assert_eq(m.sys.objs[idx[1]].o.id, 20);

    struct sysipc_filter f = m.sys.filter;
    int period = 1000;
    char err[160];
    char *wide[] = {"watch", "scope=all"};
    cr_assert_eq(sysipc_cmd_parse_watch(2, wide, &f, &period, err, sizeof err), 0, "%s", err);
    struct record r;
    record_init(&r, REC_SYS_FILTER, 3);
    r.u.sys_filter = f;
    model_apply(&m, &r);
    cr_assert_eq(tree_select_objs(&m, idx, SYSIPC_MAX_OBJS), 4, "scope=all: the whole system");

    char *narrow[] = {"watch", "scope=tree"};
    cr_assert_eq(sysipc_cmd_parse_watch(2, narrow, &f, &period, err, sizeof err), 0, "%s", err);
    r.u.sys_filter = f;
    model_apply(&m, &r);
    cr_assert_eq(tree_select_objs(&m, idx, SYSIPC_MAX_OBJS), 2, "scope=tree narrows it again");
}

Test(tree_scope, whole_system_without_a_program)
{
    setup_system();
    m.tree.on = false; /* ipcplay watch: no program */
    int idx[SYSIPC_MAX_OBJS];
    cr_assert_eq(tree_select_objs(&m, idx, SYSIPC_MAX_OBJS), 4);
}

Test(tree_scope, bad_scope_is_refused)
{
    struct sysipc_filter f = {0};
    int period = 1000;
    char err[160] = "";
    char *bad[] = {"watch", "scope=mine"};
    cr_assert_eq(sysipc_cmd_parse_watch(2, bad, &f, &period, err, sizeof err), -1);
    cr_assert_str_eq(err, "bad scope 'mine': accepted tree (the watched program's objects) or all");
}
