/* execfam.h — the exec family's op (ops/execfam.c): execl, execlp, execle,
 * execv or execvp of the helper, or of a program that does not exist. Its
 * event payload. */
#ifndef IPCPLAY_OPS_EXECFAM_H
#define IPCPLAY_OPS_EXECFAM_H

#include <stdint.h>

#define OPS_EXECFAM(X) X(EXECAS)

enum exec_variant { EXV_EXECL, EXV_EXECLP, EXV_EXECLE, EXV_EXECV, EXV_EXECVP, EXV__N };

/* begin: what it calls; end (only when exec returned): result -1 and errno. */
struct ev_execas {
    int32_t variant; /* enum exec_variant */
    int32_t missing; /* 1: a program name nobody has */
    int32_t ndirs;   /* p variants: directories in PATH */
    int32_t found;   /* p variants: the 1-based directory that has it, 0 none */
    int32_t envc;    /* e variant: entries in the envp it passes */
    int32_t pad[3];
};

#define PAYLOADS_EXECFAM struct ev_execas execas;

#endif
