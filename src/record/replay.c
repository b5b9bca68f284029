/* replay.c — a run held in memory to go back in (recording.h). Records are
 * kept packed (each cut after its last non-zero byte) in one growing arena;
 * a model copy is kept every K records, and going anywhere is: the nearest
 * copy at or before it, then the records from there. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "../model/signames.h"
#include "recording.h"
#include "../model/i18n.h"

#define REPLAY_LIVE_BYTES ((size_t)256 << 20)
#define REPLAY_KEYFRAMES 48
#define REPLAY_K0 1024
/* Checkpoints near the position: a model copy every REPLAY_FINE_STEP records
 * (or K / REPLAY_FINE, when less) over the last REPLAY_FINE steps a seek
 * passes before where it goes, REPLAY_FINE of them kept (the farthest from
 * where the view is goes first), so a step back starts at most a step
 * before where it goes. */
#define REPLAY_FINE 16
#define REPLAY_FINE_STEP 1024

struct replay {
    struct replay_opts o;
    unsigned char *arena; /* packed records: u16 length, then the bytes */
    size_t arena_len, arena_cap;
    size_t *off;        /* offset of record i - first, in the arena */
    size_t n, cap;      /* records held (first .. first + n) */
    size_t first;       /* records dropped from the front (live) */
    struct model *base; /* the model at position first */
    struct model **kf;  /* kf[j]: the model at position first + (j + 1) * K */
    int nkf;
    size_t k;
    uint64_t *ops; /* position just after each op begin */
    size_t nops, ops_cap, ops_dropped;
    struct replay_marker *marks;
    size_t nmarks, marks_cap;
    struct model *tip; /* the model after the last record */
    struct model *cur; /* the model at pos, when not at the end */
    bool at_end;       /* the view follows the end: its model is tip */
    size_t pos;
    uint64_t end_t;
    struct model *fine[REPLAY_FINE]; /* checkpoints, allocated as needed */
    size_t fine_pos[REPLAY_FINE];    /* their positions; 0: the slot is free */
    size_t applied;                  /* records the last seek applied */
    struct record scratch;
    bool oom;
};

static bool grow(void **p, size_t *cap, size_t need, size_t elem)
{
    if (need <= *cap)
        return true;
    size_t c = *cap ? *cap : 1024;
    while (c < need)
        c *= 2;
    void *q = realloc(*p, c * elem);
    if (!q)
        return false;
    *p = q;
    *cap = c;
    return true;
}

struct replay *replay_new(const struct replay_opts *o)
{
    struct replay *rp = calloc(1, sizeof *rp);
    if (!rp)
        return NULL;
    if (o)
        rp->o = *o;
    if (rp->o.max_keyframes <= 0)
        rp->o.max_keyframes = REPLAY_KEYFRAMES;
    rp->k = REPLAY_K0;
    rp->kf = calloc((size_t)rp->o.max_keyframes, sizeof *rp->kf);
    rp->base = malloc(sizeof *rp->base);
    rp->cur = malloc(sizeof *rp->cur);
    rp->tip = malloc(sizeof *rp->tip);
    if (!rp->kf || !rp->base || !rp->cur || !rp->tip) {
        replay_free(rp);
        return NULL;
    }
    model_init(rp->base);
    rp->base->live = false;
    memcpy(rp->cur, rp->base, sizeof *rp->cur);
    memcpy(rp->tip, rp->base, sizeof *rp->tip);
    rp->at_end = true;
    return rp;
}

void replay_free(struct replay *rp)
{
    if (!rp)
        return;
    for (int j = 0; j < rp->nkf; j++)
        free(rp->kf[j]);
    free(rp->kf);
    for (int i = 0; i < REPLAY_FINE; i++)
        free(rp->fine[i]);
    free(rp->base);
    free(rp->cur);
    free(rp->tip);
    free(rp->arena);
    free(rp->off);
    free(rp->ops);
    free(rp->marks);
    free(rp);
}

size_t replay_count(const struct replay *rp)
{
    return rp->first + rp->n;
}
size_t replay_pos(const struct replay *rp)
{
    return rp->at_end ? replay_count(rp) : rp->pos;
}
size_t replay_first(const struct replay *rp)
{
    return rp->first;
}
const struct model *replay_model(const struct replay *rp)
{
    return rp->at_end ? rp->tip : rp->cur;
}
uint64_t replay_end_time(const struct replay *rp)
{
    return rp->end_t;
}
uint64_t replay_ops(const struct replay *rp)
{
    return rp->ops_dropped + rp->nops;
}

void replay_get(const struct replay *rp, size_t i, struct record *out)
{
    size_t idx = i - rp->first;
    const unsigned char *p = rp->arena + rp->off[idx];
    uint16_t len;
    memcpy(&len, p, sizeof len);
    struct record head;
    memcpy(&head, p + sizeof len, offsetof(struct record, u));
    const struct record *hdr = &head;
    size_t size = record_size(hdr->kind);
    memset(out, 0, size > len ? size : len);
    memcpy(out, p + sizeof len, len);
}

/* The record applied as a replay applies it: a run start says "not live". */
static void apply_at(struct replay *rp, struct model *m, size_t i)
{
    replay_get(rp, i, &rp->scratch);
    if (rp->scratch.kind == REC_RUN_START)
        rp->scratch.u.run.live = 0;
    model_apply(m, &rp->scratch);
}

uint64_t replay_time(const struct replay *rp)
{
    return replay_model(rp)->now_ns;
}

/* Keyframe j holds the model at this position. */
static size_t kf_pos(const struct replay *rp, int j)
{
    return rp->first + (size_t)(j + 1) * rp->k;
}

/* Checkpoints stop being valid when K or the start change. */
static void fine_forget(struct replay *rp)
{
    for (int i = 0; i < REPLAY_FINE; i++)
        rp->fine_pos[i] = 0;
}

static size_t fine_step(const struct replay *rp)
{
    size_t step = rp->k / REPLAY_FINE;
    return step > REPLAY_FINE_STEP ? REPLAY_FINE_STEP : step ? step : 1;
}

/* cur is at a checkpoint's position (a multiple of the step past first, not
 * a keyframe's) in the last REPLAY_FINE steps before `to`: keep a copy
 * unless there is one. */
static void fine_keep(struct replay *rp, size_t to)
{
    size_t rel = rp->pos - rp->first, step = fine_step(rp);
    if (rel == 0 || rel % step != 0 || rel % rp->k == 0 || to - rp->pos > step * REPLAY_FINE)
        return;
    int slot = -1;
    size_t far = 0;
    for (int i = 0; i < REPLAY_FINE; i++) {
        if (rp->fine_pos[i] == rp->pos)
            return;
        size_t d = rp->fine_pos[i] == 0        ? (size_t)-1
                   : rp->fine_pos[i] > rp->pos ? rp->fine_pos[i] - rp->pos
                                               : rp->pos - rp->fine_pos[i];
        if (slot < 0 || d > far) {
            slot = i;
            far = d;
        }
    }
    if (!rp->fine[slot] && !(rp->fine[slot] = malloc(sizeof *rp->fine[slot])))
        return;
    memcpy(rp->fine[slot], rp->cur, sizeof *rp->cur);
    rp->fine_pos[slot] = rp->pos;
}

size_t replay_applied(const struct replay *rp)
{
    return rp->applied;
}

void replay_seek(struct replay *rp, size_t pos)
{
    rp->applied = 0;
    size_t end = replay_count(rp);
    if (pos > end)
        pos = end;
    if (pos < rp->first)
        pos = rp->first;
    if (pos == end) {
        rp->at_end = true;
        return;
    }
    if (rp->at_end) {
        rp->at_end = false;
        rp->pos = (size_t)-1; /* cur is stale: start from a keyframe */
    }
    /* The best starting point: the current model if it is at or before pos
     * and no keyframe lies between, else the last keyframe at or before pos. */
    int j = rp->nkf - 1;
    while (j >= 0 && kf_pos(rp, j) > pos)
        j--;
    size_t from = j >= 0 ? kf_pos(rp, j) : rp->first;
    const struct model *start = j >= 0 ? rp->kf[j] : rp->base;
    for (int i = 0; i < REPLAY_FINE; i++)
        if (rp->fine_pos[i] && rp->fine_pos[i] <= pos && rp->fine_pos[i] > from) {
            from = rp->fine_pos[i];
            start = rp->fine[i];
        }
    if (rp->pos == (size_t)-1 || !(rp->pos <= pos && rp->pos >= from)) {
        memcpy(rp->cur, start, sizeof *rp->cur);
        rp->pos = from;
    }
    while (rp->pos < pos) {
        apply_at(rp, rp->cur, rp->pos);
        rp->pos++;
        rp->applied++;
        fine_keep(rp, pos);
    }
}

/* Drop every other keyframe and double K: memory stays bounded. */
static void thin_keyframes(struct replay *rp)
{
    int w = 0;
    for (int j = 0; j < rp->nkf; j++) {
        if (j % 2 == 1)
            rp->kf[w++] = rp->kf[j];
        else
            free(rp->kf[j]);
    }
    rp->nkf = w;
    rp->k *= 2;
    fine_forget(rp);
}

static struct replay_marker *add_marker(struct replay *rp, enum replay_mark kind, size_t pos,
                                        uint64_t t)
{
    if (!grow((void **)&rp->marks, &rp->marks_cap, rp->nmarks + 1, sizeof *rp->marks)) {
        rp->oom = true;
        return NULL;
    }
    struct replay_marker *mk = &rp->marks[rp->nmarks++];
    *mk = (struct replay_marker){.kind = kind, .pos = pos, .t_ns = t};
    return mk;
}

/* "worker-1 -> set 0 sem 1 -> worker-2 -> ... -> worker-1": the processes
 * of the cycle, "worker-1 ↔ worker-2" (two) or "a → b → c" (more). */
static void cycle_names(const char *text, char *out, size_t len)
{
    size_t o = 0;
    int i = 0;
    char first[40] = "";
    out[0] = '\0';
    for (const char *p = text; *p && o + 1 < len; i++) {
        const char *e = strstr(p, " -> ");
        size_t n = e ? (size_t)(e - p) : strlen(p);
        if (i % 2 == 0) {
            char name[40];
            snprintf(name, sizeof name, "%.*s", (int)(n < 39 ? n : 39), p);
            if (i == 0)
                snprintf(first, sizeof first, "%s", name);
            else if (strcmp(name, first) == 0)
                break; /* the cycle closes */
            int w = snprintf(out + o, len - o, "%s%s", i ? "\x1f" : "", name);
            o = w < 0 ? o : o + (size_t)w >= len ? len - 1 : o + (size_t)w;
        }
        if (!e)
            break;
        p = e + 4;
    }
    /* the separators, now that the count is known */
    int names = 1;
    for (const char *c = out; *c; c++)
        names += *c == '\x1f';
    const char *sep = names == 2 ? " \u2194 " : " \u2192 ";
    char tmp[160];
    size_t t = 0;
    for (const char *c = out; *c && t + 6 < sizeof tmp; c++) {
        if (*c == '\x1f') {
            memcpy(tmp + t, sep, strlen(sep));
            t += strlen(sep);
        } else {
            tmp[t++] = *c;
        }
    }
    tmp[t] = '\0';
    if (t >= len) { /* cut, never inside a character */
        t = len - 1;
        while (t > 0 && ((unsigned char)tmp[t] & 0xc0) == 0x80)
            t--;
    }
    memcpy(out, tmp, t);
    out[t] = '\0';
}

/* The marker's words, from its record and the model just after it. */
static void label_marker(struct replay_marker *mk, const struct model *m, const struct record *r)
{
    switch (mk->kind) {
    case MARK_CHECK: {
        static const char *const st[] = {"pending", "ok", "FAILED", "failed (on purpose)"};
        int s = r->u.check.status;
        snprintf(mk->label, sizeof mk->label, "check %.40s %s", r->u.check.name,
                 s >= 0 && s < 4 ? st[s] : "changed");
        break;
    }
    case MARK_DEATH: {
        const struct event *ev = &r->u.ev;
        int i = model_find_proc(m, ev->pid);
        char name[40];
        if (i >= 0)
            snprintf(name, sizeof name, "%s", m->procs[i].name);
        else
            snprintf(name, sizeof name, "pid %d", (int)ev->pid);
        int st = ev->exited.status;
        if (WIFSIGNALED(st))
            snprintf(mk->label, sizeof mk->label, "%s died (%s)", name, signame(WTERMSIG(st)).s);
        else if (WIFEXITED(st))
            snprintf(mk->label, sizeof mk->label, "%s exited with status %d", name,
                     WEXITSTATUS(st));
        else
            snprintf(mk->label, sizeof mk->label, "%s is gone", name);
        break;
    }
    case MARK_DEADLOCK:
        if (r->u.dl.n > 0) {
            char names[80];
            cycle_names(r->u.dl.text, names, sizeof names);
            snprintf(mk->label, sizeof mk->label, "deadlock: %s", names);
        } else {
            size_t n = strcspn(r->u.dl.text, ";");
            snprintf(mk->label, sizeof mk->label, "deadlock broken: %.*s", (int)(n < 70 ? n : 70),
                     r->u.dl.text);
        }
        break;
    case MARK_COMMAND: {
        /* "kill worker-1   (F9)": the command, without its note */
        const char *d = r->u.say.detail;
        const char *note = strstr(d, "   (");
        size_t n = note ? (size_t)(note - d) : strlen(d);
        snprintf(mk->label, sizeof mk->label, "typed: %.*s", (int)(n < 80 ? n : 80), d);
        break;
    }
    case MARK_ERROR:
        snprintf(mk->label, sizeof mk->label, "a role gave up%s%.70s",
                 r->u.error.hint[0] ? ": " : "", r->u.error.hint);
        break;
    }
}

static void index_record(struct replay *rp, const struct record *r, size_t pos)
{
    if (r->kind == REC_EVENT && r->u.ev.phase == PH_BEGIN) {
        if (grow((void **)&rp->ops, &rp->ops_cap, rp->nops + 1, sizeof *rp->ops))
            rp->ops[rp->nops++] = pos;
        else
            rp->oom = true;
    }
    struct replay_marker *mk = NULL;
    if (r->kind == REC_EVENT && r->u.ev.op == OP_EXITED)
        mk = add_marker(rp, MARK_DEATH, pos, r->t_ns);
    else if (r->kind == REC_CHECK)
        mk = add_marker(rp, MARK_CHECK, pos, r->t_ns);
    else if (r->kind == REC_SAMPLE_DEADLOCK)
        mk = add_marker(rp, MARK_DEADLOCK, pos, r->t_ns);
    else if (r->kind == REC_RUN_ERROR)
        mk = add_marker(rp, MARK_ERROR, pos, r->t_ns);
    else if (r->kind == REC_SAY && r->u.say.kind == 1 && strncmp(r->u.say.who, "you", 3) == 0)
        mk = add_marker(rp, MARK_COMMAND, pos, r->t_ns);
    if (mk)
        label_marker(mk, rp->tip, r);
}

/* Keep the newest records only: drop the front up to the middle keyframe,
 * which becomes the base. */
static void drop_front(struct replay *rp)
{
    if (rp->nkf < 2)
        return;
    int j = rp->nkf / 2 - 1;
    size_t newfirst = kf_pos(rp, j);
    size_t d = newfirst - rp->first;
    free(rp->base);
    rp->base = rp->kf[j];
    for (int i = 0; i < j; i++)
        free(rp->kf[i]);
    memmove(rp->kf, rp->kf + j + 1, (size_t)(rp->nkf - j - 1) * sizeof *rp->kf);
    rp->nkf -= j + 1;
    size_t cut = rp->off[d];
    memmove(rp->arena, rp->arena + cut, rp->arena_len - cut);
    rp->arena_len -= cut;
    for (size_t i = d; i < rp->n; i++)
        rp->off[i - d] = rp->off[i] - cut;
    rp->n -= d;
    rp->first = newfirst;
    fine_forget(rp);
    size_t o = 0;
    while (o < rp->nops && rp->ops[o] <= newfirst)
        o++;
    memmove(rp->ops, rp->ops + o, (rp->nops - o) * sizeof *rp->ops);
    rp->nops -= o;
    rp->ops_dropped += o;
    size_t mk = 0;
    while (mk < rp->nmarks && rp->marks[mk].pos <= newfirst)
        mk++;
    memmove(rp->marks, rp->marks + mk, (rp->nmarks - mk) * sizeof *rp->marks);
    rp->nmarks -= mk;
    if (!rp->at_end && rp->pos != (size_t)-1 && rp->pos < newfirst)
        replay_seek(rp, newfirst);
}

void replay_append(struct replay *rp, const struct record *r)
{
    size_t len = record_size(r->kind);
    const unsigned char *b = (const unsigned char *)r;
    while (len > offsetof(struct record, u) && !b[len - 1])
        len--;
    uint16_t l16 = (uint16_t)len;
    if (len > UINT16_MAX || rp->oom ||
        !grow((void **)&rp->arena, &rp->arena_cap, rp->arena_len + len + sizeof l16, 1) ||
        !grow((void **)&rp->off, &rp->cap, rp->n + 1, sizeof *rp->off)) {
        rp->oom = true; /* held as far as memory allowed */
        return;
    }
    rp->off[rp->n++] = rp->arena_len;
    memcpy(rp->arena + rp->arena_len, &l16, sizeof l16);
    memcpy(rp->arena + rp->arena_len + sizeof l16, r, len);
    rp->arena_len += len + sizeof l16;
    size_t pos = replay_count(rp); /* just after this record */
    apply_at(rp, rp->tip, pos - 1);
    if (r->t_ns > rp->end_t)
        rp->end_t = r->t_ns;
    index_record(rp, r, pos);
    if ((pos - rp->first) % rp->k == 0) {
        if (rp->nkf == rp->o.max_keyframes)
            thin_keyframes(rp);
        if ((pos - rp->first) % rp->k == 0) {
            struct model *m = malloc(sizeof *m);
            if (m) {
                memcpy(m, rp->tip, sizeof *m);
                rp->kf[rp->nkf++] = m;
            }
        }
    }
    size_t limit = rp->o.max_bytes;
    if (limit && rp->arena_len > limit)
        drop_front(rp);
}

void replay_tap(void *rp, const struct record *r)
{
    replay_append(rp, r);
}

void replay_seek_time(struct replay *rp, uint64_t t_ns)
{
    /* Records' times only grow, except an event's own time (taken in the
     * child) may trail a sample a little: the first record later than t. */
    size_t lo = rp->first, hi = replay_count(rp);
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        replay_get(rp, mid, &rp->scratch);
        if (rp->scratch.t_ns <= t_ns)
            lo = mid + 1;
        else
            hi = mid;
    }
    replay_seek(rp, lo);
}

int replay_seek_op(struct replay *rp, uint64_t n)
{
    if (n <= rp->ops_dropped) {
        replay_seek(rp, rp->first);
        return n == 0 || rp->ops_dropped == 0 ? 0 : -1;
    }
    uint64_t i = n - rp->ops_dropped - 1;
    if (i >= rp->nops) {
        replay_seek(rp, replay_count(rp));
        return -1;
    }
    replay_seek(rp, rp->ops[i]);
    return 0;
}

/* Op begins at positions <= pos. */
static size_t ops_upto(const struct replay *rp, size_t pos)
{
    size_t lo = 0, hi = rp->nops;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (rp->ops[mid] <= pos)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

uint64_t replay_ops_before(const struct replay *rp)
{
    return rp->ops_dropped + ops_upto(rp, replay_pos(rp));
}

int replay_step(struct replay *rp, int n)
{
    size_t pos = replay_pos(rp);
    size_t k = ops_upto(rp, pos); /* ops[k - 1] <= pos < ops[k] */
    long target;
    if (n > 0) {
        target = (long)k + n - 1;
        if (target >= (long)rp->nops)
            target = (long)rp->nops - 1;
        if (target < (long)k) /* no op ahead */
            return 0;
    } else {
        /* back: from just after an op begin, one back is the one before it */
        long at = k > 0 && rp->ops[k - 1] == pos ? (long)k - 1 : (long)k;
        target = at + n;
        if (target < 0) {
            replay_seek(rp, rp->first);
            return -(int)at;
        }
    }
    replay_seek(rp, rp->ops[target]);
    return (int)((long)ops_upto(rp, rp->ops[target]) - (long)k);
}

const struct replay_marker *replay_markers(const struct replay *rp, size_t *n)
{
    *n = rp->nmarks;
    return rp->marks;
}

long replay_marker_near(const struct replay *rp, int dir)
{
    size_t pos = replay_pos(rp);
    if (dir > 0) {
        for (size_t i = 0; i < rp->nmarks; i++)
            if (rp->marks[i].pos > pos)
                return (long)i;
    } else {
        for (size_t i = rp->nmarks; i-- > 0;)
            if (rp->marks[i].pos < pos)
                return (long)i;
    }
    return -1;
}

size_t replay_bytes(const struct replay *rp)
{
    size_t fine = 0;
    for (int i = 0; i < REPLAY_FINE; i++)
        fine += rp->fine[i] != NULL;
    return rp->arena_cap + rp->cap * sizeof *rp->off + rp->ops_cap * sizeof *rp->ops +
           (size_t)(rp->nkf + 3) * sizeof(struct model) + fine * sizeof(struct model);
}

int replay_load(struct replay *rp, const char *path, struct rec_header *h, struct rec_trailer *end,
                char *err, size_t errlen, int *status)
{
    struct rec_header hh;
    struct rec_reader *rd = rec_reader_open(path, h ? h : &hh, err, errlen, status);
    if (!rd)
        return -1;
    int rc;
    while ((rc = rec_reader_next(rd, &rp->scratch, err, errlen)) == 1) {
        struct record r = rp->scratch; /* apply_at uses scratch */
        replay_append(rp, &r);
        if (rp->oom) {
            snprintf(err, errlen, _("%s: out of memory after %zu records"), path, rp->n);
            rc = -1;
            break;
        }
    }
    const struct rec_trailer *t = rec_reader_trailer(rd);
    if (end)
        *end = t ? *t : (struct rec_trailer){0};
    rec_reader_close(rd);
    if (rc < 0) {
        *status = 2;
        return -1;
    }
    replay_seek(rp, rp->first);
    return t ? 0 : 1;
}
