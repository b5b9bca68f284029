/* test_judges_proc.c — the checks of fork, zombie, pipe and fdpass that no
 * parameter can break (fork always returns twice; the hold makes sure every
 * zombie is seen) are shown to fail on models where the claim does not hold,
 * and to hold on models where it does. Pure: no process is started. */
#include <criterion/criterion.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "model/model.h"
#include "model/pattern.h"
#include "scenarios/scenario.h"

static struct model m;
static long vals[SCENARIO_MAX_PARAMS];

static const struct scenario_def *load(const char *name)
{
    const struct scenario_def *s = scenario_find(name);
    cr_assert_not_null(s, "%s", name);
    scenario_defaults(s, vals);
    model_init(&m);
    model_add_proc(&m, 100, 1, -1, 0, "ipcplay");
    return s;
}

static int status_of(const char *check)
{
    for (int i = 0; i < m.nchecks; i++)
        if (strcmp(m.checks[i].name, check) == 0)
            return m.checks[i].status;
    cr_assert_fail("no check %s", check);
    return -1;
}

static struct model_proc *child(pid_t pid, int role, pid_t parent)
{
    char name[32];
    snprintf(name, sizeof name, "child-%d", (int)pid);
    int i = model_add_proc(&m, pid, parent, role, 1, name);
    m.procs[i].forked = true;
    m.procs[i].parent0 = parent;
    return &m.procs[i];
}

Test(judges, fork_without_the_child_side_fails)
{
    const struct scenario_def *s = load("fork");
    model_fact_set(&m, "fork.parent_saw_pid", 1); /* only the parent's return */
    s->judge(&m, vals, 1);
    cr_expect_eq(status_of("fork_returns_twice"), CHECK_FAILED);
    cr_expect_eq(status_of("child_ppid"), CHECK_FAILED);
    model_fact_set(&m, "fork.child_saw_0", 1);
    model_fact_set(&m, "fork.ppid_ok", 1);
    s->judge(&m, vals, 1);
    cr_expect_eq(status_of("fork_returns_twice"), CHECK_OK);
    cr_expect_eq(status_of("child_ppid"), CHECK_OK);
}

Test(judges, exec_image_needs_new_comm_exe_and_status_0)
{
    const struct scenario_def *s = load("fork");
    struct model_proc *c = child(101, 1, 100);
    c->exited = true;
    c->wait_status = 7 << 8; /* the op runner's exit(7): exec did not happen */
    model_fact_set(&m, "exec.done", 101);
    model_fact_set(&m, "exec.comm_changed", 1);
    model_fact_set(&m, "exec.exe_changed", 1);
    s->judge(&m, vals, 1);
    cr_expect_eq(status_of("exec_image"), CHECK_FAILED);
    c->wait_status = 0;
    model_fact_set(&m, "exec.exe_changed", 0);
    s->judge(&m, vals, 1);
    cr_expect_eq(status_of("exec_image"), CHECK_FAILED);
    model_fact_set(&m, "exec.exe_changed", 1);
    s->judge(&m, vals, 1);
    cr_expect_eq(status_of("exec_image"), CHECK_OK);
}

Test(judges, an_unseen_zombie_or_a_leftover_fails)
{
    const struct scenario_def *s = load("zombie");
    vals[scenario_param_index(s, "children")] = 2;
    struct model_proc *a = child(101, 1, 99), *b = child(102, 1, 99);
    a->seen = SEEN_ZOMBIE;
    a->exited = true;
    a->reaped_by = 99;
    s->judge(&m, vals, 1);
    cr_expect_eq(status_of("seen_zombie"), CHECK_FAILED);
    cr_expect_eq(status_of("reaped_by_parent"), CHECK_FAILED);
    cr_expect_eq(status_of("none_left"), CHECK_FAILED, "child 102 was never reaped");
    b->seen = SEEN_ZOMBIE;
    b->exited = true;
    b->reaped_by = 99;
    s->judge(&m, vals, 1);
    cr_expect_eq(status_of("seen_zombie"), CHECK_OK);
    cr_expect_eq(status_of("reaped_by_parent"), CHECK_OK);
    cr_expect_eq(status_of("none_left"), CHECK_OK);
}

Test(judges, orphans_not_adopted_fail)
{
    const struct scenario_def *s = load("zombie");
    vals[scenario_param_index(s, "orphan")] = 1;
    vals[scenario_param_index(s, "children")] = 1;
    struct model_proc *a = child(101, 1, 99);
    a->seen = SEEN_ZOMBIE;
    a->exited = true;
    a->reaped_by = 99; /* its parent reaped it: it was never an orphan */
    s->judge(&m, vals, 1);
    cr_expect_eq(status_of("adopted"), CHECK_FAILED);
    a->reaped_by = 0;
    a->adopted = true;
    s->judge(&m, vals, 1);
    cr_expect_eq(status_of("adopted"), CHECK_OK);
}

static void stream_ok(int s, long long bytes)
{
    struct model_stream *st = &m.streams[s];
    st->used = true;
    st->written = st->read = bytes;
    st->wsum = st->rsum = (long long)pattern_sum(s, (uint64_t)bytes);
    st->eof = true;
}

Test(judges, pipe_reader_never_seen_blocked_fails)
{
    const struct scenario_def *s = load("pipe");
    stream_ok(0, vals[scenario_param_index(s, "bytes")]);
    s->judge(&m, vals, 1);
    cr_expect_eq(status_of("delivery"), CHECK_OK);
    cr_expect_eq(status_of("eof"), CHECK_OK);
    cr_expect_eq(status_of("reader_blocked"), CHECK_FAILED);
    child(101, 1, 99)->seen = SEEN_READ;
    s->judge(&m, vals, 1);
    cr_expect_eq(status_of("reader_blocked"), CHECK_OK);
}

Test(judges, pipe_bytes_out_of_order_fail)
{
    const struct scenario_def *s = load("pipe");
    long long bytes = vals[scenario_param_index(s, "bytes")];
    stream_ok(0, bytes);
    m.streams[0].rsum ^= 1; /* same count, other order */
    s->judge(&m, vals, 1);
    cr_expect_eq(status_of("delivery"), CHECK_FAILED);
}

Test(judges, pipe_no_sigpipe_when_the_reader_is_gone_fails)
{
    const struct scenario_def *s = load("pipe");
    vals[scenario_param_index(s, "close_reader")] = 1;
    s->judge(&m, vals, 1);
    cr_expect_eq(status_of("sigpipe"), CHECK_FAILED);
    m.streams[0].werr = EPIPE;
    s->judge(&m, vals, 1);
    cr_expect_eq(status_of("sigpipe"), CHECK_OK);
    m.streams[0].werr = 0;
    struct model_proc *w = child(101, 0, 100);
    w->exited = true;
    w->wait_status = SIGPIPE; /* killed by SIGPIPE */
    s->judge(&m, vals, 1);
    cr_expect_eq(status_of("sigpipe"), CHECK_OK);
}

static void chunk(pid_t pid, long long off, int n)
{
    m.chunks[m.nchunks++] = (struct model_chunk){pid, off, n, true, 1};
}

Test(judges, fdpass_other_inode_or_no_read_after_close_fails)
{
    const struct scenario_def *s = load("fdpass");
    int i = model_add_proc(&m, 201, 100, 0, 1, "sender-1");
    m.procs[i].role = 0;
    i = model_add_proc(&m, 202, 100, 1, 1, "receiver-1");
    model_fact_set(&m, "open.1.fd", 4);
    model_fact_set(&m, "open.1.ino", 733);
    model_fact_set(&m, "fdpass.recv_fd", 6);
    model_fact_set(&m, "fdpass.recv_ino", 734); /* another file */
    model_fact_set(&m, "fdpass.sent_dev", 8);
    model_fact_set(&m, "fdpass.recv_dev", 8);
    for (int k = 0; k < 4; k++)
        chunk(k % 2 ? 202 : 201, k * 16, 16);
    model_fact_set(&m, "close.201.4", m.nchunks); /* the sender closes here */
    s->judge(&m, vals, 1);
    cr_expect_eq(status_of("same_file"), CHECK_FAILED);
    cr_expect_eq(status_of("shared_offset"), CHECK_OK);
    cr_expect_eq(status_of("carried_on"), CHECK_FAILED, "nothing read after the close");
    model_fact_set(&m, "fdpass.recv_ino", 733);
    chunk(202, 64, 32);
    s->judge(&m, vals, 1);
    cr_expect_eq(status_of("same_file"), CHECK_OK);
    cr_expect_eq(status_of("content"), CHECK_OK);
    cr_expect_eq(status_of("carried_on"), CHECK_OK);
}
