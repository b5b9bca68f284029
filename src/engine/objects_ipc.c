/* objects_ipc.c — the kernel objects a run needs beyond semaphore sets and
 * System V segments: message queues (msgget, then a lowered msg_qbytes with
 * IPC_SET), POSIX shared memory (shm_open under "/ipcplay-PID-RUN-I", met by
 * name in every child) and anonymous shared memory (MAP_SHARED |
 * MAP_ANONYMOUS in the engine before fork, inherited by every child). Each
 * object is registered the moment it exists; removal is the registry's job on
 * every exit path. The engine keeps one read-only view of each segment. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/msg.h>
#include <sys/shm.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../model/signames.h"
#include "creation.h"
#include "engine_internal.h"
#include "registry.h"
#include "../model/i18n.h"

void objects_ipc_reset(struct engine *e)
{
    struct engine_ipc *x = &e->ipc;
    unsigned run = x->run + 1;
    int msg_copy = x->msg_copy;
    memset(x, 0, sizeof *x);
    x->run = run;
    x->msg_copy = msg_copy;
    for (int i = 0; i < PLAN_MAX_MSGQS; i++)
        x->msqids[i] = -1;
    for (int i = 0; i < PLAN_MAX_SHMSEGS; i++)
        x->shm_fd[i] = -1;
}

void objects_ipc_add_seg(struct engine *e, int i, int shmid)
{
    const struct plan_shmseg *ps = &e->plan.shmsegs[i];
    struct record r;
    record_init(&r, REC_SHMSEG_ADD, e->m->now_ns);
    struct rec_shmseg_add *a = &r.u.shmseg_add;
    a->index = i;
    a->shmid = shmid;
    a->segsz = ps->size;
    a->stats = ps->stats;
    a->kind = ps->kind;
    a->ring_slots = ps->ring;
    snprintf(a->name, sizeof a->name, "%s", e->ipc.shm_name[i]);
    a->mode = ps->kind == PLAN_SHM_SYSV ? creation_mode(&ps->key) : 0600;
    engine_emit(e, &r);
}

int objects_ipc_create_shm(struct engine *e, int i, char *err, size_t errlen)
{
    struct engine_ipc *x = &e->ipc;
    const struct plan_shmseg *ps = &e->plan.shmsegs[i];
    if (ps->kind == PLAN_SHM_ANON) {
        void *p = mmap(NULL, ps->size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
        if (p == MAP_FAILED) {
            snprintf(err, errlen, _("mmap(MAP_SHARED|MAP_ANONYMOUS) failed: %s"), strerror(errno));
            return -1;
        }
        /* Nothing to register: anonymous memory dies with its last mapping. */
        x->shm_map[i] = p;
        engine_say(e, LINE_EVENT, "ipcplay", "mmap",
                   _("mmap(NULL, %zu, PROT_READ|PROT_WRITE, MAP_SHARED|MAP_ANONYMOUS, -1, 0) -> "
                     "%p: no name, no id; only the children forked after it share it"),
                   ps->size, p);
        objects_ipc_add_seg(e, i, -1);
        return 0;
    }
    snprintf(x->shm_name[i], sizeof x->shm_name[i], "/ipcplay-%d-%u-%d", (int)e->self, x->run, i);
    int fd = shm_open(x->shm_name[i], O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) {
        snprintf(err, errlen, _("shm_open %s failed: %s"), x->shm_name[i], strerror(errno));
        x->shm_name[i][0] = '\0';
        return -1;
    }
    if (registry_add(REG_POSIX_SHM, 0, x->shm_name[i]) < 0) {
        shm_unlink(x->shm_name[i]);
        close(fd);
        snprintf(err, errlen, _("too many objects"));
        return -1;
    }
    x->shm_fd[i] = fd;
    if (ftruncate(fd, (off_t)ps->size) < 0) {
        snprintf(err, errlen, _("ftruncate %s failed: %s"), x->shm_name[i], strerror(errno));
        return -1;
    }
    engine_say(e, LINE_EVENT, "ipcplay", "shm_open",
               _("shm_open(\"%s\", O_RDWR|O_CREAT|O_EXCL|O_CLOEXEC, 0600) -> fd %d, then "
                 "ftruncate(fd %d, %zu): a file in /dev/shm, 0 bytes until ftruncate sizes it"),
               x->shm_name[i], fd, fd, ps->size);
    if (ps->hands_off) {
        /* the processes map it by name; nothing of ipcplay keeps it alive */
        close(fd);
        x->shm_fd[i] = -1;
        engine_say(e, LINE_EVENT, "ipcplay", "close",
                   "close(fd %d): ipcplay keeps neither an fd nor a mapping of it; from now on "
                   "only the name and the processes' mappings hold it",
                   fd);
    }
    objects_ipc_add_seg(e, i, -1);
    return 0;
}

int objects_ipc_create_msgqs(struct engine *e, char *err, size_t errlen)
{
    for (int i = 0; i < e->plan.nmsgqs; i++) {
        const struct plan_key *pk = &e->plan.msgqs[i].key;
        key_t key;
        if (creation_key(e, pk, &key, err, errlen) < 0)
            return -1;
        int flags = creation_flags(key);
        int id = msgget(key, flags);
        if (id < 0) {
            if (key != IPC_PRIVATE)
                creation_refused(errno, "msgget", key, err, errlen);
            else
                snprintf(err, errlen, _("msgget failed: %s (see /proc/sys/kernel/msgmni)"),
                         strerror(errno));
            return -1;
        }
        if (creation_register(REG_MSG, id, key, creation_mode(pk)) < 0) {
            msgctl(id, IPC_RMID, NULL);
            snprintf(err, errlen, _("too many objects"));
            return -1;
        }
        char kt[16], ft[48];
        creation_key_text(key, kt, sizeof kt);
        ipc_flags_text(flags, ft, sizeof ft);
        engine_say(e, LINE_EVENT, "ipcplay", "msgget",
                   _("msgget(%s, %s) -> msqid %d: a new, empty "
                     "queue"),
                   kt, ft, id);
        e->ipc.msqids[i] = id;
        struct msqid_ds ds;
        if (msgctl(id, IPC_STAT, &ds) < 0) {
            snprintf(err, errlen, _("msgctl IPC_STAT failed: %s"), strerror(errno));
            return -1;
        }
        long dflt = (long)ds.msg_qbytes;
        long want = e->plan.msgqs[i].qbytes;
        if (want > 0 && want != dflt) {
            ds.msg_qbytes = (msglen_t)want;
            if (msgctl(id, IPC_SET, &ds) < 0) {
                snprintf(err, errlen, _("msgctl IPC_SET msg_qbytes=%ld failed: %s%s"), want,
                         strerror(errno),
                         errno == EPERM ? " (raising it above msgmnb needs CAP_SYS_RESOURCE)" : "");
                return -1;
            }
        }
        struct record r;
        record_init(&r, REC_MSGQ_ADD, e->m->now_ns);
        r.u.msgq_add.index = i;
        r.u.msgq_add.msqid = id;
        r.u.msgq_add.mode = creation_mode(pk);
        r.u.msgq_add.qbytes = want > 0 ? want : dflt;
        engine_emit(e, &r);
        if (want > 0 && want != dflt)
            engine_say(e, LINE_EVENT, "ipcplay", "msgctl(IPC_SET)",
                       _("msgctl(%d, IPC_SET, {msg_qbytes %ld -> %ld}) (the default comes from "
                         "msgmnb): "
                         "senders sleep once that many bytes wait in the queue"),
                       id, dflt, want);
        if (creation_set_mode(e, REG_MSG, id, pk, err, errlen) < 0)
            return -1;
    }
    return 0;
}

void objects_ipc_attach_readonly(struct engine *e)
{
    struct engine_ipc *x = &e->ipc;
    for (int i = 0; i < e->plan.nshmsegs; i++) {
        const struct plan_shmseg *ps = &e->plan.shmsegs[i];
        if (ps->kind == PLAN_SHM_ANON && x->shm_map[i]) {
            /* The children have their read-write copy of the mapping (fork
             * copied the page tables); ours becomes read-only. */
            if (mprotect(x->shm_map[i], ps->size, PROT_READ) == 0)
                e->shm_ro[i] = x->shm_map[i];
        } else if (ps->kind == PLAN_SHM_POSIX && x->shm_fd[i] >= 0) {
            void *p = mmap(NULL, ps->size, PROT_READ, MAP_SHARED, x->shm_fd[i], 0);
            if (p == MAP_FAILED)
                continue;
            madvise(p, ps->size, MADV_DONTFORK);
            e->shm_ro[i] = p;
        }
    }
}

void objects_ipc_reserve_sysv(struct engine *e, int i)
{
    size_t size = e->plan.shmsegs[i].size;
    void *p = mmap(NULL, size, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    e->ipc.shm_at[i] = p == MAP_FAILED ? NULL : p;
    e->ipc.shm_late_said[i] = false;
}

void *objects_ipc_child_attach(struct engine *e, int i)
{
    const struct plan_shmseg *ps = &e->plan.shmsegs[i];
    switch (ps->kind) {
    case PLAN_SHM_ANON: return e->ipc.shm_map[i];
    case PLAN_SHM_POSIX: {
        /* Meet it by name, as an unrelated process would. */
        int fd = shm_open(e->ipc.shm_name[i], O_RDWR | O_CLOEXEC, 0);
        if (fd < 0)
            return NULL;
        void *p = mmap(NULL, ps->size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
        close(fd);
        return p == MAP_FAILED ? NULL : p;
    }
    default: {
        /* at the address the engine reserved, so it knows where to read */
        void *at = e->ipc.shm_at[i];
        void *p = shmat(e->shmids[i], at, at ? SHM_REMAP : 0);
        return p == (void *)-1 ? NULL : p;
    }
    }
}

void objects_ipc_release(struct engine *e)
{
    struct engine_ipc *x = &e->ipc;
    for (int i = 0; i < PLAN_MAX_SHMSEGS; i++) {
        int kind = i < e->plan.nshmsegs ? e->plan.shmsegs[i].kind : PLAN_SHM_SYSV;
        size_t size = i < e->plan.nshmsegs ? e->plan.shmsegs[i].size : 0;
        if (kind == PLAN_SHM_POSIX && e->shm_ro[i]) {
            munmap(e->shm_ro[i], size);
            e->shm_ro[i] = NULL;
        }
        if (kind == PLAN_SHM_ANON) {
            if (x->shm_map[i])
                munmap(x->shm_map[i], size);
            x->shm_map[i] = NULL;
            e->shm_ro[i] = NULL;
        }
        if (x->shm_at[i]) {
            munmap(x->shm_at[i], size);
            x->shm_at[i] = NULL;
        }
        if (x->shm_fd[i] >= 0) {
            close(x->shm_fd[i]);
            x->shm_fd[i] = -1;
        }
    }
}
