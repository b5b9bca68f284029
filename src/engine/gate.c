/* gate.c — the shared control gate (see gate.h). Futexes on a shared
 * anonymous page: waiting costs nothing and wakes at once on a change. */
#include "gate.h"

#include <errno.h>
#include <stdbool.h>
#include <linux/futex.h>
#include <stdatomic.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define A(p) ((_Atomic __typeof__(*(p)) *)(p))

static void futex_wait(uint32_t *addr, uint32_t val)
{
    syscall(SYS_futex, addr, FUTEX_WAIT, val, NULL, NULL, 0);
}

static void futex_wake_all(uint32_t *addr)
{
    syscall(SYS_futex, addr, FUTEX_WAKE, 0x7fffffff, NULL, NULL, 0);
}

struct gate *gate_new(void)
{
    void *p =
        mmap(NULL, sizeof(struct gate), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED)
        return NULL;
    struct gate *g = p;
    g->mode = GATE_RUN;
    g->speed_milli = 1000;
    return g;
}

void gate_free(struct gate *g)
{
    if (g)
        munmap(g, sizeof *g);
}

static void bump(struct gate *g)
{
    atomic_fetch_add(A(&g->seq), 1);
    futex_wake_all(&g->seq);
}

static uint64_t mono_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* Only the engine changes mode, so only it writes the clock. */
static void clock_mode(struct gate *g, int mode)
{
    uint64_t now = mono_ns(), since = atomic_load(A(&g->paused_since_ns));
    bool paused = mode == GATE_PAUSE;
    if (paused == (since != 0))
        return;
    atomic_fetch_add(A(&g->clock_seq), 1);
    if (paused) {
        atomic_store(A(&g->paused_since_ns), now);
    } else {
        atomic_fetch_add(A(&g->paused_total_ns), now - since);
        atomic_store(A(&g->paused_since_ns), 0);
    }
    atomic_fetch_add(A(&g->clock_seq), 1);
}

void gate_clock_reset(struct gate *g)
{
    atomic_fetch_add(A(&g->clock_seq), 1);
    atomic_store(A(&g->paused_total_ns), 0);
    atomic_store(A(&g->paused_since_ns), 0);
    atomic_fetch_add(A(&g->clock_seq), 1);
}

uint64_t gate_clock_ns(struct gate *g, uint64_t t0_ns)
{
    for (;;) {
        uint32_t seq = atomic_load(A(&g->clock_seq));
        uint64_t now = mono_ns();
        uint64_t total = atomic_load(A(&g->paused_total_ns));
        uint64_t since = atomic_load(A(&g->paused_since_ns));
        if ((seq & 1) || seq != atomic_load(A(&g->clock_seq)))
            continue;
        uint64_t end = since ? since : now;
        uint64_t t = end > t0_ns ? end - t0_ns : 0;
        return t > total ? t - total : 0;
    }
}

void gate_set_mode(struct gate *g, int mode)
{
    clock_mode(g, mode);
    atomic_store(A(&g->mode), mode);
    if (mode != GATE_STEP) {
        atomic_store(A(&g->tokens), 0);
        atomic_store(A(&g->step_pid), 0);
    }
    bump(g);
}

void gate_add_tokens_for(struct gate *g, int pid, int n)
{
    if (atomic_load(A(&g->step_pid)) != pid)
        atomic_store(A(&g->tokens), 0); /* tokens were another's: start over */
    atomic_store(A(&g->step_pid), pid);
    atomic_fetch_add(A(&g->tokens), n);
    clock_mode(g, GATE_STEP);
    atomic_store(A(&g->mode), GATE_STEP);
    bump(g);
}

void gate_add_tokens(struct gate *g, int n)
{
    if (atomic_load(A(&g->step_pid)) != 0)
        atomic_store(A(&g->tokens), 0);
    atomic_store(A(&g->step_pid), 0);
    atomic_fetch_add(A(&g->tokens), n);
    clock_mode(g, GATE_STEP);
    atomic_store(A(&g->mode), GATE_STEP);
    bump(g);
}

int gate_mode(const struct gate *g)
{
    return atomic_load(A((int32_t *)&g->mode));
}

int gate_tokens(const struct gate *g)
{
    return atomic_load(A((int32_t *)&g->tokens));
}

void gate_set_speed(struct gate *g, double speed)
{
    uint32_t milli = speed <= 0 ? 0 : (uint32_t)(speed * 1000.0 + 0.5);
    if (speed > 0 && milli == 0)
        milli = 1;
    atomic_store(A(&g->speed_milli), milli);
    bump(g);
}

void gate_pass(struct gate *g)
{
    for (;;) {
        uint32_t seq = atomic_load(A(&g->seq));
        int mode = atomic_load(A(&g->mode));
        if (mode == GATE_RUN)
            return;
        int only = atomic_load(A(&g->step_pid));
        if (mode == GATE_STEP && (only == 0 || only == getpid())) {
            int t = atomic_load(A(&g->tokens));
            while (t > 0) {
                if (atomic_compare_exchange_weak(A(&g->tokens), &t, t - 1)) {
                    atomic_fetch_add(A(&g->passed), 1);
                    /* Tell the engine a token was used. */
                    bump(g);
                    return;
                }
            }
        }
        futex_wait(&g->seq, seq);
    }
}

uint64_t gate_scale_ns(const struct gate *g, int ms)
{
    uint32_t milli = atomic_load(A((uint32_t *)&g->speed_milli));
    if (milli == 0 || ms <= 0)
        return 0;
    return (uint64_t)ms * 1000000ull * 1000ull / milli;
}

/* Sleeps in slices of at most 100 ms of real time, re-reading the speed
 * between slices: a teacher who goes from slow motion to full speed does not
 * wait out a long slow sleep. Each slice is a real clock_nanosleep, which is
 * what the kernel view shows for a "thinking" worker. */
void gate_delay(struct gate *g, int ms)
{
    double left_1x_ns = (double)ms * 1e6; /* what is left, in 1x nanoseconds */
    while (left_1x_ns > 0) {
        uint32_t seq = atomic_load(A(&g->seq));
        if (atomic_load(A(&g->mode)) == GATE_PAUSE) {
            futex_wait(&g->seq, seq); /* held: the rest waits for resume or step */
            continue;
        }
        uint32_t milli = atomic_load(A(&g->speed_milli));
        if (milli == 0)
            return;
        double real_ns = left_1x_ns * 1000.0 / milli;
        if (real_ns > 100e6)
            real_ns = 100e6;
        struct timespec ts = {.tv_sec = 0, .tv_nsec = (long)real_ns};
        while (clock_nanosleep(CLOCK_MONOTONIC, 0, &ts, &ts) == EINTR)
            ;
        left_1x_ns -= real_ns * milli / 1000.0;
    }
}
