/* outside.h — operations on the run's objects by processes outside the run
 * (outside.c): told from the kernel's last-pid numbers; an object removed
 * from outside ends the run as interrupted. */
#ifndef IPCPLAY_OUTSIDE_H
#define IPCPLAY_OUTSIDE_H

#include <stddef.h>

struct engine;

/* A new run: nothing seen yet. */
void outside_reset(void);
/* Every event of the run, before the model applies it: what the run gave
 * on each semaphore, and the P's that passed with nothing of it to let
 * them (told by outside_check once a look later). */
struct event;
void outside_on_event(struct engine *e, const struct event *ev);
/* Look at the run's objects now; tell what outside processes did since the
 * last look. 1 when an object of the run was removed from outside (why
 * says which): the run must end as interrupted. */
int outside_check(struct engine *e, char *why, size_t len);

/* The run's processes are all gone: tell the P's still waiting to be told. */
void outside_final(struct engine *e);

#endif
