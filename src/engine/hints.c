/* hints.c — why a call failed, in words a person can act on: a hint for the
 * run's error line when a role gives up, and the message for a semget that
 * cannot create a scenario's set. Limits are asked of the kernel (IPC_INFO),
 * so the numbers are those of the IPC namespace the run lives in. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/msg.h>
#include <sys/sem.h>

#include "engine_internal.h"
#include "../model/signames.h"
#include "sysv.h"
#include "../model/i18n.h"

/* kernel.sem's semmsl (semaphores per set), or -1. */
static int semmsl(void)
{
    struct seminfo si;
    union semun arg = {.info = &si};
    return semctl(0, 0, IPC_INFO, arg) < 0 ? -1 : si.semmsl;
}

/* kernel.msgmax (bytes in one message), or -1. */
static int msgmax(void)
{
    struct msginfo mi;
    return msgctl(0, IPC_INFO, (struct msqid_ds *)(void *)&mi) < 0 ? -1 : mi.msgmax;
}

void hints_semget(int nsems, int err, char *buf, size_t len)
{
    int limit = err == EINVAL ? semmsl() : -1;
    if (limit >= 0 && nsems > limit)
        snprintf(buf, len,
                 _("semget(%d semaphores) failed: EINVAL (%s): a set of %d is more than "
                   "kernel.sem allows per set (semmsl %d): see ipcs -l"),
                 nsems, strerror(err), nsems, limit);
    else
        snprintf(buf, len, _("semget(%d semaphores) failed: %s (%s)%s"), nsems, errname(err),
                 strerror(err),
                 err == ENOSPC ? ": the system's limit on semaphore sets or semaphores, "
                                 "kernel.sem, is reached: see ipcs -l"
                               : "");
}

static void msgsnd_too_long(const struct event *ev, char *buf, size_t len)
{
    int max = msgmax();
    if (max >= 0 && ev->msgsnd.len > max)
        snprintf(buf, len, _("a %d-byte message is longer than kernel.msgmax (%d): see ipcs -l"),
                 ev->msgsnd.len, max);
}

/* op NONE: any op. The first entry that matches op and errno speaks: its
 * text, or what its function finds to say (maybe nothing). */
static const struct {
    int op, err;
    const char *text;
    void (*hint)(const struct event *ev, char *buf, size_t len);
} hints[] = {
    {OP_MSGSND, EINVAL, NULL, msgsnd_too_long},
    {OP_P, ERANGE, N_("a semaphore's value or its SEM_UNDO adjustment would pass 32767 (semvmx)"),
     NULL},
    {OP_V, ERANGE, N_("a semaphore's value or its SEM_UNDO adjustment would pass 32767 (semvmx)"),
     NULL},
    {OP_FORK, EAGAIN, N_("the limit on processes (ulimit -u, kernel.threads-max) is reached"),
     NULL},
    {OP_NONE, EMFILE, N_("the process's limit on open files (ulimit -n) is reached"), NULL},
    {OP_NONE, ENFILE, N_("the system's limit on open files (fs.file-max) is reached"), NULL},
};

void hints_failure(const struct event *failed, char *buf, size_t len)
{
    buf[0] = '\0';
    for (size_t i = 0; i < sizeof hints / sizeof hints[0]; i++)
        if ((hints[i].op == OP_NONE || hints[i].op == failed->failed.call) &&
            hints[i].err == failed->err) {
            if (hints[i].hint)
                hints[i].hint(failed, buf, len);
            else
                snprintf(buf, len, "%s", _(hints[i].text));
            return;
        }
}
