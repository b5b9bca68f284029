/* sysipc.c — see sysipc.h: applying the REC_SYS_* records to the model's
 * system-wide view, and the pure queries views use (find, filter, sort).
 * Counts and indexes in records are never trusted. */
#include "sysipc.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

static void copy_str(char *dst, size_t dstlen, const char *src, size_t srclen)
{
    const char *nul = memchr(src, '\0', srclen);
    size_t n = nul ? (size_t)(nul - src) : srclen;
    if (n >= dstlen)
        n = dstlen - 1;
    memcpy(dst, src, n);
    memset(dst + n, 0, dstlen - n);
}
#define COPY_STR(dst, src) copy_str((dst), sizeof(dst), (src), sizeof(src))

void sysipc_begin(struct sysipc *s, const struct sys_begin *b)
{
    s->watching = true;
    s->seq = b->seq;
    s->nuses = 0;
    s->uses_dropped = 0;
    s->nprocs = 0;
}

static int find_index(const struct sysipc *s, int kind, int id, const char *name)
{
    for (int i = 0; i < s->nobjs; i++) {
        const struct sys_obj *o = &s->objs[i].o;
        if (o->kind != kind)
            continue;
        if (kind == SYS_PSHM || kind == SYS_PMQ ? strcmp(o->name, name) == 0 : o->id == id)
            return i;
    }
    return -1;
}

/* The numbers whose change counts as activity (not who owns it). */
static bool numbers_differ(const struct sys_obj *a, const struct sys_obj *b)
{
    if (a->ctime != b->ctime || a->otime != b->otime || a->cbytes != b->cbytes ||
        a->qnum != b->qnum || a->lspid != b->lspid || a->lrpid != b->lrpid ||
        a->stime != b->stime || a->rtime != b->rtime || a->segsz != b->segsz ||
        a->nattch != b->nattch || a->lpid != b->lpid || a->atime != b->atime ||
        a->dtime != b->dtime || a->nvals != b->nvals)
        return true;
    return memcmp(a->sem, b->sem, sizeof a->sem) != 0;
}

void sysipc_obj(struct sysipc *s, uint64_t t, const struct sys_obj *rec)
{
    if (rec->kind < 0 || rec->kind >= SYS__KINDS)
        return;
    struct sys_obj o = *rec;
    COPY_STR(o.name, rec->name);
    COPY_STR(o.owner, rec->owner);
    if (o.nvals < 0)
        o.nvals = 0;
    if (o.nvals > SYSIPC_SEMS)
        o.nvals = SYSIPC_SEMS;
    int i = find_index(s, o.kind, o.id, o.name);
    if (i < 0) {
        if (s->nobjs >= SYSIPC_MAX_OBJS)
            return;
        i = s->nobjs++;
        s->objs[i].changed_ns = t;
    } else if (numbers_differ(&s->objs[i].o, &o)) {
        s->objs[i].changed_ns = t;
    }
    s->objs[i].o = o;
    s->objs[i].seen_seq = s->seq;
    s->gen++;
}

void sysipc_use(struct sysipc *s, const struct sys_use *u)
{
    if (s->nuses >= SYSIPC_MAX_USES) {
        s->uses_dropped++;
        return;
    }
    s->uses[s->nuses++] = *u;
    s->gen++;
}

void sysipc_proc(struct sysipc *s, const struct sys_proc *p)
{
    if (s->nprocs >= SYSIPC_MAX_PROCS)
        return;
    struct sys_proc *d = &s->procs[s->nprocs++];
    *d = *p;
    COPY_STR(d->comm, p->comm);
}

void sysipc_end(struct sysipc *s, const struct sys_end *e)
{
    int n = 0;
    for (int i = 0; i < s->nobjs; i++)
        if (s->objs[i].seen_seq == s->seq)
            s->objs[n++] = s->objs[i];
    s->nobjs = n;
    s->last = *e;
    s->samples++;
    s->gen++;
}

void sysipc_set_limits(struct sysipc *s, const struct sys_limits *l)
{
    s->limits = *l;
    s->have_limits = true;
    s->gen++;
}

void sysipc_set_filter(struct sysipc *s, const struct sysipc_filter *f)
{
    s->filter = *f;
    COPY_STR(s->filter.user, f->user);
    if (s->filter.sort < 0 || s->filter.sort > SYS_SORT_ACTIVITY)
        s->filter.sort = SYS_SORT_ID;
    s->gen++;
}

static const char *const kind_names[SYS__KINDS] = {"sem", "msq", "shm", "pshm", "pmq"};

const char *sysipc_kind_name(int kind)
{
    return kind >= 0 && kind < SYS__KINDS ? kind_names[kind] : "?";
}

int sysipc_kind_parse(const char *word)
{
    for (int k = 0; k < SYS__KINDS; k++)
        if (strcasecmp(word, kind_names[k]) == 0)
            return k;
    if (strcasecmp(word, "msg") == 0)
        return SYS_MSG;
    return -1;
}

const struct sysipc_obj *sysipc_find(const struct sysipc *s, int kind, int id)
{
    for (int i = 0; i < s->nobjs; i++)
        if ((kind < 0 || s->objs[i].o.kind == kind) && s->objs[i].o.kind <= SYS_SHM &&
            s->objs[i].o.id == id)
            return &s->objs[i];
    return NULL;
}

const struct sys_proc *sysipc_find_proc(const struct sysipc *s, int pid)
{
    for (int i = 0; i < s->nprocs; i++)
        if (s->procs[i].pid == pid)
            return &s->procs[i];
    return NULL;
}

bool sysipc_filter_match(const struct sysipc_filter *f, const struct sys_obj *o)
{
    if (f->has_key && (o->kind > SYS_SHM || o->key != f->key))
        return false;
    if (f->user[0]) {
        char *end;
        unsigned long uid = strtoul(f->user, &end, 10);
        bool numeric = *end == '\0' && end != f->user;
        if (numeric ? uid != o->uid : strcmp(f->user, o->owner) != 0)
            return false;
    }
    return true;
}

/* qsort has no context argument: the comparison reads these. */
static const struct sysipc *sort_s;
static int sort_by;

static int cmp_obj(const void *pa, const void *pb)
{
    const struct sysipc_obj *a = &sort_s->objs[*(const int *)pa];
    const struct sysipc_obj *b = &sort_s->objs[*(const int *)pb];
    int c = 0;
    switch (sort_by) {
    case SYS_SORT_KEY: c = (a->o.key > b->o.key) - (a->o.key < b->o.key); break;
    case SYS_SORT_OWNER: c = strcmp(a->o.owner, b->o.owner); break;
    case SYS_SORT_ACTIVITY:
        c = (a->changed_ns < b->changed_ns) - (a->changed_ns > b->changed_ns);
        break;
    default: break;
    }
    if (c == 0)
        c = (a->o.kind > b->o.kind) - (a->o.kind < b->o.kind);
    if (c == 0)
        c = (a->o.id > b->o.id) - (a->o.id < b->o.id);
    if (c == 0)
        c = strcmp(a->o.name, b->o.name);
    return c;
}

int sysipc_select(const struct sysipc *s, const struct sysipc_filter *f, int *idx, int max)
{
    int n = 0;
    for (int i = 0; i < s->nobjs && n < max; i++)
        if (sysipc_filter_match(f, &s->objs[i].o))
            idx[n++] = i;
    sort_s = s;
    sort_by = f->sort;
    qsort(idx, (size_t)n, sizeof *idx, cmp_obj);
    return n;
}

int sysipc_parse_key(const char *word, uint32_t *key)
{
    char *end;
    unsigned long long v = strtoull(word, &end, 0);
    if (end == word || *end || v > 0xffffffffull) {
        long long sv = strtoll(word, &end, 10); /* /proc/sysvipc prints keys signed */
        if (end == word || *end || sv < -2147483648LL || sv > 0)
            return -1;
        v = (uint32_t)(int32_t)sv;
    }
    *key = (uint32_t)v;
    return 0;
}

static const char *const sort_names[] = {"id", "key", "owner", "activity"};

int sysipc_sort_parse(const char *word)
{
    for (int i = 0; i < 4; i++)
        if (strcasecmp(word, sort_names[i]) == 0)
            return i;
    return -1;
}

const char *sysipc_sort_name(int sort)
{
    return sort >= 0 && sort < 4 ? sort_names[sort] : "id";
}
