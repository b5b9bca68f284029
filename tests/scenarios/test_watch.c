/* test_watch.c — `ipcplay watch` against util-linux: objects made with
 * ipcmk -S/-Q/-M in a private IPC namespace, used by real children (a
 * sleeper in semop, one in msgrcv, an attacher), sampled through records
 * into a model, and compared line by line with `ipcs -s/-q/-m -i ID` and
 * `ipcs -l`. Also: permission denied, an object gone between two reads, a
 * process gone between two samples, ipcrm's y/N, replaying the records,
 * and the headless binary. Everything made here is removed by id; every
 * child is killed by pid. */
#include <criterion/criterion.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/msg.h>
#include <sys/sem.h>
#include <sys/shm.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "commands/commands.h"
#include "engine/syswatch.h"
#include "engine/watch.h"
#include "support.h"

static struct model model, replayed;
static bool tap_replay;

static void emit(void *ctx, const struct record *r)
{
    model_apply(ctx, r);
    if (tap_replay)
        model_apply(&replayed, r);
}

static void isolate(void)
{
    if (geteuid() != 0 || !support_isolate_ipc())
        cr_skip_test("needs root for a private IPC namespace");
    model_init(&model);
}

/* ipcmk's "Semaphore id: 3" -> 3 */
static int mk(const char *flag, const char *arg)
{
    const char *argv[] = {"ipcmk", flag, arg, NULL};
    char out[256];
    cr_assert_eq(support_capture(argv, out, sizeof out), 0, "ipcmk %s %s", flag, arg ? arg : "");
    const char *colon = strrchr(out, ':');
    cr_assert(colon, "ipcmk said: %s", out);
    return atoi(colon + 1);
}

static void sample(struct syswatch *w)
{
    syswatch_sample(w, 1000, emit, &model);
}

/* Lines with trailing blanks cut and empty lines dropped. */
static void normalise(const char *in, char *out, size_t len)
{
    size_t o = 0;
    while (*in && o + 2 < len) {
        const char *nl = strchr(in, '\n');
        size_t n = nl ? (size_t)(nl - in) : strlen(in);
        while (n && (in[n - 1] == ' ' || in[n - 1] == '\t'))
            n--;
        if (n && o + n + 2 < len) {
            memcpy(out + o, in, n);
            o += n;
            out[o++] = '\n';
        }
        in += nl ? (size_t)(nl - in) + 1 : strlen(in);
    }
    out[o] = '\0';
}

struct text {
    char buf[8192];
    size_t off;
};

static void to_text(void *ctx, const char *line)
{
    struct text *t = ctx;
    if (strcmp(line, "who uses it:") == 0)
        t->off = sizeof t->buf; /* the ipcs -i part ends here */
    if (t->off < sizeof t->buf)
        t->off += (size_t)snprintf(t->buf + t->off, sizeof t->buf - t->off, "%s\n", line);
}

/* `ipcs FLAG -i ID` and our text of the same object: equal, line by line. */
static void agree(const char *flag, int kind, int id)
{
    const struct sysipc_obj *o = sysipc_find(&model.sys, kind, id);
    cr_assert(o, "%s %d is in the model", sysipc_kind_name(kind), id);
    static struct text ours;
    ours.off = 0;
    sysipc_format_object(&model.sys, o, to_text, &ours);
    char idw[16], ipcs[8192], a[8192], b[8192];
    snprintf(idw, sizeof idw, "%d", id);
    const char *argv[] = {"ipcs", flag, "-i", idw, NULL};
    cr_assert_eq(support_capture(argv, ipcs, sizeof ipcs), 0);
    normalise(ipcs, a, sizeof a);
    normalise(ours.buf, b, sizeof b);
    cr_assert_str_eq(b, a, "ipcs %s -i %d:\n%s\nipcplay:\n%s", flag, id, a, b);
}

static pid_t child(void (*fn)(int), int arg)
{
    pid_t pid = fork();
    cr_assert(pid >= 0);
    if (pid == 0) {
        fn(arg);
        _exit(0);
    }
    return pid;
}

static void do_semop(int semid)
{
    struct sembuf sb = {0, -1, 0};
    semop(semid, &sb, 1);
}

static void do_msgrcv(int msqid)
{
    struct {
        long type;
        char text[64];
    } m;
    msgrcv(msqid, &m, sizeof m.text, 7, 0);
}

static void do_attach(int shmid)
{
    if (shmat(shmid, NULL, SHM_RDONLY) != (void *)-1)
        pause();
}

static bool in_msgrcv(pid_t pid)
{
    char path[64], buf[64];
    snprintf(path, sizeof path, "/proc/%d/syscall", (int)pid);
    FILE *f = fopen(path, "r");
    bool yes = f && fgets(buf, sizeof buf, f) && atol(buf) == SYS_msgrcv;
    if (f)
        fclose(f);
    return yes;
}

static void wait_until(bool (*cond)(long), long arg)
{
    double end = support_now() + 10;
    while (!cond(arg) && support_now() < end)
        usleep(2000);
    cr_assert(cond(arg), "the children did not get where they should");
}

static bool sem_waiting(long semid)
{
    return semctl((int)semid, 0, GETNCNT) == 1;
}

static bool msg_waiting(long pid)
{
    return in_msgrcv((pid_t)pid);
}

static bool shm_attached(long shmid)
{
    struct shmid_ds ds;
    return shmctl((int)shmid, IPC_STAT, &ds) == 0 && ds.shm_nattch == 1;
}

static void reap(pid_t pid)
{
    kill(pid, SIGKILL);
    waitpid(pid, NULL, 0);
}

static const struct sys_use *use_of(pid_t pid, int how)
{
    for (int i = 0; i < model.sys.nuses; i++)
        if (model.sys.uses[i].pid == pid && model.sys.uses[i].how == how)
            return &model.sys.uses[i];
    return NULL;
}

Test(watch, agrees_with_ipcs_and_names_users)
{
    isolate();
    int semid = mk("-S", "3"), msqid = mk("-Q", NULL), shmid = mk("-M", "4096");
    cr_assert_eq(semctl(semid, 1, SETVAL, 5), 0);
    struct {
        long type;
        char text[10];
    } msg = {3, "123456789"};
    cr_assert_eq(msgsnd(msqid, &msg, sizeof msg.text, 0), 0);
    pid_t s = child(do_semop, semid), q = child(do_msgrcv, msqid), a = child(do_attach, shmid);
    wait_until(sem_waiting, semid);
    wait_until(msg_waiting, q);
    wait_until(shm_attached, shmid);

    struct syswatch *w = syswatch_new(NULL, NULL, NULL);
    cr_assert(w);
    sample(w);
    agree("-s", SYS_SEM, semid);
    agree("-q", SYS_MSG, msqid);
    agree("-m", SYS_SHM, shmid);
    const struct sys_use *u = use_of(s, SYS_USE_SEMOP);
    cr_assert(u && u->id == semid && u->sem_num == 0 && u->sem_op == -1, "the semop sleeper");
    u = use_of(q, SYS_USE_MSGRCV);
    cr_assert(u && u->id == msqid && u->msgtyp == 7, "the msgrcv sleeper and its type");
    u = use_of(a, SYS_USE_ATTACH);
    cr_assert(u && u->id == shmid && u->size == 4096, "the attacher");
    char label[64];
    sysipc_pid_label(&model.sys, getpid(), label, sizeof label);
    cr_assert(strstr(label, "test_watch"), "lspid named by its comm: %s", label);

    reap(s), reap(q), reap(a);
    syswatch_free(w);
    semctl(semid, 0, IPC_RMID), msgctl(msqid, IPC_RMID, NULL), shmctl(shmid, IPC_RMID, NULL);
}

static void limit_line(void *ctx, const char *line)
{
    struct text *t = ctx;
    t->off += (size_t)snprintf(t->buf + t->off, sizeof t->buf - t->off, "%s\n", line);
}

Test(watch, limits_as_ipcs_l)
{
    isolate();
    struct syswatch *w = syswatch_new(NULL, NULL, NULL);
    struct record r;
    record_init(&r, REC_SYS_LIMITS, 0);
    cr_assert_eq(syswatch_limits(w, &r.u.sys_limits), 0);
    model_apply(&model, &r);
    static struct text ours;
    sysipc_format_limits(&model.sys, limit_line, &ours);
    char ipcs[4096], a[4096], b[4096];
    const char *argv[] = {"ipcs", "-l", NULL};
    cr_assert_eq(support_capture(argv, ipcs, sizeof ipcs), 0);
    normalise(ipcs, a, sizeof a);
    normalise(ours.buf, b, sizeof b);
    cr_assert_str_eq(b, a);
    syswatch_free(w);
}

/* An object 0600 of another uid, read as nobody: its numbers from
 * /proc/sysvipc still agree; what only semctl tells is "no permission". */
Test(watch, no_permission_is_said)
{
    isolate();
    int semid = mk("-S", "2"), msqid = mk("-Q", NULL);
    struct semid_ds ds;
    union {
        int val;
        struct semid_ds *buf;
    } arg = {.buf = &ds};
    cr_assert_eq(semctl(semid, 0, IPC_STAT, arg), 0);
    ds.sem_perm.uid = 1234;
    ds.sem_perm.mode = 0600;
    cr_assert_eq(semctl(semid, 0, IPC_SET, arg), 0);
    struct msqid_ds qd;
    cr_assert_eq(msgctl(msqid, IPC_STAT, &qd), 0);
    qd.msg_perm.uid = 1234;
    qd.msg_perm.mode = 0600;
    cr_assert_eq(msgctl(msqid, IPC_SET, &qd), 0);

    struct syswatch *w = syswatch_new(NULL, NULL, NULL);
    cr_assert_eq(setresuid(-1, 65534, -1), 0);
    sample(w);
    cr_assert_eq(setresuid(-1, 0, -1), 0);
    const struct sysipc_obj *o = sysipc_find(&model.sys, SYS_SEM, semid);
    cr_assert(o && o->o.detail_err == SYS_ERR_PERM && o->o.nvals == 0);
    cr_assert_eq(o->o.nsems, 2);
    cr_assert(model.sys.last.nosys > 0, "root's processes are not nobody's to read");
    static struct text t;
    sysipc_format_object(&model.sys, o, limit_line, &t);
    cr_assert(strstr(t.buf, "semaphore values: no permission"), "%s", t.buf);
    /* The queue's qbytes comes from MSG_STAT_ANY: the true number. */
    const struct sysipc_obj *q = sysipc_find(&model.sys, SYS_MSG, msqid);
    cr_assert(q && q->o.qbytes == (int64_t)qd.msg_qbytes, "qbytes %lld",
              (long long)(q ? q->o.qbytes : -2));
    syswatch_free(w);
    semctl(semid, 0, IPC_RMID), msgctl(msqid, IPC_RMID, NULL);
}

/* /proc/sysvipc lists a set and a queue that semctl/msgctl no longer find:
 * they are left out, not shown with made-up numbers. */
Test(watch, object_gone_between_two_reads)
{
    isolate();
    struct syswatch *w = syswatch_new(FIXTURES_DIR "/sysvipc_gone", "/nonexistent", "/nonexistent");
    cr_assert(w);
    sample(w);
    cr_assert_eq(model.sys.nobjs, 0);
    cr_assert_eq(model.sys.samples, 1);
    syswatch_free(w);
}

static void do_v_and_exit(int semid)
{
    struct sembuf sb = {0, 1, 0};
    semop(semid, &sb, 1);
}

/* A sleeper killed between two samples is no longer a user, and a last
 * pid of a process that exited is told as gone, not as someone else. */
Test(watch, process_gone_between_two_samples)
{
    isolate();
    int semid = mk("-S", "1");
    pid_t s = child(do_semop, semid);
    wait_until(sem_waiting, semid);
    struct syswatch *w = syswatch_new(NULL, NULL, NULL);
    sample(w);
    cr_assert(use_of(s, SYS_USE_SEMOP));
    reap(s);
    pid_t v = child(do_v_and_exit, semid);
    waitpid(v, NULL, 0);
    sample(w);
    cr_assert_null(use_of(s, SYS_USE_SEMOP));
    const struct sysipc_obj *o = sysipc_find(&model.sys, SYS_SEM, semid);
    cr_assert(o && o->o.sem[0].ncnt == 0);
    char label[64];
    sysipc_pid_label(&model.sys, o->o.sem[0].pid, label, sizeof label);
    cr_assert(strstr(label, "(gone)"), "%s", label);
    syswatch_free(w);
    semctl(semid, 0, IPC_RMID);
}

static char said[8192];

static void host_print(void *self, int kind, const char *line)
{
    strncat(said, line, sizeof said - strlen(said) - 2);
    strcat(said, "\n");
}

static bool exists(int semid)
{
    return semctl(semid, 0, GETVAL) >= 0 || errno == EACCES;
}

/* Nothing foreign goes without a yes; a replay removes nothing. */
Test(watch, ipcrm_asks_first)
{
    isolate();
    int semid = mk("-S", "1");
    struct engine *e = engine_new(&model);
    cr_assert(e);
    struct sysipc_filter f = {0};
    char err[256], line[64];
    cr_assert_eq(engine_watch_system(e, 1000, &f, err, sizeof err), 0, "%s", err);
    struct cmd_host h = {.where = CMD_CONSOLE, .engine = e, .model = &model, .print = host_print};
    snprintf(line, sizeof line, "ipcrm sem %d", semid);
    cr_assert_eq(command_run_line(&h, line), CMD_OK);
    cr_assert(strstr(said, "is not this run's. Remove it? y/N"), "%s", said);
    cr_assert(exists(semid));
    cr_assert_eq(command_run_line(&h, "n"), CMD_OK);
    cr_assert(exists(semid), "a no keeps it");
    cr_assert_eq(command_run_line(&h, line), CMD_OK);
    cr_assert_eq(command_run_line(&h, "what"), CMD_OK);
    cr_assert(exists(semid), "anything but y keeps it");
    model.live = false; /* as a replay */
    cr_assert_eq(command_run_line(&h, line), CMD_ERROR);
    cr_assert(strstr(said, "never possible in a replay"), "%s", said);
    model.live = true;
    cr_assert_eq(command_run_line(&h, line), CMD_OK);
    cr_assert_eq(command_run_line(&h, "y"), CMD_OK);
    cr_assert_not(exists(semid), "a yes removes it");
    engine_free(e);
}

/* The records of a sample rebuild the same whole-system view. */
Test(watch, records_replay_to_the_same_view)
{
    isolate();
    int semid = mk("-S", "2"), shmid = mk("-M", "8192");
    pid_t a = child(do_attach, shmid);
    wait_until(shm_attached, shmid);
    model_init(&replayed);
    tap_replay = true;
    struct syswatch *w = syswatch_new(NULL, NULL, NULL);
    sample(w);
    sample(w);
    tap_replay = false;
    cr_assert_eq(memcmp(&model.sys, &replayed.sys, sizeof model.sys), 0);
    cr_assert(use_of(a, SYS_USE_ATTACH));
    reap(a);
    syswatch_free(w);
    semctl(semid, 0, IPC_RMID), shmctl(shmid, IPC_RMID, NULL);
}

Test(watch, headless_text_and_json)
{
    isolate();
    int semid = mk("-S", "1");
    pid_t s = child(do_semop, semid);
    wait_until(sem_waiting, semid);
    struct run r;
    const char *argv[] = {IPCPLAY_BIN, "watch", "--headless", NULL};
    cr_assert_eq(support_run(&r, argv, 30), 0);
    char want[64];
    snprintf(want, sizeof want, "%d (test_watch) asleep in semop(sem 0, -1)", (int)s);
    cr_assert(strstr(r.out, want), "%s", r.out);
    support_free(&r);
    const char *jargv[] = {IPCPLAY_BIN, "watch",    "--headless", "--json",
                           "--sort",    "activity", NULL};
    cr_assert_eq(support_run(&r, jargv, 30), 0);
    cr_assert(strstr(r.out, "\"semncnt\":1"), "%s", r.out);
    cr_assert(strstr(r.out, "\"how\":\"semop\""), "%s", r.out);
    support_free(&r);
    const char *bad[] = {IPCPLAY_BIN, "watch", "--headless", "--sort", "size", NULL};
    cr_assert_eq(support_run(&r, bad, 30), 2);
    support_free(&r);
    reap(s);
    semctl(semid, 0, IPC_RMID);
}
