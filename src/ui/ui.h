/* ui.h — the ncurses dashboard with its readline console (src/ui/ is the only
 * place that includes ncurses or readline). */
#ifndef IPCPLAY_UI_H
#define IPCPLAY_UI_H

#include "../engine/engine.h"

struct ui_opts {
    double speed; /* 0 = max */
    bool paused;  /* start the run paused before its first op */
};

/* Run the dashboard on an engine already created, starting scenario s (or
 * none when s is NULL). Returns the process exit status. */
int ui_run(struct engine *e, struct model *m, const struct scenario_def *s, const long *vals,
           const struct ui_opts *o);
/* 1 when this build has the dashboard. */
int ui_available(void);

#endif
