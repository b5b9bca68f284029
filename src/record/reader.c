/* reader.c — reads a recording back (recording.h): plain or gzip, told by
 * content (zlib reads a plain file as it is), a line at a time. Every way a
 * file can be wrong ends in one line naming the file (and the line). */
#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "codec.h"
#include "recording.h"
#include "../model/i18n.h"

#define REC_MAX_LINE (4u << 20)

struct rec_reader {
    char path[4096];
    gzFile gz;
    char *line;
    size_t cap;
    long lineno;
    bool done, have_trailer;
    struct rec_trailer trailer;
    json_tokener *tok;
    struct codec_delta *delta; /* the last record of every key, for delta lines */
};

/* The next line without its newline: 1, 0 at a clean end, -1 error (err set),
 * -2 the file ends inside a line or the gzip stream ends early (cut short). */
static int read_line(struct rec_reader *rd, size_t *len, char *err, size_t errlen)
{
    size_t n = 0;
    for (;;) {
        if (rd->cap - n < 2) {
            if (rd->cap >= REC_MAX_LINE) {
                snprintf(err, errlen, _("%s:%ld: line longer than %u bytes"), rd->path,
                         rd->lineno + 1, REC_MAX_LINE);
                return -1;
            }
            size_t cap = rd->cap ? rd->cap * 2 : 65536;
            char *l = realloc(rd->line, cap);
            if (!l) {
                snprintf(err, errlen, _("out of memory"));
                return -1;
            }
            rd->line = l;
            rd->cap = cap;
        }
        if (!gzgets(rd->gz, rd->line + n, (int)(rd->cap - n))) {
            int zerr;
            const char *zs = gzerror(rd->gz, &zerr);
            *len = n;
            rd->line[n] = 0;
            if (zerr == Z_BUF_ERROR || (zerr == Z_OK && n > 0))
                return -2; /* gzip ended early, or no newline at the end */
            if (zerr == Z_OK)
                return 0;
            if (zerr == Z_ERRNO)
                snprintf(err, errlen, _("%s: cannot read: %s"), rd->path, strerror(errno));
            else
                snprintf(err, errlen, _("%s:%ld: not a valid gzip stream (%s)"), rd->path,
                         rd->lineno + 1, zs ? zs : "zlib error");
            return -1;
        }
        size_t got = strlen(rd->line + n);
        n += got;
        if (n > 0 && rd->line[n - 1] == '\n') {
            rd->line[--n] = 0;
            rd->lineno++;
            *len = n;
            return 1;
        }
        if (gzeof(rd->gz)) {
            *len = n;
            int zerr;
            gzerror(rd->gz, &zerr);
            return n > 0 || zerr == Z_BUF_ERROR ? -2 : 0;
        }
    }
}

static json_object *parse(struct rec_reader *rd, size_t len)
{
    json_tokener_reset(rd->tok);
    json_object *o = json_tokener_parse_ex(rd->tok, rd->line, (int)len);
    if (o && json_tokener_get_parse_end(rd->tok) != len) {
        json_object_put(o);
        return NULL;
    }
    return o;
}

static void copy_str(json_object *o, const char *key, char *dst, size_t size)
{
    json_object *j;
    if (json_object_object_get_ex(o, key, &j) && json_object_is_type(j, json_type_string))
        snprintf(dst, size, "%s", json_object_get_string(j));
}

static int64_t get_int(json_object *o, const char *key)
{
    json_object *j;
    if (json_object_object_get_ex(o, key, &j) &&
        (json_object_is_type(j, json_type_int) || json_object_is_type(j, json_type_double)))
        return json_object_get_int64(j);
    return 0;
}

static int read_header(struct rec_reader *rd, struct rec_header *h, char *err, size_t errlen)
{
    size_t len = 0;
    int rc = read_line(rd, &len, err, errlen);
    if (rc == -1)
        return -1;
    if (rc == 0 || (rc == -2 && len == 0)) {
        snprintf(err, errlen, _("%s: empty file, not an ipcplay recording"), rd->path);
        return -1;
    }
    json_object *o = parse(rd, len), *j;
    const char *fmt = NULL;
    if (o && json_object_object_get_ex(o, "format", &j) && json_object_is_type(j, json_type_string))
        fmt = json_object_get_string(j);
    if (!fmt || strcmp(fmt, RECORDING_FORMAT) != 0) {
        snprintf(err, errlen, _("%s: not an ipcplay recording (line 1 is no \"%s\" header)"),
                 rd->path, RECORDING_FORMAT);
        json_object_put(o);
        return -1;
    }
    memset(h, 0, sizeof *h);
    if (!json_object_object_get_ex(o, "version", &j) || !json_object_is_type(j, json_type_int) ||
        json_object_get_int64(j) < 1) {
        snprintf(err, errlen, _("%s: the recording's header has no version"), rd->path);
        json_object_put(o);
        return -1;
    }
    int64_t v = json_object_get_int64(j);
    copy_str(o, "ipcplay", h->ipcplay_version, sizeof h->ipcplay_version);
    if (v > RECORDING_VERSION) {
        snprintf(err, errlen,
                 _("%s: recording format version %lld (written by ipcplay %s); this ipcplay "
                   "reads version %d and older: use a newer ipcplay"),
                 rd->path, (long long)v, h->ipcplay_version[0] ? h->ipcplay_version : "?",
                 RECORDING_VERSION);
        json_object_put(o);
        return -1;
    }
    h->version = (int)v;
    copy_str(o, "kernel", h->kernel, sizeof h->kernel);
    copy_str(o, "scenario", h->scenario, sizeof h->scenario);
    copy_str(o, "params", h->params, sizeof h->params);
    copy_str(o, "front", h->front, sizeof h->front);
    copy_str(o, "cmdline", h->cmdline, sizeof h->cmdline);
    if (json_object_object_get_ex(o, "speed", &j))
        h->speed = json_object_get_double(j);
    h->start_s = get_int(o, "start_s");
    h->start_ns = get_int(o, "start_ns");
    h->cols = (int)get_int(o, "cols");
    h->rows = (int)get_int(o, "rows");
    json_object_put(o);
    if (rc == -2)
        rd->done = true; /* cut right after the header */
    return 0;
}

struct rec_reader *rec_reader_open(const char *path, struct rec_header *h, char *err, size_t errlen,
                                   int *status)
{
    *status = 2;
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
    if (fd < 0) {
        snprintf(err, errlen, _("cannot open %s: %s"), path, strerror(errno));
        return NULL;
    }
    struct stat st;
    if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
        snprintf(err, errlen, "%s: %s", path,
                 S_ISDIR(st.st_mode) ? "is a directory, not a recording" : "not a regular file");
        close(fd);
        return NULL;
    }
    struct rec_reader *rd = calloc(1, sizeof *rd);
    if (rd)
        rd->tok = json_tokener_new_ex(64);
    if (rd)
        rd->delta = codec_delta_new();
    if (!rd || !rd->tok || !rd->delta || !(rd->gz = gzdopen(fd, "rb"))) {
        snprintf(err, errlen, _("%s: out of memory"), path);
        if (rd && rd->tok)
            json_tokener_free(rd->tok);
        if (rd)
            codec_delta_free(rd->delta);
        free(rd);
        close(fd);
        return NULL;
    }
    gzbuffer(rd->gz, 1 << 16);
    snprintf(rd->path, sizeof rd->path, "%s", path);
    if (read_header(rd, h, err, errlen) < 0) {
        rec_reader_close(rd);
        return NULL;
    }
    return rd;
}

static const char *const how_names[] = {"none", "done", "for", "signal", "stopped"};

static void read_trailer(struct rec_reader *rd, json_object *o)
{
    json_object *j;
    json_object_object_get_ex(o, "end", &j);
    const char *how = json_object_get_string(j);
    for (int i = 0; i <= REC_END_STOPPED; i++)
        if (how && strcmp(how, how_names[i]) == 0)
            rd->trailer.how = (enum rec_how)i;
    rd->trailer.signal = (int)get_int(o, "signal");
    rd->trailer.elapsed_ns = (uint64_t)get_int(o, "elapsed_ns");
    rd->trailer.records = (uint64_t)get_int(o, "records");
    rd->have_trailer = true;
}

int rec_reader_next(struct rec_reader *rd, struct record *r, char *err, size_t errlen)
{
    while (!rd->done) {
        size_t len;
        int rc = read_line(rd, &len, err, errlen);
        if (rc == -1)
            return -1;
        if (rc == 0 || rc == -2) {
            rd->done = true;
            if (!rd->have_trailer)
                snprintf(err, errlen,
                         _("%s: the recording ends after line %ld, cut short (no end line)"),
                         rd->path, rd->lineno);
            return 0;
        }
        if (rd->have_trailer) {
            snprintf(err, errlen, _("%s:%ld: a line after the end line"), rd->path, rd->lineno);
            return -1;
        }
        if (len == 0)
            continue;
        json_object *o = parse(rd, len), *j;
        if (!o || !json_object_is_type(o, json_type_object)) {
            snprintf(err, errlen, _("%s:%ld: not a JSON object (a corrupt line)"), rd->path,
                     rd->lineno);
            json_object_put(o);
            return -1;
        }
        if (json_object_object_get_ex(o, "end", &j)) {
            read_trailer(rd, o);
            json_object_put(o);
            continue;
        }
        char why[160];
        int ok = codec_read_record_delta(o, r, rd->delta, why, sizeof why);
        json_object_put(o);
        if (ok < 0) {
            snprintf(err, errlen, "%s:%ld: %s", rd->path, rd->lineno, why);
            return -1;
        }
        return 1;
    }
    return 0;
}

const struct rec_trailer *rec_reader_trailer(const struct rec_reader *rd)
{
    return rd->have_trailer ? &rd->trailer : NULL;
}

long rec_reader_line(const struct rec_reader *rd)
{
    return rd->lineno;
}

void rec_reader_close(struct rec_reader *rd)
{
    if (!rd)
        return;
    if (rd->gz)
        gzclose(rd->gz);
    if (rd->tok)
        json_tokener_free(rd->tok);
    codec_delta_free(rd->delta);
    free(rd->line);
    free(rd);
}
