/* scenario.h — a scenario is data: a name, a summary, a "what to watch" text,
 * a parameter table, a builder that turns parameter values into a plan
 * (objects + roles x ops), and a judge that turns the model into check lines.
 * Scenario files never call semop or fork: the engine's op runner does. */
#ifndef IPCPLAY_SCENARIO_H
#define IPCPLAY_SCENARIO_H

#include <stddef.h>

#include "../plan/plan.h"
#include "../model/model.h"

#define SCENARIO_MAX_PARAMS 16

enum param_type { PARAM_INT, PARAM_MS, PARAM_BOOL, PARAM_ENUM };

struct param_def {
    const char *name;
    enum param_type type;
    long def;
    long min, max;              /* PARAM_INT, PARAM_MS */
    const char *const *choices; /* PARAM_ENUM: NULL-terminated */
    const char *help;
};

/* A knob that breaks checks on purpose when not at its default: `param`
 * names it, `checks` the checks ("whole_messages", "*" for any). */
struct param_break {
    const char *param;
    const char *checks;
};

struct scenario_def {
    const char *name;
    const char *summary;
    const char *watch; /* what to watch, a short paragraph */
    const struct param_def *params;
    int nparams;
    const struct param_break *breaks; /* {NULL} ended; may be NULL */
    /* Fill `out` from the values (one per param, in table order). */
    int (*build)(const long *vals, struct plan *out, char *err, size_t errlen);
    /* Set the model's checks from what happened; `final` once the run ended. */
    void (*judge)(struct model *m, const long *vals, int final);
};

extern const struct scenario_def *const scenarios[];
extern const int nscenarios;

const struct scenario_def *scenario_find(const char *name);
/* Parse name=value words into vals (defaults first). On error writes one
 * line naming what was wrong and what is accepted, returns -1, vals untouched. */
int scenario_parse_params(const struct scenario_def *s, int argc, char *const argv[], long *vals,
                          char *err, size_t errlen);
void scenario_defaults(const struct scenario_def *s, long *vals);
/* "workers=4 rounds=5 hold=600ms ..." */
void scenario_format_params(const struct scenario_def *s, const long *vals, char *buf, size_t len);
/* "1..256", "on|off", "pipe|duplex|..." */
void scenario_param_range(const struct param_def *p, char *buf, size_t len);
void scenario_param_value(const struct param_def *p, long v, char *buf, size_t len);
/* A failed check that a parameter set away from its default breaks on
 * purpose becomes CHECK_BROKEN, its detail opened with "noerror=on: ". */
void scenario_mark_on_purpose(const struct scenario_def *s, const long *vals,
                              struct model_check *checks, int nchecks);
int scenario_param_index(const struct scenario_def *s, const char *name);

#endif
