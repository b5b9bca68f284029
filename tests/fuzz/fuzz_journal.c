/* fuzz_journal.c — libFuzzer harness for what ipcplay reads from a journal
 * file at start-up (journal_parse: the header, then objlines) and from the
 * guardian's pipe (objtab_apply, line by line). Whatever the bytes, parsing
 * must not crash, and every entry it keeps must be of a form ipcplay makes:
 * that is what keeps a forged journal from naming anything else. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "engine/journal.h"
#include "engine/objline.h"
#include "engine/registry.h"

static struct objent ents[REG_MAX];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct objtab t = {ents, 0, REG_MAX};
    struct journal_head h;
    journal_parse((const char *)data, size, &h, &t);
    for (int i = 0; i < t.n; i++)
        if (!objline_name_ok(t.ents[i].kind, t.ents[i].name) || t.ents[i].kind == REG_PID ||
            t.ents[i].kind == REG_PGID)
            abort();
    /* The guardian's view: the same bytes as lines on its pipe. */
    t.n = 0;
    const char *p = (const char *)data, *end = p + size;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t len = nl ? (size_t)(nl - p) : (size_t)(end - p);
        objtab_apply(&t, p, len);
        p += len + 1;
    }
    for (int i = 0; i < t.n; i++) {
        char line[OBJ_LINE];
        char verb;
        struct objent back;
        /* What it keeps, it can write and read back the same. */
        if (objline_format(line, sizeof line, '+', &t.ents[i]) < 0 ||
            objline_parse(line, strlen(line), &verb, &back) < 0 ||
            strcmp(back.name, t.ents[i].name) != 0 || back.id != t.ents[i].id)
            abort();
    }
    return 0;
}
