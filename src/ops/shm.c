/* shm.c — the shared-memory family: put and take on the ring a
 * producer/consumer scenario keeps in a shared segment (model/ring.h), and
 * the copy-on-write page of the fork scenario. Each op's entry: what it does
 * in a child, its "doing" text, what it changes in the model and how the
 * story tells it. */
#include <errno.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <unistd.h>

#include "../engine/ops.h"
#include "../model/model.h"
#include "../model/pattern.h"
#include "../model/ring.h"
#include "op.h"
#include "../model/i18n.h"

#define A(p) ((_Atomic __typeof__(*(p)) *)(p))

/* ---- in the child ------------------------------------------------------ */

static int run_ring(struct runner *r, const struct op *op)
{
    if (!r->plan || op->obj < 0 || op->obj >= r->plan->nshmsegs || !r->shm[op->obj])
        return -1;
    int slots = r->plan->shmsegs[op->obj].ring;
    if (slots < 1 || slots > RING_MAX_SLOTS)
        return -1;
    struct shm_ring *ring = r->shm[op->obj];
    volatile struct shm_ring *vr = ring;
    struct event ev = runner_event(r, op, PH_BEGIN);
    runner_begin(r, &ev);
    if (op->kind == OP_RING_PUT) {
        /* Read the index, fill the slot, take our time, publish the index:
         * without the mutex two producers read the same head. */
        int32_t head = vr->head;
        int64_t v = ring_item(r->instance, ++r->ring_seq);
        vr->slots = slots;
        vr->slot[head % slots] = v;
        runner_hold(r, op->ms);
        vr->head = head + 1;
        atomic_fetch_add(A(&ring->produced), 1);
        atomic_fetch_add(A(&ring->sum_in), ring_mix(v));
        ev.ring.slot = head % slots;
        ev.ring.item = v;
        ev.ring.index = head;
    } else {
        int32_t tail = vr->tail;
        int64_t v = vr->slot[tail % slots];
        runner_hold(r, op->ms);
        vr->slot[tail % slots] = 0;
        vr->tail = tail + 1;
        atomic_fetch_add(A(&ring->consumed), 1);
        atomic_fetch_add(A(&ring->sum_out), ring_mix(v));
        ev.ring.slot = tail % slots;
        ev.ring.item = v;
        ev.ring.index = tail;
    }
    runner_end(r, &ev, 0, 0);
    return 0;
}

/* The page, this process's own (a forked child inherits the mapping). */
static unsigned char *page;

static long minflt_now(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_minflt;
}

static uint64_t page_sum(void)
{
    long psz = sysconf(_SC_PAGESIZE);
    return pattern_sum_update(PATTERN_SUM_INIT, page, (size_t)psz);
}

/* cow_init: one page, private (or shared with OPF_SHARED), filled with
 * stream 7. cow_write: fill it with stream 8, counting minor faults.
 * cow_check: result 1 when the page still holds stream 7. */
static int run_cow(struct runner *r, const struct op *op)
{
    struct event ev = runner_event(r, op, PH_BEGIN);
    runner_begin(r, &ev);
    size_t psz = (size_t)sysconf(_SC_PAGESIZE);
    if (op->kind == OP_COW_INIT) {
        int share = (op->flags & OPF_SHARED) ? MAP_SHARED : MAP_PRIVATE;
        void *p = mmap(NULL, psz, PROT_READ | PROT_WRITE, share | MAP_ANONYMOUS, -1, 0);
        if (p == MAP_FAILED)
            return runner_end(r, &ev, -1, errno);
        page = p;
        pattern_fill(7, 0, page, psz);
        ev.cow_page.sum = (int64_t)page_sum();
        return runner_end(r, &ev, 0, 0);
    }
    if (!page)
        return runner_end(r, &ev, -1, EINVAL);
    if (op->kind == OP_COW_WRITE) {
        ev.cow_write.minflt_before = minflt_now();
        pattern_fill(8, 0, page, psz);
        ev.cow_write.minflt_after = minflt_now();
        return runner_end(r, &ev, 0, 0);
    }
    uint64_t sum = page_sum();
    ev.cow_page.sum = (int64_t)sum;
    return runner_end(r, &ev, sum == pattern_sum(7, psz), 0);
}

/* ---- in the model ------------------------------------------------------ */

static void doing_ring(const struct event *ev, char *buf, size_t len)
{
    snprintf(buf, len, ev->op == OP_RING_PUT ? "putting" : "taking");
}

static void ring_count(uint8_t *c)
{
    if (*c < 255)
        (*c)++;
}

/* An item: producer x 1000000 + its number; anything else no producer put. */
static uint8_t *ring_counter(struct model *m, const struct event *ev, bool put)
{
    long long v = ev->ring.item;
    int prod = (int)(v / 1000000), k = (int)(v % 1000000);
    if (prod < 1 || prod > MODEL_RING_PRODUCERS || k < 1 || k > MODEL_RING_ITEMS)
        return NULL;
    return put ? &m->ring.put_count[prod - 1][k - 1] : &m->ring.got_count[prod - 1][k - 1];
}

static void apply_ring(struct model *m, const struct event *ev, struct op_ctx *cx)
{
    if (ev->phase != PH_END)
        return;
    struct model_ring *r = &m->ring;
    r->present = true;
    long long v = ev->ring.item;
    bool put = ev->op == OP_RING_PUT;
    uint8_t *c = ring_counter(m, ev, put);
    if (put) {
        r->put++;
        r->sum_put = (long long)((uint64_t)r->sum_put + (uint64_t)ring_mix(v));
        if (c)
            ring_count(c);
        return;
    }
    r->got++;
    r->sum_got = (long long)((uint64_t)r->sum_got + (uint64_t)ring_mix(v));
    if (v == 0) {
        r->empty_reads++;
    } else if (!c) {
        r->bad_reads++;
    } else {
        ring_count(c);
        if (*c == 2)
            r->dups++;
    }
}

static struct model_line *story_ring(struct model *m, const struct event *ev, struct op_ctx *cx)
{
    if (ev->phase != PH_END)
        return NULL;
    struct model_line *l = model_new_line(m, ev->t_ns, cx->pi, LINE_EVENT);
    long long v = ev->ring.item, at = ev->ring.index;
    int slot = ev->ring.slot;
    if (ev->op == OP_RING_PUT) {
        snprintf(l->what, sizeof l->what, "put");
        model_line_say(l, _("-> wrote %lld into slot %d (head %lld -> %lld)"), v, slot, at, at + 1);
        return l;
    }
    snprintf(l->what, sizeof l->what, "take");
    if (v == 0) {
        model_line_say(l,
                       _("-> slot %d was EMPTY (0) though `full` said an item was there: the "
                         "ring is corrupted (tail %lld -> %lld)"),
                       slot, at, at + 1);
        return l;
    }
    uint8_t *c = ring_counter(m, ev, false);
    model_line_say(l, _("-> read %lld from slot %d (tail %lld -> %lld)%s"), v, slot, at, at + 1,
                   c && *c > 1 ? _(": TAKEN TWICE (someone else took it too)") : "");
    return l;
}

static void doing_cow(const struct event *ev, char *buf, size_t len)
{
    snprintf(buf, len,
             ev->op == OP_COW_INIT    ? "mmap page"
             : ev->op == OP_COW_WRITE ? "write page"
                                      : "read page");
}

static void apply_cow(struct model *m, const struct event *ev, struct op_ctx *cx)
{
    if (ev->phase != PH_END)
        return;
    if (ev->op == OP_COW_INIT) {
        model_fact_set(m, "cow.init", 1);
    } else if (ev->op == OP_COW_WRITE) {
        model_fact_set(m, "cow.minflt_delta",
                       model_diff(ev->cow_write.minflt_after, ev->cow_write.minflt_before));
        model_fact_set(m, "cow.child_wrote", 1);
    } else {
        model_fact_set(m, "cow.unchanged", ev->result);
    }
}

static struct model_line *story_cow(struct model *m, const struct event *ev, struct op_ctx *cx)
{
    if (ev->phase != PH_END)
        return NULL;
    struct model_line *l = model_new_line(m, ev->t_ns, cx->pi, LINE_EVENT);
    bool shared = ev->flags & OPF_SHARED;
    if (ev->op == OP_COW_INIT) {
        model_line_say(l, _("mmap(%s) one page and fill it: the parent's data"),
                       shared ? "MAP_SHARED" : "MAP_PRIVATE");
    } else if (ev->op == OP_COW_WRITE) {
        long long a = ev->cow_write.minflt_before, b = ev->cow_write.minflt_after;
        model_line_say(l, _("writes the page: minor faults %lld -> %lld (+%lld)%s"), a, b,
                       model_diff(b, a),
                       shared ? _("; a shared page: no copy, the parent sees it")
                              : _("; the kernel copied the page for it (copy-on-write)"));
    } else {
        model_line_say(l, "%s",
                       ev->result == 1
                           ? _("its page still holds its own data: the child wrote to a copy")
                           : _("its page CHANGED: it sees the child's write"));
    }
    return l;
}

/* ---- the entries ------------------------------------------------------- */

#define RING .run = run_ring, .doing = doing_ring, .apply = apply_ring, .story = story_ring
/* Payload fields by name, for recordings (model/field.h); pads are left out. */
static const struct field payload_ring[] = {FLD(struct ev_ring, slot), FLD(struct ev_ring, item),
                                            FLD(struct ev_ring, index), FLD_END};
static const struct field payload_cow_page[] = {FLD(struct ev_cow_page, sum), FLD_END};
static const struct field payload_cow_write[] = {FLD(struct ev_cow_write, minflt_before),
                                                 FLD(struct ev_cow_write, minflt_after), FLD_END};

#define COW .run = run_cow, .doing = doing_cow, .apply = apply_cow, .story = story_cow

const struct op_entry op_entry_RING_PUT = {
    .payload = payload_ring, .name = "ring_put", .verb = "puts an item into the shared ring", RING};
const struct op_entry op_entry_RING_GET = {.payload = payload_ring,
                                           .name = "ring_get",
                                           .verb = "takes an item from the shared ring",
                                           RING};
const struct op_entry op_entry_COW_INIT = {
    .payload = payload_cow_page, .name = "cow_init", .verb = "maps a page and fills it", COW};
const struct op_entry op_entry_COW_WRITE = {
    .payload = payload_cow_write, .name = "cow_write", .verb = "writes its page", COW};
const struct op_entry op_entry_COW_CHECK = {
    .payload = payload_cow_page, .name = "cow_check", .verb = "checks its page", COW};
