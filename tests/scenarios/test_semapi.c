/* test_semapi.c — the semaphore API details of the chapter, run headless with
 * real processes, each claim next to the parameter that breaks it: two
 * sembufs in one semop (deadlock order=atomic, probe=atomic|split), sem_op
 * of N (take, pool), IPC_NOWAIT on wait-for-zero, and EINTR in a sleeping P
 * (handler, poke). Every run leaves nothing behind. */
#include <criterion/criterion.h>
#include <string.h>

#include "checks.h"

TestSuite(semapi, .init = checks_setup, .fini = checks_teardown, .timeout = 240);

/* Run the scenario with words; expect exit `status` (1: a check failed) and each of `want` in the
 * output, then nothing left behind. */
static void expect_run(const char *scenario, const char *const *words, bool max,
                       const char *const *want, int status)
{
    const char *argv[24] = {"ipcplay", "run", scenario};
    int n = 3;
    for (int i = 0; words[i] && n < 18; i++)
        argv[n++] = words[i];
    if (max) {
        argv[n++] = "--speed";
        argv[n++] = "max";
    }
    argv[n++] = "--headless";
    argv[n] = NULL;
    struct run r;
    int rc = support_run(&r, argv, 120);
    cr_assert_eq(rc, status, "exit %d:\n%s", rc, r.out);
    for (int i = 0; want[i]; i++)
        cr_expect(strstr(r.out, want[i]), "no \"%s\" in:\n%s", want[i], r.out);
    assert_left_nothing(&r, 3.0);
    support_free(&r);
}

Test(semapi, atomic_order_takes_both_locks_in_one_semop_and_never_deadlocks)
{
    expect_run(
        "deadlock", (const char *[]){"order=atomic", "workers=4", NULL}, true,
        (const char *[]){"-> took sem 0 and sem 1 in one semop (two sembufs, all or nothing)",
                         "check: deadlock ok (no cycle: everyone took both locks in one "
                         "semop; all 4 workers finished)",
                         NULL},
        0);
}

Test(semapi, unsafe_order_breaks_it)
{
    expect_run("deadlock", (const char *[]){"order=unsafe", NULL}, true,
               (const char *[]){"check: deadlock ok (cycle found", NULL}, 0);
}

Test(semapi, a_refused_semop_changes_none_of_its_semaphores)
{
    expect_run("deadlock", (const char *[]){"order=atomic", "probe=atomic", NULL}, true,
               (const char *[]){"-> EAGAIN: sem 1 is 0, so the kernel applied neither sembuf: "
                                "sem 0 stays 1, sem 1 stays 0 (all or nothing)",
                                "check: all_or_nothing ok", NULL},
               0);
}

Test(semapi, two_semop_calls_break_all_or_nothing)
{
    expect_run("deadlock", (const char *[]){"order=atomic", "probe=split", NULL}, true,
               (const char *[]){"the first took sem 0 (1 -> 0), the second got EAGAIN on sem 1",
                                "check: all_or_nothing FAILED (a refused P on two semaphores "
                                "changed one of them: two semop calls (probe=split breaks it",
                                NULL},
               1);
}

Test(semapi, take_n_units_at_once)
{
    expect_run("sem", (const char *[]){"take=3", "workers=3", "rounds=3", NULL}, true,
               (const char *[]){"P(sem 0, 3)  -> took 3 at once (sem_op -3",
                                "check: mutual_exclusion ok", "check: no_lost_updates ok", NULL},
               0);
}

Test(semapi, a_pool_of_several_takes_lets_several_in)
{
    expect_run("sem",
               (const char *[]){"take=1", "pool=3", "workers=3", "rounds=2", "hold=100ms",
                                "think=0", NULL},
               false,
               (const char *[]){"check: mutual_exclusion FAILED (",
                                "pool 3 holds 3 takes of 1 "
                                "(broken on purpose)",
                                NULL},
               1);
}

Test(semapi, nowait_is_honoured_for_wait_for_zero)
{
    expect_run("sem",
               (const char *[]){"op=wait0", "nowait=on", "workers=2", "rounds=1", "hold=250ms",
                                "think=0", NULL},
               false,
               (const char *[]){"wait0(sem 1) -> EAGAIN: semval is not 0, and IPC_NOWAIT says "
                                "do not wait for zero",
                                "check: no_lost_updates ok", NULL},
               0);
}

Test(semapi, without_nowait_wait_for_zero_sleeps)
{
    struct run r;
    const char *const argv[] = {"ipcplay",  "run",        "sem",     "op=wait0",   "workers=2",
                                "rounds=1", "hold=250ms", "think=0", "--headless", NULL};
    int rc = support_run(&r, argv, 120);
    cr_assert_eq(rc, 0, "exit %d:\n%s", rc, r.out);
    cr_expect(!strstr(r.out, "EAGAIN: semval is not 0"), "%s", r.out);
    cr_expect(strstr(r.out, "semzcnt"), "%s", r.out);
    assert_left_nothing(&r, 3.0);
    support_free(&r);
}

Test(semapi, a_handled_signal_interrupts_a_sleeping_p_with_eintr)
{
    expect_run(
        "sem",
        (const char *[]){"usr1=poke", "workers=2", "rounds=2", "hold=300ms", "think=0", NULL},
        false,
        (const char *[]){"sigaction(SIGUSR1, handler)",
                         "SIGUSR1) while it sleeps in semop on sem 0 (semncnt 1)",
                         "-> EINTR: a signal's handler ran; it left the sleep, so semncnt "
                         "drops by one (1 -> 0)",
                         "check: eintr ok", "check: no_lost_updates ok (counter 4 = 4", NULL},
        0);
}

Test(semapi, without_a_handler_the_signal_kills_the_sleeper)
{
    expect_run(
        "sem",
        (const char *[]){"usr1=kill", "workers=2", "rounds=2", "hold=300ms", "think=0", NULL},
        false,
        (const char *[]){"was killed by SIGUSR1",
                         "check: eintr FAILED (worker-2 was killed by SIGUSR1: without a "
                         "handler the default action ends it (usr1=kill breaks it on "
                         "purpose))",
                         NULL},
        1);
}

Test(semapi, semadj_counted_and_applied_by_the_kernel_at_exit)
{
    expect_run("sem", (const char *[]){"workers=1", "die=on", NULL}, true,
               (const char *[]){"GETVAL(sem 0) -> semval 1; the exited held semadj +1 on it "
                                "(counted from their SEM_UNDO ops: the kernel keeps semadj but "
                                "does not publish it)",
                                "check: semadj ok (the worker died holding with semadj +1", NULL},
               0);
}

Test(semapi, without_sem_undo_nothing_gives_it_back)
{
    expect_run("sem", (const char *[]){"workers=1", "die=on", "undo=off", NULL}, true,
               (const char *[]){"check: semadj FAILED (semval is 0 after the holder died "
                                "(semadj counted +0): nobody gave it back (undo=off breaks it on "
                                "purpose))",
                                NULL},
               1);
}
