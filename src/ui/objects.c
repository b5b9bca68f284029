/* objects.c — the IPC objects panel: a stack of sections, one small entry
 * each in the table at the bottom (how many there are, the rows each wants,
 * how it draws), for whatever the scenario at hand uses: a deadlock found in
 * the wait-for graph, semaphore sets, the critical section, message queues,
 * shared memory (the stats block, the producer/consumer ring, raw bytes),
 * byte streams through pipes and sockets, and the fd tables side by side.
 * Each section draws in a detailed form (several rows, kernel words beside
 * plain ones) or a compact one (a line or two) when height is short. */
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../model/ring.h"
#include "../plan/plan.h"
#include "../model/signames.h"
#include "ui_internal.h"
#include "../model/i18n.h"

/* ---- helpers ------------------------------------------------------------- */

static const char *proc_name_by_pid(const struct model *m, pid_t pid)
{
    int i = pid > 0 ? model_find_proc(m, pid) : -1;
    return i >= 0 ? m->procs[i].name : NULL;
}

static attr_t proc_attr_by_pid(const struct model *m, pid_t pid)
{
    int i = pid > 0 ? model_find_proc(m, pid) : -1;
    return i >= 0 ? theme_proc(i) : A_NORMAL;
}

/* Compact names of processes: "worker 1,2,4-9  reader 1". */
static void names_compact(const struct model *m, const int *idx, int n, char *buf, size_t len)
{
    size_t off = 0;
    buf[0] = '\0';
    static bool used[MODEL_MAX_PROCS];
    memset(used, 0, sizeof used);
    for (int a = 0; a < n && off < len; a++) {
        if (used[a])
            continue;
        const struct model_proc *pa = &m->procs[idx[a]];
        int inst[MODEL_MAX_PROCS], ni = 0;
        for (int b = a; b < n; b++)
            if (!used[b] && m->procs[idx[b]].role == pa->role) {
                used[b] = true;
                inst[ni++] = m->procs[idx[b]].instance;
            }
        for (int i = 1; i < ni; i++)
            for (int j = i; j > 0 && inst[j - 1] > inst[j]; j--) {
                int t = inst[j];
                inst[j] = inst[j - 1];
                inst[j - 1] = t;
            }
        if (ni == 1) {
            off += (size_t)snprintf(buf + off, len - off, "%s%s", off ? "  " : "", pa->name);
            continue;
        }
        off += (size_t)snprintf(buf + off, len - off, "%s%s ", off ? "  " : "",
                                pa->role < 0 ? "ipcplay" : model_role_name(m, pa->role));
        for (int i = 0; i < ni && off < len; i++) {
            int j = i;
            while (j + 1 < ni && inst[j + 1] == inst[j] + 1)
                j++;
            if (j > i + 1)
                off += (size_t)snprintf(buf + off, len - off, "%s%d-%d", i ? "," : "", inst[i],
                                        inst[j]);
            else if (j == i + 1)
                off += (size_t)snprintf(buf + off, len - off, "%s%d,%d", i ? "," : "", inst[i],
                                        inst[j]);
            else
                off += (size_t)snprintf(buf + off, len - off, "%s%d", i ? "," : "", inst[i]);
            i = j;
        }
    }
}

static bool asleep(const struct model_proc *p)
{
    return !p->exited && (p->state == 'S' || p->state == 'D');
}

/* A value as a bar: filled cells for the value against a scale. */
static int draw_bar(WINDOW *w, int y, int x, int cells, long val, long scale, bool alarm)
{
    const struct ui_glyphs *g = theme_glyphs();
    if (cells <= 0)
        return 0;
    long fill = scale > 0 ? (val * cells + scale - 1) / scale : 0;
    if (fill > cells)
        fill = cells;
    if (val > 0 && fill == 0)
        fill = 1;
    wmove(w, y, x);
    wattrset(w, theme_style(S_BAR_ON));
    for (long i = 0; i < fill; i++)
        waddstr(w, g->bar_full);
    wattrset(w, alarm ? theme_style(S_BAR_WAIT) : theme_style(S_BAR_OFF));
    for (long i = fill; i < cells; i++)
        waddstr(w, g->bar_empty);
    wattrset(w, A_NORMAL);
    return cells;
}

static void time_hms(long long t, char *buf, size_t len)
{
    if (t <= 0) {
        snprintf(buf, len, _("never"));
        return;
    }
    time_t tt = (time_t)t;
    struct tm tm;
    localtime_r(&tt, &tm);
    strftime(buf, len, "%H:%M:%S", &tm);
}

/* A section's heading: the panel's rule on row 0, a bold line elsewhere. */
static int heading(WINDOW *w, int y, int width, const char *title, const char *extra)
{
    if (y == 0) {
        draw_rule(w, 0, 0, width, title, extra);
    } else {
        int x = 1 + draw_text(w, y, 1, width - 2, theme_style(S_HEADING), title);
        if (extra && *extra)
            draw_textf(w, y, x, width - x, theme_style(S_DIM), "  %s", extra);
    }
    return 1;
}

/* Columns a heading at row y leaves for its `extra` text (see heading()
 * and draw_rule()). */
static int heading_room(int y, int width, const char *title)
{
    int tw = draw_width(title);
    return y == 0 ? width - tw - 6 : width - tw - 4;
}

/* The first of n alternatives (longest first) that fits in room columns;
 * the last one when none does. */
static const char *first_fit(int room, const char *const *alts, int n)
{
    for (int i = 0; i < n - 1; i++)
        if (alts[i][0] && draw_width(alts[i]) <= room)
            return alts[i];
    return alts[n - 1];
}

/* "name 4711" with the name in its process colour; returns columns. The
 * name is shown whole or not at all: a cut name reads as nonsense. */
static int draw_who(const struct model *m, WINDOW *w, int y, int x, int maxw, pid_t pid)
{
    const char *n = proc_name_by_pid(m, pid);
    int used = draw_textf(w, y, x, maxw, A_NORMAL, "%d", (int)pid);
    if (n && used + 1 + draw_width(n) <= maxw)
        used += draw_textf(w, y, x + used, maxw - used, proc_attr_by_pid(m, pid), " %s", n);
    return used;
}

/* Write text over rows from (y, x), at most `width` columns each, breaking
 * at spaces; rows after the first start at x + indent. Draws nothing when
 * w is NULL (to count rows). Returns the rows used (at most maxrows). */
static int draw_wrapped(WINDOW *w, int y, int x, int width, int indent, int maxrows, attr_t a,
                        const char *text)
{
    int rows = 0;
    const char *p = text;
    while (*p && rows < maxrows) {
        int room = width - (rows ? indent : 0);
        if (room < 8)
            room = 8;
        size_t fit = rows + 1 < maxrows ? draw_wrap_row(p, strlen(p), room, true)
                                        : strlen(p); /* the last row: draw_text ends it in … */
        if (w) {
            char buf[512];
            size_t n = fit < sizeof buf - 1 ? fit : sizeof buf - 1;
            memcpy(buf, p, n);
            buf[n] = '\0';
            draw_text(w, y + rows, x + (rows ? indent : 0), room, a, buf);
        }
        rows++;
        p += fit;
        while (*p == ' ')
            p++;
    }
    return rows ? rows : 1;
}

/* ---- deadlock ----------------------------------------------------------- */

static int deadlock_count(const struct model *m)
{
    return m->deadlock.found ? 1 : 0;
}

#define DEADLOCK_BADGE " DEADLOCK "
#define DEADLOCK_WHY _("each waits for the next one's lock: none can go on")

/* The cycle is the scenario's point: it is wrapped, never cut. */
static int deadlock_rows(const struct ui *u, int i, int width, int level)
{
    const char *text = u->m->deadlock.text;
    if (level < 2) {
        int x = 2 + (int)strlen(DEADLOCK_BADGE) + 1;
        return draw_wrapped(NULL, 0, x, width - x - 1, 0, 4, A_NORMAL, text);
    }
    const char *why = u->m->deadlock.broken[0] ? u->m->deadlock.broken : DEADLOCK_WHY;
    return 1 + draw_wrapped(NULL, 0, 2, width - 3, 2, 6, A_NORMAL, text) +
           draw_wrapped(NULL, 0, 2, width - 3, 0, 2, A_NORMAL, why);
}

static int deadlock_draw(struct ui *u, WINDOW *w, int i, int y, int h, int width, int level)
{
    const struct model *m = u->m;
    int y0 = y;
    if (level < 2) {
        int x = 2 + draw_text(w, y, 2, width - 3, theme_style(S_FAIL), DEADLOCK_BADGE) + 1;
        return draw_wrapped(w, y, x, width - x - 1, 0, h - y < 4 ? h - y : 4,
                            theme_style(S_FAIL_TEXT),
                            m->deadlock.broken[0] ? m->deadlock.broken : m->deadlock.text);
    }
    char when[16], extra[48];
    draw_clock(m->deadlock.t_ns, when, sizeof when);
    snprintf(extra, sizeof extra, _("found at %s"), when);
    y += heading(w, y, width, _("DEADLOCK"), extra);
    if (y < h)
        y += draw_wrapped(w, y, 2, width - 3, 2, h - y < 6 ? h - y : 6, theme_style(S_FAIL_TEXT),
                          m->deadlock.text);
    const char *why = m->deadlock.broken[0] ? m->deadlock.broken : DEADLOCK_WHY;
    if (y < h)
        y += draw_wrapped(w, y, 2, width - 3, 0, h - y < 2 ? h - y : 2,
                          m->deadlock.broken[0] ? theme_style(S_OK) : theme_style(S_DIM), why);
    return y - y0;
}

/* ---- semaphore sets ------------------------------------------------------- */

static int semset_count(const struct model *m)
{
    return m->nsemsets;
}

static int sem_words(const struct ui *u, WINDOW *w, int y, int x, int width,
                     const struct model_semset *ss, int k, int maxrows);

static int semset_rows(const struct ui *u, int i, int width, int level)
{
    const struct model_semset *ss = &u->m->semsets[i];
    if (level == 0)
        return ss->nsems;
    int n = level >= 2 ? 2 : 0;
    for (int k = 0; k < ss->nsems && k < MODEL_MAX_SEMS; k++)
        n += 1 + sem_words(u, NULL, 0, level >= 2 ? 5 : 8, width, ss, k, 2);
    return n;
}

/* Who the last sample saw asleep on semaphore k (in P, or waiting for zero)
 * and is still there by its own events: a process whose events say its P
 * (or wait) has ended since is not asleep in it any more, whatever the
 * sample said, so the holder is never also listed as waiting for what it
 * holds. Processes without events of their own are as the sample saw them. */
static int sem_peak(struct ui *u, int set, int k, int val)
{
    if (set < MODEL_MAX_SEMSETS && k < MODEL_MAX_SEMS) {
        if (val > u->sem_peak[set][k])
            u->sem_peak[set][k] = val;
        return u->sem_peak[set][k] > 0 ? u->sem_peak[set][k] : 1;
    }
    return val > 0 ? val : 1;
}

/* A line built of pieces, each in its own attribute, laid out over rows:
 * groups stay whole on a row when they fit, and a group that does not fit
 * after another starts a new row (so a list of waiters is moved, not cut). */
struct piece {
    attr_t a;
    int group; /* pieces of one group go on the same row */
    char text[256];
};

#define MAX_PIECES 12

struct pieces {
    struct piece p[MAX_PIECES];
    int n;
};

static void piece_add(struct pieces *ps, int group, attr_t a, const char *text)
{
    if (ps->n >= MAX_PIECES || !text[0])
        return;
    struct piece *p = &ps->p[ps->n++];
    p->a = a;
    p->group = group;
    snprintf(p->text, sizeof p->text, "%s", text);
}

static int group_width(const struct pieces *ps, int g)
{
    int n = 0;
    for (int i = 0; i < ps->n; i++)
        if (ps->p[i].group == g)
            n += draw_width(ps->p[i].text);
    return n;
}

/* Lay the groups out from (y, x) within width, on at most maxrows rows,
 * groups separated by three spaces; rows after the first are indented by
 * two. Draws nothing when w is NULL. Returns the rows used. */
static int pieces_draw(WINDOW *w, int y, int x, int width, int maxrows, const struct pieces *ps)
{
    int room = width - x - 1, row = 0, col = 0;
    const int indent = 2;
    int last_group = -1;
    for (int i = 0; i < ps->n; i++) {
        const struct piece *p = &ps->p[i];
        if (p->group != last_group) {
            int gw = group_width(ps, p->group);
            if (col > 0 && col + 3 + gw > room && row + 1 < maxrows) {
                row++;
                col = indent;
            } else if (col > (row ? indent : 0)) {
                if (w)
                    draw_text(w, y + row, x + col, room - col, A_NORMAL, "   ");
                col += 3;
            }
            last_group = p->group;
        }
        if (w && col < room)
            draw_text(w, y + row, x + col, room - col, p->a, p->text);
        col += draw_width(p->text);
    }
    return row + 1;
}

/* What to say under a semaphore: who holds it (a lock), who is asleep on
 * it, or that nobody is. */
static void sem_pieces(const struct ui *u, const struct model_semset *ss, int k, int room,
                       struct pieces *ps)
{
    const struct model *m = u->m;
    static int pidx[MODEL_MAX_PROCS], zidx[MODEL_MAX_PROCS];
    int np = model_sem_waiters(m, ss, k, false, pidx);
    int nz = model_sem_waiters(m, ss, k, true, zidx);
    char names[256];
    ps->n = 0;
    bool lock = (ss->lockmask >> k) & 1;
    if (lock) {
        const char *holder = ss->holder[k] ? proc_name_by_pid(m, ss->holder[k]) : NULL;
        piece_add(ps, 0, A_NORMAL, holder ? _("held by ") : _("free"));
        if (holder) {
            piece_add(ps, 0, proc_attr_by_pid(m, ss->holder[k]), holder);
            if ((ss->holder_dead >> k) & 1)
                piece_add(ps, 0, theme_style(S_FAIL_TEXT), _(" (dead)"));
        }
    }
    if (np) {
        names_compact(m, pidx, np, names, sizeof names);
        piece_add(ps, 1, theme_style(S_BAR_WAIT), _("asleep in P: "));
        piece_add(ps, 1, A_NORMAL, names);
    }
    if (nz) {
        names_compact(m, zidx, nz, names, sizeof names);
        piece_add(ps, 2, theme_style(S_BAR_WAIT), _("waiting for 0: "));
        piece_add(ps, 2, A_NORMAL, names);
    }
    if (!np && !nz) {
        const char *last = proc_name_by_pid(m, ss->lastpid[k]);
        char idle[96];
        snprintf(idle, sizeof idle, _("nobody asleep on it%s%s"), last ? _("; last semop by ") : "",
                 last ? last : "");
        int used = lock ? group_width(ps, 0) + 3 : 0;
        if (used + draw_width(idle) > room)
            snprintf(idle, sizeof idle, _("nobody asleep on it"));
        piece_add(ps, 3, theme_style(S_DIM), idle);
    }
}

static int sem_words(const struct ui *u, WINDOW *w, int y, int x, int width,
                     const struct model_semset *ss, int k, int maxrows)
{
    struct pieces ps;
    sem_pieces(u, ss, k, width - x - 1, &ps);
    return pieces_draw(w, y, x, width, maxrows, &ps);
}

static int semset_draw(struct ui *u, WINDOW *w, int set, int y, int h, int width, int level)
{
    const struct model *m = u->m;
    const struct model_semset *ss = &m->semsets[set];
    const char *dot = theme_glyphs()->dot;
    int y0 = y;
    int namew = 0;
    for (int k = 0; k < ss->nsems; k++) {
        int nw = draw_width(ss->name[k]);
        if (nw > namew)
            namew = nw;
    }
    if (namew)
        namew += 2;
    if (level >= 2) {
        char full[128], shorter[96], least[48], otime[16];
        time_hms(ss->otime, otime, sizeof otime);
        if (m->state == RUN_DONE) {
            snprintf(full, sizeof full, _("semid %d %s removed (run over)"), ss->semid, dot);
            snprintf(shorter, sizeof shorter, _("semid %d %s removed"), ss->semid, dot);
        } else {
            snprintf(full, sizeof full, _("semid %d %s mode %04o %s otime %s"), ss->semid, dot,
                     ss->mode, dot, otime);
            snprintf(shorter, sizeof shorter, _("semid %d %s otime %s"), ss->semid, dot, otime);
        }
        snprintf(least, sizeof least, "semid %d", ss->semid);
        const char *alts[] = {full, shorter, least};
        const char *title = _("SEMAPHORE SET");
        y += heading(w, y, width, title, first_fit(heading_room(y, width, title), alts, 3));
        if (y >= h)
            return y - y0;
    }
    int barw = (level >= 2) ? (namew ? 8 : 10) : 6;
    /* semval takes up to 5 digits (SEMVMX is 32767), then a space */
    int x_bar = 5 + namew, x_n = x_bar + barw + 7, x_z = x_n + 9, x_p = x_z + 9;
    if (level >= 2) {
        attr_t hd = theme_style(S_DIM) | A_BOLD;
        draw_text(w, y, 2, 3, hd, "#");
        draw_text(w, y, x_bar, barw + 6, hd, "semval");
        draw_text(w, y, x_n, 8, hd, "semncnt");
        draw_text(w, y, x_z, 8, hd, "semzcnt");
        draw_text(w, y, x_p, width - x_p - 1, hd, "sempid");
        y++;
    }
    for (int k = 0; k < ss->nsems && y < h; k++) {
        int peak = sem_peak(u, set, k, ss->val[k]);
        if (level >= 2) {
            draw_textf(w, y, 2, 3, A_BOLD, "%d", k);
            if (namew)
                draw_text(w, y, 5, namew - 1, A_BOLD, ss->name[k]);
            draw_bar(w, y, x_bar, barw, ss->val[k], peak, ss->ncnt[k] > 0);
            draw_textf(w, y, x_bar + barw + 1, 5, A_BOLD, "%d", ss->val[k]);
            draw_textf(w, y, x_n, 8, ss->ncnt[k] ? theme_style(S_BAR_WAIT) : A_NORMAL, "%d",
                       ss->ncnt[k]);
            draw_textf(w, y, x_z, 8, ss->zcnt[k] ? theme_style(S_BAR_WAIT) : A_NORMAL, "%d",
                       ss->zcnt[k]);
            draw_who(m, w, y, x_p, width - x_p - 1, ss->lastpid[k]);
        } else {
            int x = 2;
            /* names padded to the longest, so the bars line up */
            x += draw_textf(w, y, x, width - x, A_BOLD, "sem %d%s%-*s ", k, namew ? " " : "",
                            namew ? namew - 2 : 0, ss->name[k]);
            x += draw_bar(w, y, x, barw, ss->val[k], peak, ss->ncnt[k] > 0);
            x += draw_textf(w, y, x, width - x, A_BOLD, " %d", ss->val[k]);
            x += draw_textf(w, y, x, width - x, ss->ncnt[k] ? theme_style(S_BAR_WAIT) : A_NORMAL,
                            "  semncnt %d", ss->ncnt[k]);
            if (level > 0 || ss->zcnt[k]) /* tight: semzcnt only when it says something */
                x +=
                    draw_textf(w, y, x, width - x, ss->zcnt[k] ? theme_style(S_BAR_WAIT) : A_NORMAL,
                               "  semzcnt %d", ss->zcnt[k]);
            if (level == 0) {
                sem_words(u, w, y, x + 2, width, ss, k, 1);
                y++;
                continue;
            }
            x += draw_textf(w, y, x, width - x, A_NORMAL, "  sempid %d", (int)ss->lastpid[k]);
            if (m->nsemsets > 1)
                draw_textf(w, y, x, width - x, theme_style(S_DIM), "  (semid %d)", ss->semid);
        }
        if (++y >= h)
            break;
        y += sem_words(u, w, y, level >= 2 ? 5 : 8, width, ss, k, h - y < 2 ? h - y : 2);
    }
    return y - y0;
}

/* ---- critical section ----------------------------------------------------- */

static int cs_count(const struct model *m)
{
    return m->cs.present ? 1 : 0;
}

/* Who is inside now. The shared counters cannot forget a process killed
 * inside (SEM_UNDO lets the next one in while the count still has the dead
 * one); once that happened the events' count of the living is the truth.
 * sect < 0: all sections. */
static int cs_live(const struct model_cs *cs, int sect)
{
    if (cs->died_inside <= 0)
        return sect < 0 ? cs->occupancy : cs->sect_occupancy[sect];
    if (sect >= 0)
        return cs->ev_inside[sect] > 0 ? cs->ev_inside[sect] : 0;
    int n = 0, ns = cs->nsections > 1 ? cs->nsections : 1;
    for (int s = 0; s < ns && s < MODEL_MAX_SECTIONS; s++)
        n += cs->ev_inside[s] > 0 ? cs->ev_inside[s] : 0;
    return n;
}

static int cs_rows(const struct ui *u, int i, int width, int level)
{
    const struct model_cs *cs = &u->m->cs;
    if (level < 2)
        return 1;
    return cs->nsections > 1 ? 2 + cs->nsections + 1 : 4;
}

static int cs_draw(struct ui *u, WINDOW *w, int i, int y, int h, int width, int level)
{
    const struct model *m = u->m;
    const struct model_cs *cs = &m->cs;
    const struct ui_glyphs *g = theme_glyphs();
    int y0 = y;
    int shm = -1;
    for (int k = 0; k < m->nshmsegs; k++)
        if (m->shmsegs[k].stats)
            shm = m->shmsegs[k].shmid;
    long long lost = cs->entries - cs->counter;
    bool broken = cs->max_occupancy > 1;
    int inside = cs_live(cs, -1);
    if (level < 2) {
        int x = 2;
        x += draw_text(w, y, x, width - x, A_BOLD, _("critical section: "));
        x += draw_textf(w, y, x, width - x, inside > 1 ? theme_style(S_FAIL) : A_NORMAL,
                        _("inside %d"), inside);
        x += draw_textf(w, y, x, width - x, broken ? theme_style(S_FAIL) : A_NORMAL,
                        _(", most at once %d"), cs->max_occupancy);
        x += draw_textf(w, y, x, width - x, A_NORMAL, _("  counter %lld, updates %lld of %lld"),
                        cs->counter, cs->entries, cs->expected);
        if (lost > 0)
            draw_textf(w, y, x, width - x, theme_style(S_FAIL), _(" (%lld lost)"), lost);
        return 1;
    }
    char extra[64] = "";
    if (shm >= 0)
        snprintf(extra, sizeof extra, _("the counter lives in shm %d"), shm);
    y += heading(w, y, width, cs->nsections > 1 ? _("CRITICAL SECTIONS") : _("CRITICAL SECTION"),
                 extra);
    if (y >= h)
        return y - y0;
    if (cs->nsections > 1) {
        attr_t hd = theme_style(S_DIM) | A_BOLD;
        draw_text(w, y, 2, width - 3, hd, "sem  inside        most  counter  updates");
        y++;
        for (int s = 0; s < cs->nsections && s < MODEL_MAX_SECTIONS && y < h; s++, y++) {
            int occ = cs_live(cs, s);
            draw_textf(w, y, 2, 4, A_BOLD, "%d", s);
            draw_bar(w, y, 7, 6, occ, 2, occ > 1);
            draw_textf(w, y, 14, 4, A_BOLD, "%d", occ);
            draw_textf(w, y, 21, 5, cs->sect_max[s] > 1 ? theme_style(S_FAIL) : A_NORMAL, "%d",
                       cs->sect_max[s]);
            draw_textf(w, y, 27, 9, A_NORMAL, "%lld", cs->sect_counter[s]);
            long long sl = cs->sect_entries[s] - cs->sect_counter[s];
            draw_textf(w, y, 36, width - 37, sl > 0 ? theme_style(S_FAIL) : A_NORMAL, "%lld%s",
                       cs->sect_entries[s], sl > 0 ? _("  lost!") : "");
        }
        if (y < h) {
            draw_textf(w, y, 2, width - 3, lost > 0 ? theme_style(S_FAIL_TEXT) : theme_style(S_DIM),
                       _("all: counter %lld, updates %lld of %lld, %s"), cs->counter, cs->entries,
                       cs->expected, lost > 0 ? _("updates lost") : _("none lost"));
            y++;
        }
        return y - y0;
    }
    int x = 2;
    x += draw_text(w, y, x, width - x, A_NORMAL, _("inside now "));
    int cells = inside < 12 ? inside : 12;
    wmove(w, y, x);
    wattrset(w, inside > 1 ? theme_style(S_FAIL_TEXT) : theme_style(S_BAR_ON));
    for (int k = 0; k < cells; k++)
        waddstr(w, g->bar_full);
    wattrset(w, A_NORMAL);
    x += cells;
    x += draw_textf(w, y, x, width - x, A_BOLD, " %d", inside);
    x += draw_text(w, y, x, width - x, A_NORMAL, _("   most at once "));
    x += draw_textf(w, y, x, width - x, broken ? theme_style(S_FAIL) : theme_style(S_OK), "%d",
                    cs->max_occupancy);
    char note[64];
    if (broken)
        snprintf(note, sizeof note, _("  (over 1: mutual exclusion broken)"));
    else if (cs->died_inside > 0)
        snprintf(note, sizeof note, _("  (%d died inside)"), cs->died_inside);
    else
        snprintf(note, sizeof note, _("  (must stay 1)"));
    draw_text(w, y, x, width - x - 1, theme_style(S_DIM), note);
    if (++y >= h)
        return y - y0;
    x = 2;
    x += draw_text(w, y, x, width - x, A_NORMAL, _("counter "));
    x += draw_textf(w, y, x, width - x, A_BOLD, "%lld", cs->counter);
    x += draw_textf(w, y, x, width - x, A_NORMAL, _("   updates done %lld of %lld"), cs->entries,
                    cs->expected);
    if (lost > 0)
        draw_textf(w, y, x, width - x - 1, theme_style(S_FAIL), _("   %lld lost!"), lost);
    else
        draw_text(w, y, x, width - x - 1, theme_style(S_DIM), _("   none lost"));
    if (++y >= h)
        return y - y0;
    x = 2;
    x += draw_text(w, y, x, width - x, A_NORMAL, _("inside over time "));
    int room = width - x - 2;
    if (room > u->occ_n)
        room = u->occ_n;
    int top = 2; /* 1 inside fills half: 2 inside would be a full bar */
    for (int k = 0; k < u->occ_n; k++) {
        int v = u->occ_hist[(u->occ_samples - 1 - (uint64_t)k) % UI_OCC_HIST];
        if (v > top)
            top = v;
    }
    wmove(w, y, x);
    for (int k = room - 1; k >= 0; k--) {
        int v = u->occ_hist[(u->occ_samples - 1 - (uint64_t)k) % UI_OCC_HIST];
        int lv = v == 0 ? 0 : (v * 8 + top - 1) / top;
        if (lv > 8)
            lv = 8;
        wattrset(w, v > 1 ? theme_style(S_FAIL_TEXT) : theme_style(S_BAR_ON));
        waddstr(w, g->spark[lv]);
    }
    wattrset(w, A_NORMAL);
    y++;
    return y - y0;
}

/* ---- message queues ----------------------------------------------------- */

static int msgq_count(const struct model *m)
{
    return m->nmsgqs;
}

/* How many processes are asleep in msgrcv (dir 2) or msgsnd (dir 1) on
 * this queue. */
static int msgq_sleepers(const struct model *m, const struct model_msgq *q, int dir)
{
    int n = 0;
    for (int i = 0; i < m->nprocs; i++) {
        const struct model_proc *p = &m->procs[i];
        n += asleep(p) && p->kernel.msgcall == dir && p->kernel.msqid == q->msqid;
    }
    return n;
}

/* Who is asleep on the queue, as pieces ("recv-type2-1 (type 2)"), one
 * group per process, so a long list moves to the next row instead of being
 * cut. */
static void msgq_waiter_pieces(const struct model *m, const struct model_msgq *q, struct pieces *ps)
{
    ps->n = 0;
    int group = 0;
    for (int dir = 2; dir >= 1; dir--) {
        bool first = true;
        for (int i = 0; i < m->nprocs; i++) {
            const struct model_proc *p = &m->procs[i];
            if (!asleep(p) || p->kernel.msgcall != dir || p->kernel.msqid != q->msqid)
                continue;
            if (first)
                piece_add(ps, group, theme_style(S_BAR_WAIT),
                          dir == 2 ? _("asleep in msgrcv: ") : _("asleep in msgsnd (full): "));
            first = false;
            const char *paren = strchr(p->kernel.text, '(');
            char txt[96];
            snprintf(txt, sizeof txt, "%s %s", p->name, paren ? paren : "");
            piece_add(ps, group++, A_NORMAL, txt);
        }
    }
    if (ps->n == 0)
        piece_add(ps, 0, theme_style(S_DIM), _("nobody asleep on it"));
}

#define MSGQ_WAIT_ROWS 3

static int msgq_rows(const struct ui *u, int i, int width, int level)
{
    struct pieces ps;
    msgq_waiter_pieces(u->m, &u->m->msgqs[i], &ps);
    if (level < 2)
        return 1 + pieces_draw(NULL, 0, 8, width, 2, &ps);
    return 5 + pieces_draw(NULL, 0, 2, width, MSGQ_WAIT_ROWS, &ps);
}

static void msgq_by_type(const struct model_msgq *q, char *buf, size_t len)
{
    size_t off = 0;
    buf[0] = '\0';
    int count;
    for (long t = model_msgq_next_type(q, 0, &count); t && off < len;
         t = model_msgq_next_type(q, t, &count))
        off +=
            (size_t)snprintf(buf + off, len - off, _("%stype %ld: %d"), off ? "   " : "", t, count);
}

static int msgq_draw(struct ui *u, WINDOW *w, int i, int y, int h, int width, int level)
{
    const struct model *m = u->m;
    const struct model_msgq *q = &m->msgqs[i];
    const char *dot = theme_glyphs()->dot;
    int y0 = y;
    char bytype[160];
    int ns = msgq_sleepers(m, q, 1);
    msgq_by_type(q, bytype, sizeof bytype);
    bool gone = q->removed || m->state == RUN_DONE;
    if (level < 2) {
        int x = 2;
        x += draw_textf(w, y, x, width - x, A_BOLD, "msq %d", q->msqid);
        if (q->removed)
            x += draw_text(w, y, x, width - x, theme_style(S_DIM), _(" (removed)"));
        x += draw_textf(w, y, x, width - x, A_NORMAL, ": qnum %ld  cbytes ", q->qnum);
        x += draw_bar(w, y, x, 8, q->cbytes, q->qbytes, ns > 0);
        x += draw_textf(w, y, x, width - x, A_NORMAL, " %ld/%ld  %s", q->cbytes, q->qbytes, bytype);
        if (++y >= h)
            return 1;
        struct pieces ps;
        msgq_waiter_pieces(m, q, &ps);
        return 1 + pieces_draw(w, y, 8, width, h - y < 2 ? h - y : 2, &ps);
    }
    char extra[96];
    if (q->removed)
        snprintf(extra, sizeof extra, _("msqid %d %s removed (IPC_RMID)"), q->msqid, dot);
    else if (m->state == RUN_DONE)
        snprintf(extra, sizeof extra, _("msqid %d %s removed (run over)"), q->msqid, dot);
    else
        snprintf(extra, sizeof extra, _("msqid %d %s mode %04o"), q->msqid, dot, q->mode);
    y += heading(w, y, width, _("MESSAGE QUEUE"), extra);
    if (y >= h)
        return y - y0;
    int x = 2;
    x += draw_textf(w, y, x, width - x, A_NORMAL, "qnum ");
    x += draw_textf(w, y, x, width - x, A_BOLD, "%-4ld", q->qnum);
    x += draw_text(w, y, x, width - x, A_NORMAL, " cbytes ");
    x += draw_bar(w, y, x, 10, q->cbytes, q->qbytes, ns > 0);
    x += draw_textf(w, y, x, width - x, A_BOLD, " %ld", q->cbytes);
    draw_textf(w, y, x, width - x - 1, A_NORMAL, _(" of qbytes %ld"), q->qbytes);
    if (++y >= h)
        return y - y0;
    x = 2;
    x += draw_text(w, y, x, width - x, A_NORMAL, "lspid ");
    x += draw_who(m, w, y, x, width / 2 - x, q->lspid);
    x += draw_text(w, y, x, width - x, A_NORMAL, "   lrpid ");
    draw_who(m, w, y, x, width - x - 1, q->lrpid);
    if (++y >= h)
        return y - y0;
    x = 2;
    if (gone && q->npeek == 0) {
        draw_text(w, y, x, width - 3, theme_style(S_DIM), _("(gone: nothing to look at)"));
    } else if (q->peek_state == PEEK_NO_MSG_COPY) {
        draw_text(w, y, x, width - 3, theme_style(S_DIM),
                  _("contents: this kernel lacks MSG_COPY, so they cannot be peeked"));
    } else if (q->peek_state == PEEK_REFUSED) {
        draw_text(w, y, x, width - 3, theme_style(S_DIM), _("contents: MSG_COPY not permitted"));
    } else {
        x += draw_text(w, y, x, width - x, theme_style(S_DIM), _("oldest "));
        if (q->npeek == 0)
            x += draw_text(w, y, x, width - x, theme_style(S_DIM), _("(empty)"));
        for (int k = 0; k < q->npeek && x < width - 8; k++)
            x += draw_textf(w, y, x, width - x, theme_proc((int)q->peek[k].type), "[%ld]",
                            q->peek[k].type);
        if (q->qnum > q->npeek)
            x += draw_textf(w, y, x, width - x, theme_style(S_DIM), "+%ld", q->qnum - q->npeek);
        draw_text(w, y, x, width - x - 1, theme_style(S_DIM), _(" newest"));
    }
    if (++y >= h)
        return y - y0;
    draw_text(w, y, 2, width - 3, A_NORMAL, bytype[0] ? bytype : "");
    if (++y >= h)
        return y - y0;
    struct pieces ps;
    msgq_waiter_pieces(m, q, &ps);
    y += pieces_draw(w, y, 2, width, h - y < MSGQ_WAIT_ROWS ? h - y : MSGQ_WAIT_ROWS, &ps);
    return y - y0;
}

/* ---- shared memory ---------------------------------------------------------- */

/* The stats segment's fields, to label its bytes: taken from struct
 * cs_stats itself, so a name always sits over the bytes it names. The
 * workers count in section 0 (sect[0]), where the counter really is; the
 * header's lockvar is the plain-variable "lock" of sem=off. */
#define CS_FIELD(name, member)                                                                     \
    {                                                                                              \
        name, offsetof(struct cs_stats, member), sizeof(((struct cs_stats *)0)->member)            \
    }
static const struct {
    const char *name;
    size_t off, len;
} cs_fields[] = {
    CS_FIELD("lockvar", lockvar),
    CS_FIELD("pad", pad),
    CS_FIELD("occupancy", sect[0].occupancy),
    CS_FIELD("max", sect[0].max_occupancy),
    CS_FIELD("counter", sect[0].counter),
    CS_FIELD("entries", sect[0].entries),
};

static int shm_count(const struct model *m)
{
    return m->nshmsegs;
}

static int shm_per_row(int width)
{
    return width >= 2 + 5 + 16 * 3 + 2 + 16 ? 16 : 8;
}

static int ring_per_row(int width)
{
    int n = (width - 4) / 9;
    return n < 1 ? 1 : n;
}

static int shm_rows(const struct ui *u, int i, int width, int level)
{
    const struct model_shmseg *s = &u->m->shmsegs[i];
    if (level < 2)
        return s->ring_slots > 0 ? 2 : 1;
    if (s->stats)
        return 2 + 4;
    if (s->ring_slots > 0) {
        int per = ring_per_row(width);
        return 2 + 2 * ((s->ring_slots + per - 1) / per) + 1;
    }
    int per = shm_per_row(width);
    size_t n = s->segsz < 64 ? s->segsz : 64;
    return 2 + (int)((n + (size_t)per - 1) / (size_t)per);
}

static void ring_slot_text(long long v, char *buf, size_t len)
{
    if (v == 0)
        snprintf(buf, len, "   .   ");
    else if (v >= 1000000 && v < 100000000)
        snprintf(buf, len, " p%lld#%-3lld", v / 1000000, v % 1000000);
    else
        snprintf(buf, len, " %-6lld", v);
}

static int shm_ring_draw(const struct model_shmseg *s, WINDOW *w, int y, int h, int width)
{
    int y0 = y;
    struct ring_view v;
    if (ring_decode(s->peek, s->peek_len, s->ring_slots, &v) < 0) {
        draw_text(w, y, 2, width - 3, theme_style(S_DIM), _("(the ring is not written yet)"));
        return 1;
    }
    int per = ring_per_row(width);
    int hslot = v.slots > 0 ? ((v.head % v.slots) + v.slots) % v.slots : 0;
    int tslot = v.slots > 0 ? ((v.tail % v.slots) + v.slots) % v.slots : 0;
    for (int first = 0; first < v.slots && y + 1 < h; first += per) {
        int x = 2;
        for (int k = first; k < v.slots && k < first + per; k++) {
            char t[16];
            ring_slot_text(v.slot[k], t, sizeof t);
            x += draw_text(w, y, x, 1, theme_style(S_DIM), "[");
            x += draw_text(w, y, x, 7, v.slot[k] ? A_BOLD : theme_style(S_DIM), t);
            x += draw_text(w, y, x, 1, theme_style(S_DIM), "]");
            const char *mark = k == hslot && k == tslot ? "^head=tail"
                               : k == hslot             ? "^head"
                               : k == tslot             ? "^tail"
                                                        : "";
            /* under the slot's "[": "^head=tail" is one column wider than
             * the slot, and the next slot then has no mark of its own */
            if (*mark)
                draw_text(w, y + 1, x - 9, width - (x - 9) - 1, theme_style(S_PENDING), mark);
        }
        y += 2;
    }
    if (y < h) {
        int x = 2;
        x += draw_textf(w, y, x, width - x, A_NORMAL, _("produced %lld  consumed %lld  "),
                        v.produced, v.consumed);
        x += draw_textf(w, y, x, width - x,
                        v.used < 0 || v.used > v.slots ? theme_style(S_FAIL) : A_NORMAL,
                        _("head-tail %d of %d slots"), v.used, v.slots);
        y++;
    }
    return y - y0;
}

/* The stats segment: two rows of fields, each name above its bytes (hex, as
 * they sit in memory: little-endian). Returns the rows used. */
static int shm_stats_draw(const struct model_shmseg *s, WINDOW *w, int y, int h, int width)
{
    static const int rows[2][2] = {{0, 2}, {2, 6}};
    static const char *const row_names[2] = {"the lock of sem=off", "sect[0]"};
    int y0 = y;
    for (int r = 0; r < 2 && y + 1 < h; r++) {
        int x = 2;
        draw_textf(w, y + 1, x, 5, theme_style(S_DIM), "+%02zx", cs_fields[rows[r][0]].off);
        x += 5;
        for (int f = rows[r][0]; f < rows[r][1]; f++) {
            size_t off = cs_fields[f].off, len = cs_fields[f].len;
            char hex[24] = "";
            bool zero = true;
            for (size_t b = 0; b < len && off + b < s->peek_len; b++) {
                snprintf(hex + 2 * b, 3, "%02x", s->peek[off + b]);
                zero = zero && s->peek[off + b] == 0;
            }
            int fw = (int)(2 * len) + 2;
            draw_text(w, y, x, fw - 1, theme_style(S_DIM), cs_fields[f].name);
            draw_text(w, y + 1, x, fw - 1, zero ? theme_style(S_DIM) : A_BOLD, hex);
            x += fw;
        }
        if (x < width - 1)
            draw_text(w, y + 1, x, width - x - 1, theme_style(S_DIM), row_names[r]);
        y += 2;
    }
    return y - y0;
}

/* Any other segment: its first bytes, hex and text. Returns the rows used. */
static int shm_bytes_draw(const struct model_shmseg *s, WINDOW *w, int y, int h, int width)
{
    int y0 = y, per = shm_per_row(width);
    size_t n = s->peek_len < 64 ? s->peek_len : 64;
    for (size_t off = 0; off < n && y < h; off += (size_t)per, y++) {
        int x = 2;
        x += draw_textf(w, y, x, width - x, theme_style(S_DIM), "+%02zx ", off);
        char asc[17];
        size_t k;
        for (k = 0; k < (size_t)per && off + k < n; k++) {
            unsigned char c = s->peek[off + k];
            x += draw_textf(w, y, x, width - x, c ? A_BOLD : theme_style(S_DIM), " %02x", c);
            asc[k] = c >= 32 && c < 127 ? (char)c : '.';
        }
        asc[k] = '\0';
        draw_textf(w, y, x, width - x - 1, theme_style(S_DIM), "  %s", asc);
    }
    return y - y0;
}

/* ipcs's status column: " dest", " locked", both, or "". */
static const char *shm_status(const struct model_shmseg *s)
{
    bool dest = s->mode & MODEL_SHM_DEST, locked = s->mode & MODEL_SHM_LOCKED;
    return dest && locked ? " dest locked" : dest ? " dest" : locked ? " locked" : "";
}

static int shm_draw(struct ui *u, WINDOW *w, int i, int y, int h, int width, int level)
{
    const struct model *m = u->m;
    const struct model_shmseg *s = &m->shmsegs[i];
    const char *dot = theme_glyphs()->dot;
    const char *cn = proc_name_by_pid(m, s->cpid), *ln = proc_name_by_pid(m, s->lpid);
    int y0 = y;
    char what[96];
    if (s->kind == SHM_POSIX)
        snprintf(what, sizeof what, "POSIX %s", s->name);
    else if (s->kind == SHM_ANON)
        snprintf(what, sizeof what, _("anonymous MAP_SHARED"));
    else
        snprintf(what, sizeof what, "shmid %d", s->shmid);
    if (level < 2) {
        int x = 2;
        x += draw_textf(w, y, x, width - x, A_BOLD, "shm %s", what);
        if (s->kind == SHM_SYSV) {
            char full[192], mid[160], least[96];
            const char *st = shm_status(s);
            snprintf(full, sizeof full,
                     _(": %zu bytes, nattch %ld%s, cpid %d%s%s%s, lpid %d%s%s%s"), s->segsz,
                     s->nattch, st, (int)s->cpid, cn ? " (" : "", cn ? cn : "", cn ? ")" : "",
                     (int)s->lpid, ln ? " (" : "", ln ? ln : "", ln ? ")" : "");
            snprintf(mid, sizeof mid, _(": %zu bytes, nattch %ld%s, cpid %d, lpid %d%s%s%s"),
                     s->segsz, s->nattch, st, (int)s->cpid, (int)s->lpid, ln ? " (" : "",
                     ln ? ln : "", ln ? ")" : "");
            snprintf(least, sizeof least, _(": %zu bytes, nattch %ld%s, cpid %d, lpid %d"),
                     s->segsz, s->nattch, st, (int)s->cpid, (int)s->lpid);
            const char *alts[] = {full, mid, least};
            x += draw_text(w, y, x, width - x, A_NORMAL, first_fit(width - x - 1, alts, 3));
        } else {
            x += draw_textf(w, y, x, width - x, A_NORMAL, _(": %zu bytes"), s->segsz);
        }
        if (s->ring_slots <= 0 || y + 1 >= h)
            return 1;
        struct ring_view v;
        if (ring_decode(s->peek, s->peek_len, s->ring_slots, &v) == 0) {
            char r[256];
            ring_format(&v, r, sizeof r);
            draw_textf(w, y + 1, 8, width - 9, A_NORMAL, _("ring %s"), r);
        } else {
            draw_text(w, y + 1, 8, width - 9, theme_style(S_DIM), _("ring not written yet"));
        }
        return 2;
    }
    char extra[128];
    snprintf(extra, sizeof extra, _("%s %s %zu bytes%s"), what, dot, s->segsz,
             m->state == RUN_DONE ? _(" (removed)") : "");
    y += heading(w, y, width, _("SHARED MEMORY"), extra);
    if (y >= h)
        return y - y0;
    if (s->kind == SHM_SYSV) {
        char full[192], mid[160], least[96];
        const char *st = shm_status(s);
        snprintf(full, sizeof full, "key 0x%08x   nattch %ld%s   cpid %d%s%s   lpid %d%s%s",
                 (unsigned)s->perm.key, s->nattch, st, (int)s->cpid, cn ? " " : "", cn ? cn : "",
                 (int)s->lpid, ln ? " " : "", ln ? ln : "");
        snprintf(mid, sizeof mid, "nattch %ld%s   cpid %d   lpid %d%s%s", s->nattch, st,
                 (int)s->cpid, (int)s->lpid, ln ? " " : "", ln ? ln : "");
        snprintf(least, sizeof least, "nattch %ld%s   cpid %d   lpid %d", s->nattch, st,
                 (int)s->cpid, (int)s->lpid);
        const char *alts[] = {full, mid, least};
        draw_text(w, y, 2, width - 3, A_NORMAL, first_fit(width - 3, alts, 3));
    } else if (s->kind == SHM_POSIX) {
        const char *alts[] = {"shm_open + mmap: a file in /dev/shm, mapped by whoever opens it",
                              "shm_open + mmap: a file in /dev/shm anyone may open",
                              "shm_open + mmap: a file in /dev/shm"};
        draw_text(w, y, 2, width - 3, theme_style(S_DIM), first_fit(width - 3, alts, 3));
    } else {
        const char *alts[] = {"mmap MAP_SHARED|MAP_ANONYMOUS before fork: only children share it",
                              "MAP_SHARED|MAP_ANONYMOUS: shared by fork only",
                              "MAP_SHARED|MAP_ANONYMOUS"};
        draw_text(w, y, 2, width - 3, theme_style(S_DIM), first_fit(width - 3, alts, 3));
    }
    y++;
    if (y >= h)
        return y - y0;
    if (s->peek_len == 0) {
        draw_text(w, y, 2, width - 3, theme_style(S_DIM), _("(not sampled yet)"));
        return y + 1 - y0;
    }
    if (s->ring_slots > 0)
        return y - y0 + shm_ring_draw(s, w, y, h, width);
    if (s->stats)
        return y - y0 + shm_stats_draw(s, w, y, h, width);
    return y - y0 + shm_bytes_draw(s, w, y, h, width);
}

/* ---- byte streams (pipes, FIFOs, sockets) ----------------------------------- */

static int streams_used(const struct model *m)
{
    int n = 0;
    for (int i = 0; i < MODEL_MAX_STREAMS; i++)
        n += m->streams[i].used;
    return n;
}

static int streams_count(const struct model *m)
{
    return streams_used(m) ? 1 : 0;
}

static int streams_rows(const struct ui *u, int i, int width, int level)
{
    return ((level >= 2) ? 1 : 0) + streams_used(u->m);
}

static int streams_draw(struct ui *u, WINDOW *w, int i, int y, int h, int width, int level)
{
    const struct model *m = u->m;
    int y0 = y;
    if (level >= 2)
        y += heading(w, y, width, _("BYTE STREAMS"), _("what went in and what came out"));
    for (int k = 0; k < MODEL_MAX_STREAMS && y < h; k++) {
        const struct model_stream *s = &m->streams[k];
        if (!s->used)
            continue;
        int x = 2;
        x += draw_who(m, w, y, x, 22, s->writer);
        x += draw_text(w, y, x, width - x, theme_style(S_DIM), " -> ");
        x += draw_who(m, w, y, x, 22, s->reader);
        x += draw_textf(w, y, x, width - x, A_NORMAL, _("  written %lld, read %lld"), s->written,
                        s->read);
        if (s->written > s->read)
            x += draw_textf(w, y, x, width - x, theme_style(S_PENDING), _(", %lld in transit"),
                            s->written - s->read);
        if (s->eof)
            x += draw_text(w, y, x, width - x, theme_style(S_OK), "  EOF");
        if (s->werr)
            x += draw_textf(w, y, x, width - x, theme_style(S_FAIL_TEXT), _("  write: %s"),
                            errname(s->werr));
        if (s->rerr)
            draw_textf(w, y, x, width - x, theme_style(S_FAIL_TEXT), _("  read: %s"),
                       errname(s->rerr));
        y++;
    }
    return y - y0;
}

/* ---- the race: one bar per mechanism, growing as the counts come in -------- */

static int race_lanes(const struct model *m)
{
    int n = 0;
    for (int k = 0; k < RACE__N; k++)
        n += m->race.lane[k].used;
    return n;
}

static int race_count(const struct model *m)
{
    return m->race.present ? 1 : 0;
}

static int race_rows(const struct ui *u, int i, int width, int level)
{
    return ((level >= 2) ? 1 : 0) + race_lanes(u->m);
}

/* How fast, as a bar's length: MB/s, or round trips per second. */
static double race_speed(const struct model_race_lane *l)
{
    double f = model_race_figure(l);
    if (f <= 0)
        return 0;
    return l->mode == RACE_PINGPONG ? 1e6 / f : f;
}

static int race_draw(struct ui *u, WINDOW *w, int i, int y, int h, int width, int level)
{
    const struct model *m = u->m;
    int y0 = y;
    bool pp = false;
    double best = 0;
    for (int k = 0; k < RACE__N; k++) {
        const struct model_race_lane *l = &m->race.lane[k];
        if (!l->used)
            continue;
        pp = l->mode == RACE_PINGPONG;
        if (race_speed(l) > best)
            best = race_speed(l);
    }
    if (level >= 2)
        y += heading(w, y, width, _("IPC RACE"),
                     pp ? _("round trip, microseconds (shorter bar: slower)")
                        : _("MB/s streamed, every byte checked"));
    for (int k = 0; k < RACE__N && y < h; k++) {
        const struct model_race_lane *l = &m->race.lane[k];
        if (!l->used)
            continue;
        int x = 2;
        x += draw_textf(w, y, x, width - x, A_BOLD, "%-11s", race_mech_name(k));
        int cells = width - x - 36;
        if (cells > 40)
            cells = 40;
        if (cells >= 4)
            x += draw_bar(w, y, x, cells, (long)(race_speed(l) * 100), (long)(best * 100),
                          l->bad || l->err) +
                 1;
        double f = model_race_figure(l);
        if (f > 0)
            x += draw_textf(w, y, x, width - x, A_NORMAL, pp ? "%9.2f us" : "%9.1f MB/s", f);
        else
            x += draw_text(w, y, x, width - x, theme_style(S_DIM),
                           pp ? "        - us" : "        - MB/s");
        int pct = l->count > 0 ? (int)(l->rcvd * 100 / l->count) : 0;
        if (l->err)
            draw_textf(w, y, x, width - x, theme_style(S_FAIL_TEXT), "  %s", errname(l->err));
        else if (l->bad)
            draw_textf(w, y, x, width - x, theme_style(S_FAIL_TEXT), "  %lld bad",
                       (long long)l->bad);
        else if (l->done)
            draw_text(w, y, x, width - x, theme_style(S_OK), "  intact");
        else if (l->started)
            draw_textf(w, y, x, width - x, theme_style(S_PENDING), "  %3d%%", pct);
        else
            draw_text(w, y, x, width - x, theme_style(S_DIM), "  waiting");
        y++;
    }
    return y - y0;
}

/* ---- fd tables side by side ------------------------------------------------- */

#define FD_COL_MIN 27

/* The tables worth showing: those with an fd beyond 0-3. */
static int fds_list(const struct model *m, int *idx)
{
    int n = 0;
    for (int t = 0; t < m->nfdtables; t++)
        if (m->fdtables[t].nfds > 0 || m->fdtables[t].more > 0)
            idx[n++] = t;
    return n;
}

static int fds_count(const struct model *m)
{
    int idx[MODEL_MAX_FDTABLES];
    return fds_list(m, idx) ? 1 : 0;
}

static int fds_cols(int width, int n)
{
    int c = (width - 2) / FD_COL_MIN;
    if (c < 1)
        c = 1;
    return c < n ? c : n;
}

static int fds_rows(const struct ui *u, int i, int width, int level)
{
    const struct model *m = u->m;
    int idx[MODEL_MAX_FDTABLES];
    int n = fds_list(m, idx);
    if (level < 2)
        return n;
    int cols = fds_cols(width, n);
    int rows = 1;
    for (int first = 0; first < n; first += cols) {
        int maxfds = 0;
        for (int k = first; k < n && k < first + cols; k++) {
            const struct model_fdtable *ft = &m->fdtables[idx[k]];
            int f = ft->nfds + (ft->more ? 1 : 0);
            if (f > maxfds)
                maxfds = f;
        }
        rows += 2 + (maxfds ? maxfds : 1);
    }
    return rows;
}

/* What makes two fds "the same": the open file description kcmp found
 * (shared offset, shared flags), not the inode: a file opened twice has one
 * inode and two open files. The inode only where kcmp could not tell. */
static unsigned long long fd_key(const struct model_fd *f)
{
    return f->ofd ? (1ULL << 63) | f->ofd : f->ino;
}

/* An open file description that appears in more than one table (or twice in
 * one): the same open file seen from two places. Returns a colour index, or 0. */
static int fds_shared(const struct model *m, const struct model_fd *fd)
{
    unsigned long long ino = fd_key(fd);
    if (!ino)
        return 0;
    int seen = 0, rank = 0;
    unsigned long long order[64];
    int norder = 0;
    for (int t = 0; t < m->nfdtables; t++)
        for (int f = 0; f < m->fdtables[t].nfds; f++) {
            unsigned long long x = fd_key(&m->fdtables[t].fds[f]);
            if (x == ino)
                seen++;
            bool known = false;
            for (int k = 0; k < norder; k++)
                known = known || order[k] == x;
            if (!known && norder < 64)
                order[norder++] = x;
        }
    if (seen < 2)
        return 0;
    for (int k = 0; k < norder; k++)
        if (order[k] == ino)
            rank = k + 1;
    return rank;
}

static void fd_text(const struct model_fd *f, char *buf, size_t len)
{
    char extra[32] = "";
    if (strncmp(f->target, "pipe:", 5) != 0 && strncmp(f->target, "socket:", 7) != 0 &&
        strncmp(f->target, "anon_inode:", 11) != 0)
        snprintf(extra, sizeof extra, " @%lld", f->pos); /* files: the offset */
    if (f->scm_fds > 0)
        snprintf(extra, sizeof extra, _(" +%d in flight"), f->scm_fds);
    snprintf(buf, len, "%-2d %s%s%s", f->fd, f->target, extra, (f->flags & O_CLOEXEC) ? " ce" : "");
}

static int fds_draw(struct ui *u, WINDOW *w, int i, int y, int h, int width, int level)
{
    const struct model *m = u->m;
    const struct ui_glyphs *g = theme_glyphs();
    int y0 = y;
    int idx[MODEL_MAX_FDTABLES];
    int n = fds_list(m, idx);
    if (level < 2) {
        for (int t = 0; t < n && y < h; t++, y++) {
            const struct model_fdtable *ft = &m->fdtables[idx[t]];
            int x = 2 + draw_who(m, w, y, 2, 24, ft->pid);
            x += draw_text(w, y, x, width - x, A_NORMAL, ": ");
            for (int f = 0; f < ft->nfds && x < width - 4; f++) {
                char txt[80];
                fd_text(&ft->fds[f], txt, sizeof txt);
                int sh = fds_shared(m, &ft->fds[f]);
                x += draw_textf(w, y, x, width - x - 1, sh ? theme_proc(sh) : A_NORMAL, "%s   ",
                                txt);
            }
        }
        return y - y0;
    }
    /* a colour is an open file description (kcmp KCMP_FILE), not an inode */
    const char *const legends[] = {
        _("fd -> target (@offset, ce = FD_CLOEXEC); same colour = one open file (kcmp), "
          "not one inode"),
        _("fd -> target (@offset, ce = FD_CLOEXEC); same colour = one open file (kcmp)"),
        _("@offset, ce = FD_CLOEXEC; same colour = one open file (kcmp)"),
        _("same colour = one open file (kcmp)"), ""};
    y += heading(w, y, width, _("FILE DESCRIPTORS"),
                 first_fit(heading_room(y, width, _("FILE DESCRIPTORS")), legends, 5));
    int cols = fds_cols(width, n);
    int colw = (width - 2) / cols;
    for (int first = 0; first < n && y < h; first += cols) {
        int maxfds = 0;
        for (int c = 0; c < cols && first + c < n; c++) {
            const struct model_fdtable *ft = &m->fdtables[idx[first + c]];
            int x = 2 + c * colw;
            const struct model_proc *p = NULL;
            int pi = model_find_proc(m, ft->pid);
            if (pi >= 0)
                p = &m->procs[pi];
            int used = draw_who(m, w, y, x, colw - 2, ft->pid);
            if (p && model_proc_comm_foreign(p))
                used += draw_textf(w, y, x + used, colw - 2 - used, theme_style(S_PENDING), " (%s)",
                                   p->comm);
            if (p && y + 1 < h)
                draw_textf(w, y + 1, x, colw - 2, theme_style(S_DIM), "%sminflt %lu",
                           p->exited         ? _("gone; ")
                           : p->state == 'Z' ? _("zombie; ")
                                             : "",
                           p->minflt);
            int f = ft->nfds + (ft->more ? 1 : 0);
            if (f > maxfds)
                maxfds = f;
        }
        y += 2;
        for (int r = 0; r < (maxfds ? maxfds : 1) && y < h; r++, y++)
            for (int c = 0; c < cols && first + c < n; c++) {
                const struct model_fdtable *ft = &m->fdtables[idx[first + c]];
                int x = 2 + c * colw;
                if (r < ft->nfds) {
                    char txt[80];
                    fd_text(&ft->fds[r], txt, sizeof txt);
                    int sh = fds_shared(m, &ft->fds[r]);
                    if (sh)
                        draw_text(w, y, x - 1, 1, theme_proc(sh), g->bar_full);
                    draw_text(w, y, x, colw - 2, sh ? theme_proc(sh) : A_NORMAL, txt);
                } else if (r == ft->nfds && ft->more) {
                    draw_textf(w, y, x, colw - 2, theme_style(S_DIM), _("... %d more"), ft->more);
                }
            }
    }
    return y - y0;
}

/* ---- the panel ------------------------------------------------------------ */

struct ui_section {
    const char *name;
    int (*count)(const struct model *m);
    int (*rows)(const struct ui *u, int i, int width, int level);
    int (*draw)(struct ui *u, WINDOW *w, int i, int y, int h, int width, int level);
};

static const struct ui_section sections[] = {
    {.name = "race", .count = race_count, .rows = race_rows, .draw = race_draw},
    {.name = "deadlock", .count = deadlock_count, .rows = deadlock_rows, .draw = deadlock_draw},
    {.name = "semaphores", .count = semset_count, .rows = semset_rows, .draw = semset_draw},
    {.name = "critical section", .count = cs_count, .rows = cs_rows, .draw = cs_draw},
    {.name = "message queues", .count = msgq_count, .rows = msgq_rows, .draw = msgq_draw},
    {.name = "shared memory", .count = shm_count, .rows = shm_rows, .draw = shm_draw},
    {.name = "chat room",
     .count = chat_section_count,
     .rows = chat_section_rows,
     .draw = chat_section_draw},
    {.name = "streams", .count = streams_count, .rows = streams_rows, .draw = streams_draw},
    {.name = "fd tables", .count = fds_count, .rows = fds_rows, .draw = fds_draw},
};
#define NSECTIONS ((int)(sizeof sections / sizeof sections[0]))

bool objects_any(const struct model *m)
{
    for (int s = 0; s < NSECTIONS; s++)
        if (sections[s].count(m))
            return true;
    return false;
}

bool objects_prefer_full_width(const struct model *m)
{
    return fds_count(m) > 0 || streams_used(m) > 0 || m->race.present;
}

int objects_want(const struct ui *u, int width, int level)
{
    const struct model *m = u->m;
    if (watch_panel_active(m))
        return watch_panel_want(u, width, level);
    int n = (level >= 2) ? 0 : 1, parts = 0;
    for (int s = 0; s < NSECTIONS; s++)
        for (int i = 0; i < sections[s].count(m); i++, parts++)
            n += sections[s].rows(u, i, width, level);
    if (!parts)
        return 2;
    if (level >= 2)
        n += parts - 1; /* a blank row between sections */
    return n;
}

void objects_draw(struct ui *u, WINDOW *w, int h, int width)
{
    const struct model *m = u->m;
    if (watch_panel_active(m)) {
        watch_panel_draw(u, w, h, width);
        return;
    }
    int level = u->lay.detail ? 2 : u->lay.tight ? 0 : 1;
    int y = 0;
    if (level < 2 || !objects_any(m)) {
        char extra[96] = "";
        size_t off = 0;
        for (int i = 0; i < m->nsemsets && off < sizeof extra; i++)
            off += (size_t)snprintf(extra + off, sizeof extra - off, "%ssemid %d", off ? ", " : "",
                                    m->semsets[i].semid);
        for (int i = 0; i < m->nmsgqs && off < sizeof extra; i++)
            off += (size_t)snprintf(extra + off, sizeof extra - off, "%smsqid %d", off ? ", " : "",
                                    m->msgqs[i].msqid);
        for (int i = 0; i < m->nshmsegs && off < sizeof extra; i++)
            if (m->shmsegs[i].kind == SHM_SYSV)
                off += (size_t)snprintf(extra + off, sizeof extra - off, "%sshmid %d",
                                        off ? ", " : "", m->shmsegs[i].shmid);
        draw_rule(w, 0, 0, width, _("IPC OBJECTS"), extra);
        y = 1;
        if (!objects_any(m)) {
            draw_text(w, 1, 2, width - 3, theme_style(S_DIM),
                      m->scenario[0] ? _("this scenario uses no IPC object: watch the processes")
                                     : _("the run's semaphores, queues and segments appear here"));
            return;
        }
    }
    /* Not enough room for everything: say so on the last row. */
    int want = objects_want(u, width, level);
    int room = h;
    if (want > h && h > 2)
        room = h - 1;
    bool first = true;
    for (int s = 0; s < NSECTIONS && y < room; s++)
        for (int i = 0; i < sections[s].count(m) && y < h; i++) {
            if (!first && (level >= 2))
                y++;
            if (y >= room)
                break;
            y += sections[s].draw(u, w, i, y, room, width, level);
            first = false;
        }
    if (room < h)
        draw_textf(w, h - 1, 2, width - 3, theme_style(S_DIM),
                   _("%s %d more rows: a taller terminal shows them; inspect shows any object"),
                   theme_glyphs()->down, want - room);
}

void objects_note_sample(struct ui *u)
{
    const struct model *m = u->m;
    if (!m->cs.present)
        return;
    int inside = cs_live(&m->cs, -1);
    u->occ_hist[u->occ_samples % UI_OCC_HIST] = (unsigned char)(inside < 0     ? 0
                                                                : inside > 255 ? 255
                                                                               : inside);
    u->occ_samples++;
    if (u->occ_n < UI_OCC_HIST)
        u->occ_n++;
}
