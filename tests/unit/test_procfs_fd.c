/* test_procfs_fd.c — the pure parsers for fd tables and zombies, on fixture
 * files captured from a real kernel (tests/fixtures/fdinfo, .../stat): the
 * fdinfo fields (octal flags, optional ino and scm_fds), the exit status at
 * the end of a zombie's stat line, and the display name of an fd target. */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

#include "engine/procfs_fd.h"

static size_t fixture(const char *name, char *buf, size_t len)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", FIXTURES_DIR, name);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    cr_assert_geq(fd, 0, "fixture %s", path);
    ssize_t n = read(fd, buf, len - 1);
    close(fd);
    cr_assert_gt(n, 0);
    buf[n] = '\0';
    return (size_t)n;
}

Test(fdinfo, unix_socket_with_an_fd_in_flight)
{
    char buf[512];
    size_t n = fixture("fdinfo/unix_scm.txt", buf, sizeof buf);
    struct proc_fdinfo fi;
    cr_assert_eq(procfs_parse_fdinfo(buf, n, &fi), 0);
    cr_expect_eq(fi.pos, 0);
    cr_expect_eq(fi.flags, 02000002u, "flags are octal: %o", fi.flags);
    cr_expect_eq(fi.mnt_id, 10);
    cr_expect_eq(fi.ino, 34932ul);
    cr_expect_eq(fi.scm_fds, 1);
}

Test(fdinfo, file_with_cloexec_and_offset)
{
    char buf[512];
    size_t n = fixture("fdinfo/file_cloexec.txt", buf, sizeof buf);
    struct proc_fdinfo fi;
    cr_assert_eq(procfs_parse_fdinfo(buf, n, &fi), 0);
    cr_expect_eq(fi.pos, 16);
    cr_expect(fi.flags & O_CLOEXEC);
    cr_expect_eq(fi.flags & O_ACCMODE, (unsigned)O_RDWR);
    cr_expect_eq(fi.ino, 733ul);
    cr_expect_eq(fi.scm_fds, -1, "no scm_fds line: -1");
}

Test(fdinfo, pipe_write_end)
{
    char buf[512];
    size_t n = fixture("fdinfo/pipe_write.txt", buf, sizeof buf);
    struct proc_fdinfo fi;
    cr_assert_eq(procfs_parse_fdinfo(buf, n, &fi), 0);
    cr_expect_eq(fi.flags & O_ACCMODE, (unsigned)O_WRONLY);
    cr_expect_eq(fi.ino, 34938ul);
}

Test(fdinfo, older_kernel_without_ino_and_a_lock_line)
{
    char buf[512];
    size_t n = fixture("fdinfo/old_kernel_lock.txt", buf, sizeof buf);
    struct proc_fdinfo fi;
    cr_assert_eq(procfs_parse_fdinfo(buf, n, &fi), 0);
    cr_expect_eq(fi.pos, 4096);
    cr_expect_eq(fi.ino, 0ul, "absent: 0");
    cr_expect_eq(fi.flags, 0100001u);
}

Test(fdinfo, garbage_and_empty_are_refused)
{
    char buf[512];
    size_t n = fixture("fdinfo/garbage.txt", buf, sizeof buf);
    struct proc_fdinfo fi;
    cr_expect_eq(procfs_parse_fdinfo(buf, n, &fi), -1);
    cr_expect_eq(procfs_parse_fdinfo("", 0, &fi), -1);
    cr_expect_eq(procfs_parse_fdinfo(NULL, 0, &fi), -1);
    cr_expect_eq(procfs_parse_fdinfo("pos:\t1\n", 7, &fi), -1, "flags missing");
    /* Not NUL-terminated at len: only len bytes count. */
    cr_expect_eq(procfs_parse_fdinfo("pos:\t1\nflags:\t02\nino:\t5", 16, &fi), 0);
    cr_expect_eq(fi.ino, 0ul);
}

Test(stat_exit_code, zombie_exit_status)
{
    char buf[1024];
    size_t n = fixture("stat/zombie_exit3.txt", buf, sizeof buf);
    int st = procfs_stat_exit_code(buf, n);
    cr_assert(WIFEXITED(st), "status %d", st);
    cr_expect_eq(WEXITSTATUS(st), 3);
}

Test(stat_exit_code, killed_with_odd_comm)
{
    char buf[1024];
    size_t n = fixture("stat/zombie_killed_odd_comm.txt", buf, sizeof buf);
    int st = procfs_stat_exit_code(buf, n);
    cr_assert(WIFSIGNALED(st), "status %d", st);
    cr_expect_eq(WTERMSIG(st), SIGKILL);
}

Test(stat_exit_code, absent_on_old_kernels_or_garbage)
{
    char buf[1024];
    size_t n = fixture("stat/old_kernel.txt", buf, sizeof buf);
    cr_expect_eq(procfs_stat_exit_code(buf, n), -1);
    cr_expect_eq(procfs_stat_exit_code("no parens here", 14), -1);
    cr_expect_eq(procfs_stat_exit_code("", 0), -1);
}

Test(fd_target, names_inside_the_run_directory_are_shortened)
{
    char out[40];
    procfs_fd_target_short("/tmp/ipcplay-1-ab/data.txt", "/tmp/ipcplay-1-ab", out, sizeof out);
    cr_expect_str_eq(out, "data.txt");
    procfs_fd_target_short("pipe:[1234]", "/tmp/ipcplay-1-ab", out, sizeof out);
    cr_expect_str_eq(out, "pipe:[1234]");
    procfs_fd_target_short("/tmp/ipcplay-1-abc/x", "/tmp/ipcplay-1-ab", out, sizeof out);
    cr_expect_str_eq(out, "/tmp/ipcplay-1-abc/x", "a longer sibling is not inside");
    procfs_fd_target_short("/dev/null", "", out, sizeof out);
    cr_expect_str_eq(out, "/dev/null");
    procfs_fd_target_short("/a/very/long/path/that/does/not/fit/in/forty/bytes", NULL, out,
                           sizeof out);
    cr_expect_eq(strlen(out), sizeof out - 1);
}

Test(fd_list, lists_this_process_sorted)
{
    int dir = open("/proc/self/fd", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    cr_assert_geq(dir, 0);
    int p[2];
    cr_assert_eq(pipe(p), 0);
    int fds[256];
    int n = procfs_list_fds(dir, fds, 256);
    cr_assert_gt(n, 3);
    bool saw0 = false, saw_p = false;
    for (int i = 0; i < n; i++) {
        if (i)
            cr_expect_lt(fds[i - 1], fds[i]);
        saw0 |= fds[i] == 0;
        saw_p |= fds[i] == p[1];
    }
    cr_expect(saw0 && saw_p);
    /* Listing again rewinds the kept-open directory. */
    cr_expect_eq(procfs_list_fds(dir, fds, 256), n);
    close(p[0]);
    close(p[1]);
    close(dir);
}
