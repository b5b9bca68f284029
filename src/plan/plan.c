/* plan.c — small builders scenarios use to declare objects and roles. */
#include "plan.h"

#include <stdio.h>
#include <string.h>

struct plan_role *plan_add_role(struct plan *p, const char *name, int count)
{
    if (p->nroles >= PLAN_MAX_ROLES)
        return NULL;
    struct plan_role *r = &p->roles[p->nroles++];
    memset(r, 0, sizeof *r);
    snprintf(r->name, sizeof r->name, "%s", name);
    r->count = count;
    return r;
}

int plan_op(struct plan_role *r, struct op op)
{
    if (!r || r->nops >= PLAN_MAX_OPS)
        return -1;
    r->ops[r->nops] = op;
    return r->nops++;
}

void plan_end_repeat(struct plan_role *r, int at)
{
    if (r && at >= 0 && at < r->nops)
        r->ops[at].body = r->nops - at - 1;
}

int plan_add_semset(struct plan *p, int nsems, int init_value)
{
    if (p->nsemsets >= PLAN_MAX_SEMSETS || nsems < 1 || nsems > PLAN_MAX_SEMS)
        return -1;
    struct plan_semset *s = &p->semsets[p->nsemsets];
    s->nsems = nsems;
    for (int i = 0; i < nsems; i++)
        s->init[i] = init_value;
    return p->nsemsets++;
}

int plan_add_shmseg(struct plan *p, size_t size, int stats)
{
    if (p->nshmsegs >= PLAN_MAX_SHMSEGS)
        return -1;
    p->shmsegs[p->nshmsegs].size = size;
    p->shmsegs[p->nshmsegs].stats = stats;
    return p->nshmsegs++;
}

int plan_add_msgq(struct plan *p, long qbytes)
{
    if (p->nmsgqs >= PLAN_MAX_MSGQS)
        return -1;
    p->msgqs[p->nmsgqs].qbytes = qbytes;
    return p->nmsgqs++;
}

int plan_add_file(struct plan *p, int kind, const char *name, int size)
{
    if (p->nfiles >= PLAN_MAX_FILES)
        return -1;
    struct plan_file *f = &p->files[p->nfiles];
    memset(f, 0, sizeof *f);
    f->kind = kind;
    snprintf(f->name, sizeof f->name, "%s", name);
    f->size = size;
    return p->nfiles++;
}
