/* test_journal.c — the start-up sweep of journals left by killed runs cannot
 * be steered: forged lines that name "..", another directory, a path through
 * a link, or an object that is not provably the dead run's are not acted on;
 * a journal directory that is a link, or belongs to someone else, or sits in
 * a directory someone else owns is refused with a warning; a journal file
 * that is not ours is not read; unreadable journals and journals of a
 * vanished IPC namespace are reported and removed once their run is dead.
 * Each test gives ipcplay its own XDG_RUNTIME_DIR. */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/sem.h>
#include <sys/stat.h>
#include <unistd.h>

#include "checks.h"

TestSuite(journal, .init = checks_setup, .fini = checks_teardown, .timeout = 120);

static char xdg[64], decoy[64];

static void make_dirs(void)
{
    snprintf(xdg, sizeof xdg, "/tmp/ipcplay-xdg-XXXXXX");
    snprintf(decoy, sizeof decoy, "/tmp/ipcplay-decoy-XXXXXX");
    cr_assert_not_null(mkdtemp(xdg));
    cr_assert_not_null(mkdtemp(decoy));
    chmod(xdg, 0700);
    setenv("XDG_RUNTIME_DIR", xdg, 1);
}

static void removetree(const char *dir)
{
    const char *const argv[] = {"rm", "-rf", "--", dir, NULL};
    char out[16];
    support_capture(argv, out, sizeof out);
}

static void drop_dirs(void)
{
    removetree(xdg);
    removetree(decoy);
}

/* A pid no process has now. */
static pid_t dead_pid(void)
{
    pid_t p = fork();
    if (p == 0)
        _exit(0);
    waitpid(p, NULL, 0);
    return p;
}

static unsigned long long our_ipcns(void)
{
    struct stat st;
    stat("/proc/self/ns/ipc", &st);
    return (unsigned long long)st.st_ino;
}

static void put(const char *path, mode_t mode, const char *fmt, ...)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
    cr_assert_geq(fd, 0, "cannot create %s: %s", path, strerror(errno));
    va_list ap;
    va_start(ap, fmt);
    vdprintf(fd, fmt, ap);
    va_end(ap);
    close(fd);
}

static bool exists(const char *path)
{
    struct stat st;
    return lstat(path, &st) == 0;
}

/* Run a short scenario headless; its stderr is kept in errtext. */
static int run_once(char *errtext, size_t len)
{
    struct run r;
    const char *const argv[] = {"ipcplay", "run", "sem",        "workers=1", "rounds=1",
                                "--speed", "max", "--headless", NULL};
    int rc = support_run_stderr(&r, argv, 60, errtext, len);
    assert_left_nothing(&r, 2.0);
    support_free(&r);
    return rc;
}

Test(journal, forged_lines_reach_nothing_outside_the_dead_run_s_own_files)
{
    make_dirs();
    pid_t dead = dead_pid();
    char jdir[128], jfile[160], rootfile[128], rundir[128], runfile[160], real[128], linked[128],
        behind[200];
    snprintf(rootfile, sizeof rootfile, "%s/rootfile", decoy);
    put(rootfile, 0600, "precious\n");
    /* A dead run's real leftovers, in the form ipcplay makes them. */
    snprintf(rundir, sizeof rundir, "%s/ipcplay-%d-AbCdEf", decoy, (int)dead);
    mkdir(rundir, 0700);
    snprintf(runfile, sizeof runfile, "%s/fifo", rundir);
    put(runfile, 0600, "");
    /* The same form, but reached through a link. */
    snprintf(real, sizeof real, "%s/real", decoy);
    mkdir(real, 0700);
    snprintf(behind, sizeof behind, "%s/ipcplay-%d-QwErTy", real, (int)dead);
    mkdir(behind, 0700);
    snprintf(behind, sizeof behind, "%s/ipcplay-%d-QwErTy/sock", real, (int)dead);
    put(behind, 0600, "");
    snprintf(linked, sizeof linked, "%s/link", decoy);
    cr_assert_eq(symlink(real, linked), 0);
    snprintf(jdir, sizeof jdir, "%s/ipcplay", xdg);
    mkdir(jdir, 0700);
    snprintf(jfile, sizeof jfile, "%s/run-%d.journal", jdir, (int)dead);
    put(jfile, 0600,
        "ipcplay-journal 1 %d 1 %d 1 %llu\n"
        "+ f 0 /tmp/ipcplay-31999/../../%s 0\n"
        "+ f 0 %s/../rootfile 0\n"
        "+ f 0 %s 0\n"
        "+ d 0 %s 0\n"
        "+ f 0 %s/link/ipcplay-%d-QwErTy/sock 0\n"
        "+ d 0 %s/link/ipcplay-%d-QwErTy 0\n"
        "+ d 0 %s 0\n"
        "+ f 0 %s 0\n",
        (int)dead, (int)dead, our_ipcns(), rootfile + 1, rundir, rootfile, decoy, decoy, (int)dead,
        decoy, (int)dead, rundir, runfile);
    char err[2048];
    cr_expect_eq(run_once(err, sizeof err), 0, "stderr: %s", err);
    cr_expect(exists(rootfile), "a forged line removed %s", rootfile);
    cr_expect(exists(decoy), "a forged line removed %s", decoy);
    cr_expect(exists(behind), "a path through a link was followed: %s is gone", behind);
    cr_expect_not(exists(runfile), "the dead run's own file %s was left", runfile);
    cr_expect_not(exists(rundir), "the dead run's own directory %s was left", rundir);
    cr_expect_not(exists(jfile), "the dead run's journal was left");
    cr_expect(strstr(err, "removed 2 object(s) left by 1 earlier run(s)"), "stderr: %s", err);
    drop_dirs();
}

Test(journal, a_journal_directory_that_is_a_link_is_refused_with_a_warning)
{
    make_dirs();
    pid_t dead = dead_pid();
    char elsewhere[128], jfile[200], link[128], rundir[128], runfile[160];
    snprintf(rundir, sizeof rundir, "%s/ipcplay-%d-AbCdEf", decoy, (int)dead);
    mkdir(rundir, 0700);
    snprintf(runfile, sizeof runfile, "%s/data.txt", rundir);
    put(runfile, 0600, "mine, not a dead run's\n");
    snprintf(elsewhere, sizeof elsewhere, "%s/planted", decoy);
    mkdir(elsewhere, 0700);
    snprintf(jfile, sizeof jfile, "%s/run-%d.journal", elsewhere, (int)dead);
    put(jfile, 0600, "ipcplay-journal 1 %d 1 %d 1 %llu\n+ f 0 %s 0\n+ d 0 %s 0\n", (int)dead,
        (int)dead, our_ipcns(), runfile, rundir);
    snprintf(link, sizeof link, "%s/ipcplay", xdg);
    cr_assert_eq(symlink(elsewhere, link), 0);
    char err[2048];
    cr_expect_eq(run_once(err, sizeof err), 0, "stderr: %s", err);
    cr_expect(exists(runfile), "the journal behind the link was obeyed");
    cr_expect(exists(jfile), "the journal behind the link was touched");
    cr_expect(strstr(err, "ipcplay: warning: journal not kept under XDG_RUNTIME_DIR") &&
                  strstr(err, "is a link or not a directory"),
              "no warning: %s", err);
    drop_dirs();
}

Test(journal, a_journal_directory_of_another_user_is_refused_with_a_warning)
{
    make_dirs();
    char jdir[128];
    snprintf(jdir, sizeof jdir, "%s/ipcplay", xdg);
    mkdir(jdir, 0700);
    cr_assert_eq(chown(jdir, 65534, 65534), 0, "needs root");
    char err[2048];
    cr_expect_eq(run_once(err, sizeof err), 0, "stderr: %s", err);
    cr_expect(strstr(err, "is not yours alone (owner uid 65534, mode 700)"), "stderr: %s", err);
    drop_dirs();
}

Test(journal, a_runtime_dir_someone_else_owns_is_not_used)
{
    make_dirs();
    cr_assert_eq(chown(xdg, 65534, 65534), 0, "needs root");
    char err[2048];
    cr_expect_eq(run_once(err, sizeof err), 0, "stderr: %s", err);
    char want[160];
    snprintf(want, sizeof want, "(%s belongs to uid 65534, not to you)", xdg);
    cr_expect(strstr(err, want), "stderr: %s", err);
    char jdir[128];
    snprintf(jdir, sizeof jdir, "%s/ipcplay", xdg);
    cr_expect_not(exists(jdir), "created a directory in someone else's %s", xdg);
    drop_dirs();
}

/* A semaphore set shaped exactly like a run's, made by this test. */
static int lookalike_set(long long *ctime_out)
{
    int id = semget(IPC_PRIVATE, 1, IPC_CREAT | 0600);
    cr_assert_geq(id, 0);
    struct semid_ds ds;
    union {
        int val;
        struct semid_ds *buf;
    } arg = {.buf = &ds};
    cr_assert_eq(semctl(id, 0, IPC_STAT, arg), 0);
    *ctime_out = (long long)ds.sem_ctime;
    support_ipc_counts(&checks_before); /* ours: not the run's leftovers */
    return id;
}

Test(journal, a_journal_file_that_is_not_ours_is_not_read)
{
    make_dirs();
    pid_t dead = dead_pid();
    char jdir[128], foreign[160], linked[160], target[160];
    snprintf(jdir, sizeof jdir, "%s/ipcplay", xdg);
    mkdir(jdir, 0700);
    long long ct;
    int id = lookalike_set(&ct);
    /* Another user's file, and a link to a file, both dressed as journals. */
    snprintf(foreign, sizeof foreign, "%s/run-%d.journal", jdir, (int)dead);
    put(foreign, 0600, "ipcplay-journal 1 %d 1 %d 1 %llu\n+ s %d - %lld\n", (int)dead, (int)dead,
        our_ipcns(), id, ct);
    cr_assert_eq(chown(foreign, 65534, 65534), 0);
    snprintf(target, sizeof target, "%s/forged", decoy);
    put(target, 0600, "ipcplay-journal 1 %d 1 %d 1 %llu\n+ s %d - %lld\n", (int)dead, (int)dead,
        our_ipcns(), id, ct);
    snprintf(linked, sizeof linked, "%s/run-%d.journal", jdir, (int)dead_pid());
    cr_assert_eq(symlink(target, linked), 0);
    char err[2048];
    cr_expect_eq(run_once(err, sizeof err), 0, "stderr: %s", err);
    struct semid_ds ds;
    union {
        int val;
        struct semid_ds *buf;
    } arg = {.buf = &ds};
    cr_expect_eq(semctl(id, 0, IPC_STAT, arg), 0, "the set was removed on a journal not ours");
    cr_expect(exists(target), "the link's target was removed");
    semctl(id, 0, IPC_RMID);
    unlink(foreign);
    unlink(linked);
    drop_dirs();
}

Test(journal, an_object_unlike_what_the_journal_recorded_is_left_alone)
{
    make_dirs();
    pid_t dead = dead_pid();
    char jdir[128], jfile[160];
    snprintf(jdir, sizeof jdir, "%s/ipcplay", xdg);
    mkdir(jdir, 0700);
    long long ct;
    int id = lookalike_set(&ct);
    int keyed = semget((key_t)0x1ca9, 1, IPC_CREAT | IPC_EXCL | 0600);
    cr_assert_geq(keyed, 0);
    support_ipc_counts(&checks_before);
    snprintf(jfile, sizeof jfile, "%s/run-%d.journal", jdir, (int)dead);
    /* The right id, but not its creation time; a set made with a key. */
    put(jfile, 0600, "ipcplay-journal 1 %d 1 %d 1 %llu\n+ s %d - %lld\n+ s %d - %lld\n", (int)dead,
        (int)dead, our_ipcns(), id, ct - 3600, keyed, ct);
    char err[2048];
    cr_expect_eq(run_once(err, sizeof err), 0, "stderr: %s", err);
    cr_expect_geq(semctl(id, 0, GETVAL), 0, "a set with another ctime was removed");
    cr_expect_geq(semctl(keyed, 0, GETVAL), 0, "a keyed set was removed");
    cr_expect_not(exists(jfile), "the dead run's journal was left");
    semctl(id, 0, IPC_RMID);
    semctl(keyed, 0, IPC_RMID);
    drop_dirs();
}

Test(journal, unreadable_journals_go_when_their_run_is_provably_dead)
{
    make_dirs();
    pid_t dead = dead_pid();
    char jdir[128], gone[160], live[160];
    snprintf(jdir, sizeof jdir, "%s/ipcplay", xdg);
    mkdir(jdir, 0700);
    snprintf(gone, sizeof gone, "%s/run-%d.journal", jdir, (int)dead);
    put(gone, 0600,
        "\x7f"
        "ELF not a journal at all\n");
    snprintf(live, sizeof live, "%s/run-%d.journal", jdir, (int)getpid());
    put(live, 0600, "half a hea");
    char err[2048];
    cr_expect_eq(run_once(err, sizeof err), 0, "stderr: %s", err);
    cr_expect_not(exists(gone), "an unreadable journal of a dead run stayed");
    cr_expect(exists(live), "an unreadable journal of a live pid was removed");
    char want[96];
    snprintf(want, sizeof want, "removed 1 unreadable journal(s) of dead runs (run-%d.journal)",
             (int)dead);
    cr_expect(strstr(err, want), "stderr: %s", err);
    drop_dirs();
}

Test(journal, a_journal_of_a_vanished_ipc_namespace_is_reported_and_removed)
{
    make_dirs();
    pid_t dead = dead_pid();
    char jdir[128], jfile[160], rundir[128], runfile[160];
    snprintf(jdir, sizeof jdir, "%s/ipcplay", xdg);
    mkdir(jdir, 0700);
    snprintf(rundir, sizeof rundir, "%s/ipcplay-%d-AbCdEf", decoy, (int)dead);
    mkdir(rundir, 0700);
    snprintf(runfile, sizeof runfile, "%s/fifo", rundir);
    put(runfile, 0600, "");
    snprintf(jfile, sizeof jfile, "%s/run-%d.journal", jdir, (int)dead);
    /* Inode 1: no namespace has it, so no process is in that namespace. */
    put(jfile, 0600, "ipcplay-journal 1 %d 1 %d 1 1\n+ s 5 - 0\n+ d 0 %s 0\n+ f 0 %s 0\n",
        (int)dead, (int)dead, rundir, runfile);
    char err[2048];
    cr_expect_eq(run_once(err, sizeof err), 0, "stderr: %s", err);
    cr_expect_not(exists(jfile), "the journal stayed");
    cr_expect_not(exists(runfile), "the dead run's file stayed");
    cr_expect(strstr(err, "1 System V object(s) of dead runs were in an IPC namespace that is "
                          "gone"),
              "stderr: %s", err);
    drop_dirs();
}

/* A keyed set the journal names by key and mode: removed only when the
 * kernel shows that key (and mode, creator, ctime); a set someone made with
 * another key under the same id is left alone. */
Test(journal, a_keyed_object_goes_only_when_its_key_matches)
{
    make_dirs();
    pid_t dead = dead_pid();
    char jdir[128], jfile[160];
    snprintf(jdir, sizeof jdir, "%s/ipcplay", xdg);
    mkdir(jdir, 0700);
    int theirs = semget((key_t)0x6b00aa02, 1, IPC_CREAT | IPC_EXCL | 0600);
    cr_assert_geq(theirs, 0);
    support_ipc_counts(&checks_before); /* theirs stays */
    int ours = semget((key_t)0x6b00aa01, 1, IPC_CREAT | IPC_EXCL | 0600);
    cr_assert_geq(ours, 0);
    struct semid_ds ds;
    union {
        int val;
        struct semid_ds *buf;
    } arg = {.buf = &ds};
    cr_assert_eq(semctl(ours, 0, IPC_STAT, arg), 0);
    long long ct = (long long)ds.sem_ctime;
    snprintf(jfile, sizeof jfile, "%s/run-%d.journal", jdir, (int)dead);
    /* theirs is recorded with our key: the kernel's key differs. */
    put(jfile, 0600,
        "ipcplay-journal 1 %d 1 %d 1 %llu\n+ s %d key-0x6b00aa01-0400 %lld\n"
        "+ s %d key-0x6b00aa01-0400 %lld\n",
        (int)dead, (int)dead, our_ipcns(), ours, ct, theirs, ct);
    char err[2048];
    cr_expect_eq(run_once(err, sizeof err), 0, "stderr: %s", err);
    cr_expect_lt(semctl(ours, 0, GETVAL), 0, "the keyed set the journal proves ours was left");
    cr_expect_geq(semctl(theirs, 0, GETVAL), 0, "a set with another key was removed");
    semctl(ours, 0, IPC_RMID);
    semctl(theirs, 0, IPC_RMID);
    drop_dirs();
}
