/* syswatch_internal.h — the state syswatch.c (processes, users, the sample)
 * and syswatch_objs.c (objects, limits) share. */
#ifndef IPCPLAY_SYSWATCH_INTERNAL_H
#define IPCPLAY_SYSWATCH_INTERNAL_H

#include <stdbool.h>
#include <sys/types.h>

#include "syswatch.h"

/* A process the walk knows. Its /proc/PID/syscall stays open: a pread costs
 * a third of open+read+close, and the fd belongs to that process, so a pid
 * reused by another process reads ESRCH instead of the newcomer's call. */
struct sw_proc {
    pid_t pid;
    int sysfd;      /* -1: not open (denied, or no fd left) */
    bool denied;    /* EACCES opening it: not ours to read */
    int denied_age; /* samples since the denial (retried now and then) */
    int statfd;     /* /proc/PID/comm, opened once a sample names it; -1 */
};

struct sw_uid {
    uint32_t uid;
    char name[24];
};

#define SW_MAX_OURS 16
#define SW_MAX_UIDS 64

struct syswatch {
    int procfd; /* the /proc root */
    char devshm[64], devmq[64];
    char *buf; /* file text */
    size_t cap;
    unsigned short *semvals; /* GETALL's array (up to SEMMSL) */
    struct sw_proc *procs;   /* sorted by pid, as /proc lists them */
    int nprocs, procs_cap;
    struct sw_uid uids[SW_MAX_UIDS];
    int nuids;
    int ours[3][SW_MAX_OURS]; /* System V ids of the run, per kind */
    int nours[3];
    uint64_t seq;
    /* objects of this sample (what users are matched against) */
    struct sys_obj *objs;
    int nobjs, objs_cap, dropped;
    /* attachers of the last scan, kept while nothing about the segments changed */
    uint64_t attach_sig;
    struct sys_use *attach;
    int nattach, attach_cap;
    int attach_missing, nomaps, maps_read;
};

/* syswatch_objs.c */
/* Read every object into w->objs (System V, then POSIX). */
void sw_read_objects(struct syswatch *w);
/* The user name of uid (cached), or the number. */
const char *sw_owner(struct syswatch *w, uint32_t uid);
/* Read a whole file at dirfd/path into w->buf; its length or -1 (errno). */
ssize_t sw_read_file(struct syswatch *w, int dirfd, const char *path);

#endif
