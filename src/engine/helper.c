/* helper.c — see helper.h. Runs in a fresh program image: no op runner, no
 * gate, only the event pipe (fd 3) and whatever fds survived exec. */
#include "helper.h"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "../model/event.h"
#include "events.h"

/* An fdreport note (and exec's end, with no payload). */
static void emit(int role, int instance, uint64_t t0, enum op_kind op, enum ev_phase phase,
                 const struct ev_fdreport *fdreport)
{
    struct event ev;
    memset(&ev, 0, sizeof ev);
    uint64_t now = events_now_ns();
    ev.t_ns = now > t0 ? now - t0 : 0;
    ev.pid = getpid();
    ev.role = (int16_t)role;
    ev.instance = (int16_t)instance;
    ev.op = (uint8_t)op;
    ev.phase = (uint8_t)phase;
    ev.obj = -1;
    if (fdreport)
        ev.fdreport = *fdreport;
    events_emit(3, &ev);
}

int helper_fdreport(int argc, char **argv)
{
    if (argc < 3 || fcntl(3, F_GETFD) < 0)
        return 2;
    int role = atoi(argv[0]), instance = atoi(argv[1]);
    uint64_t t0 = strtoull(argv[2], NULL, 10);
    /* What exec kept of the caller's signals: told only when it set some. */
    struct ev_sigreport sr;
    bool told = sig_report_read(&sr) == 0 && (sr.ignored || sr.blocked);
    sigset_t usr1;
    sigemptyset(&usr1);
    sigaddset(&usr1, SIGUSR1);
    sigprocmask(SIG_BLOCK, &usr1, NULL);

    emit(role, instance, t0, OP_EXEC, PH_END, NULL);
    if (told) {
        struct event ev;
        memset(&ev, 0, sizeof ev);
        uint64_t now = events_now_ns();
        ev.t_ns = now > t0 ? now - t0 : 0;
        ev.pid = getpid();
        ev.role = (int16_t)role;
        ev.instance = (int16_t)instance;
        ev.op = OP_SIGREPORT;
        ev.phase = PH_NOTE;
        ev.obj = -1;
        ev.sigreport = sr;
        events_emit(3, &ev);
    }
    DIR *d = opendir("/proc/self/fd");
    int count = 0;
    if (d) {
        int fds[64], n = 0;
        struct dirent *de;
        while ((de = readdir(d)) && n < 64) {
            char *end;
            long fd = strtol(de->d_name, &end, 10);
            if (*end || end == de->d_name || fd <= 3 || fd == dirfd(d))
                continue;
            fds[n++] = (int)fd;
        }
        closedir(d);
        for (int i = 0; i < n; i++) {
            struct stat st;
            if (fstat(fds[i], &st) < 0)
                continue;
            off_t pos = lseek(fds[i], 0, SEEK_CUR);
            struct ev_fdreport fr = {.fd = fds[i],
                                     .flags = fcntl(fds[i], F_GETFL),
                                     .ino = (int64_t)st.st_ino,
                                     .pos = pos};
            emit(role, instance, t0, OP_FDREPORT, PH_NOTE, &fr);
            count++;
        }
    }
    struct ev_fdreport total = {.fd = -1, .ino = count};
    emit(role, instance, t0, OP_FDREPORT, PH_NOTE, &total);
    struct timespec limit = {10, 0};
    sigtimedwait(&usr1, NULL, &limit);
    return 0;
}
