/* tree_procs.c — one sample of a watched tree from /proc: which processes
 * are the tree's (the root and its descendants by ppid, orphans adopted by
 * ipcplay, processes the tracer saw forked), what each sleeps in
 * (/proc/PID/syscall), zombies with their exit status, and the pipes,
 * FIFOs and sockets two of its processes share (same inode in
 * /proc/PID/fd). Processes that exit between two reads are skipped; a
 * syscall file ipcplay may not read is said ("no permission"). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "engine_internal.h"
#include "procfs.h"
#include "procfs_fd.h"
#include "tree_internal.h"
#include "../model/i18n.h"

struct pinfo {
    pid_t pid, ppid;
};

/* Every process's ppid (pid, ppid pairs); n, or -1. */
static int list_procs(int procfd, struct pinfo **out)
{
    int dfd = openat(procfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    DIR *d = dfd >= 0 ? fdopendir(dfd) : NULL;
    if (!d) {
        if (dfd >= 0)
            close(dfd);
        return -1;
    }
    int n = 0, cap = 1024;
    struct pinfo *v = malloc(sizeof *v * (size_t)cap);
    struct dirent *de;
    while (v && (de = readdir(d))) {
        if (de->d_name[0] < '1' || de->d_name[0] > '9')
            continue;
        pid_t pid = (pid_t)atoi(de->d_name);
        int fd = procfs_open(procfd, pid, "stat");
        if (fd < 0)
            continue;
        char buf[1024];
        struct proc_stat st;
        ssize_t len = procfs_pread(fd, buf, sizeof buf);
        close(fd);
        if (len <= 0 || procfs_parse_stat(buf, (size_t)len, &st) < 0)
            continue;
        if (n == cap) {
            struct pinfo *w = realloc(v, sizeof *v * (size_t)(cap *= 2));
            if (!w)
                break;
            v = w;
        }
        v[n++] = (struct pinfo){pid, st.ppid};
    }
    closedir(d);
    *out = v;
    return v ? n : -1;
}

static bool in_set(const pid_t *set, int n, pid_t pid)
{
    for (int i = 0; i < n; i++)
        if (set[i] == pid)
            return true;
    return false;
}

/* The tree now: known pids still there, and their descendants. */
static void find_members(struct engine *e, struct engine_tree *t)
{
    struct pinfo *v = NULL;
    int n = list_procs(t->procfd, &v);
    if (n < 0)
        return;
    pid_t keep[TREE_TRACK_MAX];
    int nk = 0;
    for (int i = 0; i < n; i++)
        if (tree_known(t, v[i].pid) && nk < TREE_TRACK_MAX)
            keep[nk++] = v[i].pid;
    for (bool grew = true; grew;) {
        grew = false;
        for (int i = 0; i < n && nk < TREE_TRACK_MAX; i++) {
            bool adopted = t->mode == TREE_RUN && v[i].ppid == e->self && v[i].pid != t->anchor;
            if (in_set(keep, nk, v[i].pid) || !(adopted || in_set(keep, nk, v[i].ppid)))
                continue;
            keep[nk++] = v[i].pid;
            grew = true;
        }
    }
    free(v);
    /* The tracer knows of processes /proc may not list yet: keep those. */
    for (int i = 0; i < t->ntracees && nk < TREE_TRACK_MAX; i++)
        if (!in_set(keep, nk, t->tracees[i].pid))
            keep[nk++] = t->tracees[i].pid;
    memcpy(t->known, keep, sizeof keep[0] * (size_t)nk);
    t->nknown = nk;
}

static bool read_proc(struct engine_tree *t, pid_t pid, struct tree_proc *p)
{
    char buf[1024];
    int fd = procfs_open(t->procfd, pid, "stat");
    if (fd < 0)
        return false;
    ssize_t len = procfs_pread(fd, buf, sizeof buf);
    close(fd);
    struct proc_stat st;
    if (len <= 0 || procfs_parse_stat(buf, (size_t)len, &st) < 0)
        return false;
    memset(p, 0, sizeof *p);
    p->pid = pid;
    p->ppid = st.ppid;
    p->state = st.state;
    memcpy(p->comm, st.comm, sizeof p->comm - 1);
    p->nr = st.state == 'R' ? -2 : -1;
    if (st.state == 'Z') {
        p->zombie_status = procfs_stat_exit_code(buf, (size_t)len);
        return true;
    }
    if (st.state != 'S' && st.state != 'D')
        return true;
    fd = procfs_open(t->procfd, pid, "syscall");
    len = fd >= 0 ? procfs_pread(fd, buf, sizeof buf) : -1;
    int err = errno;
    if (fd >= 0)
        close(fd);
    struct proc_syscall sc;
    if (len > 0 && procfs_parse_syscall(buf, (size_t)len, &sc) == 0) {
        p->nr = (int32_t)sc.nr;
        for (int i = 0; i < 6; i++)
            p->args[i] = (int64_t)sc.args[i];
    } else {
        p->nr = (len < 0 && (err == EACCES || err == EPERM)) ? -4 : -3;
    }
    return true;
}

struct fdlink {
    uint64_t ino;
    int kind;
    char name[40];
    struct tree_link_end end;
};

/* Pipes, FIFOs and sockets of one process into v (grows *n up to max). */
static void read_fds(struct engine_tree *t, pid_t pid, struct fdlink *v, int *n, int max,
                     int32_t *nfds)
{
    char rel[32];
    snprintf(rel, sizeof rel, "%d/fd", (int)pid);
    int dfd = openat(t->procfd, rel, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd < 0)
        return;
    int fds[256];
    int k = procfs_list_fds(dfd, fds, 256);
    *nfds = k;
    for (int i = 0; i < k && *n < max; i++) {
        char name[16], target[256];
        snprintf(name, sizeof name, "%d", fds[i]);
        ssize_t len = readlinkat(dfd, name, target, sizeof target - 1);
        if (len <= 0)
            continue;
        target[len] = '\0';
        struct fdlink *l = &v[*n];
        memset(l, 0, sizeof *l);
        if (strncmp(target, "pipe:[", 6) == 0)
            l->kind = TREE_PIPE;
        else if (strncmp(target, "socket:[", 8) == 0)
            l->kind = TREE_SOCKET;
        struct stat st;
        if (l->kind) {
            l->ino = strtoull(strchr(target, '[') + 1, NULL, 10);
        } else if (target[0] == '/' && fstatat(dfd, name, &st, 0) == 0 && S_ISFIFO(st.st_mode)) {
            l->kind = TREE_FIFO;
            l->ino = st.st_ino;
            const char *base = strrchr(target, '/');
            snprintf(l->name, sizeof l->name, "%s", base + 1);
        } else {
            continue;
        }
        l->end = (struct tree_link_end){.pid = pid, .fd = fds[i], .mode = 2};
        if (l->kind != TREE_SOCKET) {
            char info[256];
            snprintf(rel, sizeof rel, "%d/fdinfo/%d", (int)pid, fds[i]);
            int ifd = openat(t->procfd, rel, O_RDONLY | O_CLOEXEC);
            ssize_t il = ifd >= 0 ? procfs_pread(ifd, info, sizeof info) : -1;
            if (ifd >= 0)
                close(ifd);
            struct proc_fdinfo fi;
            if (il > 0 && procfs_parse_fdinfo(info, (size_t)il, &fi) == 0)
                l->end.mode = (fi.flags & O_ACCMODE) == O_RDONLY   ? 0
                              : (fi.flags & O_ACCMODE) == O_WRONLY ? 1
                                                                   : 2;
        }
        (*n)++;
    }
    close(dfd);
}

/* One link per inode two processes of the tree share. */
static void emit_links(struct engine *e, const struct fdlink *v, int n)
{
    bool *done = calloc((size_t)n + 1, 1);
    for (int i = 0; done && i < n; i++) {
        if (done[i])
            continue;
        struct record r;
        record_init(&r, REC_TREE_LINK, engine_now(e));
        struct tree_link *l = &r.u.tree_link;
        l->kind = v[i].kind;
        l->ino = v[i].ino;
        memcpy(l->name, v[i].name, sizeof l->name);
        bool two = false;
        unsigned modes = 0; /* bit 0 a reader, bit 1 a writer */
        for (int j = i; j < n; j++) {
            if (v[j].ino != v[i].ino || v[j].kind != v[i].kind)
                continue;
            done[j] = true;
            two = two || v[j].end.pid != v[i].end.pid;
            modes |= v[j].end.mode == 0 ? 1u : v[j].end.mode == 1 ? 2u : 3u;
            if (l->n < TREE_LINK_ENDS)
                l->end[l->n++] = v[j].end;
        }
        /* A pipe only written by the tree leads out of it (its output). */
        if (two && (l->kind == TREE_SOCKET || modes == 3))
            engine_emit(e, &r);
    }
    free(done);
}

void tree_procs_sample(struct engine *e, struct engine_tree *t)
{
    find_members(e, t);
    struct record r;
    record_init(&r, REC_TREE_BEGIN, engine_now(e));
    r.u.tree_begin.seq = ++t->seq;
    engine_emit(e, &r);
    enum { MAXL = 512 };
    struct fdlink *links = malloc(sizeof *links * MAXL);
    int nl = 0, nprocs = 0;
    for (int i = 0; i < t->nknown; i++) {
        record_init(&r, REC_TREE_PROC, engine_now(e));
        if (!read_proc(t, t->known[i], &r.u.tree_proc))
            continue;
        if (links && r.u.tree_proc.state != 'Z')
            read_fds(t, t->known[i], links, &nl, MAXL, &r.u.tree_proc.nfds);
        engine_emit(e, &r);
        nprocs++;
    }
    if (links)
        emit_links(e, links, nl);
    free(links);
    record_init(&r, REC_TREE_END, engine_now(e));
    r.u.tree_end.seq = t->seq;
    r.u.tree_end.nprocs = nprocs;
    engine_emit(e, &r);
}
