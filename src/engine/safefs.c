/* safefs.c — see safefs.h. */
#include "safefs.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int safefs_open_dir(const char *abs)
{
    if (!abs || abs[0] != '/' || strlen(abs) >= PATH_MAX) {
        errno = EINVAL;
        return -1;
    }
    int fd = open("/", O_DIRECTORY | O_RDONLY | O_CLOEXEC);
    const char *c = abs + 1;
    while (fd >= 0 && *c) {
        const char *slash = strchr(c, '/');
        size_t n = slash ? (size_t)(slash - c) : strlen(c);
        char comp[NAME_MAX + 1];
        if (n == 0 || n > NAME_MAX) {
            close(fd);
            errno = EINVAL;
            return -1;
        }
        memcpy(comp, c, n);
        comp[n] = '\0';
        int next = openat(fd, comp, O_DIRECTORY | O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
        int saved = errno;
        close(fd);
        errno = saved;
        fd = next;
        c = slash ? slash + 1 : c + n;
    }
    return fd;
}

int safefs_remove(const char *abs, enum safefs_what what)
{
    const char *slash = abs ? strrchr(abs, '/') : NULL;
    if (!slash || !slash[1]) {
        errno = EINVAL;
        return -1;
    }
    char parent[PATH_MAX];
    size_t plen = slash == abs ? 1 : (size_t)(slash - abs);
    if (plen >= sizeof parent) {
        errno = ENAMETOOLONG;
        return -1;
    }
    memcpy(parent, abs, plen);
    parent[plen] = '\0';
    int dfd = safefs_open_dir(parent);
    if (dfd < 0)
        return errno == ENOENT ? 0 : -1;
    uid_t me = geteuid();
    struct stat pst, st;
    int rc = -1;
    if (fstat(dfd, &pst) < 0)
        goto out;
    if (what == SAFEFS_RUNFILE && (pst.st_uid != me || (pst.st_mode & 0077))) {
        errno = EPERM;
        goto out;
    }
    if (fstatat(dfd, slash + 1, &st, AT_SYMLINK_NOFOLLOW) < 0) {
        rc = errno == ENOENT ? 0 : -1;
        goto out;
    }
    bool isdir = S_ISDIR(st.st_mode);
    if (st.st_uid != me || isdir != (what == SAFEFS_RUNDIR) || S_ISLNK(st.st_mode)) {
        errno = EPERM;
        goto out;
    }
    rc = unlinkat(dfd, slash + 1, isdir ? AT_REMOVEDIR : 0);
    if (rc < 0 && errno == ENOENT)
        rc = 0;
out:;
    int saved = errno;
    close(dfd);
    errno = saved;
    return rc;
}
