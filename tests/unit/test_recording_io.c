/* test_recording_io.c — the recording format without running anything:
 * every record kind survives write and read (field by field, by name), and
 * every kind of bad file gets one clear line and exit status 2 (a cut file
 * is read up to where it ends); a write that fails mid-run (a file size
 * limit standing in for a full disk) stops the recording with a story line
 * and leaves whole lines only. */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>
#include <zlib.h>

#include "record/codec.h"
#include "record/recording.h"

static char dir[64];

static void setup(void)
{
    snprintf(dir, sizeof dir, "/tmp/ipcplay-recio-XXXXXX");
    cr_assert_not_null(mkdtemp(dir));
}

static void teardown(void)
{
    char cmd[128];
    /* the files each test made are removed by it; the directory must be empty */
    snprintf(cmd, sizeof cmd, "%s", dir);
    rmdir(cmd);
}

TestSuite(recio, .init = setup, .fini = teardown);

/* Each byte of the record's payload set from a pattern, through its fields. */
static void fill(struct record *r, enum record_kind kind, unsigned seed)
{
    record_init(r, kind, 1000u + seed);
    size_t n = record_size(kind) - offsetof(struct record, u);
    unsigned char *p = (unsigned char *)&r->u;
    for (size_t i = 0; i < n; i++)
        p[i] = (unsigned char)(seed * 31u + i * 7u + 1u);
    if (kind == REC_EVENT) {
        r->u.ev.op = (uint8_t)(seed % OP__COUNT);
        r->u.ev.phase = (uint8_t)(seed % 3);
    }
    codec_normalize(r);
}

/* Mark the bytes a description names (nested structs field by field). */
static void cover(const struct field *d, unsigned char *map, size_t base)
{
    for (; d && d->name; d++)
        for (size_t i = 0; i < d->count; i++) {
            size_t at = base + d->offset + i * d->size;
            if (d->type == FT_SUB)
                cover(d->sub, map, at);
            else
                memset(map + at, 1, d->size);
        }
}

Test(recio, every_field_is_described)
{
    for (int k = 1; k < REC__COUNT; k++) {
        if (k == REC_CLOCK || k == REC_EVENT)
            continue;
        size_t size = record_size((enum record_kind)k) - offsetof(struct record, u);
        static unsigned char map[sizeof(struct record)];
        memset(map, 0, sizeof map);
        cover(codec_fields((enum record_kind)k), map, 0);
        /* a hole of 8 bytes or more is no alignment padding: a field nobody named */
        size_t hole = 0, worst = 0;
        for (size_t i = 0; i < size; i++) {
            hole = map[i] ? 0 : hole + 1;
            worst = hole > worst ? hole : worst;
        }
        cr_expect(worst < 8, "%s: %zu bytes in a row are not named",
                  record_kind_name((enum record_kind)k), worst);
    }
}

Test(recio, every_kind_round_trips)
{
    for (int k = 1; k < REC__COUNT; k++)
        for (unsigned seed = 0; seed < (k == REC_EVENT ? 3u * OP__COUNT : 3u); seed++) {
            struct record a, b;
            cr_assert(k == REC_CLOCK || codec_fields((enum record_kind)k),
                      "record kind %s has no field description (codec.c kind_fields)",
                      record_kind_name((enum record_kind)k));
            fill(&a, (enum record_kind)k, seed);
            struct codec_buf buf = {0};
            codec_write_record(&buf, &a);
            json_object *o = json_tokener_parse(buf.s);
            cr_assert_not_null(o, "%s: not JSON: %.200s", record_kind_name(a.kind), buf.s);
            char err[160];
            cr_assert_eq(codec_read_record(o, &b, err, sizeof err), 0, "%s: %s",
                         record_kind_name(a.kind), err);
            json_object_put(o);
            size_t n = record_size(a.kind);
            /* padding inside the payload is not a field: compare what the
             * writer made of both */
            struct codec_buf buf2 = {0};
            codec_write_record(&buf2, &b);
            cr_expect_str_eq(buf.s, buf2.s, "%s", record_kind_name(a.kind));
            cr_expect(a.kind == b.kind && a.t_ns == b.t_ns && n > 0);
            codec_buf_free(&buf);
            codec_buf_free(&buf2);
        }
}

static void write_file(const char *name, const char *text, size_t len)
{
    char path[128];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    cr_assert_not_null(f);
    fwrite(text, 1, len, f);
    fclose(f);
}

static int load(const char *name, char *err, size_t errlen, int *status)
{
    char path[128];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    struct replay *rp = replay_new(NULL);
    int rc = replay_load(rp, path, NULL, NULL, err, errlen, status);
    replay_free(rp);
    unlink(path);
    return rc;
}

#define HDR "{\"format\":\"ipcplay-recording\",\"version\":1,\"scenario\":\"sem\"}\n"
#define REC1 "{\"t\":5,\"k\":\"clock\"}\n"
#define END "{\"end\":\"done\",\"elapsed_ns\":5,\"records\":1}\n"

static void bad(const char *name, const char *text, size_t len, const char *want)
{
    char err[512] = "";
    int status = 0;
    write_file(name, text, len);
    cr_expect_eq(load(name, err, sizeof err, &status), -1, "%s: accepted", name);
    cr_expect_eq(status, 2, "%s", name);
    cr_expect(strstr(err, want) != NULL, "%s: '%s' does not say '%s'", name, err, want);
    cr_expect(strchr(err, '\n') == NULL, "one line");
}

Test(recio, bad_files_get_one_line)
{
    char err[512];
    int status;
    write_file("good.jsonl", HDR REC1 END, strlen(HDR REC1 END));
    cr_expect_eq(load("good.jsonl", err, sizeof err, &status), 0, "%s", err);
    bad("empty.jsonl", "", 0, "empty file");
    bad("newer.jsonl", "{\"format\":\"ipcplay-recording\",\"version\":3}\n", 44, "version 3");
    bad("other.jsonl", "{\"format\":\"asciicast\"}\n", 23, "not an ipcplay recording");
    bad("kind.jsonl", HDR "{\"t\":1,\"k\":\"teleport\"}\n", strlen(HDR) + 23,
        "unknown record kind 'teleport'");
    bad("corrupt.jsonl", HDR "{\"t\":1,\"k\n" END, strlen(HDR END) + 10, ":2: not a JSON object");
    bad("field.jsonl", HDR "{\"t\":1,\"k\":\"say\",\"pid\":\"x\"}\n", strlen(HDR) + 29,
        "field 'pid' is not an integer");
    bad("op.jsonl", HDR "{\"t\":1,\"k\":\"event\",\"op\":\"warp\"}\n", strlen(HDR) + 33,
        "unknown op 'warp'");
    bad("fake.gz", "\x1f\x8b\x08\x00garbage-garbage", 19, "not a valid gzip stream");
    bad("binary.gz",
        "\x7f"
        "ELF\x02\x01",
        6, "not an ipcplay recording");
    struct replay *rp = replay_new(NULL);
    cr_expect_eq(replay_load(rp, dir, NULL, NULL, err, sizeof err, &status), -1);
    replay_free(rp);
    cr_expect(strstr(err, "is a directory") != NULL, "%s", err);
}

Test(recio, cut_files_load_what_is_there)
{
    char err[512];
    int status;
    /* no end line, then a half line: both load the whole records */
    write_file("noend.jsonl", HDR REC1 REC1, strlen(HDR REC1 REC1));
    cr_expect_eq(load("noend.jsonl", err, sizeof err, &status), 1);
    cr_expect(strstr(err, "cut short") != NULL, "%s", err);
    write_file("half.jsonl", HDR REC1 "{\"t\":9,\"k\":\"cl", strlen(HDR REC1) + 14);
    cr_expect_eq(load("half.jsonl", err, sizeof err, &status), 1, "%s", err);
    /* gzip cut in the middle, flushed as the recorder flushes (at samples) */
    size_t zlen = 65536;
    unsigned char *z = malloc(zlen);
    char path[128];
    snprintf(path, sizeof path, "%s/cut.jsonl.gz", dir);
    gzFile g = gzopen(path, "wb");
    gzwrite(g, HDR, (unsigned)strlen(HDR));
    for (int i = 0; i < 200; i++) {
        gzwrite(g, REC1, (unsigned)strlen(REC1));
        if (i % 20 == 0)
            gzflush(g, Z_SYNC_FLUSH);
    }
    gzclose(g);
    FILE *f = fopen(path, "r");
    size_t n = fread(z, 1, zlen, f);
    fclose(f);
    write_file("cut.jsonl.gz", (const char *)z, n - 12);
    free(z);
    cr_expect_eq(load("cut.jsonl.gz", err, sizeof err, &status), 1, "%s", err);
}

static int said;
static void on_say(void *ctx, const char *line)
{
    (void)ctx;
    said += strstr(line, "stopped") != NULL;
}

/* A child with a file size limit: the disk "fills up" at 64 KiB. */
static void record_until_full(const char *path)
{
    signal(SIGXFSZ, SIG_IGN);
    struct rlimit rl = {65536, 65536};
    setrlimit(RLIMIT_FSIZE, &rl);
    struct rec_header h;
    rec_header_init(&h, "sem", "workers=4", 1, "headless", 0, NULL);
    char err[256];
    struct recorder *rc = recorder_open(path, &h, err, sizeof err);
    if (!rc)
        _exit(10);
    recorder_set_say(rc, on_say, NULL);
    struct record r;
    for (int i = 0; i < 5000; i++) {
        /* a sample every 0.1 s: written a second at a time */
        record_init(&r, i % 10 == 9 ? REC_SAMPLE_END : REC_SAY, (uint64_t)i * 10000000u);
        if (r.kind == REC_SAY)
            snprintf(r.u.say.detail, sizeof r.u.say.detail, "line %d of a long run", i);
        recorder_tap(rc, &r);
    }
    bool ok = recorder_ok(rc);
    struct rec_trailer end = {.how = REC_END_DONE};
    int c = recorder_close(rc, &end, err, sizeof err);
    _exit(!ok && c < 0 && said == 1 ? 0 : 11);
}

Test(recio, full_disk_stops_the_recording_with_whole_lines)
{
    char path[128];
    snprintf(path, sizeof path, "%s/full.jsonl", dir);
    pid_t pid = fork();
    if (pid == 0)
        record_until_full(path);
    int st;
    waitpid(pid, &st, 0);
    cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0, "the recorder did not stop cleanly");
    struct replay *rp = replay_new(NULL);
    char err[512];
    int status;
    cr_expect_eq(replay_load(rp, path, NULL, NULL, err, sizeof err, &status), 1, "%s", err);
    cr_expect(replay_count(rp) > 100, "what was written is there (%zu records)", replay_count(rp));
    replay_free(rp);
    FILE *f = fopen(path, "r");
    fseek(f, -1, SEEK_END);
    cr_expect_eq(fgetc(f), '\n', "the file ends with a whole line");
    fclose(f);
    unlink(path);
}

/* Version 2: a sample of an object is written as what changed since its
 * last one; a reader makes the whole record again, field by field, also
 * when a field went back to zero, a string got shorter or an array shorter. */
Test(recio, delta_samples_read_back_whole)
{
    char path[128];
    snprintf(path, sizeof path, "%s/delta.jsonl", dir);
    struct rec_header h;
    rec_header_init(&h, "sem", "workers=2", 1, "headless", 0, NULL);
    char err[512];
    struct recorder *rc = recorder_open(path, &h, err, sizeof err);
    cr_assert_not_null(rc, "%s", err);
    enum { N = 40 };
    static struct record want[N];
    for (int i = 0; i < N; i++) {
        struct record *r = &want[i];
        int pid = 100 + i % 2;
        if (i % 5 == 4) {
            record_init(r, REC_SAMPLE_SEMSET, (uint64_t)i * 1000);
            r->u.sem.index = 0;
            r->u.sem.nsems = 3;
            r->u.sem.val[0] = i % 3;
            r->u.sem.val[2] = i % 4 == 0 ? 7 : 0; /* the array gets shorter */
            r->u.sem.perm.seq = i / 10;
        } else {
            record_init(r, REC_SAMPLE_PROC, (uint64_t)i * 1000);
            r->u.proc.pid = pid;
            r->u.proc.state = i % 3 ? 'S' : 'R';
            snprintf(r->u.proc.comm, sizeof r->u.proc.comm, "%s",
                     i % 7 ? "worker-1" : "w");   /* a shorter string */
            r->u.proc.utime = (uint64_t)(i / 6);  /* unchanged for a while */
            r->u.proc.minflt = i % 4 ? 0 : 5;     /* back to zero */
            r->u.proc.kernel.nr = i % 2 ? 64 : 0; /* a nested struct */
            r->u.proc.kernel.args[1] = (uint64_t)i % 3;
        }
        recorder_tap(rc, r);
    }
    struct rec_trailer end = {.how = REC_END_DONE};
    cr_assert_eq(recorder_close(rc, &end, err, sizeof err), 0, "%s", err);

    /* the file has delta lines, and an unchanged sample says only its key */
    FILE *f = fopen(path, "r");
    char line[4096];
    int deltas = 0, version2 = 0;
    while (fgets(line, sizeof line, f)) {
        deltas += strstr(line, "\"d\":1") != NULL;
        version2 += strstr(line, "\"version\":2") != NULL;
    }
    fclose(f);
    cr_expect_eq(version2, 1, "the header says version 2");
    cr_expect(deltas > N / 2, "%d delta lines of %d", deltas, N);

    int status;
    struct rec_reader *rd = rec_reader_open(path, &h, err, sizeof err, &status);
    cr_assert_not_null(rd, "%s", err);
    cr_expect_eq(h.version, 2);
    for (int i = 0; i < N; i++) {
        struct record got;
        cr_assert_eq(rec_reader_next(rd, &got, err, sizeof err), 1, "record %d: %s", i, err);
        struct codec_buf a = {0}, b = {0};
        codec_write_record(&a, &want[i]);
        codec_write_record(&b, &got);
        cr_expect_str_eq(b.s, a.s, "record %d", i);
        codec_buf_free(&a);
        codec_buf_free(&b);
    }
    struct record got;
    cr_expect_eq(rec_reader_next(rd, &got, err, sizeof err), 0);
    cr_expect_not_null(rec_reader_trailer(rd));
    rec_reader_close(rd);
    unlink(path);
}

#define HDR2 "{\"format\":\"ipcplay-recording\",\"version\":2,\"scenario\":\"sem\"}\n"

Test(recio, delta_without_its_record_is_refused)
{
#define ORPHAN HDR2 "{\"t\":1,\"k\":\"sample_proc\",\"d\":1,\"pid\":5}\n"
#define NODELTA HDR2 "{\"t\":1,\"k\":\"say\",\"d\":1}\n"
    bad("orphan.jsonl", ORPHAN, strlen(ORPHAN), ":2: a delta sample_proc with no earlier record");
    bad("nodelta.jsonl", NODELTA, strlen(NODELTA), "a delta (\"d\") where there can be none");
    /* a version 1 file (whole records) still reads */
    char err[512];
    int status;
    const char *v1 = HDR "{\"t\":1,\"k\":\"sample_proc\",\"pid\":5,\"state\":\"S\"}\n"
                         "{\"t\":2,\"k\":\"sample_proc\",\"pid\":5,\"state\":\"R\"}\n" END;
    write_file("v1.jsonl", v1, strlen(v1));
    cr_expect_eq(load("v1.jsonl", err, sizeof err, &status), 0, "%s", err);
}

/* Step back starts near where it goes: a seek leaves checkpoints behind it,
 * so one op back applies a few records, not the keyframe's whole stretch;
 * and the model there is the one a fresh seek finds. */
Test(recio, step_back_starts_from_a_checkpoint_near)
{
    struct replay *rp = replay_new(NULL), *fresh = replay_new(NULL);
    cr_assert(rp && fresh);
    for (int i = 0; i < 20000; i++) {
        struct record r;
        record_init(&r, REC_EVENT, (uint64_t)i * 1000);
        r.u.ev.op = 1;
        r.u.ev.phase = i % 2 ? PH_END : PH_BEGIN;
        r.u.ev.t_ns = r.t_ns;
        replay_append(rp, &r);
        replay_append(fresh, &r);
    }
    for (size_t pos = 1500; pos < 20000; pos += 2777) {
        replay_seek(rp, pos);
        replay_step(rp, -1);
        cr_assert(replay_pos(rp) < pos, "a step back from %zu went to %zu", pos, replay_pos(rp));
        cr_expect(replay_applied(rp) <= 1024 / 16, "a step back from %zu applied %zu records", pos,
                  replay_applied(rp));
        replay_seek(fresh, replay_pos(rp));
        cr_expect(memcmp(replay_model(rp), replay_model(fresh), sizeof(struct model)) == 0,
                  "the model after a step back from %zu is the one a seek finds", pos);
    }
    replay_free(rp);
    replay_free(fresh);
}

/* Markers say what happened, in the words of the record and the model. */
Test(recio, markers_say_what_happened)
{
    struct replay *rp = replay_new(NULL);
    struct record r;
    for (int i = 1; i <= 2; i++) {
        record_init(&r, REC_PROC_ADD, 10);
        r.u.proc_add.pid = 100 + i;
        r.u.proc_add.role = 0;
        r.u.proc_add.instance = i;
        snprintf(r.u.proc_add.name, sizeof r.u.proc_add.name, "worker-%d", i);
        replay_append(rp, &r);
    }
    record_init(&r, REC_CHECK, 20);
    snprintf(r.u.check.name, sizeof r.u.check.name, "no_lost_update");
    r.u.check.status = CHECK_FAILED;
    replay_append(rp, &r);
    record_init(&r, REC_SAMPLE_DEADLOCK, 30);
    r.u.dl.n = 2;
    snprintf(r.u.dl.text, sizeof r.u.dl.text, "worker-1 -> sem 1 -> worker-2 -> sem 0 -> worker-1");
    replay_append(rp, &r);
    record_init(&r, REC_SAY, 40);
    r.u.say.kind = 1;
    snprintf(r.u.say.who, sizeof r.u.say.who, "you");
    snprintf(r.u.say.detail, sizeof r.u.say.detail, "kill worker-2   (F9)");
    replay_append(rp, &r);
    record_init(&r, REC_EVENT, 50);
    r.u.ev.t_ns = 50;
    r.u.ev.op = OP_EXITED;
    r.u.ev.phase = PH_NOTE;
    r.u.ev.pid = 102;
    r.u.ev.exited.status = SIGKILL; /* a wait status: killed by signal 9 */
    replay_append(rp, &r);
    record_init(&r, REC_EVENT, 60);
    r.u.ev.t_ns = 60;
    r.u.ev.op = OP_EXITED;
    r.u.ev.phase = PH_NOTE;
    r.u.ev.pid = 101;
    r.u.ev.exited.status = 3 << 8; /* exit(3) */
    replay_append(rp, &r);
    size_t n;
    const struct replay_marker *mk = replay_markers(rp, &n);
    const char *want[] = {"check no_lost_update FAILED", "deadlock: worker-1 \u2194 worker-2",
                          "typed: kill worker-2", "worker-2 died (SIGKILL)",
                          "worker-1 exited with status 3"};
    cr_assert_eq(n, 5);
    for (size_t i = 0; i < n; i++)
        cr_expect_str_eq(mk[i].label, want[i]);
    replay_free(rp);
}
