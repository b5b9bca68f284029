/* test_exec.c — the exec family in the fork scenario, run headless with real
 * processes: execl/execv take a path, execlp/execvp search PATH, execle
 * passes its own envp, and each replaces the child's image; missing=on makes
 * exec return -1 ENOENT and breaks the exec_image claim. Nothing is left
 * behind. */
#include <criterion/criterion.h>
#include <string.h>

#include "checks.h"

TestSuite(exec, .init = checks_setup, .fini = checks_teardown, .timeout = 240);

static void expect_fork(const char *const *words, const char *const *want, int status)
{
    struct run r;
    int rc = run_max(&r, "fork", words);
    cr_assert_eq(rc, status, "exit %d:\n%s", rc, r.out);
    for (int i = 0; want[i]; i++)
        cr_expect(strstr(r.out, want[i]), "no \"%s\" in:\n%s", want[i], r.out);
    assert_left_nothing(&r, 3.0);
    support_free(&r);
}

#define IMAGE_OK "check: exec_image ok (pid "

Test(exec, execlp_searches_path)
{
    expect_fork((const char *[]){"exec=execlp", "rounds=1", NULL},
                (const char *[]){"execlp(\"fdreport\", arg, ..., NULL): no slash: PATH search, 3 "
                                 "dirs, found in dir 3 (the run dir)",
                                 IMAGE_OK, NULL},
                0);
}

Test(exec, execvp_searches_path)
{
    expect_fork(
        (const char *[]){"exec=execvp", "rounds=1", NULL},
        (const char *[]){"execvp(\"fdreport\", argv): no slash: PATH search", IMAGE_OK, NULL}, 0);
}

Test(exec, execle_passes_its_own_environment)
{
    expect_fork((const char *[]){"exec=execle", "rounds=1", NULL},
                (const char *[]){"execle(fdreport, ..., envp): the new program gets exactly envp: ",
                                 "variables, IPCPLAY_EXEC=execle added", IMAGE_OK, NULL},
                0);
}

Test(exec, execl_and_execv_take_a_path)
{
    expect_fork(
        (const char *[]){"exec=execl", "rounds=1", NULL},
        (const char *[]){"execl(fdreport, arg, ..., NULL): a path, no PATH search", IMAGE_OK, NULL},
        0);
    expect_fork((const char *[]){"exec=execv", "rounds=1", NULL},
                (const char *[]){"execv(fdreport, argv): a path, no PATH search", IMAGE_OK, NULL},
                0);
}

Test(exec, a_missing_program_makes_exec_return_enoent)
{
    expect_fork((const char *[]){"exec=execvp", "missing=on", "rounds=1", NULL},
                (const char *[]){"searches PATH, 3 directories: none has it",
                                 "-> execvp returned -1 ENOENT: no directory of PATH has it; the "
                                 "old program goes on",
                                 "check: exec_image FAILED (exec returned -1 (missing=on breaks "
                                 "it on purpose)",
                                 NULL},
                1);
}

Test(exec, a_handler_survives_fork_not_exec_and_pending_signals_do_not_survive_fork)
{
    expect_fork((const char *[]){"signals=on", "rounds=1", NULL},
                (const char *[]){"-> /proc: handler SIGHUP; ignored SIGPIPE; blocked SIGWINCH; "
                                 "pending SIGWINCH",
                                 "-> after fork /proc: handler SIGHUP; ignored SIGPIPE; blocked "
                                 "SIGWINCH; pending none",
                                 "-> after exec /proc: handler none; ignored SIGPIPE; blocked "
                                 "SIGWINCH; pending none",
                                 "check: signals ok", NULL},
                0);
}

Test(exec, a_child_that_resets_its_signals_breaks_it)
{
    expect_fork((const char *[]){"signals=reset", "rounds=1", NULL},
                (const char *[]){"check: signals FAILED (after fork: SIGHUP handler gone", NULL},
                1);
}
