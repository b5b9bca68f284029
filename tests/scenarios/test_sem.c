/* test_sem.c — the sem scenario run headless with real processes: its checks
 * hold with the semaphore and are seen to fail without it; the JSON output
 * agrees with itself; bad parameters change nothing. */
#include <criterion/criterion.h>
#include <json-c/json.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "checks.h"

TestSuite(sem, .init = checks_setup, .fini = checks_teardown, .timeout = 180);

Test(sem, holds_with_8_workers_50_rounds)
{
    struct run r;
    const char *const argv[] = {"ipcplay", "run", "sem",        "workers=8", "rounds=50",
                                "--speed", "max", "--headless", NULL};
    int rc = support_run(&r, argv, 120);
    cr_assert_eq(rc, 0, "exit %d, output:\n%s", rc, r.out);
    cr_expect(strstr(r.out, "check: mutual_exclusion ok"), "%s", r.out);
    cr_expect(strstr(r.out, "check: no_lost_updates ok (counter 400 = 400"), "%s", r.out);
    support_free(&r);
}

Test(sem, nowait_and_no_undo_still_hold)
{
    struct run r;
    const char *const argv[] = {"ipcplay",   "run",        "sem",      "workers=4",
                                "rounds=10", "nowait=on",  "undo=off", "hold=5",
                                "think=0",   "--headless", NULL};
    int rc = support_run(&r, argv, 120);
    cr_assert_eq(rc, 0, "exit %d, output:\n%s", rc, r.out);
    cr_expect(strstr(r.out, "EAGAIN"), "a try-P should have met a taken semaphore:\n%s", r.out);
    cr_expect(strstr(r.out, "check: no_lost_updates ok (counter 40 = 40"));
    support_free(&r);
}

Test(sem, without_semaphore_the_checks_fail)
{
    struct run r;
    const char *const argv[] = {"ipcplay",   "run",     "sem",        "sem=off",
                                "workers=4", "hold=20", "--headless", NULL};
    int rc = support_run(&r, argv, 120);
    cr_assert_eq(rc, 1, "the race must be detected (exit 1), got %d:\n%s", rc, r.out);
    /* The race is the lesson: told as broken on purpose, yet exit status 1. */
    cr_expect(strstr(r.out, "check: mutual_exclusion broken on purpose (sem=off:"), "%s", r.out);
    cr_expect(strstr(r.out, "check: no_lost_updates broken on purpose (sem=off:"), "%s", r.out);
    cr_expect(!strstr(r.out, "FAILED"), "%s", r.out);
    support_free(&r);
}

Test(sem, kernel_view_shows_blocked_workers)
{
    /* At human pace the sampler must see workers asleep in semtimedop on
     * semaphore 0 with op -1, and semncnt > 0. */
    struct run r;
    const char *const argv[] = {"ipcplay",  "run",     "sem",        "workers=3", "rounds=2",
                                "hold=300", "think=0", "--headless", NULL};
    int rc = support_run(&r, argv, 60);
    cr_assert_eq(rc, 0, "%s", r.out);
    cr_expect(strstr(r.out, "S semtimedop(sem 0, -1)"), "%s", r.out);
    cr_expect(strstr(r.out, "ncnt 2"), "two waiters should be counted:\n%s", r.out);
    cr_expect(strstr(r.out, "blocks: semval is 0"), "%s", r.out);
    support_free(&r);
}

Test(sem, json_lines_parse_and_agree)
{
    struct run r;
    const char *const argv[] = {"ipcplay", "run", "sem",        "workers=3", "rounds=4",
                                "--speed", "max", "--headless", "--json",    NULL};
    int rc = support_run(&r, argv, 60);
    cr_assert_eq(rc, 0, "%s", r.out);
    int lines = 0, checks = 0, acquired = 0;
    char *save, *line = strtok_r(r.out, "\n", &save);
    for (; line; line = strtok_r(NULL, "\n", &save)) {
        json_object *o = json_tokener_parse(line);
        cr_assert_not_null(o, "not JSON: %s", line);
        const char *type = json_object_get_string(json_object_object_get(o, "type"));
        cr_assert_not_null(type);
        if (strcmp(type, "check") == 0) {
            checks++;
            cr_expect_str_eq(json_object_get_string(json_object_object_get(o, "status")), "ok");
        }
        if (strcmp(type, "event") == 0 &&
            strstr(json_object_get_string(json_object_object_get(o, "detail")), "acquired"))
            acquired++;
        json_object_put(o);
        lines++;
    }
    cr_expect_eq(checks, 2);
    cr_expect_eq(acquired, 12, "every P should be reported once: %d", acquired);
    support_free(&r);
}

static void expect_usage_error(const char *const argv[], const char *message)
{
    struct ipc_counts before, after;
    support_ipc_counts(&before);
    struct run r;
    char err[1024];
    int rc = support_run_stderr(&r, argv, 30, err, sizeof err);
    cr_expect_eq(rc, 2, "usage errors exit 2, got %d", rc);
    support_ipc_counts(&after);
    cr_expect_eq(before.sem, after.sem);
    cr_expect_eq(before.shm, after.shm);
    cr_expect(r.out == NULL || strstr(r.out, "summary") == NULL, "nothing should run");
    /* One line, naming what was wrong. */
    cr_expect(strncmp(err, "ipcplay: ", 9) == 0 && strstr(err, message) &&
                  strchr(err, '\n') == err + strlen(err) - 1,
              "expected one line with '%s', got: %s", message, err);
    support_free(&r);
}

Test(sem, bad_parameters_start_nothing)
{
    const char *const a1[] = {"ipcplay", "run", "sem", "workers=0", "--headless", NULL};
    expect_usage_error(a1, "out of range");
    const char *const a2[] = {"ipcplay", "run", "sem", "wokers=3", "--headless", NULL};
    expect_usage_error(a2, "unknown parameter");
    const char *const a3[] = {"ipcplay", "run", "nosuch", "--headless", NULL};
    expect_usage_error(a3, "unknown scenario");
    const char *const a4[] = {"ipcplay", "run", "sem", "undo=maybe", "--headless", NULL};
    expect_usage_error(a4, "on|off");
    const char *const a5[] = {"ipcplay", "run", "sem", "--speed", "fast", "--headless", NULL};
    expect_usage_error(a5, "speed");
    const char *const a6[] = {"ipcplay", "frobnicate", NULL};
    expect_usage_error(a6, "unknown command");
}

Test(sem, no_terminal_points_to_headless)
{
    struct run r;
    const char *const argv[] = {"ipcplay", "run", "sem", NULL};
    char err[1024];
    int rc = support_run_stderr(&r, argv, 30, err, sizeof err);
    cr_expect_eq(rc, 2, "without a terminal the dashboard must refuse, got %d", rc);
    cr_expect(strstr(err, "use --headless"), "%s", err);
    support_free(&r);
}

Test(sem, wait0_shows_semzcnt_and_wakes_everyone)
{
    /* Four workers wait for zero on `start` (semzcnt 4) until the starter
     * takes it to 0 after 600 ms. */
    struct run r;
    const char *const argv[] = {"ipcplay", "run",      "sem",        "op=wait0", "rounds=1",
                                "think=0", "hold=600", "--headless", NULL};
    int rc = support_run(&r, argv, 60);
    cr_assert_eq(rc, 0, "%s", r.out);
    cr_expect(strstr(r.out, "sem 1 (start): val 1 ncnt 0 zcnt 4"), "%s", r.out);
    cr_expect(strstr(r.out, "S semtimedop(sem 1, 0)"), "%s", r.out);
    cr_expect(strstr(r.out, "wait0(sem 1) -> semval reached 0"), "%s", r.out);
    cr_expect(strstr(r.out, "wakes all 4 waiting for zero"), "%s", r.out);
    cr_expect(strstr(r.out, "check: no_lost_updates ok (counter 4 = 4"), "%s", r.out);
    support_free(&r);
}

Test(sem, setval_takes_start_to_zero_and_wakes_everyone)
{
    /* op=setval: wait0, but the starter uses semctl(SETVAL, 0) instead of
     * P; the story gives the kernel's numbers (GETVAL before and after,
     * GETZCNT). */
    struct run r;
    const char *const argv[] = {"ipcplay", "run",      "sem",        "op=setval", "rounds=1",
                                "think=0", "hold=600", "--headless", NULL};
    int rc = support_run(&r, argv, 60);
    cr_assert_eq(rc, 0, "%s", r.out);
    cr_expect(strstr(r.out, "op=setval"), "%s", r.out);
    cr_expect(strstr(r.out, "SETVAL(sem 1, 0) -> semctl(SETVAL, 0): semval 1 -> 0; the kernel "
                            "wakes all 4 waiting for zero (semzcnt)"),
              "%s", r.out);
    cr_expect(strstr(r.out, "wait0(sem 1) -> semval reached 0"), "%s", r.out);
    cr_expect(strstr(r.out, "check: no_lost_updates ok (counter 4 = 4"), "%s", r.out);
    support_free(&r);
}

Test(sem, a_set_of_semaphores_guards_sections_side_by_side)
{
    struct run r;
    const char *const argv[] = {"ipcplay",   "run",     "sem", "sems=3",     "workers=6",
                                "rounds=20", "--speed", "max", "--headless", NULL};
    int rc = support_run(&r, argv, 60);
    cr_assert_eq(rc, 0, "%s", r.out);
    cr_expect(strstr(r.out, "sem 2: val"), "three semaphores shown together:\n%s", r.out);
    cr_expect(strstr(r.out, "check: mutual_exclusion ok (never more than 1 inside any of the 3"),
              "%s", r.out);
    cr_expect(strstr(r.out, "check: no_lost_updates ok (counter 120 = 120"), "%s", r.out);
    support_free(&r);
}

Test(sem, a_set_of_semaphores_at_human_pace)
{
    /* workers 1 and 3 share semaphore 0, 2 and 4 share semaphore 1: two
     * critical sections are busy at once, one waiter on each. */
    struct run r;
    const char *const argv[] = {"ipcplay",  "run",      "sem",     "sems=2",     "workers=4",
                                "rounds=2", "hold=300", "think=0", "--headless", NULL};
    int rc = support_run(&r, argv, 60);
    cr_assert_eq(rc, 0, "%s", r.out);
    cr_expect(strstr(r.out, "sem 0: val 0 ncnt 1") && strstr(r.out, "sem 1: val 0 ncnt 1"), "%s",
              r.out);
    cr_expect(strstr(r.out, "cs: inside 2 max 1"), "%s", r.out);
    support_free(&r);
}

Test(sem, sems_need_the_semaphore)
{
    struct run r;
    const char *const argv[] = {"ipcplay", "run", "sem", "sems=2", "sem=off", "--headless", NULL};
    int rc = support_run(&r, argv, 30);
    cr_expect_eq(rc, 2, "got %d", rc);
    cr_expect(r.out == NULL || !strstr(r.out, "summary"));
    support_free(&r);
}

/* Run a program (no shell) in this IPC namespace and return its stdout. */
static char *capture(const char *const argv[])
{
    int fds[2];
    if (pipe(fds) < 0)
        return NULL;
    pid_t pid = fork();
    if (pid == 0) {
        dup2(fds[1], 1);
        close(fds[0]);
        execvp(argv[0], (char *const *)argv);
        _exit(127);
    }
    close(fds[1]);
    static char buf[8192];
    size_t len = 0;
    ssize_t n;
    while ((n = read(fds[0], buf + len, sizeof buf - 1 - len)) > 0)
        len += (size_t)n;
    buf[len] = '\0';
    close(fds[0]);
    waitpid(pid, NULL, 0);
    return buf;
}

Test(sem, numbers_agree_with_ipcs)
{
    /* One worker holds the semaphore for a long time; two wait. While that
     * is stable, ipcs(1) and our state line must say the same. */
    struct run r;
    const char *const argv[] = {"ipcplay",   "run",     "sem",        "workers=3", "rounds=1",
                                "hold=8000", "think=0", "--headless", NULL};
    cr_assert_eq(support_start(&r, argv), 0);
    cr_assert(support_wait_output(&r, "val 0 ncnt 2", 30), "%s", r.out);
    const char *p = strstr(r.out, "semid=");
    cr_assert_not_null(p);
    int semid = atoi(p + 6);
    char id[16];
    snprintf(id, sizeof id, "%d", semid);
    const char *const ipcs[] = {"ipcs", "-s", "-i", id, NULL};
    char *text = capture(ipcs);
    cr_assert_not_null(text);
    /* "semnum value ncount zcount pid" then "0 0 2 0 PID" */
    const char *row = strstr(text, "\n0 ");
    cr_assert_not_null(row, "ipcs said:\n%s", text);
    int num, val, ncnt, zcnt, pid;
    cr_assert_eq(sscanf(row + 1, "%d %d %d %d %d", &num, &val, &ncnt, &zcnt, &pid), 5, "%s", text);
    cr_expect_eq(val, 0);
    cr_expect_eq(ncnt, 2);
    cr_expect_eq(zcnt, 0);
    char ours[64];
    snprintf(ours, sizeof ours, "val %d ncnt %d zcnt %d pid %d", val, ncnt, zcnt, pid);
    cr_expect(strstr(r.out, ours), "ipcs says '%s' but ours:\n%s", ours, r.out);
    cr_expect(strstr(text, "mode=0600") || strstr(text, "access_perms=0600"), "%s", text);
    kill(r.pid, SIGINT);
    support_wait_exit(&r, 20);
    support_free(&r);
}

Test(sem, for_seconds_stops_a_long_run_and_judges_what_ran)
{
    struct run r;
    const char *const argv[] = {"ipcplay", "run",   "sem", "workers=3",  "rounds=1000", "hold=100",
                                "think=0", "--for", "1",   "--headless", NULL};
    int rc = support_run(&r, argv, 60);
    cr_expect_eq(rc, 0, "%s", r.out);
    cr_expect(strstr(r.out, "the run was stopped"), "%s", r.out);
    cr_expect(strstr(r.out, "run ended early"), "%s", r.out);
    cr_expect(support_procs_gone(r.token, 2.0));
    support_free(&r);
}

Test(sem, for_seconds_still_fails_a_check_that_failed)
{
    /* Stopped by --for, a check that did fail still makes the exit status 1. */
    struct run r;
    const char *const argv[] = {"ipcplay",   "run",        "sem",        "sem=off",
                                "workers=8", "rounds=100", "hold=300",   "think=0",
                                "--for",     "3",          "--headless", NULL};
    int rc = support_run(&r, argv, 60);
    cr_expect(strstr(r.out, "check: mutual_exclusion broken on purpose"), "%s", r.out);
    cr_expect_eq(rc, 1, "%s", r.out);
    cr_expect(support_procs_gone(r.token, 2.0));
    support_free(&r);
}

/* Wait until `needle` appears in the output at or after offset `from`;
 * returns its offset, or -1. */
static long wait_after(struct run *r, long from, const char *needle, double timeout_s)
{
    double end = support_now() + timeout_s;
    for (;;) {
        const char *hit = r->out && (long)r->len >= from ? strstr(r->out + from, needle) : NULL;
        if (hit)
            return hit - r->out;
        if (support_now() > end || r->out_fd < 0)
            return -1;
        support_wait_output(r, "\n\n\n", 0.1); /* never there: just reads on */
    }
}

Test(sem, a_worker_killed_after_a_real_crowd_does_not_hide_it)
{
    /* sem=off: two workers inside at once, both alive (each writes its
     * update afterwards). Killing one of them later, inside its critical
     * section, must not make the check forget that crowd. */
    struct run r;
    const char *const argv[] = {"ipcplay",    "run",      "sem",     "sem=off",    "workers=2",
                                "rounds=100", "hold=500", "think=0", "--headless", NULL};
    cr_assert_eq(support_start(&r, argv), 0);
    long at = wait_after(&r, 0, "2 inside at once", 30);
    cr_assert_geq(at, 0, "no crowd:\n%s", r.out);
    at = wait_after(&r, at, "worker-1[", 30);
    cr_assert_geq(at, 0, "%s", r.out);
    at = wait_after(&r, at, "-> counter", 30); /* worker-1 alive after the crowd */
    cr_assert_geq(at, 0, "%s", r.out);
    long in = wait_after(&r, at, "-> enters the critical section", 30);
    cr_assert_geq(in, 0, "%s", r.out);
    const char *line = r.out + in;
    while (line > r.out && line[-1] != '\n')
        line--;
    const char *br = strchr(line, '[');
    cr_assert_not_null(br);
    kill((pid_t)atoi(br + 1), SIGKILL);
    cr_assert_geq(wait_after(&r, in, "died inside", 30), 0, "%s", r.out);
    kill(r.pid, SIGINT);
    support_wait_exit(&r, 30);
    cr_expect(strstr(r.out, "check: mutual_exclusion broken on purpose (sem=off: 2 processes"),
              "%s", r.out);
    assert_left_nothing(&r, 3.0);
    support_free(&r);
}

Test(sem, a_state_line_names_all_of_many_workers)
{
    /* The first state line (everyone just forked) shows every worker: with
     * 100 of them it is far longer than a short line buffer. */
    struct run r;
    const char *const w[] = {"workers=100", "rounds=1", "hold=0", "think=0", NULL};
    int rc = run_max(&r, "sem", w);
    cr_assert_eq(rc, 0, "exit %d, output:\n%s", rc, r.out);
    const char *st = strstr(r.out, "  state  ");
    cr_assert_not_null(st, "%s", r.out);
    const char *eol = strchr(st, '\n');
    cr_assert_not_null(eol);
    const char *last = strstr(st, "worker-100[");
    cr_expect(last && last < eol, "worker-100 missing from the first state line:\n%.*s",
              (int)(eol - st), st);
    support_free(&r);
}

Test(sem, killing_the_holder_with_undo_is_not_a_broken_lock)
{
    /* kill -9 a worker inside its critical section: SEM_UNDO gives the
     * semaphore back and the next worker enters. Mutual exclusion held: the
     * dead one was not inside any more. */
    struct run r;
    const char *const argv[] = {"ipcplay",   "run",     "sem",        "workers=3", "rounds=2",
                                "hold=3000", "think=0", "--headless", NULL};
    cr_assert_eq(support_start(&r, argv), 0);
    cr_assert(support_wait_output(&r, "-> enters the critical section", 30), "%s", r.out);
    const char *line = strstr(r.out, "-> enters the critical section");
    while (line > r.out && line[-1] != '\n')
        line--;
    const char *br = strchr(line, '[');
    cr_assert_not_null(br);
    pid_t victim = (pid_t)atoi(br + 1);
    cr_assert_gt(victim, 0);
    kill(victim, SIGKILL);
    int rc = support_wait_exit(&r, 120);
    cr_expect(strstr(r.out, "died inside"), "%s", r.out);
    cr_expect(strstr(r.out, "check: mutual_exclusion ok"), "%s", r.out);
    cr_expect_eq(rc, 0, "%s", r.out);
    assert_left_nothing(&r, 3.0);
    support_free(&r);
}

Test(sem, semncnt_told_as_the_kernel_counted_it)
{
    /* Three workers fall asleep behind one holder: the story tells each the
     * count the kernel had when that one went to sleep (1, 2, 3), never the
     * same total three times. */
    struct run r;
    const char *const argv[] = {"ipcplay",   "run",     "sem",        "workers=4", "rounds=1",
                                "hold=1500", "think=0", "--headless", NULL};
    int rc = support_run(&r, argv, 60);
    cr_assert_eq(rc, 0, "%s", r.out);
    cr_expect(strstr(r.out, "(semncnt now 1)"), "%s", r.out);
    cr_expect(strstr(r.out, "(semncnt now 2)"), "%s", r.out);
    cr_expect(strstr(r.out, "(semncnt now 3)"), "%s", r.out);
    const char *p = strstr(r.out, "(semncnt now 3)");
    cr_expect(p && !strstr(p + 1, "(semncnt now 3)"), "told 3 twice:\n%s", r.out);
    support_free(&r);
}

/* /proc/PID/comm of pid, or "" */
static void comm_of(pid_t pid, char *buf, size_t len)
{
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/comm", (int)pid);
    buf[0] = '\0';
    FILE *f = fopen(path, "r");
    if (f) {
        if (fgets(buf, (int)len, f))
            buf[strcspn(buf, "\n")] = '\0';
        fclose(f);
    }
}

Test(sem, each_child_is_named_by_its_role)
{
    /* ps, pstree and htop show worker-2, not eight processes called ipcplay. */
    struct run r;
    const char *const argv[] = {"ipcplay", "run",     "sem",        "workers=3", "rounds=1",
                                "hold=3s", "think=0", "--headless", NULL};
    cr_assert_eq(support_start(&r, argv), 0);
    cr_assert(support_wait_output(&r, "acquired", 20), "%s", r.out ? r.out : "");
    /* a worker not yet scheduled since fork still has ipcplay's comm: poll */
    int workers = 0;
    for (double end = support_now() + 10; workers < 3 && support_now() < end;) {
        pid_t pids[16];
        int n = support_token_procs(r.token, pids, 16);
        workers = 0;
        for (int i = 0; i < n; i++) {
            char comm[32];
            comm_of(pids[i], comm, sizeof comm);
            if (strcmp(comm, "worker-1") == 0 || strcmp(comm, "worker-2") == 0 ||
                strcmp(comm, "worker-3") == 0)
                workers++;
        }
        if (workers < 3)
            usleep(50 * 1000);
    }
    cr_expect_eq(workers, 3, "comm of the workers should be worker-1..3");
    kill(r.pid, SIGINT);
    support_wait_exit(&r, 20);
    support_free(&r);
}

Test(sem, a_busy_run_at_speed_max_is_never_taken_for_a_deadlock, .timeout = 120)
{
    /* 64 workers at full speed: a sample could see a worker asleep in its
     * next P while its last V was not applied yet, so events said it held
     * the lock it waited for: "worker-21 -> sem 0 -> worker-21", and the
     * run was ended as deadlocked. A cycle is believed only once every
     * event is applied and everyone is looked at again. */
    for (int k = 0; k < 3; k++) {
        struct run r;
        const char *const words[] = {"workers=64", "rounds=1500", NULL};
        int rc = run_max(&r, "sem", words);
        cr_expect_eq(rc, 0, "exit %d", rc);
        cr_expect(r.out && !strstr(r.out, "deadlock"), "run %d saw a deadlock:\n%s", k,
                  r.out && strstr(r.out, "deadlock") ? strstr(r.out, "deadlock") : "");
        assert_left_nothing(&r, 2.0);
        support_free(&r);
    }
}

Test(sem, nowait_retries_back_off)
{
    /* A try-P against a 3 s hold: retries every 100 ms told ~30 EAGAIN
     * lines; doubling waits (100, 200, ... 1600 ms) tell a handful. */
    struct run r;
    const char *const argv[] = {"ipcplay",   "run",     "sem",       "workers=2",  "rounds=1",
                                "hold=3000", "think=0", "nowait=on", "--headless", NULL};
    int rc = support_run(&r, argv, 60);
    cr_assert_eq(rc, 0, "%s", r.out);
    int n = 0;
    for (const char *p = r.out; (p = strstr(p, "EAGAIN")); p++)
        n++;
    cr_expect(n >= 2 && n <= 10, "%d EAGAIN mentions:\n%s", n, r.out);
    support_free(&r);
}
