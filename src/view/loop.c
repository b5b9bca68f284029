/* loop.c — the one poll() loop; see loop.h. A turn: the view's deadline if
 * it has come, then one poll(), then the view's input, then the engine's
 * work and its flags to the view. Input first, so a key typed under load
 * waits for no more than the engine work of one turn (which the engine
 * bounds). */
#include "loop.h"

#include <errno.h>

int loop_ms_until(uint64_t now_ns, uint64_t due_ns)
{
    if (now_ns >= due_ns)
        return 0;
    uint64_t ms = (due_ns - now_ns + 999999ull) / 1000000ull;
    return ms > 86400000ull ? 86400000 : (int)ms;
}

int loop_sooner(int a, int b)
{
    if (a < 0)
        return b;
    if (b < 0)
        return a;
    return a < b ? a : b;
}

static bool any_ready(const struct pollfd *pfds, int n)
{
    for (int i = 0; i < n; i++)
        if (pfds[i].revents)
            return true;
    return false;
}

static int view_timeout(const struct loop_view *v)
{
    return v->next_timeout_ms ? v->next_timeout_ms(v->self, events_now_ns()) : -1;
}

int loop_run(struct engine *e, const struct loop_view *v)
{
    struct pollfd pfds[LOOP_MAX_VIEW_FDS + ENGINE_MAX_POLLFDS];
    for (;;) {
        int timeout = view_timeout(v);
        if (timeout == 0 && v->on_timeout) {
            if (v->on_timeout(v->self, events_now_ns()) == LOOP_STOP)
                return 0;
            timeout = view_timeout(v);
        }
        int nv = v->input_fds ? v->input_fds(v->self, pfds, LOOP_MAX_VIEW_FDS) : 0;
        int ne = e ? engine_pollfds(e, pfds + nv, ENGINE_MAX_POLLFDS) : 0; /* a replay: none */
        int pr = poll(pfds, (nfds_t)(nv + ne), timeout);
        if (pr < 0 && errno != EINTR)
            return -1;
        if (pr <= 0)
            continue; /* a deadline: the next turn serves it */
        if (v->on_input && any_ready(pfds, nv) && v->on_input(v->self, pfds, nv) == LOOP_STOP)
            return 0;
        if (any_ready(pfds + nv, ne)) {
            int flags = engine_dispatch(e, pfds + nv, ne);
            if (v->on_engine && v->on_engine(v->self, flags) == LOOP_STOP)
                return 0;
        }
    }
}
