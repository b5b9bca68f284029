/* fuzz_records.c — libFuzzer harness for what the model is made of: any
 * sequence of records (src/model/record.h), whatever their bytes, applied
 * with model_apply() as a live run, a recording or a replay will, then read
 * back the way the views read the model (the headless state line, the story,
 * the checks). Nothing may crash, read out of bounds or overflow: a record
 * file is input from outside. Input: for each record, one byte for its kind,
 * eight for its time, then up to record_size(kind) bytes of payload. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "model/inspect.h"
#include "model/model.h"
#include "model/record.h"

static struct model m;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    model_init(&m);
    const uint8_t *p = data, *end = data + size;
    static struct record r;
    while (end - p >= 9) {
        enum record_kind kind = (enum record_kind)(p[0] % REC__COUNT);
        uint64_t t;
        memcpy(&t, p + 1, sizeof t);
        p += 9;
        record_init(&r, kind, t);
        size_t n = record_size(kind);
        if (n > (size_t)(end - p))
            n = (size_t)(end - p);
        if (n > sizeof r.u)
            n = sizeof r.u;
        memcpy(&r.u, p, n);
        p += n;
        model_apply(&m, &r);
    }
    static char buf[1 << 16];
    model_format_state(&m, buf, sizeof buf);
    for (uint64_t i = 0; i < m.story_count; i++) {
        const struct model_line *l = model_story_line(&m, i);
        if (l)
            buf[0] = l->what[0];
    }
    for (int i = 0; i < m.nprocs && i < MODEL_MAX_PROCS; i++)
        model_proc_format(&m, &m.procs[i], buf, sizeof buf);
    /* What inspect windows show, for the targets a person can type. */
    static const char *const targets[] = {"sem", "shm", "msq", "worker-1", "1", "ipcplay"};
    static char title[256], err[256];
    for (size_t i = 0; i < sizeof targets / sizeof targets[0]; i++)
        model_inspect(&m, targets[i], title, sizeof title, buf, sizeof buf, err, sizeof err);
    return 0;
}
