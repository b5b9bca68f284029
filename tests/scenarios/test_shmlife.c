/* test_shmlife.c — the shmlife scenario run headless with real processes:
 * a System V segment, a POSIX object and a mapped file each start
 * zero-filled, outlive their removal (IPC_RMID: dest and key 0 in IPC_STAT
 * and /proc/sysvipc/shm, shmget by the key ENOENT; shm_unlink / unlink: the
 * name gone, /proc/PID/maps "(deleted)") until the last detach, and
 * rmid=late breaks that claim on purpose. nattch is the program's own,
 * compared with what `ipcs -m -i` says mid-run; SHM_LOCK shows "locked".
 * Nothing is left behind: after a normal end, SIGINT before and after the
 * removal, and kill -9 of the dashboard between IPC_RMID and the last
 * detach. */
#include <criterion/criterion.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <unistd.h>
#include <linux/capability.h>

#include "checks.h"

TestSuite(shmlife, .init = checks_setup, .fini = checks_teardown, .timeout = 240);

static void expect_run(const char *const *words, const char *const *want, int status)
{
    struct run r;
    int rc = run_max(&r, "shmlife", words);
    cr_assert_eq(rc, status, "exit %d:\n%s", rc, r.out);
    for (int i = 0; want[i]; i++)
        cr_expect(has(&r, want[i]), "no \"%s\" in:\n%s", want[i], r.out);
    assert_left_nothing(&r, 3.0);
    support_free(&r);
}

Test(shmlife, sysv_segment_outlives_ipc_rmid_until_the_last_detach)
{
    expect_run((const char *[]){NULL},
               (const char *[]){
                   "before anyone wrote: 00 00 00 00 00 00 00 00 ...: every one 0",
                   "IPC_RMID) -> 0 with nattch 2: marked for destruction",
                   "mode 1600, nattch 2 -- ipcs status: dest",
                   "/proc/sysvipc/shm (what ipcs reads): key 0 (0x00000000), perms 1600, nattch 2",
                   ", 0, 0) -> -1, ENOENT: nothing has this key",
                   "after IPC_RMID: the segment is still shared",
                   "the last detach of a segment marked for destruction",
                   "IPC_STAT) -> -1, EINVAL: no segment has this id any more",
                   "check: zero_filled ok (all 4096 bytes were 0",
                   "check: outlived_removal ok (IPC_RMID with nattch 2: message 2 still went "
                   "through it",
                   "check: nattch_own ok", "check: dest_key0 ok", NULL},
               0);
}

Test(shmlife, posix_object_outlives_shm_unlink_until_the_last_munmap)
{
    expect_run(
        (const char *[]){"kind=posix", NULL},
        (const char *[]){"ipcplay keeps neither an fd nor a mapping of it",
                         "-> -1, ENOENT: the name is gone from /dev/shm", " (deleted)",
                         "after shm_unlink: the object is still shared",
                         "no mapping is left and the name is gone: the kernel frees the memory now",
                         "check: zero_filled ok",
                         "check: outlived_removal ok (shm_unlink with 2 "
                         "mapping(s)",
                         "check: name_gone ok", NULL},
        0);
}

Test(shmlife, a_mapped_file_is_shared_and_outlives_unlink)
{
    expect_run((const char *[]){"kind=file", NULL},
               (const char *[]){"ftruncate(4, 4096) first: the empty file grows by a hole",
                                "a file grown by ftruncate reads as 0",
                                "-> -1, ENOENT: the name is gone from the directory",
                                "shared (deleted)", "after unlink: the file is still shared",
                                "check: outlived_removal ok (unlink with 2 mapping(s)",
                                "check: name_gone ok", NULL},
               0);
}

Test(shmlife, rmid_late_breaks_the_claim_on_purpose)
{
    expect_run((const char *[]){"rmid=late", NULL},
               (const char *[]){"nattch is now 0; nobody removed it, so the segment stays",
                                "attached by no one, and still there",
                                "IPC_RMID) -> 0 with nattch 0: nobody is attached",
                                "check: outlived_removal broken on purpose (rmid=late: IPC_RMID "
                                "came with nattch 0",
                                NULL},
               1);
}

Test(shmlife, posix_rmid_late_breaks_it_too)
{
    expect_run((const char *[]){"kind=posix", "rmid=late", NULL},
               (const char *[]){"no mapping is left; the name still holds the data",
                                "check: outlived_removal broken on purpose (rmid=late: shm_unlink "
                                "came with 0 mapping(s)",
                                NULL},
               1);
}

/* Root may lock; others get EPERM or ENOMEM, told with the real errno. The
 * check holds either way: IPC_STAT shows "locked" exactly when SHM_LOCK
 * worked. */
Test(shmlife, shm_lock_where_permitted)
{
    struct run r;
    int rc = run_max(&r, "shmlife", (const char *[]){"lock=on", NULL});
    cr_assert_eq(rc, 0, "exit %d:\n%s", rc, r.out);
    cr_expect(has(&r, "SHM_LOCK) -> 0") ? has(&r, "ipcs status: locked")
                                        : has(&r, "SHM_LOCK) -> -1, E"),
              "%s", r.out);
    cr_expect(has(&r, "check: shm_lock ok"), "%s", r.out);
    assert_left_nothing(&r, 3.0);
    support_free(&r);
}

/* Without CAP_IPC_LOCK (dropped from the bounding set, so the exec'd
 * ipcplay lacks it even as root) and with RLIMIT_MEMLOCK 0, SHM_LOCK is
 * refused: the story names EPERM and why, and the check holds (IPC_STAT
 * shows no lock). */
Test(shmlife, shm_lock_refused_is_told_with_its_errno)
{
    if (geteuid() != 0)
        cr_skip_test("needs root to drop CAP_IPC_LOCK for the run");
    struct rlimit none = {0, 0};
    cr_assert_eq(setrlimit(RLIMIT_MEMLOCK, &none), 0);
    cr_assert_eq(prctl(PR_CAPBSET_DROP, CAP_IPC_LOCK, 0, 0, 0), 0);
    expect_run((const char *[]){"lock=on", NULL},
               (const char *[]){"SHM_LOCK) -> -1, EPERM: not permitted here (uid 0, "
                                "RLIMIT_MEMLOCK 0 bytes)",
                                "without CAP_IPC_LOCK only the owner or creator may",
                                "check: shm_lock ok (SHM_LOCK is not permitted here (EPERM)", NULL},
               0);
}

Test(shmlife, lock_needs_sysv)
{
    struct run r;
    char err[512];
    const char *const argv[] = {"ipcplay", "run",        "shmlife", "kind=posix",
                                "lock=on", "--headless", NULL};
    int rc = support_run_stderr(&r, argv, 30, err, sizeof err);
    cr_expect_neq(rc, 0);
    cr_expect(strstr(err, "lock=on needs kind=sysv"), "%s", err);
    support_free(&r);
}

/* The shmid from "shmget(...) -> shmid N". */
static int shmid_of(const struct run *r)
{
    const char *p = r->out ? strstr(r->out, "-> shmid ") : NULL;
    return p ? atoi(p + 9) : -1;
}

static const char *const slow[] = {"ipcplay", "run", "shmlife", "gap=1500ms", "--headless", NULL};

/* ipcplay attaches nothing: mid-run, ipcs counts the two processes alone,
 * and after IPC_RMID lists the segment as dest with key 0. */
Test(shmlife, ipcs_agrees_on_nattch_and_dest)
{
    struct run r;
    cr_assert_eq(support_start(&r, slow), 0);
    cr_assert(support_wait_output(&r, "nattch is now 2", 60), "%s", r.out ? r.out : "");
    int id = shmid_of(&r);
    cr_assert_geq(id, 0, "%s", r.out);
    char ids[16], out[4096];
    snprintf(ids, sizeof ids, "%d", id);
    const char *const info[] = {"ipcs", "-m", "-i", ids, NULL};
    cr_assert_eq(support_capture(info, out, sizeof out), 0);
    cr_expect_eq(support_field(out, "nattch="), 2, "ipcs -m -i %d:\n%s", id, out);
    cr_assert(support_wait_output(&r, "ipcs status: dest", 60), "%s", r.out);
    const char *const list[] = {"ipcs", "-m", NULL};
    cr_assert_eq(support_capture(list, out, sizeof out), 0);
    char line[256];
    cr_expect(support_last_line(out, ids, line, sizeof line) && strstr(line, "0x00000000") &&
                  strstr(line, "dest") && strstr(line, " 2 "),
              "ipcs -m:\n%s", out);
    cr_assert(support_wait_output(&r, "check: outlived_removal ok", 60), "%s", r.out);
    cr_expect_eq(support_wait_exit(&r, 30), 0, "%s", r.out);
    assert_left_nothing(&r, 3.0);
    support_free(&r);
}

Test(shmlife, sigint_before_the_removal_leaves_nothing)
{
    interrupt_midway(slow, "writes \"message 1", SIGINT, false);
}

Test(shmlife, sigint_after_ipc_rmid_leaves_nothing)
{
    interrupt_midway(slow, "marked for destruction", SIGINT, false);
}

static void kill9_after(const char *const argv[], const char *needle)
{
    struct run r;
    cr_assert_eq(support_start(&r, argv), 0);
    cr_assert(support_wait_output(&r, needle, 60), "%s", r.out ? r.out : "");
    pid_t d = support_dashboard_pid(&r, 5);
    cr_assert_gt(d, 0);
    kill(d, SIGKILL);
    int rc = support_wait_exit(&r, 20);
    cr_expect_eq(rc, 128 + SIGKILL);
    assert_left_nothing(&r, 3.0);
    support_free(&r);
}

Test(shmlife, kill_9_between_ipc_rmid_and_the_last_detach_leaves_nothing)
{
    kill9_after(slow, "marked for destruction");
}

Test(shmlife, kill_9_before_shm_unlink_leaves_nothing)
{
    const char *const argv[] = {"ipcplay",    "run",        "shmlife", "kind=posix",
                                "gap=1500ms", "--headless", NULL};
    kill9_after(argv, "writes \"message 1");
}

Test(shmlife, kill_9_after_unlink_of_the_file_leaves_nothing)
{
    const char *const argv[] = {"ipcplay",    "run",        "shmlife", "kind=file",
                                "gap=1500ms", "--headless", NULL};
    kill9_after(argv, "the name is gone from the directory");
}
