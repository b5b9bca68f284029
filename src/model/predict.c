/* predict.c — the questions of `predict on` and their answers, read from
 * the story (see predict.h). A question comes from the line that stopped the
 * run: a message sent or waited for asks who gets it; a P or V asks who
 * passes P next, or (every other time a P sleeps) what semncnt the kernel
 * counts when the next one sleeps; any other process's line asks whether its
 * next call blocks. The step's own lines answer it. */
#include "predict.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "model.h"
#include "i18n.h"

/* "worker-3[4711]" -> "worker-3" */
static void name_of(const char *who, char *buf, size_t len)
{
    snprintf(buf, len, "%s", who);
    char *br = strchr(buf, '[');
    if (br)
        *br = '\0';
}

static int pid_of(const struct model *m, const struct model_line *l)
{
    if (l->proc >= 0 && l->proc < m->nprocs)
        return (int)m->procs[l->proc].pid;
    const char *br = strchr(l->who, '[');
    return br ? atoi(br + 1) : 0;
}

/* A process that is gone or a zombie makes no more calls: nothing to ask
 * about it. */
static bool has_calls_left(const struct model *m, const struct model_line *l)
{
    int pi = l->proc >= 0 ? l->proc : model_find_proc(m, pid_of(m, l));
    if (pi < 0 || pi >= m->nprocs)
        return false;
    const struct model_proc *p = &m->procs[pi];
    return !p->exited && p->state != 'Z' && p->state != 'x' && strcmp(l->what, "zombie") != 0 &&
           strcmp(l->what, "reaped") != 0;
}

bool predict_ask(struct predict *p, const struct model *m, const struct model_line *why)
{
    p->kind = PREDICT_NONE;
    p->answer[0] = '\0';
    p->from = m->story_count;
    if (!why || why->kind != LINE_EVENT || !why->who[0])
        return false;
    char name[40];
    name_of(why->who, name, sizeof name);
    if (strncmp(why->what, "msgsnd", 6) == 0 || strncmp(why->what, "msgrcv", 6) == 0) {
        const char *t = strstr(why->detail, "type ");
        p->type = strncmp(why->what, "msgsnd", 6) == 0 && t ? atoi(t + 5) : 0;
        p->kind = PREDICT_WHO_GETS;
        if (p->type > 0)
            snprintf(p->question, sizeof p->question,
                     _("who gets the message of type %d? (answer NAME or PID)"), p->type);
        else
            snprintf(p->question, sizeof p->question,
                     _("who gets the next message? (answer NAME or PID)"));
    } else if (strncmp(why->what, "P(sem ", 6) == 0 && strncmp(why->detail, "blocks:", 7) == 0 &&
               p->asked % 2 == 1) {
        p->kind = PREDICT_SEMNCNT;
        snprintf(p->subject, sizeof p->subject, "%s", why->what);
        snprintf(p->question, sizeof p->question,
                 _("when the next process sleeps in %s, semncnt = ? (answer a number)"),
                 p->subject);
    } else if (strncmp(why->what, "P(sem ", 6) == 0 || strncmp(why->what, "V(sem ", 6) == 0) {
        p->kind = PREDICT_WHO_PASSES;
        snprintf(p->subject, sizeof p->subject, "P%s", why->what + 1);
        snprintf(p->question, sizeof p->question, _("who passes %s next? (answer NAME or PID)"),
                 p->subject);
    } else if ((why->proc >= 0 || strchr(why->who, '[')) && has_calls_left(m, why)) {
        p->kind = PREDICT_BLOCKS;
        snprintf(p->subject, sizeof p->subject, "%s", name);
        snprintf(p->question, sizeof p->question,
                 _("does %s's next call block? (answer yes or no)"), name);
    } else {
        return false;
    }
    p->asked++;
    return true;
}

static bool is_yes(const char *s)
{
    return strcasecmp(s, "yes") == 0 || strcasecmp(s, "y") == 0;
}

static bool is_no(const char *s)
{
    return strcasecmp(s, "no") == 0 || strcasecmp(s, "n") == 0;
}

int predict_answer(struct predict *p, const char *text, char *msg, size_t len)
{
    while (*text && isspace((unsigned char)*text))
        text++;
    if (p->kind == PREDICT_NONE) {
        snprintf(msg, len, _("no question is open (predict on asks one at each breakpoint)"));
        return -1;
    }
    if (!*text) {
        snprintf(msg, len, _("the question: %s"), p->question);
        return -1;
    }
    if (p->kind == PREDICT_BLOCKS && !is_yes(text) && !is_no(text)) {
        snprintf(msg, len, _("answer yes or no: %s"), p->question);
        return -1;
    }
    if (p->kind == PREDICT_SEMNCNT && strspn(text, "0123456789") != strlen(text)) {
        snprintf(msg, len, _("answer a number: %s"), p->question);
        return -1;
    }
    if (p->kind != PREDICT_BLOCKS && strchr(text, ' ')) {
        snprintf(msg, len, _("answer one process, by name (worker-3) or pid: %s"), p->question);
        return -1;
    }
    snprintf(p->answer, sizeof p->answer, "%s", text);
    snprintf(msg, len, _("your answer: %s -- now step to see"), p->answer);
    return 0;
}

/* The line that answers the open question: its truth in truth (a name, or
 * yes/no), and its pid in *pid (0 for yes/no). */
static bool answers(const struct predict *p, const struct model *m, const struct model_line *l,
                    char *truth, size_t len, int *pid)
{
    *pid = 0;
    if (l->kind != LINE_EVENT || !l->who[0])
        return false;
    char name[40];
    name_of(l->who, name, sizeof name);
    switch (p->kind) {
    case PREDICT_WHO_PASSES:
        if (strcmp(l->what, p->subject) != 0 ||
            (strncmp(l->detail, "-> acquired", 11) != 0 && strncmp(l->detail, "-> took", 7) != 0))
            return false;
        break;
    case PREDICT_WHO_GETS: {
        const char *got = strstr(l->detail, "-> got type ");
        if (strncmp(l->what, "msgrcv", 6) != 0 || !got)
            return false;
        if (p->type > 0 && atoi(got + 12) != p->type)
            return false;
        break;
    }
    case PREDICT_SEMNCNT: {
        const char *n = strstr(l->detail, "semncnt now ");
        if (strcmp(l->what, p->subject) != 0 || strncmp(l->detail, "blocks:", 7) != 0 || !n)
            return false;
        snprintf(truth, len, "%d", atoi(n + 12));
        return true;
    }
    case PREDICT_BLOCKS:
        if (strcmp(name, p->subject) != 0)
            return false;
        snprintf(truth, len, "%s", strncmp(l->detail, "blocks:", 7) == 0 ? "yes" : "no");
        return true;
    default: return false;
    }
    snprintf(truth, len, "%s", name);
    *pid = pid_of(m, l);
    return true;
}

int predict_resolve(struct predict *p, const struct model *m, char *msg, size_t len)
{
    if (p->kind == PREDICT_NONE)
        return 0;
    uint64_t first = model_story_first(m);
    if (p->from < first)
        p->from = first;
    for (; p->from < m->story_count; p->from++) {
        const struct model_line *l = model_story_line(m, p->from);
        char truth[40];
        int pid;
        if (!l || !answers(p, m, l, truth, sizeof truth, &pid))
            continue;
        p->from++;
        bool right = false;
        if (p->answer[0] && p->kind == PREDICT_SEMNCNT)
            right = atoi(p->answer) == atoi(truth);
        else if (p->answer[0] && p->kind == PREDICT_BLOCKS)
            right = (is_yes(p->answer) && strcmp(truth, "yes") == 0) ||
                    (is_no(p->answer) && strcmp(truth, "no") == 0);
        else if (p->answer[0])
            right = strcasecmp(p->answer, truth) == 0 ||
                    (pid > 0 && atoi(p->answer) == pid &&
                     strspn(p->answer, "0123456789") == strlen(p->answer));
        if (!p->answer[0]) {
            p->unanswered++;
            snprintf(msg, len, _("%s -- it was %s (no answer given)"), p->question, truth);
        } else if (right) {
            p->right++;
            snprintf(msg, len, _("right: it was %s"), truth);
        } else {
            p->wrong++;
            snprintf(msg, len, _("wrong: you said %s, it was %s"), p->answer, truth);
        }
        p->kind = PREDICT_NONE;
        return 1;
    }
    return 0;
}

void predict_score(const struct predict *p, char *buf, size_t len)
{
    snprintf(buf, len,
             P_("%d right, %d wrong, %d unanswered of %d question",
                "%d right, %d wrong, %d unanswered of %d questions", p->asked),
             p->right, p->wrong, p->unanswered, p->asked);
}
