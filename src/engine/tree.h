/* tree.h — the engine's side of `ipcplay watch -- PROGRAM [ARGS]` and
 * `watch --pid PID`: run a program as a tracked tree (its own process group
 * led by an anchor, registered with the guardian; ipcplay its subreaper;
 * stdin from /dev/null, its output told as story lines), sample the tree's
 * processes, fds and zombies with each watch sample, reap what is ours, and
 * with tracing (trace.c) tell its IPC and process calls. Everything goes
 * into the model as REC_TREE_* / REC_TRACE_CALL records. */
#ifndef IPCPLAY_ENGINE_TREE_H
#define IPCPLAY_ENGINE_TREE_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "engine.h"

struct tree_opts {
    char *const *argv; /* the program and its arguments; NULL with pid */
    pid_t pid;         /* watch --pid: a running tree; 0 with argv */
    bool trace;        /* watch -- PROGRAM: trace its calls */
    int via;           /* how: TREE_VIA_AUTO (preload when it can), _PRELOAD, _PTRACE */
    int period_ms;     /* between samples */
    bool stdin_pipe;   /* watch --stdin: its stdin a pipe `input TEXT` writes to */
};

enum { TREE_VIA_AUTO, TREE_VIA_PRELOAD, TREE_VIA_PTRACE };

/* Check that argv[0] can be run (found in PATH, a regular file, executable)
 * before anything starts: 0, or -1 with one clear line in err. */
int tree_check_program(const char *prog, char *path, size_t pathlen, char *err, size_t errlen);
/* Start watching: the whole system's watch (engine_watch_system) narrowed
 * to the tree, and the tree itself. 0, or -1 with a message (nothing left
 * started). */
int engine_watch_tree(struct engine *e, const struct tree_opts *o, char *err, size_t errlen);
bool engine_tree_active(const struct engine *e);
/* The tree is over: its root was reaped and no process of it is left. */
bool engine_tree_done(const struct engine *e);
/* A stall was named. */
bool engine_tree_stalled(const struct engine *e);
/* Kill what is ours of the tree (its group, the processes it traced or we
 * adopted), reap them, forget the group. Idempotent. */
void engine_tree_stop(struct engine *e);
/* Hold the tree at its next traced call (pause), let it go (resume), or
 * let n calls through (of pid only, when pid > 0). -1 with a message when
 * the tree is not traced. */
int engine_tree_gate(struct engine *e, int mode, int n, pid_t pid, char *err, size_t errlen);
enum { TREE_GATE_RUN, TREE_GATE_PAUSE, TREE_GATE_STEP };
/* `input TEXT`: write text and a newline to the program's stdin (watch
 * --stdin); with eof, close it instead. 0, or -1 with one line in err. */
int engine_tree_input(struct engine *e, const char *text, bool eof, char *err, size_t errlen);
/* Signal one process of a tree ipcplay started, only while it is provably
 * the tree's (traced by us, or in the anchor's group); -1 (ESRCH) if not. */
int engine_tree_kill(struct engine *e, pid_t pid, int sig);

/* For engine.c's loop. */
int engine_tree_pollfd(const struct engine *e); /* its output; -1 */
int engine_tree_hookfd(struct engine *e);       /* preload's wake fd, armed; -1 */
int engine_tree_wakefd(const struct engine *e); /* the same fd, not armed */
int engine_tree_calls(struct engine *e);        /* preload's calls: engine flags */
int engine_tree_output(struct engine *e);       /* output readable: engine flags */
int engine_tree_sigchld(struct engine *e);      /* reap / trace stops: engine flags */
void engine_tree_sample(struct engine *e);      /* after each watch sample */
void engine_tree_free(struct engine *e);

#endif
