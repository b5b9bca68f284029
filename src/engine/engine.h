/* engine.h — the live machinery seen from a front end (headless or TUI):
 * start a scenario, hand over the fds to poll, dispatch what became ready,
 * and steer (pause / step / speed / kill / stop). Everything the engine learns
 * goes into the model; the engine never prints. */
#ifndef IPCPLAY_ENGINE_H
#define IPCPLAY_ENGINE_H

#include <poll.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "../model/model.h"
#include "../model/record.h"
#include "../scenarios/scenario.h"

struct engine;

enum engine_flag {
    ENGINE_CHANGED = 1 << 0, /* the model changed: views should redraw */
    ENGINE_DONE = 1 << 1,    /* the run just ended (checks are final) */
    ENGINE_RESIZE = 1 << 2,  /* SIGWINCH */
    ENGINE_QUIT = 1 << 3,    /* SIGINT / SIGTERM / SIGHUP: the front end must quit */
    ENGINE_EVENT = 1 << 4,   /* new events were applied */
    ENGINE_SAMPLE = 1 << 5,  /* a sample was taken */
};

#define ENGINE_MAX_POLLFDS 8

/* Create the engine for this process: blocks SIGCHLD/SIGINT/SIGTERM/SIGHUP/
 * SIGWINCH into a signalfd, becomes a child subreaper. One per process. */
struct engine *engine_new(struct model *m);
void engine_free(struct engine *e);

/* Start a run. speed: 1.0 human pace, 0 = max. Returns 0, or -1 with a one-line
 * message in err (nothing is left created). */
int engine_start(struct engine *e, const struct scenario_def *s, const long *vals, double speed,
                 char *err, size_t errlen);
/* End the run now: kill its processes, reap them, remove its objects, judge. */
void engine_stop(struct engine *e);
bool engine_active(const struct engine *e);

int engine_pollfds(struct engine *e, struct pollfd *pfds, int max);
/* Handle what poll() reported on the fds engine_pollfds() gave. Returns flags. */
int engine_dispatch(struct engine *e, const struct pollfd *pfds, int n);
/* The signal that asked us to quit (SIGINT, SIGTERM, SIGHUP), or 0. */
int engine_quit_signal(const struct engine *e);

void engine_pause(struct engine *e);
/* Breakpoints (breaks.c): a bit per name in engine_break_names. */
#define ENGINE_NBREAKS 9
extern const char *const engine_break_names[ENGINE_NBREAKS];
int engine_break_find(const char *name); /* -1 if unknown */
void engine_set_breaks(struct engine *e, unsigned mask);
unsigned engine_get_breaks(const struct engine *e);
/* Predict, then see (breaks.c, model/predict.h): on, a question at each
 * breakpoint; an answer typed (0, or -1 with msg saying why not); the score.
 * engine_predict_waiting: a question is open and not answered yet. */
void engine_predict_set(struct engine *e, bool on);
bool engine_predict_on(const struct engine *e);
int engine_predict_answer(struct engine *e, const char *text, char *msg, size_t len);
void engine_predict_score(const struct engine *e, char *buf, size_t len);
bool engine_predict_waiting(const struct engine *e);
/* A dashboard watches: a deadlock pauses the run (kill a victim, or stop)
 * instead of ending it as headless does. */
void engine_set_interactive(struct engine *e, bool on);
/* Let n ops of one process of the run through; the others stay paused. */
void engine_step_proc(struct engine *e, pid_t pid, int n);
/* The next engine_start leaves the run paused before its first op, so the
 * initial state (sem_otime 0, nothing done) can be looked at. */
void engine_start_paused(struct engine *e);
void engine_resume(struct engine *e);
void engine_step(struct engine *e, int n);
void engine_set_speed(struct engine *e, double speed);
double engine_speed(const struct engine *e);
/* Send a signal to one process of the run (by pid); -1 if it is not ours. */
int engine_kill(struct engine *e, pid_t pid, int sig);
void engine_set_sample_ms(struct engine *e, int ms);
/* Take one sample now (also done on the timer). */
void engine_sample_now(struct engine *e);
/* The same, re-reading every child's /proc files (benchmarks). */
void engine_sample_full(struct engine *e);
/* The scenario and values of the current (or last) run. */
const struct scenario_def *engine_scenario(const struct engine *e);
const long *engine_values(const struct engine *e);
/* The `inspect` detail view as text: a process of the run (role name like
 * worker-3, or pid; ipcplay itself too) or one of the run's IPC objects (a
 * semid, shmid or msqid; "sem" / "shm" / "msq" for the first one). Fills a title and
 * newline-separated lines (headings start in column 0) from /proc and
 * IPC_STAT, or from the model's last view once the run has ended. Returns 0,
 * or -1 with a one-line message in err. */
int engine_inspect(struct engine *e, const char *what, char *title, size_t titlelen, char *out,
                   size_t outlen, char *err, size_t errlen);

/* The one way the engine changes the model: apply r, then hand it to the
 * tap (a recorder, a test), if one is set. */
void engine_emit(struct engine *e, const struct record *r);
typedef void engine_tap_fn(void *ctx, const struct record *r);
void engine_set_tap(struct engine *e, engine_tap_fn *fn, void *ctx);
/* A story line from ipcplay or a front end (kind as model_line.kind: 0 story,
 * 1 command output, 2 error), at the model's clock, as a REC_SAY record. */
void engine_say(struct engine *e, int kind, const char *who, const char *what, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
/* Look closer at a process or object (what engine_inspect takes): while
 * watched, every sample also takes its detail (/proc status, fds, maps).
 * A watch lapses 2 s after the last call; NULL ends it now. */
void engine_watch(struct engine *e, const char *what);

#endif
