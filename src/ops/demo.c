/* demo.c — the demonstration ops: sleep (think), repeat (a loop over the
 * ops after it), and 16-byte records written to a file through an fd that
 * may be shared, then read back and counted. Each op's entry: what it does in
 * a child, its "doing" text, what it changes in the model and how the story
 * tells it. NONE is no op: it names "nothing" in events and refuses to run. */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../engine/ops.h"
#include "../model/model.h"
#include "op.h"
#include "../model/i18n.h"

#define RECORD_LEN 16

/* ---- in the child ------------------------------------------------------ */

/* An event only the engine or the runner writes: it is no step of a role. */
int ops_not_a_step(struct runner *r, const struct op *op)
{
    (void)r;
    (void)op;
    errno = EINVAL;
    return -1;
}

static int run_sleep(struct runner *r, const struct op *op)
{
    int ms = (op->flags & OPF_PER_INSTANCE) ? op->ms * r->instance : op->ms;
    struct event ev = runner_event(r, op, PH_BEGIN);
    ev.sleep.ns = (int64_t)gate_scale_ns(r->gate, ms);
    runner_begin(r, &ev);
    gate_delay(r->gate, ms);
    ev.sleep.ns = 0;
    runner_end(r, &ev, 0, 0);
    return 0;
}

/* count times the `body` ops after it (OPF_SPLIT: the count shared out among
 * the role's instances, the first count % instances getting one more). */
static int run_repeat(struct runner *r, const struct op *op)
{
    int count = op->count;
    if ((op->flags & OPF_SPLIT) && r->instances > 0)
        count = op->count / r->instances + (r->instance <= op->count % r->instances ? 1 : 0);
    int body = op->body;
    if (r->list_end && body > r->list_end - op - 1)
        body = (int)(r->list_end - op - 1);
    const struct op *end = r->list_end;
    for (int k = 0; k < count; k++)
        if (runner_run_list(r, op + 1, body))
            return OPS_END_ROLE;
    r->list_end = end;
    return 0;
}

/* One record "name-N     #0001\n" to slot arg0 at the fd's offset. */
static int run_record(struct runner *r, const struct op *op)
{
    struct event ev = runner_event(r, op, PH_BEGIN);
    ev.record.fd = runner_slot(r, op->arg0);
    ev.record.seq = ++r->record_seq;
    char name[32], rec[RECORD_LEN + 8];
    role_instance_name(r->plan ? r->plan->roles[r->role].name : "p", r->instance, name,
                       sizeof name);
    snprintf(rec, sizeof rec, "%-10.10s#%04u\n", name, (unsigned)ev.record.seq % 10000u);
    runner_begin(r, &ev);
    ssize_t n;
    do
        n = write(ev.record.fd, rec, RECORD_LEN);
    while (n < 0 && errno == EINTR);
    int err = errno;
    ev.record.offset = lseek(ev.record.fd, 0, SEEK_CUR);
    return runner_end(r, &ev, (int32_t)n, err);
}

/* Read the whole file behind slot arg0 (pread: the offset is not moved) and
 * count intact, distinct records (the result). */
static int run_file_check(struct runner *r, const struct op *op)
{
    struct event ev = runner_event(r, op, PH_BEGIN);
    int fd = ev.file_check.fd = runner_slot(r, op->arg0);
    runner_begin(r, &ev);
    struct stat st;
    if (fstat(fd, &st) < 0)
        return runner_end(r, &ev, -1, errno);
    size_t size = (size_t)st.st_size;
    char *buf = malloc(size + 1);
    char(*seen)[RECORD_LEN] = calloc(size / RECORD_LEN + 1, RECORD_LEN);
    if (!buf || !seen) {
        free(buf);
        free(seen);
        return runner_end(r, &ev, -1, ENOMEM);
    }
    ssize_t got = pread(fd, buf, size, 0);
    int intact = 0, bad = 0;
    for (size_t off = 0; got > 0 && off + RECORD_LEN <= (size_t)got; off += RECORD_LEN) {
        const char *rec = buf + off;
        bool ok = rec[10] == '#' && rec[15] == '\n';
        for (int k = 11; ok && k < 15; k++)
            ok = rec[k] >= '0' && rec[k] <= '9';
        for (int k = 0; ok && k < intact; k++)
            if (memcmp(seen[k], rec, RECORD_LEN) == 0)
                ok = false;
        if (ok)
            memcpy(seen[intact++], rec, RECORD_LEN);
        else
            bad++;
    }
    if (got > 0 && (size_t)got % RECORD_LEN)
        bad++;
    free(buf);
    free(seen);
    ev.file_check.size = (int64_t)size;
    ev.file_check.bad = bad;
    return runner_end(r, &ev, intact, 0);
}

/* ---- in the model ------------------------------------------------------ */

static void doing_sleep(const struct event *ev, char *buf, size_t len)
{
    snprintf(buf, len, "thinking");
}

static void doing_record(const struct event *ev, char *buf, size_t len)
{
    snprintf(buf, len, "write(fd %d)", ev->record.fd);
}

static void doing_file_check(const struct event *ev, char *buf, size_t len)
{
    snprintf(buf, len, "pread(fd %d)", ev->file_check.fd);
}

static void apply_record(struct model *m, const struct event *ev, struct op_ctx *cx)
{
    if (ev->phase == PH_END && ev->result == RECORD_LEN)
        model_fact_add(m, "records.written", 1);
}

static struct model_line *story_record(struct model *m, const struct event *ev, struct op_ctx *cx)
{
    if (ev->phase != PH_END)
        return NULL;
    struct model_line *l = model_new_line(m, ev->t_ns, cx->pi, LINE_EVENT);
    model_line_say(l, _("write(fd %d, record %d, 16 bytes) -> the fd's offset is now %lld"),
                   ev->record.fd, ev->record.seq, (long long)ev->record.offset);
    return l;
}

static void apply_file_check(struct model *m, const struct event *ev, struct op_ctx *cx)
{
    if (ev->phase != PH_END)
        return;
    model_fact_set(m, "file.intact", ev->result);
    model_fact_set(m, "file.size", ev->file_check.size);
    model_fact_set(m, "file.bad", ev->file_check.bad);
}

static struct model_line *story_file_check(struct model *m, const struct event *ev,
                                           struct op_ctx *cx)
{
    if (ev->phase != PH_END)
        return NULL;
    struct model_line *l = model_new_line(m, ev->t_ns, cx->pi, LINE_EVENT);
    model_line_say(l,
                   _("reads the file back: %lld bytes, %d intact records, %lld overwritten or "
                     "damaged"),
                   (long long)ev->file_check.size, ev->result, (long long)ev->file_check.bad);
    return l;
}

/* ---- the entries ------------------------------------------------------- */

/* Payload fields by name, for recordings (model/field.h); pads are left out. */
static const struct field payload_sleep[] = {FLD(struct ev_sleep, ns), FLD_END};
static const struct field payload_record[] = {FLD(struct ev_record, fd), FLD(struct ev_record, seq),
                                              FLD(struct ev_record, offset), FLD_END};
static const struct field payload_file_check[] = {FLD(struct ev_file_check, fd),
                                                  FLD(struct ev_file_check, size),
                                                  FLD(struct ev_file_check, bad), FLD_END};

const struct op_entry op_entry_NONE = {
    .name = "none", .verb = "does nothing", .run = ops_not_a_step};
const struct op_entry op_entry_SLEEP = {.payload = payload_sleep,
                                        .name = "sleep",
                                        .verb = "sleeps",
                                        .run = run_sleep,
                                        .doing = doing_sleep};
const struct op_entry op_entry_REPEAT = {.name = "repeat", .verb = "repeats", .run = run_repeat};
const struct op_entry op_entry_RECORD = {.payload = payload_record,
                                         .name = "record",
                                         .verb = "writes a record",
                                         .run = run_record,
                                         .touches_fds = true,
                                         .doing = doing_record,
                                         .apply = apply_record,
                                         .story = story_record};
const struct op_entry op_entry_FILE_CHECK = {.payload = payload_file_check,
                                             .name = "file_check",
                                             .verb = "reads the file back",
                                             .run = run_file_check,
                                             .doing = doing_file_check,
                                             .apply = apply_file_check,
                                             .story = story_file_check};
