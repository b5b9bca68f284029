/* hookmode.c — the engine's side of tracing by preload (--trace=preload):
 * choose the mode (a dynamically linked program and the interposer found
 * next to ipcplay: preload; a static or set-id program: ptrace), make the
 * shared rings (hookring.h) as a sealed memfd, hand them to the program
 * (fds HOOK_RING_FD and HOOK_WAKE_FD, LD_PRELOAD and IPCPLAY_HOOK in its
 * environment), drain them into REC_TRACE_CALL records in time order, and
 * set the gate pause/step read. The interposer itself is src/hook/hook.c.
 * The library is found relative to the running binary only (its directory,
 * then ../lib/ipcplay), never from a path read from a file or a variable. */
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/futex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include "engine_internal.h"
#include "hookring.h"
#include "tree_internal.h"

_Static_assert(TREE_GATE_RUN == 0 && TREE_GATE_PAUSE == 1 && TREE_GATE_STEP == 2,
               "the interposer reads the gate's numbers");

#define HOOK_LIB "libipcplay-hook.so"

int hook_find_library(char *out, size_t len)
{
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n <= 0)
        return -1;
    exe[n] = '\0';
    char *slash = strrchr(exe, '/');
    if (!slash)
        return -1;
    *slash = '\0';
    const char *tails[] = {"/" HOOK_LIB, "/../lib/ipcplay/" HOOK_LIB};
    for (size_t i = 0; i < sizeof tails / sizeof tails[0]; i++) {
        struct stat st;
        if ((size_t)snprintf(out, len, "%s%s", exe, tails[i]) < len && stat(out, &st) == 0 &&
            S_ISREG(st.st_mode))
            return 0;
    }
    out[0] = '\0';
    return -1;
}

/* Will the dynamic loader run for this program (an ELF with PT_INTERP,
 * not set-id, where LD_PRELOAD is ignored)? A script (#!) counts as
 * dynamic: its interpreter is. why says what when not. */
bool hook_program_fits(const char *path, char *why, size_t len)
{
    struct stat st;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0 || fstat(fd, &st) < 0) {
        snprintf(why, len, "cannot read %s", path);
        if (fd >= 0)
            close(fd);
        return false;
    }
    if (st.st_mode & (S_ISUID | S_ISGID)) {
        close(fd);
        snprintf(why, len, "a set-id program ignores LD_PRELOAD");
        return false;
    }
    Elf64_Ehdr eh;
    ssize_t n = pread(fd, &eh, sizeof eh, 0);
    if (n >= 2 && memcmp(&eh, "#!", 2) == 0) {
        close(fd);
        return true;
    }
    bool dyn = false;
    if (n == (ssize_t)sizeof eh && memcmp(eh.e_ident, ELFMAG, SELFMAG) == 0 &&
        eh.e_ident[EI_CLASS] == ELFCLASS64 && eh.e_phentsize == sizeof(Elf64_Phdr) &&
        eh.e_phnum < 256) {
        for (int i = 0; i < eh.e_phnum && !dyn; i++) {
            Elf64_Phdr ph;
            if (pread(fd, &ph, sizeof ph, (off_t)(eh.e_phoff + (uint64_t)i * sizeof ph)) !=
                (ssize_t)sizeof ph)
                break;
            dyn = ph.p_type == PT_INTERP;
        }
    }
    close(fd);
    if (!dyn)
        snprintf(why, len, "a statically linked program (no dynamic loader)");
    return dyn;
}

int hook_open(struct engine_tree *t)
{
    t->hook_fd = (int)syscall(SYS_memfd_create, "ipcplay-hook", MFD_CLOEXEC | MFD_ALLOW_SEALING);
    if (t->hook_fd < 0)
        return -1;
    if (ftruncate(t->hook_fd, (off_t)HOOK_MAP_LEN) < 0 ||
        fcntl(t->hook_fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL) < 0)
        return -1;
    void *p = mmap(NULL, HOOK_MAP_LEN, PROT_READ | PROT_WRITE, MAP_SHARED, t->hook_fd, 0);
    if (p == MAP_FAILED)
        return -1;
    t->hook = p;
    t->hook->magic = HOOK_MAGIC;
    t->hook->version = HOOK_VERSION;
    t->hook->size_check = (uint32_t)sizeof(struct hook_shared);
    /* Nothing goes through before the loop runs and a pause set right
     * after the start can hold it, as a ptrace stop waits for the loop. */
    atomic_store(&t->hook->gate_mode, HOOK_GATE_START);
    t->hook_wake = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    t->hook_timer = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
    return t->hook_wake < 0 || t->hook_timer < 0 ? -1 : 0;
}

void hook_close(struct engine_tree *t)
{
    if (t->hook)
        munmap(t->hook, HOOK_MAP_LEN);
    t->hook = NULL;
    if (t->hook_fd >= 0)
        close(t->hook_fd);
    if (t->hook_wake >= 0)
        close(t->hook_wake);
    if (t->hook_timer >= 0)
        close(t->hook_timer);
    t->hook_fd = t->hook_wake = t->hook_timer = t->hook_polled = -1;
    hook_free_environ(t->hook_env);
    t->hook_env = NULL;
}

/* The program's environment: ours, with the interposer first in
 * LD_PRELOAD and the two fd numbers. Built before the fork. */
char **hook_environ(struct engine_tree *t, const char *lib)
{
    extern char **environ;
    size_t n = 0;
    while (environ[n])
        n++;
    char **env = calloc(n + 3, sizeof *env);
    char *pre = NULL, *fds = NULL;
    const char *old = getenv("LD_PRELOAD");
    if (!env ||
        asprintf(&pre, "LD_PRELOAD=%s%s%s", lib, old && *old ? ":" : "", old ? old : "") < 0 ||
        asprintf(&fds, "%s=%d,%d", HOOK_ENV, HOOK_RING_FD, HOOK_WAKE_FD) < 0) {
        free(env);
        return NULL;
    }
    size_t k = 0;
    env[k++] = pre;
    env[k++] = fds;
    for (size_t i = 0; i < n; i++)
        if (strncmp(environ[i], "LD_PRELOAD=", 11) != 0 &&
            strncmp(environ[i], HOOK_ENV "=", sizeof HOOK_ENV) != 0)
            env[k++] = environ[i];
    env[k] = NULL;
    t->hook_env = env;
    return env;
}

void hook_free_environ(char **env)
{
    if (!env)
        return;
    free(env[0]);
    free(env[1]);
    free(env);
}

/* In the forked child: the rings and the wake fd at their fixed numbers,
 * kept across exec (dup2 clears close-on-exec). */
int hook_child_fds(const struct engine_tree *t)
{
    if (dup2(t->hook_fd, HOOK_RING_FD) < 0 || dup2(t->hook_wake, HOOK_WAKE_FD) < 0)
        return -1;
    return 0;
}

static bool waiting(const struct hook_shared *sh)
{
    uint32_t n = atomic_load(&sh->nrings);
    for (uint32_t i = 0; i < n && i < HOOK_RINGS; i++)
        if (atomic_load_explicit(&sh->rings[i].tail, memory_order_acquire) !=
            atomic_load_explicit(&sh->rings[i].head, memory_order_relaxed))
            return true;
    return false;
}

int hook_pollfd(const struct engine_tree *t)
{
    return t && t->hook ? t->hook_polled : -1;
}

/* Before the loop sleeps. While calls stream in, look again in a
 * millisecond rather than be woken: a wake-up costs the writer a system
 * call, which would double the cost of a traced call. Otherwise the next
 * call written must wake it; records already waiting wake it at once. */
void hook_arm(struct engine_tree *t)
{
    if (!t->hook)
        return;
    if (atomic_load(&t->hook->gate_mode) == HOOK_GATE_START)
        hook_gate(t);
    if (t->hook_streaming) {
        struct itimerspec its = {{0, 0}, {0, 1000 * 1000}};
        timerfd_settime(t->hook_timer, 0, &its, NULL);
        t->hook_polled = t->hook_timer;
        return;
    }
    t->hook_polled = t->hook_wake;
    atomic_store(&t->hook->sleeping, 1);
    atomic_thread_fence(memory_order_seq_cst);
    if (waiting(t->hook) && atomic_exchange(&t->hook->sleeping, 0)) {
        uint64_t one = 1;
        if (write(t->hook_wake, &one, sizeof one) < 0)
            return;
    }
}

/* Every call written so far, oldest first across the rings. */
int hook_drain(struct engine *e, struct engine_tree *t)
{
    if (!t || !t->hook)
        return 0;
    uint64_t v;
    while (read(t->hook_wake, &v, sizeof v) == (ssize_t)sizeof v)
        ;
    while (read(t->hook_timer, &v, sizeof v) == (ssize_t)sizeof v)
        ;
    struct hook_shared *sh = t->hook;
    int flags = 0;
    for (int budget = 0; budget < 200000; budget++) {
        uint32_t n = atomic_load(&sh->nrings);
        struct hook_ring *best = NULL;
        uint64_t best_t = 0;
        for (uint32_t i = 0; i < n && i < HOOK_RINGS; i++) {
            struct hook_ring *r = &sh->rings[i];
            uint64_t h = atomic_load_explicit(&r->head, memory_order_relaxed);
            if (atomic_load_explicit(&r->tail, memory_order_acquire) == h)
                continue;
            uint64_t ts = r->slot[h % HOOK_SLOTS].t_ns;
            if (!best || ts < best_t) {
                best = r;
                best_t = ts;
            }
        }
        if (!best)
            break;
        uint64_t h = atomic_load_explicit(&best->head, memory_order_relaxed);
        struct trace_call c = best->slot[h % HOOK_SLOTS].c;
        atomic_store_explicit(&best->head, h + 1, memory_order_release);
        c.path[sizeof c.path - 1] = '\0';
        if (c.phase == TRACE_EVENT && c.nr == SYS_fork && c.ret > 0)
            tree_add_known(t, (pid_t)c.ret);
        struct record r;
        record_init(&r, REC_TRACE_CALL, engine_now(e));
        r.u.trace_call = c;
        engine_emit(e, &r);
        flags |= ENGINE_CHANGED;
    }
    t->hook_streaming = flags != 0;
    return flags;
}

void hook_gate(struct engine_tree *t)
{
    if (!t->hook)
        return;
    struct hook_shared *sh = t->hook;
    atomic_store(&sh->tokens, t->tokens);
    atomic_store(&sh->step_pid, t->step_pid);
    atomic_store(&sh->gate_mode, (uint32_t)t->gate);
    atomic_fetch_add(&sh->gate_gen, 1);
    syscall(SYS_futex, &sh->gate_gen, FUTEX_WAKE, INT_MAX, NULL, NULL, 0);
}
