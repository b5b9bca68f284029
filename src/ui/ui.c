/* ui.c — placeholder until the dashboard lands: reports that it is missing so
 * main falls back to the headless view. */
#include "ui.h"

int ui_run(struct engine *e, struct model *m, const struct scenario_def *s, const long *vals,
           const struct ui_opts *o)
{
    (void)e;
    (void)m;
    (void)s;
    (void)vals;
    (void)o;
    return 3;
}

int ui_available(void)
{
    return 0;
}
