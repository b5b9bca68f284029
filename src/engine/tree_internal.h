/* tree_internal.h — the watched tree's state, shared by tree.c (processes,
 * samples, reaping), tree_procs.c (the /proc walk) and trace.c (ptrace and
 * seccomp). */
#ifndef IPCPLAY_TREE_INTERNAL_H
#define IPCPLAY_TREE_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "../model/tree.h"
#include "tree.h"

#define TREE_TRACK_MAX TREE_MAX_PROCS

struct tracee {
    pid_t pid;
    bool started;           /* its first stop (a new child's SIGSTOP) was taken */
    bool in_call;           /* between a seccomp stop and its exit stop */
    bool held;              /* stopped at a seccomp stop, not resumed (pause/step) */
    bool blocked;           /* told "blocks" for the current call */
    struct trace_call call; /* the call in progress */
};

struct engine_tree {
    int mode; /* enum tree_mode */
    pid_t root;
    pid_t anchor; /* leads the group; kept unreaped while registered; 0 none */
    bool traced;
    bool root_reaped;
    int outfd; /* read end of the program's stdout/stderr; -1 */
    int infd;  /* write end of its stdin (watch --stdin); -1 */
    bool stdin_pipe;
    char outbuf[512];
    size_t outlen;
    char comm[16]; /* the program's name, for output lines */
    int procfd;    /* /proc */
    uint64_t seq;
    pid_t known[TREE_TRACK_MAX]; /* pids of the tree seen so far (alive) */
    int nknown;
    struct tracee tracees[TREE_TRACK_MAX];
    int ntracees;
    int gate;                 /* TREE_GATE_* */
    int tokens;               /* calls step still lets through */
    pid_t step_pid;           /* step of one process only; 0 any */
    int via;                  /* TREE_VIA_PTRACE or TREE_VIA_PRELOAD, when traced */
    struct hook_shared *hook; /* the interposer's rings (preload); NULL */
    int hook_fd, hook_wake;   /* its memfd and eventfd; -1 */
    char **hook_env;          /* the program's environment (preload) */
    int hook_timer;           /* timerfd: look again soon while calls stream in; -1 */
    int hook_polled;          /* the fd the loop polls for calls now; -1 */
    bool hook_streaming;      /* the last drain found calls */
};

struct engine_tree *tree_state(const struct engine *e);
/* Is pid one of the tree's known processes? Add one (fork event, adoption). */
bool tree_known(const struct engine_tree *t, pid_t pid);
void tree_add_known(struct engine_tree *t, pid_t pid);
void tree_emit_exit(struct engine *e, pid_t pid, int status, int by);

/* tree_procs.c: one sample of the tree: REC_TREE_BEGIN, PROC..., LINK...,
 * END. Updates t->known from the /proc walk. */
void tree_procs_sample(struct engine *e, struct engine_tree *t);

/* trace.c */
/* Can calls be traced here? false with the reason in why. */
bool trace_supported(char *why, size_t len);
/* In the forked child before exec: be traced, stop, install the seccomp
 * filter. Returns only on success; on failure it _exits with a message. */
void trace_child_prepare(void);
/* In ipcplay after the fork: take the child's first stop and set the
 * options. 0, or -1 with errno. */
int trace_attach(pid_t pid);
/* A waitpid status of a traced process: 1 handled (a stop), 0 not a stop. */
int trace_on_status(struct engine *e, struct engine_tree *t, pid_t pid, int status);
/* Resume held tracees as the gate now allows. */
void trace_release(struct engine *e, struct engine_tree *t);
void trace_forget(struct engine_tree *t, pid_t pid);

/* hookmode.c: tracing by preload (see there). */
struct hook_shared;
int hook_find_library(char *out, size_t len);
bool hook_program_fits(const char *path, char *why, size_t len);
int hook_open(struct engine_tree *t);
void hook_close(struct engine_tree *t);
char **hook_environ(struct engine_tree *t, const char *lib);
void hook_free_environ(char **env);
int hook_child_fds(const struct engine_tree *t); /* in the child */
int hook_pollfd(const struct engine_tree *t);
void hook_arm(struct engine_tree *t);
int hook_drain(struct engine *e, struct engine_tree *t); /* engine flags */
void hook_gate(struct engine_tree *t);

#endif
