/* key.c — the keys-and-creation family: ftok, semget/msgget/shmget with a
 * key, running on as another uid, and an alter operation (semop, msgsnd,
 * shmat read-write) that the object's mode bits may refuse. Each op's entry:
 * what it does in a child, its "doing" text, the facts it leaves for the
 * keys scenario's judge and how the story tells it.
 *
 * These ops never create: the engine made every keyed object (with
 * IPC_CREAT|IPC_EXCL) before any child runs, and the keys scenario passes
 * IPC_CREAT only with the key the engine used, so a child's IPC_CREAT finds
 * the existing object. The key and the ids a process got live here, per
 * process (a child starts with none). */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/msg.h>
#include <sys/prctl.h>
#include <sys/sem.h>
#include <sys/shm.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../engine/ops.h"
#include "../model/model.h"
#include "../model/signames.h"
#include "op.h"
#include "../model/i18n.h"

static key_t my_key = IPC_PRIVATE;
static int my_id[3] = {-1, -1, -1};

/* ---- in the child ------------------------------------------------------ */

/* ftok: of run file obj with proj arg0. */
static int run_ftok(struct runner *r, const struct op *op)
{
    struct event ev = runner_event(r, op, PH_BEGIN);
    ev.ftok.proj = op->arg0;
    ev.ftok.key = -1;
    runner_begin(r, &ev);
    const char *path =
        r->plan && op->obj >= 0 && op->obj < r->plan->nfiles ? r->plan->files[op->obj].path : NULL;
    if (!path)
        return runner_end(r, &ev, -1, EINVAL);
    key_t k = ftok(path, op->arg0);
    int err = errno;
    struct stat st;
    ev.ftok.ino = stat(path, &st) == 0 ? (int64_t)st.st_ino : -1;
    if (k == (key_t)-1)
        return runner_end(r, &ev, -1, err);
    my_key = k;
    ev.ftok.key = (int64_t)(unsigned)k;
    return runner_end(r, &ev, 0, 0);
}

/* semget / msgget / shmget: with this process's key, flags arg1 (IPC_CREAT,
 * IPC_EXCL, mode), nsems or size arg2. A refusal is an outcome, not a
 * failure the role ends on: the scenario is about which calls are refused. */
static int run_get(struct runner *r, const struct op *op)
{
    struct event ev = runner_event(r, op, PH_BEGIN);
    ev.ipcget.flags = op->arg1;
    ev.ipcget.size = op->arg2;
    ev.ipcget.uid = (int32_t)geteuid();
    ev.ipcget.key = (int64_t)(unsigned)my_key;
    runner_begin(r, &ev);
    int id, kind;
    switch (op->kind) {
    case OP_SEMGET: id = semget(my_key, op->arg2, op->arg1), kind = KEY_SEM; break;
    case OP_MSGGET: id = msgget(my_key, op->arg1), kind = KEY_MSG; break;
    default: id = shmget(my_key, (size_t)op->arg2, op->arg1), kind = KEY_SHM; break;
    }
    int err = errno;
    my_id[kind] = id;
    runner_end(r, &ev, id, err);
    return 0;
}

/* setuid: as root, become uid arg0 for good (setresuid), and ask again for
 * the parent-death signal, which a change of credentials clears. Not root:
 * it stays who it is (result 1) and says so. */
static int run_setuid(struct runner *r, const struct op *op)
{
    struct event ev = runner_event(r, op, PH_BEGIN);
    ev.setuid.uid = op->arg0;
    runner_begin(r, &ev);
    int rc = 1, err = 0;
    if (geteuid() == 0) {
        rc = setresgid((gid_t)op->arg0, (gid_t)op->arg0, (gid_t)op->arg0) == 0 &&
                     setresuid((uid_t)op->arg0, (uid_t)op->arg0, (uid_t)op->arg0) == 0
                 ? 0
                 : -1;
        err = errno;
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (getppid() != r->engine_pid)
            _exit(3);
    }
    ev.setuid.now = (int32_t)geteuid();
    runner_end(r, &ev, rc, err);
    return rc < 0 ? -1 : 0;
}

/* alter: arg0 the kind; semop +1 on semaphore 0 (IPC_NOWAIT), msgsnd of one
 * byte (IPC_NOWAIT), or shmat read-write (detached again at once). */
static int run_alter(struct runner *r, const struct op *op)
{
    int kind = op->arg0 >= 0 && op->arg0 <= 2 ? op->arg0 : 0;
    struct event ev = runner_event(r, op, PH_BEGIN);
    ev.alter.kind = kind;
    ev.alter.id = my_id[kind];
    ev.alter.uid = (int32_t)geteuid();
    runner_begin(r, &ev);
    int rc;
    if (kind == KEY_SEM) {
        struct sembuf sb = {0, 1, IPC_NOWAIT};
        rc = semop(my_id[kind], &sb, 1);
    } else if (kind == KEY_MSG) {
        struct {
            long type;
            char text[1];
        } msg = {1, {'k'}};
        rc = msgsnd(my_id[kind], &msg, sizeof msg.text, IPC_NOWAIT);
    } else {
        void *p = shmat(my_id[kind], NULL, 0);
        rc = p == (void *)-1 ? -1 : 0;
        if (rc == 0)
            shmdt(p);
    }
    runner_end(r, &ev, rc, errno);
    return 0;
}

/* ---- in the model ------------------------------------------------------ */

static const char *const call_of[] = {"semget", "msgget", "shmget"};
static const char *const alter_of[] = {"semop(+1)", "msgsnd", "shmat(read-write)"};

/* The alter event's kind, whatever the record says (a replay is any file). */
static int alter_kind(const struct event *ev)
{
    return ev->alter.kind >= 0 && ev->alter.kind <= 2 ? ev->alter.kind : 0;
}

static int get_kind(int op)
{
    return op == OP_SEMGET ? KEY_SEM : op == OP_MSGGET ? KEY_MSG : KEY_SHM;
}

/* "key.r2.g0": role 2's semget result (the id, or -errno). */
static void fact(struct model *m, const struct event *ev, const char *what, int kind, long long v)
{
    char key[28];
    if (kind >= 0)
        snprintf(key, sizeof key, "key.r%d.%s%d", ev->role, what, kind);
    else
        snprintf(key, sizeof key, "key.r%d.%s", ev->role, what);
    model_fact_set(m, key, v);
}

static struct model_line *end_line(struct model *m, const struct event *ev, struct op_ctx *cx)
{
    return ev->phase == PH_END ? model_new_line(m, ev->t_ns, cx->pi, LINE_EVENT) : NULL;
}

#define SAY(...) model_line_say(l, __VA_ARGS__)

static void doing_ftok(const struct event *ev, char *buf, size_t len)
{
    snprintf(buf, len, "ftok");
}

static void apply_ftok(struct model *m, const struct event *ev, struct op_ctx *cx)
{
    if (ev->phase == PH_END)
        fact(m, ev, "ftok", -1, ev->result < 0 ? -1 : ev->ftok.key);
}

static struct model_line *story_ftok(struct model *m, const struct event *ev, struct op_ctx *cx)
{
    struct model_line *l = end_line(m, ev, cx);
    if (!l)
        return NULL;
    if (ev->result < 0)
        SAY(_("ftok(%s, %d) failed: %s"), model_file_name(m, ev->obj), ev->ftok.proj,
            errname(ev->err));
    else
        SAY(_("ftok(%s, %d) -> key 0x%08llx (from the file's inode %lld and device, and proj)"),
            model_file_name(m, ev->obj), ev->ftok.proj, (unsigned long long)ev->ftok.key,
            (long long)ev->ftok.ino);
    return l;
}

static void doing_get(const struct event *ev, char *buf, size_t len)
{
    snprintf(buf, len, "%s", call_of[get_kind(ev->op)]);
}

static void apply_get(struct model *m, const struct event *ev, struct op_ctx *cx)
{
    if (ev->phase == PH_END)
        fact(m, ev, "g", get_kind(ev->op), ev->result >= 0 ? ev->result : -ev->err);
}

/* The id the engine made for this kind (the first object of it), or -1. */
static int engine_id(const struct model *m, int kind)
{
    if (kind == KEY_SEM)
        return m->nsemsets > 0 ? m->semsets[0].semid : -1;
    if (kind == KEY_MSG)
        return m->nmsgqs > 0 ? m->msgqs[0].msqid : -1;
    return m->nshmsegs > 0 ? m->shmsegs[0].shmid : -1;
}

static const char *get_why(const struct event *ev)
{
    switch (ev->err) {
    case EEXIST: return ": IPC_CREAT|IPC_EXCL insists on making a new one, and the key is taken";
    case ENOENT: return ": nothing has this key, and without IPC_CREAT nothing is made";
    case EACCES: return ": the object's mode bits do not grant what the flags ask for";
    case EINVAL:
        return ev->op == OP_SHMGET ? ": a size larger than the existing segment's"
                                   : ": more semaphores than the existing set has";
    default: return "";
    }
}

static struct model_line *story_get(struct model *m, const struct event *ev, struct op_ctx *cx)
{
    struct model_line *l = end_line(m, ev, cx);
    if (!l)
        return NULL;
    int kind = get_kind(ev->op);
    char fl[48], args[96];
    ipc_flags_text(ev->ipcget.flags, fl, sizeof fl);
    if (ev->op == OP_MSGGET)
        snprintf(args, sizeof args, "0x%08llx, %s", (unsigned long long)ev->ipcget.key, fl);
    else
        snprintf(args, sizeof args, "0x%08llx, %d, %s", (unsigned long long)ev->ipcget.key,
                 ev->ipcget.size, fl);
    if (ev->result < 0) {
        SAY("%s(%s) -> -1, %s%s", call_of[kind], args, errname(ev->err), get_why(ev));
        return l;
    }
    bool same = ev->result == engine_id(m, kind);
    SAY(_("%s(%s) -> id %d: %s%s"), call_of[kind], args, ev->result,
        same ? _("the object ipcplay made with this key") : _("NOT the object ipcplay made"),
        !same                          ? ""
        : ev->ipcget.flags & IPC_CREAT ? _(" (it exists, so IPC_CREAT just opens it)")
        : ev->op == OP_MSGGET          ? _(" (flags 0: open an existing one)")
        : ev->ipcget.size == 0         ? (ev->op == OP_SHMGET ? _(" (size 0: open an existing one)")
                                                              : _(" (nsems 0: open an existing one)"))
                                       : "");
    return l;
}

static void doing_setuid(const struct event *ev, char *buf, size_t len)
{
    snprintf(buf, len, "setresuid(%d)", ev->setuid.uid);
}

static void apply_setuid(struct model *m, const struct event *ev, struct op_ctx *cx)
{
    if (ev->phase == PH_END)
        fact(m, ev, "uid", -1, ev->setuid.now);
}

static struct model_line *story_setuid(struct model *m, const struct event *ev, struct op_ctx *cx)
{
    struct model_line *l = end_line(m, ev, cx);
    if (!l)
        return NULL;
    if (ev->result == 0)
        SAY(_("setresuid(%d, %d, %d): from now on a stranger to the objects (their owner is "
              "uid 0, and root's CAP_IPC_OWNER is gone)"),
            ev->setuid.uid, ev->setuid.uid, ev->setuid.uid);
    else if (ev->result == 1)
        SAY(_("not root: it cannot become uid %d and stays uid %d, the objects' owner — only a "
              "mode that refuses the owner too (0400) refuses it"),
            ev->setuid.uid, ev->setuid.now);
    else
        SAY(_("setresuid(%d) failed: %s"), ev->setuid.uid, errname(ev->err));
    return l;
}

static void doing_alter(const struct event *ev, char *buf, size_t len)
{
    snprintf(buf, len, "%s", alter_of[alter_kind(ev)]);
}

static void apply_alter(struct model *m, const struct event *ev, struct op_ctx *cx)
{
    if (ev->phase == PH_END)
        fact(m, ev, "a", alter_kind(ev), ev->result < 0 ? -ev->err : 0);
}

static struct model_line *story_alter(struct model *m, const struct event *ev, struct op_ctx *cx)
{
    struct model_line *l = end_line(m, ev, cx);
    if (!l)
        return NULL;
    const char *what = alter_of[alter_kind(ev)];
    if (ev->result == 0)
        SAY(_("%s on id %d as uid %d -> done: the mode grants it write (alter) permission"), what,
            ev->alter.id, ev->alter.uid);
    else if (ev->err == EACCES)
        SAY(_("%s on id %d as uid %d -> EACCES: the mode bits do not give this caller w "
              "(alter); getting the id needed none"),
            what, ev->alter.id, ev->alter.uid);
    else
        SAY(_("%s on id %d -> %s"), what, ev->alter.id, errname(ev->err));
    return l;
}

/* ---- the entries ------------------------------------------------------- */

#define KEYOP(op)                                                                                  \
    .doing = doing_##op, .apply = apply_##op, .story = story_##op, .payload = payload_##op

/* Each payload's fields by name, for recordings. */
static const struct field payload_ftok[] = {FLD(struct ev_ftok, proj), FLD(struct ev_ftok, key),
                                            FLD(struct ev_ftok, ino), FLD_END};
static const struct field payload_get[] = {FLD(struct ev_ipcget, flags),
                                           FLD(struct ev_ipcget, size), FLD(struct ev_ipcget, uid),
                                           FLD(struct ev_ipcget, key), FLD_END};
static const struct field payload_setuid[] = {FLD(struct ev_setuid, uid),
                                              FLD(struct ev_setuid, now), FLD_END};
static const struct field payload_alter[] = {FLD(struct ev_alter, kind), FLD(struct ev_alter, id),
                                             FLD(struct ev_alter, uid), FLD_END};

const struct op_entry op_entry_FTOK = {
    .name = "ftok", .verb = "makes a key from a path (ftok)", .run = run_ftok, KEYOP(ftok)};
const struct op_entry op_entry_SEMGET = {
    .name = "semget", .verb = "gets a semaphore set by key", .run = run_get, KEYOP(get)};
const struct op_entry op_entry_MSGGET = {
    .name = "msgget", .verb = "gets a message queue by key", .run = run_get, KEYOP(get)};
const struct op_entry op_entry_SHMGET = {
    .name = "shmget", .verb = "gets a shared memory segment by key", .run = run_get, KEYOP(get)};
const struct op_entry op_entry_SETUID = {
    .name = "setuid", .verb = "becomes another user (setresuid)", .run = run_setuid, KEYOP(setuid)};
const struct op_entry op_entry_ALTER = {.name = "alter",
                                        .verb = "tries an alter operation (semop, msgsnd, shmat)",
                                        .run = run_alter,
                                        KEYOP(alter)};
