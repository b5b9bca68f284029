/* waitfor.h — the wait-for graph of a run and the cycle in it, if any.
 * Pure: built from the model alone (who sleeps on which lock, from the
 * kernel's view the sampler recorded; who holds that lock, from events), so
 * it is unit-tested on hand-made models and works the same in a replay. */
#ifndef IPCPLAY_WAITFOR_H
#define IPCPLAY_WAITFOR_H

#include "model.h"

#define WAITFOR_MAX 32

struct waitfor_cycle {
    int n;                 /* processes in the cycle */
    int proc[WAITFOR_MAX]; /* model proc indexes: proc[i] waits for proc[i+1] */
    int set[WAITFOR_MAX];  /* ... through lock `sem[i]` of semaphore set `set[i]` */
    int sem[WAITFOR_MAX];
    char text[192]; /* "worker-1 -> sem 1 -> worker-2 -> sem 0 -> worker-1" */
};

/* The graph itself: node i waits for node next[i] (-1: for nobody). Writes
 * the nodes of a cycle into cycle[] in wait order, starting from its smallest
 * node, and returns its length; 0 when there is no cycle. */
int waitfor_cycle(const int *next, int n, int *cycle, int max);

/* Build the graph from the model and look for a cycle. An edge p -> q means:
 * the kernel says p sleeps in semop/semtimedop taking (sem_op < 0) a lock
 * whose semval is 0, and events say q passed P on that lock and has not given
 * it back. Returns 1 and fills out when there is a cycle, else 0. */
int waitfor_find(const struct model *m, struct waitfor_cycle *out);

#endif
