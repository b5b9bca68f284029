/* ui.h — the ncurses dashboard with its readline console (src/ui/ is the only
 * place that includes ncurses or readline). */
#ifndef IPCPLAY_UI_H
#define IPCPLAY_UI_H

#include "../engine/engine.h"

struct recorder;

struct ui_opts {
    double speed;          /* 0 = max */
    struct recorder **rec; /* --record (may point at NULL); `record` changes it; NULL: none */
    bool paused;           /* start the run paused before its first op */
};

/* Run the dashboard on an engine already created, starting scenario s (or
 * none when s is NULL). Returns the process exit status. */
int ui_run(struct engine *e, struct model *m, const struct scenario_def *s, const long *vals,
           const struct ui_opts *o);
/* `ipcplay replay FILE` in the dashboard: nothing runs. Returns the exit
 * status (2 with one line for a file it cannot read), or UI_REPLAY_RUN when
 * `run` was typed: *next and vals are what to start live. */
#define UI_REPLAY_RUN (-1)
int ui_replay(const char *path, const struct scenario_def **next, long *vals);
/* `ipcplay export FILE --cast OUT`: the recording played by the dashboard's
 * own drawing on a virtual screen of cols x rows (no terminal), written as
 * an asciicast v2 file with a marker at every check change, death,
 * deadlock and user command. Returns the exit status: 2 with one line for a
 * file it cannot read or an OUT it cannot write (then nothing is written). */
struct ui_cast_opts {
    const char *out;
    int cols, rows;
    double speed; /* > 0: 2 plays twice as fast */
};
int ui_cast(const char *path, const struct ui_cast_opts *o);
/* 1 when this build has the dashboard. */
int ui_available(void);

#endif
