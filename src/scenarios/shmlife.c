/* shmlife.c — the `shmlife` scenario: the life of a piece of shared memory,
 * from creation to destruction. ipcplay creates it -- a System V segment
 * with a key from ftok (kind=sysv), a POSIX object in /dev/shm it keeps no
 * fd of (kind=posix), or an empty regular file in the run directory
 * (kind=file) -- and two processes that share nothing else attach or map it
 * themselves:
 *   writer  attaches (shmat / shm_open + mmap / open + ftruncate + mmap),
 *           reads every byte before anyone wrote (zero-filled), writes
 *           message 1, waits for the ack; with lock=on locks the segment
 *           (SHM_LOCK, IPC_STAT shows "locked"; EPERM where not permitted)
 *           and unlocks it; with rmid=early removes the object while both
 *           are attached (IPC_RMID: IPC_STAT and /proc/sysvipc/shm show
 *           dest and key 0, shmget by the key finds nothing; shm_unlink /
 *           unlink: the name is gone, /proc/PID/maps says "(deleted)"),
 *           writes message 2 through the removed object, waits for the ack,
 *           detaches;
 *   reader  attaches, reads both messages (the second after the removal),
 *           waits until it alone is attached (nattch 1, or /proc/WRITER/maps
 *           without the mapping), detaches last: a removed segment is
 *           destroyed then (IPC_STAT: EINVAL). With rmid=late it detaches
 *           first and removes afterwards: the object sat there attached by
 *           no one, and IPC_RMID destroys it at once.
 * rmid=late breaks the claim that the object outlived its removal. */
#include <stdio.h>
#include <sys/ipc.h>

#include "../model/signames.h"
#include "scenario.h"
#include "../model/i18n.h"

enum { P_KIND, P_RMID, P_LOCK, P_GAP, P__N };

static const char *const kinds[] = {"sysv", "posix", "file", NULL};
static const char *const rmids[] = {"early", "late", NULL};

static const struct param_def params[] = {
    [P_KIND] = {"kind", PARAM_ENUM, 0, 0, 2, kinds,
                N_("System V segment (shmat), POSIX object (shm_open + mmap) or a regular file "
                   "(open + mmap)")},
    [P_RMID] = {"rmid", PARAM_ENUM, 0, 0, 1, rmids,
                N_("remove it while both are attached (early), or after both detached (late)")},
    [P_LOCK] = {"lock", PARAM_BOOL, 0, 0, 1, NULL,
                N_("SHM_LOCK and SHM_UNLOCK the segment (kind=sysv)")},
    [P_GAP] = {"gap", PARAM_MS, 2000, 0, 60000, NULL, N_("time between steps")},
};

enum { F_KEYFILE };

#define SIZE 4096
#define OP(r, ...) plan_op(r, (struct op){__VA_ARGS__})

static int build(const long *v, struct plan *p, char *err, size_t errlen)
{
    int kind = (int)v[P_KIND], gap = (int)v[P_GAP];
    bool early = v[P_RMID] == 0, lock = v[P_LOCK] != 0;
    if (lock && kind != SHML_SYSV) {
        snprintf(err, errlen,
                 _("lock=on needs kind=sysv: SHM_LOCK is a System V shmctl command (POSIX and "
                   "file mappings are locked with mlock)"));
        return -1;
    }
    p->observe = 1;
    int obj, size = 0;
    if (kind == SHML_FILE) {
        obj = plan_add_file(p, PLANF_FILE, "shared", 0);
        size = SIZE;
    } else if (kind == SHML_POSIX) {
        obj = plan_add_shmseg(p, SIZE, 0);
        p->shmsegs[obj].kind = PLAN_SHM_POSIX;
        p->shmsegs[obj].hands_off = 1;
    } else {
        plan_add_file(p, PLANF_FILE, "keyfile", 16);
        obj = plan_add_shmseg(p, SIZE, 0);
        p->shmsegs[obj].key = (struct plan_key){.file = F_KEYFILE + 1, .proj = 's'};
    }
    bool sysv = kind == SHML_SYSV;
    struct op base = {.obj = obj, .arg2 = size, .arg3 = kind};
#define SL(r, k, ...)                                                                              \
    do {                                                                                           \
        struct op o_ = base;                                                                       \
        o_.kind = (k);                                                                             \
        struct op set_ = {__VA_ARGS__};                                                            \
        o_.arg0 = set_.arg0;                                                                       \
        o_.arg1 = set_.arg1;                                                                       \
        plan_op(r, o_);                                                                            \
    } while (0)

    struct plan_role *w = plan_add_role(p, "writer", 1);
    struct plan_role *rd = plan_add_role(p, "reader", 1);
    w->no_shm = rd->no_shm = 1; /* they attach it themselves, by id, name or path */

    SL(w, OP_SHM_ATTACH, .arg0 = 1); /* a file: the writer sizes it */
    OP(w, .kind = OP_SLEEP, .ms = gap);
    SL(w, OP_SHM_ZEROS);
    OP(w, .kind = OP_SLEEP, .ms = gap);
    SL(w, OP_SHM_WRITE, .arg0 = 1);
    SL(w, OP_SHM_AWAIT, .arg0 = 1, .arg1 = SHML_ACK);
    OP(w, .kind = OP_SLEEP, .ms = gap);
    if (lock) {
        SL(w, OP_SHM_LOCK, .arg0 = 1);
        SL(w, OP_SHM_STAT);
        OP(w, .kind = OP_SLEEP, .ms = gap);
        SL(w, OP_SHM_LOCK, .arg0 = 0);
        SL(w, OP_SHM_STAT);
        OP(w, .kind = OP_SLEEP, .ms = gap);
    }
    if (early) {
        SL(w, OP_SHM_REMOVE);
        OP(w, .kind = OP_SLEEP, .ms = gap);
        if (sysv) {
            SL(w, OP_SHM_STAT);
            OP(w, .kind = OP_SLEEP, .ms = gap);
            OP(w, .kind = OP_FTOK, .obj = F_KEYFILE, .arg0 = 's');
            OP(w, .kind = OP_SHMGET, .arg1 = 0, .arg2 = 0);
        } else {
            SL(w, OP_SHM_NAME); /* a pause on it, as long as System V's two looks */
            OP(w, .kind = OP_SLEEP, .ms = gap);
        }
        OP(w, .kind = OP_SLEEP, .ms = gap);
    }
    SL(w, OP_SHM_WRITE, .arg0 = 2);
    SL(w, OP_SHM_AWAIT, .arg0 = 2, .arg1 = SHML_ACK);
    OP(w, .kind = OP_SLEEP, .ms = gap);
    SL(w, OP_SHM_DETACH);
    OP(w, .kind = OP_SLEEP, .ms = gap);
    OP(w, .kind = OP_EXIT, .arg1 = 0);

    OP(rd, .kind = OP_SLEEP, .ms = gap);
    SL(rd, OP_SHM_ATTACH, .arg0 = 0);
    if (sysv)
        SL(rd, OP_SHM_STAT);
    SL(rd, OP_SHM_READ, .arg0 = 1);
    SL(rd, OP_SHM_READ, .arg0 = 2);
    OP(rd, .kind = OP_SLEEP, .ms = gap);
    if (!sysv && early)
        SL(rd, OP_SHM_NAME);
    SL(rd, OP_SHM_AWAIT, .arg0 = 1, .arg1 = sysv ? SHML_NATTCH : SHML_UNMAPPED);
    OP(rd, .kind = OP_SLEEP, .ms = gap);
    SL(rd, OP_SHM_DETACH);
    OP(rd, .kind = OP_SLEEP, .ms = gap);
    if (!early) {
        SL(rd, sysv ? OP_SHM_STAT : OP_SHM_NAME);
        OP(rd, .kind = OP_SLEEP, .ms = gap);
        SL(rd, OP_SHM_REMOVE);
        OP(rd, .kind = OP_SLEEP, .ms = gap);
    }
    SL(rd, sysv ? OP_SHM_STAT : OP_SHM_NAME);
    OP(rd, .kind = OP_SLEEP, .ms = gap);
    OP(rd, .kind = OP_EXIT, .arg1 = 0);
#undef SL
    return 0;
}

#define F(k) "shml." k

static void judge_zero(struct model *m, int pend)
{
    long long n = model_fact(m, F("zero_bytes"), -1), nz = model_fact(m, F("zero_nonzero"), -1);
    if (n < 0)
        model_set_check(m, "zero_filled", pend, _("the writer has not looked yet"));
    else if (nz == 0)
        model_set_check(m, "zero_filled", CHECK_OK,
                        _("all %lld bytes were 0 when first read, before anyone wrote"), n);
    else
        model_set_check(m, "zero_filled", CHECK_FAILED, _("%lld of %lld bytes were not 0"), nz, n);
}

static void judge_outlived(struct model *m, int kind, int pend)
{
    static const char *const what[] = {"IPC_RMID", "shm_unlink", "unlink"};
    static const char *const unit[] = {"nattch %lld", "%lld mapping(s)", "%lld mapping(s)"};
    bool removed = model_fact(m, F("removed"), 0) != 0;
    long long at = model_fact(m, F("removed_at"), -1);
    long long after = model_fact(m, F("read_after"), 0);
    bool gone = model_fact(m, F("gone_at_last"), 0) != 0;
    char held[32];
    snprintf(held, sizeof held, unit[kind], at);
    if (model_fact(m, F("gone_early"), 0))
        model_set_check(m, "outlived_removal", CHECK_FAILED,
                        _("the segment vanished while a process was still attached"));
    else if (removed && at == 0)
        model_set_check(m, "outlived_removal", CHECK_FAILED,
                        _("%s came with %s: nothing held it, so it went at once -- nothing "
                          "used it after its removal"),
                        what[kind], held);
    else if (removed && after > 0 && gone)
        model_set_check(m, "outlived_removal", CHECK_OK,
                        _("%s with %s: message %lld still went through it, and it went "
                          "only when the last process %s"),
                        what[kind], held, after,
                        kind == SHML_SYSV ? _("detached") : _("unmapped it"));
    else if (!removed)
        model_set_check(m, "outlived_removal", pend, _("not removed yet"));
    else
        model_set_check(m, "outlived_removal", pend, _("%s with %s; %s"), what[kind], held,
                        after ? _("waiting for the last detach")
                              : _("waiting for a message through it"));
}

static void judge_sysv(struct model *m, const long *v, int pend)
{
    if (model_fact(m, F("nattch_off"), -1) >= 0)
        model_set_check(m, "nattch_own", CHECK_FAILED,
                        _("IPC_STAT said nattch %lld, more than the run's processes had "
                          "attached: someone else attached it"),
                        model_fact(m, F("nattch_off"), 0));
    else if (model_fact(m, F("nattch_seen"), 0))
        model_set_check(m, "nattch_own", CHECK_OK,
                        _("every nattch IPC_STAT gave counted the run's shmat calls alone: "
                          "ipcplay attaches nothing"));
    else
        model_set_check(m, "nattch_own", pend, _("no IPC_STAT yet"));
    if (v[P_RMID] == 0) {
        if (model_fact(m, F("dest_seen"), 0))
            model_set_check(m, "dest_key0", CHECK_OK,
                            _("after IPC_RMID, IPC_STAT and /proc/sysvipc/shm both showed "
                              "SHM_DEST (dest) and key 0"));
        else
            model_set_check(m, "dest_key0", pend, _("no IPC_STAT after IPC_RMID yet"));
    }
    if (!v[P_LOCK])
        return;
    long long rc = model_fact(m, F("lock_rc"), 1);
    if (rc == 1)
        model_set_check(m, "shm_lock", pend, _("not locked yet"));
    else if (rc < 0)
        model_set_check(m, "shm_lock", model_fact(m, F("lock_seen"), 0) ? CHECK_FAILED : CHECK_OK,
                        _("SHM_LOCK is not permitted here (%s), and IPC_STAT shows the segment "
                          "not locked"),
                        errname((int)-rc));
    else if (model_fact(m, F("lock_seen"), 0) && model_fact(m, F("unlocked_seen"), 0))
        model_set_check(m, "shm_lock", CHECK_OK,
                        _("SHM_LOCK set SHM_LOCKED (ipcs: locked), SHM_UNLOCK cleared it"));
    else
        model_set_check(m, "shm_lock", pend, _("waiting for IPC_STAT to show the lock and unlock"));
}

static void judge(struct model *m, const long *v, int final)
{
    int pend = final == 1 ? CHECK_FAILED : CHECK_PENDING;
    int kind = (int)v[P_KIND];
    judge_zero(m, pend);
    judge_outlived(m, kind, pend);
    if (kind == SHML_SYSV) {
        judge_sysv(m, v, pend);
        return;
    }
    if (v[P_RMID] != 0)
        return;
    if (model_fact(m, F("name_gone"), 0) && model_fact(m, F("maps_deleted"), 0))
        model_set_check(m, "name_gone", CHECK_OK,
                        _("after %s the name no longer opens (ENOENT) while /proc/PID/maps shows "
                          "the mapping \"(deleted)\""),
                        kind == SHML_POSIX ? "shm_unlink" : "unlink");
    else
        model_set_check(m, "name_gone", pend, _("not looked at after the removal yet"));
}

/* Knobs that break a check on purpose: told as such, not as a failure. */
static const struct param_break breaks[] = {
    {"rmid", "outlived_removal"},
    {NULL, NULL},
};

const struct scenario_def scenario_shmlife = {
    .breaks = breaks,
    .name = "shmlife",
    .summary = N_("the life of shared memory: shmat/shmdt, zero-filled, IPC_RMID while attached "
                  "(dest, key 0), shm_unlink and (deleted), SHM_LOCK, a shared file"),
    .watch =
        N_("Two processes attach the memory themselves (shmat, or shm_open/open + mmap) and "
           "each gets its own address for it. The first bytes are all 0: new shared memory "
           "comes zero-filled. With rmid=early the writer removes it while both are attached: "
           "a System V segment turns `dest` with key 0 (IPC_STAT, /proc/sysvipc/shm, ipcs) and "
           "shmget by the key finds nothing, a POSIX or file name is gone and /proc/PID/maps "
           "says (deleted) -- yet message 2 still goes through, and the memory goes only when "
           "the last process detaches (IPC_STAT then says EINVAL). nattch is theirs alone: "
           "ipcplay reads without attaching. lock=on tries SHM_LOCK (EPERM where not "
           "permitted); rmid=late removes it after both detached and breaks the claim."),
    .params = params,
    .nparams = P__N,
    .build = build,
    .judge = judge,
};
