/* model_proc.c — the model's side of processes, pipes and fd passing (what
 * their ops change and tell is in src/ops/proc.c and fd.c): the facts judges
 * read (named facts), fd tables, and the extra kernel facts on a process's
 * state line (PPID, comm/exe, fd table). Pure like model.c: no I/O, no
 * syscalls. */
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>

#include "model.h"
#include "strbuf.h"
#include "signames.h"

/* ---- facts ------------------------------------------------------------- */

static struct model_fact *fact_find(const struct model *m, const char *key)
{
    for (int i = 0; i < m->nfacts; i++)
        if (m->facts[i].key[0] == key[0] && strcmp(m->facts[i].key, key) == 0)
            return (struct model_fact *)&m->facts[i];
    return NULL;
}

void model_fact_set(struct model *m, const char *key, long long v)
{
    struct model_fact *f = fact_find(m, key);
    if (!f) {
        if (m->nfacts >= MODEL_MAX_FACTS)
            return;
        f = &m->facts[m->nfacts++];
        snprintf(f->key, sizeof f->key, "%s", key);
    }
    f->v = v;
}

void model_fact_add(struct model *m, const char *key, long long d)
{
    struct model_fact *f = fact_find(m, key); /* once: it is done per P and V */
    if (f)
        f->v += d;
    else
        model_fact_set(m, key, d);
}

long long model_fact(const struct model *m, const char *key, long long dflt)
{
    const struct model_fact *f = fact_find(m, key);
    return f ? f->v : dflt;
}

bool model_has_fact(const struct model *m, const char *key)
{
    return fact_find(m, key) != NULL;
}

/* ---- fd tables ----------------------------------------------------------- */

const struct model_fdtable *model_fdtable_find(const struct model *m, pid_t pid)
{
    for (int i = 0; i < m->nfdtables; i++)
        if (m->fdtables[i].pid == pid)
            return &m->fdtables[i];
    return NULL;
}

struct model_fdtable *model_fdtable(struct model *m, pid_t pid, bool create)
{
    struct model_fdtable *t = (struct model_fdtable *)model_fdtable_find(m, pid);
    if (t || !create)
        return t;
    if (m->nfdtables >= MODEL_MAX_FDTABLES) {
        /* Reuse the table of a process that is gone. */
        for (int i = 0; i < m->nfdtables; i++) {
            int pi = model_find_proc(m, m->fdtables[i].pid);
            if (pi < 0 || m->procs[pi].exited) {
                t = &m->fdtables[i];
                break;
            }
        }
        if (!t)
            return NULL;
    } else {
        t = &m->fdtables[m->nfdtables++];
    }
    memset(t, 0, sizeof *t);
    t->pid = pid;
    return t;
}

const char *model_file_name(const struct model *m, int obj)
{
    return obj >= 0 && obj < m->nfiles ? m->files[obj] : "?";
}

/* ---- state line -------------------------------------------------------- */

static const char *acc_mode(unsigned flags)
{
    switch (flags & 3) {
    case 0: return "r";
    case 1: return "w";
    default: return "rw";
    }
}

size_t model_proc_format(const struct model *m, const struct model_proc *p, char *buf, size_t len)
{
    size_t off = 0;
    if (len == 0)
        return 0;
    buf[0] = '\0';
    if (p->forked || p->adopted)
        strbuf_put(buf, len, &off, " ppid %d", (int)p->ppid);
    if (model_proc_comm_foreign(p)) {
        const char *base = strrchr(p->exe, '/');
        strbuf_put(buf, len, &off, " comm %s exe %s", p->comm, base ? base + 1 : p->exe);
    }
    const struct model_fdtable *t = model_fdtable_find(m, p->pid);
    if (!t || p->state == 'Z')
        return off;
    for (int i = 0; i < t->nfds; i++) {
        const struct model_fd *f = &t->fds[i];
        strbuf_put(buf, len, &off, " [fd %d %s", f->fd, f->target);
        bool special = strchr(f->target, ':') != NULL;
        if (!special)
            strbuf_put(buf, len, &off, " ino %lu pos %lld", f->ino, f->pos);
        strbuf_put(buf, len, &off, " %s%s", acc_mode(f->flags),
                   (f->flags & 02000000) ? " cloexec" : "");
        if (f->scm_fds > 0)
            strbuf_put(buf, len, &off, " scm_fds %d in flight", f->scm_fds);
        strbuf_put(buf, len, &off, "]");
    }
    if (t->more)
        strbuf_put(buf, len, &off, " [+%d fds]", t->more);
    return off;
}
