/* support.c — see support.h. */
#include "support.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

double support_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

bool support_isolate_ipc(void)
{
    /* Orphans of the runs we start come to us, not to init (which may not
     * reap them in a container): the test reaps its own descendants. */
    prctl(PR_SET_CHILD_SUBREAPER, 1);
    return unshare(CLONE_NEWIPC) == 0;
}

void support_reap_strays(void)
{
    while (waitpid(-1, NULL, WNOHANG) > 0)
        ;
}

static void append(struct run *r, const char *buf, size_t n)
{
    if (r->len + n + 1 > r->cap) {
        size_t cap = r->cap ? r->cap * 2 : 65536;
        while (cap < r->len + n + 1)
            cap *= 2;
        r->out = realloc(r->out, cap);
        r->cap = cap;
    }
    memcpy(r->out + r->len, buf, n);
    r->len += n;
    r->out[r->len] = '\0';
}

static bool pump(struct run *r, int timeout_ms)
{
    if (r->out_fd < 0)
        return false;
    struct pollfd pf = {r->out_fd, POLLIN, 0};
    if (poll(&pf, 1, timeout_ms) <= 0)
        return false;
    char buf[65536];
    ssize_t n = read(r->out_fd, buf, sizeof buf);
    if (n > 0) {
        append(r, buf, (size_t)n);
        return true;
    }
    if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) {
        close(r->out_fd);
        r->out_fd = -1;
    }
    return false;
}

int support_start(struct run *r, const char *const argv[])
{
    static int counter;
    memset(r, 0, sizeof *r);
    r->status = -1;
    snprintf(r->token, sizeof r->token, "t%d-%d-%ld", (int)getpid(), ++counter, (long)time(NULL));
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) < 0)
        return -1;
    int n = 0;
    while (argv[n])
        n++;
    char **args = calloc((size_t)n + 1, sizeof *args);
    args[0] = (char *)IPCPLAY_BIN;
    for (int i = 1; i < n; i++)
        args[i] = (char *)argv[i];
    int ne = 0;
    while (environ[ne])
        ne++;
    char **env = calloc((size_t)ne + 2, sizeof *env);
    int k = 0;
    for (int i = 0; i < ne; i++)
        if (strncmp(environ[i], "IPCPLAY_TEST_TOKEN=", 19) != 0)
            env[k++] = environ[i];
    char tok[96];
    snprintf(tok, sizeof tok, "IPCPLAY_TEST_TOKEN=%s", r->token);
    env[k++] = tok;
    env[k] = NULL;
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, fds[1], 1);
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    /* A clean signal state, as a shell would give it. */
    posix_spawnattr_t attr;
    posix_spawnattr_init(&attr);
    sigset_t none, all;
    sigemptyset(&none);
    sigfillset(&all);
    posix_spawnattr_setsigmask(&attr, &none);
    posix_spawnattr_setsigdefault(&attr, &all);
    /* Its own process group, as a shell job would be: kill(-pid) is Ctrl-C. */
    posix_spawnattr_setpgroup(&attr, 0);
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF |
                                        POSIX_SPAWN_SETPGROUP);
    int rc = posix_spawn(&r->pid, IPCPLAY_BIN, &fa, &attr, args, env);
    posix_spawn_file_actions_destroy(&fa);
    posix_spawnattr_destroy(&attr);
    free(args);
    free(env);
    close(fds[1]);
    if (rc != 0) {
        close(fds[0]);
        errno = rc;
        return -1;
    }
    r->out_fd = fds[0];
    fcntl(r->out_fd, F_SETFL, O_NONBLOCK);
    return 0;
}

bool support_wait_output(struct run *r, const char *needle, double timeout_s)
{
    double end = support_now() + timeout_s;
    for (;;) {
        if (r->out && strstr(r->out, needle))
            return true;
        double left = end - support_now();
        if (left <= 0 || r->out_fd < 0)
            return r->out && strstr(r->out, needle);
        pump(r, (int)(left * 1000) + 1);
    }
}

int support_wait_exit(struct run *r, double timeout_s)
{
    double end = support_now() + timeout_s;
    while (r->status < 0) {
        while (r->out_fd >= 0 && pump(r, 0))
            ;
        int st;
        pid_t w = waitpid(r->pid, &st, WNOHANG);
        if (w == r->pid) {
            r->status = st;
            break;
        }
        if (support_now() > end)
            return -1;
        pump(r, 20);
    }
    while (r->out_fd >= 0 && (pump(r, 200) || r->out_fd >= 0)) {
        if (!pump(r, 200))
            break;
    }
    if (WIFEXITED(r->status))
        return WEXITSTATUS(r->status);
    return 128 + WTERMSIG(r->status);
}

void support_free(struct run *r)
{
    if (r->status < 0 && r->pid > 0) {
        kill(r->pid, SIGKILL);
        waitpid(r->pid, NULL, 0);
    }
    if (r->out_fd >= 0)
        close(r->out_fd);
    free(r->out);
    memset(r, 0, sizeof *r);
    r->out_fd = -1;
}

int support_run(struct run *r, const char *const argv[], double timeout_s)
{
    if (support_start(r, argv) < 0)
        return -1;
    return support_wait_exit(r, timeout_s);
}

int support_run_stderr(struct run *r, const char *const argv[], double timeout_s, char *err,
                       size_t errlen)
{
    char path[] = "/tmp/ipcplay-test-stderr-XXXXXX";
    int fd = mkstemp(path);
    if (fd < 0)
        return -1;
    unlink(path); /* the open fd is all we need */
    fflush(stderr);
    int saved = dup(2);
    dup2(fd, 2);
    int rc = support_run(r, argv, timeout_s);
    if (rc < 0 && r->pid > 0) { /* it hangs: end it before the test fails */
        kill(r->pid, SIGTERM);
        if (support_wait_exit(r, 20) < 0)
            kill(r->pid, SIGKILL);
        rc = -1;
    }
    dup2(saved, 2);
    close(saved);
    ssize_t n = pread(fd, err, errlen - 1, 0);
    err[n > 0 ? n : 0] = '\0';
    close(fd);
    return rc;
}

static bool read_file(const char *path, char *buf, size_t len, size_t *got)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return false;
    ssize_t n = read(fd, buf, len - 1);
    close(fd);
    if (n < 0)
        return false;
    buf[n] = '\0';
    if (got)
        *got = (size_t)n;
    return true;
}

pid_t support_dashboard_pid(const struct run *r, double timeout_s)
{
    double end = support_now() + timeout_s;
    do {
        char path[64], buf[4096];
        snprintf(path, sizeof path, "/proc/%d/task/%d/children", (int)r->pid, (int)r->pid);
        if (read_file(path, buf, sizeof buf, NULL)) {
            long p = strtol(buf, NULL, 10);
            if (p > 0)
                return (pid_t)p;
        }
        struct timespec ts = {0, 10 * 1000 * 1000};
        nanosleep(&ts, NULL);
    } while (support_now() < end);
    return -1;
}

int support_token_procs(const char *token, pid_t *pids, int max)
{
    char want[96];
    int wl = snprintf(want, sizeof want, "IPCPLAY_TEST_TOKEN=%s", token) + 1; /* with NUL */
    DIR *d = opendir("/proc");
    if (!d)
        return 0;
    int n = 0;
    struct dirent *de;
    static char buf[1 << 16];
    while ((de = readdir(d))) {
        char *end;
        long pid = strtol(de->d_name, &end, 10);
        if (*end || pid <= 0 || pid == getpid())
            continue;
        char path[64];
        snprintf(path, sizeof path, "/proc/%ld/environ", pid);
        size_t got;
        if (!read_file(path, buf, sizeof buf, &got))
            continue;
        for (size_t off = 0; off < got;) {
            size_t l = strnlen(buf + off, got - off);
            if (l + 1 == (size_t)wl && memcmp(buf + off, want, (size_t)wl - 1) == 0) {
                if (n < max)
                    pids[n] = (pid_t)pid;
                n++;
                break;
            }
            off += l + 1;
        }
    }
    closedir(d);
    return n;
}

static int count_lines(const char *path)
{
    static char buf[1 << 20];
    if (!read_file(path, buf, sizeof buf, NULL))
        return -1;
    int n = 0;
    for (char *p = buf; *p; p++)
        if (*p == '\n')
            n++;
    return n > 0 ? n - 1 : 0; /* minus the header */
}

/* Does a live process carry a token of a run this test process started
 * ("IPCPLAY_TEST_TOKEN=t<our pid>-...")? */
static bool started_by_us(pid_t pid)
{
    char path[64], want[64];
    static char buf[1 << 16];
    snprintf(path, sizeof path, "/proc/%d/environ", (int)pid);
    int wl = snprintf(want, sizeof want, "IPCPLAY_TEST_TOKEN=t%d-", (int)getpid());
    size_t got;
    if (!read_file(path, buf, sizeof buf, &got))
        return false;
    for (size_t off = 0; off < got;) {
        size_t l = strnlen(buf + off, got - off);
        if (l >= (size_t)wl && memcmp(buf + off, want, (size_t)wl) == 0)
            return true;
        off += l + 1;
    }
    return false;
}

/* /dev/shm is not in the private IPC namespace: runs of other tests or other
 * people on the same machine put their "ipcplay-PID-RUN-I" names there too.
 * Ours are those whose dashboard (PID) is one of our runs, or is gone (a
 * name nobody can remove any more: a leak). */
bool support_devshm_ours(const char *name)
{
    if (strncmp(name, "ipcplay", 7) != 0)
        return false;
    long pid = 0;
    if (sscanf(name, "ipcplay-%ld-", &pid) != 1 || pid <= 0)
        return true;
    if (kill((pid_t)pid, 0) < 0 && errno == ESRCH)
        return true;
    return started_by_us((pid_t)pid);
}

void support_ipc_counts(struct ipc_counts *c)
{
    c->sem = count_lines("/proc/sysvipc/sem");
    c->msg = count_lines("/proc/sysvipc/msg");
    c->shm = count_lines("/proc/sysvipc/shm");
    c->devshm = 0;
    DIR *d = opendir("/dev/shm");
    if (d) {
        struct dirent *de;
        while ((de = readdir(d)))
            if (support_devshm_ours(de->d_name))
                c->devshm++;
        closedir(d);
    }
}

bool support_ipc_settles(const struct ipc_counts *want, double timeout_s, struct ipc_counts *got)
{
    double end = support_now() + timeout_s;
    for (;;) {
        support_ipc_counts(got);
        if (got->sem == want->sem && got->msg == want->msg && got->shm == want->shm &&
            got->devshm == want->devshm)
            return true;
        if (support_now() > end)
            return false;
        struct timespec ts = {0, 20 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
}

bool support_procs_gone(const char *token, double timeout_s)
{
    double end = support_now() + timeout_s;
    pid_t pids[8];
    for (;;) {
        support_reap_strays();
        if (support_token_procs(token, pids, 8) == 0)
            return true;
        if (support_now() > end)
            return false;
        struct timespec ts = {0, 20 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
}

int support_capture(const char *const argv[], char *out, size_t len)
{
    int fds[2];
    if (len == 0 || pipe2(fds, O_CLOEXEC) < 0)
        return -1;
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, fds[1], STDOUT_FILENO);
    pid_t pid;
    int rc = posix_spawnp(&pid, argv[0], &fa, NULL, (char *const *)argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    close(fds[1]);
    if (rc != 0) {
        close(fds[0]);
        return -1;
    }
    size_t got = 0;
    for (;;) {
        ssize_t n = read(fds[0], out + got, len - 1 - got);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        got += (size_t)n;
        if (got >= len - 1)
            break;
    }
    out[got] = '\0';
    close(fds[0]);
    int st;
    while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
        ;
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

long support_field(const char *text, const char *key)
{
    const char *p = text;
    size_t kl = strlen(key);
    while ((p = strstr(p, key))) {
        /* a whole key: not the tail of a longer word */
        if ((p == text || !isalnum((unsigned char)p[-1])) && p[kl] != '\0') {
            char *end;
            long v = strtol(p + kl, &end, 10);
            if (end != p + kl)
                return v;
        }
        p += kl;
    }
    return -1;
}

const char *support_last_line(const char *text, const char *needle, char *buf, size_t len)
{
    const char *hit = NULL;
    for (const char *p = text; p && (p = strstr(p, needle)); p++)
        hit = p;
    if (!hit || len == 0)
        return NULL;
    const char *start = hit;
    while (start > text && start[-1] != '\n')
        start--;
    const char *end = strchr(hit, '\n');
    size_t n = end ? (size_t)(end - start) : strlen(start);
    if (n >= len)
        n = len - 1;
    memcpy(buf, start, n);
    buf[n] = '\0';
    return buf;
}

static char tmpdir[64];

const char *support_tmpdir(void)
{
    if (!tmpdir[0]) {
        snprintf(tmpdir, sizeof tmpdir, "/tmp/ipcplay-test-XXXXXX");
        if (!mkdtemp(tmpdir)) {
            tmpdir[0] = '\0';
            return "/tmp";
        }
        setenv("TMPDIR", tmpdir, 1);
    }
    return tmpdir;
}

void support_tmpdir_done(void)
{
    if (tmpdir[0]) {
        rmdir(tmpdir);
        tmpdir[0] = '\0';
    }
}

int support_dir_entries(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        return -1;
    int n = 0;
    struct dirent *de;
    while ((de = readdir(d))) {
        if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
            continue;
        n++;
        if (de->d_type == DT_DIR) {
            char sub[512];
            snprintf(sub, sizeof sub, "%s/%s", dir, de->d_name);
            int k = support_dir_entries(sub);
            if (k > 0)
                n += k;
        }
    }
    closedir(d);
    return n;
}

bool support_dir_empties(const char *dir, double timeout_s)
{
    double end = support_now() + timeout_s;
    for (;;) {
        if (support_dir_entries(dir) == 0)
            return true;
        if (support_now() > end)
            return false;
        struct timespec ts = {0, 20 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
}
