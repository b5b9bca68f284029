/* journal.c — see journal.h. A journal is a header line
 *   "ipcplay-journal 1 GPID GSTART DPID DSTART IPCNS"
 * (IPCNS: the IPC namespace's inode; ids mean nothing in another namespace)
 * then objlines (objline.h). The directory is opened once, without following
 * a link, and checked by its fd: ours, mode 0700, in a parent that no other
 * user can rename it out of. Everything after that is done relative to that
 * fd (openat, unlinkat, renameat, fdopendir), so swapping the directory for a
 * link later changes nothing. A journal is believed only as far as its form:
 * names must be exactly of the forms ipcplay makes, and an object is removed
 * only when the kernel's own record of it (creator, mode, key, ctime, for
 * shared memory the creator pid) matches the journal's. */
#include "journal.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/msg.h>
#include <sys/sem.h>
#include <sys/shm.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "objline.h"
#include "registry.h"
#include "sysv.h"
#include "../model/i18n.h"

#define JOURNAL_MAX_BYTES (1 << 20) /* a journal larger than this is not one of ours */

static int jdir = -2;           /* -2 not opened yet, -1 refused */
static char jdirpath[PATH_MAX]; /* where it really is (for messages and the guardian) */
static char jwarn[512];
static int jfd = -1;
static char jname[64], jpath[PATH_MAX + 64];
static char jhead[160];
static int jlines; /* lines in the file now */

const char *journal_warning(void)
{
    return jwarn[0] ? jwarn : NULL;
}

/* A parent no other user can rename our directory out of: owned by us or
 * root, and writable by nobody else unless sticky (like /tmp). */
static int parent_safe(int pfd, const char *path)
{
    struct stat st;
    if (fstat(pfd, &st) < 0)
        return -1;
    uid_t me = geteuid();
    if (st.st_uid != me && st.st_uid != 0) {
        snprintf(jwarn, sizeof jwarn, _("%s belongs to uid %d, not to you"), path, (int)st.st_uid);
        return -1;
    }
    if ((st.st_mode & 0022) && !(st.st_mode & S_ISVTX)) {
        snprintf(jwarn, sizeof jwarn, _("%s is writable by others"), path);
        return -1;
    }
    return 0;
}

/* Open (creating it if need be) leaf in the directory at base, and check it
 * by its fd. An fd, or -1 with the reason in jwarn. */
static int open_in(const char *base, const char *leaf)
{
    int pfd = open(base, O_DIRECTORY | O_RDONLY | O_CLOEXEC);
    if (pfd < 0) {
        snprintf(jwarn, sizeof jwarn, _("cannot open %s: %s"), base, strerror(errno));
        return -1;
    }
    int fd = -1;
    if (parent_safe(pfd, base) == 0) {
        if (mkdirat(pfd, leaf, 0700) < 0 && errno != EEXIST) {
            snprintf(jwarn, sizeof jwarn, _("cannot create %s/%s: %s"), base, leaf,
                     strerror(errno));
        } else if ((fd = openat(pfd, leaf, O_DIRECTORY | O_RDONLY | O_NOFOLLOW | O_CLOEXEC)) < 0) {
            snprintf(jwarn, sizeof jwarn, _("%s/%s is %s"), base, leaf,
                     errno == ELOOP || errno == ENOTDIR ? "a link or not a directory"
                                                        : strerror(errno));
        } else {
            struct stat st;
            if (fstat(fd, &st) < 0 || st.st_uid != geteuid() || (st.st_mode & 0077)) {
                snprintf(jwarn, sizeof jwarn,
                         _("%s/%s is not yours alone (owner uid %d, mode %03o)"), base, leaf,
                         (int)st.st_uid, (unsigned)(st.st_mode & 0777));
                close(fd);
                fd = -1;
            }
        }
    }
    close(pfd);
    return fd;
}

int journal_dir_fd(void)
{
    if (jdir != -2)
        return jdir;
    jdir = -1;
    char tmpleaf[32];
    snprintf(tmpleaf, sizeof tmpleaf, "ipcplay-%d", (int)geteuid());
    const char *rt = getenv("XDG_RUNTIME_DIR");
    char why[sizeof jwarn] = "";
    if (rt && rt[0] == '/') {
        jdir = open_in(rt, "ipcplay");
        if (jdir < 0)
            snprintf(why, sizeof why, "%s", jwarn);
    }
    if (jdir < 0)
        jdir = open_in("/tmp", tmpleaf);
    char link[64];
    snprintf(link, sizeof link, "/proc/self/fd/%d", jdir);
    ssize_t n = jdir >= 0 ? readlink(link, jdirpath, sizeof jdirpath - 1) : -1;
    if (jdir >= 0 && (n <= 0 || (size_t)n >= sizeof jdirpath - 1)) {
        close(jdir);
        jdir = -1;
    }
    if (jdir >= 0) {
        jdirpath[n] = '\0';
        if (why[0])
            snprintf(jwarn, sizeof jwarn,
                     _("journal not kept under XDG_RUNTIME_DIR (%.200s): using %.200s"), why,
                     jdirpath);
        else
            jwarn[0] = '\0';
    } else {
        char last[sizeof jwarn];
        snprintf(last, sizeof last, "%s", jwarn);
        snprintf(
            jwarn, sizeof jwarn,
            _("no journal (%.160s%s%.160s): if ipcplay and its guardian are killed together, their "
              "objects stay until removed by hand"),
            why, why[0] ? "; " : "", last);
    }
    return jdir;
}

/* Field 22 of /proc/PID/stat: start time in clock ticks since boot; 0 when the
 * process is gone or a zombie. */
static unsigned long long start_time(pid_t pid)
{
    char path[64], buf[1024];
    snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return 0;
    ssize_t n = read(fd, buf, sizeof buf - 1);
    close(fd);
    if (n <= 0)
        return 0;
    buf[n] = '\0';
    char *p = strrchr(buf, ')');
    if (!p || p[1] != ' ' || p[2] == 'Z' || p[2] == 'X')
        return 0; /* a zombie is dead: it holds nothing */
    p++;
    for (int field = 3; field < 22 && p; field++)
        p = strchr(p + 1, ' ');
    return p ? strtoull(p + 1, NULL, 10) : 0;
}

static unsigned long long ipc_ns_of(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 ? (unsigned long long)st.st_ino : 0;
}

const char *journal_path(void)
{
    return jfd >= 0 ? jpath : NULL;
}

static int write_line(int fd, const char *s, size_t n)
{
    while (n > 0) {
        ssize_t w = write(fd, s, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return -1;
        s += w;
        n -= (size_t)w;
    }
    return 0;
}

int journal_open(pid_t guardian)
{
    int dfd = journal_dir_fd();
    if (dfd < 0)
        return -1;
    pid_t self = getpid();
    snprintf(jname, sizeof jname, "run-%d.journal", (int)self);
    snprintf(jpath, sizeof jpath, "%s/%s", jdirpath, jname);
    jfd =
        openat(dfd, jname, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (jfd < 0)
        return -1;
    snprintf(jhead, sizeof jhead, "ipcplay-journal 1 %d %llu %d %llu %llu\n", (int)guardian,
             guardian > 0 ? start_time(guardian) : 0ULL, (int)self, start_time(self),
             ipc_ns_of("/proc/self/ns/ipc"));
    jlines = 1;
    if (write_line(jfd, jhead, strlen(jhead)) < 0) {
        close(jfd);
        jfd = -1;
        unlinkat(dfd, jname, 0);
        return -1;
    }
    return 0;
}

static bool journaled(int kind)
{
    return kind != REG_PID && kind != REG_PGID && kind != REG_JOURNAL;
}

void journal_add(const struct objent *e)
{
    char line[OBJ_LINE];
    int n;
    if (jfd < 0 || !journaled(e->kind) || (n = objline_format(line, sizeof line, '+', e)) < 0)
        return;
    if (write_line(jfd, line, (size_t)n) == 0)
        jlines++;
}

/* Write the live entries to a new file and rename it over the journal, so
 * a long session's journal stays as short as what it holds. */
static void compact(const struct objtab *live)
{
    char tmp[80];
    snprintf(tmp, sizeof tmp, "%s.new", jname);
    int fd =
        openat(jdir, tmp, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0)
        return;
    int lines = 1, rc = write_line(fd, jhead, strlen(jhead));
    for (int i = 0; rc == 0 && i < live->n; i++) {
        char line[OBJ_LINE];
        int n;
        if (!journaled(live->ents[i].kind) ||
            (n = objline_format(line, sizeof line, '+', &live->ents[i])) < 0)
            continue;
        rc = write_line(fd, line, (size_t)n);
        lines++;
    }
    if (rc < 0 || renameat(jdir, tmp, jdir, jname) < 0) {
        close(fd);
        unlinkat(jdir, tmp, 0);
        return;
    }
    close(jfd);
    jfd = fd;
    jlines = lines;
}

void journal_forget(const struct objent *e, const struct objtab *live)
{
    char line[OBJ_LINE];
    int n;
    if (jfd < 0 || !journaled(e->kind) || (n = objline_format(line, sizeof line, '-', e)) < 0)
        return;
    if (write_line(jfd, line, (size_t)n) == 0)
        jlines++;
    if (jlines > 64 + 2 * live->n)
        compact(live);
}

int journal_lines(void)
{
    return jfd >= 0 ? jlines : 0;
}

void journal_remove(void)
{
    if (jfd < 0)
        return;
    close(jfd);
    jfd = -1;
    unlinkat(jdir, jname, 0);
    /* The directory goes too when no other run uses it — if the name in its
     * parent is still the directory we opened. */
    char *slash = strrchr(jdirpath, '/');
    if (!slash)
        return;
    *slash = '\0';
    int pfd = open(jdirpath[0] ? jdirpath : "/", O_DIRECTORY | O_RDONLY | O_CLOEXEC);
    *slash = '/';
    struct stat a, b;
    if (pfd >= 0 && fstat(jdir, &a) == 0 && fstatat(pfd, slash + 1, &b, AT_SYMLINK_NOFOLLOW) == 0 &&
        a.st_dev == b.st_dev && a.st_ino == b.st_ino)
        unlinkat(pfd, slash + 1, AT_REMOVEDIR);
    if (pfd >= 0)
        close(pfd);
}

int journal_parse(const char *text, size_t len, struct journal_head *h, struct objtab *t)
{
    const char *nl = memchr(text, '\n', len);
    if (!nl)
        return -1;
    char head[160];
    size_t hl = (size_t)(nl - text);
    if (hl >= sizeof head || memchr(text, '\0', hl))
        return -1;
    memcpy(head, text, hl);
    head[hl] = '\0';
    int used = 0;
    memset(h, 0, sizeof *h);
    if (sscanf(head, "ipcplay-journal 1 %d %llu %d %llu %llu%n", &h->gpid, &h->gstart, &h->dpid,
               &h->dstart, &h->ipcns, &used) != 5 ||
        used != (int)hl || h->dpid <= 1 || h->gpid < 0)
        return -1;
    t->n = 0;
    int bad = 0;
    for (const char *p = nl + 1; p < text + len;) {
        const char *e = memchr(p, '\n', (size_t)(text + len - p));
        size_t ll = e ? (size_t)(e - p) : (size_t)(text + len - p);
        struct objent ent;
        char verb;
        if (!e) {
            bad++; /* cut off mid-line: a write that did not finish */
        } else if (objline_parse(p, ll, &verb, &ent) < 0 || ent.kind == REG_PID ||
                   ent.kind == REG_PGID || ent.kind == REG_JOURNAL) {
            bad++;
        } else if (verb == '+') {
            if (objtab_add(t, &ent) < 0)
                bad++;
        } else {
            objtab_remove(t, ent.kind, ent.id, ent.name);
        }
        p += ll + 1;
    }
    return bad;
}

/* Is this object still the one the dead run created? The kernel's own record
 * must match: created by the journal's owner (us), IPC_PRIVATE, mode 0600,
 * the ctime the journal noted, and for shared memory the dashboard as
 * creator; a name must carry the dead dashboard's pid. A keyed System V
 * object's name carries its key and mode, which must match too. */
static bool provably_ours(const struct objent *e, pid_t dash)
{
    uid_t me = geteuid();
    long long s = e->stamp;
    switch (e->kind) {
    case REG_SEM:
    case REG_MSG:
    case REG_SHM: {
        /* A keyed object: its key, and the mode it was made with (0600) or
         * given after (the name's); someone else's object with the same key
         * differs in id, creator or ctime. */
        struct sysv_stat st;
        unsigned key = 0, mode = 0600;
        if (e->name[0] && !objline_sysv_key(e->name, &key, &mode))
            return false;
        return sysv_stat(e->kind, (int)e->id, &st) == 0 && (unsigned)st.key == key &&
               st.cuid == me && (st.mode == 0600 || st.mode == mode) && st.ctime >= s &&
               st.ctime <= s + 5 && (e->kind != REG_SHM || st.cpid == dash);
    }
    case REG_POSIX_SHM: {
        if (objline_name_pid(e->kind, e->name) != dash)
            return false;
        int fd = shm_open(e->name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC, 0);
        struct stat st;
        bool ok = fd >= 0 && fstat(fd, &st) == 0 && st.st_uid == me && S_ISREG(st.st_mode);
        if (fd >= 0)
            close(fd);
        return ok;
    }
    case REG_PATH:
    case REG_DIR: return objline_name_pid(e->kind, e->name) == dash;
    default: return false;
    }
}

/* Is some process still in the IPC namespace with this inode? A namespace no
 * process is in is gone, and its objects with it. */
static bool ipc_ns_alive(unsigned long long ino)
{
    DIR *d = opendir("/proc");
    if (!d)
        return true;
    bool alive = false;
    struct dirent *de;
    while (!alive && (de = readdir(d))) {
        if (de->d_name[0] < '1' || de->d_name[0] > '9')
            continue;
        char path[300];
        snprintf(path, sizeof path, "/proc/%s/ns/ipc", de->d_name);
        alive = ipc_ns_of(path) == ino;
    }
    closedir(d);
    return alive;
}

struct sweep_totals {
    int removed, runs, foreign, unreadable, kept;
    char what[160];
};

/* Read a journal file into buf; -1 when it is not a plain file of ours. */
static ssize_t read_journal(const char *name, char *buf, size_t cap)
{
    int fd = openat(jdir, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0)
        return -1;
    struct stat st;
    if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_uid != geteuid() || st.st_nlink != 1 ||
        (st.st_mode & 0077) || st.st_size >= (off_t)cap) {
        close(fd);
        return -1;
    }
    size_t have = 0;
    for (;;) {
        ssize_t n = read(fd, buf + have, cap - 1 - have);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        have += (size_t)n;
    }
    close(fd);
    buf[have] = '\0';
    return (ssize_t)have;
}

/* "run-PID.journal" or "run-PID.journal.new": the pid, else 0. */
static pid_t journal_name_pid(const char *name, bool *partial)
{
    int pid = 0, used = 0;
    if (sscanf(name, "run-%9d.journal%n", &pid, &used) != 1 || pid <= 1)
        return 0;
    *partial = strcmp(name + used, ".new") == 0;
    return name[used] == '\0' || *partial ? (pid_t)pid : 0;
}

static void sweep_file(const char *name, struct sweep_totals *tot)
{
    static struct objent ents[REG_MAX];
    static char buf[JOURNAL_MAX_BYTES];
    struct objtab t = {ents, 0, REG_MAX};
    bool partial = false;
    pid_t fpid = journal_name_pid(name, &partial);
    if (!fpid)
        return;
    ssize_t n = read_journal(name, buf, sizeof buf);
    struct journal_head h;
    if (n < 0 || partial || journal_parse(buf, (size_t)n, &h, &t) < 0 || h.dpid != fpid) {
        /* Not a journal we can read: gone once its dashboard provably is. */
        char path[64];
        snprintf(path, sizeof path, "/proc/%d", (int)fpid);
        if (access(path, F_OK) == 0) {
            tot->kept++;
        } else if (unlinkat(jdir, name, 0) == 0 && !partial) {
            tot->unreadable++;
            snprintf(tot->what, sizeof tot->what, "%.63s", name);
        }
        return;
    }
    /* A live run (its dashboard or its guardian still there) is not ours to touch. */
    unsigned long long ds = start_time(h.dpid), gs = h.gpid > 0 ? start_time(h.gpid) : 0;
    if ((ds && ds == h.dstart) || (gs && gs == h.gstart))
        return;
    bool here = h.ipcns == ipc_ns_of("/proc/self/ns/ipc");
    if (!here && ipc_ns_alive(h.ipcns))
        return; /* a run in that namespace will sweep it */
    int removed = 0;
    for (int pass = 0; pass < 2; pass++)
        for (int i = t.n - 1; i >= 0; i--) {
            const struct objent *e = &t.ents[i];
            if ((pass == 0) == (e->kind == REG_DIR))
                continue;
            bool sysv = e->kind == REG_SEM || e->kind == REG_MSG || e->kind == REG_SHM;
            if (sysv && !here) {
                tot->foreign++; /* went with its namespace */
                continue;
            }
            if (provably_ours(e, h.dpid) && registry_destroy(e->kind, e->id, e->name) == 0)
                removed++;
        }
    unlinkat(jdir, name, 0);
    if (removed > 0) {
        tot->removed += removed;
        tot->runs++;
    }
}

int journal_sweep(char *note, size_t len)
{
    if (note && len)
        note[0] = '\0';
    int dfd = journal_dir_fd();
    if (dfd < 0)
        return 0;
    int dup_fd = fcntl(dfd, F_DUPFD_CLOEXEC, 0);
    DIR *d = dup_fd >= 0 ? fdopendir(dup_fd) : NULL;
    if (!d) {
        if (dup_fd >= 0)
            close(dup_fd);
        return 0;
    }
    struct sweep_totals tot;
    memset(&tot, 0, sizeof tot);
    char names[64][64];
    int nn = 0;
    struct dirent *de;
    while ((de = readdir(d)) && nn < 64)
        if (strncmp(de->d_name, "run-", 4) == 0 && strlen(de->d_name) < sizeof names[0])
            snprintf(names[nn++], sizeof names[0], "%.63s", de->d_name);
    closedir(d);
    for (int i = 0; i < nn; i++)
        sweep_file(names[i], &tot);
    if (note && len) {
        size_t at = 0;
        if (tot.removed > 0)
            at += (size_t)snprintf(note, len,
                                   _("removed %d object(s) left by %d earlier run(s) that were "
                                     "killed with their guardian"),
                                   tot.removed, tot.runs);
        if (tot.unreadable > 0 && at < len)
            at += (size_t)snprintf(note + at, len - at,
                                   _("%sremoved %d unreadable journal(s) of dead runs (%s)"),
                                   at ? "; " : "", tot.unreadable, tot.what);
        if (tot.foreign > 0 && at < len)
            snprintf(note + at, len - at,
                     _("%s%d System V object(s) of dead runs were in an IPC namespace that is "
                       "gone: the kernel removed them with it"),
                     at ? "; " : "", tot.foreign);
    }
    return tot.removed + tot.unreadable + tot.foreign;
}
