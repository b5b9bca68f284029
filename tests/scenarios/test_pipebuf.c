/* test_pipebuf.c — pipes and FIFOs at their edges, run headless with real
 * processes, each claim next to the parameter that breaks it: capacity and a
 * writer asleep on a full pipe (bytes below capacity never fill it),
 * O_NONBLOCK's EAGAIN at both ends, PIPE_BUF atomicity with two writers
 * (chunk over PIPE_BUF cuts chunks), a FIFO's open waiting for the other side
 * and ENXIO for O_NONBLOCK without a reader. Nothing is left behind. */
#include <criterion/criterion.h>
#include <string.h>

#include "checks.h"

TestSuite(pipebuf, .init = checks_setup, .fini = checks_teardown, .timeout = 240);

/* Run at full speed with words; expect exit `status` (1: a check failed),
 * each of `want` in the output, and nothing left behind. */
static void expect_run(const char *scenario, const char *const *words, const char *const *want,
                       int status)
{
    struct run r;
    int rc = run_max(&r, scenario, words);
    cr_assert_eq(rc, status, "exit %d:\n%s", rc, r.out);
    for (int i = 0; want[i]; i++)
        cr_expect(strstr(r.out, want[i]), "no \"%s\" in:\n%s", want[i], r.out);
    assert_left_nothing(&r, 3.0);
    support_free(&r);
}

Test(pipebuf, a_full_pipe_puts_its_writer_to_sleep)
{
    expect_run("pipebuf", (const char *[]){NULL},
               (const char *[]){"-> F_GETPIPE_SZ: this pipe holds 65536 bytes; PIPE_BUF (atomic "
                                "writes) is 4096",
                                "the pipe is full [################] 65536/65536",
                                "but only after sleeping in write",
                                "check: writer_blocked ok (the writer slept in write on the full "
                                "pipe",
                                "check: delivery ok (all 131072 bytes arrived)", NULL},
               0);
}

Test(pipebuf, less_than_the_capacity_never_fills_it)
{
    expect_run("pipebuf", (const char *[]){"bytes=32768", NULL},
               (const char *[]){"check: writer_blocked FAILED (the writer never slept: 32768 "
                                "bytes never fill a 65536-byte pipe)",
                                NULL},
               1);
}

Test(pipebuf, nonblock_gives_eagain_at_both_ends)
{
    expect_run("pipebuf", (const char *[]){"nonblock=on", NULL},
               (const char *[]){"-> EAGAIN: the pipe is empty and O_NONBLOCK says do not sleep",
                                "-> EAGAIN: the pipe is full [################] 65536/65536 and "
                                "O_NONBLOCK says do not sleep",
                                "check: nonblock ok", NULL},
               0);
}

Test(pipebuf, chunks_up_to_pipe_buf_arrive_whole)
{
    expect_run("pipebuf", (const char *[]){"mode=atomic", NULL},
               (const char *[]){"(64 chunks): another writer's bytes cut into a chunk 0 time(s)",
                                "check: pipe_buf_atomic ok (none of 64 chunks of 4096 bytes was "
                                "cut: writes of at most PIPE_BUF (4096) bytes are atomic)",
                                NULL},
               0);
}

Test(pipebuf, chunks_over_pipe_buf_get_cut)
{
    /* The kernel may cut a write over PIPE_BUF, and does when both writers
     * wake on a full pipe together; it is not bound to every time, so up
     * to five runs must show one cut at least. */
    const char *const words[] = {"mode=atomic", "chunk=100000", "bytes=200000", NULL};
    int cut = 0;
    for (int k = 0; k < 5 && !cut; k++) {
        struct run r;
        int rc = run_max(&r, "pipebuf", words);
        cr_assert(rc == 0 || rc == 1, "exit %d:\n%s", rc, r.out);
        if (rc == 1) {
            cut = 1;
            cr_expect(strstr(r.out, "check: pipe_buf_atomic FAILED (chunks of 100000 bytes were "
                                    "cut") &&
                          strstr(r.out, "(chunk > PIPE_BUF: broken on purpose)"),
                      "%s", r.out);
        }
        assert_left_nothing(&r, 3.0);
        support_free(&r);
    }
    cr_expect(cut, "five runs with 100000-byte writes and no chunk cut");
}

Test(pipebuf, a_fifo_open_waits_for_the_other_side_and_nonblock_says_enxio)
{
    expect_run("pipe", (const char *[]){"mode=fifo", "probe=on", NULL},
               (const char *[]){"open(fifo, O_WRONLY|O_NONBLOCK) -> ENXIO: no process has the "
                                "FIFO open for reading",
                                "-> open(fifo, O_RDONLY) of a FIFO: open waits until a writer has "
                                "the other end open",
                                "check: fifo_enxio ok", "check: fifo_open_blocks ok", NULL},
               0);
}

Test(pipebuf, without_the_probe_no_enxio)
{
    struct run r;
    int rc = run_max(&r, "pipe", (const char *[]){"mode=fifo", NULL});
    cr_assert_eq(rc, 0, "exit %d:\n%s", rc, r.out);
    cr_expect(!strstr(r.out, "ENXIO"), "%s", r.out);
    cr_expect(strstr(r.out, "the other side is there"), "%s", r.out);
    assert_left_nothing(&r, 3.0);
    support_free(&r);
}
