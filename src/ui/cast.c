/* cast.c — `ipcplay export FILE --cast OUT.cast`: a recording played by the
 * dashboard's own drawing code on a screen that is no terminal (ncurses
 * writes to a scratch file), on a virtual clock, and written as an
 * asciicast v2 file: a header line, then [time, "o", bytes] for every frame
 * (the bytes ncurses produced since the last one) and [time, "m", label] at
 * every marker of the replay (check change, death, deadlock, command).
 * Nothing runs; nothing is read from a terminal. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ui_internal.h"
#include "../model/i18n.h"

#define CAST_FRAME_NS 100000000ull /* a frame at most every 0.1 s of the cast */

struct cast {
    FILE *out;
    FILE *scratch; /* what ncurses writes */
    double speed;
    char *buf;
    size_t cap;
};

/* A JSON string of n bytes: quotes, backslashes and control bytes escaped,
 * a byte that is not valid UTF-8 as U+FFFD (a cast is UTF-8 text). */
static void json_str(FILE *f, const char *s, size_t n)
{
    fputc('"', f);
    for (size_t i = 0; i < n;) {
        unsigned char c = (unsigned char)s[i];
        if (c == '"' || c == '\\') {
            fputc('\\', f);
            fputc(c, f);
            i++;
        } else if (c < 0x20 || c == 0x7f) {
            fprintf(f, "\\u%04x", c);
            i++;
        } else if (c < 0x80) {
            fputc(c, f);
            i++;
        } else {
            size_t len = c >= 0xf0 && c < 0xf5 ? 4 : c >= 0xe0 ? 3 : c >= 0xc2 && c < 0xe0 ? 2 : 0;
            size_t k = 1;
            while (len && k < len && i + k < n && ((unsigned char)s[i + k] & 0xc0) == 0x80)
                k++;
            if (len && k == len) {
                fwrite(s + i, 1, len, f);
                i += len;
            } else {
                fputs("\\ufffd", f);
                i++;
            }
        }
    }
    fputc('"', f);
}

/* The bytes ncurses wrote since the last frame, as one "o" event. */
static void cast_output(struct cast *c, uint64_t t_ns)
{
    fflush(c->scratch);
    int fd = fileno(c->scratch);
    struct stat st;
    if (fstat(fd, &st) < 0 || st.st_size <= 0)
        return;
    size_t n = (size_t)st.st_size;
    if (n > c->cap) {
        char *nb = realloc(c->buf, n);
        if (!nb)
            return;
        c->buf = nb;
        c->cap = n;
    }
    ssize_t got = pread(fd, c->buf, n, 0);
    if (ftruncate(fd, 0) < 0 || lseek(fd, 0, SEEK_SET) < 0 || got <= 0)
        return;
    fprintf(c->out, "[%.6f, \"o\", ", (double)t_ns / 1e9);
    json_str(c->out, c->buf, (size_t)got);
    fputs("]\n", c->out);
}

static void cast_marker(struct cast *c, const struct replay_marker *mk)
{
    char label[128];
    snprintf(label, sizeof label, "%s (%.1f s)",
             mk->label[0] ? mk->label : timeline_mark_word(mk->kind), (double)mk->t_ns / 1e9);
    fprintf(c->out, "[%.6f, \"m\", ", (double)mk->t_ns / c->speed / 1e9);
    json_str(c->out, label, strlen(label));
    fputs("]\n", c->out);
}

static void cast_header(struct cast *c, struct ui *u, int cols, int rows)
{
    const struct rec_header *h = timeline_header(u);
    char run[256], title[300];
    snprintf(title, sizeof title, "ipcplay %s",
             timeline_run_line(u, run, sizeof run) ? run + 4 : h->scenario);
    fprintf(c->out,
            "{\"version\": 2, \"width\": %d, \"height\": %d, \"timestamp\": %lld, \"title\": ",
            cols, rows, (long long)h->start_s);
    json_str(c->out, title, strlen(title));
    fputs(", \"env\": {\"TERM\": \"xterm-256color\"}}\n", c->out);
}

/* Play the whole replay on the virtual clock: markers as their time comes,
 * a frame whenever the model changed, at most one per CAST_FRAME_NS. */
static void cast_play(struct cast *c, struct ui *u)
{
    size_t nmk, next_mk = 0;
    bool end = false;
    for (uint64_t vt = 0; !end; vt += CAST_FRAME_NS) {
        end = timeline_play_to(u, (uint64_t)((double)vt * c->speed));
        const struct replay_marker *m = timeline_markers(u, &nmk);
        while (next_mk < nmk && (double)m[next_mk].t_ns / c->speed <= (double)vt)
            cast_marker(c, &m[next_mk++]);
        if (ui_frame(u))
            cast_output(c, vt);
        while (end && next_mk < nmk) /* none is left out */
            cast_marker(c, &m[next_mk++]);
    }
}

/* A virtual xterm of cols x rows whose output goes to c->scratch. */
static SCREEN *cast_screen(struct cast *c, FILE *in, int cols, int rows)
{
    /* ncurses asks for the size again as it draws: with no terminal to ask
     * (the ioctl fails on a file), LINES and COLUMNS are the answer */
    char v[16];
    snprintf(v, sizeof v, "%d", rows);
    setenv("LINES", v, 1);
    snprintf(v, sizeof v, "%d", cols);
    setenv("COLUMNS", v, 1);
    use_env(TRUE);
    SCREEN *scr = newterm("xterm-256color", c->scratch, in);
    if (!scr)
        scr = newterm("xterm", c->scratch, in);
    if (!scr)
        return NULL;
    set_term(scr);
    if (LINES != rows || COLS != cols)
        resizeterm(rows, cols);
    return scr;
}

int ui_cast(const char *path, const struct ui_cast_opts *o)
{
    struct ui *u = ui_offscreen();
    char err[512];
    int status = 2;
    if (timeline_open_file(u, path, err, sizeof err, &status) < 0) {
        fprintf(stderr, "ipcplay: %s\n", err);
        return status;
    }
    struct cast c = {.speed = o->speed > 0 ? o->speed : 1};
    c.out = fopen(o->out, "w");
    if (!c.out) {
        fprintf(stderr, _("ipcplay: cannot write %s: %s\n"), o->out, strerror(errno));
        timeline_close(u);
        return 2;
    }
    FILE *in = fopen("/dev/null", "r");
    c.scratch = tmpfile();
    SCREEN *scr = in && c.scratch ? cast_screen(&c, in, o->cols, o->rows) : NULL;
    if (!scr) {
        fprintf(stderr, _("ipcplay: cannot make a virtual xterm-256color screen (terminfo)\n"));
        status = 3;
    } else {
        ui_offscreen_layout(u);
        timeline_export_begin(u, c.speed);
        cast_header(&c, u, o->cols, o->rows);
        cast_play(&c, u);
        ui_offscreen_close(u);
        endwin(); /* its bytes (leaving the alternate screen) are not the cast's */
        delscreen(scr);
        status = 0;
    }
    if (!scr)
        timeline_close(u);
    if (in)
        fclose(in);
    if (c.scratch)
        fclose(c.scratch);
    free(c.buf);
    errno = 0;
    if ((ferror(c.out) | fclose(c.out)) != 0 && status == 0) {
        fprintf(stderr, _("ipcplay: cannot write %s: %s\n"), o->out, strerror(errno ? errno : EIO));
        status = 3;
    }
    if (status != 0)
        remove(o->out);
    return status;
}
