/* safefs.h — removing the files ipcplay made, and nothing else. A path is
 * walked from "/" one component at a time with openat(O_DIRECTORY |
 * O_NOFOLLOW), so no symbolic link on the way is ever followed, and the last
 * step is an unlinkat() on the directory fd, after checking by that fd that
 * what is removed belongs to us. Used by the registry, the guardian and the
 * journal sweep alike. */
#ifndef IPCPLAY_SAFEFS_H
#define IPCPLAY_SAFEFS_H

#include <stdbool.h>

/* The directory at an absolute path, every component opened without
 * following a link. An fd (O_CLOEXEC), or -1 with errno set. */
int safefs_open_dir(const char *abs);

/* What may be removed, and what its parent directory must be. */
enum safefs_what {
    SAFEFS_RUNDIR,  /* a directory we own; any parent */
    SAFEFS_RUNFILE, /* a file or FIFO or socket we own, in a 0700 directory we own */
};

/* Remove abs as `what`. 0 when removed or already gone; -1 with errno set
 * (EPERM when it is not ours, ELOOP when a link is in the way). */
int safefs_remove(const char *abs, enum safefs_what what);

#endif
