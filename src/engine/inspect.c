/* inspect.c — the reader behind the `inspect` view: while a view watches a
 * process or a segment (engine_watch), every sample also reads what the
 * regular sample leaves out — /proc/PID/status, wchan and syscall, the fd
 * table with every target, System V attachments from /proc/PID/maps, and
 * which of our processes have a segment mapped — and emits it as detail
 * records. The text itself is formatted from the model (model/inspect.c), so
 * inspect reads the same from a recording. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../model/inspect.h"
#include "engine_internal.h"
#include "watch.h"
#include "procfs.h"
#include "../model/i18n.h"

#define WATCH_NS 2000000000ull /* a watch lapses 2 s after the view last asked */

/* Read a whole /proc file (small ones: status, maps of a small child).
 * Returns its length, or -1 with errno set. */
static ssize_t read_whole(int procfd, pid_t pid, const char *name, char *buf, size_t len)
{
    int fd = procfs_open(procfd, pid, name);
    if (fd < 0)
        return -1;
    size_t off = 0;
    while (off + 1 < len) {
        ssize_t n = read(fd, buf + off, len - 1 - off);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        off += (size_t)n;
    }
    close(fd);
    buf[off] = '\0';
    return (ssize_t)off;
}

static int cmp_int(const void *a, const void *b)
{
    int x = *(const int *)a, y = *(const int *)b;
    return (x > y) - (x < y);
}

static void read_fds(struct engine *e, pid_t pid, struct model_proc_detail *d)
{
    char path[32];
    snprintf(path, sizeof path, "%d/fd", (int)pid);
    int dfd = openat(e->procfd, path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    DIR *dir = dfd >= 0 ? fdopendir(dfd) : NULL;
    if (!dir) {
        d->fds_err = errno ? errno : EIO;
        if (dfd >= 0)
            close(dfd);
        return;
    }
    int fds[256];
    int n = 0;
    struct dirent *de;
    while ((de = readdir(dir)) && n < 256) {
        char *end;
        long v = strtol(de->d_name, &end, 10);
        if (*end == '\0' && end != de->d_name)
            fds[n++] = (int)v;
    }
    qsort(fds, (size_t)n, sizeof fds[0], cmp_int);
    struct stat evst;
    char evpipe[48] = "";
    if (e->ev.rfd >= 0 && fstat(e->ev.rfd, &evst) == 0)
        snprintf(evpipe, sizeof evpipe, "pipe:[%lu]", (unsigned long)evst.st_ino);
    for (int i = 0; i < n; i++) {
        if (d->nfds >= MODEL_DETAIL_FDS) {
            d->fds_more++;
            continue;
        }
        struct model_detail_fd *f = &d->fds[d->nfds++];
        char name[16], target[256];
        snprintf(name, sizeof name, "%d", fds[i]);
        f->fd = fds[i];
        ssize_t len = readlinkat(dirfd(dir), name, target, sizeof target - 1);
        if (len < 0) {
            f->err = errno;
            continue;
        }
        target[len] = '\0';
        f->event_pipe = evpipe[0] && strcmp(target, evpipe) == 0;
        snprintf(f->target, sizeof f->target, "%.75s", target);
    }
    closedir(dir);
}

static void read_attachments(struct engine *e, pid_t pid, struct model_proc_detail *d)
{
    static char maps[65536];
    if (read_whole(e->procfd, pid, "maps", maps, sizeof maps) < 0) {
        d->maps_err = errno ? errno : EIO;
        return;
    }
    for (char *line = maps; *line && d->nattach < MODEL_DETAIL_ATTACH;) {
        size_t n = strcspn(line, "\n");
        char saved = line[n];
        line[n] = '\0';
        unsigned long lo, hi, ino;
        char perms[8];
        if (strstr(line, "SYSV") &&
            sscanf(line, "%lx-%lx %7s %*s %*s %lu", &lo, &hi, perms, &ino) == 4) {
            struct model_detail_attach *a = &d->attach[d->nattach++];
            a->addr = lo;
            a->size = hi - lo;
            a->shmid = ino;
            snprintf(a->perms, sizeof a->perms, "%s", perms);
        }
        line[n] = saved;
        line += n + (saved != '\0');
    }
}

/* The lines of /proc/PID/status a student asks about, "Key:\tvalue\n". */
static void read_status(struct engine *e, pid_t pid, struct model_proc_detail *d)
{
    static const char *const keys[] = {"Name:",
                                       "State:",
                                       "Tgid:",
                                       "Pid:",
                                       "PPid:",
                                       "Uid:",
                                       "Gid:",
                                       "VmSize:",
                                       "VmRSS:",
                                       "Threads:",
                                       "SigQ:",
                                       "SigPnd:",
                                       "ShdPnd:",
                                       "SigBlk:",
                                       "SigIgn:",
                                       "SigCgt:",
                                       "voluntary_ctxt_switches:",
                                       "nonvoluntary_ctxt_switches:",
                                       NULL};
    char buf[4096];
    if (read_whole(e->procfd, pid, "status", buf, sizeof buf) < 0) {
        d->status_err = errno ? errno : EIO;
        return;
    }
    size_t off = 0;
    for (char *line = buf, *nl; line && *line; line = nl ? nl + 1 : NULL) {
        nl = strchr(line, '\n');
        if (nl)
            *nl = '\0';
        for (int k = 0; keys[k]; k++) {
            size_t kl = strlen(keys[k]);
            if (strncmp(line, keys[k], kl) != 0)
                continue;
            char *v = line + kl;
            v += strspn(v, " \t");
            for (char *c = v; *c; c++)
                if (*c == '\t')
                    *c = ' ';
            int w = snprintf(d->status + off, sizeof d->status - off, "%s\t%s\n", keys[k], v);
            if (w > 0 && off + (size_t)w < sizeof d->status)
                off += (size_t)w;
        }
    }
    d->status[off] = '\0';
}

static void detail_proc(struct engine *e, pid_t pid)
{
    static struct record r;
    record_init(&r, REC_DETAIL_PROC, engine_now(e));
    struct model_proc_detail *d = &r.u.detail;
    d->pid = pid;
    if (read_whole(e->procfd, pid, "wchan", d->wchan, sizeof d->wchan) <= 0 ||
        strcmp(d->wchan, "0") == 0)
        memset(d->wchan, 0, sizeof d->wchan);
    if (pid != e->self && read_whole(e->procfd, pid, "syscall", d->syscall, sizeof d->syscall) > 0)
        d->syscall[strcspn(d->syscall, "\n")] = '\0';
    else
        memset(d->syscall, 0, sizeof d->syscall);
    read_status(e, pid, d);
    read_fds(e, pid, d);
    read_attachments(e, pid, d);
    engine_emit(e, &r);
}

/* Which of our processes have segment i mapped (from their maps). */
static void detail_mappers(struct engine *e, int i)
{
    static char maps[16384];
    const struct model *m = e->m;
    const struct model_shmseg *ms = &m->shmsegs[i];
    struct record r;
    record_init(&r, REC_DETAIL_SHM, engine_now(e));
    r.u.mapped.index = i;
    for (int k = 0; k < e->nchildren && r.u.mapped.n < MODEL_MAX_MAPPERS; k++) {
        const struct child *c = &e->children[k];
        if (c->reaped || c->model_idx < 0 ||
            read_whole(e->procfd, c->pid, "maps", maps, sizeof maps) < 0)
            continue;
        bool has = false;
        if (ms->kind != SHM_SYSV) {
            const char *key = ms->kind == SHM_POSIX ? ms->name : "/dev/zero";
            has = key[0] && strstr(maps, key);
        }
        for (char *line = maps; ms->kind == SHM_SYSV && !has && (line = strstr(line, "SYSV"));) {
            char *bol = line;
            while (bol > maps && bol[-1] != '\n')
                bol--;
            unsigned long ino = 0;
            has = sscanf(bol, "%*s %*s %*s %*s %lu", &ino) == 1 && ino == (unsigned long)ms->shmid;
            line += 4;
        }
        if (has)
            r.u.mapped.pids[r.u.mapped.n++] = c->pid;
    }
    engine_emit(e, &r);
}

void sampler_detail(struct engine *e)
{
    struct engine_watch *w = &e->watch;
    if (!w->until_ns || events_now_ns() > w->until_ns)
        return;
    if (w->pid && (e->active || w->pid == e->self))
        detail_proc(e, w->pid);
    for (int i = 0; e->active && i < e->m->nshmsegs; i++)
        if (w->shm & (1u << i))
            detail_mappers(e, i);
}

void engine_watch(struct engine *e, const char *what)
{
    memset(&e->watch, 0, sizeof e->watch);
    if (!what || !model_inspect_target(e->m, what, &e->watch.pid, &e->watch.shm))
        return;
    e->watch.until_ns = events_now_ns() + WATCH_NS;
}

int engine_inspect(struct engine *e, const char *what, char *title, size_t titlelen, char *out,
                   size_t outlen, char *err, size_t errlen)
{
    engine_watch(e, what);
    sampler_detail(e); /* a fresh look now, not at the next sample */
    pid_t pid;
    unsigned shm;
    if (model_inspect_target(e->m, what, &pid, &shm) || !what[0] || strchr("sm", what[0]))
        return model_inspect(e->m, what, title, titlelen, out, outlen, err, errlen);
    engine_sys_sample(e); /* not the run's: what the whole system shows now (watch.h) */
    return sysipc_inspect(&e->m->sys, what, title, titlelen, out, outlen, err, errlen);
}
