/* scenarios.c — the list of scenarios, in the order `ipcplay list` shows. */
#include <string.h>

#include "scenario.h"

extern const struct scenario_def scenario_sem;
extern const struct scenario_def scenario_fork;
extern const struct scenario_def scenario_zombie;
extern const struct scenario_def scenario_wait;
extern const struct scenario_def scenario_pipe;
extern const struct scenario_def scenario_pipebuf;
extern const struct scenario_def scenario_msgq;
extern const struct scenario_def scenario_shm;
extern const struct scenario_def scenario_shmlife;
extern const struct scenario_def scenario_fdpass;
extern const struct scenario_def scenario_deadlock;
extern const struct scenario_def scenario_keys;
extern const struct scenario_def scenario_chatroom;
extern const struct scenario_def scenario_race;

/* sem first (the dashboard's default), then the chapter's order. */
const struct scenario_def *const scenarios[] = {
    &scenario_sem,     &scenario_fork,     &scenario_zombie, &scenario_wait,    &scenario_pipe,
    &scenario_pipebuf, &scenario_msgq,     &scenario_shm,    &scenario_shmlife, &scenario_chatroom,
    &scenario_fdpass,  &scenario_deadlock, &scenario_keys,   &scenario_race,
};
const int nscenarios = (int)(sizeof scenarios / sizeof scenarios[0]);

const struct scenario_def *scenario_find(const char *name)
{
    for (int i = 0; i < nscenarios; i++)
        if (strcmp(scenarios[i]->name, name) == 0)
            return scenarios[i];
    return NULL;
}
