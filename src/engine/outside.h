/* outside.h — operations on the run's objects by processes outside the run
 * (outside.c): told from the kernel's last-pid numbers; an object removed
 * from outside ends the run as interrupted. */
#ifndef IPCPLAY_OUTSIDE_H
#define IPCPLAY_OUTSIDE_H

#include <stddef.h>

struct engine;

/* A new run: nothing seen yet. */
void outside_reset(void);
/* Look at the run's objects now; tell what outside processes did since the
 * last look. 1 when an object of the run was removed from outside (why
 * says which): the run must end as interrupted. */
int outside_check(struct engine *e, char *why, size_t len);

#endif
