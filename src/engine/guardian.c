/* guardian.c — see guardian.h. Deliberately small: it runs before ncurses and
 * before any scenario, and does nothing but wait, remember and clean. */
#include "guardian.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "registry.h"
#include "../model/signames.h"

#include "objline.h"

/* As large as the registry's table, and the journal's line. */
static struct objent gents[REG_MAX + 8];
static struct objtab gtab = {gents, 0, REG_MAX + 8};

static void g_cleanup(void)
{
    /* Processes first, so nothing recreates or holds what we remove. Every
     * pid and group still listed is ours: the dashboard forgets a process
     * before it reaps it, and a group before it reaps the group's leader, so
     * after its death they are unreaped and came to us (a subreaper), and
     * their numbers cannot have been given to anyone else. */
    for (int i = 0; i < gtab.n; i++)
        if (gtab.ents[i].kind == REG_PGID && gtab.ents[i].id > 1)
            kill(-(pid_t)gtab.ents[i].id, SIGKILL);
    for (int i = 0; i < gtab.n; i++)
        if (gtab.ents[i].kind == REG_PID && gtab.ents[i].id > 1)
            kill((pid_t)gtab.ents[i].id, SIGKILL);
    for (int pass = 0; pass < 2; pass++)
        for (int i = gtab.n - 1; i >= 0; i--) {
            int k = gtab.ents[i].kind;
            if (k == REG_PID || k == REG_PGID || (pass == 0) == (k == REG_DIR))
                continue;
            registry_destroy(k, gtab.ents[i].id, gtab.ents[i].name);
        }
}

/* Reap everything that is (or becomes, as an adopted orphan) our child, for a
 * bounded time. */
static void g_reap_all(int ms)
{
    struct timespec start, now;
    clock_gettime(CLOCK_MONOTONIC, &start);
    for (;;) {
        pid_t p;
        while ((p = waitpid(-1, NULL, WNOHANG)) > 0)
            ;
        if (p < 0 && errno == ECHILD)
            return;
        clock_gettime(CLOCK_MONOTONIC, &now);
        long el = (now.tv_sec - start.tv_sec) * 1000 + (now.tv_nsec - start.tv_nsec) / 1000000;
        if (el > ms)
            return;
        struct timespec ts = {0, 5 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
}

static void g_restore_terminal(const struct termios *saved)
{
    tcsetattr(STDIN_FILENO, TCSANOW, saved);
    /* Leave the alternate screen, show the cursor, reset attributes. */
    static const char seq[] = "\033[?1049l\033[?25h\033[0m\r\n";
    if (isatty(STDOUT_FILENO))
        (void)!write(STDOUT_FILENO, seq, sizeof seq - 1);
}

/* The dashboard left the screen and stopped itself (Ctrl-Z, SIGTSTP): stop
 * as a job does, so the shell sees the job stopped; `fg` continues us both. */
static void g_stop(void)
{
    sigset_t tstp;
    sigemptyset(&tstp);
    sigaddset(&tstp, SIGTSTP);
    raise(SIGTSTP);
    sigprocmask(SIG_UNBLOCK, &tstp, NULL); /* stops here until SIGCONT */
    sigprocmask(SIG_BLOCK, &tstp, NULL);
}

static _Noreturn void g_run(pid_t child, int rfd, bool restore, const struct termios *saved)
{
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGHUP);
    sigaddset(&set, SIGQUIT);
    sigaddset(&set, SIGCHLD);
    sigaddset(&set, SIGTSTP);
    sigaddset(&set, SIGCONT);
    sigprocmask(SIG_BLOCK, &set, NULL);
    int sfd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);

    char buf[4096];
    size_t have = 0;
    bool clean = false, eof = false, dead = false;
    while (!eof) {
        struct pollfd pf[2] = {{rfd, POLLIN, 0}, {sfd, POLLIN, 0}};
        if (poll(pf, sfd >= 0 ? 2 : 1, -1) < 0) {
            if (errno == EINTR)
                continue;
            break;
        }
        if (sfd >= 0 && (pf[1].revents & POLLIN)) {
            struct signalfd_siginfo si;
            while (read(sfd, &si, sizeof si) == (ssize_t)sizeof si) {
                if (si.ssi_signo == SIGTSTP && (pid_t)si.ssi_pid == child) {
                    g_stop();
                    continue;
                }
                /* Signals someone sent us with kill() go on to the dashboard;
                 * terminal signals (si_code SI_KERNEL) reached it already. */
                if (si.ssi_signo != SIGCHLD && si.ssi_code == SI_USER)
                    kill(child, (int)si.ssi_signo);
            }
            /* The dashboard is dead even if something it forked still holds
             * the pipe open: read what is left without waiting, then clean. */
            siginfo_t ci;
            memset(&ci, 0, sizeof ci);
            if (waitid(P_PID, (id_t)child, &ci, WEXITED | WNOHANG | WNOWAIT) == 0 &&
                ci.si_pid == child) {
                dead = true;
                fcntl(rfd, F_SETFL, O_NONBLOCK);
                pf[0].revents |= POLLIN;
            }
        }
        if (pf[0].revents & (POLLIN | POLLHUP | POLLERR)) {
            ssize_t n = read(rfd, buf + have, sizeof buf - 1 - have);
            if (n < 0 && errno == EINTR)
                continue;
            if (n <= 0 || (dead && n < (ssize_t)(sizeof buf - 1 - have))) {
                if (n > 0)
                    have += (size_t)n;
                eof = true;
            } else {
                have += (size_t)n;
            }
            buf[have] = '\0';
            char *line = buf, *nl;
            while ((nl = strchr(line, '\n'))) {
                *nl = '\0';
                if (line[0] == '.')
                    clean = true;
                else
                    objtab_apply(&gtab, line, strlen(line));
                line = nl + 1;
            }
            have = strlen(line);
            memmove(buf, line, have);
            if (have == sizeof buf - 1)
                have = 0; /* a line too long to be ours: drop it */
        }
    }
    close(rfd);

    int status = 0;
    pid_t w;
    do
        w = waitpid(child, &status, 0);
    while (w < 0 && errno == EINTR);

    if (!clean)
        g_cleanup();
    g_reap_all(clean ? 200 : 1500);
    if (!clean && restore && WIFSIGNALED(status))
        g_restore_terminal(saved);
    if (WIFEXITED(status))
        _exit(WEXITSTATUS(status));
    if (WIFSIGNALED(status)) {
        if (!clean && !restore)
            fprintf(stderr,
                    "ipcplay: the dashboard was killed by %s; its processes and "
                    "objects were removed\n",
                    signame(WTERMSIG(status)).s);
        _exit(128 + WTERMSIG(status));
    }
    _exit(3);
}

int guardian_start(bool restore_terminal)
{
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) < 0)
        return -1;
    struct termios saved;
    bool have_tty = restore_terminal && tcgetattr(STDIN_FILENO, &saved) == 0;

    /* Orphans of the dashboard come to us, so nothing escapes to init. */
    prctl(PR_SET_CHILD_SUBREAPER, 1);
    fflush(NULL);
    pid_t guardian = getpid();
    pid_t pid = fork();
    if (pid < 0) {
        close(fds[0]);
        close(fds[1]);
        return -1;
    }
    if (pid == 0) {
        /* The dashboard: if the guardian dies, clean up as on SIGTERM. */
        close(fds[0]);
        prctl(PR_SET_PDEATHSIG, SIGTERM);
        if (getppid() != guardian)
            raise(SIGTERM);
        prctl(PR_SET_CHILD_SUBREAPER, 0);
        return fds[1];
    }
    close(fds[1]);
    prctl(PR_SET_NAME, "ipcplay-guard");
    g_run(pid, fds[0], have_tty, have_tty ? &saved : NULL);
}
