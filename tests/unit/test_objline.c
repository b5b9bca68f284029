/* test_objline.c — the one line protocol shared by the registry, the guardian
 * and the journal: lines round-trip, anything not of the exact form is
 * refused (a forged journal cannot name "..", another directory or another
 * user's file), and the journal parser keeps only what is still held. */
#include <criterion/criterion.h>
#include <string.h>

#include "engine/journal.h"
#include "engine/objline.h"
#include "engine/registry.h"

static int parse(const char *line, struct objent *e)
{
    char verb;
    return objline_parse(line, strlen(line), &verb, e) == 0 ? verb : -1;
}

Test(objline, lines_round_trip)
{
    struct objent in[] = {
        {.kind = REG_SEM, .id = 32769, .stamp = 1764633600},
        {.kind = REG_POSIX_SHM, .name = "/ipcplay-4711-3-0"},
        {.kind = REG_DIR, .name = "/tmp/ipcplay-4711-a1B2c3"},
        {.kind = REG_PATH, .name = "/tmp/ipcplay-4711-a1B2c3/fifo"},
        {.kind = REG_PGID, .id = 4712},
        {.kind = REG_JOURNAL, .name = "/run/user/0/ipcplay/run-4711.journal"},
    };
    for (size_t i = 0; i < sizeof in / sizeof in[0]; i++) {
        char buf[OBJ_LINE];
        for (int v = 0; v < 2; v++) {
            char verb = v ? '-' : '+';
            int n = objline_format(buf, sizeof buf, verb, &in[i]);
            cr_assert_gt(n, 0);
            struct objent out;
            cr_assert_eq(parse(buf, &out), verb, "refused its own line: %s", buf);
            cr_expect_eq(out.kind, in[i].kind);
            cr_expect_eq(out.id, in[i].id);
            cr_expect_str_eq(out.name, in[i].name);
            cr_expect_eq(out.stamp, verb == '+' ? in[i].stamp : 0);
        }
    }
}

Test(objline, forged_names_are_refused)
{
    static const char *const bad[] = {
        "+ f 0 /tmp/ipcplay-31999/../../rootfile 0", /* the forged line */
        "+ f 0 /tmp/ipcplay-31999-AbCdEf/../../etc/passwd 0",
        "+ f 0 /etc/passwd 0",
        "+ d 0 /home/user 0",
        "+ d 0 /tmp/ipcplay-31999-AbCdE 0", /* not mkdtemp's six */
        "+ d 0 /tmp/ipcplay-31999-AbCdEf/.. 0",
        "+ d 0 tmp/ipcplay-31999-AbCdEf 0", /* relative */
        "+ f 0 /tmp//ipcplay-31999-AbCdEf/fifo 0",
        "+ f 0 /tmp/./ipcplay-31999-AbCdEf/fifo 0",
        "+ f 0 /tmp/ipcplay-31999-AbCdEf/.hidden 0",
        "+ f 0 /tmp/ipcplay-31999-AbCdEf/a/b 0",
        "+ p 0 /ipcplay-31999-1-0/x 0",
        "+ p 0 /other-31999-1-0 0",
        "+ p 0 ipcplay-31999-1-0 0",
        "+ s 5 /etc/passwd 0", /* ids carry no name */
        "+ J 0 /etc/passwd 0",
        "+ J 0 /run/ipcplay/../run-1.journal 0",
        "+ s -5 - 0",
        "+ s 99999999999999999999 - 0",
        "+ s 5 - ",
        "+ s 5 -", /* no stamp */
        "+ s 5 - 12 extra",
        "- s 5 - 12", /* '-' has no stamp */
        "* s 5 - 0",
        "+ z 5 - 0",
        "+  s 5 - 0",
        "",
        "+",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct objent e;
        cr_expect_eq(parse(bad[i], &e), -1, "accepted: \"%s\"", bad[i]);
    }
    struct objent e;
    char nul[] = "+ s 5 -\0 0";
    char verb;
    cr_expect_eq(objline_parse(nul, sizeof nul - 1, &verb, &e), -1, "a NUL inside a line");
}

Test(objline, name_pids)
{
    cr_expect_eq(objline_name_pid(REG_POSIX_SHM, "/ipcplay-4711-3-0"), 4711);
    cr_expect_eq(objline_name_pid(REG_DIR, "/var/tmp/x/ipcplay-4711-zzzzzz"), 4711);
    cr_expect_eq(objline_name_pid(REG_PATH, "/var/tmp/x/ipcplay-4711-zzzzzz/data.txt"), 4711);
    cr_expect_eq(objline_name_pid(REG_PATH, "/var/tmp/x/ipcplay-4711-zzzzzz"), 0);
    cr_expect_eq(objline_name_pid(REG_DIR, "/tmp/ipcplay-1-zzzzzz"), 0);
}

Test(objline, table_stays_flat_over_many_runs)
{
    /* What the guardian sees of a long session: each run adds its group,
     * processes and objects and takes every one of them back. */
    static struct objent ents[REG_MAX + 8];
    struct objtab t = {ents, 0, REG_MAX + 8};
    for (int run = 0; run < 5000; run++) {
        struct objent e[] = {{.kind = REG_PGID, .id = 100 + run},
                             {.kind = REG_PID, .id = 101 + run},
                             {.kind = REG_SEM, .id = run, .stamp = 5}};
        char line[OBJ_LINE];
        for (int k = 0; k < 3; k++) {
            objline_format(line, sizeof line, '+', &e[k]);
            cr_assert_eq(objtab_apply(&t, line, strlen(line)), '+');
        }
        for (int k = 2; k >= 0; k--) {
            objline_format(line, sizeof line, '-', &e[k]);
            cr_assert_eq(objtab_apply(&t, line, strlen(line)), '-');
        }
        cr_assert_eq(t.n, 0, "run %d left %d entries", run, t.n);
    }
}

Test(objline, journal_parse_keeps_what_is_held_and_counts_refusals)
{
    static struct objent ents[REG_MAX];
    struct objtab t = {ents, 0, REG_MAX};
    const char text[] = "ipcplay-journal 1 100 5 101 6 4026531839\n"
                        "+ s 7 - 1764633600\n"
                        "+ h 8 - 1764633600\n"
                        "+ f 0 /tmp/ipcplay-31999/../../rootfile 0\n"
                        "+ k 102 - 0\n" /* processes are not the journal's */
                        "- s 7 -\n"
                        "+ p 0 /ipcplay-101-1-0 0\n"
                        "+ m 9 - 17"; /* cut off mid-write */
    struct journal_head h;
    int bad = journal_parse(text, sizeof text - 1, &h, &t);
    cr_expect_eq(bad, 3);
    cr_expect_eq(h.gpid, 100);
    cr_expect_eq(h.dpid, 101);
    cr_expect_eq(h.ipcns, 4026531839ULL);
    cr_assert_eq(t.n, 2);
    cr_expect_eq(t.ents[0].kind, REG_SHM);
    cr_expect_str_eq(t.ents[1].name, "/ipcplay-101-1-0");
    const char *heads[] = {"",
                           "ipcplay-journal 2 1 2 3 4 5\n",
                           "ipcplay-journal 1 1 2 3 4\n",
                           "ipcplay-journal 1 1 2 3 4 5 6\n",
                           "garbage\n",
                           "ipcplay-journal 1 1 2 1 4 5\n"};
    for (size_t i = 0; i < sizeof heads / sizeof heads[0]; i++)
        cr_expect_eq(journal_parse(heads[i], strlen(heads[i]), &h, &t), -1, "header %zu", i);
}

Test(objline, a_keyed_system_v_object_carries_its_key_and_mode)
{
    unsigned key = 0, mode = 0;
    cr_expect(objline_sysv_key("key-0x6b006484-0400", &key, &mode));
    cr_expect_eq(key, 0x6b006484u);
    cr_expect_eq(mode, 0400u);
    cr_expect(objline_name_ok(REG_SEM, "key-0x6b006484-0600"));
    cr_expect(objline_name_ok(REG_MSG, ""));
    const char *bad[] = {"key-0x00000000-0600", "key-0x6B006484-0600", "key-0x6b00648-0600",
                         "key-0x6b006484-0800", "key-0x6b006484-1600", "key-0x6b006484-06000",
                         "0x6b006484",          "/ipcplay-1-1-0"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        cr_expect_not(objline_name_ok(REG_SHM, bad[i]), "%s", bad[i]);
    struct objent e;
    char verb;
    const char *line = "+ s 42 key-0x6b006484-0400 1700000000\n";
    cr_assert_eq(objline_parse(line, strlen(line), &verb, &e), 0);
    cr_expect_str_eq(e.name, "key-0x6b006484-0400");
    char out[OBJ_LINE];
    cr_expect_eq(objline_format(out, sizeof out, '+', &e), (int)strlen(line));
    cr_expect_str_eq(out, line);
}
