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
    bad("newer.jsonl", "{\"format\":\"ipcplay-recording\",\"version\":2}\n", 44, "version 2");
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
    cr_expect_eq(replay_load(replay_new(NULL), dir, NULL, NULL, err, sizeof err, &status), -1);
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
        record_init(&r, i % 10 == 9 ? REC_SAMPLE_END : REC_SAY, (uint64_t)i);
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
