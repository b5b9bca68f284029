/* loop.h — the one loop of ipcplay (one thread): poll() over a view's own
 * fds (terminal input; headless has none) and the engine's (signalfd,
 * timerfd, event pipe), with the view's next deadline as the timeout. In
 * every turn the view's input is served first, then the engine's work, and
 * the engine's flags go to the view. The dashboard and headless are views:
 * a small struct of callbacks (as htop's and tmux's views are). Time is
 * events_now_ns(), the clock the model's times come from. */
#ifndef IPCPLAY_LOOP_H
#define IPCPLAY_LOOP_H

#include <poll.h>
#include <stdint.h>

#include "../engine/engine.h"
#include "../engine/events.h" /* events_now_ns(): the one clock */

/* What a callback tells the loop. */
enum loop_verdict {
    LOOP_GO,   /* keep going */
    LOOP_STOP, /* leave the loop now (the view keeps its own exit status) */
};

#define LOOP_MAX_VIEW_FDS 4

struct loop_view {
    void *self;
    /* The view's own fds (terminal input, a signalfd of its own), polled
     * with the engine's and served before them; NULL or 0 for none. */
    int (*input_fds)(void *self, struct pollfd *pfds, int max);
    /* Some of those fds are ready (or hung up): pfds as filled, with revents. */
    enum loop_verdict (*on_input)(void *self, const struct pollfd *pfds, int n);
    /* The engine did its work this turn: its flags (ENGINE_*; may be 0). */
    enum loop_verdict (*on_engine)(void *self, int flags);
    /* Milliseconds until the view's next deadline (a frame due, a window to
     * refresh, --for running out): 0 now, -1 none. Called at the start of
     * every turn; may be NULL. */
    int (*next_timeout_ms)(void *self, uint64_t now_ns);
    /* The deadline next_timeout_ms() gave has come (it said 0). */
    enum loop_verdict (*on_timeout)(void *self, uint64_t now_ns);
};

/* Milliseconds from now until due, rounded up (0 when due has passed):
 * what next_timeout_ms() returns for one deadline. */
int loop_ms_until(uint64_t now_ns, uint64_t due_ns);
/* The sooner of two timeouts (-1 is none). */
int loop_sooner(int a, int b);

/* Run turns until a callback says LOOP_STOP (e NULL: the view's fds only,
 * as a replay has no engine): returns 0, or -1 when poll()
 * failed (errno says why). */
int loop_run(struct engine *e, const struct loop_view *v);

#endif
