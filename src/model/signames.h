/* signames.h — the one way ipcplay names a signal, in the form kill -l and
 * strace print ("SIGTERM", "SIGRTMIN+3", "SIGRTMAX"), and the one parser of
 * what a person types for a signal ("TERM", "sigterm", "15", "RTMIN+3",
 * "SIGRTMAX-1"); the one way it names an errno ("EAGAIN") and tells a wait
 * status in words. Pure: no I/O, no state. */
#ifndef IPCPLAY_SIGNAMES_H
#define IPCPLAY_SIGNAMES_H

#include <stddef.h>

/* Returned by value so a caller can write signame(sig).s straight into a
 * printf argument list: the array lives until the end of that statement. */
struct signame {
    char s[20]; /* "signal -2147483648" fits */
};

/* "SIGTERM", "SIGRTMIN+2", "SIGRTMAX-1"; "signal N" for a number that has
 * no name (32 and 33, which the C library keeps for itself, or out of range). */
struct signame signame(int sig);

/* A signal a person may send: a name with or without SIG, any case, a
 * real-time name RTMIN, RTMIN+N, RTMAX-N, RTMAX, or a number 1..31 or
 * SIGRTMIN..SIGRTMAX. Returns the signal number, or -1. */
int signame_parse(const char *text);

/* "EAGAIN", "EIDRM"; "error" for a number with no name. */
const char *errname(int err);

/* A System V get call's flags in words: "IPC_CREAT|IPC_EXCL|0600", "0"
 * (the octal mode bits last; nothing else is named). */
void ipc_flags_text(int flags, char *buf, size_t len);

/* How a wait status is told, by where it is told. */
enum status_form {
    STATUS_STORY, /* "exited with status 3", "was killed by SIGKILL" */
    STATUS_WAIT,  /* what wait() collected: "exit status 3", "killed by SIGKILL" */
    STATUS_BRIEF, /* a panel column: "exited 3", "killed by SIGKILL" */
};
void wait_status_text(int status, enum status_form form, char *buf, size_t len);

#endif
