/* procfs.h — pure parsers for the text of /proc/PID/stat and /proc/PID/syscall,
 * and the only place that opens /proc. The root is a directory fd, so tests
 * point it at tests/fixtures instead of the real /proc. */
#ifndef IPCPLAY_PROCFS_H
#define IPCPLAY_PROCFS_H

#include <stddef.h>
#include <sys/types.h>

struct proc_stat {
    pid_t pid;
    char comm[32];
    char state;
    pid_t ppid;
    pid_t pgrp;
    unsigned long minflt, majflt;
    unsigned long long utime, stime;
    long rss_pages;
};

#define PROC_SYSCALL_USER (-1L)    /* in user space ("-1 sp pc") */
#define PROC_SYSCALL_RUNNING (-2L) /* "running" */

struct proc_syscall {
    long nr;
    unsigned long args[6];
    unsigned long sp, pc;
};

/* 0 on success, -1 if the text is not a stat line. */
int procfs_parse_stat(const char *buf, size_t len, struct proc_stat *out);
int procfs_parse_syscall(const char *buf, size_t len, struct proc_syscall *out);

/* Open the /proc root ("/proc" when root is NULL). O_DIRECTORY|O_CLOEXEC. */
int procfs_open_root(const char *root);
/* openat(root, "PID/name") read-only, close-on-exec. */
int procfs_open(int rootfd, pid_t pid, const char *name);
/* pread from offset 0 into buf (NUL-terminated); returns bytes or -1. */
ssize_t procfs_pread(int fd, char *buf, size_t len);

#endif
