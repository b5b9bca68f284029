/* test_predict.c — predict's questions and answers, fed with story lines as
 * the model tells them: which question a breakpoint's line asks, which later
 * line answers it, right / wrong / unanswered, answers refused, the score. */
#include <criterion/criterion.h>

#include <string.h>

#include "model/model.h"
#include "model/predict.h"

static struct model m;
static struct predict p;

static void setup(void)
{
    model_init(&m);
    m.nroles = 2;
    strcpy(m.role_names[0], "parent");
    strcpy(m.role_names[1], "child");
    model_add_proc(&m, 300, 1, 0, 1, "parent-1");
    model_add_proc(&m, 301, 300, 1, 1, "child-1");
    memset(&p, 0, sizeof p);
    p.on = true;
}

TestSuite(predict, .init = setup);

static const struct model_line *say(const char *who, const char *what, const char *detail)
{
    model_say(&m, LINE_EVENT, who, what, "%s", detail);
    return model_story_line(&m, m.story_count - 1);
}

static int resolve(char *msg)
{
    return predict_resolve(&p, &m, msg, 256);
}

Test(predict, a_blocked_p_asks_who_passes_next)
{
    const struct model_line *why =
        say("worker-2[102]", "P(sem 0)", "blocks: semval is 0; the kernel puts it to sleep");
    cr_assert(predict_ask(&p, &m, why));
    cr_expect_eq(p.kind, PREDICT_WHO_PASSES);
    cr_expect(strstr(p.question, "who passes P(sem 0) next?"), "%s", p.question);
    char msg[256];
    cr_assert_eq(predict_answer(&p, "worker-3", msg, sizeof msg), 0, "%s", msg);
    say("worker-1[101]", "V(sem 0)", "-> releases; the kernel wakes a waiter (semncnt 2)");
    say("worker-2[102]", "P(sem 1)", "-> acquired, waited 1.000 s"); /* another semaphore */
    cr_expect_eq(resolve(msg), 0, "not answered by another semaphore's P");
    say("worker-3[103]", "P(sem 0)", "-> acquired, waited 1.200 s");
    cr_assert_eq(resolve(msg), 1);
    cr_expect_str_eq(msg, "right: it was worker-3");
    cr_expect_eq(p.right, 1);
    cr_expect_eq(p.kind, PREDICT_NONE, "answered: the question is closed");
}

Test(predict, a_pid_is_an_answer_too)
{
    predict_ask(&p, &m, say("worker-2[102]", "V(sem 0)", "-> releases"));
    char msg[256];
    predict_answer(&p, "103", msg, sizeof msg);
    say("worker-3[103]", "P(sem 0)", "-> acquired, waited 0.500 s");
    cr_assert_eq(resolve(msg), 1);
    cr_expect_eq(p.right, 1, "%s", msg);
}

Test(predict, a_message_asks_who_gets_it)
{
    predict_ask(&p, &m, say("sender-1[201]", "msgsnd(type 2)", "-> queued #2: type 2, 48 bytes"));
    cr_expect_eq(p.kind, PREDICT_WHO_GETS);
    cr_expect(strstr(p.question, "who gets the message of type 2?"), "%s", p.question);
    char msg[256];
    predict_answer(&p, "recv-any-1", msg, sizeof msg);
    say("recv-not2-1[205]", "msgrcv(not 2)", "-> got type 3 from sender-2 #2 (48 bytes)");
    cr_expect_eq(resolve(msg), 0, "a message of another type does not answer it");
    say("recv-type2-1[204]", "msgrcv(type 2)", "-> got type 2 from sender-1 #2 (48 bytes)");
    cr_assert_eq(resolve(msg), 1);
    cr_expect_str_eq(msg, "wrong: you said recv-any-1, it was recv-type2-1");
    cr_expect_eq(p.wrong, 1);
}

Test(predict, another_line_asks_whether_the_next_call_blocks)
{
    predict_ask(&p, &m, say("child-1[301]", "fork()", "fork() returned 0 in the child"));
    cr_expect_eq(p.kind, PREDICT_BLOCKS);
    char msg[256];
    cr_expect_eq(predict_answer(&p, "perhaps", msg, sizeof msg), -1);
    cr_expect(strstr(msg, "answer yes or no"), "%s", msg);
    cr_assert_eq(predict_answer(&p, "yes", msg, sizeof msg), 0);
    say("parent-1[300]", "wait()", "-> reaped child-1"); /* someone else's line */
    cr_expect_eq(resolve(msg), 0);
    say("child-1", "read(fd 4)", "blocks: the pipe is empty");
    cr_assert_eq(resolve(msg), 1);
    cr_expect_str_eq(msg, "right: it was yes");
}

Test(predict, no_answer_is_counted_as_such)
{
    predict_ask(&p, &m, say("worker-1[101]", "P(sem 0)", "blocks: semval is 0"));
    say("worker-1[101]", "P(sem 0)", "-> acquired, waited 2.000 s");
    char msg[256];
    cr_assert_eq(resolve(msg), 1);
    cr_expect(strstr(msg, "it was worker-1 (no answer given)"), "%s", msg);
    char score[96];
    predict_score(&p, score, sizeof score);
    cr_expect_str_eq(score, "0 right, 0 wrong, 1 unanswered of 1 question");
}

Test(predict, a_note_or_a_failed_check_asks_nothing)
{
    model_say(&m, LINE_NOTE, "ipcplay", "break", "breakpoint 'check'");
    cr_expect_not(predict_ask(&p, &m, model_story_line(&m, m.story_count - 1)));
    cr_expect_not(predict_ask(&p, &m, NULL));
    char msg[256];
    cr_expect_eq(predict_answer(&p, "worker-1", msg, sizeof msg), -1);
    cr_expect(strstr(msg, "no question is open"), "%s", msg);
    cr_expect_eq(p.asked, 0);
}

Test(predict, every_other_sleeper_asks_the_semncnt_the_kernel_counts)
{
    predict_ask(&p, &m, say("worker-2[102]", "P(sem 0)", "blocks: semval is 0 (semncnt now 1)"));
    cr_expect_eq(p.kind, PREDICT_WHO_PASSES, "the first question: who passes");
    char msg[256];
    say("worker-1[101]", "P(sem 0)", "-> acquired, waited 1.000 s");
    cr_assert_eq(resolve(msg), 1);
    predict_ask(&p, &m, say("worker-3[103]", "P(sem 0)", "blocks: semval is 0 (semncnt now 1)"));
    cr_assert_eq(p.kind, PREDICT_SEMNCNT, "the second: semncnt");
    cr_expect(strstr(p.question, "when the next process sleeps in P(sem 0), semncnt = ?"), "%s",
              p.question);
    cr_expect_eq(predict_answer(&p, "two", msg, sizeof msg), -1);
    cr_expect(strstr(msg, "answer a number"), "%s", msg);
    cr_assert_eq(predict_answer(&p, "2", msg, sizeof msg), 0);
    say("worker-4[104]", "P(sem 1)", "blocks: semval is 0 (semncnt now 1)"); /* another sem */
    cr_expect_eq(resolve(msg), 0);
    say("worker-4", "P(sem 0)", "blocks: semval is 0; the kernel puts it to sleep (semncnt now 2)");
    cr_assert_eq(resolve(msg), 1);
    cr_expect_str_eq(msg, "right: it was 2");
}

Test(predict, a_zombie_or_a_process_gone_is_not_asked_about)
{
    cr_expect_not(predict_ask(&p, &m, say("child-1[301]", "zombie", "state Z: exit status 1")));
    m.procs[model_find_proc(&m, 301)].exited = true;
    cr_expect_not(predict_ask(&p, &m, say("child-1[301]", "close(fd 4)", "close(fd 4)")));
    cr_expect_not(predict_ask(&p, &m, say("stranger[999]", "open", "-> fd 3")), "not of the run");
    cr_expect_eq(p.asked, 0);
}
