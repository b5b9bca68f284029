/* predict.h — "predict, then see": at a breakpoint the class is asked one
 * question about what the next step will show (who passes P next, what
 * semncnt the next sleeper makes, who gets the message, does this call
 * block); the answer typed is checked against
 * the story when the step happens, and a score is kept. Pure: it reads the
 * model's story lines, so the same records give the same questions and
 * verdicts live and replayed. The engine asks and tells (engine/breaks.c). */
#ifndef IPCPLAY_PREDICT_H
#define IPCPLAY_PREDICT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct model;
struct model_line;

enum predict_kind {
    PREDICT_NONE = 0,
    PREDICT_WHO_PASSES, /* who passes P(sem N) next? a process */
    PREDICT_WHO_GETS,   /* who gets the next message (of type T)? a process */
    PREDICT_BLOCKS,     /* does X's next call block? yes or no */
    PREDICT_SEMNCNT,    /* the next P(sem N) that sleeps: semncnt then? a number */
};

struct predict {
    bool on;
    int kind;         /* the open question; PREDICT_NONE: none */
    char subject[40]; /* "P(sem 0)", "worker-3" */
    int type;         /* PREDICT_WHO_GETS: the message type, 0 any */
    char question[160];
    char answer[40]; /* what was typed ("" none yet) */
    uint64_t from;   /* the story lines that can answer it start here */
    int asked, right, wrong, unanswered;
};

/* At a breakpoint whose story line is why (NULL: a check failed): pose one
 * question in p->question and return true, or false when nothing fits. */
bool predict_ask(struct predict *p, const struct model *m, const struct model_line *why);
/* Take a typed answer for the open question. Returns 0 (kept; msg says
 * so), or -1 (no question open, or not an answer it accepts; msg says what
 * is). */
int predict_answer(struct predict *p, const char *text, char *msg, size_t len);
/* Look at the story since the question: 1 when the step answered it (the
 * verdict in msg, the score counted, the question closed), else 0. */
int predict_resolve(struct predict *p, const struct model *m, char *msg, size_t len);
/* "2 right, 1 wrong, 0 unanswered of 3 questions". */
void predict_score(const struct predict *p, char *buf, size_t len);

#endif
