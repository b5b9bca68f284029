/* test_hand_parse.c — the hand's console words (p, v, semop, setval, wait0,
 * msgsnd, msgrcv, rmid) into the call `you` makes, and the one line a
 * wrong word gets, naming what is accepted. Pure: no run, no process. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "commands/hand_cmds.h"
#include "engine/hand.h"
#include "model/event.h"

static int parse(const char *line, struct hand_cmd *c, char *err)
{
    static char buf[512];
    char *argv[16];
    int argc = 0;
    snprintf(buf, sizeof buf, "%s", line);
    for (char *t = strtok(buf, " "); t && argc < 16; t = strtok(NULL, " "))
        argv[argc++] = t;
    return hand_parse(argc, argv, c, err, 256);
}

Test(hand_parse, p_and_v_default_to_semaphore_0_by_one)
{
    struct hand_cmd c;
    char err[256];
    cr_assert_eq(parse("p", &c, err), 0, "%s", err);
    cr_expect_eq(c.kind, HAND_SEMOP);
    cr_expect_eq(c.nsops, 1);
    cr_expect_eq(c.sops[0].num, 0);
    cr_expect_eq(c.sops[0].op, -1);
    cr_assert_eq(parse("v 2 3 undo", &c, err), 0, "%s", err);
    cr_expect_eq(c.sops[0].num, 2);
    cr_expect_eq(c.sops[0].op, 3);
    cr_expect(c.flags & OPF_UNDO);
    cr_assert_eq(parse("wait0 1 nowait", &c, err), 0, "%s", err);
    cr_expect_eq(c.sops[0].op, 0);
    cr_expect(c.flags & OPF_NOWAIT);
}

Test(hand_parse, semop_takes_several_sembufs_of_any_sign)
{
    struct hand_cmd c;
    char err[256];
    cr_assert_eq(parse("semop 0:-1,1:+1,2:0 nowait undo", &c, err), 0, "%s", err);
    cr_expect_eq(c.nsops, 3);
    cr_expect_eq(c.sops[0].op, -1);
    cr_expect_eq(c.sops[1].num, 1);
    cr_expect_eq(c.sops[1].op, 1);
    cr_expect_eq(c.sops[2].op, 0);
    cr_expect_eq(c.flags, OPF_NOWAIT | OPF_UNDO);
}

Test(hand_parse, msgsnd_joins_the_text_and_msgrcv_takes_its_flags)
{
    struct hand_cmd c;
    char err[256];
    cr_assert_eq(parse("msgsnd 2 hello from you", &c, err), 0, "%s", err);
    cr_expect_eq(c.type, 2);
    cr_expect_str_eq(c.text, "hello from you");
    cr_expect_eq(c.len, 14);
    cr_assert_eq(parse("msgrcv -3 except noerror nowait", &c, err), 0, "%s", err);
    cr_expect_eq(c.type, -3);
    cr_expect_eq(c.flags, OPF_EXCEPT | OPF_NOERROR | OPF_NOWAIT);
    cr_assert_eq(parse("rmid msq", &c, err), 0, "%s", err);
    cr_expect_eq(c.what, HAND_OBJ_MSQ);
}

Test(hand_parse, a_wrong_word_gets_one_line_naming_what_is_accepted)
{
    struct hand_cmd c;
    char err[256];
    cr_expect_eq(parse("p x", &c, err), -1);
    cr_expect(strstr(err, "'x' is not a semaphore number (0 to 31)"), "%s", err);
    cr_expect_eq(parse("v 0 0", &c, err), -1);
    cr_expect(strstr(err, "a count (1 to 32767"), "%s", err);
    cr_expect_eq(parse("semop 0-1", &c, err), -1);
    cr_expect(strstr(err, "'0-1' is not SEM:OP"), "%s", err);
    cr_expect_eq(parse("semop 0:-1,1:-1,2:-1,3:-1,4:-1", &c, err), -1);
    cr_expect(strstr(err, "at most 4 sembufs"), "%s", err);
    cr_expect_eq(parse("semop 0:+-1", &c, err), -1);
    cr_expect_eq(parse("setval 0", &c, err), -1);
    cr_expect(strstr(err, "setval: SEM N"), "%s", err);
    cr_expect_eq(parse("msgsnd 0 hi", &c, err), -1);
    cr_expect(strstr(err, "TYPE 1 or more"), "%s", err);
    cr_expect_eq(parse("msgrcv any", &c, err), -1);
    cr_expect(strstr(err, "SEL (0 any"), "%s", err);
    cr_expect_eq(parse("rmid pipe", &c, err), -1);
    cr_expect(strstr(err, "rmid: sem, msq or shm"), "%s", err);
    cr_expect(strchr(err, '\n') == NULL);
}
