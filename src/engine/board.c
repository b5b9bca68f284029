/* board.c — see board.h. One writer (the engine), many readers: entries are
 * appended and their flags or-ed in with atomics, never removed mid-run. */
#include "board.h"

#include <stdatomic.h>
#include <stddef.h>
#include <string.h>
#include <sys/mman.h>

#define A(p) ((_Atomic __typeof__(*(p)) *)(p))

static struct board *the_board;

struct board *board_get(void)
{
    if (!the_board) {
        void *p = mmap(NULL, sizeof(struct board), PROT_READ | PROT_WRITE,
                       MAP_SHARED | MAP_ANONYMOUS, -1, 0);
        if (p == MAP_FAILED)
            return NULL;
        the_board = p;
    }
    return the_board;
}

void board_reset(struct board *b)
{
    if (!b)
        return;
    atomic_store(A(&b->n), 0);
    memset(b->e, 0, sizeof b->e);
    atomic_fetch_add(A(&b->seq), 1);
}

static struct board_entry *find(const struct board *b, pid_t pid)
{
    int n = atomic_load(A((int32_t *)&b->n));
    for (int i = 0; i < n && i < BOARD_MAX; i++)
        if (b->e[i].pid == pid)
            return (struct board_entry *)&b->e[i];
    return NULL;
}

void board_mark(struct board *b, pid_t pid, int role, int instance, unsigned seen)
{
    if (!b)
        return;
    struct board_entry *e = find(b, pid);
    if (!e) {
        int n = atomic_load(A(&b->n));
        if (n >= BOARD_MAX)
            return;
        e = &b->e[n];
        e->pid = pid;
        e->role = (int16_t)role;
        e->instance = (int16_t)instance;
        atomic_store(A(&e->seen), 0u);
        atomic_store(A(&b->n), n + 1);
    }
    unsigned old = atomic_fetch_or(A(&e->seen), seen);
    if ((old | seen) != old)
        atomic_fetch_add(A(&b->seq), 1);
}

unsigned board_seen_pid(const struct board *b, pid_t pid)
{
    if (!b)
        return 0;
    const struct board_entry *e = find(b, pid);
    return e ? atomic_load(A((uint32_t *)&e->seen)) : 0;
}

int board_count(const struct board *b, int role, pid_t self, unsigned flags)
{
    if (!b)
        return 0;
    int n = atomic_load(A((int32_t *)&b->n)), c = 0;
    for (int i = 0; i < n && i < BOARD_MAX; i++) {
        const struct board_entry *e = &b->e[i];
        if (role >= 0 ? e->role != role : e->pid != self)
            continue;
        if (atomic_load(A((uint32_t *)&e->seen)) & flags)
            c++;
    }
    return c;
}
