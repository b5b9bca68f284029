/* procfs_fd.h — /proc for fd tables: a pure parser for /proc/PID/fdinfo/N
 * text and for the exit code at the end of a stat line (unit-tested on
 * fixture files), and the listing of /proc/PID/fd through a kept-open
 * directory fd. Like procfs.h, the root is a directory fd. */
#ifndef IPCPLAY_PROCFS_FD_H
#define IPCPLAY_PROCFS_FD_H

#include <stddef.h>
#include <sys/types.h>

struct proc_fdinfo {
    long long pos;
    unsigned flags; /* octal in the file */
    int mnt_id;
    unsigned long ino; /* 0 when the kernel does not say */
    int scm_fds;       /* UNIX sockets: fds in flight; -1 when absent */
};

/* 0 on success, -1 if pos or flags is missing. */
int procfs_parse_fdinfo(const char *buf, size_t len, struct proc_fdinfo *out);
/* Field 52 of /proc/PID/stat (exit_code, a wait status), -1 if absent. */
int procfs_stat_exit_code(const char *buf, size_t len);
/* Shorten a /proc/PID/fd link for display: a path inside `dir` becomes its
 * name in dir; anything else is copied (truncated to len). */
void procfs_fd_target_short(const char *target, const char *dir, char *out, size_t len);

/* List the fd numbers in an open /proc/PID/fd directory (rewinds it).
 * Sorted ascending; returns how many (up to max), or -1. */
int procfs_list_fds(int dirfd, int *fds, int max);

#endif
