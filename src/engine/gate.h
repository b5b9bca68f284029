/* gate.h — pause / step / speed, shared by the engine and its children in one
 * MAP_SHARED page. A child passes the gate before every op: at once while
 * running, waiting on a futex while paused (no SIGSTOP: its real state stays
 * visible), taking one token in step mode. */
#ifndef IPCPLAY_GATE_H
#define IPCPLAY_GATE_H

#include <stdint.h>

enum gate_mode { GATE_RUN = 0, GATE_PAUSE = 1, GATE_STEP = 2 };

struct gate {
    uint32_t seq; /* futex word: bumped on every change */
    int32_t mode;
    int32_t tokens;       /* ops still allowed in step mode */
    uint32_t speed_milli; /* 1000 = 1x; 0 = max (no delays) */
    int32_t passed;       /* ops that passed the gate in step mode (stats) */
    int32_t step_pid;     /* step mode: only this process takes tokens (0: any) */
    /* The run's clock stops while paused: time spent paused so far, and
     * since when it is paused (0: not), CLOCK_MONOTONIC ns; a seqlock
     * (odd while written) keeps readers from seeing half an update. */
    uint32_t clock_seq;
    uint64_t paused_total_ns;
    uint64_t paused_since_ns;
};

struct gate *gate_new(void);
void gate_free(struct gate *g);
void gate_set_mode(struct gate *g, int mode);
void gate_add_tokens(struct gate *g, int n);
/* Step mode for one process: n ops of pid pass, every other process waits. */
void gate_add_tokens_for(struct gate *g, int pid, int n);
int gate_mode(const struct gate *g);
int gate_tokens(const struct gate *g);
void gate_set_speed(struct gate *g, double speed); /* 0 = max */
/* Children: */
void gate_pass(struct gate *g);
/* Sleep ms (at speed 1x) scaled by the current speed; held while paused
 * (a pause lands within one 100 ms slice, the rest is slept after). */
void gate_delay(struct gate *g, int ms);
/* A new run: no time spent paused yet. */
void gate_clock_reset(struct gate *g);
/* The run's time: CLOCK_MONOTONIC ns since t0, less the time spent paused. */
uint64_t gate_clock_ns(struct gate *g, uint64_t t0_ns);
/* Scale ms into ns at the current speed (0 at max). */
uint64_t gate_scale_ns(const struct gate *g, int ms);

#endif
