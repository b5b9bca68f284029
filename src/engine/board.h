/* board.h — what the engine's sampler has seen, shared with the children in
 * one MAP_SHARED page (like the gate). Ops that must not go on before a
 * student could see something (a zombie before it is reaped, a reader asleep
 * in read before data comes, an fd in flight before it is received) wait here
 * until the sampler has really seen it in /proc — at any speed, even max. The
 * engine writes; children only read. */
#ifndef IPCPLAY_BOARD_H
#define IPCPLAY_BOARD_H

#include <stdint.h>
#include <sys/types.h>

#include "../model/model.h" /* enum model_seen: the flags */

#define BOARD_MAX 240

struct board_entry {
    int32_t pid;
    int16_t role, instance;
    uint32_t seen;
};

struct board {
    uint32_t seq; /* bumped on every change */
    int32_t n;
    struct board_entry e[BOARD_MAX];
};

/* The board of this process tree, created on first use (in the engine, before
 * it forks anything; children inherit the mapping). NULL if mmap failed. */
struct board *board_get(void);
void board_reset(struct board *b);
/* Engine: record what was seen of pid (flags are or-ed in). */
void board_mark(struct board *b, pid_t pid, int role, int instance, unsigned seen);
/* Children: */
unsigned board_seen_pid(const struct board *b, pid_t pid);
/* How many processes of `role` (or, with role < 0, the pid `self`) have any
 * of `flags`. */
int board_count(const struct board *b, int role, pid_t self, unsigned flags);

#endif
