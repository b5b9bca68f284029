/* test_op_table.c — every op has a complete entry in the op table (src/ops):
 * a name the table finds it by, a verb, and a run; and an op that is only an
 * engine note refuses to run instead of silently succeeding. */
#include <criterion/criterion.h>
#include <string.h>

#include "engine/ops.h"
#include "ops/op.h"

Test(op_table, every_entry_is_complete)
{
    int bad = -1;
    cr_expect_eq(op_table_check(&bad), 0, "op %d has no complete entry", bad);
    for (int op = 0; op < OP__COUNT; op++) {
        const struct op_entry *e = op_entry(op);
        cr_assert_not_null(e, "op %d", op);
        cr_expect_not_null(e->run, "%s has no run", e->name);
        cr_expect_neq(strlen(e->verb), 0, "%s", e->name);
        cr_expect_eq(op_from_name(e->name), op, "%s", e->name);
    }
    cr_expect_null(op_entry(OP__COUNT));
    cr_expect_null(op_entry(-1));
}

Test(op_table, an_engine_note_is_no_step)
{
    struct runner r;
    memset(&r, 0, sizeof r);
    struct op op = {.kind = OP_EXITED};
    cr_expect_eq(op_entry(OP_EXITED)->run(&r, &op), -1);
    cr_expect_eq(op_entry(OP_NONE)->run(&r, &op), -1);
}
