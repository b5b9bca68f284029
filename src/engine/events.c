/* events.c — see events.h: per-process rings in one shared mapping, a merge
 * in time order on the engine's side, and a pipe for wake-ups and for
 * processes that have no ring. */
#include "events.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#define EV_WAKE_PHASE 0xff /* a record that only wakes the engine */

struct evq_ring {
    _Atomic uint32_t owner; /* the pid writing it */
    char pad0[60];
    _Atomic uint64_t tail; /* written by the producer */
    char pad1[56];
    _Atomic uint64_t head; /* written by the consumer */
    char pad2[56];
    struct event slot[EV_RING_SLOTS];
};

struct ev_shared {
    _Atomic uint32_t sleeping;   /* the engine is (about to be) asleep in poll */
    _Atomic uint32_t nudged;     /* a producer's ring is filling: woken once, until it drains */
    _Atomic uint32_t nrings;     /* rings claimed */
    _Atomic uint64_t full_waits; /* a producer found its ring full */
    _Atomic uint64_t nudges;     /* a producer woke the engine early */
    char pad[36];
    struct evq_ring rings[EV_MAX_RINGS];
};

void (*events_midpass_hook)(int ring);

/* This process's view (inherited across fork; forgotten in the child). */
static struct ev_shared *my_sh;
static struct evq_ring *my_ring;
static int my_state; /* 0 unclaimed, 1 ring, -1 none to be had */
static pid_t my_pid; /* getpid() is a system call: once per process */

static void forget_ring_in_child(void)
{
    my_ring = NULL;
    my_state = 0;
    my_pid = 0;
}

pid_t events_pid(void)
{
    if (!my_pid)
        my_pid = getpid();
    return my_pid;
}

int events_open(struct event_channel *ch)
{
    static int atfork_done;
    if (!atfork_done) {
        /* The child of any fork (ipcplay's or a role's fork op) writes a
         * ring of its own, under its own pid. */
        pthread_atfork(NULL, NULL, forget_ring_in_child);
        atfork_done = 1;
    }
    int fds[2];
    memset(ch, 0, offsetof(struct event_channel, pending));
    ch->npending = 0;
    ch->rfd = ch->wfd = -1;
    if (pipe2(fds, O_CLOEXEC) < 0)
        return -1;
    ch->rfd = fds[0];
    ch->wfd = fds[1];
    fcntl(ch->rfd, F_SETFL, O_NONBLOCK);
    /* A larger pipe lets bursts from rings-less processes pass without
     * blocking them; if the kernel refuses, the default 64 KiB loses nothing. */
    fcntl(ch->wfd, F_SETPIPE_SZ, 1 << 20);
    /* Untouched pages cost nothing: a ring's pages are made when it is used. */
    ch->sh_len = sizeof(struct ev_shared);
    void *p = mmap(NULL, ch->sh_len, PROT_READ | PROT_WRITE,
                   MAP_SHARED | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    ch->sh = p == MAP_FAILED ? NULL : p;
    my_sh = ch->sh;
    forget_ring_in_child();
    ch->t0_ns = events_now_ns();
    return 0;
}

void events_close(struct event_channel *ch)
{
    if (ch->rfd >= 0)
        close(ch->rfd);
    if (ch->wfd >= 0)
        close(ch->wfd);
    ch->rfd = ch->wfd = -1;
    if (ch->sh) {
        if (my_sh == ch->sh)
            my_sh = NULL;
        munmap(ch->sh, ch->sh_len);
        ch->sh = NULL;
    }
    ch->npending = 0;
    ch->partial_len = 0;
}

uint64_t events_now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static int pipe_write(int wfd, const struct event *ev)
{
    _Static_assert(sizeof *ev <= 512, "must stay below PIPE_BUF");
    for (;;) {
        ssize_t n = write(wfd, ev, sizeof *ev);
        if (n == (ssize_t)sizeof *ev)
            return 0;
        if (n < 0 && errno == EINTR)
            continue;
        return -1;
    }
}

static void wake_engine(int wfd)
{
    if (atomic_load(&my_sh->sleeping) && atomic_exchange(&my_sh->sleeping, 0)) {
        struct event w;
        memset(&w, 0, sizeof w);
        w.phase = EV_WAKE_PHASE;
        pipe_write(wfd, &w);
    }
}

static struct evq_ring *claim(void)
{
    if (my_state == 0) {
        uint32_t i = my_sh ? atomic_fetch_add(&my_sh->nrings, 1) : EV_MAX_RINGS;
        if (i < EV_MAX_RINGS) {
            my_ring = &my_sh->rings[i];
            atomic_store(&my_ring->owner, (uint32_t)events_pid());
            my_state = 1;
        } else {
            my_state = -1;
        }
    }
    return my_state == 1 ? my_ring : NULL;
}

int events_emit(int wfd, const struct event *ev)
{
    struct evq_ring *r = claim();
    if (!r)
        return pipe_write(wfd, ev);
    uint64_t t = atomic_load_explicit(&r->tail, memory_order_relaxed);
    if (t - atomic_load_explicit(&r->head, memory_order_acquire) >= EV_RING_SLOTS) {
        atomic_fetch_add(&my_sh->full_waits, 1);
        while (t - atomic_load_explicit(&r->head, memory_order_acquire) >= EV_RING_SLOTS) {
            atomic_store(&my_sh->sleeping, 1); /* make sure it drains */
            wake_engine(wfd);
            struct timespec ts = {0, 100 * 1000};
            nanosleep(&ts, NULL);
        }
    }
    r->slot[t % EV_RING_SLOTS] = *ev;
    atomic_store_explicit(&r->tail, t + 1, memory_order_release);
    /* Pairs with the fence in events_arm: either the engine sees this
     * record before it sleeps, or we see that it sleeps. */
    atomic_thread_fence(memory_order_seq_cst);
    wake_engine(wfd);
    /* While events stream in, the engine looks at the rings every
     * millisecond instead of being woken; a producer faster than that
     * wakes it once when its ring is three quarters full, so it drains
     * before the ring fills and the producer never waits. */
    if (t + 1 - atomic_load_explicit(&r->head, memory_order_relaxed) >= EV_RING_SLOTS * 3 / 4 &&
        !atomic_load_explicit(&my_sh->nudged, memory_order_relaxed) &&
        !atomic_exchange(&my_sh->nudged, 1)) {
        atomic_fetch_add(&my_sh->nudges, 1);
        struct event w;
        memset(&w, 0, sizeof w);
        w.phase = EV_WAKE_PHASE;
        pipe_write(wfd, &w);
    }
    return 0;
}

static bool rings_waiting(const struct ev_shared *sh)
{
    uint32_t n = atomic_load(&sh->nrings);
    for (uint32_t i = 0; i < n && i < EV_MAX_RINGS; i++) {
        const struct evq_ring *r = &sh->rings[i];
        if (atomic_load_explicit(&r->tail, memory_order_acquire) !=
            atomic_load_explicit(&r->head, memory_order_relaxed))
            return true;
    }
    return false;
}

int events_arm(struct event_channel *ch)
{
    if (!ch->sh)
        return 0;
    atomic_store(&ch->sh->sleeping, 1);
    atomic_thread_fence(memory_order_seq_cst);
    if (ch->npending == 0 && !rings_waiting(ch->sh))
        return 0;
    /* Records came in since the last drain: do not sleep on them. */
    if (atomic_exchange(&ch->sh->sleeping, 0)) {
        struct event w;
        memset(&w, 0, sizeof w);
        w.phase = EV_WAKE_PHASE;
        pipe_write(ch->wfd, &w);
    }
    return 1;
}

/* Whole records from the pipe into ch->pending, wake records dropped. */
static int read_pipe(struct event_channel *ch)
{
    while (ch->npending < EV_PIPE_PENDING) {
        unsigned char buf[64 * sizeof(struct event)];
        size_t room = (size_t)(EV_PIPE_PENDING - ch->npending);
        size_t want = (room < 64 ? room : 64) * sizeof(struct event) - ch->partial_len;
        memcpy(buf, ch->partial, ch->partial_len);
        ssize_t n;
        do
            n = read(ch->rfd, buf + ch->partial_len, want);
        while (n < 0 && errno == EINTR);
        if (n <= 0)
            return (n < 0 && errno != EAGAIN) ? -1 : 0;
        size_t total = ch->partial_len + (size_t)n;
        size_t whole = total / sizeof(struct event);
        for (size_t i = 0; i < whole; i++) {
            struct event ev;
            memcpy(&ev, buf + i * sizeof ev, sizeof ev);
            if (ev.phase != EV_WAKE_PHASE)
                ch->pending[ch->npending++] = ev;
        }
        ch->partial_len = total % sizeof(struct event);
        memcpy(ch->partial, buf + whole * sizeof(struct event), ch->partial_len);
    }
    return 0;
}

/* A min-heap of sources by the time of their oldest record. Source k <
 * nrings is ring k; source nrings is the pipe's pending records. */
struct source {
    uint64_t t;
    int k;
    uint64_t at, end; /* ring: next and end positions; pipe: index and count */
};

static void sift_down(struct source *h, int n, int i)
{
    for (;;) {
        int l = 2 * i + 1, m = i;
        if (l < n && h[l].t < h[m].t)
            m = l;
        if (l + 1 < n && h[l + 1].t < h[m].t)
            m = l + 1;
        if (m == i)
            return;
        struct source s = h[i];
        h[i] = h[m];
        h[m] = s;
        i = m;
    }
}

static int cmp_time(const void *a, const void *b)
{
    const struct event *x = a, *y = b;
    return x->t_ns < y->t_ns ? -1 : x->t_ns > y->t_ns;
}

int events_read(struct event_channel *ch, struct event *out, int max)
{
    if (max <= 0)
        return 0;
    if (ch->sh && atomic_load(&ch->sh->sleeping))
        atomic_store(&ch->sh->sleeping, 0);
    if (ch->sh && atomic_load_explicit(&ch->sh->nudged, memory_order_relaxed))
        atomic_store(&ch->sh->nudged, 0);
    if (read_pipe(ch) < 0 && ch->npending == 0)
        return -1;
    qsort(ch->pending, (size_t)ch->npending, sizeof ch->pending[0], cmp_time);
    static struct source heap[EV_MAX_RINGS + 1];
    int n = 0;
    uint32_t nr = ch->sh ? atomic_load(&ch->sh->nrings) : 0;
    if (nr > EV_MAX_RINGS)
        nr = EV_MAX_RINGS;
    for (uint32_t i = 0; i < nr; i++) {
        struct evq_ring *r = &ch->sh->rings[i];
        uint64_t hd = atomic_load_explicit(&r->head, memory_order_relaxed);
        uint64_t tl = atomic_load_explicit(&r->tail, memory_order_acquire);
        if (hd != tl)
            heap[n++] = (struct source){r->slot[hd % EV_RING_SLOTS].t_ns, (int)i, hd, tl};
        if (events_midpass_hook)
            events_midpass_hook((int)i);
    }
    /* The rings were read one after another: a record one process published
     * after a ring read earlier in that pass may have let another process go
     * on and publish what was read later (a V, then the P it woke). A second
     * look at every ring finds such records, and nothing at or after the
     * oldest of them is handed out now: it comes with them next time. */
    uint64_t cutoff = UINT64_MAX;
    atomic_thread_fence(memory_order_seq_cst);
    uint32_t nr2 = ch->sh ? atomic_load(&ch->sh->nrings) : 0;
    if (nr2 > EV_MAX_RINGS)
        nr2 = EV_MAX_RINGS;
    for (uint32_t i = 0, k = 0; i < nr2; i++) {
        struct evq_ring *r = &ch->sh->rings[i];
        uint64_t seen = atomic_load_explicit(&r->head, memory_order_relaxed);
        if (k < (uint32_t)n && heap[k].k == (int)i)
            seen = heap[k++].end;
        uint64_t tl = atomic_load_explicit(&r->tail, memory_order_acquire);
        if (tl != seen && r->slot[seen % EV_RING_SLOTS].t_ns < cutoff)
            cutoff = r->slot[seen % EV_RING_SLOTS].t_ns;
    }
    if (ch->npending)
        heap[n++] = (struct source){ch->pending[0].t_ns, (int)nr, 0, (uint64_t)ch->npending};
    for (int i = n / 2 - 1; i >= 0; i--)
        sift_down(heap, n, i);
    int got = 0, used_pending = 0;
    while (n > 0 && got < max && heap[0].t < cutoff) {
        struct source *s = &heap[0];
        if ((uint32_t)s->k == nr) {
            out[got++] = ch->pending[s->at++];
            used_pending = (int)s->at;
            if (s->at < s->end)
                s->t = ch->pending[s->at].t_ns;
        } else {
            struct evq_ring *r = &ch->sh->rings[s->k];
            out[got++] = r->slot[s->at % EV_RING_SLOTS];
            s->at++;
            atomic_store_explicit(&r->head, s->at, memory_order_release);
            if (s->at < s->end)
                s->t = r->slot[s->at % EV_RING_SLOTS].t_ns;
        }
        if (s->at >= s->end)
            heap[0] = heap[--n];
        sift_down(heap, n, 0);
    }
    if (used_pending) {
        memmove(ch->pending, ch->pending + used_pending,
                (size_t)(ch->npending - used_pending) * sizeof ch->pending[0]);
        ch->npending -= used_pending;
    }
    return got;
}

uint64_t events_full_waits(const struct event_channel *ch)
{
    return ch->sh ? atomic_load(&ch->sh->full_waits) : 0;
}

uint64_t events_nudges(const struct event_channel *ch)
{
    return ch->sh ? atomic_load(&ch->sh->nudges) : 0;
}

int events_rings(const struct event_channel *ch)
{
    return ch->sh ? (int)atomic_load(&ch->sh->nrings) : 0;
}

uint64_t events_ring_tail(const struct event_channel *ch, int k)
{
    if (!ch->sh || k < 0 || k >= EV_MAX_RINGS)
        return 0;
    return atomic_load(&ch->sh->rings[k].tail);
}
