/* test_procfs.c — the /proc parsers on fixture files captured from real
 * processes (tests/fixtures/proc/PID/{stat,syscall}), opened through the same
 * root-fd path the sampler uses. */
#include <criterion/criterion.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "engine/procfs.h"
#include "model/model.h"

static int root = -1;

static void setup(void)
{
    root = procfs_open_root(FIXTURES_DIR "/proc");
    cr_assert_geq(root, 0, "fixtures not found");
}

static void teardown(void)
{
    close(root);
}

TestSuite(procfs, .init = setup, .fini = teardown);

static void read_fixture(pid_t pid, const char *name, char *buf, size_t len)
{
    int fd = procfs_open(root, pid, name);
    cr_assert_geq(fd, 0, "%d/%s", (int)pid, name);
    cr_assert_gt(procfs_pread(fd, buf, len), 0);
    /* pread at offset 0 again gives the same text (the sampler relies on it) */
    char again[1024];
    cr_assert_eq(procfs_pread(fd, again, sizeof again), (ssize_t)strlen(buf));
    cr_assert_str_eq(again, buf);
    close(fd);
}

Test(procfs, stat_of_a_blocked_worker)
{
    char buf[1024];
    read_fixture(4711, "stat", buf, sizeof buf);
    struct proc_stat st;
    cr_assert_eq(procfs_parse_stat(buf, strlen(buf), &st), 0);
    cr_expect_eq(st.pid, 4711);
    cr_expect_str_eq(st.comm, "ipcplay");
    cr_expect_eq(st.state, 'S');
    cr_expect_eq(st.ppid, 4702);
    cr_expect_eq(st.pgrp, 4711);
    cr_expect_eq(st.minflt, 27);
    cr_expect_eq(st.majflt, 3);
    cr_expect_eq(st.utime, 12);
    cr_expect_eq(st.stime, 5);
    cr_expect_eq(st.rss_pages, 464);
}

Test(procfs, stat_with_parentheses_in_comm_and_zombie)
{
    char buf[1024];
    read_fixture(4713, "stat", buf, sizeof buf);
    struct proc_stat st;
    cr_assert_eq(procfs_parse_stat(buf, strlen(buf), &st), 0);
    cr_expect_str_eq(st.comm, "a) (b) c");
    cr_expect_eq(st.state, 'Z');
    cr_expect_eq(st.ppid, 4712);
}

Test(procfs, stat_rejects_garbage)
{
    struct proc_stat st;
    cr_expect_eq(procfs_parse_stat("", 0, &st), -1);
    cr_expect_eq(procfs_parse_stat("hello", 5, &st), -1);
    cr_expect_eq(procfs_parse_stat("12 (x", 5, &st), -1);
    cr_expect_eq(procfs_parse_stat("x (y) S 1 2", 11, &st), -1);
    cr_expect_eq(procfs_parse_stat("12 (y)", 6, &st), -1);
}

Test(procfs, syscall_blocked_in_semtimedop)
{
    char buf[256];
    read_fixture(4711, "syscall", buf, sizeof buf);
    struct proc_syscall sc;
    cr_assert_eq(procfs_parse_syscall(buf, strlen(buf), &sc), 0);
    cr_expect_eq(sc.nr, SYS_semtimedop);
    cr_expect_eq(sc.args[0], 3);                /* semid */
    cr_expect_eq(sc.args[1], 0x7fff294a747aUL); /* struct sembuf * */
    cr_expect_eq(sc.args[2], 1);                /* nsops */
    cr_expect_eq(sc.args[3], 0);                /* no timeout */
    cr_expect_eq(sc.sp, 0x7fff294a7438UL);
    cr_expect_str_eq(syscall_name(sc.nr), "semtimedop");
}

Test(procfs, syscall_sleeping_running_and_user)
{
    char buf[256];
    struct proc_syscall sc;
    read_fixture(4712, "syscall", buf, sizeof buf);
    cr_assert_eq(procfs_parse_syscall(buf, strlen(buf), &sc), 0);
    cr_expect_str_eq(syscall_name(sc.nr), "clock_nanosleep");
    read_fixture(4713, "syscall", buf, sizeof buf);
    cr_assert_eq(procfs_parse_syscall(buf, strlen(buf), &sc), 0);
    cr_expect_eq(sc.nr, PROC_SYSCALL_RUNNING);
    read_fixture(4714, "syscall", buf, sizeof buf);
    cr_assert_eq(procfs_parse_syscall(buf, strlen(buf), &sc), 0);
    cr_expect_eq(sc.nr, PROC_SYSCALL_USER);
    cr_expect_eq(sc.pc, 0x55d0c3a4b1f0UL);
}

Test(procfs, syscall_rejects_garbage)
{
    struct proc_syscall sc;
    cr_expect_eq(procfs_parse_syscall("", 0, &sc), -1);
    cr_expect_eq(procfs_parse_syscall("abc", 3, &sc), -1);
    cr_expect_eq(procfs_parse_syscall("220 0x3 0x4", 11, &sc), -1, "too few fields");
    cr_expect_eq(procfs_parse_syscall("-1 0x1", 6, &sc), -1);
    cr_expect_eq(procfs_parse_syscall("220 0x3 zz 0 0 0 0 0 0", 22, &sc), -1);
}

Test(procfs, missing_pid_fails_cleanly)
{
    cr_expect_lt(procfs_open(root, 999999, "stat"), 0);
}

Test(procfs, kernel_view_text)
{
    struct model m;
    model_init(&m);
    m.nsemsets = 1;
    m.semsets[0].semid = 3;
    struct model_kernel k = {
        .nr = SYS_semtimedop, .semid = 3, .nsops = 1, .sem_num = 0, .sem_op = -1};
    model_describe_kernel(&m, &k);
    cr_expect_str_eq(k.text, "semtimedop(sem 0, -1)");
    k.sem_op = 0;
    model_describe_kernel(&m, &k);
    cr_expect_str_eq(k.text, "semtimedop(sem 0, 0)");
    struct model_kernel s = {.nr = SYS_wait4, .semid = -1};
    model_describe_kernel(&m, &s);
    cr_expect_str_eq(s.text, "wait4");
}
