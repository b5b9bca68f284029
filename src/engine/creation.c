/* creation.c — how the engine makes a run's System V semaphore sets and
 * segments, and the key every System V object is made with: IPC_PRIVATE, or
 * ftok(a run file, proj) created IPC_CREAT|IPC_EXCL so that an object someone
 * else made with the same key is refused, never adopted. Every call is told
 * in the story with its real arguments as it is made (key in hex, flags in
 * words, mode), and every object is registered the moment it exists — a
 * keyed one with its key and mode in the registry's name for it, which the
 * journal's proof of ownership checks (journal.c). */
#include "creation.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/msg.h>
#include <sys/sem.h>
#include <sys/shm.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "../model/signames.h"
#include "engine_internal.h"
#include "registry.h"
#include "sysv.h"
#include "../model/i18n.h"

unsigned creation_mode(const struct plan_key *k)
{
    return k->mode ? (k->mode & 0777) : 0600;
}

int creation_key(struct engine *e, const struct plan_key *k, key_t *out, char *err, size_t errlen)
{
    *out = IPC_PRIVATE;
    if (k->file <= 0)
        return 0;
    if (k->file > e->plan.nfiles) {
        snprintf(err, errlen, _("a key names run file %d, which the plan does not have"), k->file);
        return -1;
    }
    const struct plan_file *f = &e->plan.files[k->file - 1];
    key_t key = ftok(f->path, k->proj);
    struct stat st;
    if (key == (key_t)-1 || stat(f->path, &st) < 0) {
        snprintf(err, errlen, _("ftok(%s, %d) failed: %s"), f->name, k->proj, strerror(errno));
        return -1;
    }
    /* Told once per run and key: one key may name an object of each kind. */
    static unsigned said_run;
    static key_t said_key;
    if (said_run == e->ipc.run && said_key == key) {
        *out = key;
        return 0;
    }
    said_run = e->ipc.run;
    said_key = key;
    engine_say(e, LINE_EVENT, "ipcplay", "ftok",
               _("ftok(%s, %d) -> key 0x%08x: proj 0x%02x, device minor 0x%02x, inode's low 16 "
                 "bits 0x%04x"),
               f->name, k->proj, (unsigned)key, (unsigned)k->proj & 0xff,
               (unsigned)minor(st.st_dev) & 0xff, (unsigned)st.st_ino & 0xffff);
    *out = key;
    return 0;
}

void creation_key_text(key_t key, char *buf, size_t len)
{
    if (key == IPC_PRIVATE)
        snprintf(buf, len, "IPC_PRIVATE");
    else
        snprintf(buf, len, "0x%08x", (unsigned)key);
}

/* The registry's name for a keyed object: its key and final mode (objline.h). */
static const char *regname(key_t key, unsigned mode, char *buf, size_t len)
{
    if (key == IPC_PRIVATE)
        return NULL;
    snprintf(buf, len, "key-0x%08x-%04o", (unsigned)key, mode);
    return buf;
}

int creation_register(int kind, int id, key_t key, unsigned mode)
{
    char nm[32];
    return registry_add(kind, id, regname(key, mode, nm, sizeof nm));
}

int creation_flags(key_t key)
{
    return key == IPC_PRIVATE ? IPC_CREAT | 0600 : IPC_CREAT | IPC_EXCL | 0600;
}

void creation_refused(int err, const char *call, key_t key, char *buf, size_t len)
{
    char k[16];
    creation_key_text(key, k, sizeof k);
    if (err == EEXIST)
        snprintf(buf, len,
                 _("%s(key %s, IPC_CREAT|IPC_EXCL) failed: EEXIST: something already has that key "
                   "(made by another program, or left by an earlier run) — ipcplay does not touch "
                   "it (ipcs shows it; remove it with ipcrm if it is yours)"),
                 call, k);
    else
        snprintf(buf, len, _("%s(key %s) failed: %s (%s)"), call, k, errname(err), strerror(err));
}

/* The set's final mode, when it is not 0600: IPC_SET after SETALL, since a
 * mode that refuses its owner would have refused SETALL too. */
static int set_mode(struct engine *e, int kind, int id, unsigned mode, char *err, size_t errlen)
{
    if (mode == 0600)
        return 0;
    int rc;
    const char *call;
    if (kind == REG_SEM) {
        struct semid_ds ds;
        union semun arg = {.buf = &ds};
        call = "semctl";
        rc = semctl(id, 0, IPC_STAT, arg);
        if (rc == 0) {
            ds.sem_perm.mode = (unsigned short)mode;
            rc = semctl(id, 0, IPC_SET, arg);
        }
    } else if (kind == REG_SHM) {
        struct shmid_ds ds;
        call = "shmctl";
        rc = shmctl(id, IPC_STAT, &ds);
        if (rc == 0) {
            ds.shm_perm.mode = (unsigned short)mode;
            rc = shmctl(id, IPC_SET, &ds);
        }
    } else {
        struct msqid_ds ds;
        call = "msgctl";
        rc = msgctl(id, IPC_STAT, &ds);
        if (rc == 0) {
            ds.msg_perm.mode = (unsigned short)mode;
            rc = msgctl(id, IPC_SET, &ds);
        }
    }
    if (rc < 0) {
        snprintf(err, errlen, _("%s(%d, IPC_SET, mode %04o) failed: %s"), call, id, mode,
                 strerror(errno));
        return -1;
    }
    engine_say(e, LINE_EVENT, "ipcplay", "IPC_SET",
               _("%s(%d, IPC_SET, {mode %04o}): only the owner or creator may; the mode bits "
                 "now decide who may read (r) and alter (w) it"),
               call, id, mode);
    return 0;
}

int creation_set_mode(struct engine *e, int kind, int id, const struct plan_key *k, char *err,
                      size_t errlen)
{
    return set_mode(e, kind, id, creation_mode(k), err, errlen);
}

static void init_words(const struct plan_semset *ps, char *buf, size_t len)
{
    size_t n = 0;
    buf[0] = '\0';
    for (int k = 0; k < ps->nsems && n + 8 < len; k++)
        n += (size_t)snprintf(buf + n, len - n, "%s%d", k ? ", " : "", ps->init[k]);
}

int creation_semset(struct engine *e, int i, char *err, size_t errlen)
{
    const struct plan_semset *ps = &e->plan.semsets[i];
    key_t key;
    if (creation_key(e, &ps->key, &key, err, errlen) < 0)
        return -1;
    int flags = creation_flags(key);
    int id = semget(key, ps->nsems, flags);
    if (id < 0) {
        if (key != IPC_PRIVATE)
            creation_refused(errno, "semget", key, err, errlen);
        else
            hints_semget(ps->nsems, errno, err, errlen);
        return -1;
    }
    if (creation_register(REG_SEM, id, key, creation_mode(&ps->key)) < 0) {
        semctl(id, 0, IPC_RMID);
        snprintf(err, errlen, _("too many objects"));
        return -1;
    }
    e->semids[i] = id;
    char k[16], f[48], init[160];
    creation_key_text(key, k, sizeof k);
    ipc_flags_text(flags, f, sizeof f);
    engine_say(e, LINE_EVENT, "ipcplay", "semget", _("semget(%s, %d, %s) -> semid %d%s"), k,
               ps->nsems, f, id,
               key == IPC_PRIVATE ? _(": a new set only this run's processes know the id of")
                                  : _(": a new set, found by anyone who knows the key"));
    unsigned short vals[PLAN_MAX_SEMS];
    for (int n = 0; n < ps->nsems; n++)
        vals[n] = (unsigned short)ps->init[n];
    union semun arg = {.array = vals};
    if (semctl(id, 0, SETALL, arg) < 0) {
        snprintf(err, errlen, _("semctl SETALL failed: %s"), strerror(errno));
        return -1;
    }
    init_words(ps, init, sizeof init);
    engine_say(e, LINE_EVENT, "ipcplay", "SETALL",
               _("semctl(%d, 0, SETALL, {%s}): a new set's values are 0 until set"), id, init);
    return set_mode(e, REG_SEM, id, creation_mode(&ps->key), err, errlen);
}

int creation_shmseg(struct engine *e, int i, char *err, size_t errlen)
{
    const struct plan_shmseg *ps = &e->plan.shmsegs[i];
    key_t key;
    if (creation_key(e, &ps->key, &key, err, errlen) < 0)
        return -1;
    int flags = creation_flags(key);
    int id = shmget(key, ps->size, flags);
    if (id < 0) {
        if (key != IPC_PRIVATE)
            creation_refused(errno, "shmget", key, err, errlen);
        else
            snprintf(err, errlen, _("shmget failed: %s%s"), strerror(errno),
                     errno == ENOSPC   ? " (the system's limit on segments, kernel.shmmni or "
                                         "shmall, is reached: see ipcs -l)"
                     : errno == EINVAL ? " (size outside kernel.shmmin..shmmax: see ipcs -l)"
                                       : "");
        return -1;
    }
    if (creation_register(REG_SHM, id, key, creation_mode(&ps->key)) < 0) {
        shmctl(id, IPC_RMID, NULL);
        snprintf(err, errlen, _("too many objects"));
        return -1;
    }
    e->shmids[i] = id;
    char k[16], f[48];
    creation_key_text(key, k, sizeof k);
    ipc_flags_text(flags, f, sizeof f);
    engine_say(e, LINE_EVENT, "ipcplay", "shmget",
               _("shmget(%s, %zu, %s) -> shmid %d: a new segment, zero-filled, attached by no one "
                 "yet"),
               k, ps->size, f, id);
    return set_mode(e, REG_SHM, id, creation_mode(&ps->key), err, errlen);
}
