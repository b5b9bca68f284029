/* test_wait.c — the wait scenario run headless with real processes: waitpid
 * with WNOHANG answers 0 while children run (wnohang=off breaks it), each
 * status word is decoded by the W* macros, a stop is reported only with
 * WUNTRACED (untraced=off breaks it), and ECHILD comes last. Nothing is left
 * behind. */
#include <criterion/criterion.h>
#include <string.h>

#include "checks.h"

TestSuite(wait, .init = checks_setup, .fini = checks_teardown, .timeout = 240);

static void expect_run(const char *const *words, const char *const *want, int status)
{
    /* At human pace (gap 100 ms): at full speed the children can all be done
     * before the first poll, and then there is no 0 to see. */
    const char *argv[16] = {"ipcplay", "run", "wait", "gap=100ms"};
    int n = 4;
    for (int i = 0; words[i] && n < 14; i++)
        argv[n++] = words[i];
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

Test(wait, wnohang_status_words_and_echild)
{
    expect_run((const char *[]){NULL},
               (const char *[]){"-> 0: children exist, none has changed state; WNOHANG returns",
                                "status 0x0700: WIFEXITED true, WEXITSTATUS 7",
                                "status 0x000f: WIFSIGNALED true, WTERMSIG 15 (SIGTERM)",
                                "status 0x137f: WIFSTOPPED true, WSTOPSIG 19 (SIGSTOP) -- "
                                "reported because of WUNTRACED; it sends SIGCONT",
                                "-> -1 ECHILD: no children left to wait for", "check: wnohang ok",
                                "check: status ok", "check: echild ok", NULL},
               0);
}

Test(wait, without_wuntraced_a_stop_is_never_reported)
{
    expect_run(
        (const char *[]){"untraced=off", NULL},
        (const char *[]){"check: status FAILED (no WIFSTOPPED status: without WUNTRACED", NULL}, 1);
}

Test(wait, without_wnohang_waitpid_sleeps)
{
    expect_run((const char *[]){"wnohang=off", NULL},
               (const char *[]){"check: wnohang FAILED (waitpid never answered 0", NULL}, 1);
}
