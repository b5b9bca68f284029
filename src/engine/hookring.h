/* hookring.h — the layout shared by the preload interposer
 * (src/hook/hook.c, loaded into a watched program with LD_PRELOAD) and the
 * engine (hookmode.c): one sealed memfd holding a header, the gate that
 * pause/step set, and one single-producer ring of traced calls per thread
 * of the tree, as the engine's own event rings (events.c) are. The engine
 * creates it, maps it, and hands it to the program as an inherited fd
 * named in IPCPLAY_HOOK_ENV ("RINGFD,WAKEFD"); the hook checks the fd is a
 * memfd sealed at exactly HOOK_MAP_LEN bytes with the magic and version
 * below before it maps it, and the wake fd an eventfd, or stays silent. */
#ifndef IPCPLAY_HOOKRING_H
#define IPCPLAY_HOOKRING_H

#include <stdatomic.h>
#include <stdint.h>

#include "../model/tree.h"

#define HOOK_ENV "IPCPLAY_HOOK"
#define HOOK_MAGIC 0x6b6f6f48636c7069ull /* "ipclHook" */
#define HOOK_VERSION 1
#define HOOK_SLOTS 1024   /* calls a ring holds (a power of two) */
#define HOOK_RINGS 128    /* threads of the tree that get a ring */
#define HOOK_GATE_START 3 /* held until the engine's loop first runs (as ptrace holds) */
#define HOOK_RING_FD 1000
#define HOOK_WAKE_FD 1001

struct hook_slot {
    uint64_t t_ns; /* CLOCK_MONOTONIC when it was written */
    struct trace_call c;
};

struct hook_ring {
    _Atomic uint32_t owner; /* the tid writing it */
    char pad0[60];
    _Atomic uint64_t tail; /* written by the producer */
    char pad1[56];
    _Atomic uint64_t head; /* written by the engine */
    char pad2[56];
    struct hook_slot slot[HOOK_SLOTS];
};

struct hook_shared {
    uint64_t magic;
    uint32_t version;
    uint32_t size_check;       /* sizeof(struct hook_shared), low 32 bits */
    _Atomic uint32_t sleeping; /* the engine is (about to be) asleep */
    _Atomic uint32_t nrings;
    _Atomic uint64_t full_waits; /* a producer found its ring full */
    _Atomic uint64_t lost;       /* calls of threads beyond HOOK_RINGS */
    /* The gate (pause/step), set by the engine; the hook waits on gen. */
    _Atomic uint32_t gate_gen;  /* bumped at every change (a futex word) */
    _Atomic uint32_t gate_mode; /* TREE_GATE_*, or HOOK_GATE_START */
    _Atomic int32_t tokens;     /* calls step still lets through */
    _Atomic int32_t step_pid;   /* step of one process only; 0 any */
    _Atomic uint32_t loaded;    /* processes where the hook started */
    char pad[12];
    struct hook_ring rings[HOOK_RINGS];
};

#define HOOK_MAP_LEN (sizeof(struct hook_shared))

#endif
