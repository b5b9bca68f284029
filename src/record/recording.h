/* recording.h — a run kept in a file, and a run held in memory to go back in
 * (doc/recording.md is the file format, field by field).
 *
 *   recorder  writes a recording: a header line, then every record the model
 *             consumed (as the engine's tap), then an end line. Plain JSON
 *             Lines, or gzip when the name ends in ".gz".
 *   reader    reads one back, plain or gzip (told by content), a record at a
 *             time, with one clear line for whatever is wrong with the file.
 *   replay    every record of a file or of a live run, in memory, with model
 *             copies (keyframes) every K records, so a view can go to any
 *             time, op or marker and get the model as it was there.
 *
 * For the dashboard: a replay of a file is replay_load() then replay_seek_*()
 * and replay_model(); live rewind is a replay fed by replay_tap() (set it, and
 * a recorder's tap, with record_tee). Nothing here runs anything it reads, and
 * nothing here draws. No ncurses. */
#ifndef IPCPLAY_RECORDING_H
#define IPCPLAY_RECORDING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../model/record.h"

#define RECORDING_FORMAT "ipcplay-recording"
#define RECORDING_VERSION 2

/* Line 1 of a recording. */
struct rec_header {
    int version; /* RECORDING_VERSION when written */
    char ipcplay_version[32];
    char kernel[65]; /* uname -r */
    char scenario[32];
    char params[192];          /* "workers=4 rounds=5 ..." */
    double speed;              /* the pace it started at; 0 max */
    int64_t start_s, start_ns; /* CLOCK_REALTIME at the start */
    int cols, rows;            /* the terminal; 0 when there was none */
    char front[16];            /* "headless", "headless-json", "dashboard" */
    char cmdline[512];         /* the command line, words joined by spaces */
};

/* How the run ended, from the front end: the last line of a recording. A
 * file without it was cut short (a crash, a full disk, a kill -9). */
enum rec_how {
    REC_END_NONE = 0, /* not known (no end line) */
    REC_END_DONE,     /* the scenario ended by itself */
    REC_END_FOR,      /* --for ran out (headless) */
    REC_END_SIGNAL,   /* SIGINT/SIGTERM/SIGHUP */
    REC_END_STOPPED,  /* stopped from the front end (quit, `record stop`) */
};
struct rec_trailer {
    enum rec_how how;
    int signal;          /* REC_END_SIGNAL: which */
    uint64_t elapsed_ns; /* what the front end measured from the start to the end */
    uint64_t records;    /* records written */
};

/* ---- recorder -------------------------------------------------------------- */

struct recorder;

/* Create (truncate) path and write the header. NULL with one line in err when
 * it cannot be written: the caller refuses to start the run. */
struct recorder *recorder_open(const char *path, const struct rec_header *h, char *err,
                               size_t errlen);
/* Write one record (as engine_tap_fn: engine_set_tap(e, recorder_tap, rc)).
 * Lines are whole; they go to the file at a sample's end when 64 KB or a
 * second of the run waits, and whenever 1 MB is waiting. A failed write (a full disk) stops the
 * recording for good: the file is cut back to its last whole line, and `say` (if set) is told once.
 */
void recorder_tap(void *rc, const struct record *r);
void recorder_set_say(struct recorder *rc, void (*say)(void *ctx, const char *line), void *ctx);
/* Still recording (no write failed)? */
bool recorder_ok(const struct recorder *rc);
const char *recorder_path(const struct recorder *rc);
/* Write the end line and close. Returns 0, or -1 with err (the recording had
 * stopped already, or the last writes failed). rc is freed either way. */
int recorder_close(struct recorder *rc, const struct rec_trailer *end, char *err, size_t errlen);

/* Fill a header for a run starting now: version, kernel, time, terminal
 * size (0 when stdout is not one), the command line. */
void rec_header_init(struct rec_header *h, const char *scenario, const char *params, double speed,
                     const char *front, int argc, char **argv);

/* Two taps at once (a recorder and a live replay): engine_set_tap(e,
 * record_tee, &tee). */
struct record_tee {
    void (*fn[2])(void *ctx, const struct record *r);
    void *ctx[2];
};
void record_tee(void *tee, const struct record *r);

/* ---- reader ---------------------------------------------------------------- */

struct rec_reader;

/* Open and read the header. NULL with one line in err (naming the file) and
 * *status 2 when it is not a recording this ipcplay reads (missing, a
 * directory, empty, not gzip though it says so, another format, a newer
 * version). */
struct rec_reader *rec_reader_open(const char *path, struct rec_header *h, char *err, size_t errlen,
                                   int *status);
/* The next record: 1, 0 at the end, -1 on a bad line (err: "FILE:LINE: why").
 * At the end, rec_reader_trailer() is the end line, or NULL when the file
 * was cut short (err then says where it ends). */
int rec_reader_next(struct rec_reader *rd, struct record *r, char *err, size_t errlen);
const struct rec_trailer *rec_reader_trailer(const struct rec_reader *rd);
long rec_reader_line(const struct rec_reader *rd);
void rec_reader_close(struct rec_reader *rd);

/* ---- replay ---------------------------------------------------------------- */

/* Where the timeline has something to point at. */
enum replay_mark {
    MARK_CHECK,    /* a check's verdict changed (REC_CHECK) */
    MARK_DEATH,    /* a process of the run exited (OP_EXITED) */
    MARK_DEADLOCK, /* a wait-for cycle was confirmed */
    MARK_COMMAND,  /* the user typed a command (a REC_SAY of kind 1 from "you") */
    MARK_ERROR,    /* a role gave up (REC_RUN_ERROR) */
};
struct replay_marker {
    enum replay_mark kind;
    size_t pos; /* the position just after its record */
    uint64_t t_ns;
    /* What happened, in words: "check no_lost_update FAILED", "worker-2 died
     * (SIGKILL)", "deadlock: worker-1 ↔ worker-2", "typed: kill worker-1". */
    char label[96];
};

struct replay_opts {
    /* Bytes of records held (0: 256 MB for live, unbounded for a file).
     * Past it, a live replay drops its oldest half (from a keyframe): going
     * back then reaches only as far as what is kept (replay_first_time). */
    size_t max_bytes;
    /* Keyframes: a model copy (~2.2 MB) every K records; K doubles when
     * there would be more than max_keyframes (0: 48). */
    int max_keyframes;
};

struct replay;

struct replay *replay_new(const struct replay_opts *o);
void replay_free(struct replay *rp);
/* Read a whole recording into rp (positioned at its start). Returns 0; 1
 * when the file was cut short (err says where; what is there is loaded);
 * -1 with err on anything else (*status 2). h and end may be NULL. */
int replay_load(struct replay *rp, const char *path, struct rec_header *h, struct rec_trailer *end,
                char *err, size_t errlen, int *status);
/* Add one record at the end (live: as engine_tap_fn). The position does
 * not move, unless it was at the end (then the model follows live). */
void replay_append(struct replay *rp, const struct record *r);
void replay_tap(void *rp, const struct record *r);

/* Positions count records applied: 0 is before the first (an empty model),
 * replay_count() is after the last. */
size_t replay_count(const struct replay *rp);
size_t replay_pos(const struct replay *rp);
size_t replay_first(const struct replay *rp); /* > 0 once a live replay dropped its oldest */
/* The record at position i (0-based, first <= i < count) into *out. */
void replay_get(const struct replay *rp, size_t i, struct record *out);
/* The model at the current position. Valid until the next replay_* call. */
const struct model *replay_model(const struct replay *rp);
/* Time at the position (the latest record's t_ns), and of the last record. */
uint64_t replay_time(const struct replay *rp);
uint64_t replay_end_time(const struct replay *rp);

/* Go to a position: from the nearest keyframe at or before it. */
void replay_seek(struct replay *rp, size_t pos);
/* Just after the last record with t_ns <= t (times are monotonic). */
void replay_seek_time(struct replay *rp, uint64_t t_ns);
/* Just after the nth op begin (1-based; 0: the start). Returns -1 when
 * there are fewer ops (then goes to the last). */
int replay_seek_op(struct replay *rp, uint64_t n);
/* One op forward (+1) or back (-1), or more: just after the op begin that
 * many away. Returns the ops actually moved. */
int replay_step(struct replay *rp, int ops);
/* Op begins up to the current position (what `step` counts). */
uint64_t replay_ops_before(const struct replay *rp);
uint64_t replay_ops(const struct replay *rp);

const struct replay_marker *replay_markers(const struct replay *rp, size_t *n);
/* The next / previous marker from the position (dir +1 / -1); -1 when none. */
long replay_marker_near(const struct replay *rp, int dir);

/* Records the last seek (or step) applied to get there: from the nearest
 * keyframe, or from a checkpoint a seek left near the position (a model copy
 * every min(K/16, 1024) records over the last 16 such steps before where it
 * went, the 16 nearest kept), so a step back applies at most that step,
 * unless it goes back past a keyframe the checkpoints do not reach. */
size_t replay_applied(const struct replay *rp);

/* Memory held: records and keyframes (bench, status line). */
size_t replay_bytes(const struct replay *rp);

#endif
