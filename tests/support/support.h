/* support.h — helpers for scenario and cleanup tests: run the real ipcplay
 * binary (no shell), capture its output, send it signals, and find what a run
 * left behind: System V objects, /dev/shm names, and processes (found by a
 * unique token in their environment, which forked children inherit). */
#ifndef IPCPLAY_TEST_SUPPORT_H
#define IPCPLAY_TEST_SUPPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

struct run {
    pid_t pid;  /* the ipcplay process we started (the guardian) */
    int out_fd; /* its stdout, non-blocking */
    char *out;  /* everything read so far, NUL-terminated */
    size_t len, cap;
    char token[64]; /* IPCPLAY_TEST_TOKEN value of this run */
    int status;     /* wait status once reaped, else -1 */
};

/* Put this test process (and every run it starts) in a private IPC namespace
 * when we may (root), so counting objects is not disturbed by anything else
 * on the machine, and become a child subreaper. Returns true when isolated. */
bool support_isolate_ipc(void);
/* Reap any exited orphan that came to us as subreaper. */
void support_reap_strays(void);

/* Start ipcplay with argv (argv[0] ignored; NULL-terminated). stderr goes to
 * the test's stderr. */
int support_start(struct run *r, const char *const argv[]);
/* Read what is available; wait up to timeout_s for `needle` to appear. */
bool support_wait_output(struct run *r, const char *needle, double timeout_s);
/* Wait for exit (reads all output). Returns the exit code, 128+sig, or -1 on timeout. */
int support_wait_exit(struct run *r, double timeout_s);
void support_free(struct run *r);
/* Run to completion: returns the exit code and leaves output in r->out. */
int support_run(struct run *r, const char *const argv[], double timeout_s);

/* The same, with what it wrote on stderr kept in err (NUL-terminated). A run
 * that does not end in time is stopped (SIGTERM, then SIGKILL) and -1 is
 * returned. */
int support_run_stderr(struct run *r, const char *const argv[], double timeout_s, char *err,
                       size_t errlen);

/* The pid of the dashboard (the guardian's child), or -1. */
pid_t support_dashboard_pid(const struct run *r, double timeout_s);

/* Processes still alive carrying this run's token. Returns how many; their
 * pids go into pids (up to max). */
int support_token_procs(const char *token, pid_t *pids, int max);

struct ipc_counts {
    int sem, msg, shm, devshm;
};
/* Objects visible now in /proc/sysvipc/ and the /dev/shm entries that are
 * ours (support_devshm_ours). */
void support_ipc_counts(struct ipc_counts *c);
/* A /dev/shm name ("ipcplay-PID-RUN-I") of a run this test process started,
 * or one whose dashboard is gone; not one of a run someone else has going. */
bool support_devshm_ours(const char *name);
/* Poll until counts equal `want` (or timeout). */
bool support_ipc_settles(const struct ipc_counts *want, double timeout_s, struct ipc_counts *got);
/* Poll until no process carries the token (or timeout). */
bool support_procs_gone(const char *token, double timeout_s);
double support_now(void);

/* Run a program (found on PATH, no shell) and capture its stdout into out
 * (NUL-terminated). Returns its exit status, or -1 if it could not start. */
int support_capture(const char *const argv[], char *out, size_t len);
/* The number after `key` in text ("qnum=" -> 3), or -1 when absent. */
long support_field(const char *text, const char *key);
/* The last line of text containing needle, copied into buf; NULL if none. */
const char *support_last_line(const char *text, const char *needle, char *buf, size_t len);

/* A private TMPDIR for the runs this test process starts, so their run
 * directories (FIFOs, socket files, temp files) can be counted: created on
 * first call and exported. support_tmpdir_done() removes it if empty. */
const char *support_tmpdir(void);
void support_tmpdir_done(void);
/* Entries in dir, recursively (not counting dir itself); -1 if unreadable. */
int support_dir_entries(const char *dir);
/* Poll until dir holds nothing (or timeout). */
bool support_dir_empties(const char *dir, double timeout_s);

#endif
