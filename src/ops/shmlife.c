/* shmlife.c — the shared-memory lifecycle family: a process attaches a
 * System V segment (shmat), maps a POSIX object (shm_open + mmap) or a
 * regular file (open + mmap) itself, looks at the bytes it starts with,
 * passes numbered messages through it, asks the kernel about the object
 * (shmctl IPC_STAT and /proc/sysvipc/shm; or whether the name still opens and
 * what /proc/self/maps says), removes it while attached (IPC_RMID,
 * shm_unlink, unlink), locks it (SHM_LOCK / SHM_UNLOCK) and detaches (shmdt,
 * munmap). Each op's entry: what it does in a child, what the engine forgets
 * when a child removed an object, its "doing" text, the facts it leaves for
 * the shmlife scenario's judge and how the story tells it.
 *
 * The engine made the object; these processes attach and detach it
 * themselves, so shm_nattch is theirs alone (ipcplay attaches nothing). The
 * mapping lives here, per process (a child starts with none). */
#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/shm.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "../engine/engine_internal.h"
#include "../engine/ops.h"
#include "../engine/registry.h"
#include "../engine/syswatch.h"
#include "../model/model.h"
#include "../model/signames.h"
#include "op.h"

#define A(p) ((_Atomic __typeof__(*(p)) *)(p))

static unsigned char *mem;
static size_t mem_size;
static ino_t mem_ino;

/* ---- in the child ------------------------------------------------------ */

static int kind_of(const struct op *op)
{
    return op->arg3 >= SHML_SYSV && op->arg3 <= SHML_FILE ? op->arg3 : SHML_SYSV;
}

/* The object's size, its shmid (System V) and its name or path. */
static size_t obj_size(const struct runner *r, const struct op *op)
{
    if (kind_of(op) == SHML_FILE)
        return op->arg2 > 0 ? (size_t)op->arg2 : 0;
    return op->obj >= 0 && op->obj < r->plan->nshmsegs ? r->plan->shmsegs[op->obj].size : 0;
}

static int obj_id(const struct runner *r, const struct op *op)
{
    return op->obj >= 0 && op->obj < PLAN_MAX_SHMSEGS ? r->shmids[op->obj] : -1;
}

static const char *obj_name(const struct runner *r, const struct op *op)
{
    if (kind_of(op) == SHML_FILE)
        return op->obj >= 0 && op->obj < r->plan->nfiles ? r->plan->files[op->obj].path : NULL;
    return op->obj >= 0 && op->obj < PLAN_MAX_SHMSEGS ? r->shm_names[op->obj] : NULL;
}

/* IPC_STAT's nattch, or -1 with the errno in *err. */
static int nattch_now(int id, int *err)
{
    struct shmid_ds ds;
    if (shmctl(id, IPC_STAT, &ds) < 0) {
        *err = errno;
        return -1;
    }
    *err = 0;
    return (int)ds.shm_nattch;
}

/* Open the POSIX object or the file; -1 with errno. */
static int open_obj(int kind, const char *name, int flags)
{
    if (!name || !name[0]) {
        errno = EINVAL;
        return -1;
    }
    if (kind == SHML_POSIX)
        return shm_open(name, flags | O_CLOEXEC, 0);
    return open(name, flags | O_CLOEXEC | O_NOFOLLOW);
}

/* attach: shmat(id, NULL, 0); or open the name, (file, arg0 1) size it with
 * ftruncate, mmap MAP_SHARED and close the fd. A file another process sizes
 * is waited for: touching a mapping past the end of a file is SIGBUS. */
static int run_attach(struct runner *r, const struct op *op)
{
    int kind = kind_of(op);
    size_t size = obj_size(r, op);
    struct event ev = runner_event(r, op, PH_BEGIN);
    ev.shml_map.kind = kind;
    ev.shml_map.size = (int64_t)size;
    ev.shml_map.nattch = -1;
    runner_begin(r, &ev);
    if (mem || size == 0)
        return runner_end(r, &ev, -1, EINVAL);
    void *p;
    if (kind == SHML_SYSV) {
        ev.shml_map.id = obj_id(r, op);
        p = shmat(ev.shml_map.id, NULL, 0);
        if (p == (void *)-1)
            return runner_end(r, &ev, -1, errno);
        int err;
        ev.shml_map.nattch = nattch_now(ev.shml_map.id, &err);
        ev.shml_map.stat_err = err;
    } else {
        int fd = open_obj(kind, obj_name(r, op), O_RDWR);
        if (fd < 0)
            return runner_end(r, &ev, -1, errno);
        ev.shml_map.id = fd;
        struct stat st;
        if (kind == SHML_FILE && op->arg0 == 1 && ftruncate(fd, (off_t)size) < 0) {
            int err = errno;
            close(fd);
            return runner_end(r, &ev, -1, err);
        }
        ev.shml_map.stat_err = kind == SHML_FILE && op->arg0 == 1; /* it sized it */
        while (fstat(fd, &st) == 0 && st.st_size < (off_t)size)
            runner_nap_ms(2);
        mem_ino = st.st_ino;
        p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
        int err = errno;
        close(fd);
        if (p == MAP_FAILED)
            return runner_end(r, &ev, -1, err);
    }
    mem = p;
    mem_size = size;
    ev.shml_map.addr = (int64_t)(uintptr_t)p;
    return runner_end(r, &ev, 0, 0);
}

/* detach: shmdt, then IPC_STAT (after the last detach of a removed segment
 * it names nothing); or munmap. */
static int run_detach(struct runner *r, const struct op *op)
{
    int kind = kind_of(op);
    struct event ev = runner_event(r, op, PH_BEGIN);
    ev.shml_map.kind = kind;
    ev.shml_map.addr = (int64_t)(uintptr_t)mem;
    ev.shml_map.size = (int64_t)mem_size;
    ev.shml_map.nattch = -1;
    ev.shml_map.id = kind == SHML_SYSV ? obj_id(r, op) : -1;
    runner_begin(r, &ev);
    if (!mem)
        return runner_end(r, &ev, -1, EINVAL);
    int rc = kind == SHML_SYSV ? shmdt(mem) : munmap(mem, mem_size);
    if (rc < 0)
        return runner_end(r, &ev, -1, errno);
    mem = NULL;
    if (kind == SHML_SYSV) {
        int err;
        ev.shml_map.nattch = nattch_now(ev.shml_map.id, &err);
        ev.shml_map.stat_err = err;
    }
    return runner_end(r, &ev, 0, 0);
}

/* zeros: every byte of the memory as it came, before anyone wrote. */
static int run_zeros(struct runner *r, const struct op *op)
{
    struct event ev = runner_event(r, op, PH_BEGIN);
    ev.shml_zeros.kind = kind_of(op);
    runner_begin(r, &ev);
    if (!mem)
        return runner_end(r, &ev, -1, EINVAL);
    long long nz = 0;
    for (size_t i = 0; i < mem_size; i++)
        nz += mem[i] != 0;
    ev.shml_zeros.bytes = (int64_t)mem_size;
    ev.shml_zeros.nonzero = nz;
    memcpy(&ev.shml_zeros.first8, mem, mem_size < 8 ? mem_size : 8);
    return runner_end(r, &ev, 0, 0);
}

static struct shml_msg *msg(void)
{
    return mem && mem_size >= sizeof(struct shml_msg) ? (struct shml_msg *)mem : NULL;
}

/* write: message arg0, its text first, its number last (the reader polls
 * the number). */
static int run_write(struct runner *r, const struct op *op)
{
    struct event ev = runner_event(r, op, PH_BEGIN);
    ev.shml_msg.kind = kind_of(op);
    ev.shml_msg.seq = op->arg0;
    ev.shml_msg.pid = (int32_t)getpid();
    ev.shml_msg.addr = (int64_t)(uintptr_t)mem;
    runner_begin(r, &ev);
    struct shml_msg *m = msg();
    if (!m)
        return runner_end(r, &ev, -1, EINVAL);
    snprintf(m->text, sizeof m->text, "message %d from pid %d", op->arg0, (int)getpid());
    m->pid = (int32_t)getpid();
    atomic_store(A(&m->seq), op->arg0);
    return runner_end(r, &ev, 0, 0);
}

static long long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Is the process that wrote or acked still there? A partner that was
 * killed (`kill writer-1`) or exited would otherwise be waited for forever.
 * Unknown yet (0): yes. */
static bool partner_alive(int32_t pid)
{
    if (pid <= 0 || pid == getpid())
        return true;
    char path[64], buf[256];
    snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return false;
    ssize_t n = read(fd, buf, sizeof buf - 1);
    close(fd);
    if (n <= 0)
        return false;
    buf[n] = '\0';
    const char *p = strrchr(buf, ')');
    return !(p && p[1] == ' ' && (p[2] == 'Z' || p[2] == 'X'));
}

/* Wait (1 ms naps) until *v reaches want or the partner is gone: 0, or -1
 * with ESRCH. */
static int wait_for(int32_t *v, int32_t want, const int32_t *partner)
{
    for (int k = 0; atomic_load(A(v)) < want; k++) {
        if (k % 64 == 63 && !partner_alive(atomic_load(A(partner))))
            return atomic_load(A(v)) < want ? -1 : 0;
        runner_nap_ms(1);
    }
    return 0;
}

/* read: wait for message arg0 to be there, read who wrote it, ack it. */
static int run_read(struct runner *r, const struct op *op)
{
    struct event ev = runner_event(r, op, PH_BEGIN);
    ev.shml_msg.kind = kind_of(op);
    ev.shml_msg.seq = op->arg0;
    ev.shml_msg.addr = (int64_t)(uintptr_t)mem;
    runner_begin(r, &ev);
    struct shml_msg *m = msg();
    if (!m)
        return runner_end(r, &ev, -1, EINVAL);
    long long t0 = now_ms();
    int rc = wait_for(&m->seq, op->arg0, &m->pid);
    ev.shml_msg.waited = (int32_t)(now_ms() - t0);
    if (rc < 0)
        return runner_end(r, &ev, -1, ESRCH);
    ev.shml_msg.pid = m->pid;
    ev.shml_msg.value = atomic_load(A(&m->seq));
    /* only now, after the writer's first look at the zero-filled bytes */
    atomic_store(A(&m->reader), (int32_t)getpid());
    atomic_store(A(&m->ack), op->arg0);
    return runner_end(r, &ev, 0, 0);
}

/* Does /proc/PID/maps still show a mapping of inode ino? -1: unreadable. */
static int maps_has_ino(pid_t pid, ino_t ino)
{
    char path[64], line[512];
    snprintf(path, sizeof path, "/proc/%d/maps", (int)pid);
    FILE *f = fopen(path, "re");
    if (!f)
        return -1;
    int found = 0;
    while (!found && fgets(line, sizeof line, f)) {
        unsigned long long lo, hi, off, in;
        char perms[8], dev[16];
        if (sscanf(line, "%llx-%llx %7s %llx %15s %llu", &lo, &hi, perms, &off, dev, &in) == 6 &&
            in == (unsigned long long)ino)
            found = 1;
    }
    fclose(f);
    return found;
}

/* await: the partner's ack of message arg0, nattch down to arg0, or the
 * writer (whose pid the memory holds) no longer mapping it. */
static int run_await(struct runner *r, const struct op *op)
{
    struct event ev = runner_event(r, op, PH_BEGIN);
    ev.shml_msg.kind = kind_of(op);
    ev.shml_msg.seq = op->arg0;
    ev.shml_msg.pid = op->arg1; /* what it waits for (enum shml_await) */
    runner_begin(r, &ev);
    struct shml_msg *m = msg();
    long long t0 = now_ms();
    int err = 0;
    if (op->arg1 == SHML_NATTCH) {
        int n;
        while ((n = nattch_now(obj_id(r, op), &err)) > op->arg0)
            runner_nap_ms(1);
        ev.shml_msg.value = n;
    } else if (!m) {
        return runner_end(r, &ev, -1, EINVAL);
    } else if (op->arg1 == SHML_ACK) {
        if (wait_for(&m->ack, op->arg0, &m->reader) < 0)
            err = ESRCH;
        ev.shml_msg.value = atomic_load(A(&m->ack));
    } else {
        pid_t writer = m->pid;
        while (writer > 0 && writer != getpid() && maps_has_ino(writer, mem_ino) == 1)
            runner_nap_ms(1);
        ev.shml_msg.value = writer;
    }
    ev.shml_msg.waited = (int32_t)(now_ms() - t0);
    runner_end(r, &ev, err ? -1 : 0, err);
    return err == ESRCH ? -1 : 0; /* the other side is gone: nothing more to do */
}

/* The segment's line in /proc/sysvipc/shm, as ipcs reads it. */
static bool proc_line(int id, struct sys_obj *o)
{
    FILE *f = fopen("/proc/sysvipc/shm", "re");
    if (!f)
        return false;
    char line[512];
    bool found = false;
    if (fgets(line, sizeof line, f)) /* the header */
        while (!found && fgets(line, sizeof line, f))
            found = syswatch_parse_shm(line, o) == 0 && o->id == id;
    fclose(f);
    return found;
}

/* stat: shmctl(IPC_STAT) and /proc/sysvipc/shm. A failure is what the
 * story tells, not a reason to stop. */
static int run_stat(struct runner *r, const struct op *op)
{
    struct event ev = runner_event(r, op, PH_BEGIN);
    int id = obj_id(r, op);
    ev.shml_stat.id = id;
    runner_begin(r, &ev);
    struct shmid_ds ds;
    int rc = shmctl(id, IPC_STAT, &ds), err = errno;
    if (rc == 0) {
        ev.shml_stat.key = ds.shm_perm.__key;
        ev.shml_stat.mode = (int32_t)ds.shm_perm.mode;
        ev.shml_stat.nattch = (int32_t)ds.shm_nattch;
    }
    struct sys_obj o;
    if (proc_line(id, &o)) {
        ev.shml_stat.proc_found = 1;
        ev.shml_stat.proc_key = (int32_t)o.key;
        ev.shml_stat.proc_mode = (int32_t)o.mode;
        ev.shml_stat.proc_nattch = (int32_t)o.nattch;
    }
    runner_end(r, &ev, rc < 0 ? -1 : 0, rc < 0 ? err : 0);
    return 0;
}

/* name: does the name still open, and what /proc/self/maps says of our
 * mapping. */
static int run_name(struct runner *r, const struct op *op)
{
    int kind = kind_of(op);
    struct event ev = runner_event(r, op, PH_BEGIN);
    ev.shml_name.kind = kind;
    ev.shml_name.addr = (int64_t)(uintptr_t)mem;
    runner_begin(r, &ev);
    int fd = open_obj(kind, obj_name(r, op), O_RDONLY), err = errno;
    if (fd >= 0)
        close(fd);
    FILE *f = mem ? fopen("/proc/self/maps", "re") : NULL;
    char line[512];
    while (f && fgets(line, sizeof line, f)) {
        unsigned long long lo, hi, off, ino;
        char perms[8], dev[16];
        uintptr_t a = (uintptr_t)mem;
        if (sscanf(line, "%llx-%llx %7s %llx %15s %llu", &lo, &hi, perms, &off, dev, &ino) != 6 ||
            a < lo || a >= hi)
            continue;
        ev.shml_name.mapped = 1;
        ev.shml_name.ino = (int64_t)ino;
        size_t n = strcspn(line, "\n");
        static const char del[] = " (deleted)";
        ev.shml_name.deleted =
            n >= sizeof del - 1 && memcmp(line + n - (sizeof del - 1), del, sizeof del - 1) == 0;
        break;
    }
    if (f)
        fclose(f);
    runner_end(r, &ev, fd < 0 ? -1 : 0, fd < 0 ? err : 0);
    return 0;
}

/* remove: IPC_RMID (nattch from IPC_STAT just before), shm_unlink, unlink. */
static int run_remove(struct runner *r, const struct op *op)
{
    int kind = kind_of(op);
    struct event ev = runner_event(r, op, PH_BEGIN);
    ev.shml_ctl.kind = kind;
    ev.shml_ctl.id = kind == SHML_SYSV ? obj_id(r, op) : -1;
    ev.shml_ctl.nattch = -1;
    runner_begin(r, &ev);
    int rc;
    if (kind == SHML_SYSV) {
        int err;
        ev.shml_ctl.nattch = nattch_now(ev.shml_ctl.id, &err);
        rc = shmctl(ev.shml_ctl.id, IPC_RMID, NULL);
    } else {
        const char *name = obj_name(r, op);
        rc = !name || !name[0]    ? (errno = EINVAL, -1)
             : kind == SHML_POSIX ? shm_unlink(name)
                                  : unlink(name);
    }
    return runner_end(r, &ev, rc, rc < 0 ? errno : 0);
}

/* lock: SHM_LOCK (arg0 1) or SHM_UNLOCK. A refusal is told, not fatal. */
static int run_lock(struct runner *r, const struct op *op)
{
    struct event ev = runner_event(r, op, PH_BEGIN);
    ev.shml_ctl.kind = SHML_SYSV;
    ev.shml_ctl.id = obj_id(r, op);
    ev.shml_ctl.on = op->arg0 == 1;
    ev.shml_ctl.euid = (int32_t)geteuid();
    struct rlimit rl;
    ev.shml_ctl.memlock = getrlimit(RLIMIT_MEMLOCK, &rl) < 0 ? -2
                          : rl.rlim_cur == RLIM_INFINITY     ? -1
                                                             : (int64_t)rl.rlim_cur;
    runner_begin(r, &ev);
    int rc = shmctl(ev.shml_ctl.id, ev.shml_ctl.on ? SHM_LOCK : SHM_UNLOCK, NULL), err = errno;
    runner_end(r, &ev, rc, rc < 0 ? err : 0);
    return 0;
}

/* ---- in the engine ----------------------------------------------------- */

/* A child removed the object: it is no longer ours to remove. A System V
 * segment marked for destruction goes by itself when the last process of
 * the run detaches (every one of them dies with the run), and its id may
 * name someone else's segment afterwards: forget it now. */
static void track_remove(struct engine *e, const struct event *ev)
{
    if (ev->phase != PH_END || ev->result != 0 || ev->obj < 0)
        return;
    int kind = ev->shml_ctl.kind;
    if (kind == SHML_SYSV && ev->obj < PLAN_MAX_SHMSEGS) {
        registry_forget(REG_SHM, e->shmids[ev->obj], NULL);
        if (ev->shml_ctl.nattch == 0)
            e->shmids[ev->obj] = -1; /* destroyed at once: the sampler stops asking */
    } else if (kind == SHML_POSIX && ev->obj < PLAN_MAX_SHMSEGS && e->ipc.shm_name[ev->obj][0])
        registry_forget(REG_POSIX_SHM, 0, e->ipc.shm_name[ev->obj]);
    else if (kind == SHML_FILE && ev->obj < e->plan.nfiles)
        registry_forget(REG_PATH, 0, e->plan.files[ev->obj].path);
}

/* Where a child attached a segment itself: the sampler reads the bytes
 * there, through the child's memory, and ipcplay never attaches. */
static void track_attach(struct engine *e, const struct event *ev)
{
    if (ev->phase != PH_END || ev->result != 0 || ev->shml_map.kind != SHML_SYSV || ev->obj < 0 ||
        ev->obj >= PLAN_MAX_SHMSEGS)
        return;
    struct child *c = supervisor_find(e, ev->pid);
    if (c)
        c->shm_addr[ev->obj] =
            ev->op == OP_SHM_ATTACH ? (void *)(uintptr_t)ev->shml_map.addr : NULL;
}

/* The last detach destroyed a removed segment: its id is nobody's now (the
 * kernel may give it to a new segment), so the sampler stops asking. */
static void track_detach(struct engine *e, const struct event *ev)
{
    track_attach(e, ev);
    if (ev->phase == PH_END && ev->result == 0 && ev->shml_map.kind == SHML_SYSV &&
        ev->shml_map.nattch < 0 && ev->obj >= 0 && ev->obj < PLAN_MAX_SHMSEGS &&
        e->shmids[ev->obj] == ev->shml_map.id)
        e->shmids[ev->obj] = -1;
}

/* ---- in the model ------------------------------------------------------ */

static const char *const unmap_call[] = {"shmdt", "munmap", "munmap"};
static const char *const remove_call[] = {"shmctl(IPC_RMID)", "shm_unlink", "unlink"};

static int ev_kind(int k)
{
    return k >= SHML_SYSV && k <= SHML_FILE ? k : SHML_SYSV;
}

/* The object as the story names it: "shmid 5", "/ipcplay-1-1-0", "shared". */
static void obj_text(const struct model *m, const struct event *ev, int kind, char *buf, size_t len)
{
    if (kind == SHML_FILE)
        snprintf(buf, len, "%s", model_file_name(m, ev->obj));
    else if (kind == SHML_POSIX)
        snprintf(buf, len, "\"%s\"",
                 ev->obj >= 0 && ev->obj < m->nshmsegs ? m->shmsegs[ev->obj].name : "?");
    else
        snprintf(buf, len, "shmid %d",
                 ev->obj >= 0 && ev->obj < m->nshmsegs ? m->shmsegs[ev->obj].shmid : -1);
}

/* The event's line (at its end), named `what` ("first read") or, with
 * NULL, by its op (written out when read). */
static struct model_line *end_line_as(struct model *m, const struct event *ev, struct op_ctx *cx,
                                      const char *what)
{
    if (ev->phase != PH_END)
        return NULL;
    struct model_line *l = model_new_line(m, ev->t_ns, cx->pi, LINE_EVENT);
    if (what)
        snprintf(l->what, sizeof l->what, "%s", what);
    return l;
}

static struct model_line *end_line(struct model *m, const struct event *ev, struct op_ctx *cx)
{
    return end_line_as(m, ev, cx, NULL);
}

#define SAY(...) model_line_say(l, __VA_ARGS__)

/* A further line of the same event (a story line holds 127 characters). */
static struct model_line *more(struct model *m, const struct event *ev, const struct op_ctx *cx)
{
    /* named as the event's first line is (the line just told) */
    char what[sizeof m->story[0].what];
    memcpy(what, m->story[(m->story_count - 1) % MODEL_STORY_CAP].what, sizeof what);
    struct model_line *l = model_new_line(m, ev->t_ns, cx->pi, LINE_EVENT);
    snprintf(l->who, sizeof l->who, "%s", cx->who);
    if (what[0]) {
        memcpy(l->what, what, sizeof what);
    } else {
        l->what_lazy = true;
        l->what_ev = *ev;
    }
    return l;
}

#define MORE(...) model_line_say(more(m, ev, cx), __VA_ARGS__)

/* The facts the judge reads ("shml.*"). */
#define F(k) "shml." k

static void doing_map(const struct event *ev, char *buf, size_t len)
{
    int k = ev_kind(ev->shml_map.kind);
    if (ev->op == OP_SHM_ATTACH)
        snprintf(buf, len, "%s", k == SHML_SYSV ? "shmat" : "mmap");
    else
        snprintf(buf, len, "%s", unmap_call[k]);
}

/* "shml.pid<pid>": 1 while that process has it attached, by its events. */
#define ATT_PREFIX F("pid")

/* Processes of the run that attached it and are still alive: one that
 * died attached was detached by the kernel as it exited. */
static long long attached_alive(const struct model *m)
{
    long long n = 0;
    size_t pl = strlen(ATT_PREFIX);
    for (int i = 0; i < m->nfacts; i++) {
        if (strncmp(m->facts[i].key, ATT_PREFIX, pl) != 0 || m->facts[i].v != 1)
            continue;
        int pi = model_find_proc(m, (pid_t)atoi(m->facts[i].key + pl));
        const struct model_proc *p = pi >= 0 ? &m->procs[pi] : NULL;
        if (!p || (!p->exited && p->state != 'Z' && p->state != 'x'))
            n++;
    }
    return n;
}

/* nattch the kernel said against the attachments the events count: more
 * means someone besides the run's processes attached it (ipcplay looking).
 * Fewer can be a process killed while attached, before ipcplay reaped it. */
static void nattch_agrees(struct model *m, long long kernel)
{
    if (kernel < 0)
        return;
    model_fact_set(m, F("nattch_seen"), 1);
    if (kernel > attached_alive(m))
        model_fact_set(m, F("nattch_off"), kernel);
}

static void apply_map(struct model *m, const struct event *ev, struct op_ctx *cx)
{
    if (ev->phase != PH_END || ev->result != 0)
        return;
    int k = ev_kind(ev->shml_map.kind);
    bool on = ev->op == OP_SHM_ATTACH;
    model_fact_add(m, F("attached"), on ? 1 : -1);
    if (k == SHML_SYSV) {
        char key[28];
        snprintf(key, sizeof key, ATT_PREFIX "%d", (int)ev->pid);
        model_fact_set(m, key, on);
    }
    if (on) {
        model_fact_add(m, F("attaches"), 1);
    } else if (model_fact(m, F("attached"), 0) == 0 && model_fact(m, F("removed"), 0)) {
        /* the last detach of a removed object */
        if (k != SHML_SYSV || ev->shml_map.nattch < 0)
            model_fact_set(m, F("gone_at_last"), 1);
    }
    if (k == SHML_SYSV) {
        if (ev->shml_map.nattch >= 0)
            nattch_agrees(m, ev->shml_map.nattch);
        else if (attached_alive(m) > 0)
            model_fact_set(m, F("gone_early"), 1); /* gone while still attached */
    }
}

static struct model_line *story_map(struct model *m, const struct event *ev, struct op_ctx *cx)
{
    struct model_line *l = end_line(m, ev, cx);
    if (!l)
        return NULL;
    int k = ev_kind(ev->shml_map.kind);
    char ob[80];
    obj_text(m, ev, k, ob, sizeof ob);
    unsigned long long a = (unsigned long long)ev->shml_map.addr;
    long long size = ev->shml_map.size;
    long long left = model_fact(m, F("attached"), 0);
    bool removed = model_fact(m, F("removed"), 0) != 0;
    if (ev->result < 0) {
        SAY("%s %s failed: %s",
            ev->op == OP_SHM_ATTACH ? (k == SHML_SYSV ? "shmat" : "mmap") : unmap_call[k], ob,
            errname(ev->err));
        return l;
    }
    if (ev->op == OP_SHM_ATTACH) {
        if (k == SHML_SYSV)
            SAY("shmat(%d, NULL, 0) -> %#llx: the kernel picked the address; nattch is now %d",
                ev->shml_map.id, a, ev->shml_map.nattch);
        else
            SAY("%s(%s, O_RDWR) -> fd %d; mmap(NULL, %lld, PROT_READ|PROT_WRITE, MAP_SHARED, "
                "%d, 0) -> %#llx",
                k == SHML_POSIX ? "shm_open" : "open", ob, ev->shml_map.id, size, ev->shml_map.id,
                a);
        if (k == SHML_FILE && ev->shml_map.stat_err == 1)
            MORE("ftruncate(%d, %lld) first: the empty file grows by a hole, which reads as 0",
                 ev->shml_map.id, size);
        if (k != SHML_SYSV)
            MORE("close(%d): the mapping, not the fd, keeps the %s", ev->shml_map.id,
                 k == SHML_POSIX ? "object" : "file");
        return l;
    }
    if (k == SHML_SYSV) {
        if (ev->shml_map.nattch >= 0)
            SAY("shmdt(%#llx) -> 0: nattch is now %d%s", a, ev->shml_map.nattch,
                ev->shml_map.nattch == 0 && !removed
                    ? "; nobody removed it, so the segment stays (ipcs still lists it)"
                    : "");
        else {
            SAY("shmdt(%#llx) -> 0: the last detach of a segment marked for destruction", a);
            MORE("the kernel destroyed it now: IPC_STAT on shmid %d says %s", ev->shml_map.id,
                 errname(ev->shml_map.stat_err));
        }
        return l;
    }
    if (left > 0)
        SAY("munmap(%#llx, %lld) -> 0: %lld mapping(s) of it left in the run", a, size, left);
    else if (removed)
        SAY("munmap(%#llx, %lld) -> 0: no mapping is left and the name is gone: the kernel "
            "frees the %s now",
            a, size, k == SHML_FILE ? "file" : "memory");
    else
        SAY("munmap(%#llx, %lld) -> 0: no mapping is left; the name still holds the data", a, size);
    return l;
}

static void doing_zeros(const struct event *ev, char *buf, size_t len)
{
    snprintf(buf, len, "reading its bytes");
}

static void apply_zeros(struct model *m, const struct event *ev, struct op_ctx *cx)
{
    if (ev->phase != PH_END || ev->result != 0)
        return;
    model_fact_set(m, F("zero_bytes"), ev->shml_zeros.bytes);
    model_fact_set(m, F("zero_nonzero"), ev->shml_zeros.nonzero);
}

static struct model_line *story_zeros(struct model *m, const struct event *ev, struct op_ctx *cx)
{
    struct model_line *l = end_line_as(m, ev, cx, "first read");
    if (!l)
        return NULL;
    if (ev->result < 0) {
        SAY("nothing mapped to read");
        return l;
    }
    const unsigned char *b = (const unsigned char *)&ev->shml_zeros.first8;
    long long nz = ev->shml_zeros.nonzero, n = ev->shml_zeros.bytes;
    SAY("reads all %lld bytes before anyone wrote: %02x %02x %02x %02x %02x %02x %02x %02x ...: "
        "%s",
        n, b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], nz == 0 ? "every one 0" : "NOT all 0");
    if (nz == 0)
        MORE("%s", ev->shml_zeros.kind == SHML_FILE
                       ? "a file grown by ftruncate reads as 0 where nothing was written (a hole)"
                       : "new shared memory comes zero-filled: the kernel clears every page it "
                         "hands out");
    else
        MORE("%lld of the %lld bytes are not 0", nz, n);
    return l;
}

static void doing_msg(const struct event *ev, char *buf, size_t len)
{
    if (ev->op == OP_SHM_WRITE)
        snprintf(buf, len, "writing #%d", ev->shml_msg.seq);
    else if (ev->op == OP_SHM_READ)
        snprintf(buf, len, "waiting for #%d", ev->shml_msg.seq);
    else
        snprintf(buf, len, "%s",
                 ev->shml_msg.pid == SHML_ACK      ? "waiting for the ack"
                 : ev->shml_msg.pid == SHML_NATTCH ? "waiting for nattch"
                                                   : "waiting for the munmap");
}

static void apply_msg(struct model *m, const struct event *ev, struct op_ctx *cx)
{
    if (ev->phase != PH_END || ev->result != 0)
        return;
    bool removed = model_fact(m, F("removed"), 0) != 0;
    if (ev->op == OP_SHM_WRITE && removed)
        model_fact_set(m, F("wrote_after"), ev->shml_msg.seq);
    if (ev->op == OP_SHM_READ) {
        model_fact_set(m, F("read"), ev->shml_msg.seq);
        if (removed)
            model_fact_set(m, F("read_after"), ev->shml_msg.seq);
    }
}

static struct model_line *story_msg(struct model *m, const struct event *ev, struct op_ctx *cx)
{
    char what[24];
    snprintf(what, sizeof what, "read #%d", ev->shml_msg.seq);
    struct model_line *l = end_line_as(m, ev, cx,
                                       ev->op == OP_SHM_READ    ? what
                                       : ev->op == OP_SHM_AWAIT ? "waited"
                                                                : NULL);
    if (!l)
        return NULL;
    unsigned long long a = (unsigned long long)ev->shml_msg.addr;
    bool removed = model_fact(m, F("removed"), 0) != 0;
    int k = ev_kind(ev->shml_msg.kind);
    const char *after = k == SHML_SYSV    ? "after IPC_RMID: the segment is still shared"
                        : k == SHML_POSIX ? "after shm_unlink: the object is still shared"
                                          : "after unlink: the file is still shared";
    bool tell = removed && ev->op != OP_SHM_AWAIT && ev->result == 0;
    if (ev->result < 0 && ev->err == ESRCH) {
        SAY("the other side is gone (killed, or it exited): nothing more will come");
    } else if (ev->result < 0) {
        SAY("%s", ev->err == EINVAL ? "nothing mapped" : errname(ev->err));
    } else if (ev->op == OP_SHM_WRITE) {
        SAY("writes \"message %d from pid %d\" at %#llx (its own address for it)", ev->shml_msg.seq,
            ev->shml_msg.pid, a);
    } else if (ev->op == OP_SHM_READ) {
        SAY("reads \"message %d from pid %d\" at %#llx (its own address for it) and acks it",
            ev->shml_msg.seq, ev->shml_msg.pid, a);
    } else if (ev->shml_msg.pid == SHML_ACK) {
        SAY("-> the other side acked #%d (waited %.1f s)", ev->shml_msg.seq,
            ev->shml_msg.waited / 1000.0);
    } else if (ev->shml_msg.pid == SHML_NATTCH) {
        SAY("-> IPC_STAT says nattch %lld: only it is attached now (waited %.1f s)",
            (long long)ev->shml_msg.value, ev->shml_msg.waited / 1000.0);
    } else {
        SAY("-> /proc/%lld/maps no longer shows the writer's mapping: only it maps it now "
            "(waited %.1f s)",
            (long long)ev->shml_msg.value, ev->shml_msg.waited / 1000.0);
    }
    if (tell)
        MORE("%s", after);
    return l;
}

static void doing_stat(const struct event *ev, char *buf, size_t len)
{
    snprintf(buf, len, "shmctl(IPC_STAT)");
}

static bool dest_of(int mode)
{
    return (mode & SHM_DEST) != 0;
}

static void apply_stat(struct model *m, const struct event *ev, struct op_ctx *cx)
{
    if (ev->phase != PH_END)
        return;
    const struct ev_shml_stat *s = &ev->shml_stat;
    if (ev->result < 0) {
        if (attached_alive(m) > 0)
            model_fact_set(m, F("gone_early"), 1);
        else if (model_fact(m, F("removed"), 0))
            model_fact_set(m, F("gone_at_last"), 1);
        return;
    }
    nattch_agrees(m, s->nattch);
    if (s->mode & SHM_LOCKED)
        model_fact_set(m, F("lock_seen"), 1);
    else if (model_fact(m, F("lock_rc"), 1) == 0)
        model_fact_set(m, F("unlocked_seen"), 1);
    if (model_fact(m, F("removed"), 0) && dest_of(s->mode) && s->key == 0 && s->proc_found &&
        dest_of(s->proc_mode) && s->proc_key == 0)
        model_fact_set(m, F("dest_seen"), 1);
}

/* "dest" and "locked", the words ipcs -m prints in its status column. */
static void status_text(int mode, char *buf, size_t len)
{
    snprintf(buf, len, "%s%s%s", dest_of(mode) ? "dest" : "",
             dest_of(mode) && (mode & SHM_LOCKED) ? " " : "",
             mode & SHM_LOCKED ? "locked" : (dest_of(mode) ? "" : "-"));
}

static struct model_line *story_stat(struct model *m, const struct event *ev, struct op_ctx *cx)
{
    struct model_line *l = end_line(m, ev, cx);
    if (!l)
        return NULL;
    const struct ev_shml_stat *s = &ev->shml_stat;
    if (ev->result < 0) {
        SAY("shmctl(%d, IPC_STAT) -> -1, %s: %s", s->id, errname(ev->err),
            ev->err == EINVAL  ? "no segment has this id any more: it was destroyed"
            : ev->err == EIDRM ? "the segment is being removed"
                               : "the kernel refused");
        MORE("/proc/sysvipc/shm %s",
             s->proc_found ? "STILL lists it" : "has no line for it either");
        return l;
    }
    char st[24];
    status_text(s->mode, st, sizeof st);
    SAY("shmctl(%d, IPC_STAT): key 0x%08x, mode %o, nattch %d -- ipcs status: %s", s->id,
        (unsigned)s->key, (unsigned)s->mode, s->nattch, st);
    if (s->proc_found)
        MORE("/proc/sysvipc/shm (what ipcs reads): key %d (0x%08x), perms %o, nattch %d",
             s->proc_key, (unsigned)s->proc_key, (unsigned)s->proc_mode, s->proc_nattch);
    else
        MORE("/proc/sysvipc/shm has no line for shmid %d", s->id);
    if (dest_of(s->mode))
        MORE("SHM_DEST (01000): marked for destruction; key 0 (IPC_PRIVATE): no shmget finds it, "
             "yet it lives while attached");
    else if (s->mode & SHM_LOCKED)
        MORE("SHM_LOCKED (02000): its pages stay in RAM, never swapped out");
    else if (s->nattch == 0)
        MORE("attached by no one, and still there: a segment outlives its processes until "
             "IPC_RMID");
    return l;
}

static void doing_name(const struct event *ev, char *buf, size_t len)
{
    snprintf(buf, len, "looking at the name");
}

static void apply_name(struct model *m, const struct event *ev, struct op_ctx *cx)
{
    if (ev->phase != PH_END || !model_fact(m, F("removed"), 0))
        return;
    if (ev->result < 0 && ev->err == ENOENT)
        model_fact_set(m, F("name_gone"), 1);
    if (ev->shml_name.mapped && ev->shml_name.deleted)
        model_fact_set(m, F("maps_deleted"), 1);
}

static struct model_line *story_name(struct model *m, const struct event *ev, struct op_ctx *cx)
{
    struct model_line *l = end_line_as(m, ev, cx, "name, maps");
    if (!l)
        return NULL;
    int k = ev_kind(ev->shml_name.kind);
    char ob[80];
    obj_text(m, ev, k, ob, sizeof ob);
    char maps[200];
    const char *shown = k == SHML_POSIX ? "/dev/shm" : "";
    const char *nm = k == SHML_POSIX && ev->obj >= 0 && ev->obj < m->nshmsegs
                         ? m->shmsegs[ev->obj].name
                         : model_file_name(m, ev->obj);
    if (ev->shml_name.mapped)
        snprintf(maps, sizeof maps, "/proc/%d/maps: %#llx rw-s inode %lld %s%s%s", ev->pid,
                 (unsigned long long)ev->shml_name.addr, (long long)ev->shml_name.ino, shown, nm,
                 ev->shml_name.deleted ? " (deleted)" : "");
    else
        snprintf(maps, sizeof maps, "/proc/%d/maps: it maps nothing of it now", ev->pid);
    if (ev->result < 0)
        SAY("%s(%s) -> -1, %s%s", k == SHML_POSIX ? "shm_open" : "open", ob, errname(ev->err),
            ev->err == ENOENT ? (k == SHML_POSIX ? ": the name is gone from /dev/shm"
                                                 : ": the name is gone from the directory")
                              : "");
    else
        SAY("%s(%s) -> an fd: the name is still there", k == SHML_POSIX ? "shm_open" : "open", ob);
    MORE("%s", maps);
    if (ev->shml_name.mapped && ev->shml_name.deleted)
        MORE("(deleted): the name is gone, the mapping still holds the memory and shares it");
    return l;
}

static void doing_remove(const struct event *ev, char *buf, size_t len)
{
    snprintf(buf, len, "%s", remove_call[ev_kind(ev->shml_ctl.kind)]);
}

static void apply_remove(struct model *m, const struct event *ev, struct op_ctx *cx)
{
    if (ev->phase != PH_END || ev->result != 0)
        return;
    int k = ev_kind(ev->shml_ctl.kind);
    long long at = k == SHML_SYSV ? ev->shml_ctl.nattch : model_fact(m, F("attached"), 0);
    model_fact_set(m, F("removed"), 1);
    model_fact_set(m, F("removed_at"), at);
    if (k == SHML_SYSV)
        nattch_agrees(m, ev->shml_ctl.nattch);
    if (at == 0)
        model_fact_set(m, F("gone_at_last"), 1); /* nothing held it: it went at once */
}

static struct model_line *story_remove(struct model *m, const struct event *ev, struct op_ctx *cx)
{
    struct model_line *l = end_line(m, ev, cx);
    if (!l)
        return NULL;
    int k = ev_kind(ev->shml_ctl.kind);
    char ob[80];
    obj_text(m, ev, k, ob, sizeof ob);
    if (ev->result < 0) {
        SAY("%s %s -> -1, %s", remove_call[k], ob, errname(ev->err));
        return l;
    }
    long long at = k == SHML_SYSV ? ev->shml_ctl.nattch : model_fact(m, F("attached"), 0);
    if (k == SHML_SYSV)
        SAY("shmctl(%d, IPC_RMID) -> 0 with nattch %lld: %s", ev->shml_ctl.id, at,
            at > 0 ? "marked for destruction" : "nobody is attached");
    else
        SAY("%s(%s) -> 0 with %lld mapping(s) in the run", remove_call[k], ob, at);
    if (at > 0)
        MORE("%s", k == SHML_SYSV
                       ? "the kernel destroys it when the last process detaches, not now"
                       : "the name is gone at once; the memory lives until the last munmap");
    else
        MORE("%s", k == SHML_SYSV ? "so the kernel destroys it at once"
                                  : "nobody maps it, so the memory goes with the name");
    return l;
}

static void doing_lock(const struct event *ev, char *buf, size_t len)
{
    snprintf(buf, len, "%s", ev->shml_ctl.on ? "shmctl(SHM_LOCK)" : "shmctl(SHM_UNLOCK)");
}

static void apply_lock(struct model *m, const struct event *ev, struct op_ctx *cx)
{
    if (ev->phase != PH_END)
        return;
    if (ev->shml_ctl.on)
        model_fact_set(m, F("lock_rc"), ev->result < 0 ? -ev->err : 0);
    else
        model_fact_set(m, F("unlock_rc"), ev->result < 0 ? -ev->err : 0);
}

static struct model_line *story_lock(struct model *m, const struct event *ev, struct op_ctx *cx)
{
    struct model_line *l = end_line(m, ev, cx);
    if (!l)
        return NULL;
    const char *cmd = ev->shml_ctl.on ? "SHM_LOCK" : "SHM_UNLOCK";
    char lim[32];
    if (ev->shml_ctl.memlock == -1)
        snprintf(lim, sizeof lim, "unlimited");
    else
        snprintf(lim, sizeof lim, "%lld bytes", (long long)ev->shml_ctl.memlock);
    if (ev->result == 0)
        SAY("shmctl(%d, %s) -> 0 (uid %d, RLIMIT_MEMLOCK %s)%s", ev->shml_ctl.id, cmd,
            ev->shml_ctl.euid, lim,
            ev->shml_ctl.on ? ": its pages may not be swapped out any more"
                            : ": its pages may be swapped again");
    else if (ev->err == EPERM) {
        SAY("shmctl(%d, %s) -> -1, EPERM: not permitted here (uid %d, RLIMIT_MEMLOCK %s)",
            ev->shml_ctl.id, cmd, ev->shml_ctl.euid, lim);
        MORE("without CAP_IPC_LOCK only the owner or creator may, and SHM_LOCK needs an "
             "RLIMIT_MEMLOCK above 0");
    } else if (ev->err == ENOMEM) {
        SAY("shmctl(%d, %s) -> -1, ENOMEM: not permitted here (RLIMIT_MEMLOCK %s)", ev->shml_ctl.id,
            cmd, lim);
        MORE("without CAP_IPC_LOCK the segment would take this user past its RLIMIT_MEMLOCK");
    } else
        SAY("shmctl(%d, %s) -> -1, %s", ev->shml_ctl.id, cmd, errname(ev->err));
    return l;
}

/* ---- the entries ------------------------------------------------------- */

static const struct field payload_map[] = {FLD(struct ev_shml_map, kind),
                                           FLD(struct ev_shml_map, id),
                                           FLD(struct ev_shml_map, nattch),
                                           FLD(struct ev_shml_map, stat_err),
                                           FLD(struct ev_shml_map, addr),
                                           FLD(struct ev_shml_map, size),
                                           FLD_END};
static const struct field payload_zeros[] = {
    FLD(struct ev_shml_zeros, kind), FLD(struct ev_shml_zeros, bytes),
    FLD(struct ev_shml_zeros, nonzero), FLD(struct ev_shml_zeros, first8), FLD_END};
static const struct field payload_msg[] = {FLD(struct ev_shml_msg, kind),
                                           FLD(struct ev_shml_msg, seq),
                                           FLD(struct ev_shml_msg, pid),
                                           FLD(struct ev_shml_msg, waited),
                                           FLD(struct ev_shml_msg, addr),
                                           FLD(struct ev_shml_msg, value),
                                           FLD_END};
static const struct field payload_stat[] = {FLD(struct ev_shml_stat, id),
                                            FLD(struct ev_shml_stat, key),
                                            FLD(struct ev_shml_stat, mode),
                                            FLD(struct ev_shml_stat, nattch),
                                            FLD(struct ev_shml_stat, proc_found),
                                            FLD(struct ev_shml_stat, proc_key),
                                            FLD(struct ev_shml_stat, proc_mode),
                                            FLD(struct ev_shml_stat, proc_nattch),
                                            FLD_END};
static const struct field payload_name[] = {
    FLD(struct ev_shml_name, kind),    FLD(struct ev_shml_name, mapped),
    FLD(struct ev_shml_name, deleted), FLD(struct ev_shml_name, addr),
    FLD(struct ev_shml_name, ino),     FLD_END};
static const struct field payload_ctl[] = {FLD(struct ev_shml_ctl, kind),
                                           FLD(struct ev_shml_ctl, id),
                                           FLD(struct ev_shml_ctl, nattch),
                                           FLD(struct ev_shml_ctl, on),
                                           FLD(struct ev_shml_ctl, memlock),
                                           FLD(struct ev_shml_ctl, euid),
                                           FLD_END};

#define SHML(f, p)                                                                                 \
    .doing = doing_##f, .apply = apply_##f, .story = story_##f, .payload = payload_##p

const struct op_entry op_entry_SHM_ATTACH = {.name = "shm_attach",
                                             .verb = "attaches or maps shared memory itself",
                                             .run = run_attach,
                                             .track = track_attach,
                                             SHML(map, map)};
const struct op_entry op_entry_SHM_DETACH = {.name = "shm_detach",
                                             .verb = "detaches or unmaps shared memory",
                                             .run = run_detach,
                                             .track = track_detach,
                                             SHML(map, map)};
const struct op_entry op_entry_SHM_ZEROS = {.name = "shm_zeros",
                                            .verb = "reads shared memory as it came",
                                            .run = run_zeros,
                                            SHML(zeros, zeros)};
const struct op_entry op_entry_SHM_WRITE = {.name = "shm_write",
                                            .verb = "writes a numbered message into shared memory",
                                            .run = run_write,
                                            SHML(msg, msg)};
const struct op_entry op_entry_SHM_READ = {.name = "shm_read",
                                           .verb = "waits for a numbered message and acks it",
                                           .run = run_read,
                                           SHML(msg, msg)};
const struct op_entry op_entry_SHM_AWAIT = {
    .name = "shm_await",
    .verb = "waits for an ack, for nattch, or for another process's munmap",
    .run = run_await,
    SHML(msg, msg)};
const struct op_entry op_entry_SHM_STAT = {.name = "shm_stat",
                                           .verb = "asks IPC_STAT and /proc/sysvipc/shm",
                                           .run = run_stat,
                                           SHML(stat, stat)};
const struct op_entry op_entry_SHM_NAME = {.name = "shm_name",
                                           .verb = "opens the name and reads /proc/self/maps",
                                           .run = run_name,
                                           SHML(name, name)};
const struct op_entry op_entry_SHM_REMOVE = {.name = "shm_remove",
                                             .verb = "removes shared memory (IPC_RMID, "
                                                     "shm_unlink, unlink)",
                                             .run = run_remove,
                                             .track = track_remove,
                                             SHML(remove, ctl)};
const struct op_entry op_entry_SHM_LOCK = {.name = "shm_lock",
                                           .verb = "locks or unlocks a segment in memory",
                                           .run = run_lock,
                                           SHML(lock, ctl)};
