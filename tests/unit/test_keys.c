/* test_keys.c — the one key table (view/keys.h) and what is generated from
 * it: the hint bar reads as it always did; every key the hint bar names is
 * in the F1 help, dispatched to its own entry; no key has two entries; every
 * action has exactly one key. A key added to one place and not the others
 * fails here. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "view/keys.h"

static const char *hint(enum key_place where, bool paused, int width)
{
    static char buf[512];
    keys_hint_text(where, paused, width, buf, sizeof buf);
    return buf;
}

Test(keys, the_hint_bar_reads_as_before)
{
    cr_expect_str_eq(hint(KEYS_PANELS, false, 120),
                     "F1 Help  F2 Scenarios  F3 Pause  F4 Step  F5 Slower  F6 Faster  "
                     "PgUp/PgDn Story  Tab Complete  F10 Quit  ");
    cr_expect_str_eq(hint(KEYS_PANELS, true, 120),
                     "F1 Help  F2 Scenarios  F3 Resume  F4 Step  F5 Slower  F6 Faster  "
                     "PgUp/PgDn Story  Tab Complete  F10 Quit  ");
    cr_expect_str_eq(hint(KEYS_PANELS, false, 90),
                     "F1 Help F2 Scen F3 Pause F4 Step F5 Slow F6 Fast PgUp/PgDn Story "
                     "Tab Compl F10 Quit ");
    cr_expect_str_eq(hint(KEYS_PANELS, false, 80),
                     "F1 Help F2 Scen F3 Pause F4 Step F5 Slow F6 Fast PgUp/PgDn Story F10 Quit ");
    cr_expect_str_eq(hint(KEYS_WINDOW, false, 80),
                     "Esc Close  Up/Down Scroll  PgUp/PgDn Page  F10 Quit  ");
    cr_expect_str_eq(hint(KEYS_SCENARIOS, false, 80),
                     "Esc Close  Up/Down Choose  Enter Edit a run command  F10 Quit  ");
}

/* "  NAME   help" at the start of a row, or "  NAME   help" after a cell. */
static bool help_has(const char *help, const struct key_binding *b)
{
    for (const char *p = strstr(help, b->name); p; p = strstr(p + 1, b->name)) {
        bool starts = p - help >= 2 && p[-1] == ' ' && p[-2] == ' ';
        const char *q = p + strlen(b->name);
        while (*q == ' ')
            q++;
        if (starts && q > p + strlen(b->name) && strncmp(q, b->help, strlen(b->help)) == 0)
            return true;
    }
    return false;
}

Test(keys, every_key_the_hint_bar_names_is_in_the_help_and_dispatched)
{
    char help[4096];
    keys_help_text(help, sizeof help);
    for (int where = 0; where < KEYS__PLACES; where++)
        for (int paused = 0; paused < 2; paused++) {
            struct key_hint_item it[KEYS_MAX_HINTS];
            int n = keys_hint_bar(where, paused, 200, it, KEYS_MAX_HINTS);
            cr_assert_gt(n, 2);
            for (int i = 0; i < n; i++) {
                const struct key_binding *b = NULL;
                for (int k = 0; k < nkeys; k++)
                    if (strcmp(keys[k].name, it[i].key) == 0)
                        b = &keys[k];
                cr_assert_not_null(b, "the hint bar names %s, which is not in the table",
                                   it[i].key);
                cr_expect(help_has(help, b), "F1 does not say what %s does:\n%s", b->name, help);
                cr_expect_eq(keys_find(b->code), b, "%s is dispatched elsewhere", b->name);
                if (b->code2)
                    cr_expect_eq(keys_find(b->code2), b, "%s (second) is dispatched elsewhere",
                                 b->name);
            }
        }
}

Test(keys, one_entry_per_key_and_per_action_each_in_the_help)
{
    char help[4096];
    keys_help_text(help, sizeof help);
    bool seen[KA_QUIT + 1] = {0};
    for (int i = 0; i < nkeys; i++) {
        const struct key_binding *b = &keys[i];
        cr_expect(b->name && b->name[0] && b->help && b->help[0], "entry %d", i);
        cr_expect(help_has(help, b), "F1 does not list %s", b->name);
        cr_expect_eq(keys_find(b->code), b, "%s: its key has an earlier entry", b->name);
        cr_expect(b->action >= 0 && b->action <= KA_QUIT);
        cr_expect_not(seen[b->action], "%s: a second key for one action", b->name);
        seen[b->action] = true;
        for (int w = 0; w < KEYS__PLACES; w++)
            cr_expect(!b->hint[w].label == !b->hint[w].shortl, "%s: a hint needs both words",
                      b->name);
    }
    for (int a = 0; a <= KA_QUIT; a++)
        cr_expect(seen[a], "action %d has no key", a);
    cr_expect_eq(keys_dir(keys_find(KEYC_PGUP), KEYC_PGUP), -1);
    cr_expect_eq(keys_dir(keys_find(KEYC_PGDN), KEYC_PGDN), 1);
    cr_expect_null(keys_find('a'));
    cr_expect_null(keys_find(KEYC_F(7)));
}

/* Rows of two keys fit the help window at 80 columns (72); a key alone
 * with a long sentence may wrap, under its words. */
static bool one_key_row(const char *row, size_t len)
{
    for (int i = 0; i < nkeys; i++) {
        char want[256];
        int n = snprintf(want, sizeof want, "  %-17s%s", keys[i].name, keys[i].help);
        if ((size_t)n == len && strncmp(row, want, len) == 0)
            return true;
    }
    return false;
}

Test(keys, the_help_rows_fit_80_columns_but_for_long_sentences)
{
    char help[4096];
    keys_help_text(help, sizeof help);
    int rows = 0;
    for (const char *p = help; *p; p = strchr(p, '\n') + 1) {
        size_t len = (size_t)(strchr(p, '\n') - p);
        rows++;
        cr_expect(len <= 72 || one_key_row(p, len), "too wide: %.*s", (int)len, p);
    }
    /* Short entries pair up: the Keys section stays compact (two to a row
     * wherever both fit). */
    cr_expect_leq(rows, 14, "%s", help);
}
