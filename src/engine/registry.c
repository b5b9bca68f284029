/* registry.c — the table of what a run holds (see registry.h). Every change
 * is told to the guardian as one objline (objline.h) written in one write(),
 * so it is atomic and the guardian never sees half an entry, and is written
 * to the journal. */
#include "registry.h"

#include "journal.h"
#include "objline.h"
#include "safefs.h"
#include "sysv.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/msg.h>
#include <sys/sem.h>
#include <sys/shm.h>
#include <unistd.h>

static struct objent entries[REG_MAX];
static struct objtab tab = {entries, 0, REG_MAX};
static int gfd = -1;

static void tell(char verb, const struct objent *e)
{
    if (gfd < 0)
        return;
    char line[OBJ_LINE];
    int n = objline_format(line, sizeof line, verb, e);
    if (n < 0)
        return;
    while (write(gfd, line, (size_t)n) < 0 && errno == EINTR)
        ;
}

void registry_init(int guardian_fd)
{
    gfd = guardian_fd;
    tab.n = 0;
    if (journal_open(guardian_fd >= 0 ? getppid() : 0) == 0) {
        struct objent j = {.kind = REG_JOURNAL};
        snprintf(j.name, sizeof j.name, "%s", journal_path());
        tell('+', &j);
    }
}

/* The object's ctime now: the journal's proof, at the next start, that an
 * id still names the object this run created. */
static long long stamp_of(int kind, long id)
{
    struct sysv_stat st;
    if (kind != REG_SEM && kind != REG_MSG && kind != REG_SHM)
        return 0;
    return sysv_stat(kind, (int)id, &st) == 0 ? (long long)st.ctime : -1;
}

int registry_add(int kind, long id, const char *name)
{
    struct objent e = {.kind = kind, .id = id};
    snprintf(e.name, sizeof e.name, "%s", name ? name : "");
    if (!objline_name_ok(kind, e.name) || objtab_add(&tab, &e) < 0)
        return -1;
    struct objent *in = &tab.ents[tab.n - 1];
    in->stamp = stamp_of(kind, id);
    tell('+', in);
    journal_add(in);
    return 0;
}

static int find(int kind, long id, const char *name)
{
    for (int i = tab.n - 1; i >= 0; i--) {
        if (tab.ents[i].kind != kind)
            continue;
        if (name && name[0] ? strcmp(tab.ents[i].name, name) == 0 : tab.ents[i].id == id)
            return i;
    }
    return -1;
}

static void drop(int i)
{
    struct objent e = tab.ents[i];
    tab.ents[i] = tab.ents[--tab.n];
    tell('-', &e);
    journal_forget(&e, &tab);
}

void registry_forget(int kind, long id, const char *name)
{
    int i = find(kind, id, name);
    if (i >= 0)
        drop(i);
}

int registry_destroy(int kind, long id, const char *name)
{
    int rc = 0;
    switch (kind) {
    case REG_SEM: rc = semctl((int)id, 0, IPC_RMID); break;
    case REG_MSG: rc = msgctl((int)id, IPC_RMID, NULL); break;
    case REG_SHM: rc = shmctl((int)id, IPC_RMID, NULL); break;
    case REG_POSIX_SHM: rc = shm_unlink(name); break;
    case REG_PATH:
    case REG_JOURNAL: rc = safefs_remove(name, SAFEFS_RUNFILE); break;
    case REG_DIR: rc = safefs_remove(name, SAFEFS_RUNDIR); break;
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
        for (int i = tab.n - 1; i >= 0; i--) {
            struct objent *e = &tab.ents[i];
            if (e->kind == REG_PID || e->kind == REG_PGID || e->kind == REG_JOURNAL)
                continue;
            if ((pass == 0) == (e->kind == REG_DIR))
                continue;
            if (registry_destroy(e->kind, e->id, e->name) < 0)
                failed++;
            drop(i);
        }
    }
    return failed;
}

int registry_count(int kind)
{
    int n = 0;
    for (int i = 0; i < tab.n; i++)
        if (kind == 0 || tab.ents[i].kind == kind)
            n++;
    return n;
}

bool registry_has(int kind, long id)
{
    for (int i = 0; i < tab.n; i++)
        if (tab.ents[i].kind == kind && tab.ents[i].id == id)
            return true;
    return false;
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
