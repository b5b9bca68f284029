/* race_xfer.c — the race's transfers, as a plain program would write them:
 * the same code runs inside ipcplay's race ops (with a tick that tells how
 * far it is) and in bench/race (without), so the two figures compare the
 * same work. Every message carries its number and a pattern derived from
 * it; the receiver checks every byte and the order. */
#include "race.h"

#include <errno.h>
#include <linux/futex.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/msg.h>
#include <sys/sem.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static const char *const names[RACE__N] = {"pipe", "fifo",    "socketpair",
                                           "msgq", "sysvshm", "posixshm"};
static const char *const words[RACE__N] = {
    "pipe",
    "FIFO",
    "socketpair",
    "System V message queue",
    "System V shared memory + semaphores",
    "POSIX shared memory + futex",
};

const char *race_mech_name(int mech)
{
    return mech >= 0 && mech < RACE__N ? names[mech] : "?";
}

const char *race_mech_words(int mech)
{
    return mech >= 0 && mech < RACE__N ? words[mech] : "?";
}

/* ---- messages ------------------------------------------------------------ */

#define MIX 0x9E3779B97F4A7C15ull

static void fill(unsigned char *buf, int32_t size, uint64_t seq)
{
    uint64_t w[1];
    size_t nw = (size_t)size / 8;
    for (size_t k = 0; k < nw; k++) {
        w[0] = k == 0 ? seq : seq * MIX + k;
        memcpy(buf + 8 * k, w, 8);
    }
}

/* Intact and the one expected? */
static bool intact(const unsigned char *buf, int32_t size, uint64_t seq)
{
    size_t nw = (size_t)size / 8;
    uint64_t w;
    memcpy(&w, buf, 8);
    if (w != seq)
        return false;
    uint64_t bad = 0;
    for (size_t k = 1; k < nw; k++) {
        memcpy(&w, buf + 8 * k, 8);
        bad |= w ^ (seq * MIX + k);
    }
    return bad == 0;
}

/* ---- byte streams: pipe, FIFO, socketpair -------------------------------- */

static int write_all(int fd, const unsigned char *p, size_t len)
{
    while (len > 0) {
        ssize_t w = write(fd, p, len);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return -1;
        p += w;
        len -= (size_t)w;
    }
    return 0;
}

static int read_all(int fd, unsigned char *p, size_t len)
{
    while (len > 0) {
        ssize_t r = read(fd, p, len);
        if (r < 0 && errno == EINTR)
            continue;
        if (r == 0)
            errno = EPIPE; /* the other side went away early */
        if (r <= 0)
            return -1;
        p += r;
        len -= (size_t)r;
    }
    return 0;
}

/* ---- message queue ------------------------------------------------------- */

struct qmsg {
    long mtype;
    unsigned char data[RACE_MAX_SIZE];
};

static int q_send(int id, struct qmsg *m, long type, int32_t size)
{
    m->mtype = type;
    while (msgsnd(id, m, (size_t)size, 0) < 0)
        if (errno != EINTR)
            return -1;
    return 0;
}

static int q_recv(int id, struct qmsg *m, long type, int32_t size)
{
    for (;;) {
        ssize_t n = msgrcv(id, m, (size_t)size, type, 0);
        if (n == (ssize_t)size)
            return 0;
        if (n >= 0) {
            errno = EBADMSG;
            return -1;
        }
        if (errno != EINTR)
            return -1;
    }
}

/* ---- System V ring: semaphores full (0), free (1), reply (2) ------------- */

static int sem_add(int id, unsigned short num, short delta)
{
    struct sembuf b = {num, delta, 0};
    while (semop(id, &b, 1) < 0)
        if (errno != EINTR)
            return -1;
    return 0;
}

/* ---- POSIX ring: counters in the segment, futexes to sleep on them -------- */

struct pring {
    _Atomic uint32_t head; /* messages put */
    _Atomic uint32_t rwait;
    char pad0[56];
    _Atomic uint32_t tail; /* messages taken */
    _Atomic uint32_t wwait;
    char pad1[56];
    _Atomic uint32_t back; /* echoes put (ping-pong) */
    _Atomic uint32_t bwait;
    char pad2[56];
};

unsigned long race_ring_bytes(int32_t size)
{
    /* a header for the POSIX ring, the slots, and one for the echo */
    return sizeof(struct pring) + (unsigned long)size * (RACE_SLOTS + 1);
}

static void futex_wait(_Atomic uint32_t *w, uint32_t val)
{
    syscall(SYS_futex, (uint32_t *)w, FUTEX_WAIT, val, NULL, NULL, 0);
}

static void futex_wake(_Atomic uint32_t *w)
{
    syscall(SYS_futex, (uint32_t *)w, FUTEX_WAKE, 1, NULL, NULL, 0);
}

/* Wait until *w differs from val: spin a little (the other side is on the
 * other core), then sleep on the futex with the waiter flag raised. */
static void wait_change(_Atomic uint32_t *w, _Atomic uint32_t *flag, uint32_t val)
{
    for (int i = 0; i < 200; i++) {
        if (atomic_load_explicit(w, memory_order_acquire) != val)
            return;
#if defined(__x86_64__) || defined(__i386__)
        __builtin_ia32_pause();
#endif
    }
    while (atomic_load_explicit(w, memory_order_acquire) == val) {
        atomic_store(flag, 1);
        atomic_thread_fence(memory_order_seq_cst);
        if (atomic_load(w) != val)
            break;
        futex_wait(w, val);
    }
}

/* Publish a new value of *w, waking the other side if it sleeps on it. */
static void publish(_Atomic uint32_t *w, _Atomic uint32_t *flag, uint32_t val)
{
    atomic_store_explicit(w, val, memory_order_release);
    atomic_thread_fence(memory_order_seq_cst);
    if (atomic_load_explicit(flag, memory_order_relaxed) && atomic_exchange(flag, 0))
        futex_wake(w);
}

/* ---- the two sides -------------------------------------------------------- */

static unsigned char *slot(const struct race_chan *c, uint64_t i)
{
    return (unsigned char *)c->shm + sizeof(struct pring) + (size_t)c->size * (i % RACE_SLOTS);
}

static unsigned char *echo_slot(const struct race_chan *c)
{
    return (unsigned char *)c->shm + sizeof(struct pring) + (size_t)c->size * RACE_SLOTS;
}

/* One message out; in ping-pong, its echo back (checked). */
static int send_one(const struct race_chan *c, struct qmsg *q, uint64_t i)
{
    bool pp = c->mode == RACE_PINGPONG;
    size_t sz = (size_t)c->size;
    struct pring *pr = c->shm;
    switch (c->mech) {
    case RACE_PIPE:
    case RACE_FIFO:
    case RACE_SOCKETPAIR:
        fill(q->data, c->size, i);
        if (write_all(c->fd[1], q->data, sz) < 0)
            return -1;
        if (pp && read_all(c->back[0], q->data, sz) < 0)
            return -1;
        break;
    case RACE_MSGQ:
        fill(q->data, c->size, i);
        if (q_send(c->msqid, q, 1, c->size) < 0)
            return -1;
        if (pp && q_recv(c->msqid, q, 2, c->size) < 0)
            return -1;
        break;
    case RACE_SYSVSHM:
        if (sem_add(c->semid, 1, -1) < 0)
            return -1;
        fill(slot(c, i), c->size, i);
        if (sem_add(c->semid, 0, 1) < 0)
            return -1;
        if (pp && sem_add(c->semid, 2, -1) < 0)
            return -1;
        break;
    case RACE_POSIXSHM: {
        uint32_t h = (uint32_t)i;
        uint32_t t;
        while (h - (t = atomic_load_explicit(&pr->tail, memory_order_acquire)) >= RACE_SLOTS)
            wait_change(&pr->tail, &pr->wwait, t);
        fill(slot(c, i), c->size, i);
        publish(&pr->head, &pr->rwait, h + 1);
        if (pp)
            wait_change(&pr->back, &pr->bwait, h);
        break;
    }
    default: errno = EINVAL; return -1;
    }
    if (pp) {
        const unsigned char *e =
            c->mech == RACE_SYSVSHM || c->mech == RACE_POSIXSHM ? echo_slot(c) : q->data;
        if (!intact(e, c->size, i)) {
            errno = EBADMSG;
            return -1;
        }
    }
    return 0;
}

/* One message in (checked); in ping-pong, echoed back. 1: intact and in
 * order, 0: not, -1: the call failed. */
static int recv_one(const struct race_chan *c, struct qmsg *q, uint64_t i)
{
    bool pp = c->mode == RACE_PINGPONG;
    size_t sz = (size_t)c->size;
    struct pring *pr = c->shm;
    int ok;
    switch (c->mech) {
    case RACE_PIPE:
    case RACE_FIFO:
    case RACE_SOCKETPAIR:
        if (read_all(c->fd[0], q->data, sz) < 0)
            return -1;
        ok = intact(q->data, c->size, i);
        if (pp && write_all(c->back[1], q->data, sz) < 0)
            return -1;
        return ok;
    case RACE_MSGQ:
        if (q_recv(c->msqid, q, 1, c->size) < 0)
            return -1;
        ok = intact(q->data, c->size, i);
        if (pp && q_send(c->msqid, q, 2, c->size) < 0)
            return -1;
        return ok;
    case RACE_SYSVSHM:
        if (sem_add(c->semid, 0, -1) < 0)
            return -1;
        ok = intact(slot(c, i), c->size, i);
        if (pp)
            memcpy(echo_slot(c), slot(c, i), sz);
        if (sem_add(c->semid, 1, 1) < 0)
            return -1;
        if (pp && sem_add(c->semid, 2, 1) < 0)
            return -1;
        return ok;
    case RACE_POSIXSHM: {
        uint32_t t = (uint32_t)i;
        while (atomic_load_explicit(&pr->head, memory_order_acquire) == t)
            wait_change(&pr->head, &pr->rwait, t);
        ok = intact(slot(c, i), c->size, i);
        if (pp)
            memcpy(echo_slot(c), slot(c, i), sz);
        publish(&pr->tail, &pr->wwait, t + 1);
        if (pp)
            publish(&pr->back, &pr->bwait, t + 1);
        return ok;
    }
    default: errno = EINVAL; return -1;
    }
}

int race_send(const struct race_chan *c, struct race_count *n, race_tick_fn *tick, void *ctx)
{
    struct qmsg *q = malloc(sizeof *q);
    if (!q)
        return -1;
    int rc = 0;
    for (int64_t i = 0; i < c->count; i++) {
        if (send_one(c, q, (uint64_t)i) < 0) {
            rc = -1;
            break;
        }
        n->msgs++;
        n->bytes += c->size;
        if (tick && (i & 63) == 63 && tick(ctx, n))
            break;
    }
    int err = errno;
    free(q);
    errno = err;
    return rc;
}

int race_recv(const struct race_chan *c, struct race_count *n, race_tick_fn *tick, void *ctx)
{
    struct qmsg *q = malloc(sizeof *q);
    if (!q)
        return -1;
    int rc = 0;
    for (int64_t i = 0; i < c->count; i++) {
        int ok = recv_one(c, q, (uint64_t)i);
        if (ok < 0) {
            rc = -1;
            break;
        }
        n->msgs++;
        n->bytes += c->size;
        n->bad += !ok;
        if (tick && (i & 63) == 63 && tick(ctx, n))
            break;
    }
    int err = errno;
    free(q);
    errno = err;
    return rc;
}
