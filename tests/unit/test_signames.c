/* test_signames.c — the one signal namer and parser: classic names in the
 * SIGTERM form, real-time signals as SIGRTMIN+N / SIGRTMAX-N (never NULL),
 * and what a person may type for a signal. */
#include <criterion/criterion.h>
#include <signal.h>
#include <sys/ipc.h>
#include <string.h>

#include "model/signames.h"

Test(signames, classic_signals_in_the_sig_form)
{
    cr_expect_str_eq(signame(SIGTERM).s, "SIGTERM");
    cr_expect_str_eq(signame(SIGKILL).s, "SIGKILL");
    cr_expect_str_eq(signame(SIGIO).s, "SIGIO");
    cr_expect_str_eq(signame(SIGSYS).s, "SIGSYS");
}

Test(signames, every_number_has_a_name)
{
    for (int i = -3; i < NSIG + 3; i++) {
        const char *s = signame(i).s;
        cr_expect(s[0] && !strstr(s, "null") && !strchr(s, '?'), "%d: '%s'", i, s);
    }
    cr_expect_str_eq(signame(SIGRTMIN).s, "SIGRTMIN");
    cr_expect_str_eq(signame(SIGRTMIN + 1).s, "SIGRTMIN+1");
    cr_expect_str_eq(signame(SIGRTMAX).s, "SIGRTMAX");
    cr_expect_str_eq(signame(SIGRTMAX - 1).s, "SIGRTMAX-1");
    /* as bash's kill -l: 34..49 from the bottom, 50..64 from the top */
    cr_expect_str_eq(signame(49).s, "SIGRTMIN+15");
    cr_expect_str_eq(signame(50).s, "SIGRTMAX-14");
    cr_expect_str_eq(signame(64).s, "SIGRTMAX");
    cr_expect_str_eq(signame(32).s, "signal 32");
    cr_expect_str_eq(signame(0).s, "signal 0");
}

Test(signames, what_a_person_types)
{
    cr_expect_eq(signame_parse("TERM"), SIGTERM);
    cr_expect_eq(signame_parse("term"), SIGTERM);
    cr_expect_eq(signame_parse("SIGTERM"), SIGTERM);
    cr_expect_eq(signame_parse("sigkill"), SIGKILL);
    cr_expect_eq(signame_parse("9"), SIGKILL);
    cr_expect_eq(signame_parse("IO"), SIGIO);
    cr_expect_eq(signame_parse("POLL"), SIGIO);
    cr_expect_eq(signame_parse("64"), SIGRTMAX);
    cr_expect_eq(signame_parse("34"), SIGRTMIN);
    cr_expect_eq(signame_parse("RTMIN"), SIGRTMIN);
    cr_expect_eq(signame_parse("RTMIN+3"), SIGRTMIN + 3);
    cr_expect_eq(signame_parse("SIGRTMIN+3"), SIGRTMIN + 3);
    cr_expect_eq(signame_parse("rtmax-2"), SIGRTMAX - 2);
    cr_expect_eq(signame_parse("SIGRTMAX"), SIGRTMAX);
    cr_expect_eq(signame_parse("RTMIN+30"), SIGRTMAX);
    for (int i = 1; i < NSIG; i++) {
        if (i == 32 || i == 33)
            continue;
        cr_expect_eq(signame_parse(signame(i).s), i, "%s does not read back", signame(i).s);
    }
}

Test(signames, what_is_refused)
{
    const char *bad[] = {"",       "0",        "65",        "32",       "33",       "-9",
                         "+9",     " 9",       "9 ",        "0x9",      "SIG",      "NOSIG",
                         "RTMIN+", "RTMIN-1",  "RTMAX+1",   "RTMIN+31", "RTMAX-31", "RTMIN+1x",
                         "RTMINX", "99999999", "SIGSIGTERM"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        cr_expect_eq(signame_parse(bad[i]), -1, "'%s' should be refused", bad[i]);
}

Test(signames, a_get_call_s_flags_in_words)
{
    char b[48];
    ipc_flags_text(IPC_CREAT | IPC_EXCL | 0600, b, sizeof b);
    cr_expect_str_eq(b, "IPC_CREAT|IPC_EXCL|0600");
    ipc_flags_text(IPC_CREAT | 0400, b, sizeof b);
    cr_expect_str_eq(b, "IPC_CREAT|0400");
    ipc_flags_text(IPC_CREAT, b, sizeof b);
    cr_expect_str_eq(b, "IPC_CREAT");
    ipc_flags_text(0, b, sizeof b);
    cr_expect_str_eq(b, "0");
    ipc_flags_text(0666, b, sizeof b);
    cr_expect_str_eq(b, "0666");
}
