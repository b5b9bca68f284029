/* demo.h — the demonstration ops (ops/demo.c): nothing, sleep, repeat, and
 * the records written to a shared file and read back. Their event payloads. */
#ifndef IPCPLAY_OPS_DEMO_H
#define IPCPLAY_OPS_DEMO_H

#include <stdint.h>

#define OPS_DEMO(X) X(NONE) X(SLEEP) X(REPEAT) X(RECORD) X(FILE_CHECK)

struct ev_sleep {
    int32_t pad[4];
    int64_t ns; /* begin: how long, at the run's speed */
    int64_t pad2;
};

struct ev_record {
    int32_t fd;
    int32_t seq; /* this process's record number */
    int32_t pad[2];
    int64_t offset; /* end: the fd's offset after the write */
    int64_t pad2;
};

struct ev_file_check {
    int32_t fd;
    int32_t pad[3];
    int64_t size; /* end: the file's size (result: intact records) */
    int64_t bad;  /* records damaged or repeated */
};

/* one X-macro list, laid out by hand */
// clang-format off
#define PAYLOADS_DEMO                                                                    \
    struct ev_sleep sleep;                                                               \
    struct ev_record record;                                                             \
    struct ev_file_check file_check;
// clang-format on

#endif
