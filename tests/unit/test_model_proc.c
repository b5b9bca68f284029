/* test_model_proc.c — the model's side of the process ops, without running
 * anything: events become facts, streams, chunks and story lines; a wait()
 * marks the child reaped by its parent; state lines show PPID, comm/exe and
 * the fd table; the known byte pattern and its checksum agree with
 * themselves however the bytes are split. */
#include <criterion/criterion.h>

#include "events.h"
#include <stdio.h>
#include <string.h>

#include "model/model.h"
#include "model/pattern.h"

static struct model m;

static void setup(void)
{
    model_init(&m);
    m.nroles = 2;
    snprintf(m.role_names[0], sizeof m.role_names[0], "parent");
    snprintf(m.role_names[1], sizeof m.role_names[1], "child");
    model_add_proc(&m, 100, 1, -1, 0, "ipcplay");
    model_add_proc(&m, 101, 100, 0, 1, "parent-1");
}

TestSuite(model_proc, .init = setup);

static struct event ev(int op, int phase, pid_t pid, int role, int32_t result)
{
    struct event e = test_event(op, phase, pid, role, 1);
    e.result = result;
    return e;
}

static const char *last_detail(void)
{
    return model_story_line(&m, m.story_count - 1)->detail;
}

Test(model_proc, fork_then_wait_marks_the_child_reaped_by_its_parent)
{
    struct event f = ev(OP_FORK, PH_END, 101, 0, 102);
    f.fork.role = 1;
    f.fork.instance = 1;
    model_apply_event(&m, &f);
    int ci = model_find_proc(&m, 102);
    cr_assert_geq(ci, 0, "the fork event adds the child");
    cr_expect_str_eq(m.procs[ci].name, "child-1");
    cr_expect(m.procs[ci].forked);
    cr_expect_eq(m.procs[ci].parent0, 101);
    cr_expect(strstr(last_detail(), "returned 102 in the parent"));

    struct event c = ev(OP_FORK, PH_END, 102, 1, 0);
    c.fork.ppid = 101;
    model_apply_event(&m, &c);
    cr_expect_eq(model_fact(&m, "fork.ppid_ok", 0), 1);

    struct event x = ev(OP_EXIT, PH_BEGIN, 102, 1, 0);
    x.t_ns = 1000000000;
    model_apply_event(&m, &x);
    struct event w = ev(OP_WAIT, PH_END, 101, 0, 102);
    w.wait.status = 3 << 8;
    w.t_ns = 1500000000;
    model_apply_event(&m, &w);
    cr_expect(m.procs[ci].exited);
    cr_expect_eq(m.procs[ci].reaped_by, 101);
    cr_expect(strstr(last_detail(), "exit status 3; it was a zombie for 0.500 s"), "%s",
              last_detail());
}

Test(model_proc, streams_and_eof)
{
    struct event w = ev(OP_WRITE, PH_END, 101, 0, 10);
    w.io.total = 10;
    w.io.sum = 42;
    model_apply_event(&m, &w);
    struct event r = ev(OP_READ, PH_END, 101, 0, 10);
    r.io.total = 10;
    r.io.sum = 42;
    model_apply_event(&m, &r);
    struct event e = ev(OP_READ, PH_END, 101, 0, 0);
    e.io.total = 10;
    e.io.sum = 42;
    model_apply_event(&m, &e);
    cr_expect(m.streams[0].used);
    cr_expect_eq(m.streams[0].written, 10);
    cr_expect_eq(m.streams[0].read, 10);
    cr_expect_eq(m.streams[0].rsum, 42);
    cr_expect(m.streams[0].eof);
    cr_expect(strstr(last_detail(), "end of file"));
}

Test(model_proc, file_reads_become_chunks)
{
    struct event r = ev(OP_READ, PH_END, 101, 0, 16);
    r.flags = OPF_PATTERN;
    r.io.offset = 32;
    model_apply_event(&m, &r);
    r.io.bad = 3; /* three bytes did not match */
    model_apply_event(&m, &r);
    cr_assert_eq(m.nchunks, 2);
    cr_expect_eq(m.chunks[0].off, 32);
    cr_expect(m.chunks[0].ok);
    cr_expect_not(m.chunks[1].ok);
}

Test(model_proc, a_file_read_in_many_small_chunks_fits_the_records)
{
    /* 1000 one-byte reads that continue each other are one record: a big
     * file in small chunks must not run out of the 64 records. */
    struct event r = ev(OP_READ, PH_END, 101, 0, 1);
    r.flags = OPF_PATTERN;
    for (int k = 0; k < 1000; k++) {
        r.io.offset = k;
        model_apply_event(&m, &r);
    }
    cr_assert_eq(m.nchunks, 1);
    cr_expect_eq(m.chunks[0].n, 1000);
    cr_expect_eq(m.chunks[0].reads, 1000);
    cr_expect_eq(m.chunks_lost, 0);
    /* Another process goes on where it ended: a new record (a turn). */
    r.pid = 102;
    r.io.offset = 1000;
    model_apply_event(&m, &r);
    cr_assert_eq(m.nchunks, 2);
    /* A close in between: what is read after it starts a new record. */
    struct event c = ev(OP_CLOSE, PH_END, 101, 0, 0);
    c.fd.fd = 4;
    model_apply_event(&m, &c);
    r.io.offset = 1001;
    model_apply_event(&m, &r);
    cr_expect_eq(m.nchunks, 3);
    /* A read that does not continue the last one: a new record too. */
    r.io.offset = 5000;
    model_apply_event(&m, &r);
    cr_expect_eq(m.nchunks, 4);
}

Test(model_proc, state_line_shows_ppid_comm_and_fds)
{
    int ci = model_add_proc(&m, 102, 101, 1, 1, "child-1");
    struct model_proc *p = &m.procs[ci];
    p->forked = true;
    p->state = 'S';
    snprintf(p->comm, sizeof p->comm, "fdreport");
    snprintf(p->exe, sizeof p->exe, "/tmp/ipcplay-1-x/fdreport");
    snprintf(p->kernel.text, sizeof p->kernel.text, "read(fd 4 pipe:[9])");
    struct model_fdtable *t = model_fdtable(&m, 102, true);
    cr_assert_not_null(t);
    t->nfds = 2;
    t->fds[0] = (struct model_fd){.fd = 4, .ino = 9, .flags = 0, .scm_fds = -1};
    snprintf(t->fds[0].target, sizeof t->fds[0].target, "pipe:[9]");
    t->fds[1] = (struct model_fd){.fd = 6, .ino = 733, .pos = 16, .flags = 02000000, .scm_fds = -1};
    snprintf(t->fds[1].target, sizeof t->fds[1].target, "data.txt");
    char buf[1024];
    model_format_state(&m, buf, sizeof buf);
    cr_expect(strstr(buf, "child-1[102] S read(fd 4 pipe:[9]) ppid 101 comm fdreport exe "
                          "fdreport [fd 4 pipe:[9] r] [fd 6 data.txt ino 733 pos 16 r cloexec]"),
              "%s", buf);
    /* A tiny buffer is cut, never overrun. */
    char small[20];
    model_format_state(&m, small, sizeof small);
    cr_expect_lt(strlen(small), sizeof small);
}

Test(model_proc, empty_state_is_an_empty_line)
{
    model_init(&m);
    char buf[64];
    memset(buf, 'x', sizeof buf);
    model_format_state(&m, buf, sizeof buf);
    cr_expect_str_eq(buf, "");
}

Test(model_proc, facts)
{
    cr_expect_not(model_has_fact(&m, "a"));
    cr_expect_eq(model_fact(&m, "a", -7), -7);
    model_fact_add(&m, "a", 2);
    model_fact_add(&m, "a", 3);
    cr_expect_eq(model_fact(&m, "a", 0), 5);
    for (int i = 0; i < MODEL_MAX_FACTS + 5; i++) {
        char k[16];
        snprintf(k, sizeof k, "k%d", i);
        model_fact_set(&m, k, i); /* beyond the table: ignored, no overflow */
    }
    cr_expect_eq(m.nfacts, MODEL_MAX_FACTS);
}

Test(pattern, sums_agree_however_the_bytes_are_split)
{
    unsigned char buf[5000];
    pattern_fill(3, 0, buf, sizeof buf);
    uint64_t whole = pattern_sum_update(PATTERN_SUM_INIT, buf, sizeof buf);
    cr_expect_eq(whole, pattern_sum(3, sizeof buf));
    uint64_t parts = PATTERN_SUM_INIT;
    for (size_t off = 0; off < sizeof buf; off += 777) {
        size_t k = sizeof buf - off < 777 ? sizeof buf - off : 777;
        parts = pattern_sum_update(parts, buf + off, k);
    }
    cr_expect_eq(parts, whole);
    cr_expect_eq(pattern_mismatch(3, 0, buf, sizeof buf), 0u);
    cr_expect_gt(pattern_mismatch(3, 1, buf, 100), 50u, "shifted by one: mostly wrong");
    cr_expect_gt(pattern_mismatch(4, 0, buf, 100), 50u, "another stream: mostly wrong");
    /* Swapping two different bytes changes the sum: order counts. */
    unsigned char t = buf[0];
    buf[0] = buf[1];
    buf[1] = t;
    cr_expect_neq(pattern_sum_update(PATTERN_SUM_INIT, buf, sizeof buf), whole);
    cr_expect_eq(pattern_byte(0, 31), '\n');
}

/* A process is found by pid through a hash: every one of a full model,
 * pids that collide in the table included, and none that was not added. */
Test(model_proc, every_process_is_found_by_its_pid)
{
    static struct model big;
    model_init(&big);
    int n = 0;
    /* 1024 apart: the same low bits; then a run of neighbours */
    for (pid_t pid = 1024; n < MODEL_MAX_PROCS / 2; pid += 1024, n++)
        cr_assert_eq(model_add_proc(&big, pid, 1, 0, n + 1, "worker"), n);
    for (pid_t pid = 40000; n < MODEL_MAX_PROCS; pid++, n++)
        cr_assert_eq(model_add_proc(&big, pid, 1, 0, n + 1, "worker"), n);
    cr_expect_eq(model_add_proc(&big, 99999, 1, 0, 1, "one too many"), -1);
    for (int i = 0; i < MODEL_MAX_PROCS; i++)
        cr_expect_eq(model_find_proc(&big, big.procs[i].pid), i, "pid %d", (int)big.procs[i].pid);
    cr_expect_eq(model_find_proc(&big, 99999), -1);
    cr_expect_eq(model_find_proc(&big, 1024 * 500), -1);
    /* added again: the same entry */
    cr_expect_eq(model_add_proc(&big, 40003, 1, 0, 1, "worker"), MODEL_MAX_PROCS / 2 + 3);
}
