/* registry.c — the table of live kernel objects (see registry.h). Messages to
 * the guardian are single short lines written in one write(), so they are
 * atomic and the guardian never sees half an entry. */
#include "registry.h"

#include "journal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/msg.h>
#include <sys/sem.h>
#include <sys/shm.h>
#include <unistd.h>

#define REG_MAX 1024
#define REG_NAME 108

struct reg_entry {
    int kind;
    long id;
    char name[REG_NAME];
};

static struct reg_entry entries[REG_MAX];
static int nentries;
static int gfd = -1;

static void tell(char verb, int kind, long id, const char *name);

void registry_init(int guardian_fd)
{
    gfd = guardian_fd;
    nentries = 0;
    if (journal_open(guardian_fd >= 0 ? getppid() : 0) == 0)
        tell('+', REG_JOURNAL, 0, journal_path());
}

int registry_guardian_fd(void)
{
    return gfd;
}

static void tell(char verb, int kind, long id, const char *name)
{
    if (gfd < 0)
        return;
    char line[160];
    int n = snprintf(line, sizeof line, "%c %c %ld %s\n", verb, kind, id, name ? name : "-");
    if (n <= 0 || n >= (int)sizeof line)
        return;
    while (write(gfd, line, (size_t)n) < 0 && errno == EINTR)
        ;
}

int registry_add(int kind, long id, const char *name)
{
    if (nentries >= REG_MAX)
        return -1;
    struct reg_entry *e = &entries[nentries++];
    e->kind = kind;
    e->id = id;
    snprintf(e->name, sizeof e->name, "%s", name ? name : "");
    tell('+', kind, id, name);
    journal_add(kind, id, name);
    return 0;
}

static int find(int kind, long id, const char *name)
{
    for (int i = nentries - 1; i >= 0; i--) {
        if (entries[i].kind != kind)
            continue;
        if (name && name[0] ? strcmp(entries[i].name, name) == 0 : entries[i].id == id)
            return i;
    }
    return -1;
}

void registry_forget(int kind, long id, const char *name)
{
    int i = find(kind, id, name);
    if (i < 0)
        return;
    tell('-', kind, entries[i].id, entries[i].name[0] ? entries[i].name : NULL);
    journal_forget(kind, entries[i].id, entries[i].name);
    entries[i] = entries[--nentries];
}

int registry_destroy(int kind, long id, const char *name)
{
    int rc = 0;
    switch (kind) {
    case REG_SEM: rc = semctl((int)id, 0, IPC_RMID); break;
    case REG_MSG: rc = msgctl((int)id, IPC_RMID, NULL); break;
    case REG_SHM: rc = shmctl((int)id, IPC_RMID, NULL); break;
    case REG_POSIX_SHM: rc = shm_unlink(name); break;
    case REG_PATH: rc = unlink(name); break;
    case REG_DIR: rc = rmdir(name); break;
    case REG_JOURNAL: rc = unlink(name); break;
    default: return 0;
    }
    if (rc < 0 && (errno == EINVAL || errno == EIDRM || errno == ENOENT))
        rc = 0; /* already gone */
    return rc;
}

int registry_remove_all(void)
{
    int failed = 0;
    /* Files before the directories that hold them: newest first. */
    for (int pass = 0; pass < 2; pass++) {
        for (int i = nentries - 1; i >= 0; i--) {
            struct reg_entry *e = &entries[i];
            if (e->kind == REG_PID || e->kind == REG_PGID || e->kind == REG_JOURNAL)
                continue;
            if ((pass == 0) == (e->kind == REG_DIR))
                continue;
            if (registry_destroy(e->kind, e->id, e->name) < 0)
                failed++;
            tell('-', e->kind, e->id, e->name[0] ? e->name : NULL);
            journal_forget(e->kind, e->id, e->name);
            entries[i] = entries[--nentries];
        }
    }
    return failed;
}

int registry_count(int kind)
{
    int n = 0;
    for (int i = 0; i < nentries; i++)
        if (kind == 0 || entries[i].kind == kind)
            n++;
    return n;
}

void registry_clean_exit(void)
{
    journal_remove();
    if (gfd < 0)
        return;
    static const char done[] = ". . 0 -\n";
    while (write(gfd, done, sizeof done - 1) < 0 && errno == EINTR)
        ;
}
