/* procfs_fd.c — see procfs_fd.h. The parsers are pure. */
#include "procfs_fd.h"

#include <dirent.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

int procfs_parse_fdinfo(const char *buf, size_t len, struct proc_fdinfo *out)
{
    memset(out, 0, sizeof *out);
    out->scm_fds = -1;
    if (!buf)
        return -1;
    bool have_pos = false, have_flags = false;
    const char *p = buf, *limit = buf + len;
    while (p < limit) {
        const char *eol = memchr(p, '\n', (size_t)(limit - p));
        if (!eol)
            eol = limit;
        const char *colon = memchr(p, ':', (size_t)(eol - p));
        if (colon) {
            size_t klen = (size_t)(colon - p);
            char val[64];
            size_t vlen = (size_t)(eol - colon - 1);
            if (vlen >= sizeof val)
                vlen = sizeof val - 1;
            memcpy(val, colon + 1, vlen);
            val[vlen] = '\0';
            char *end;
#define KEY(k) (klen == sizeof(k) - 1 && memcmp(p, k, klen) == 0)
            if (KEY("pos")) {
                out->pos = strtoll(val, &end, 10);
                have_pos = end != val;
            } else if (KEY("flags")) {
                out->flags = (unsigned)strtoul(val, &end, 8);
                have_flags = end != val;
            } else if (KEY("mnt_id")) {
                out->mnt_id = (int)strtol(val, NULL, 10);
            } else if (KEY("ino")) {
                out->ino = strtoul(val, NULL, 10);
            } else if (KEY("scm_fds")) {
                out->scm_fds = (int)strtol(val, NULL, 10);
            }
#undef KEY
        }
        p = eol + 1;
    }
    return have_pos && have_flags ? 0 : -1;
}

int procfs_stat_exit_code(const char *buf, size_t len)
{
    if (!buf || len == 0)
        return -1;
    const char *close = NULL;
    for (const char *p = buf + len; p > buf; p--)
        if (p[-1] == ')') {
            close = p - 1;
            break;
        }
    if (!close)
        return -1;
    /* Fields after comm start at 3 (state); exit_code is field 52. */
    const char *p = close + 1, *limit = buf + len;
    int field = 2;
    const char *tok = NULL;
    while (p < limit && field < 52) {
        while (p < limit && *p == ' ')
            p++;
        if (p >= limit || *p == '\n')
            break;
        tok = p;
        field++;
        while (p < limit && *p != ' ' && *p != '\n')
            p++;
    }
    if (field != 52 || !tok)
        return -1;
    return (int)strtol(tok, NULL, 10);
}

void procfs_fd_target_short(const char *target, const char *dir, char *out, size_t len)
{
    size_t dl = dir ? strlen(dir) : 0;
    if (dl && strncmp(target, dir, dl) == 0 && target[dl] == '/' && target[dl + 1])
        target += dl + 1;
    snprintf(out, len, "%s", target);
}

struct linux_dirent64 {
    unsigned long long d_ino;
    long long d_off;
    unsigned short d_reclen;
    unsigned char d_type;
    char d_name[];
};

static int cmp_int(const void *a, const void *b)
{
    int x = *(const int *)a, y = *(const int *)b;
    return (x > y) - (x < y);
}

int procfs_list_fds(int dirfd, int *fds, int max)
{
    if (dirfd < 0 || lseek(dirfd, 0, SEEK_SET) < 0)
        return -1;
    union {
        char buf[4096];
        struct linux_dirent64 align;
    } u;
    int n = 0;
    for (;;) {
        long got = syscall(SYS_getdents64, dirfd, u.buf, sizeof u.buf);
        if (got < 0)
            return -1;
        if (got == 0)
            break;
        for (long off = 0; off < got;) {
            struct linux_dirent64 *d = (struct linux_dirent64 *)(u.buf + off);
            off += d->d_reclen;
            char *end;
            long fd = strtol(d->d_name, &end, 10);
            if (*end || end == d->d_name || fd < 0)
                continue;
            if (n < max)
                fds[n++] = (int)fd;
        }
    }
    qsort(fds, (size_t)n, sizeof *fds, cmp_int);
    return n;
}
