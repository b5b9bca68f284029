/* timeline.c — the dashboard's timeline: a recording replayed (no engine,
 * nothing runs: the panels read the replay's model), or a live run's records
 * kept in memory so the view can go back while the run goes on untouched.
 * It gives the commands their run actions (pause, step, speed, seek, back,
 * mark, live, record), keeps the view's model pointer on the right model,
 * plays a replay at its pace, and draws the header's timeline row: REPLAY
 * or LIVE, the position, and the markers. Handlers never draw. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ui_internal.h"
#include "../view/loop.h"
#include "../model/i18n.h"

#define TL_FRAME_NS 100000000ull /* replay playback: 10 frames a second, as live */

struct ui_tl {
    struct replay *rp;
    bool file;    /* a replay of a file: there is no engine */
    bool behind;  /* live: the view shows the past */
    bool playing; /* file: the position moves with time */
    double speed; /* file: playback pace, 0.1 to 16 */
    uint64_t play_t0, play_wall0;
    struct rec_header h;
    struct model *live_m; /* live: the engine's model */
    struct recorder **rec;
    struct recorder *own_rec; /* where rec points when the caller gave none */
    struct record_tee tee;
    char msg[200];
    int msg_kind;
};

static struct ui_tl the_tl;

/* Point the view at the model it shows. */
static void tl_view(struct ui *u)
{
    struct ui_tl *t = u->tl;
    if (t->file || t->behind)
        u->m = (struct model *)replay_model(t->rp); /* the views only read it */
    else
        u->m = t->live_m;
    u->host.model = u->m;
    u->story_anchor = 0;
    u->dirty |= DIRTY_ALL & ~DIRTY_LAYOUT;
}

/* After any move: live is the end of the records; the little graphs start
 * again (they are the view's history, not the model's). */
static void tl_moved(struct ui *u, bool jumped)
{
    struct ui_tl *t = u->tl;
    if (!t->file)
        t->behind = replay_pos(t->rp) < replay_count(t->rp);
    t->play_t0 = replay_time(t->rp);
    t->play_wall0 = events_now_ns();
    if (jumped) {
        u->occ_n = 0;
        u->occ_samples = 0;
        memset(u->sem_peak, 0, sizeof u->sem_peak);
    }
    tl_view(u);
}

int timeline_open_file(struct ui *u, const char *path, char *err, size_t errlen, int *status)
{
    struct ui_tl *t = &the_tl;
    memset(t, 0, sizeof *t);
    t->rp = replay_new(NULL);
    if (!t->rp) {
        snprintf(err, errlen, _("out of memory"));
        *status = 3;
        return -1;
    }
    struct rec_trailer end;
    int rc = replay_load(t->rp, path, &t->h, &end, err, errlen, status);
    if (rc < 0) {
        replay_free(t->rp);
        t->rp = NULL;
        return -1;
    }
    if (rc == 1) { /* cut short: what is there plays; say where it ends */
        snprintf(t->msg, sizeof t->msg, "%s", err);
        t->msg_kind = OUT_ERROR;
    } else {
        snprintf(t->msg, sizeof t->msg,
                 _("nothing runs: Space pauses, F4/Shift-F4 step, Left/Right 5 s, [ ] markers"));
        t->msg_kind = OUT_INFO;
    }
    err[0] = '\0';
    t->file = true;
    t->playing = true;
    t->speed = 1;
    u->tl = t;
    replay_seek(t->rp, 0);
    tl_moved(u, true);
    return 0;
}

void timeline_open_live(struct ui *u, struct recorder **rec)
{
    struct ui_tl *t = &the_tl;
    memset(t, 0, sizeof *t);
    t->rp = replay_new(NULL);
    if (!t->rp)
        return; /* no going back; the run goes on */
    t->live_m = u->m;
    t->rec = rec ? rec : &t->own_rec;
    t->tee.fn[0] = replay_tap;
    t->tee.ctx[0] = t->rp;
    if (*t->rec) {
        t->tee.fn[1] = recorder_tap;
        t->tee.ctx[1] = *t->rec;
    }
    engine_set_tap(u->e, record_tee, &t->tee);
    u->tl = t;
}

void timeline_restart(struct ui *u)
{
    struct ui_tl *t = u->tl;
    if (!t || t->file)
        return;
    struct replay *fresh = replay_new(NULL);
    if (!fresh)
        return;
    replay_free(t->rp);
    t->rp = fresh;
    t->tee.ctx[0] = fresh;
    t->behind = false;
    t->msg[0] = '\0';
    tl_view(u);
}

void timeline_close(struct ui *u)
{
    struct ui_tl *t = u->tl;
    if (!t)
        return;
    if (u->e)
        engine_set_tap(u->e, NULL, NULL);
    if (t->own_rec) {
        struct rec_trailer end = {.how = REC_END_STOPPED, .elapsed_ns = t->live_m->now_ns};
        char err[256];
        recorder_close(t->own_rec, &end, err, sizeof err);
    }
    if (t->file || t->behind)
        u->m = t->live_m; /* NULL in a replay: the caller is done with it */
    replay_free(t->rp);
    memset(t, 0, sizeof *t);
    u->tl = NULL;
}

/* ---- moving ------------------------------------------------------------------ */

const char *timeline_mark_word(enum replay_mark k)
{
    static const char *const words[] = {N_("a check changed"), N_("a process died"),
                                        N_("a deadlock"), N_("your command"), N_("a role gave up")};
    return (unsigned)k < sizeof words / sizeof words[0] ? _(words[k]) : _("a marker");
}

static uint64_t secs_ns(double s)
{
    return s <= 0 ? 0 : (uint64_t)(s * 1e9 + 0.5);
}

static int tl_seek_mark(struct ui_tl *t, int dir, char *err, size_t errlen)
{
    long i = replay_marker_near(t->rp, dir);
    if (i < 0) {
        snprintf(err, errlen, _("no marker %s here"), dir > 0 ? _("after") : _("before"));
        return -1;
    }
    size_t n;
    const struct replay_marker *mk = replay_markers(t->rp, &n);
    replay_seek(t->rp, mk[i].pos);
    snprintf(t->msg, sizeof t->msg, _("marker %ld of %zu: %s at %.1f s"), i + 1, n,
             mk[i].label[0] ? mk[i].label : timeline_mark_word(mk[i].kind),
             (double)mk[i].t_ns / 1e9);
    t->msg_kind = OUT_INFO;
    return 0;
}

static int tl_seek(void *ctx, const struct cmd_seek *to, char *err, size_t errlen)
{
    struct ui *u = ctx;
    struct ui_tl *t = u->tl;
    if (!t || !t->rp) {
        snprintf(err, errlen, _("nothing to go back in (no run yet)"));
        return -1;
    }
    if (!t->file && replay_count(t->rp) == 0) {
        snprintf(err, errlen, _("nothing to go back in yet: start a run (run NAME)"));
        return -1;
    }
    t->msg[0] = '\0';
    uint64_t now_t = replay_time(t->rp);
    switch (to->how) {
    case CMD_SEEK_TIME: replay_seek_time(t->rp, secs_ns(to->v)); break;
    case CMD_SEEK_REL:
        replay_seek_time(t->rp, to->v < 0 && secs_ns(-to->v) > now_t
                                    ? 0
                                    : now_t + (uint64_t)(int64_t)(to->v * 1e9));
        break;
    case CMD_SEEK_OP:
        if (replay_seek_op(t->rp, (uint64_t)to->v) < 0) {
            snprintf(t->msg, sizeof t->msg, _("there are only %llu ops: at the last"),
                     (unsigned long long)replay_ops(t->rp));
            t->msg_kind = OUT_ERROR;
        }
        break;
    case CMD_SEEK_OPS: { /* op N-n / N+n: the op count moves by exactly n */
        uint64_t at = replay_ops_before(t->rp);
        if ((to->v < 0 && at == 0) || (to->v > 0 && at >= replay_ops(t->rp))) {
            snprintf(err, errlen, _("no op %s here"), to->v < 0 ? _("before") : _("after"));
            return -1;
        }
        uint64_t n = (uint64_t)(to->v < 0 ? -to->v : to->v);
        replay_seek_op(t->rp, to->v < 0 ? (n > at ? 0 : at - n) : at + n);
        break;
    }
    case CMD_SEEK_MARK:
        if (tl_seek_mark(t, to->v > 0 ? 1 : -1, err, errlen) < 0)
            return -1;
        break;
    case CMD_SEEK_END: replay_seek(t->rp, replay_count(t->rp)); break;
    }
    tl_moved(u, true);
    return 0;
}

/* ---- the run actions ------------------------------------------------------------ */

static bool a_active(void *ctx)
{
    struct ui *u = ctx;
    return u->e ? engine_active(u->e) : true;
}

static void a_stop(void *ctx)
{
    struct ui *u = ctx;
    if (u->e)
        engine_stop(u->e);
    else
        u->tl->playing = false;
}

static void a_pause(void *ctx)
{
    struct ui *u = ctx;
    if (u->e)
        engine_pause(u->e);
    else
        u->tl->playing = false;
    u->dirty |= DIRTY_HEADER | DIRTY_HINTS;
}

static void a_resume(void *ctx)
{
    struct ui *u = ctx;
    if (u->e) {
        engine_resume(u->e);
        return;
    }
    struct ui_tl *t = u->tl;
    if (replay_pos(t->rp) >= replay_count(t->rp)) {
        replay_seek(t->rp, 0); /* at the end: play it again */
        tl_moved(u, true);
    }
    t->playing = true;
    t->play_t0 = replay_time(t->rp);
    t->play_wall0 = events_now_ns();
    u->dirty |= DIRTY_HEADER | DIRTY_HINTS;
}

/* F4 / `step`: live, the run lets ops through; in the past (or a replay)
 * the view moves on by ops, and stops playing. */
static void a_step(void *ctx, int n)
{
    struct ui *u = ctx;
    struct ui_tl *t = u->tl;
    if (u->e && !t->behind) {
        engine_step(u->e, n);
        return;
    }
    t->playing = false;
    char err[128];
    struct cmd_seek to = {CMD_SEEK_OPS, n};
    if (tl_seek(u, &to, err, sizeof err) < 0)
        timeline_print(u, OUT_ERROR, err);
}

static double a_get_speed(void *ctx)
{
    struct ui *u = ctx;
    return u->e ? engine_speed(u->e) : u->tl->speed;
}

static void a_set_speed(void *ctx, double speed)
{
    struct ui *u = ctx;
    if (u->e) {
        engine_set_speed(u->e, speed);
        return;
    }
    struct ui_tl *t = u->tl;
    t->speed = speed == 0 || speed > 16 ? 16 : speed < 0.1 ? 0.1 : speed;
    t->play_t0 = replay_time(t->rp);
    t->play_wall0 = events_now_ns();
    snprintf(t->msg, sizeof t->msg, _("replay speed %gx (0.1 to 16)"), t->speed);
    t->msg_kind = OUT_INFO;
    u->dirty |= DIRTY_HEADER;
}

static int a_kill(void *ctx, pid_t pid, int sig)
{
    struct ui *u = ctx;
    return u->e ? engine_kill(u->e, pid, sig) : -1;
}

static void a_record_say(void *ctx, const char *line)
{
    struct ui *u = ctx;
    if (u->e)
        engine_say(u->e, 2, "ipcplay", "record", "%s", line);
}

static int a_record(void *ctx, const char *path, char *err, size_t errlen);

static void a_step_proc(void *ctx, pid_t pid, int n)
{
    struct ui *u = ctx;
    if (u->e && !u->tl->behind)
        engine_step_proc(u->e, pid, n);
}

static unsigned a_get_breaks(void *ctx)
{
    struct ui *u = ctx;
    return u->e ? engine_get_breaks(u->e) : 0;
}

static void a_set_breaks(void *ctx, unsigned mask)
{
    struct ui *u = ctx;
    if (u->e)
        engine_set_breaks(u->e, mask);
}

/* Live, the engine's own actions for what only it does (a watched
 * program's stdin, one traced call); a replay runs nothing. */
static int tl_input(void *ctx, const char *text, bool eof, char *err, size_t errlen)
{
    struct ui *u = ctx;
    if (!u->e) {
        snprintf(err, errlen, "input goes to a program ipcplay runs (watch --stdin -- PROGRAM)");
        return -1;
    }
    const struct cmd_actions *a = cmd_actions_engine(u->e);
    return a->input(a->ctx, text, eof, err, errlen);
}

static int tl_step_one(void *ctx, const char *who)
{
    struct ui *u = ctx;
    const struct cmd_actions *a = u->e ? cmd_actions_engine(u->e) : NULL;
    return a && a->step_one ? a->step_one(a->ctx, who) : 1;
}

const struct cmd_actions *timeline_actions(struct ui *u)
{
    static struct cmd_actions act = {.active = a_active,
                                     .stop = a_stop,
                                     .pause = a_pause,
                                     .resume = a_resume,
                                     .step = a_step,
                                     .get_speed = a_get_speed,
                                     .set_speed = a_set_speed,
                                     .kill = a_kill,
                                     .seek = tl_seek,
                                     .record = a_record,
                                     .step_proc = a_step_proc,
                                     .get_breaks = a_get_breaks,
                                     .set_breaks = a_set_breaks,
                                     .step_one = tl_step_one,
                                     .input = tl_input};
    act.ctx = u;
    return &act;
}

/* `record FILE`: the run so far (what is kept of it), then every record as
 * it comes. `record stop`: the end line, and the file is closed. */
static int a_record(void *ctx, const char *path, char *err, size_t errlen)
{
    struct ui *u = ctx;
    struct ui_tl *t = u->tl;
    if (!u->e || !t || t->file) {
        snprintf(err, errlen, _("a replay is a recording already (record works in a live run)"));
        return -1;
    }
    if (!path) {
        if (!*t->rec) {
            snprintf(err, errlen, _("not recording"));
            return -1;
        }
        char path_was[512];
        snprintf(path_was, sizeof path_was, "%s", recorder_path(*t->rec));
        struct rec_trailer end = {.how = REC_END_STOPPED,
                                  .elapsed_ns = t->live_m->now_ns,
                                  .records = replay_count(t->rp)};
        t->tee.fn[1] = NULL;
        int rc = recorder_close(*t->rec, &end, err, errlen);
        *t->rec = NULL;
        if (rc == 0)
            snprintf(err, errlen, _("recording stopped: %s (ipcplay replay %s plays it)"), path_was,
                     path_was);
        u->dirty |= DIRTY_HEADER;
        return rc;
    }
    if (*t->rec) {
        snprintf(err, errlen, _("already recording to %s (record stop first)"),
                 recorder_path(*t->rec));
        return -1;
    }
    if (replay_first(t->rp) > 0) {
        snprintf(err, errlen,
                 _("the start of this run is no longer kept in memory: run it again "
                   "with --record FILE"));
        return -1;
    }
    const struct model *m = t->live_m;
    struct rec_header h;
    rec_header_init(&h, m->scenario, m->params, m->speed, "dashboard", 0, NULL);
    struct recorder *rc = recorder_open(path, &h, err, errlen);
    if (!rc)
        return -1;
    static struct record r;
    for (size_t i = replay_first(t->rp); i < replay_count(t->rp); i++) {
        replay_get(t->rp, i, &r);
        recorder_tap(rc, &r);
    }
    recorder_set_say(rc, a_record_say, u);
    *t->rec = rc;
    t->tee.fn[1] = recorder_tap;
    t->tee.ctx[1] = rc;
    snprintf(err, errlen, _("recording to %s (from the start of the run; record stop ends it)"),
             path);
    u->dirty |= DIRTY_HEADER;
    return 0;
}

/* ---- what the view asks ------------------------------------------------------- */

bool timeline_print(struct ui *u, int kind, const char *line)
{
    struct ui_tl *t = u->tl;
    if (!t || !(t->file || t->behind))
        return false;
    snprintf(t->msg, sizeof t->msg, "%s", line);
    t->msg_kind = kind;
    u->dirty |= DIRTY_HEADER;
    return true;
}

bool timeline_paused(const struct ui *u)
{
    const struct ui_tl *t = u->tl;
    if (t && t->file)
        return !t->playing;
    const struct model *m = t && t->live_m ? t->live_m : u->m;
    return m->state == RUN_PAUSED || m->state == RUN_STEP;
}

bool timeline_shown(const struct ui *u)
{
    const struct ui_tl *t = u->tl;
    return t && (t->file || t->behind || (t->rec && *t->rec));
}

bool timeline_past(const struct ui *u)
{
    return u->tl && (u->tl->file || u->tl->behind);
}

int timeline_next_ms(struct ui *u, uint64_t now)
{
    struct ui_tl *t = u->tl;
    if (!t || !t->file || !t->playing)
        return -1;
    return loop_ms_until(now, u->last_draw_ns + TL_FRAME_NS);
}

/* Play on to record time target: record by record, so the little graphs see
 * every sample as they did live. True at the end. */
bool timeline_play_to(struct ui *u, uint64_t target)
{
    struct ui_tl *t = u->tl;
    size_t pos = replay_pos(t->rp), n = replay_count(t->rp);
    static struct record r;
    bool moved = false;
    while (pos < n) {
        replay_get(t->rp, pos, &r);
        if (r.t_ns > target)
            break;
        replay_seek(t->rp, ++pos);
        moved = true;
        if (r.kind == REC_SAMPLE_END) {
            u->m = (struct model *)replay_model(t->rp);
            objects_note_sample(u);
        }
    }
    if (pos >= n)
        t->playing = false;
    if (moved) {
        u->m = (struct model *)replay_model(t->rp);
        u->host.model = u->m;
    }
    u->dirty |= DIRTY_HEADER;
    return pos >= n;
}

/* Play on to where the clock says. */
void timeline_tick(struct ui *u, uint64_t now)
{
    struct ui_tl *t = u->tl;
    if (!t || !t->file || !t->playing)
        return;
    timeline_play_to(u, t->play_t0 + (uint64_t)((double)(now - t->play_wall0) * t->speed));
}

void timeline_export_begin(struct ui *u, double speed)
{
    struct ui_tl *t = u->tl;
    t->speed = speed;
    t->playing = true;
    if (t->msg_kind != OUT_ERROR) /* the keys mean nothing in a cast; a cut-short file does */
        t->msg[0] = '\0';
    u->dirty |= DIRTY_HEADER;
}

void timeline_on_engine(struct ui *u)
{
    if (u->tl && u->tl->behind)
        u->dirty |= DIRTY_HEADER;
}

const struct replay_marker *timeline_markers(const struct ui *u, size_t *n)
{
    return replay_markers(u->tl->rp, n);
}

const struct rec_header *timeline_header(const struct ui *u)
{
    return u->tl ? &u->tl->h : NULL;
}

const char *timeline_run_line(const struct ui *u, char *buf, size_t len)
{
    if (!u->tl || !u->tl->file)
        return NULL;
    snprintf(buf, len, "run %s %s", u->tl->h.scenario, u->tl->h.params);
    return buf;
}

/* ---- the row ------------------------------------------------------------------------ */

static attr_t mark_style(enum replay_mark k)
{
    return k == MARK_COMMAND ? theme_style(S_YOU)
           : k == MARK_CHECK ? theme_style(S_OK)
                             : theme_style(S_FAIL);
}

/* " REPLAY ▶ 1x  00:12.5 / 00:45.6  op 140/900 " or " LIVE −3.2 s (End: live) " */
static int tl_left(struct ui *u, WINDOW *w, int y, int width)
{
    struct ui_tl *t = u->tl;
    char pos[24], len[24], buf[160];
    draw_clock(replay_time(t->rp), pos, sizeof pos);
    draw_clock(replay_end_time(t->rp), len, sizeof len);
    int x = 0;
    bool rec = t->rec && *t->rec;
    if (rec)
        x += draw_text(w, y, x, width - x, theme_style(S_FAIL), _(" REC "));
    if (t->file) {
        x += draw_text(w, y, x, width - x, theme_style(S_BADGE_STEP), _(" REPLAY "));
        snprintf(buf, sizeof buf, _(" %s %gx  %s / %s  op %llu/%llu "),
                 t->playing ? _("playing") : _("paused"), t->speed, pos, len,
                 (unsigned long long)replay_ops_before(t->rp),
                 (unsigned long long)replay_ops(t->rp));
    } else if (t->behind) {
        x += draw_text(w, y, x, width - x, theme_style(S_BADGE_PAUSE), _(" PAST "));
        snprintf(buf, sizeof buf, _(" %.1f s behind live  %s  op %llu  (End or live returns) "),
                 (double)(replay_end_time(t->rp) - replay_time(t->rp)) / 1e9, pos,
                 (unsigned long long)replay_ops_before(t->rp));
    } else {
        x += draw_text(w, y, x, width - x, theme_style(S_BADGE_RUN), _(" LIVE "));
        snprintf(buf, sizeof buf, _(" %s kept (back, seek: go back) "), len);
    }
    x += draw_text(w, y, x, width - x, A_NORMAL, buf);
    return x;
}

void timeline_draw(struct ui *u, WINDOW *w, int y, int width)
{
    struct ui_tl *t = u->tl;
    if (!t || !t->rp)
        return;
    int x = tl_left(u, w, y, width);
    if (t->msg[0]) {
        draw_text(w, y, x, width - x, theme_style(t->msg_kind == OUT_ERROR ? S_ERROR : S_INFO),
                  t->msg);
        return;
    }
    /* the bar: markers where they are, the position as a block */
    const struct ui_glyphs *g = theme_glyphs();
    int bw = width - x - 1;
    uint64_t end = replay_end_time(t->rp);
    if (bw < 10 || end == 0)
        return;
    for (int i = 0; i < bw; i++)
        draw_text(w, y, x + i, 1, theme_style(S_BAR_OFF), g->hline);
    size_t n;
    const struct replay_marker *mk = replay_markers(t->rp, &n);
    for (size_t i = 0; i < n; i++) {
        int c = (int)((double)mk[i].t_ns / (double)end * (bw - 1));
        draw_text(w, y, x + c, 1, mark_style(mk[i].kind), mk[i].kind == MARK_COMMAND ? ">" : "|");
    }
    int c = (int)((double)replay_time(t->rp) / (double)end * (bw - 1));
    draw_text(w, y, x + c, 1, theme_style(S_BAR_ON), g->bar_full);
}
