/* recorder.c — writes a recording (recording.h): whole lines only, to the
 * file at sample boundaries (at most a second apart), samples of an object
 * as what changed since its last one (codec_write_record_delta); a failed write stops the recording
 * and cuts the file back to its last whole line (plain) or its last flush point (gzip). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#include "codec.h"
#include "recording.h"
#include "../model/i18n.h"

#define REC_FLUSH_BYTES (1u << 20)
/* At a sample's end, what waits goes out when it is this much or this old. */
#define REC_BATCH_BYTES (64u << 10)
#define REC_BATCH_NS 1000000000ull

struct recorder {
    char path[4096];
    int fd;
    gzFile gz;  /* NULL: plain */
    off_t good; /* the file's size up to its last whole line / flush point */
    struct codec_buf buf;
    struct codec_delta *delta; /* the last record of every key written */
    uint64_t flushed_t;        /* record time of the last flush */
    uint64_t records;
    bool failed;
    int werr;
    void (*say)(void *ctx, const char *line);
    void *say_ctx;
};

static bool ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && strcmp(s + n - m, suffix) == 0;
}

/* Everything waiting goes out; false (and errno in werr) when it could not. */
static bool rec_flush(struct recorder *rc)
{
    if (rc->failed)
        return false;
    if (rc->buf.oom) {
        rc->werr = ENOMEM;
        return false;
    }
    const char *p = rc->buf.s;
    size_t left = rc->buf.len;
    if (rc->gz) {
        while (left > 0) {
            unsigned chunk = left > (1u << 30) ? (1u << 30) : (unsigned)left;
            int n = gzwrite(rc->gz, p, chunk);
            if (n <= 0)
                goto fail;
            p += n;
            left -= (size_t)n;
        }
        if (gzflush(rc->gz, Z_SYNC_FLUSH) != Z_OK)
            goto fail;
        rc->good = lseek(rc->fd, 0, SEEK_CUR);
    } else {
        while (left > 0) {
            ssize_t n = write(rc->fd, p, left);
            if (n < 0 && errno == EINTR)
                continue;
            if (n <= 0)
                goto fail;
            p += n;
            left -= (size_t)n;
        }
        rc->good += (off_t)rc->buf.len;
    }
    rc->buf.len = 0;
    return true;
fail:
    rc->werr = errno ? errno : EIO;
    if (rc->gz) {
        int zerr;
        const char *zs = gzerror(rc->gz, &zerr);
        if (zerr != Z_ERRNO && zerr != Z_OK && zs)
            rc->werr = EIO;
    }
    /* Whole lines only: cut back to what was whole (a device like /dev/full
     * cannot be cut, and holds nothing anyway). */
    if (ftruncate(rc->fd, rc->good) < 0 && errno != EINVAL) {
        /* nothing more to do: the reader treats a cut line as the end */
    }
    return false;
}

static void rec_fail(struct recorder *rc)
{
    rc->failed = true;
    rc->buf.len = 0;
    if (rc->say) {
        char line[256];
        snprintf(line, sizeof line,
                 _("recording to %.150s stopped: %s (the file holds the run up to here)"), rc->path,
                 strerror(rc->werr));
        rc->say(rc->say_ctx, line);
    }
}

static void header_json(struct codec_buf *b, const struct rec_header *h)
{
    codec_buf_printf(b, "{\"format\":\"%s\",\"version\":%d,\"ipcplay\":", RECORDING_FORMAT,
                     RECORDING_VERSION);
    codec_buf_jstr(b, h->ipcplay_version, strnlen(h->ipcplay_version, sizeof h->ipcplay_version));
    codec_buf_put(b, ",\"kernel\":", 10);
    codec_buf_jstr(b, h->kernel, strnlen(h->kernel, sizeof h->kernel));
    codec_buf_put(b, ",\"scenario\":", 12);
    codec_buf_jstr(b, h->scenario, strnlen(h->scenario, sizeof h->scenario));
    codec_buf_put(b, ",\"params\":", 10);
    codec_buf_jstr(b, h->params, strnlen(h->params, sizeof h->params));
    codec_buf_printf(b, ",\"speed\":%.17g,\"start_s\":%lld,\"start_ns\":%lld", h->speed,
                     (long long)h->start_s, (long long)h->start_ns);
    char when[64] = "";
    struct tm tm;
    time_t t = (time_t)h->start_s;
    if (gmtime_r(&t, &tm))
        strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm);
    codec_buf_printf(b, ",\"start\":\"%s\"", when);
    if (h->cols > 0 && h->rows > 0)
        codec_buf_printf(b, ",\"cols\":%d,\"rows\":%d", h->cols, h->rows);
    codec_buf_put(b, ",\"front\":", 9);
    codec_buf_jstr(b, h->front, strnlen(h->front, sizeof h->front));
    codec_buf_put(b, ",\"cmdline\":", 11);
    codec_buf_jstr(b, h->cmdline, strnlen(h->cmdline, sizeof h->cmdline));
    codec_buf_put(b, "}\n", 2);
}

struct recorder *recorder_open(const char *path, const struct rec_header *h, char *err,
                               size_t errlen)
{
    struct recorder *rc = calloc(1, sizeof *rc);
    if (!rc) {
        snprintf(err, errlen, _("out of memory"));
        return NULL;
    }
    snprintf(rc->path, sizeof rc->path, "%s", path);
    rc->delta = codec_delta_new();
    if (!rc->delta) {
        snprintf(err, errlen, "out of memory");
        free(rc);
        return NULL;
    }
    struct stat st;
    bool existed = lstat(path, &st) == 0;
    rc->fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOCTTY, 0644);
    if (rc->fd < 0) {
        snprintf(err, errlen, _("cannot record to %s: %s"), path, strerror(errno));
        codec_delta_free(rc->delta);
        free(rc);
        return NULL;
    }
    if (ends_with(path, ".gz")) {
        int fd2 = dup(rc->fd); /* gzclose closes its own; ours stays for ftruncate */
        rc->gz = fd2 >= 0 ? gzdopen(fd2, "wb1") : NULL;
        if (!rc->gz) {
            snprintf(err, errlen, _("cannot record to %s: cannot start gzip"), path);
            if (fd2 >= 0)
                close(fd2);
            close(rc->fd);
            codec_delta_free(rc->delta);
            free(rc);
            return NULL;
        }
    }
    header_json(&rc->buf, h);
    if (!rec_flush(rc)) {
        snprintf(err, errlen, _("cannot record to %s: %s"), path, strerror(rc->werr));
        if (rc->gz)
            gzclose(rc->gz);
        /* Remove only what we created: never a device (/dev/full) or a
         * file that was there before. */
        if (!existed && fstat(rc->fd, &st) == 0 && S_ISREG(st.st_mode))
            unlink(path);
        close(rc->fd);
        codec_buf_free(&rc->buf);
        codec_delta_free(rc->delta);
        free(rc);
        return NULL;
    }
    return rc;
}

void recorder_set_say(struct recorder *rc, void (*say)(void *ctx, const char *line), void *ctx)
{
    rc->say = say;
    rc->say_ctx = ctx;
}

bool recorder_ok(const struct recorder *rc)
{
    return rc && !rc->failed;
}

const char *recorder_path(const struct recorder *rc)
{
    return rc->path;
}

void recorder_tap(void *ctx, const struct record *r)
{
    struct recorder *rc = ctx;
    if (rc->failed)
        return;
    codec_write_record_delta(&rc->buf, r, rc->delta);
    codec_buf_put(&rc->buf, "\n", 1);
    rc->records++;
    bool batch = (r->kind == REC_SAMPLE_END || r->kind == REC_SYS_END || r->kind == REC_TREE_END) &&
                 (rc->buf.len >= REC_BATCH_BYTES || r->t_ns - rc->flushed_t >= REC_BATCH_NS ||
                  r->t_ns < rc->flushed_t);
    if (batch || rc->buf.len >= REC_FLUSH_BYTES || rc->buf.oom) {
        rc->flushed_t = r->t_ns;
        if (!rec_flush(rc))
            rec_fail(rc);
    }
}

static const char *const how_names[] = {"none", "done", "for", "signal", "stopped"};

int recorder_close(struct recorder *rc, const struct rec_trailer *end, char *err, size_t errlen)
{
    int ret = 0;
    if (!rc->failed && end) {
        int how = end->how >= 0 && end->how <= REC_END_STOPPED ? (int)end->how : 0;
        codec_buf_printf(&rc->buf,
                         "{\"end\":\"%s\",\"signal\":%d,\"elapsed_ns\":%llu,\"records\":%llu}\n",
                         how_names[how], end->signal, (unsigned long long)end->elapsed_ns,
                         (unsigned long long)rc->records);
    }
    if (!rc->failed && !rec_flush(rc))
        rec_fail(rc);
    if (rc->gz && gzclose(rc->gz) != Z_OK && !rc->failed) {
        rc->werr = errno ? errno : EIO;
        rc->failed = true;
    }
    if (rc->failed) {
        snprintf(err, errlen, _("recording to %s stopped: %s"), rc->path, strerror(rc->werr));
        ret = -1;
    }
    close(rc->fd);
    codec_buf_free(&rc->buf);
    codec_delta_free(rc->delta);
    free(rc);
    return ret;
}

void rec_header_init(struct rec_header *h, const char *scenario, const char *params, double speed,
                     const char *front, int argc, char **argv)
{
    memset(h, 0, sizeof *h);
    h->version = RECORDING_VERSION;
    snprintf(h->ipcplay_version, sizeof h->ipcplay_version, "%s", IPCPLAY_VERSION);
    struct utsname u;
    if (uname(&u) == 0)
        snprintf(h->kernel, sizeof h->kernel, "%s", u.release);
    snprintf(h->scenario, sizeof h->scenario, "%s", scenario ? scenario : "");
    snprintf(h->params, sizeof h->params, "%s", params ? params : "");
    h->speed = speed;
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    h->start_s = ts.tv_sec;
    h->start_ns = ts.tv_nsec;
    struct winsize ws;
    if (isatty(STDOUT_FILENO) && ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0) {
        h->cols = ws.ws_col;
        h->rows = ws.ws_row;
    }
    snprintf(h->front, sizeof h->front, "%s", front ? front : "");
    size_t n = 0;
    for (int i = 0; i < argc && argv[i]; i++) {
        int w = snprintf(h->cmdline + n, sizeof h->cmdline - n, "%s%s", i ? " " : "", argv[i]);
        if (w < 0 || (size_t)w >= sizeof h->cmdline - n)
            break;
        n += (size_t)w;
    }
}

void record_tee(void *tee, const struct record *r)
{
    struct record_tee *t = tee;
    for (int i = 0; i < 2; i++)
        if (t->fn[i])
            t->fn[i](t->ctx[i], r);
}
