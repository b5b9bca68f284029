/* codec.c — see codec.h. The writer formats text itself (a record a line, at
 * the rate a run makes them); the reader takes json-c's parse of a line. */
#include "codec.h"
#include "../model/i18n.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- the descriptions, one per record kind ------------------------------ */

static const struct field f_run_start[] = {FLD_STR(struct rec_run_start, scenario),
                                           FLD_STR(struct rec_run_start, params),
                                           FLD_STRS(struct rec_run_start, role_names),
                                           FLD(struct rec_run_start, nroles),
                                           FLD(struct rec_run_start, live),
                                           FLD_END};
static const struct field f_run_state[] = {FLD(struct rec_run_state, state),
                                           FLD(struct rec_run_state, step_tokens),
                                           FLD_F64(struct rec_run_state, speed), FLD_END};
static const struct field f_proc_add[] = {
    FLD(struct rec_proc_add, pid),       FLD(struct rec_proc_add, ppid),
    FLD(struct rec_proc_add, role),      FLD(struct rec_proc_add, instance),
    FLD(struct rec_proc_add, forked),    FLD(struct rec_proc_add, parent0),
    FLD_STR(struct rec_proc_add, name),  FLD_CHAR(struct rec_proc_add, state),
    FLD_STR(struct rec_proc_add, doing), FLD_END};
static const struct field f_semset_add[] = {FLD(struct rec_semset_add, index),
                                            FLD(struct rec_semset_add, semid),
                                            FLD(struct rec_semset_add, nsems),
                                            FLD(struct rec_semset_add, lockmask),
                                            FLD_ARR(struct rec_semset_add, init),
                                            FLD_STRS(struct rec_semset_add, name),
                                            FLD_END};
static const struct field f_shmseg_add[] = {FLD(struct rec_shmseg_add, index),
                                            FLD(struct rec_shmseg_add, shmid),
                                            FLD(struct rec_shmseg_add, kind),
                                            FLD(struct rec_shmseg_add, stats),
                                            FLD(struct rec_shmseg_add, ring_slots),
                                            FLD(struct rec_shmseg_add, mode),
                                            FLD(struct rec_shmseg_add, segsz),
                                            FLD_STR(struct rec_shmseg_add, name),
                                            FLD_END};
static const struct field f_msgq_add[] = {
    FLD(struct rec_msgq_add, index), FLD(struct rec_msgq_add, msqid),
    FLD(struct rec_msgq_add, mode), FLD(struct rec_msgq_add, qbytes), FLD_END};
static const struct field f_rundir[] = {FLD_STR(struct rec_rundir, path), FLD_END};
static const struct field f_runfile[] = {FLD(struct rec_runfile, index),
                                         FLD_STR(struct rec_runfile, name), FLD_END};
static const struct field f_say[] = {FLD(struct rec_say, kind),       FLD(struct rec_say, pid),
                                     FLD_STR(struct rec_say, who),    FLD_STR(struct rec_say, what),
                                     FLD_STR(struct rec_say, detail), FLD_END};
static const struct field f_check[] = {FLD_STR(struct model_check, name),
                                       FLD(struct model_check, status),
                                       FLD_STR(struct model_check, detail), FLD_END};
static const struct field f_cs_plan[] = {FLD(struct rec_cs_plan, expected),
                                         FLD(struct rec_cs_plan, nsections), FLD_END};
static const struct field f_run_error[] = {FLD_STR(struct rec_run_error, hint), FLD_END};
/* An event's common part; op, phase, its time and payload are written apart. */
static const struct field f_event[] = {FLD(struct event, pid),      FLD(struct event, role),
                                       FLD(struct event, instance), FLD(struct event, flags),
                                       FLD(struct event, result),   FLD(struct event, err),
                                       FLD(struct event, obj),      FLD_END};
static const struct field f_kernel[] = {
    FLD(struct model_kernel, nr),      FLD_ARR(struct model_kernel, args),
    FLD(struct model_kernel, semid),   FLD(struct model_kernel, nsops),
    FLD(struct model_kernel, sem_num), FLD(struct model_kernel, sem_op),
    FLD(struct model_kernel, sem_flg), FLD_STR(struct model_kernel, text),
    FLD(struct model_kernel, msgcall), FLD(struct model_kernel, msqid),
    FLD(struct model_kernel, msgtyp),  FLD(struct model_kernel, msgflg),
    FLD(struct model_kernel, msgsz),   FLD_END};
static const struct field f_sample_proc[] = {FLD(struct sample_proc, pid),
                                             FLD(struct sample_proc, flags),
                                             FLD_CHAR(struct sample_proc, state),
                                             FLD_STR(struct sample_proc, comm),
                                             FLD(struct sample_proc, ppid),
                                             FLD(struct sample_proc, zombie_status),
                                             FLD(struct sample_proc, minflt),
                                             FLD(struct sample_proc, majflt),
                                             FLD(struct sample_proc, utime),
                                             FLD(struct sample_proc, stime),
                                             FLD(struct sample_proc, rss_pages),
                                             FLD_SUB(struct sample_proc, kernel, f_kernel),
                                             FLD_STR(struct sample_proc, path),
                                             FLD_STR(struct sample_proc, exe),
                                             FLD_STR(struct sample_proc, exe_before),
                                             FLD_END};
static const struct field f_self[] = {FLD(struct sample_self, pid), FLD(struct sample_self, utime),
                                      FLD(struct sample_self, stime),
                                      FLD(struct sample_self, rss_pages), FLD_END};
static const struct field f_fd[] = {FLD(struct model_fd, fd),    FLD_STR(struct model_fd, target),
                                    FLD(struct model_fd, ino),   FLD(struct model_fd, pos),
                                    FLD(struct model_fd, flags), FLD(struct model_fd, scm_fds),
                                    FLD(struct model_fd, ofd),   FLD_END};
static const struct field f_fds[] = {
    FLD(struct model_fdtable, pid), FLD(struct model_fdtable, nfds),
    FLD(struct model_fdtable, more), FLD_SUBS(struct model_fdtable, fds, f_fd), FLD_END};
static const struct field f_perm[] = {
    FLD(struct model_ipc_perm, key),  FLD(struct model_ipc_perm, uid),
    FLD(struct model_ipc_perm, gid),  FLD(struct model_ipc_perm, cuid),
    FLD(struct model_ipc_perm, cgid), FLD(struct model_ipc_perm, mode),
    FLD(struct model_ipc_perm, seq),  FLD_END};
static const struct field f_sem[] = {FLD(struct sample_semset, index),
                                     FLD(struct sample_semset, nsems),
                                     FLD(struct sample_semset, mode),
                                     FLD(struct sample_semset, otime),
                                     FLD(struct sample_semset, ctime),
                                     FLD_SUB(struct sample_semset, perm, f_perm),
                                     FLD_ARR(struct sample_semset, val),
                                     FLD_ARR(struct sample_semset, ncnt),
                                     FLD_ARR(struct sample_semset, zcnt),
                                     FLD_ARR(struct sample_semset, lastpid),
                                     FLD_END};
static const struct field f_cs_sect[] = {
    FLD(struct sample_cs_section, occupancy), FLD(struct sample_cs_section, max_occupancy),
    FLD(struct sample_cs_section, counter), FLD(struct sample_cs_section, entries), FLD_END};
static const struct field f_cs[] = {
    FLD(struct sample_cs, occupancy), FLD(struct sample_cs, max_occupancy),
    FLD(struct sample_cs, entries), FLD_SUBS(struct sample_cs, sect, f_cs_sect), FLD_END};
static const struct field f_shm[] = {FLD(struct sample_shmseg, index),
                                     FLD(struct sample_shmseg, stat_ok),
                                     FLD(struct sample_shmseg, segsz),
                                     FLD(struct sample_shmseg, mode),
                                     FLD(struct sample_shmseg, nattch),
                                     FLD(struct sample_shmseg, cpid),
                                     FLD(struct sample_shmseg, lpid),
                                     FLD(struct sample_shmseg, atime),
                                     FLD(struct sample_shmseg, dtime),
                                     FLD(struct sample_shmseg, ctime),
                                     FLD_SUB(struct sample_shmseg, perm, f_perm),
                                     FLD(struct sample_shmseg, ino),
                                     FLD(struct sample_shmseg, has_peek),
                                     FLD(struct sample_shmseg, peek_len),
                                     FLD_HEX(struct sample_shmseg, peek),
                                     FLD(struct sample_shmseg, has_cs),
                                     FLD_SUB(struct sample_shmseg, cs, f_cs),
                                     FLD_END};
static const struct field f_msg_peek[] = {
    FLD(struct model_msg_peek, type), FLD(struct model_msg_peek, len),
    FLD(struct model_msg_peek, role), FLD(struct model_msg_peek, instance),
    FLD(struct model_msg_peek, seq),  FLD_END};
static const struct field f_msq[] = {FLD(struct sample_msgq, index),
                                     FLD(struct sample_msgq, removed),
                                     FLD(struct sample_msgq, mode),
                                     FLD(struct sample_msgq, qnum),
                                     FLD(struct sample_msgq, cbytes),
                                     FLD(struct sample_msgq, qbytes),
                                     FLD(struct sample_msgq, lspid),
                                     FLD(struct sample_msgq, lrpid),
                                     FLD(struct sample_msgq, stime),
                                     FLD(struct sample_msgq, rtime),
                                     FLD(struct sample_msgq, ctime),
                                     FLD_SUB(struct sample_msgq, perm, f_perm),
                                     FLD(struct sample_msgq, peek_state),
                                     FLD(struct sample_msgq, npeek),
                                     FLD_SUBS(struct sample_msgq, peek, f_msg_peek),
                                     FLD_END};
static const struct field f_dl[] = {FLD(struct sample_deadlock, n),
                                    FLD_STR(struct sample_deadlock, text), FLD_END};
static const struct field f_end[] = {FLD(struct sample_end, wall_s), FLD_END};
static const struct field f_detail_fd[] = {
    FLD(struct model_detail_fd, fd), FLD(struct model_detail_fd, err),
    FLD(struct model_detail_fd, event_pipe), FLD_STR(struct model_detail_fd, target), FLD_END};
static const struct field f_detail_attach[] = {
    FLD(struct model_detail_attach, addr), FLD(struct model_detail_attach, size),
    FLD(struct model_detail_attach, shmid), FLD_STR(struct model_detail_attach, perms), FLD_END};
static const struct field f_detail[] = {FLD(struct model_proc_detail, pid),
                                        FLD_STR(struct model_proc_detail, wchan),
                                        FLD_STR(struct model_proc_detail, syscall),
                                        FLD(struct model_proc_detail, status_err),
                                        FLD_STR(struct model_proc_detail, status),
                                        FLD(struct model_proc_detail, fds_err),
                                        FLD(struct model_proc_detail, nfds),
                                        FLD(struct model_proc_detail, fds_more),
                                        FLD_SUBS(struct model_proc_detail, fds, f_detail_fd),
                                        FLD(struct model_proc_detail, maps_err),
                                        FLD(struct model_proc_detail, nattach),
                                        FLD_SUBS(struct model_proc_detail, attach, f_detail_attach),
                                        FLD_END};
static const struct field f_mapped[] = {FLD(struct detail_shm, index), FLD(struct detail_shm, n),
                                        FLD_ARR(struct detail_shm, pids), FLD_END};

static const struct field f_sys_begin[] = {FLD(struct sys_begin, seq), FLD_END};
static const struct field f_sys_sem[] = {FLD(struct sys_sem, val), FLD(struct sys_sem, ncnt),
                                         FLD(struct sys_sem, zcnt), FLD(struct sys_sem, pid),
                                         FLD_END};
static const struct field f_sys_obj[] = {FLD(struct sys_obj, kind),
                                         FLD(struct sys_obj, id),
                                         FLD_STR(struct sys_obj, name),
                                         FLD_STR(struct sys_obj, owner),
                                         FLD(struct sys_obj, key),
                                         FLD(struct sys_obj, uid),
                                         FLD(struct sys_obj, gid),
                                         FLD(struct sys_obj, cuid),
                                         FLD(struct sys_obj, cgid),
                                         FLD(struct sys_obj, mode),
                                         FLD(struct sys_obj, detail_err),
                                         FLD(struct sys_obj, ctime),
                                         FLD(struct sys_obj, nsems),
                                         FLD(struct sys_obj, otime),
                                         FLD(struct sys_obj, nvals),
                                         FLD_SUBS(struct sys_obj, sem, f_sys_sem),
                                         FLD(struct sys_obj, cbytes),
                                         FLD(struct sys_obj, qnum),
                                         FLD(struct sys_obj, qbytes),
                                         FLD(struct sys_obj, lspid),
                                         FLD(struct sys_obj, lrpid),
                                         FLD(struct sys_obj, stime),
                                         FLD(struct sys_obj, rtime),
                                         FLD(struct sys_obj, segsz),
                                         FLD(struct sys_obj, nattch),
                                         FLD(struct sys_obj, cpid),
                                         FLD(struct sys_obj, lpid),
                                         FLD(struct sys_obj, atime),
                                         FLD(struct sys_obj, dtime),
                                         FLD(struct sys_obj, ours),
                                         FLD_END};
static const struct field f_sys_use[] = {
    FLD(struct sys_use, pid),    FLD(struct sys_use, kind),
    FLD(struct sys_use, id),     FLD(struct sys_use, how),
    FLD(struct sys_use, nsops),  FLD(struct sys_use, sem_num),
    FLD(struct sys_use, sem_op), FLD(struct sys_use, sem_flg),
    FLD(struct sys_use, msgtyp), FLD(struct sys_use, msgtyp_ok),
    FLD(struct sys_use, msgsz),  FLD(struct sys_use, addr),
    FLD(struct sys_use, size),   FLD_END};
static const struct field f_sys_proc[] = {FLD(struct sys_proc, pid),
                                          FLD(struct sys_proc, uid),
                                          FLD_STR(struct sys_proc, comm),
                                          FLD_CHAR(struct sys_proc, state),
                                          FLD(struct sys_proc, gone),
                                          FLD(struct sys_proc, nosys),
                                          FLD_END};
static const struct field f_sys_end[] = {
    FLD(struct sys_end, seq),     FLD(struct sys_end, wall_s),
    FLD(struct sys_end, nprocs),  FLD(struct sys_end, nosys),
    FLD(struct sys_end, nomaps),  FLD(struct sys_end, maps_read),
    FLD(struct sys_end, dropped), FLD(struct sys_end, attach_missing),
    FLD(struct sys_end, cost_ns), FLD_END};
static const struct field f_sys_limits[] = {
    FLD(struct sys_limits, msgmni), FLD(struct sys_limits, msgmax),
    FLD(struct sys_limits, msgmnb), FLD(struct sys_limits, shmmni),
    FLD(struct sys_limits, shmmax), FLD(struct sys_limits, shmall),
    FLD(struct sys_limits, shmmin), FLD(struct sys_limits, pagesize),
    FLD(struct sys_limits, semmni), FLD(struct sys_limits, semmsl),
    FLD(struct sys_limits, semmns), FLD(struct sys_limits, semopm),
    FLD(struct sys_limits, semvmx), FLD_END};
static const struct field f_sys_filter[] = {
    FLD_STR(struct sysipc_filter, user), FLD(struct sysipc_filter, key),
    FLD(struct sysipc_filter, has_key),  FLD(struct sysipc_filter, sort),
    FLD(struct sysipc_filter, all),      FLD_END};

static const struct field f_tree_start[] = {
    FLD(struct tree_start, mode),     FLD(struct tree_start, root),
    FLD(struct tree_start, traced),   FLD_STR(struct tree_start, argv),
    FLD_STR(struct tree_start, note), FLD_END};
static const struct field f_tree_begin[] = {FLD(struct tree_begin, seq), FLD_END};
static const struct field f_tree_proc[] = {FLD(struct tree_proc, pid),
                                           FLD(struct tree_proc, ppid),
                                           FLD_CHAR(struct tree_proc, state),
                                           FLD_STR(struct tree_proc, comm),
                                           FLD(struct tree_proc, nr),
                                           FLD_ARR(struct tree_proc, args),
                                           FLD(struct tree_proc, zombie_status),
                                           FLD(struct tree_proc, nfds),
                                           FLD_END};
static const struct field f_tree_link_end[] = {FLD(struct tree_link_end, pid),
                                               FLD(struct tree_link_end, fd),
                                               FLD(struct tree_link_end, mode), FLD_END};
static const struct field f_tree_link[] = {FLD(struct tree_link, kind),
                                           FLD(struct tree_link, ino),
                                           FLD_STR(struct tree_link, name),
                                           FLD(struct tree_link, n),
                                           FLD_SUBS(struct tree_link, end, f_tree_link_end),
                                           FLD_END};
static const struct field f_tree_exit[] = {
    FLD(struct tree_exit, pid), FLD(struct tree_exit, status), FLD(struct tree_exit, by), FLD_END};
static const struct field f_tree_end[] = {FLD(struct tree_end, seq), FLD(struct tree_end, nprocs),
                                          FLD(struct tree_end, dropped), FLD_END};
static const struct field f_trace_sop[] = {FLD(struct trace_sop, num), FLD(struct trace_sop, op),
                                           FLD(struct trace_sop, flg), FLD_END};
static const struct field f_trace_call[] = {
    FLD(struct trace_call, pid),      FLD(struct trace_call, nr),
    FLD(struct trace_call, phase),    FLD(struct trace_call, err),
    FLD_ARR(struct trace_call, args), FLD(struct trace_call, ret),
    FLD(struct trace_call, nsops),    FLD_SUBS(struct trace_call, sops, f_trace_sop),
    FLD(struct trace_call, semval),   FLD(struct trace_call, msgtyp),
    FLD_STR(struct trace_call, path), FLD(struct trace_call, scm_fds),
    FLD_ARR(struct trace_call, fds),  FLD_END};

static const struct field *const kind_fields[REC__COUNT] = {
    [REC_RUN_START] = f_run_start,
    [REC_RUN_STATE] = f_run_state,
    [REC_PROC_ADD] = f_proc_add,
    [REC_SEMSET_ADD] = f_semset_add,
    [REC_SHMSEG_ADD] = f_shmseg_add,
    [REC_MSGQ_ADD] = f_msgq_add,
    [REC_RUNDIR] = f_rundir,
    [REC_RUNFILE] = f_runfile,
    [REC_SAY] = f_say,
    [REC_CHECK] = f_check,
    [REC_CS_PLAN] = f_cs_plan,
    [REC_RUN_ERROR] = f_run_error,
    [REC_EVENT] = f_event,
    [REC_SAMPLE_PROC] = f_sample_proc,
    [REC_SAMPLE_SELF] = f_self,
    [REC_SAMPLE_FDS] = f_fds,
    [REC_SAMPLE_SEMSET] = f_sem,
    [REC_SAMPLE_SHMSEG] = f_shm,
    [REC_SAMPLE_MSGQ] = f_msq,
    [REC_SAMPLE_DEADLOCK] = f_dl,
    [REC_SAMPLE_END] = f_end,
    [REC_DETAIL_PROC] = f_detail,
    [REC_DETAIL_SHM] = f_mapped,
    [REC_SYS_BEGIN] = f_sys_begin,
    [REC_SYS_OBJ] = f_sys_obj,
    [REC_SYS_USE] = f_sys_use,
    [REC_SYS_PROC] = f_sys_proc,
    [REC_SYS_END] = f_sys_end,
    [REC_SYS_LIMITS] = f_sys_limits,
    [REC_SYS_FILTER] = f_sys_filter,
    [REC_TREE_START] = f_tree_start,
    [REC_TREE_BEGIN] = f_tree_begin,
    [REC_TREE_PROC] = f_tree_proc,
    [REC_TREE_LINK] = f_tree_link,
    [REC_TREE_EXIT] = f_tree_exit,
    [REC_TREE_END] = f_tree_end,
    [REC_TRACE_CALL] = f_trace_call,
};

const struct field *codec_fields(enum record_kind kind)
{
    return (int)kind > 0 && kind < REC__COUNT ? kind_fields[kind] : NULL;
}

enum record_kind codec_kind_from_name(const char *name)
{
    for (int k = 1; k < REC__COUNT; k++)
        if (strcmp(record_kind_name((enum record_kind)k), name) == 0)
            return (enum record_kind)k;
    return REC_NONE;
}

static const char *const phase_names[] = {"begin", "end", "note"};

/* ---- the text buffer ------------------------------------------------------ */

void codec_buf_free(struct codec_buf *b)
{
    free(b->s);
    *b = (struct codec_buf){0};
}

static int buf_room(struct codec_buf *b, size_t n)
{
    if (b->len + n + 1 <= b->cap)
        return 0;
    size_t cap = b->cap ? b->cap : 4096;
    while (cap < b->len + n + 1)
        cap *= 2;
    char *s = realloc(b->s, cap);
    if (!s) {
        b->oom = 1;
        return -1;
    }
    b->s = s;
    b->cap = cap;
    return 0;
}

void codec_buf_put(struct codec_buf *b, const char *s, size_t n)
{
    if (buf_room(b, n) < 0)
        return;
    memcpy(b->s + b->len, s, n);
    b->len += n;
    b->s[b->len] = 0;
}

void codec_buf_printf(struct codec_buf *b, const char *fmt, ...)
{
    char tmp[512];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    if (n > 0)
        codec_buf_put(b, tmp, (size_t)n < sizeof tmp ? (size_t)n : sizeof tmp - 1);
}

void codec_buf_jstr(struct codec_buf *b, const char *s, size_t n)
{
    if (buf_room(b, n * 6 + 2) < 0)
        return;
    char *o = b->s + b->len;
    *o++ = '"';
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '"' || c == '\\') {
            *o++ = '\\';
            *o++ = (char)c;
        } else if (c < 0x20 || c >= 0x7f) {
            o += sprintf(o, "\\u%04x", c);
        } else {
            *o++ = (char)c;
        }
    }
    *o++ = '"';
    *o = 0;
    b->len = (size_t)(o - b->s);
}

void codec_buf_u64(struct codec_buf *b, unsigned long long v)
{
    char tmp[24];
    char *e = tmp + sizeof tmp, *p = e;
    do {
        *--p = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    codec_buf_put(b, p, (size_t)(e - p));
}

void codec_buf_i64(struct codec_buf *b, long long v)
{
    if (v < 0) {
        codec_buf_put(b, "-", 1);
        codec_buf_u64(b, 0ull - (unsigned long long)v);
    } else {
        codec_buf_u64(b, (unsigned long long)v);
    }
}

/* "name": (with a comma before it unless first) */
static void put_key(struct codec_buf *b, const char *name, bool first)
{
    size_t n = strlen(name);
    if (buf_room(b, n + 4) < 0)
        return;
    char *o = b->s + b->len;
    if (!first)
        *o++ = ',';
    *o++ = '"';
    memcpy(o, name, n);
    o += n;
    *o++ = '"';
    *o++ = ':';
    *o = 0;
    b->len = (size_t)(o - b->s);
}

/* ---- writing ---------------------------------------------------------------- */

static uint64_t get_u(const unsigned char *p, size_t size)
{
    switch (size) {
    case 1: return *p;
    case 2: {
        uint16_t v;
        memcpy(&v, p, 2);
        return v;
    }
    case 4: {
        uint32_t v;
        memcpy(&v, p, 4);
        return v;
    }
    default: {
        uint64_t v;
        memcpy(&v, p, 8);
        return v;
    }
    }
}

static int64_t get_s(const unsigned char *p, size_t size)
{
    switch (size) {
    case 1: return (int8_t)*p;
    case 2: {
        int16_t v;
        memcpy(&v, p, 2);
        return v;
    }
    case 4: {
        int32_t v;
        memcpy(&v, p, 4);
        return v;
    }
    default: {
        int64_t v;
        memcpy(&v, p, 8);
        return v;
    }
    }
}

static bool all_zero(const unsigned char *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (p[i])
            return false;
    return true;
}

static bool elem_zero(const struct field *f, const unsigned char *p)
{
    if (f->type == FT_STR)
        return p[0] == 0;
    return all_zero(p, f->size);
}

static void write_fields(struct codec_buf *b, const struct field *desc, const unsigned char *base,
                         bool first);

static void write_elem(struct codec_buf *b, const struct field *f, const unsigned char *p)
{
    switch (f->type) {
    case FT_SINT: codec_buf_i64(b, (long long)get_s(p, f->size)); break;
    case FT_UINT: codec_buf_u64(b, (unsigned long long)get_u(p, f->size)); break;
    case FT_F64: {
        double d;
        memcpy(&d, p, sizeof d);
        codec_buf_printf(b, "%.17g", d == d && d - d == 0 ? d : 0.0);
        break;
    }
    case FT_CHAR: codec_buf_jstr(b, (const char *)p, 1); break;
    case FT_STR: codec_buf_jstr(b, (const char *)p, strnlen((const char *)p, f->size)); break;
    case FT_HEX: {
        size_t n = f->size;
        while (n > 0 && !p[n - 1])
            n--;
        static const char hx[] = "0123456789abcdef";
        if (buf_room(b, 2 * n + 2) < 0)
            break;
        char *o = b->s + b->len;
        *o++ = '"';
        for (size_t i = 0; i < n; i++) {
            *o++ = hx[p[i] >> 4];
            *o++ = hx[p[i] & 15];
        }
        *o++ = '"';
        *o = 0;
        b->len = (size_t)(o - b->s);
        break;
    }
    case FT_SUB:
        codec_buf_put(b, "{", 1);
        write_fields(b, f->sub, p, true);
        codec_buf_put(b, "}", 1);
        break;
    case FT_END: break;
    }
}

/* ,"name":value, an array cut to its first n elements. */
static void write_field(struct codec_buf *b, const struct field *f, const unsigned char *p,
                        size_t n, bool first)
{
    put_key(b, f->name, first);
    if (f->count == 1) {
        write_elem(b, f, p);
        return;
    }
    codec_buf_put(b, "[", 1);
    for (size_t i = 0; i < n; i++) {
        if (i)
            codec_buf_put(b, ",", 1);
        write_elem(b, f, p + i * f->size);
    }
    codec_buf_put(b, "]", 1);
}

/* Elements of an array up to its last non-zero one. */
static size_t used_count(const struct field *f, const unsigned char *p)
{
    size_t n = f->count;
    while (n > 0 && elem_zero(f, p + (n - 1) * f->size))
        n--;
    return n;
}

/* ,"name":value for every field that is not zero. */
static void write_fields(struct codec_buf *b, const struct field *desc, const unsigned char *base,
                         bool first)
{
    for (const struct field *f = desc; f->name; f++) {
        const unsigned char *p = base + f->offset;
        size_t n = used_count(f, p);
        if (n == 0)
            continue;
        write_field(b, f, p, n, first);
        first = false;
    }
}

/* The bytes of a payload its description does not cover must be zero;
 * when they are not, the whole payload is written as "raw" too. */
static bool payload_covered(const struct field *desc, const unsigned char *pl, size_t n)
{
    unsigned char copy[sizeof(union op_payload)] = {0};
    for (const struct field *f = desc; f && f->name; f++)
        if (f->offset + f->size * f->count <= n)
            memcpy(copy + f->offset, pl + f->offset, f->size * f->count);
    return memcmp(copy, pl, n) == 0;
}

static void write_event(struct codec_buf *b, const struct record *r)
{
    const struct event *ev = &r->u.ev;
    const struct op_entry *oe = op_entry(ev->op);
    put_key(b, "op", false);
    if (oe) {
        codec_buf_jstr(b, oe->name, strlen(oe->name));
    } else {
        codec_buf_u64(b, ev->op);
    }
    put_key(b, "phase", false);
    if (ev->phase < 3) {
        codec_buf_put(b, "\"", 1);
        codec_buf_put(b, phase_names[ev->phase], strlen(phase_names[ev->phase]));
        codec_buf_put(b, "\"", 1);
    } else {
        codec_buf_u64(b, ev->phase);
    }
    if (ev->t_ns != r->t_ns) {
        put_key(b, "ev_t", false);
        codec_buf_u64(b, (unsigned long long)ev->t_ns);
    }
    write_fields(b, f_event, (const unsigned char *)ev, false);
    const unsigned char *pl = ev->payload;
    const struct field *pd = oe ? oe->payload : NULL;
    if (pd && !all_zero(pl, sizeof ev->payload)) {
        size_t mark = b->len;
        codec_buf_put(b, ",\"p\":{", 6);
        size_t inner = b->len;
        write_fields(b, pd, pl, true);
        if (b->len == inner)
            b->len = mark; /* nothing named was set */
        else
            codec_buf_put(b, "}", 1);
    }
    if (!payload_covered(pd, pl, sizeof ev->payload)) {
        static const struct field raw = {"raw", FT_HEX, 0, sizeof ev->payload, 1, NULL};
        codec_buf_put(b, ",\"raw\":", 7);
        write_elem(b, &raw, pl);
    }
}

static void write_head(struct codec_buf *b, const struct record *r)
{
    codec_buf_put(b, "{\"t\":", 5);
    codec_buf_u64(b, (unsigned long long)r->t_ns);
    codec_buf_put(b, ",\"k\":\"", 6);
    const char *k = record_kind_name(r->kind);
    codec_buf_put(b, k, strlen(k));
    codec_buf_put(b, "\"", 1);
}

void codec_write_record(struct codec_buf *b, const struct record *r)
{
    write_head(b, r);
    if (r->kind == REC_EVENT)
        write_event(b, r);
    else if (codec_fields(r->kind))
        write_fields(b, codec_fields(r->kind), (const unsigned char *)&r->u, false);
    codec_buf_put(b, "}", 1);
}

/* ---- reading ---------------------------------------------------------------- */

struct rd {
    char *err;
    size_t errlen;
};

static int bad(struct rd *c, const struct field *f, const char *why)
{
    snprintf(c->err, c->errlen, _("field '%s' %s"), f->name, why);
    return -1;
}

static void put_int(unsigned char *p, size_t size, uint64_t v)
{
    switch (size) {
    case 1: *p = (uint8_t)v; break;
    case 2: {
        uint16_t x = (uint16_t)v;
        memcpy(p, &x, 2);
        break;
    }
    case 4: {
        uint32_t x = (uint32_t)v;
        memcpy(p, &x, 4);
        break;
    }
    default: memcpy(p, &v, 8); break;
    }
}

/* A string as the writer wrote it: code points up to U+00FF are bytes; cut
 * to size (records' strings may be cut). */
static void get_str(json_object *j, unsigned char *p, size_t size)
{
    const unsigned char *s = (const unsigned char *)json_object_get_string(j);
    size_t n = (size_t)json_object_get_string_len(j), o = 0;
    for (size_t i = 0; i < n && o < size; i++) {
        if ((s[i] & 0xe0) == 0xc0 && i + 1 < n && (s[i + 1] & 0xc0) == 0x80 && s[i] <= 0xc3) {
            p[o++] = (unsigned char)(((s[i] & 0x03) << 6) | (s[i + 1] & 0x3f));
            i++;
        } else {
            p[o++] = s[i];
        }
    }
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

static int read_fields(struct rd *c, json_object *o, const struct field *desc, unsigned char *base);

static int read_elem(struct rd *c, const struct field *f, json_object *j, unsigned char *p)
{
    json_type t = json_object_get_type(j);
    switch (f->type) {
    case FT_SINT:
    case FT_UINT:
        if (t != json_type_int)
            return bad(c, f, "is not an integer");
        put_int(p, f->size,
                f->type == FT_SINT ? (uint64_t)json_object_get_int64(j)
                                   : json_object_get_uint64(j));
        return 0;
    case FT_F64: {
        if (t != json_type_int && t != json_type_double)
            return bad(c, f, "is not a number");
        double d = json_object_get_double(j);
        memcpy(p, &d, sizeof d);
        return 0;
    }
    case FT_CHAR:
    case FT_STR:
        if (t != json_type_string)
            return bad(c, f, "is not a string");
        get_str(j, p, f->size);
        return 0;
    case FT_HEX: {
        if (t != json_type_string)
            return bad(c, f, "is not a hex string");
        const char *s = json_object_get_string(j);
        size_t n = (size_t)json_object_get_string_len(j);
        if (n % 2 || n / 2 > f->size)
            return bad(c, f, "has a bad length");
        for (size_t i = 0; i < n / 2; i++) {
            int hi = hexval(s[2 * i]), lo = hexval(s[2 * i + 1]);
            if (hi < 0 || lo < 0)
                return bad(c, f, "is not hex");
            p[i] = (unsigned char)(hi << 4 | lo);
        }
        return 0;
    }
    case FT_SUB:
        if (t != json_type_object)
            return bad(c, f, "is not an object");
        return read_fields(c, j, f->sub, p);
    case FT_END: break;
    }
    return bad(c, f, "has no type");
}

static int read_fields(struct rd *c, json_object *o, const struct field *desc, unsigned char *base)
{
    for (const struct field *f = desc; f->name; f++) {
        json_object *j;
        if (!json_object_object_get_ex(o, f->name, &j) || !j)
            continue; /* left out: zero */
        unsigned char *p = base + f->offset;
        if (f->count == 1) {
            if (read_elem(c, f, j, p) < 0)
                return -1;
            continue;
        }
        if (!json_object_is_type(j, json_type_array))
            return bad(c, f, "is not an array");
        size_t n = json_object_array_length(j);
        if (n > f->count)
            return bad(c, f, "has too many elements");
        for (size_t i = 0; i < n; i++)
            if (read_elem(c, f, json_object_array_get_idx(j, i), p + i * f->size) < 0)
                return -1;
    }
    return 0;
}

static int read_event(struct rd *c, json_object *o, struct record *r)
{
    struct event *ev = &r->u.ev;
    json_object *j;
    ev->t_ns = r->t_ns;
    if (!json_object_object_get_ex(o, "op", &j) || !j) {
        snprintf(c->err, c->errlen, _("event without an op"));
        return -1;
    }
    if (json_object_is_type(j, json_type_string)) {
        int op = op_from_name(json_object_get_string(j));
        if (op < 0) {
            snprintf(c->err, c->errlen, _("unknown op '%.40s'"), json_object_get_string(j));
            return -1;
        }
        ev->op = (uint8_t)op;
    } else if (json_object_is_type(j, json_type_int)) {
        ev->op = (uint8_t)json_object_get_int(j);
    } else {
        snprintf(c->err, c->errlen, _("field 'op' is neither a name nor a number"));
        return -1;
    }
    if (json_object_object_get_ex(o, "phase", &j) && j) {
        const char *s = json_object_get_string(j);
        int ph = json_object_is_type(j, json_type_int) ? json_object_get_int(j) : -1;
        for (int i = 0; i < 3; i++)
            if (json_object_is_type(j, json_type_string) && strcmp(s, phase_names[i]) == 0)
                ph = i;
        if (ph < 0 || ph > 255) {
            snprintf(c->err, c->errlen, _("unknown phase '%.40s'"), s);
            return -1;
        }
        ev->phase = (uint8_t)ph;
    }
    static const struct field ev_t = {"ev_t", FT_UINT, 0, 8, 1, NULL};
    static const struct field raw = {"raw", FT_HEX, 0, sizeof(union op_payload), 1, NULL};
    if (json_object_object_get_ex(o, "ev_t", &j) && j &&
        read_elem(c, &ev_t, j, (unsigned char *)&ev->t_ns) < 0)
        return -1;
    if (read_fields(c, o, f_event, (unsigned char *)ev) < 0)
        return -1;
    if (json_object_object_get_ex(o, "raw", &j) && j && read_elem(c, &raw, j, ev->payload) < 0)
        return -1;
    const struct op_entry *oe = op_entry(ev->op);
    if (json_object_object_get_ex(o, "p", &j) && j) {
        if (!json_object_is_type(j, json_type_object) || !oe || !oe->payload) {
            snprintf(c->err, c->errlen, _("field 'p' does not fit op %s"), op_name(ev->op));
            return -1;
        }
        return read_fields(c, j, oe->payload, ev->payload);
    }
    return 0;
}

int codec_read_record(json_object *o, struct record *r, char *err, size_t errlen)
{
    struct rd c = {err, errlen};
    json_object *jt, *jk;
    if (!json_object_is_type(o, json_type_object)) {
        snprintf(err, errlen, _("not a JSON object"));
        return -1;
    }
    if (!json_object_object_get_ex(o, "k", &jk) || !json_object_is_type(jk, json_type_string)) {
        snprintf(err, errlen, _("no record kind (\"k\")"));
        return -1;
    }
    enum record_kind kind = codec_kind_from_name(json_object_get_string(jk));
    if (kind == REC_NONE) {
        snprintf(err, errlen, _("unknown record kind '%.40s'"), json_object_get_string(jk));
        return -1;
    }
    if (!json_object_object_get_ex(o, "t", &jt) || !json_object_is_type(jt, json_type_int)) {
        snprintf(err, errlen, _("no time (\"t\")"));
        return -1;
    }
    record_init(r, kind, json_object_get_uint64(jt));
    if (kind == REC_EVENT)
        return read_event(&c, o, r);
    const struct field *d = codec_fields(kind);
    return d ? read_fields(&c, o, d, (unsigned char *)&r->u) : 0;
}

/* ---- normalising -------------------------------------------------------------- */

static void normalize_fields(const struct field *desc, unsigned char *base)
{
    for (const struct field *f = desc; f && f->name; f++)
        for (size_t i = 0; i < f->count; i++) {
            unsigned char *p = base + f->offset + i * f->size;
            if (f->type == FT_STR) {
                size_t n = strnlen((const char *)p, f->size);
                memset(p + n, 0, f->size - n);
            } else if (f->type == FT_SUB) {
                normalize_fields(f->sub, p);
            }
        }
}

void codec_normalize(struct record *r)
{
    if (r->kind == REC_EVENT) {
        const struct op_entry *oe = op_entry(r->u.ev.op);
        if (oe && oe->payload)
            normalize_fields(oe->payload, r->u.ev.payload);
        return;
    }
    normalize_fields(codec_fields(r->kind), (unsigned char *)&r->u);
}

/* ---- delta records (version 2) ------------------------------------------------ */

/* The kinds written as deltas, and how many leading fields of their
 * description are the key (0: one object of that kind). */
static int delta_keys(enum record_kind kind)
{
    switch (kind) {
    case REC_SAMPLE_PROC:
    case REC_SAMPLE_SELF:
    case REC_SAMPLE_FDS:
    case REC_SAMPLE_SEMSET:
    case REC_SAMPLE_SHMSEG:
    case REC_SAMPLE_MSGQ:
    case REC_DETAIL_PROC:
    case REC_DETAIL_SHM:
    case REC_SYS_PROC:
    case REC_TREE_PROC: return 1;
    case REC_SAMPLE_DEADLOCK:
    case REC_SAMPLE_END:
    case REC_SYS_END:
    case REC_TREE_END: return 0;
    default: return -1;
    }
}

bool codec_delta_kind(enum record_kind kind)
{
    return delta_keys(kind) >= 0;
}

/* The writer holds at most this many keys (the reader holds all it sees):
 * a record whose key did not fit is written whole. */
#define DELTA_MAX_KEYS 65536

struct delta_slot {
    int kind; /* 0: empty */
    uint64_t key;
    struct record *r;
};

struct codec_delta {
    struct delta_slot *slot;
    size_t cap, n;
    struct record tmp;
};

struct codec_delta *codec_delta_new(void)
{
    return calloc(1, sizeof(struct codec_delta));
}

void codec_delta_free(struct codec_delta *d)
{
    if (!d)
        return;
    for (size_t i = 0; i < d->cap; i++)
        free(d->slot[i].r);
    free(d->slot);
    free(d);
}

static uint64_t delta_key(const struct record *r)
{
    const struct field *f = codec_fields(r->kind);
    if (delta_keys(r->kind) < 1 || !f || !f->name)
        return 0;
    const unsigned char *p = (const unsigned char *)&r->u + f->offset;
    return f->type == FT_SINT ? (uint64_t)get_s(p, f->size) : get_u(p, f->size);
}

static struct delta_slot *delta_find(struct codec_delta *d, int kind, uint64_t key)
{
    if (!d->cap)
        return NULL;
    size_t mask = d->cap - 1;
    size_t h = (size_t)((key * 0x9e3779b97f4a7c15ull) ^ ((uint64_t)kind * 0xff51afd7ed558ccdull));
    for (size_t i = h & mask;; i = (i + 1) & mask) {
        struct delta_slot *s = &d->slot[i];
        if (!s->kind || (s->kind == kind && s->key == key))
            return s;
    }
}

static bool delta_grow(struct codec_delta *d)
{
    size_t cap = d->cap ? d->cap * 2 : 256;
    struct delta_slot *old = d->slot;
    size_t oldcap = d->cap;
    d->slot = calloc(cap, sizeof *d->slot);
    if (!d->slot) {
        d->slot = old;
        return false;
    }
    d->cap = cap;
    for (size_t i = 0; i < oldcap; i++)
        if (old[i].kind)
            *delta_find(d, old[i].kind, old[i].key) = old[i];
    free(old);
    return true;
}

/* Keep r as the last of its key; false when it could not be kept. */
static bool delta_keep(struct codec_delta *d, const struct record *r, size_t max_keys)
{
    uint64_t key = delta_key(r);
    struct delta_slot *s = delta_find(d, r->kind, key);
    if (!s || !s->kind) {
        if (d->n >= max_keys)
            return false;
        if ((d->n + 1) * 2 > d->cap) {
            if (!delta_grow(d))
                return false;
        }
        s = delta_find(d, r->kind, key);
        s->r = malloc(sizeof *s->r);
        if (!s->r)
            return false;
        s->kind = r->kind;
        s->key = key;
        d->n++;
    }
    memcpy(s->r, r, record_size(r->kind));
    return true;
}

static const struct record *delta_prev(struct codec_delta *d, const struct record *r)
{
    struct delta_slot *s = delta_find(d, r->kind, delta_key(r));
    return s && s->kind ? s->r : NULL;
}

/* The same value, as a reader would read it back (strings up to their NUL,
 * structs field by field: padding does not count). */
static bool field_equal(const struct field *f, const unsigned char *a, const unsigned char *b)
{
    if (f->type != FT_SUB)
        return memcmp(a, b, f->size * f->count) == 0;
    for (size_t i = 0; i < f->count; i++)
        for (const struct field *s = f->sub; s->name; s++)
            if (!field_equal(s, a + i * f->size + s->offset, b + i * f->size + s->offset))
                return false;
    return true;
}

void codec_write_record_delta(struct codec_buf *b, const struct record *r, struct codec_delta *d)
{
    int nkeys = delta_keys(r->kind);
    const struct field *desc = codec_fields(r->kind);
    if (!d || nkeys < 0 || !desc) {
        codec_write_record(b, r);
        return;
    }
    struct record *cur = &d->tmp;
    memcpy(cur, r, record_size(r->kind));
    codec_normalize(cur);
    const struct record *prev = delta_prev(d, cur);
    if (!prev) {
        codec_write_record(b, cur);
        delta_keep(d, cur, DELTA_MAX_KEYS);
        return;
    }
    write_head(b, cur);
    codec_buf_put(b, ",\"d\":1", 6);
    const unsigned char *pc = (const unsigned char *)&cur->u, *pp = (const unsigned char *)&prev->u;
    int i = 0;
    for (const struct field *f = desc; f->name; f++, i++) {
        const unsigned char *p = pc + f->offset;
        if (i < nkeys) { /* the key, so a reader finds the record it changes */
            size_t n = used_count(f, p);
            if (n)
                write_field(b, f, p, n, false);
        } else if (!field_equal(f, p, pp + f->offset)) {
            write_field(b, f, p, used_count(f, p), false); /* a zero too */
        }
    }
    codec_buf_put(b, "}", 1);
    delta_keep(d, cur, DELTA_MAX_KEYS);
}

int codec_read_record_delta(json_object *o, struct record *r, struct codec_delta *d, char *err,
                            size_t errlen)
{
    json_object *jd;
    bool delta = json_object_object_get_ex(o, "d", &jd) && jd;
    if (!delta) {
        if (codec_read_record(o, r, err, errlen) < 0)
            return -1;
        if (d && codec_delta_kind(r->kind))
            delta_keep(d, r, SIZE_MAX);
        return 0;
    }
    /* read as a whole record first: kind, time and the key (always written) */
    if (codec_read_record(o, r, err, errlen) < 0)
        return -1;
    if (!d || !codec_delta_kind(r->kind) || !json_object_is_type(jd, json_type_int) ||
        json_object_get_int(jd) != 1) {
        snprintf(err, errlen, "a delta (\"d\") where there can be none (%s)",
                 record_kind_name(r->kind));
        return -1;
    }
    const struct record *prev = delta_prev(d, r);
    if (!prev) {
        snprintf(err, errlen, "a delta %s with no earlier record of that key to change",
                 record_kind_name(r->kind));
        return -1;
    }
    /* then the earlier record, every field the line names replacing its own whole */
    const struct field *desc = codec_fields(r->kind);
    memcpy(&r->u, &prev->u, record_size(r->kind) - offsetof(struct record, u));
    for (const struct field *f = desc; f->name; f++) {
        json_object *j;
        if (json_object_object_get_ex(o, f->name, &j) && j)
            memset((unsigned char *)&r->u + f->offset, 0, f->size * f->count);
    }
    struct rd c = {err, errlen};
    if (read_fields(&c, o, desc, (unsigned char *)&r->u) < 0)
        return -1;
    delta_keep(d, r, SIZE_MAX);
    return 0;
}
