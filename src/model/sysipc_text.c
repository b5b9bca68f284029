/* sysipc_text.c — the system's IPC objects as text: `ipcs` and `ipcs -l`
 * with util-linux's columns and words, `ipcs -i` for one object followed by
 * the processes that use it, and one-line rows for lists. Reads only the
 * model (struct sysipc); what could not be read is said, never guessed. */
#include <stdarg.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "sysipc.h"
#include "i18n.h"

static void say(sysipc_line_fn *line, void *ctx, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void say(sysipc_line_fn *line, void *ctx, const char *fmt, ...)
{
    char buf[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    line(ctx, buf);
}

/* As util-linux: ctime()'s text padded to 26, or "Not set". */
static const char *when(int64_t t, char *buf, size_t len)
{
    if (t == 0) {
        snprintf(buf, len, "%-26s", "Not set");
        return buf;
    }
    time_t tt = (time_t)t;
    struct tm tm;
    char s[64];
    if (!localtime_r(&tt, &tm) || strftime(s, sizeof s, "%a %b %e %H:%M:%S %Y", &tm) == 0)
        snprintf(s, sizeof s, "%lld", (long long)t);
    snprintf(buf, len, "%-26s", s);
    return buf;
}

void sysipc_pid_label(const struct sysipc *s, int pid, char *buf, size_t len)
{
    if (pid <= 0) {
        snprintf(buf, len, "%d (none)", pid);
        return;
    }
    const struct sys_proc *p = sysipc_find_proc(s, pid);
    if (!p)
        snprintf(buf, len, "%d", pid);
    else if (p->gone || !p->comm[0])
        snprintf(buf, len, "%d (gone)", pid);
    else
        snprintf(buf, len, "%d (%s)", pid, p->comm);
}

static void ipcs_section(const struct sysipc *s, int kind, sysipc_line_fn *line, void *ctx)
{
    static const char *const heads[SYS__KINDS] = {
        [SYS_MSG] = "------ Message Queues --------",
        [SYS_SHM] = "------ Shared Memory Segments --------",
        [SYS_SEM] = "------ Semaphore Arrays --------",
        [SYS_PSHM] = "------ POSIX Shared Memory (/dev/shm; ipcs does not list it) --------",
        [SYS_PMQ] = "------ POSIX Message Queues (/dev/mqueue; ipcs does not list it) --------",
    };
    line(ctx, heads[kind]);
    switch (kind) {
    case SYS_MSG:
        say(line, ctx, "%-10s %-10s %-10s %-10s %-12s %-12s", "key", "msqid", "owner", "perms",
            "used-bytes", "messages");
        break;
    case SYS_SHM:
        say(line, ctx, "%-10s %-10s %-10s %-10s %-10s %-10s %-12s", "key", "shmid", "owner",
            "perms", "bytes", "nattch", "status");
        break;
    case SYS_SEM:
        say(line, ctx, "%-10s %-10s %-10s %-10s %-10s", "key", "semid", "owner", "perms", "nsems");
        break;
    case SYS_PSHM:
        say(line, ctx, "%-32s %-10s %-10s %-10s", "name", "owner", "perms", "bytes");
        break;
    default:
        say(line, ctx, "%-32s %-10s %-10s %-12s", "name", "owner", "perms", "used-bytes");
        break;
    }
    for (int i = 0; i < s->nobjs; i++) {
        const struct sys_obj *o = &s->objs[i].o;
        if (o->kind != kind)
            continue;
        const char *ours = o->ours ? "  (this run)" : "";
        unsigned perms = o->mode & 0777;
        switch (kind) {
        case SYS_MSG:
            say(line, ctx, "0x%08x %-10d %-10s %-10o %-12lld %-12lld%s", o->key, o->id, o->owner,
                perms, (long long)o->cbytes, (long long)o->qnum, ours);
            break;
        case SYS_SHM:
            say(line, ctx, "0x%08x %-10d %-10s %-10o %-10llu %-10lld %-6s %-6s%s", o->key, o->id,
                o->owner, perms, (unsigned long long)o->segsz, (long long)o->nattch,
                (o->mode & 01000) ? "dest" : " ", (o->mode & 02000) ? "locked" : " ", ours);
            break;
        case SYS_SEM:
            say(line, ctx, "0x%08x %-10d %-10s %-10o %-10d%s", o->key, o->id, o->owner, perms,
                o->nsems, ours);
            break;
        case SYS_PSHM:
            say(line, ctx, "/%-31s %-10s %-10o %-10llu%s", o->name, o->owner, perms,
                (unsigned long long)o->segsz, ours);
            break;
        default:
            say(line, ctx, "/%-31s %-10s %-10o %-12lld", o->name, o->owner, perms,
                (long long)o->cbytes);
            break;
        }
    }
    line(ctx, "");
}

void sysipc_format_ipcs(const struct sysipc *s, unsigned kinds, sysipc_line_fn *line, void *ctx)
{
    if (!kinds)
        kinds = (1u << SYS__KINDS) - 1;
    static const int order[] = {SYS_MSG, SYS_SHM, SYS_SEM, SYS_PSHM, SYS_PMQ};
    for (int i = 0; i < SYS__KINDS; i++) {
        int k = order[i];
        if (!(kinds & (1u << k)))
            continue;
        bool any = false;
        for (int j = 0; j < s->nobjs && !any; j++)
            any = s->objs[j].o.kind == k;
        if (k >= SYS_PSHM && !any)
            continue; /* POSIX sections only when there is something to list */
        ipcs_section(s, k, line, ctx);
    }
    if (s->last.dropped)
        say(line, ctx, "(%d more objects than ipcplay keeps: not listed)", s->last.dropped);
}

/* util-linux computes the total in kbytes from pages and saturates. */
static uint64_t shmall_kb(const struct sys_limits *l)
{
    uint64_t per = l->pagesize / 1024;
    if (per == 0)
        return l->shmall * l->pagesize / 1024;
    uint64_t kb = l->shmall * per;
    if (l->shmall != 0 && kb / l->shmall != per)
        kb = UINT64_MAX - (UINT64_MAX % per);
    return kb;
}

void sysipc_format_limits(const struct sysipc *s, sysipc_line_fn *line, void *ctx)
{
    if (!s->have_limits) {
        line(ctx, _("the kernel's limits were not read in this session"));
        return;
    }
    const struct sys_limits *l = &s->limits;
    line(ctx, "------ Messages Limits --------");
    say(line, ctx, "max queues system wide = %llu", (unsigned long long)l->msgmni);
    say(line, ctx, "max size of message (bytes) = %llu", (unsigned long long)l->msgmax);
    say(line, ctx, "default max size of queue (bytes) = %llu", (unsigned long long)l->msgmnb);
    line(ctx, "");
    line(ctx, "------ Shared Memory Limits --------");
    say(line, ctx, "max number of segments = %llu", (unsigned long long)l->shmmni);
    say(line, ctx, "max seg size (kbytes) = %llu", (unsigned long long)(l->shmmax / 1024));
    say(line, ctx, "max total shared memory (kbytes) = %llu", (unsigned long long)shmall_kb(l));
    say(line, ctx, "min seg size (bytes) = %llu", (unsigned long long)l->shmmin);
    line(ctx, "");
    line(ctx, "------ Semaphore Limits --------");
    say(line, ctx, "max number of arrays = %llu", (unsigned long long)l->semmni);
    say(line, ctx, "max semaphores per array = %llu", (unsigned long long)l->semmsl);
    say(line, ctx, "max semaphores system wide = %llu", (unsigned long long)l->semmns);
    say(line, ctx, "max ops per semop call = %llu", (unsigned long long)l->semopm);
    say(line, ctx, "semaphore max value = %llu", (unsigned long long)l->semvmx);
}

static void format_sem(const struct sysipc *s, const struct sys_obj *o, sysipc_line_fn *line,
                       void *ctx)
{
    char t1[72], t2[72];
    say(line, ctx, "Semaphore Array semid=%d", o->id);
    say(line, ctx, "uid=%u\t gid=%u\t cuid=%u\t cgid=%u", o->uid, o->gid, o->cuid, o->cgid);
    say(line, ctx, "mode=%#o, access_perms=%#o", o->mode & 0777, o->mode & 0777);
    say(line, ctx, "nsems = %d", o->nsems);
    say(line, ctx, "otime = %s", when(o->otime, t1, sizeof t1));
    say(line, ctx, "ctime = %s", when(o->ctime, t2, sizeof t2));
    if (o->detail_err) {
        say(line, ctx, "semaphore values: %s",
            o->detail_err == SYS_ERR_PERM ? "no permission (semctl GETVAL refused)"
                                          : "the set was removed while it was read");
        return;
    }
    say(line, ctx, "%-10s %-10s %-10s %-10s %-10s", "semnum", "value", "ncount", "zcount", "pid");
    for (int k = 0; k < o->nvals; k++)
        say(line, ctx, "%-10d %-10d %-10d %-10d %-10d", k, o->sem[k].val, o->sem[k].ncnt,
            o->sem[k].zcnt, o->sem[k].pid);
    if (o->nsems > o->nvals)
        say(line, ctx, "(semaphores %d..%d not shown)", o->nvals, o->nsems - 1);
}

static void format_msg(const struct sys_obj *o, sysipc_line_fn *line, void *ctx)
{
    char t1[72], t2[72], t3[72], qb[24];
    say(line, ctx, "Message Queue msqid=%d", o->id);
    say(line, ctx, "uid=%u\tgid=%u\tcuid=%u\tcgid=%u\tmode=%#o", o->uid, o->gid, o->cuid, o->cgid,
        o->mode & 0777);
    if (o->qbytes < 0)
        snprintf(qb, sizeof qb, _("(no permission)"));
    else
        snprintf(qb, sizeof qb, "%lld", (long long)o->qbytes);
    say(line, ctx, "cbytes=%lld\tqbytes=%s\tqnum=%lld\tlspid=%d\tlrpid=%d", (long long)o->cbytes,
        qb, (long long)o->qnum, o->lspid, o->lrpid);
    say(line, ctx, "send_time=%s", when(o->stime, t1, sizeof t1));
    say(line, ctx, "rcv_time=%s", when(o->rtime, t2, sizeof t2));
    say(line, ctx, "change_time=%s", when(o->ctime, t3, sizeof t3));
}

static void format_shm(const struct sys_obj *o, sysipc_line_fn *line, void *ctx)
{
    char t1[72], t2[72], t3[72];
    say(line, ctx, "Shared memory Segment shmid=%d", o->id);
    say(line, ctx, "uid=%u\tgid=%u\tcuid=%u\tcgid=%u", o->uid, o->gid, o->cuid, o->cgid);
    say(line, ctx, "mode=%#o\taccess_perms=%#o", o->mode, o->mode & 0777);
    say(line, ctx, "bytes=%llu\tlpid=%d\tcpid=%d\tnattch=%lld", (unsigned long long)o->segsz,
        o->lpid, o->cpid, (long long)o->nattch);
    say(line, ctx, "att_time=%s", when(o->atime, t1, sizeof t1));
    say(line, ctx, "det_time=%s", when(o->dtime, t2, sizeof t2));
    say(line, ctx, "change_time=%s", when(o->ctime, t3, sizeof t3));
}

void sysipc_format_object(const struct sysipc *s, const struct sysipc_obj *so, sysipc_line_fn *line,
                          void *ctx)
{
    const struct sys_obj *o = &so->o;
    switch (o->kind) {
    case SYS_SEM: format_sem(s, o, line, ctx); break;
    case SYS_MSG: format_msg(o, line, ctx); break;
    case SYS_SHM: format_shm(o, line, ctx); break;
    default: {
        char t[72];
        say(line, ctx, "POSIX %s /%s", o->kind == SYS_PSHM ? "shared memory" : "message queue",
            o->name);
        say(line, ctx, "uid=%u\tgid=%u\tmode=%#o\t%s=%llu", o->uid, o->gid, o->mode & 0777,
            o->kind == SYS_PSHM ? "bytes" : "used-bytes",
            (unsigned long long)(o->kind == SYS_PSHM ? o->segsz : (uint64_t)o->cbytes));
        say(line, ctx, "change_time=%s", when(o->ctime, t, sizeof t));
        break;
    }
    }
    line(ctx, "");
    line(ctx, _("who uses it:"));
    sysipc_format_users(s, so, "  ", line, ctx);
}

static void use_text(const struct sys_use *u, char *buf, size_t len)
{
    switch (u->how) {
    case SYS_USE_ATTACH:
        snprintf(buf, len, _("attached at 0x%llx, %llu bytes"), (unsigned long long)u->addr,
                 (unsigned long long)u->size);
        break;
    case SYS_USE_SEMOP:
        if (u->nsops < 0)
            snprintf(buf, len, _("asleep in semop (its sembuf: no permission)"));
        else
            snprintf(buf, len, _("asleep in semop(sem %d, %+d%s)%s"), u->sem_num, u->sem_op,
                     (u->sem_flg & 0x1000) ? ", SEM_UNDO" : "",
                     u->nsops > 1 ? " and more ops" : "");
        break;
    case SYS_USE_MSGSND:
        if (u->msgtyp_ok)
            snprintf(buf, len, _("asleep in msgsnd(type %lld, %lld bytes): the queue is full"),
                     (long long)u->msgtyp, (long long)u->msgsz);
        else
            snprintf(buf, len, _("asleep in msgsnd(%lld bytes): the queue is full"),
                     (long long)u->msgsz);
        break;
    case SYS_USE_MSGRCV:
        snprintf(buf, len, _("asleep in msgrcv(type %lld): no such message yet"),
                 (long long)u->msgtyp);
        break;
    default: snprintf(buf, len, _("uses it")); break;
    }
}

static void last_pids(const struct sysipc *s, const struct sys_obj *o, const char *in,
                      sysipc_line_fn *line, void *ctx)
{
    char a[48], b[48];
    switch (o->kind) {
    case SYS_SEM:
        for (int k = 0; !o->detail_err && k < o->nvals; k++)
            if (o->sem[k].pid > 0) {
                sysipc_pid_label(s, o->sem[k].pid, a, sizeof a);
                say(line, ctx, "%slast op on sem %d: %s", in, k, a);
            }
        break;
    case SYS_MSG:
        sysipc_pid_label(s, o->lspid, a, sizeof a);
        sysipc_pid_label(s, o->lrpid, b, sizeof b);
        say(line, ctx, "%slast send: %s; last receive: %s", in, a, b);
        break;
    case SYS_SHM:
        sysipc_pid_label(s, o->cpid, a, sizeof a);
        sysipc_pid_label(s, o->lpid, b, sizeof b);
        say(line, ctx, "%screator: %s; last attach/detach: %s", in, a, b);
        break;
    default: break;
    }
}

void sysipc_format_users(const struct sysipc *s, const struct sysipc_obj *so, const char *in,
                         sysipc_line_fn *line, void *ctx)
{
    const struct sys_obj *o = &so->o;
    int attaches = 0, sleepers = 0;
    for (int i = 0; i < s->nuses; i++) {
        const struct sys_use *u = &s->uses[i];
        if (u->kind != o->kind || u->id != o->id || o->kind > SYS_SHM)
            continue;
        char who[48], what[128];
        sysipc_pid_label(s, u->pid, who, sizeof who);
        use_text(u, what, sizeof what);
        say(line, ctx, "%s%s %s", in, who, what);
        if (u->how == SYS_USE_ATTACH)
            attaches++;
        else
            sleepers++;
    }
    if (o->kind == SYS_SHM && o->nattch > attaches)
        say(line, ctx,
            "%s%lld attach(es) in processes whose maps ipcplay may not read "
            "(no permission) or that ended meanwhile",
            in, (long long)(o->nattch - attaches));
    if (o->kind == SYS_SEM && !o->detail_err) {
        int waiting = 0;
        for (int k = 0; k < o->nvals; k++)
            waiting += o->sem[k].ncnt + o->sem[k].zcnt;
        if (waiting > sleepers)
            say(line, ctx,
                "%s%d waiter(s) the kernel counts that ipcplay could not name "
                "(no permission for their /proc/PID/syscall, or threads)",
                in, waiting - sleepers);
    }
    if (o->kind == SYS_SEM && o->detail_err == SYS_ERR_PERM)
        say(line, ctx, "%svalues and waiters: no permission", in);
    last_pids(s, o, in, line, ctx);
    if (o->kind >= SYS_PSHM)
        say(line, ctx, "%s(users of POSIX objects are not looked for yet)", in);
}

int sysipc_format_row(const struct sysipc *s, const struct sysipc_obj *so, char *buf, size_t len)
{
    const struct sys_obj *o = &so->o;
    const char *ours = o->ours ? " (this run)" : "";
    switch (o->kind) {
    case SYS_SEM: {
        int wait = 0;
        for (int k = 0; k < o->nvals; k++)
            wait += o->sem[k].ncnt + o->sem[k].zcnt;
        char vals[64] = "";
        size_t off = 0;
        for (int k = 0; k < o->nvals && k < 6 && off < sizeof vals; k++)
            off += (size_t)snprintf(vals + off, sizeof vals - off, "%s%d", k ? " " : "",
                                    o->sem[k].val);
        return snprintf(buf, len, "sem  %-10d 0x%08x %-10s %03o nsems %-3d %s%s%s%s", o->id, o->key,
                        o->owner, o->mode & 0777, o->nsems,
                        o->detail_err ? "values: no permission" : "values ",
                        o->detail_err ? "" : vals, wait ? " waiting" : "", ours);
    }
    case SYS_MSG:
        return snprintf(buf, len, "msq  %-10d 0x%08x %-10s %03o %lld msgs %lld bytes%s", o->id,
                        o->key, o->owner, o->mode & 0777, (long long)o->qnum, (long long)o->cbytes,
                        ours);
    case SYS_SHM:
        return snprintf(buf, len, "shm  %-10d 0x%08x %-10s %03o %llu bytes nattch %lld%s", o->id,
                        o->key, o->owner, o->mode & 0777, (unsigned long long)o->segsz,
                        (long long)o->nattch, ours);
    default:
        return snprintf(buf, len, "%-4s /%-20s %-10s %03o %llu bytes%s", sysipc_kind_name(o->kind),
                        o->name, o->owner, o->mode & 0777,
                        (unsigned long long)(o->kind == SYS_PSHM ? o->segsz : (uint64_t)o->cbytes),
                        ours);
    }
    (void)s;
}

struct sysipc_textbuf {
    char *out;
    size_t len, off;
};

static void to_buf(void *ctx, const char *s)
{
    struct sysipc_textbuf *t = ctx;
    if (t->len == 0 || t->off >= t->len - 1)
        return;
    int n = snprintf(t->out + t->off, t->len - t->off, "%s\n", s);
    t->off += n > 0 ? (size_t)n : 0;
    if (t->off >= t->len)
        t->off = t->len - 1;
}

/* A process the last sample named: what it does with which object. */
static int inspect_pid(const struct sysipc *s, int pid, struct sysipc_textbuf *t)
{
    const struct sys_proc *p = sysipc_find_proc(s, pid);
    if (!p)
        return 0;
    char who[48];
    sysipc_pid_label(s, pid, who, sizeof who);
    say(to_buf, t, "process %s, uid %d%s (not this run's: read-only)", who, p->uid,
        p->nosys ? "; its system calls are not ipcplay's to read (no permission)" : "");
    for (int i = 0; i < s->nuses; i++) {
        const struct sys_use *u = &s->uses[i];
        if (u->pid != pid)
            continue;
        char what[128];
        use_text(u, what, sizeof what);
        say(to_buf, t, "  %s %d: %s", sysipc_kind_name(u->kind), u->id, what);
    }
    return 1;
}

int sysipc_inspect(const struct sysipc *s, const char *what, char *title, size_t titlelen,
                   char *out, size_t outlen, char *err, size_t errlen)
{
    struct sysipc_textbuf t = {out, outlen, 0};
    if (outlen)
        out[0] = '\0';
    int found = 0;
    for (int i = 0; i < s->nobjs; i++) {
        const struct sys_obj *o = &s->objs[i].o;
        char *end;
        long id = strtol(what, &end, 10);
        bool match = o->kind <= SYS_SHM ? *what && !*end && id == o->id
                                        : what[0] == '/' && strcmp(what + 1, o->name) == 0;
        if (!match)
            continue;
        if (found++)
            to_buf(&t, "");
        sysipc_format_object(s, &s->objs[i], to_buf, &t);
        if (o->kind <= SYS_SHM)
            snprintf(title, titlelen, _("inspect %s %d%s"), sysipc_kind_name(o->kind), o->id,
                     o->ours ? "" : " (not this run's: read-only)");
        else
            snprintf(title, titlelen, _("inspect %s /%s (read-only)"), sysipc_kind_name(o->kind),
                     o->name);
    }
    char *end;
    long pid = strtol(what, &end, 10);
    if (*what && !*end && pid > 0) {
        if (found)
            to_buf(&t, "");
        if (inspect_pid(s, (int)pid, &t) && !found++)
            snprintf(title, titlelen, _("inspect process %ld (read-only)"), pid);
    }
    if (found)
        return 0;
    snprintf(err, errlen,
             _("nothing called '%s' in this session or on the system (give a role, a pid, an IPC "
               "id, or /name of a POSIX object)"),
             what);
    return -1;
}
