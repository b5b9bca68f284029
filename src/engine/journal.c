/* journal.c — see journal.h. Lines: a header
 *   "ipcplay-journal 1 GPID GSTART DPID DSTART IPCNS"
 * (IPCNS: the IPC namespace's inode; ids mean nothing in another namespace)
 * then "+ KIND ID NAME STAMP" when an object exists and "- KIND ID NAME" when
 * it is gone. STAMP is the object's ctime when registered. */
#include "journal.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
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

#include "registry.h"

static int jfd = -1;
static char jpath[256];

int journal_dir(char *buf, size_t len)
{
    const char *rt = getenv("XDG_RUNTIME_DIR");
    if (rt && *rt)
        snprintf(buf, len, "%s/ipcplay", rt);
    else
        snprintf(buf, len, "/tmp/ipcplay-%d", (int)geteuid());
    if (mkdir(buf, 0700) < 0 && errno != EEXIST)
        return -1;
    struct stat st;
    /* Never follow a link someone else planted; it must be our own 0700 dir. */
    if (lstat(buf, &st) < 0 || !S_ISDIR(st.st_mode) || st.st_uid != geteuid() ||
        (st.st_mode & 0077))
        return -1;
    return 0;
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
    for (int field = 3; field < 22 && p; field++) {
        p = strchr(p + 1, ' ');
    }
    return p ? strtoull(p + 1, NULL, 10) : 0;
}

static unsigned long long ipc_ns(void)
{
    struct stat st;
    return stat("/proc/self/ns/ipc", &st) == 0 ? (unsigned long long)st.st_ino : 0;
}

const char *journal_path(void)
{
    return jfd >= 0 ? jpath : NULL;
}

int journal_open(pid_t guardian)
{
    char dir[200];
    if (journal_dir(dir, sizeof dir) < 0)
        return -1;
    pid_t self = getpid();
    snprintf(jpath, sizeof jpath, "%s/run-%d.journal", dir, (int)self);
    jfd = open(jpath, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (jfd < 0)
        return -1;
    dprintf(jfd, "ipcplay-journal 1 %d %llu %d %llu %llu\n", (int)guardian,
            guardian > 0 ? start_time(guardian) : 0ULL, (int)self, start_time(self), ipc_ns());
    return 0;
}

static long long ctime_of(int kind, long id)
{
    switch (kind) {
    case REG_SEM: {
        struct semid_ds ds;
        union {
            int val;
            struct semid_ds *buf;
        } arg = {.buf = &ds};
        return semctl((int)id, 0, IPC_STAT, arg) == 0 ? (long long)ds.sem_ctime : -1;
    }
    case REG_SHM: {
        struct shmid_ds ds;
        return shmctl((int)id, IPC_STAT, &ds) == 0 ? (long long)ds.shm_ctime : -1;
    }
    case REG_MSG: {
        struct msqid_ds ds;
        return msgctl((int)id, IPC_STAT, &ds) == 0 ? (long long)ds.msg_ctime : -1;
    }
    default: return 0;
    }
}

void journal_add(int kind, long id, const char *name)
{
    if (jfd < 0 || kind == REG_PID || kind == REG_PGID)
        return;
    dprintf(jfd, "+ %c %ld %s %lld\n", kind, id, name && *name ? name : "-",
            ctime_of(kind, id));
}

void journal_forget(int kind, long id, const char *name)
{
    if (jfd < 0 || kind == REG_PID || kind == REG_PGID)
        return;
    dprintf(jfd, "- %c %ld %s\n", kind, id, name && *name ? name : "-");
}

void journal_remove(void)
{
    if (jfd < 0)
        return;
    close(jfd);
    jfd = -1;
    unlink(jpath);
    /* The directory goes too when no other run uses it. */
    char *slash = strrchr(jpath, '/');
    if (slash) {
        *slash = '\0';
        rmdir(jpath);
        *slash = '/';
    }
}

/* Is this object still the one the dead run created? */
static int provably_ours(int kind, long id, const char *name, long long stamp, pid_t dash)
{
    uid_t me = geteuid();
    switch (kind) {
    case REG_SEM: {
        struct semid_ds ds;
        union {
            int val;
            struct semid_ds *buf;
        } arg = {.buf = &ds};
        if (semctl((int)id, 0, IPC_STAT, arg) < 0)
            return 0;
        return ds.sem_perm.__key == IPC_PRIVATE && ds.sem_perm.cuid == me &&
               (ds.sem_perm.mode & 0777) == 0600 && ds.sem_ctime >= stamp &&
               ds.sem_ctime <= stamp + 5;
    }
    case REG_SHM: {
        struct shmid_ds ds;
        if (shmctl((int)id, IPC_STAT, &ds) < 0)
            return 0;
        return ds.shm_perm.__key == IPC_PRIVATE && ds.shm_perm.cuid == me &&
               (ds.shm_perm.mode & 0777) == 0600 && ds.shm_cpid == dash &&
               ds.shm_ctime >= stamp && ds.shm_ctime <= stamp + 5;
    }
    case REG_MSG: {
        struct msqid_ds ds;
        if (msgctl((int)id, IPC_STAT, &ds) < 0)
            return 0;
        return ds.msg_perm.__key == IPC_PRIVATE && ds.msg_perm.cuid == me &&
               (ds.msg_perm.mode & 0777) == 0600 && ds.msg_ctime >= stamp &&
               ds.msg_ctime <= stamp + 5;
    }
    case REG_POSIX_SHM:
    case REG_PATH:
    case REG_DIR:
        /* Our names carry "ipcplay" and the dashboard's pid. */
        if (!strstr(name, "ipcplay"))
            return 0;
        char pid[24];
        snprintf(pid, sizeof pid, "%d", (int)dash);
        return strstr(name, pid) != NULL;
    default: return 0;
    }
}

struct jent {
    int kind;
    long id;
    char name[108];
    long long stamp;
};

static int sweep_file(const char *path)
{
    FILE *f = fopen(path, "re");
    if (!f)
        return 0;
    char line[256];
    int gpid, dpid;
    unsigned long long gstart, dstart, ns;
    if (!fgets(line, sizeof line, f) ||
        sscanf(line, "ipcplay-journal 1 %d %llu %d %llu %llu", &gpid, &gstart, &dpid, &dstart,
               &ns) != 5 ||
        ns != ipc_ns()) {
        fclose(f);
        return 0;
    }
    /* A live run (its dashboard or its guardian still there) is not ours to touch. */
    if ((dpid > 0 && start_time(dpid) == dstart) || (gpid > 0 && gstart && start_time(gpid) == gstart)) {
        fclose(f);
        return -1;
    }
    static struct jent ents[512];
    int n = 0;
    while (fgets(line, sizeof line, f)) {
        char verb, kind, name[108];
        long id;
        long long stamp = 0;
        int got = sscanf(line, "%c %c %ld %107s %lld", &verb, &kind, &id, name, &stamp);
        if (got < 4)
            continue;
        const char *nm = strcmp(name, "-") == 0 ? "" : name;
        if (verb == '+' && n < 512) {
            ents[n].kind = kind;
            ents[n].id = id;
            snprintf(ents[n].name, sizeof ents[n].name, "%s", nm);
            ents[n].stamp = stamp;
            n++;
        } else if (verb == '-') {
            for (int i = n - 1; i >= 0; i--)
                if (ents[i].kind == kind && ents[i].id == id && strcmp(ents[i].name, nm) == 0) {
                    ents[i] = ents[--n];
                    break;
                }
        }
    }
    fclose(f);
    int removed = 0;
    for (int pass = 0; pass < 2; pass++)
        for (int i = n - 1; i >= 0; i--) {
            if ((pass == 0) == (ents[i].kind == REG_DIR))
                continue;
            if (provably_ours(ents[i].kind, ents[i].id, ents[i].name, ents[i].stamp, dpid) &&
                registry_destroy(ents[i].kind, ents[i].id, ents[i].name) == 0)
                removed++;
        }
    unlink(path);
    return removed;
}

int journal_sweep(char *note, size_t len)
{
    char dir[200];
    if (note && len)
        note[0] = '\0';
    if (journal_dir(dir, sizeof dir) < 0)
        return 0;
    DIR *d = opendir(dir);
    if (!d)
        return 0;
    int total = 0, runs = 0;
    struct dirent *de;
    while ((de = readdir(d))) {
        if (strncmp(de->d_name, "run-", 4) != 0)
            continue;
        char path[512];
        snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
        int r = sweep_file(path);
        if (r > 0) {
            total += r;
            runs++;
        }
    }
    closedir(d);
    if (total > 0 && note)
        snprintf(note, len,
                 "removed %d object(s) left by %d earlier run(s) that were killed with their guardian",
                 total, runs);
    return total;
}
