/* shm.c — the `shm` scenario: producers and consumers share a ring buffer in
 * shared memory, guarded by three semaphores: `empty` (free slots), `full`
 * (filled slots) and `mutex` (one at a time at the indexes). The memory is a
 * System V segment (shmget/shmat), a POSIX object (shm_open + mmap, met by
 * name) or anonymous memory (MAP_SHARED | MAP_ANONYMOUS, inherited across
 * fork). sync=off drops the mutex: two producers read the same head, and
 * items are lost, read twice, or read from empty slots -- the checks see it.
 *
 * empty and full are counting semaphores taken by one process and given back
 * by another, so they are used without SEM_UNDO (an exit would undo a V a
 * partner waits for, and the adjustment is capped at 32767); only the mutex,
 * a balanced P/V pair, uses SEM_UNDO. */
#include <stddef.h>
#include <stdio.h>

#include "../model/ring.h"
#include "scenario.h"
#include "../model/i18n.h"

enum { P_PRODUCERS, P_CONSUMERS, P_SLOTS, P_ITEMS, P_KIND, P_SYNC, P_HOLD, P_THINK, P__N };
enum { SEM_EMPTY, SEM_FULL, SEM_MUTEX };

static const char *const kinds[] = {"sysv", "posix", "anon", NULL};

static const struct param_def params[] = {
    [P_PRODUCERS] = {"producers", PARAM_INT, 2, 1, MODEL_RING_PRODUCERS, NULL,
                     N_("processes putting items")},
    [P_CONSUMERS] = {"consumers", PARAM_INT, 2, 1, 8, NULL, N_("processes taking items")},
    [P_SLOTS] = {"slots", PARAM_INT, 4, 1, RING_MAX_SLOTS, NULL, N_("slots in the ring")},
    [P_ITEMS] = {"items", PARAM_INT, 3, 1, MODEL_RING_ITEMS, NULL, N_("items each producer puts")},
    [P_KIND] = {"kind", PARAM_ENUM, 0, 0, 2, kinds,
                N_("System V segment, POSIX shm_open object, or anonymous MAP_SHARED memory")},
    [P_SYNC] = {"sync", PARAM_BOOL, 1, 0, 1, NULL,
                N_("off: no mutex around the ring's indexes (the corruption it prevents)")},
    [P_HOLD] = {"hold", PARAM_MS, 2000, 0, 60000, NULL,
                N_("time between reading an index and publishing the next one")},
    [P_THINK] = {"think", PARAM_MS, 500, 0, 60000, NULL, N_("pause between items")},
};

static int build(const long *v, struct plan *p, char *err, size_t errlen)
{
    (void)err;
    (void)errlen;
    int slots = (int)v[P_SLOTS];
    int set = plan_add_semset(p, 3, 0);
    struct plan_semset *ss = &p->semsets[set];
    ss->init[SEM_EMPTY] = slots;
    ss->init[SEM_FULL] = 0;
    ss->init[SEM_MUTEX] = 1;
    ss->lockmask = 1u << SEM_MUTEX;
    snprintf(ss->name[SEM_EMPTY], sizeof ss->name[0], "empty");
    snprintf(ss->name[SEM_FULL], sizeof ss->name[0], "full");
    snprintf(ss->name[SEM_MUTEX], sizeof ss->name[0], "mutex");
    size_t size = offsetof(struct shm_ring, slot) + (size_t)slots * sizeof(int64_t);
    int seg = plan_add_shmseg(p, size, 0);
    p->shmsegs[seg].kind = (int)v[P_KIND];
    p->shmsegs[seg].ring = slots;
    bool sync = v[P_SYNC] != 0;

    struct plan_role *pr = plan_add_role(p, "producer", (int)v[P_PRODUCERS]);
    int rep = plan_op(pr, (struct op){.kind = OP_REPEAT, .count = (int32_t)v[P_ITEMS]});
    plan_op(pr, (struct op){.kind = OP_P, .obj = set, .arg0 = SEM_EMPTY});
    if (sync)
        plan_op(pr, (struct op){.kind = OP_P, .flags = OPF_UNDO, .obj = set, .arg0 = SEM_MUTEX});
    plan_op(pr, (struct op){.kind = OP_RING_PUT, .obj = seg, .ms = (int32_t)v[P_HOLD]});
    if (sync)
        plan_op(pr, (struct op){.kind = OP_V, .flags = OPF_UNDO, .obj = set, .arg0 = SEM_MUTEX});
    plan_op(pr, (struct op){.kind = OP_V, .obj = set, .arg0 = SEM_FULL});
    plan_op(pr, (struct op){.kind = OP_SLEEP, .ms = (int32_t)v[P_THINK]});
    plan_end_repeat(pr, rep);

    struct plan_role *cr = plan_add_role(p, "consumer", (int)v[P_CONSUMERS]);
    rep = plan_op(cr, (struct op){.kind = OP_REPEAT,
                                  .flags = OPF_SPLIT,
                                  .count = (int32_t)(v[P_PRODUCERS] * v[P_ITEMS])});
    plan_op(cr, (struct op){.kind = OP_P, .obj = set, .arg0 = SEM_FULL});
    if (sync)
        plan_op(cr, (struct op){.kind = OP_P, .flags = OPF_UNDO, .obj = set, .arg0 = SEM_MUTEX});
    plan_op(cr, (struct op){.kind = OP_RING_GET, .obj = seg, .ms = (int32_t)v[P_HOLD]});
    if (sync)
        plan_op(cr, (struct op){.kind = OP_V, .flags = OPF_UNDO, .obj = set, .arg0 = SEM_MUTEX});
    plan_op(cr, (struct op){.kind = OP_V, .obj = set, .arg0 = SEM_EMPTY});
    plan_op(cr, (struct op){.kind = OP_SLEEP, .ms = (int32_t)v[P_THINK]});
    plan_end_repeat(cr, rep);
    return 0;
}

static void judge(struct model *m, const long *v, int final)
{
    const struct model_ring *r = &m->ring;
    int producers = (int)v[P_PRODUCERS], items = (int)v[P_ITEMS];
    long long total = (long long)producers * items;

    long long lost = 0, twice = 0, never_put = 0, taken = 0;
    for (int p = 0; p < MODEL_RING_PRODUCERS; p++)
        for (int k = 0; k < MODEL_RING_ITEMS; k++) {
            int put = r->put_count[p][k], got = r->got_count[p][k];
            if (got)
                taken++;
            if (got > 1)
                twice++;
            if (got && !put && final)
                never_put++; /* only final: a take can be told before its put */
            if (put && !got)
                lost++;
        }
    long long broken = twice + r->empty_reads + r->bad_reads + never_put;
    if (broken)
        model_set_check(m, "every_item_once", CHECK_FAILED,
                        _("%lld taken twice, %lld empty slots read, %lld never put; %lld lost"),
                        twice, r->empty_reads, r->bad_reads + never_put, final ? lost : 0);
    else if (!final)
        model_set_check(m, "every_item_once", CHECK_PENDING,
                        _("%lld of %lld taken, each once so far"), taken, total);
    else if (final == 1 && (lost || r->put < total))
        model_set_check(m, "every_item_once", CHECK_FAILED,
                        _("%lld items were put and never taken; %lld of %lld were put"), lost,
                        r->put, total);
    else if (lost || r->put < total)
        model_set_check(m, "every_item_once", CHECK_PENDING,
                        _("%lld of %lld taken, each once; the run was cut short"), taken, total);
    else
        model_set_check(m, "every_item_once", CHECK_OK,
                        _("all %lld items taken, each exactly once"), total);

    /* The ring's own counters, read from the shared memory itself. */
    struct ring_view rv;
    const struct model_shmseg *seg = m->nshmsegs > 0 ? &m->shmsegs[0] : NULL;
    if (!seg || ring_decode(seg->peek, seg->peek_len, seg->ring_slots, &rv) < 0) {
        model_set_check(m, "checksum", final ? CHECK_FAILED : CHECK_PENDING,
                        _("the ring could not be read"));
        return;
    }
    if (final == 2 && rv.produced != rv.consumed) {
        model_set_check(m, "checksum", CHECK_PENDING,
                        _("the run was stopped with %lld items still in the ring"),
                        rv.produced - rv.consumed);
    } else if (!final || rv.produced == 0) {
        model_set_check(m, "checksum", CHECK_PENDING, _("in %016llx, out %016llx so far"),
                        (unsigned long long)rv.sum_in, (unsigned long long)rv.sum_out);
    } else if (rv.sum_in != rv.sum_out || rv.produced != rv.consumed) {
        model_set_check(m, "checksum", CHECK_FAILED,
                        _("the ring's checksums differ: in %016llx, out %016llx (%lld put, %lld "
                          "taken)"),
                        (unsigned long long)rv.sum_in, (unsigned long long)rv.sum_out, rv.produced,
                        rv.consumed);
    } else if (rv.sum_in != r->sum_put) {
        model_set_check(
            m, "checksum", CHECK_FAILED,
            _("the ring's checksum %016llx is not what the producers reported (%016llx)"),
            (unsigned long long)rv.sum_in, (unsigned long long)r->sum_put);
    } else {
        model_set_check(m, "checksum", CHECK_OK, _("in = out = %016llx over %lld items"),
                        (unsigned long long)rv.sum_in, rv.produced);
    }
}

/* Knobs that break a check on purpose: told as such, not as a failure. */
static const struct param_break breaks[] = {
    {"sync", "*"},
    {NULL, NULL},
};

const struct scenario_def scenario_shm = {
    .breaks = breaks,
    .name = "shm",
    .summary = N_("producers and consumers share a ring buffer guarded by three semaphores"),
    .watch = N_("Watch the ring's slots fill at head and empty at tail. Producers P(empty), "
                "consumers P(full): when the ring is full producers sleep on `empty`, when it is "
                "empty consumers sleep on `full`; `mutex` lets one at a time touch the indexes. "
                "kind=sysv shows the segment's shmid_ds: segsz, nattch (the workers alone: "
                "ipcplay reads the bytes through a worker's memory), cpid and lpid; kind=posix and "
                "kind=anon have no such record -- the kernel keeps those facts only for System V. "
                "With sync=off two producers read the same head: an item is overwritten, a "
                "consumer finds an empty slot or takes an item twice, and the checks fail."),
    .params = params,
    .nparams = P__N,
    .build = build,
    .judge = judge,
};
