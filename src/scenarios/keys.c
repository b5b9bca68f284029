/* keys.c — the `keys` scenario: unrelated processes meet System V objects by
 * key. ipcplay makes a file in the run directory, computes ftok(file, proj)
 * and creates a semaphore set, a message queue and a segment with that one
 * key (IPC_CREAT|IPC_EXCL: one key names one object of each kind), then
 * gives them the mode `mode` with IPC_SET. Four processes that share nothing
 * each compute the key themselves:
 *   opener     semget/msgget/shmget(key, ..., IPC_CREAT|mode): the object
 *              exists, so IPC_CREAT just opens it (same ids);
 *   exclusive  the same with IPC_CREAT|IPC_EXCL: EEXIST;
 *   lookup     nsems 0, size 0, flags 0: opens an existing one;
 *   stranger   becomes uid 65534 when run as root, gets the ids (asking for
 *              no permission) and tries an alter op on each: the mode refuses.
 * Knobs that break a claim: lookup_proj=N (another key: ENOENT), excl=off
 * (IPC_CREAT alone opens the existing one), mode=0666 (the alters pass). */
#include <stdio.h>
#include <sys/ipc.h>

#include "scenario.h"
#include "../model/i18n.h"

enum { P_PROJ, P_LOOKUP_PROJ, P_MODE, P_EXCL, P_GAP, P__N };

static const char *const mode_choices[] = {"0400", "0600", "0666", NULL};
static const unsigned mode_bits[] = {0400, 0600, 0666};

static const struct param_def params[] = {
    [P_PROJ] = {"proj", PARAM_INT, 'k', 1, 255, NULL, N_("ftok's proj_id (the default is 'k')")},
    [P_LOOKUP_PROJ] = {"lookup_proj", PARAM_INT, 0, 0, 255, NULL,
                       N_("the proj the lookup process uses (0: the same)")},
    [P_MODE] = {"mode", PARAM_ENUM, 0, 0, 0, mode_choices,
                N_("the objects' permission bits (given with IPC_SET after creation)")},
    [P_EXCL] = {"excl", PARAM_BOOL, 1, 0, 1, NULL,
                N_("the exclusive process passes IPC_CREAT|IPC_EXCL (off: IPC_CREAT only)")},
    [P_GAP] = {"gap", PARAM_MS, 3000, 0, 10000, NULL, N_("time between steps")},
};

enum { R_OPENER, R_EXCLUSIVE, R_LOOKUP, R_STRANGER, R__N };
enum { F_KEY };

#define SEG_SIZE 4096
#define NOBODY 65534

#define OP(r, ...) plan_op(r, (struct op){__VA_ARGS__})

/* ftok, then the three get calls with these flags and sizes. */
static void gets(struct plan_role *r, int proj, int flags, int nsems, int size, int gap)
{
    OP(r, .kind = OP_FTOK, .obj = F_KEY, .arg0 = proj);
    OP(r, .kind = OP_SLEEP, .ms = gap);
    OP(r, .kind = OP_SEMGET, .arg1 = flags, .arg2 = nsems);
    OP(r, .kind = OP_SLEEP, .ms = gap);
    OP(r, .kind = OP_MSGGET, .arg1 = flags);
    OP(r, .kind = OP_SLEEP, .ms = gap);
    OP(r, .kind = OP_SHMGET, .arg1 = flags, .arg2 = size);
}

static int build(const long *v, struct plan *p, char *err, size_t errlen)
{
    (void)err;
    (void)errlen;
    int proj = (int)v[P_PROJ], gap = (int)v[P_GAP];
    int lproj = v[P_LOOKUP_PROJ] ? (int)v[P_LOOKUP_PROJ] : proj;
    unsigned mode = mode_bits[v[P_MODE]];
    struct plan_key key = {.file = F_KEY + 1, .proj = proj, .mode = mode};
    p->observe = 1;
    plan_add_file(p, PLANF_FILE, "keyfile", 16);
    int s = plan_add_semset(p, 1, 0);
    p->semsets[s].key = key;
    snprintf(p->semsets[s].name[0], sizeof p->semsets[s].name[0], "keyed");
    int q = plan_add_msgq(p, 0);
    p->msgqs[q].key = key;
    int g = plan_add_shmseg(p, SEG_SIZE, 0);
    p->shmsegs[g].key = key;

    struct plan_role *o = plan_add_role(p, "opener", 1);
    struct plan_role *x = plan_add_role(p, "exclusive", 1);
    struct plan_role *l = plan_add_role(p, "lookup", 1);
    struct plan_role *st = plan_add_role(p, "stranger", 1);
    for (int i = 0; i < R__N; i++)
        p->roles[i].no_shm = 1; /* they meet the segment by key, not by inheritance */

    gets(o, proj, IPC_CREAT | (int)mode, 1, SEG_SIZE, gap);
    OP(x, .kind = OP_SLEEP, .ms = gap);
    gets(x, proj, IPC_CREAT | (v[P_EXCL] ? IPC_EXCL : 0) | (int)mode, 1, SEG_SIZE, gap);
    OP(l, .kind = OP_SLEEP, .ms = 2 * gap);
    gets(l, lproj, 0, 0, 0, gap);
    OP(st, .kind = OP_SLEEP, .ms = 3 * gap);
    OP(st, .kind = OP_FTOK, .obj = F_KEY, .arg0 = proj); /* before: the run dir is 0700 */
    OP(st, .kind = OP_SETUID, .arg0 = NOBODY);
    OP(st, .kind = OP_SEMGET, .arg1 = 0, .arg2 = 0);
    OP(st, .kind = OP_MSGGET, .arg1 = 0);
    OP(st, .kind = OP_SHMGET, .arg1 = 0, .arg2 = 0);
    for (int k = 0; k < 3; k++) {
        OP(st, .kind = OP_SLEEP, .ms = gap);
        OP(st, .kind = OP_ALTER, .arg0 = k);
    }
    struct plan_role *all[] = {o, x, l, st};
    for (int i = 0; i < R__N; i++) {
        OP(all[i], .kind = OP_SLEEP, .ms = gap);
        OP(all[i], .kind = OP_EXIT, .arg1 = 0);
    }
    return 0;
}

static long long fact(const struct model *m, int role, const char *what, int kind)
{
    char k[28];
    if (kind >= 0)
        snprintf(k, sizeof k, "key.r%d.%s%d", role, what, kind);
    else
        snprintf(k, sizeof k, "key.r%d.%s", role, what);
    return model_fact(m, k, -1000000);
}

#define UNSET (-1000000)

static int engine_id(const struct model *m, int kind)
{
    if (kind == 0)
        return m->nsemsets > 0 ? m->semsets[0].semid : -1;
    if (kind == 1)
        return m->nmsgqs > 0 ? m->msgqs[0].msqid : -1;
    return m->nshmsegs > 0 ? m->shmsegs[0].shmid : -1;
}

/* How the three get calls of role went: all the engine's ids (want -1), or
 * all this -errno. Counts calls made in *made, those as wanted in *good. */
static void tally(const struct model *m, int role, long long want, int *made, int *good)
{
    *made = *good = 0;
    for (int k = 0; k < 3; k++) {
        long long g = fact(m, role, "g", k);
        if (g == UNSET)
            continue;
        (*made)++;
        if (want == -1 ? g == engine_id(m, k) : g == want)
            (*good)++;
    }
}

static void judge_key(struct model *m, int pend)
{
    unsigned kernel = m->nsemsets > 0 && m->semsets[0].stat_ok ? m->semsets[0].perm.key : 0;
    int seen = 0, same = 0;
    long long other = 0;
    for (int r = 0; r < R__N; r++) {
        long long k = fact(m, r, "ftok", -1);
        if (k == UNSET)
            continue;
        seen++;
        if (kernel && k == (long long)kernel)
            same++;
        else
            other = k;
    }
    if (seen > 0 && same < seen)
        model_set_check(m, "same_key", CHECK_FAILED,
                        _("a process computed key 0x%08llx, not the objects' 0x%08x: another "
                          "path or proj is another key"),
                        (unsigned long long)other, kernel);
    else if (seen == R__N)
        model_set_check(m, "same_key", CHECK_OK,
                        _("all 4 processes computed key 0x%08x from the file and proj, the key "
                          "IPC_STAT shows for the set"),
                        kernel);
    else
        model_set_check(m, "same_key", pend, _("%d of 4 processes computed the key"), seen);
}

static void judge_gets(struct model *m, int pend)
{
    static const struct {
        const char *name;
        int role;
        long long want;
        const char *ok;
    } c[] = {
        {"creat_existing", R_OPENER, -1,
         "IPC_CREAT with an existing key: the opener got the same three ids"},
        {"excl_eexist", R_EXCLUSIVE, -17 /* -EEXIST */,
         "IPC_CREAT|IPC_EXCL with an existing key: EEXIST, three times"},
        {"open_existing", R_LOOKUP, -1,
         "nsems 0, size 0, flags 0: the lookup opened the same three objects"},
    };
    for (size_t i = 0; i < sizeof c / sizeof c[0]; i++) {
        int made, good;
        tally(m, c[i].role, c[i].want, &made, &good);
        if (made > good)
            model_set_check(m, c[i].name, CHECK_FAILED, _("%d of its %d get calls went otherwise"),
                            made - good, made);
        else if (good == 3)
            model_set_check(m, c[i].name, CHECK_OK, "%s", c[i].ok);
        else
            model_set_check(m, c[i].name, pend, _("%d of 3 get calls so far"), made);
    }
}

static void judge(struct model *m, const long *v, int final)
{
    int pend = final == 1 ? CHECK_FAILED : CHECK_PENDING;
    judge_key(m, pend);
    judge_gets(m, pend);
    int tried = 0, refused = 0;
    for (int k = 0; k < 3; k++) {
        long long a = fact(m, R_STRANGER, "a", k);
        if (a == UNSET)
            continue;
        tried++;
        if (a == -13 /* -EACCES */)
            refused++;
    }
    long long uid = fact(m, R_STRANGER, "uid", -1);
    if (tried > refused)
        model_set_check(m, "refused", CHECK_FAILED,
                        _("%d of %d alter operations by uid %lld passed: mode %s grants them"),
                        tried - refused, tried, uid, mode_choices[v[P_MODE]]);
    else if (refused == 3)
        model_set_check(m, "refused", CHECK_OK,
                        _("mode %s: semop, msgsnd and shmat read-write by uid %lld all got EACCES"),
                        mode_choices[v[P_MODE]], uid);
    else
        model_set_check(m, "refused", pend, _("%d of 3 alter operations tried"), tried);
}

const struct scenario_def scenario_keys = {
    .name = "keys",
    .summary = N_("System V keys: ftok, IPC_CREAT, IPC_EXCL (EEXIST), opening by key, mode bits "
                  "(EACCES)"),
    .watch = N_("ipcplay makes keyfile, computes ftok(keyfile, proj) and creates a set, a queue "
                "and a segment with that one key (one key names one object of each kind: ipcs "
                "shows the key beside each). Four processes that share nothing compute the same "
                "key: IPC_CREAT opens what exists, IPC_CREAT|IPC_EXCL gets EEXIST, flags 0 with "
                "nsems/size 0 opens it, and a stranger (uid 65534 when run as root) gets the ids "
                "but every alter is refused by the mode bits: EACCES."),
    .params = params,
    .nparams = P__N,
    .build = build,
    .judge = judge,
};
