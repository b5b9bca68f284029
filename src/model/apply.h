/* apply.h — inside src/model only: the apply functions model_apply() hands
 * each kind of record to (record.c: the run and its objects; sample.c:
 * samples). */
#ifndef IPCPLAY_APPLY_H
#define IPCPLAY_APPLY_H

#include <string.h>

#include "record.h"

/* Copy a string field of a record, which may lack its terminating NUL: at
 * most srclen bytes, cut to fit dst, always terminated, the rest zeroed. */
static inline void apply_str(char *dst, size_t dstlen, const char *src, size_t srclen)
{
    const char *nul = memchr(src, '\0', srclen);
    size_t n = nul ? (size_t)(nul - src) : srclen;
    if (n >= dstlen)
        n = dstlen - 1;
    memcpy(dst, src, n);
    memset(dst + n, 0, dstlen - n);
}
#define APPLY_STR(dst, src) apply_str((dst), sizeof(dst), (src), sizeof(src))

void apply_sample_proc(struct model *m, uint64_t t, const struct sample_proc *s);
void apply_sample_self(struct model *m, const struct sample_self *s);
void apply_sample_fds(struct model *m, const struct model_fdtable *t);
void apply_sample_semset(struct model *m, const struct sample_semset *s);
void apply_sample_shmseg(struct model *m, const struct sample_shmseg *s);
void apply_sample_msgq(struct model *m, const struct sample_msgq *s);
void apply_sample_deadlock(struct model *m, uint64_t t, const struct sample_deadlock *s);
void apply_detail_proc(struct model *m, const struct model_proc_detail *d);
void apply_detail_shm(struct model *m, const struct detail_shm *d);

#endif
