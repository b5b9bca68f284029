/* events.h — the one way unit tests make an event record by hand: the fields
 * every event has; the op's own payload (ev.sem, ev.msgsnd, ...) the caller
 * fills after. Static inline: include where needed. */
#ifndef IPCPLAY_TEST_EVENTS_H
#define IPCPLAY_TEST_EVENTS_H

#include <string.h>
#include <sys/types.h>

#include "model/event.h"

static inline struct event test_event(int op, int phase, pid_t pid, int role, int instance)
{
    struct event e;
    memset(&e, 0, sizeof e);
    e.op = (uint8_t)op;
    e.phase = (uint8_t)phase;
    e.pid = pid;
    e.role = (int16_t)role;
    e.instance = (int16_t)instance;
    return e;
}

#endif
