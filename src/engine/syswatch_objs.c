/* syswatch_objs.c — the objects of one watch sample: System V ones from
 * /proc/sysvipc (every object, whatever its mode, as ipcs reads them), then
 * semctl for the values and counts of each semaphore and msgctl for a
 * queue's qbytes (the two things /proc/sysvipc does not say); POSIX shared
 * memory and queues from their directories; the limits `ipcs -l` shows.
 * An object removed between two reads is left out, never half-told. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/msg.h>
#include <sys/sem.h>
#include <sys/stat.h>
#include <unistd.h>

#include "syswatch_internal.h"
#include "sysv.h"

ssize_t sw_read_file(struct syswatch *w, int dirfd, const char *path)
{
    int fd = openat(dirfd, path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    size_t len = 0;
    for (;;) {
        if (len + 4096 + 1 > w->cap) {
            size_t cap = w->cap ? w->cap * 2 : 65536;
            char *b = realloc(w->buf, cap);
            if (!b)
                break;
            w->buf = b;
            w->cap = cap;
        }
        ssize_t n = read(fd, w->buf + len, w->cap - len - 1);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            int err = errno;
            close(fd);
            if (n < 0) {
                errno = err;
                return -1;
            }
            break;
        }
        len += (size_t)n;
    }
    if (!w->buf)
        return -1;
    w->buf[len] = '\0';
    return (ssize_t)len;
}

const char *sw_owner(struct syswatch *w, uint32_t uid)
{
    for (int i = 0; i < w->nuids; i++)
        if (w->uids[i].uid == uid)
            return w->uids[i].name;
    struct sw_uid *u = w->nuids < SW_MAX_UIDS ? &w->uids[w->nuids++] : &w->uids[0];
    struct passwd pw, *res = NULL;
    char buf[1024];
    u->uid = uid;
    if (getpwuid_r(uid, &pw, buf, sizeof buf, &res) == 0 && res)
        snprintf(u->name, sizeof u->name, "%s", res->pw_name);
    else
        snprintf(u->name, sizeof u->name, "%u", uid);
    return u->name;
}

int syswatch_parse_sem(const char *line, struct sys_obj *o)
{
    int key, id;
    unsigned mode, uid, gid, cuid, cgid;
    unsigned long nsems;
    long long otime, ctime;
    if (sscanf(line, "%d %d %o %lu %u %u %u %u %lld %lld", &key, &id, &mode, &nsems, &uid, &gid,
               &cuid, &cgid, &otime, &ctime) != 10 ||
        id < 0)
        return -1;
    memset(o, 0, sizeof *o);
    *o = (struct sys_obj){.kind = SYS_SEM,
                          .id = id,
                          .key = (uint32_t)key,
                          .uid = uid,
                          .gid = gid,
                          .cuid = cuid,
                          .cgid = cgid,
                          .mode = mode,
                          .ctime = ctime,
                          .nsems = (int32_t)nsems,
                          .otime = otime,
                          .qbytes = -1};
    return 0;
}

int syswatch_parse_msg(const char *line, struct sys_obj *o)
{
    int key, id, lspid, lrpid;
    unsigned mode, uid, gid, cuid, cgid;
    unsigned long long cbytes, qnum;
    long long stime, rtime, ctime;
    if (sscanf(line, "%d %d %o %llu %llu %d %d %u %u %u %u %lld %lld %lld", &key, &id, &mode,
               &cbytes, &qnum, &lspid, &lrpid, &uid, &gid, &cuid, &cgid, &stime, &rtime,
               &ctime) != 14 ||
        id < 0)
        return -1;
    memset(o, 0, sizeof *o);
    *o = (struct sys_obj){.kind = SYS_MSG,
                          .id = id,
                          .key = (uint32_t)key,
                          .uid = uid,
                          .gid = gid,
                          .cuid = cuid,
                          .cgid = cgid,
                          .mode = mode,
                          .ctime = ctime,
                          .cbytes = (int64_t)cbytes,
                          .qnum = (int64_t)qnum,
                          .qbytes = -1,
                          .lspid = lspid,
                          .lrpid = lrpid,
                          .stime = stime,
                          .rtime = rtime};
    return 0;
}

int syswatch_parse_shm(const char *line, struct sys_obj *o)
{
    int key, id, cpid, lpid;
    unsigned mode, uid, gid, cuid, cgid;
    unsigned long long size, nattch;
    long long atime, dtime, ctime;
    if (sscanf(line, "%d %d %o %llu %d %d %llu %u %u %u %u %lld %lld %lld", &key, &id, &mode, &size,
               &cpid, &lpid, &nattch, &uid, &gid, &cuid, &cgid, &atime, &dtime, &ctime) != 14 ||
        id < 0)
        return -1;
    memset(o, 0, sizeof *o);
    *o = (struct sys_obj){.kind = SYS_SHM,
                          .id = id,
                          .key = (uint32_t)key,
                          .uid = uid,
                          .gid = gid,
                          .cuid = cuid,
                          .cgid = cgid,
                          .mode = mode,
                          .ctime = ctime,
                          .segsz = size,
                          .nattch = (int64_t)nattch,
                          .cpid = cpid,
                          .lpid = lpid,
                          .atime = atime,
                          .dtime = dtime,
                          .qbytes = -1};
    return 0;
}

static struct sys_obj *new_obj(struct syswatch *w)
{
    if (w->nobjs >= SYSIPC_MAX_OBJS) {
        w->dropped++;
        return NULL;
    }
    if (w->nobjs >= w->objs_cap) {
        int cap = w->objs_cap ? w->objs_cap * 2 : 64;
        struct sys_obj *o = realloc(w->objs, (size_t)cap * sizeof *o);
        if (!o)
            return NULL;
        w->objs = o;
        w->objs_cap = cap;
    }
    return &w->objs[w->nobjs];
}

/* Values, counts and last pids of each semaphore, as ipcs -i asks for them
 * (GETVAL, GETNCNT, GETZCNT, GETPID), values in one GETALL. -1: the set is
 * gone. A refusal is kept as "no permission". */
static int sem_details(struct syswatch *w, struct sys_obj *o)
{
    int n = o->nsems < SYSIPC_SEMS ? o->nsems : SYSIPC_SEMS;
    union semun arg = {.array = w->semvals};
    if (o->nsems <= 0 || o->nsems > 65535)
        return 0;
    if (semctl(o->id, 0, GETALL, arg) < 0) {
        if (errno == EINVAL || errno == EIDRM)
            return -1;
        o->detail_err = SYS_ERR_PERM;
        return 0;
    }
    for (int k = 0; k < n; k++) {
        o->sem[k].val = w->semvals[k];
        int nc = semctl(o->id, k, GETNCNT);
        int zc = nc < 0 ? -1 : semctl(o->id, k, GETZCNT);
        int pid = zc < 0 ? -1 : semctl(o->id, k, GETPID);
        if (pid < 0)
            return errno == EINVAL || errno == EIDRM ? -1 : (o->detail_err = SYS_ERR_PERM, 0);
        o->sem[k].ncnt = nc;
        o->sem[k].zcnt = zc;
        o->sem[k].pid = pid;
    }
    o->nvals = n;
    return 0;
}

/* qbytes: IPC_STAT needs read permission; MSG_STAT_ANY (Linux 4.17) does
 * not, but takes the slot index: the id it returns must be ours. */
static int msg_details(struct sys_obj *o)
{
    struct msqid_ds ds;
    if (msgctl(o->id, IPC_STAT, &ds) == 0) {
        o->qbytes = (int64_t)ds.msg_qbytes;
        return 0;
    }
    if (errno == EINVAL || errno == EIDRM)
        return -1;
#ifdef MSG_STAT_ANY
    if (msgctl(o->id & 0x7fff, MSG_STAT_ANY, &ds) == o->id) {
        o->qbytes = (int64_t)ds.msg_qbytes;
        return 0;
    }
#endif
    o->detail_err = SYS_ERR_PERM;
    return 0;
}

static void read_sysv(struct syswatch *w, int kind, const char *path)
{
    if (sw_read_file(w, w->procfd, path) < 0)
        return;
    char *save = NULL;
    char *line = strtok_r(w->buf, "\n", &save); /* the header */
    while (line && (line = strtok_r(NULL, "\n", &save))) {
        struct sys_obj *o = new_obj(w);
        if (!o)
            continue;
        int rc = kind == SYS_SEM   ? syswatch_parse_sem(line, o)
                 : kind == SYS_MSG ? syswatch_parse_msg(line, o)
                                   : syswatch_parse_shm(line, o);
        if (rc < 0)
            continue;
        if (kind == SYS_SEM && sem_details(w, o) < 0)
            continue; /* removed since /proc listed it */
        if (kind == SYS_MSG && msg_details(o) < 0)
            continue;
        snprintf(o->owner, sizeof o->owner, "%s", sw_owner(w, o->uid));
        for (int i = 0; i < w->nours[kind]; i++)
            o->ours |= w->ours[kind][i] == o->id;
        w->nobjs++;
    }
}

/* POSIX queues say their size in their file: "QSIZE:129 NOTIFY:0 ...". */
static void mq_details(struct syswatch *w, int dirfd, const char *name, struct sys_obj *o)
{
    if (sw_read_file(w, dirfd, name) < 0) {
        o->detail_err = SYS_ERR_PERM;
        return;
    }
    unsigned long long qsize;
    if (sscanf(w->buf, "QSIZE:%llu", &qsize) == 1)
        o->cbytes = (int64_t)qsize;
}

static void read_posix(struct syswatch *w, int kind, const char *dir)
{
    int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd < 0)
        return;
    int lfd = dup(dfd);
    DIR *d = lfd >= 0 ? fdopendir(lfd) : NULL;
    if (!d) {
        if (lfd >= 0)
            close(lfd);
        close(dfd);
        return;
    }
    struct dirent *de;
    while ((de = readdir(d))) {
        struct stat st;
        if (de->d_name[0] == '.' || fstatat(dfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 ||
            !S_ISREG(st.st_mode))
            continue;
        struct sys_obj *o = new_obj(w);
        if (!o)
            continue;
        memset(o, 0, sizeof *o);
        *o = (struct sys_obj){.kind = kind,
                              .id = -1,
                              .uid = st.st_uid,
                              .gid = st.st_gid,
                              .cuid = st.st_uid,
                              .cgid = st.st_gid,
                              .mode = st.st_mode & 07777,
                              .ctime = st.st_ctime,
                              .segsz = (uint64_t)st.st_size,
                              .qbytes = -1};
        snprintf(o->name, sizeof o->name, "%.47s", de->d_name);
        if (kind == SYS_PMQ)
            mq_details(w, dfd, de->d_name, o);
        snprintf(o->owner, sizeof o->owner, "%s", sw_owner(w, o->uid));
        w->nobjs++;
    }
    closedir(d);
    close(dfd);
}

void sw_read_objects(struct syswatch *w)
{
    w->nobjs = 0;
    w->dropped = 0;
    read_sysv(w, SYS_SEM, "sysvipc/sem");
    read_sysv(w, SYS_MSG, "sysvipc/msg");
    read_sysv(w, SYS_SHM, "sysvipc/shm");
    read_posix(w, SYS_PSHM, w->devshm);
    read_posix(w, SYS_PMQ, w->devmq);
}

static int read_u64(struct syswatch *w, const char *path, uint64_t *v)
{
    unsigned long long x;
    if (sw_read_file(w, w->procfd, path) < 0 || sscanf(w->buf, "%llu", &x) != 1)
        return -1;
    *v = x;
    return 0;
}

int syswatch_limits(struct syswatch *w, struct sys_limits *l)
{
    memset(l, 0, sizeof *l);
    unsigned long long msl, mns, opm, mni;
    int bad = read_u64(w, "sys/kernel/msgmni", &l->msgmni) |
              read_u64(w, "sys/kernel/msgmax", &l->msgmax) |
              read_u64(w, "sys/kernel/msgmnb", &l->msgmnb) |
              read_u64(w, "sys/kernel/shmmni", &l->shmmni) |
              read_u64(w, "sys/kernel/shmmax", &l->shmmax) |
              read_u64(w, "sys/kernel/shmall", &l->shmall);
    if (sw_read_file(w, w->procfd, "sys/kernel/sem") < 0 ||
        sscanf(w->buf, "%llu %llu %llu %llu", &msl, &mns, &opm, &mni) != 4)
        bad = -1;
    else
        *l = (struct sys_limits){.msgmni = l->msgmni,
                                 .msgmax = l->msgmax,
                                 .msgmnb = l->msgmnb,
                                 .shmmni = l->shmmni,
                                 .shmmax = l->shmmax,
                                 .shmall = l->shmall,
                                 .semmsl = msl,
                                 .semmns = mns,
                                 .semopm = opm,
                                 .semmni = mni};
    l->shmmin = 1;
    l->semvmx = 32767; /* SEMVMX: a constant of the kernel */
    long pg = sysconf(_SC_PAGESIZE);
    l->pagesize = pg > 0 ? (uint64_t)pg : 4096;
    return bad ? -1 : 0;
}
