/* bench/keylag.c — keystroke-to-echo latency of the real dashboard under
 * load. It opens ipcplay in a pseudo-terminal (120x40, TERM=xterm) on
 * `run sem workers=W rounds=100000 --speed max`, waits until the run is
 * drawn and going, then types one key at a time at the prompt and times
 * how long the dashboard takes to write it back (the key is a '%', which
 * nothing else on that screen prints), erasing it again after each. The
 * floor is the same measure against a plain `cat` on a raw pty: what the
 * kernel and this program cost by themselves. Prints p50, p90 and max per
 * worker count with the target (p90 <= 50 ms). A benchmark, not a test:
 * nothing here fails a build.
 *
 * usage: keylag [--keys N] [--workers A,B,C] [path/to/ipcplay]
 *   defaults: 100 keys at 4, 64 and 256 workers; the ipcplay built alongside. */
#include <stdbool.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#ifndef IPCPLAY_BIN
#define IPCPLAY_BIN "ipcplay"
#endif

#define TARGET_P90_MS 50.0
#define MAX_KEYS 2000

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* Read what the pty has for up to ms; true when `want` was among it. The
 * output is always read, so the program on the pty never blocks on it. */
static bool read_for(int fd, const char *want, double ms)
{
    static char tail[64]; /* a match may span two reads */
    double end = now_ms() + ms;
    size_t wl = want ? strlen(want) : 0;
    for (;;) {
        double left = end - now_ms();
        if (left <= 0)
            return false;
        struct pollfd pf = {fd, POLLIN, 0};
        int pr = poll(&pf, 1, (int)left + 1);
        if (pr < 0 && errno == EINTR)
            continue;
        if (pr <= 0)
            return false;
        char buf[65536 + sizeof tail];
        size_t tl = strlen(tail);
        memcpy(buf, tail, tl);
        ssize_t n = read(fd, buf + tl, 65536);
        if (n <= 0)
            return false;
        size_t total = tl + (size_t)n;
        buf[total] = '\0';
        bool hit = wl && memmem(buf, total, want, wl) != NULL;
        size_t keep = total < sizeof tail - 1 ? total : sizeof tail - 1;
        memcpy(tail, buf + total - keep, keep);
        tail[keep] = '\0';
        if (hit) {
            tail[0] = '\0';
            return true;
        }
    }
}

static pid_t spawn(int *master, char *const argv[], bool raw, const char *home)
{
    struct winsize ws = {.ws_row = 40, .ws_col = 120};
    pid_t pid = forkpty(master, NULL, NULL, &ws);
    if (pid == 0) {
        if (raw) {
            struct termios t;
            tcgetattr(0, &t);
            cfmakeraw(&t);
            tcsetattr(0, TCSANOW, &t);
        }
        setenv("TERM", "xterm", 1);
        setenv("HOME", home, 1);
        setenv("LANG", "C.UTF-8", 1);
        unsetenv("LC_ALL");
        unsetenv("XDG_STATE_HOME");
        execvp(argv[0], argv);
        _exit(127);
    }
    return pid;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

struct stats {
    double p50, p90, max;
    int n, lost;
};

/* Type '%' n times, each timed to its echo, erased with Backspace after. */
static struct stats measure(int fd, int n, bool erase)
{
    static double lat[MAX_KEYS];
    struct stats s = {0};
    for (int i = 0; i < n; i++) {
        read_for(fd, NULL, 20 + (i * 7) % 31); /* off the frame clock */
        double t0 = now_ms();
        if (write(fd, "%", 1) != 1)
            break;
        if (!read_for(fd, "%", 2000)) {
            s.lost++;
            continue;
        }
        lat[s.n++] = now_ms() - t0;
        if (erase && write(fd, "\177", 1) != 1)
            break;
    }
    if (s.n == 0)
        return s;
    qsort(lat, (size_t)s.n, sizeof *lat, cmp_double);
    s.p50 = lat[s.n * 50 / 100];
    s.p90 = lat[s.n * 90 / 100];
    s.max = lat[s.n - 1];
    return s;
}

static void stop_child(pid_t pid, int fd, bool dashboard)
{
    if (dashboard && write(fd, "\003quit\r", 6) < 0)
        perror("keylag: write");
    double end = now_ms() + 10000;
    int status;
    while (waitpid(pid, &status, WNOHANG) == 0) {
        if (now_ms() > end) {
            kill(pid, SIGTERM); /* our own child: the guardian cleans up */
            end = now_ms() + 1e9;
        }
        read_for(fd, NULL, 50);
    }
    close(fd);
}

static void print(const char *label, struct stats s, double floor_p90)
{
    printf("%-26s p50 %7.2f ms  p90 %7.2f ms  max %7.2f ms  (%d keys%s)  target p90 <= %.0f ms "
           "%s  floor p90 %.2f ms\n",
           label, s.p50, s.p90, s.max, s.n, s.lost ? ", some lost" : "", TARGET_P90_MS,
           s.p90 <= TARGET_P90_MS ? "met" : "MISSED", floor_p90);
    fflush(stdout);
}

int main(int argc, char **argv)
{
    const char *bin = IPCPLAY_BIN;
    char workers_list[128] = "4,64,256";
    int keys = 100;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--keys") == 0 && i + 1 < argc)
            keys = atoi(argv[++i]);
        else if (strcmp(argv[i], "--workers") == 0 && i + 1 < argc)
            snprintf(workers_list, sizeof workers_list, "%s", argv[++i]);
        else
            bin = argv[i];
    }
    if (keys < 1 || keys > MAX_KEYS) {
        fprintf(stderr, "keylag: --keys between 1 and %d\n", MAX_KEYS);
        return 2;
    }
    char home[] = "/tmp/ipcplay-keylag.XXXXXX";
    if (!mkdtemp(home)) {
        perror("keylag: mkdtemp");
        return 2;
    }
    signal(SIGPIPE, SIG_IGN);

    /* the floor: the same keystroke echoed by cat on a raw pty */
    int fd;
    char *cat_argv[] = {"cat", NULL};
    pid_t pid = spawn(&fd, cat_argv, true, home);
    if (pid < 0) {
        perror("keylag: forkpty");
        return 2;
    }
    read_for(fd, NULL, 200);
    struct stats fl = measure(fd, keys, false);
    kill(pid, SIGTERM);
    stop_child(pid, fd, false);
    printf("floor: cat on a raw pty      p50 %7.2f ms  p90 %7.2f ms  max %7.2f ms  (%d keys)\n",
           fl.p50, fl.p90, fl.max, fl.n);

    int rc = 0;
    for (char *tok = strtok(workers_list, ","); tok; tok = strtok(NULL, ",")) {
        char wk[32], label[64];
        snprintf(wk, sizeof wk, "workers=%d", atoi(tok));
        char *argv_d[] = {(char *)bin, "run", "sem", wk, "rounds=100000", "--speed", "max", NULL};
        pid = spawn(&fd, argv_d, false, home);
        if (pid < 0) {
            perror("keylag: forkpty");
            return 2;
        }
        /* drawn, and the run going at full speed for a moment */
        if (!read_for(fd, "PROCESSES", 20000)) {
            fprintf(stderr, "keylag: the dashboard did not draw (%s)\n", bin);
            stop_child(pid, fd, true);
            rc = 1;
            continue;
        }
        read_for(fd, NULL, 2000);
        struct stats s = measure(fd, keys, true);
        snprintf(label, sizeof label, "run sem %s:", wk);
        print(label, s, fl.p90);
        stop_child(pid, fd, true);
    }
    /* what the dashboard kept: its history (`quit`) and its directories */
    static const char *const left[] = {"/.local/state/ipcplay/history", "/.local/state/ipcplay",
                                       "/.local/state", "/.local", ""};
    for (size_t i = 0; i < sizeof left / sizeof left[0]; i++) {
        char path[256];
        snprintf(path, sizeof path, "%s%s", home, left[i]);
        if (i == 0)
            unlink(path);
        else
            rmdir(path);
    }
    return rc;
}
