/* waitfor.c — wait-for graph and cycle finding (see waitfor.h). */
#include "waitfor.h"

#include <stdio.h>
#include <string.h>

int waitfor_cycle(const int *next, int n, int *cycle, int max)
{
    /* Each node has at most one outgoing edge, so walking from any node
     * either stops or enters a cycle within n steps. */
    for (int start = 0; start < n; start++) {
        int x = start;
        for (int steps = 0; steps < n && x >= 0 && x < n; steps++)
            x = next[x];
        if (x < 0 || x >= n)
            continue;
        /* x is on a cycle: collect it, then rotate to its smallest node. */
        int len = 0, y = x, low = 0;
        do {
            if (len >= max || len >= n)
                return 0;
            cycle[len] = y;
            if (y < cycle[low])
                low = len;
            len++;
            y = next[y];
        } while (y != x);
        int tmp[WAITFOR_MAX];
        if (len > WAITFOR_MAX)
            return 0;
        for (int i = 0; i < len; i++)
            tmp[i] = cycle[(low + i) % len];
        memcpy(cycle, tmp, sizeof(int) * (size_t)len);
        return len;
    }
    return 0;
}

static int semset_of(const struct model *m, int semid)
{
    for (int i = 0; i < m->nsemsets; i++)
        if (m->semsets[i].semid == semid)
            return i;
    return -1;
}

int waitfor_find(const struct model *m, struct waitfor_cycle *out)
{
    int next[MODEL_MAX_PROCS];
    int wset[MODEL_MAX_PROCS], wsem[MODEL_MAX_PROCS];
    memset(out, 0, sizeof *out);
    for (int i = 0; i < m->nprocs; i++) {
        next[i] = -1;
        const struct model_proc *p = &m->procs[i];
        const struct model_kernel *k = &p->kernel;
        if (p->role < 0 || p->exited || (p->state != 'S' && p->state != 'D'))
            continue;
        if (k->nr < 0 || k->semid < 0 || k->nsops < 1 || k->sem_op >= 0)
            continue;
        int si = semset_of(m, k->semid);
        if (si < 0 || k->sem_num < 0 || k->sem_num >= m->semsets[si].nsems ||
            k->sem_num >= MODEL_MAX_SEMS)
            continue;
        const struct model_semset *s = &m->semsets[si];
        if (!(s->lockmask & (1u << k->sem_num)) || s->val[k->sem_num] != 0 ||
            s->holder[k->sem_num] == 0)
            continue;
        int j = -1;
        for (int q = 0; q < m->nprocs; q++)
            if (m->procs[q].pid == s->holder[k->sem_num] && !m->procs[q].exited)
                j = q;
        if (j < 0)
            continue;
        next[i] = j;
        wset[i] = si;
        wsem[i] = k->sem_num;
    }
    int n = waitfor_cycle(next, m->nprocs, out->proc, WAITFOR_MAX);
    if (n <= 0)
        return 0;
    out->n = n;
    size_t off = 0;
    for (int i = 0; i < n && off < sizeof out->text; i++) {
        int p = out->proc[i];
        out->set[i] = m->semsets[wset[p]].index;
        out->sem[i] = wsem[p];
        int w;
        if (m->nsemsets > 1)
            w = snprintf(out->text + off, sizeof out->text - off, "%s -> set %d sem %d -> ",
                         m->procs[p].name, out->set[i], out->sem[i]);
        else
            w = snprintf(out->text + off, sizeof out->text - off, "%s -> sem %d -> ",
                         m->procs[p].name, out->sem[i]);
        if (w > 0)
            off += (size_t)w;
    }
    if (off < sizeof out->text)
        snprintf(out->text + off, sizeof out->text - off, "%s", m->procs[out->proc[0]].name);
    return 1;
}
