/* signames.c — see signames.h. Real-time signals have no abbreviation in the
 * C library (sigabbrev_np gives NULL), so they are named from both ends of
 * their range as bash's kill -l does: SIGRTMIN..SIGRTMIN+15, then
 * SIGRTMAX-14..SIGRTMAX. */
#include "signames.h"

#include <ctype.h>
#include <stdbool.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <strings.h>

/* The abbreviation of a classic signal (1..31), as kill -l spells it. */
static const char *classic_name(int sig)
{
    if (sig == SIGIO) /* glibc says POLL; kill -l and strace say IO */
        return "IO";
    return sig >= 1 && sig < SIGRTMIN ? sigabbrev_np(sig) : NULL;
}

struct signame signame(int sig)
{
    struct signame n;
    const char *ab = classic_name(sig);
    int lo = SIGRTMIN, hi = SIGRTMAX;
    if (ab)
        snprintf(n.s, sizeof n.s, "SIG%s", ab);
    else if (sig == lo)
        snprintf(n.s, sizeof n.s, "SIGRTMIN");
    else if (sig == hi)
        snprintf(n.s, sizeof n.s, "SIGRTMAX");
    else if (sig > lo && sig - lo <= (hi - lo) / 2)
        snprintf(n.s, sizeof n.s, "SIGRTMIN+%d", sig - lo);
    else if (sig > lo && sig < hi)
        snprintf(n.s, sizeof n.s, "SIGRTMAX-%d", hi - sig);
    else
        snprintf(n.s, sizeof n.s, "signal %d", sig);
    return n;
}

/* A decimal number of at most 3 digits (no sign, no spaces); -1 if not. */
static int small_number(const char *s)
{
    int v = 0, digits = 0;
    for (; isdigit((unsigned char)*s); s++) {
        if (++digits > 3)
            return -1;
        v = v * 10 + (*s - '0');
    }
    return digits && *s == '\0' ? v : -1;
}

int signame_parse(const char *text)
{
    int lo = SIGRTMIN, hi = SIGRTMAX;
    int n = small_number(text);
    if (n >= 0)
        return (n >= 1 && n < lo && classic_name(n)) || (n >= lo && n <= hi) ? n : -1;
    const char *s = text;
    if (strncasecmp(s, "SIG", 3) == 0)
        s += 3;
    if (strncasecmp(s, "RTMIN", 5) == 0 || strncasecmp(s, "RTMAX", 5) == 0) {
        bool min = toupper((unsigned char)s[3]) == 'I';
        const char *rest = s + 5;
        int off = 0;
        if (*rest) {
            if (*rest != (min ? '+' : '-') || (off = small_number(rest + 1)) < 0)
                return -1;
        }
        int sig = min ? lo + off : hi - off;
        return sig >= lo && sig <= hi ? sig : -1;
    }
    static const struct {
        const char *name;
        int sig;
    } aliases[] = {{"POLL", SIGIO}, {"IOT", SIGABRT}, {"CLD", SIGCHLD}};
    for (size_t i = 0; i < sizeof aliases / sizeof aliases[0]; i++)
        if (strcasecmp(s, aliases[i].name) == 0)
            return aliases[i].sig;
    for (int i = 1; i < lo; i++) {
        const char *ab = classic_name(i);
        if (ab && strcasecmp(ab, s) == 0)
            return i;
    }
    return -1;
}

const char *errname(int err)
{
    const char *n = err > 0 ? strerrorname_np(err) : NULL;
    return n ? n : "error";
}

void wait_status_text(int status, enum status_form form, char *buf, size_t len)
{
    static const char *const exited[] = {"exited with status %d", "exit status %d", "exited %d"};
    static const char *const killed[] = {"was killed by %s", "killed by %s", "killed by %s"};
    static const char *const other[] = {"ended (status 0x%x)", "status 0x%x", "gone"};
    if (WIFEXITED(status))
        snprintf(buf, len, exited[form], WEXITSTATUS(status));
    else if (WIFSIGNALED(status))
        snprintf(buf, len, killed[form], signame(WTERMSIG(status)).s);
    else
        snprintf(buf, len, other[form], (unsigned)status);
}

void ipc_flags_text(int flags, char *buf, size_t len)
{
    /* The values sys/ipc.h gives them, kept here so this file stays pure. */
    enum { CREAT = 01000, EXCL = 02000, NOWAIT = 04000 };
    unsigned mode = (unsigned)flags & 0777;
    char m[8] = "";
    if (mode || !(flags & (CREAT | EXCL | NOWAIT)))
        snprintf(m, sizeof m, "%s%04o", (flags & (CREAT | EXCL | NOWAIT)) ? "|" : "", mode);
    snprintf(buf, len, "%s%s%s%s", (flags & CREAT) ? "IPC_CREAT" : "",
             (flags & EXCL) ? ((flags & CREAT) ? "|IPC_EXCL" : "IPC_EXCL") : "",
             (flags & NOWAIT) ? ((flags & (CREAT | EXCL)) ? "|IPC_NOWAIT" : "IPC_NOWAIT") : "",
             mode == 0 && !(flags & (CREAT | EXCL | NOWAIT)) ? "0" : m);
}
