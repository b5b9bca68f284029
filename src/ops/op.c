/* op.c — the op table: every op's entry (defined in its family's file),
 * indexed by enum op_kind, and the look-ups by number and by name. */
#include "op.h"

#include <string.h>

static const struct op_entry *const table[OP__COUNT] = {
#define IPCPLAY_OP_ENTRY(e) [OP_##e] = &op_entry_##e,
    IPCPLAY_OPS(IPCPLAY_OP_ENTRY)
#undef IPCPLAY_OP_ENTRY
};

const struct op_entry *op_entry(int op)
{
    return op >= 0 && op < OP__COUNT ? table[op] : NULL;
}

int op_table_check(int *bad)
{
    for (int i = 0; i < OP__COUNT; i++) {
        const struct op_entry *e = table[i];
        if (!e || !e->name || !e->name[0] || !e->verb || !e->verb[0] || !e->run ||
            op_from_name(e->name) != i) {
            *bad = i;
            return -1;
        }
    }
    return 0;
}

const char *op_name(int op)
{
    const struct op_entry *e = op_entry(op);
    return e ? e->name : "?";
}

const char *op_verb(int op)
{
    const struct op_entry *e = op_entry(op);
    return e ? e->verb : "?";
}

int op_from_name(const char *name)
{
    for (int i = 0; i < OP__COUNT; i++)
        if (strcmp(table[i]->name, name) == 0)
            return i;
    return -1;
}
