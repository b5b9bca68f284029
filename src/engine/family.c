/* family.c — processes a role forks with the fork op (ops/proc.c says when:
 * fork, start, wait, exec). They are not the
 * engine's children: their parent reaps them (the zombie scenario needs its
 * zombies), so the engine only tracks them — in the model, with /proc fds
 * kept open for sampling, counted among the run's live processes — from the
 * events their parent and they themselves emit. When their parent exits
 * first, the kernel hands them to the engine (a child subreaper): then, and
 * only then, the supervisor reaps them as adopted. They share the run's
 * process group and die with it. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "../model/model.h"
#include "board.h"
#include "engine_internal.h"
#include "procfs.h"

void family_init_child(struct child *c)
{
    c->fddirfd = c->fdinfofd = c->pidfd = -1;
}

bool family_exists(const struct child *c)
{
    char buf[64];
    if (c->statfd < 0)
        return false;
    return pread(c->statfd, buf, sizeof buf, 0) > 0;
}

struct child *family_track(struct engine *e, pid_t pid, pid_t ppid, int role, int instance)
{
    struct child *c = supervisor_find(e, pid);
    if (c)
        return c;
    if (pid <= 0 || e->nchildren >= ENGINE_MAX_CHILDREN)
        return NULL;
    c = supervisor_add_child(e, pid);
    family_init_child(c);
    c->pid = pid;
    c->role = role;
    c->instance = instance;
    c->forked = true;
    c->parent = ppid;
    struct record r;
    record_init(&r, REC_PROC_ADD, e->m->now_ns);
    struct rec_proc_add *a = &r.u.proc_add;
    a->pid = pid;
    a->ppid = a->parent0 = ppid;
    a->role = role;
    a->instance = instance;
    a->forked = 1;
    model_instance_name(e->m, role, instance, a->name, sizeof a->name);
    engine_emit(e, &r);
    c->model_idx = model_find_proc(e->m, pid);
    c->statfd = procfs_open(e->procfd, pid, "stat");
    if (c->statfd < 0) {
        /* Gone already: its parent reaped it before we read its events. */
        c->reaped = true;
        c->scfd = -1;
        return c;
    }
    c->scfd = procfs_open(e->procfd, pid, "syscall");
    c->pidfd = (int)syscall(SYS_pidfd_open, pid, 0); /* always close-on-exec */
    /* The stat fd still reading means the process it was opened on is still
     * there, so the pidfd names that same process; and it must be in the
     * run's group. Otherwise it is not ours to signal. */
    char sbuf[1024];
    struct proc_stat st;
    ssize_t sn = procfs_pread(c->statfd, sbuf, sizeof sbuf);
    if (c->pidfd >= 0 && (sn <= 0 || procfs_parse_stat(sbuf, (size_t)sn, &st) < 0 ||
                          st.pgrp != e->pgid || e->pgid <= 0)) {
        close(c->pidfd);
        c->pidfd = -1;
    }
    c->fds_dirty = true;
    e->nalive++;
    if (e->plan.observe)
        board_mark(board_get(), pid, role, instance, 0);
    return c;
}

void family_gone(struct engine *e, struct child *c)
{
    if (c->reaped)
        return;
    c->reaped = true;
    e->nalive--;
    if (e->plan.observe)
        board_mark(board_get(), c->pid, c->role, c->instance, SEEN_EXITED);
    sampler_close_child(c);
}

/* What the engine keeps of an event is in its op's entry (track); one
 * process's fd op can move another's offsets (shared open files), so after
 * one every process of the run gets looked at again, fd table included. */
void family_on_event(struct engine *e, const struct event *ev)
{
    const struct op_entry *op = op_entry(ev->op);
    if (!op)
        return;
    if (op->track)
        op->track(e, ev);
    if (e->plan.observe && op->touches_fds)
        for (int i = 0; i < e->nchildren; i++)
            e->children[i].fds_dirty = e->children[i].dirty = true;
}
