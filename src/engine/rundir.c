/* rundir.c — the run's private temporary directory (mode 0700) and the paths
 * a scenario declares in it (plan.files): files with known content (0600),
 * FIFO and socket paths that ops create later, and the exec helper. Every
 * path is registered BEFORE it can exist, so the registry and the guardian
 * remove it on every exit path; the directory goes after its files. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../model/pattern.h"
#include "board.h"
#include "engine_internal.h"
#include "registry.h"
#include "../model/i18n.h"

static int write_all(int fd, const unsigned char *buf, size_t n)
{
    while (n > 0) {
        ssize_t w = write(fd, buf, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return -1;
        buf += w;
        n -= (size_t)w;
    }
    return 0;
}

static int make_file(const char *path, int stream, int size)
{
    int fd = open(path, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0600);
    if (fd < 0)
        return -1;
    unsigned char buf[4096];
    for (int off = 0; off < size;) {
        size_t n = (size_t)(size - off) < sizeof buf ? (size_t)(size - off) : sizeof buf;
        pattern_fill(stream, (uint64_t)off, buf, n);
        if (write_all(fd, buf, n) < 0) {
            close(fd);
            return -1;
        }
        off += (int)n;
    }
    return close(fd);
}

/* The exec helper is ipcplay itself under the name the scenario chose, so
 * /proc/PID/exe and comm really change on exec: a hard link when the run
 * directory is on the binary's file system, else a copy (mode 0700). */
static int install_helper(const char *path)
{
    char self[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    if (n <= 0)
        return -1;
    self[n] = '\0';
    if (link(self, path) == 0)
        return 0;
    int in = open(self, O_RDONLY | O_CLOEXEC);
    if (in < 0)
        return -1;
    int out = open(path, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0700);
    if (out < 0) {
        close(in);
        return -1;
    }
    int rc = 0;
    unsigned char buf[65536];
    for (;;) {
        ssize_t got = read(in, buf, sizeof buf);
        if (got < 0 && errno == EINTR)
            continue;
        if (got <= 0) {
            rc = got < 0 ? -1 : 0;
            break;
        }
        if (write_all(out, buf, (size_t)got) < 0) {
            rc = -1;
            break;
        }
    }
    close(in);
    if (close(out) < 0)
        rc = -1;
    return rc;
}

int rundir_create(struct engine *e, char *err, size_t errlen)
{
    struct plan *p = &e->plan;
    if (p->observe) {
        struct board *b = board_get();
        if (!b) {
            snprintf(err, errlen, _("cannot map the board: %s"), strerror(errno));
            return -1;
        }
        board_reset(b);
    }
    if (p->nfiles == 0)
        return 0;
    /* Paths travel to the guardian as one word and must fit sun_path; they
     * are removed without following a link, so they must hold none. */
    char real[PATH_MAX];
    const char *tmp = getenv("TMPDIR");
    if (tmp && tmp[0] == '/' && realpath(tmp, real))
        tmp = real;
    if (!tmp || tmp[0] != '/' || strpbrk(tmp, " \t\n") || strlen(tmp) > 48)
        tmp = "/tmp";
    char dir[PLAN_PATH_LEN];
    snprintf(dir, sizeof dir, "%.48s/ipcplay-%d-XXXXXX", tmp, (int)getpid());
    if (!mkdtemp(dir)) {
        snprintf(err, errlen, _("cannot create a directory in %s: %s"), tmp, strerror(errno));
        return -1;
    }
    if (registry_add(REG_DIR, 0, dir) < 0) {
        rmdir(dir);
        snprintf(err, errlen, _("too many objects"));
        return -1;
    }
    struct record r;
    record_init(&r, REC_RUNDIR, e->m->now_ns);
    snprintf(r.u.rundir.path, sizeof r.u.rundir.path, "%s", dir);
    engine_emit(e, &r);
    engine_say(e, LINE_EVENT, "ipcplay", "mkdir",
               _("run directory %s (mode 0700), removed when the run ends"), dir);
    for (int i = 0; i < p->nfiles; i++) {
        struct plan_file *f = &p->files[i];
        char leaf[sizeof f->name];
        memcpy(leaf, f->name, sizeof leaf);
        int w = snprintf(f->path, sizeof f->path, "%s/%s", dir, leaf);
        if (w < 0 || (size_t)w >= sizeof f->path) {
            snprintf(err, errlen, _("path too long: %s/%s"), dir, leaf);
            return -1;
        }
        if (registry_add(REG_PATH, 0, f->path) < 0) {
            snprintf(err, errlen, _("too many objects"));
            return -1;
        }
        if (i < MODEL_MAX_FILES) {
            record_init(&r, REC_RUNFILE, e->m->now_ns);
            r.u.runfile.index = i;
            snprintf(r.u.runfile.name, sizeof r.u.runfile.name, "%s", f->name);
            engine_emit(e, &r);
        }
        int rc = 0;
        if (f->kind == PLANF_FILE) {
            rc = make_file(f->path, PATTERN_FILE_STREAM + i, f->size);
            if (rc == 0) {
                if (f->size > 0)
                    engine_say(e, LINE_EVENT, "ipcplay", "create",
                               _("%s: %d bytes of known text, mode 0600"), f->name, f->size);
                else
                    engine_say(e, LINE_EVENT, "ipcplay", "create",
                               _("%s: an empty file, mode 0600"), f->name);
            }
        } else if (f->kind == PLANF_HELPER) {
            rc = install_helper(f->path);
            if (rc == 0)
                engine_say(e, LINE_EVENT, "ipcplay", "helper",
                           _("%s: ipcplay's helper mode under its own name, for exec"), f->name);
        }
        if (rc < 0) {
            snprintf(err, errlen, _("cannot create %s: %s"), f->path, strerror(errno));
            return -1;
        }
    }
    return 0;
}
