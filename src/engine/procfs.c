/* procfs.c — parsing /proc text and opening /proc files through a root fd.
 * The parsers are pure and unit-tested on fixture files. */
#include "procfs.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int procfs_parse_stat(const char *buf, size_t len, struct proc_stat *out)
{
    memset(out, 0, sizeof *out);
    if (!buf || len == 0)
        return -1;
    /* comm may contain spaces and parentheses: it ends at the last ')'. */
    const char *open = memchr(buf, '(', len);
    const char *close = NULL;
    for (const char *p = buf + len; p > buf; p--)
        if (p[-1] == ')') {
            close = p - 1;
            break;
        }
    if (!open || !close || close < open)
        return -1;
    char *end;
    long pid = strtol(buf, &end, 10);
    if (end == buf || pid <= 0)
        return -1;
    out->pid = (pid_t)pid;
    size_t clen = (size_t)(close - open - 1);
    if (clen >= sizeof out->comm)
        clen = sizeof out->comm - 1;
    memcpy(out->comm, open + 1, clen);
    out->comm[clen] = '\0';

    /* Fields after comm, numbered as in proc(5): 3 state, 4 ppid, 5 pgrp,
     * 10 minflt, 12 majflt, 14 utime, 15 stime, 24 rss. */
    const char *p = close + 1;
    const char *limit = buf + len;
    int field = 3;
    while (p < limit && field <= 24) {
        while (p < limit && *p == ' ')
            p++;
        if (p >= limit)
            break;
        const char *tok = p;
        while (p < limit && *p != ' ' && *p != '\n')
            p++;
        switch (field) {
        case 3: out->state = *tok; break;
        case 4: out->ppid = (pid_t)strtol(tok, NULL, 10); break;
        case 5: out->pgrp = (pid_t)strtol(tok, NULL, 10); break;
        case 10: out->minflt = strtoul(tok, NULL, 10); break;
        case 12: out->majflt = strtoul(tok, NULL, 10); break;
        case 14: out->utime = strtoull(tok, NULL, 10); break;
        case 15: out->stime = strtoull(tok, NULL, 10); break;
        case 24: out->rss_pages = strtol(tok, NULL, 10); break;
        default: break;
        }
        field++;
        if (p < limit && *p == '\n')
            break;
    }
    if (field <= 5 || !out->state)
        return -1;
    return 0;
}

int procfs_parse_syscall(const char *buf, size_t len, struct proc_syscall *out)
{
    memset(out, 0, sizeof *out);
    if (!buf || len == 0)
        return -1;
    if (len >= 7 && strncmp(buf, "running", 7) == 0) {
        out->nr = PROC_SYSCALL_RUNNING;
        return 0;
    }
    char *end;
    errno = 0;
    long nr = strtol(buf, &end, 10);
    if (end == buf || errno)
        return -1;
    unsigned long v[8];
    int n = 0;
    const char *p = end;
    while (n < 8) {
        while (*p == ' ')
            p++;
        if (*p == '\0' || *p == '\n')
            break;
        char *e;
        v[n] = strtoul(p, &e, 0);
        if (e == p)
            return -1;
        p = e;
        n++;
    }
    out->nr = nr;
    if (nr < 0) {
        if (n != 2)
            return -1;
        out->nr = PROC_SYSCALL_USER;
        out->sp = v[0];
        out->pc = v[1];
        return 0;
    }
    if (n != 8)
        return -1;
    for (int i = 0; i < 6; i++)
        out->args[i] = v[i];
    out->sp = v[6];
    out->pc = v[7];
    return 0;
}

int procfs_open_root(const char *root)
{
    return open(root ? root : "/proc", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
}

int procfs_open(int rootfd, pid_t pid, const char *name)
{
    char path[64];
    snprintf(path, sizeof path, "%d/%s", (int)pid, name);
    return openat(rootfd, path, O_RDONLY | O_CLOEXEC);
}

ssize_t procfs_pread(int fd, char *buf, size_t len)
{
    if (len == 0)
        return -1;
    ssize_t n;
    do
        n = pread(fd, buf, len - 1, 0);
    while (n < 0 && errno == EINTR);
    if (n < 0)
        return -1;
    buf[n] = '\0';
    return n;
}
