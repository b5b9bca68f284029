/* panels.c — the dashboard's panels, each a small entry in ui_panels[]
 * (htop-style: a name, how many rows it wants, how it draws): the header
 * (scenario, state, clock, speed, checks), the process tree, the IPC objects
 * (semaphore sets, the critical section, shared memory), the story and the
 * key hints. Panels read only the model; they never change it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>

#include "ui_internal.h"
#include "../model/signames.h"
#include "../model/i18n.h"

static const char *state_badge(const struct model *m, char *buf, size_t len, int *style)
{
    switch (m->state) {
    case RUN_RUNNING:
        *style = S_BADGE_RUN;
        snprintf(buf, len, _(" RUNNING "));
        break;
    case RUN_PAUSED:
        *style = S_BADGE_PAUSE;
        snprintf(buf, len, _(" PAUSED "));
        break;
    case RUN_STEP:
        *style = S_BADGE_STEP;
        snprintf(buf, len, _(" STEP %d "), m->step_tokens);
        break;
    case RUN_DONE:
        /* A role gave up: the run ended as a runtime error, said in red. */
        *style = m->error[0] ? S_FAIL : S_BADGE_DONE;
        snprintf(buf, len,
                 m->interrupted ? _(" INTERRUPTED ")
                 : m->error[0]  ? _(" ERROR ")
                                : _(" DONE "));
        break;
    default:
        *style = S_BADGE_IDLE;
        snprintf(buf, len, _(" IDLE "));
        break;
    }
    return buf;
}

static void speed_text(double speed, char *buf, size_t len)
{
    if (speed == 0)
        snprintf(buf, len, _("speed max"));
    else
        snprintf(buf, len, _("speed %gx"), speed);
}

/* The right-hand side of the first header line. */
static void header_right(const struct model *m, char *buf, size_t len)
{
    char clock[16], sp[24];
    draw_clock(m->now_ns, clock, sizeof clock);
    speed_text(m->speed, sp, sizeof sp);
    snprintf(buf, len, _("  %s  %s  ops %llu "), clock, sp, (unsigned long long)m->ops_begun);
}

static int header_rows(const struct ui *u, int width);

/* The timeline (a replay, a live run's past, a recording) adds its row at
 * the bottom. */
int panels_header_rows(const struct ui *u, int width)
{
    return header_rows(u, width) + (timeline_shown(u) ? 1 : 0);
}

static int header_rows(const struct ui *u, int width)
{
    /* Measured with the widest badge, clock, speed and op count the run can
     * show, so the layout does not jump when the state or the speed changes. */
    const struct model *m = u->m;
    char sp[32], probe[96];
    snprintf(sp, sizeof sp, _("speed %gx"), 0.25);
    snprintf(probe, sizeof probe, _("  %s  %s  ops %llu "), "00:00.0", sp, 999999ull);
    int badge = 10, right = draw_width(probe);
    int need = 1 + 9 + 1 + draw_width(m->scenario) + 2 + draw_width(m->params) + 1 + badge + right;
    if (need <= width)
        return 2;
    /* The parameters on a line of their own, on two when they need it:
     * every one of them is part of what the run is. */
    return draw_width(m->params) <= width - 2 ? 3 : 4;
}

static const char *check_word(int status)
{
    return _(model_check_word(status));
}

static int check_style(int status)
{
    return status == CHECK_OK       ? S_OK
           : status == CHECK_FAILED ? S_FAIL
           : status == CHECK_BROKEN ? S_BROKEN
                                    : S_PENDING;
}

/* "6 checks: ✔ 4 ok  … 1 pending  ✘ FAILED: cloexec" */
static void header_check_counts_of(const struct model *m, WINDOW *w, int y, int x, int width)
{
    const struct ui_glyphs *g = theme_glyphs();
    int n[4] = {0, 0, 0, 0}; /* ok, pending, failed, broken on purpose */
    for (int i = 0; i < m->nchecks; i++) {
        int st = m->checks[i].status;
        n[st == CHECK_OK ? 0 : st == CHECK_FAILED ? 2 : st == CHECK_BROKEN ? 3 : 1]++;
    }
    x += draw_textf(w, y, x, width - x, theme_style(S_DIM), _("%d checks:"), m->nchecks);
    if (n[0])
        x += draw_textf(w, y, x, width - x, theme_style(S_OK), _(" %s %d ok"), g->ok, n[0]);
    if (n[1])
        x += draw_textf(w, y, x, width - x, theme_style(S_PENDING), _("  %s %d pending"),
                        g->pending, n[1]);
    if (n[2]) {
        x += draw_textf(w, y, x, width - x, theme_style(S_FAIL), _("  %s FAILED:"), g->fail);
        for (int i = 0; i < m->nchecks; i++)
            if (m->checks[i].status == CHECK_FAILED)
                x += draw_textf(w, y, x, width - x, A_BOLD, " %s", m->checks[i].name);
    }
    if (n[3])
        x += draw_textf(w, y, x, width - x, theme_style(S_BROKEN), _("  %s %d broken on purpose"),
                        g->fail, n[3]);
}

static void header_checks(struct ui *u, WINDOW *w, int y, int width)
{
    const struct model *m = u->m;
    const struct ui_glyphs *g = theme_glyphs();
    int x = 1;
    if (m->nchecks == 0) {
        x += draw_text(w, y, x, width - x, theme_style(S_DIM), _("checks "));
        draw_text(w, y, x, width - x, theme_style(S_DIM),
                  m->scenario[0] ? _("(none yet)")
                                 : _("(start a run: type  run sem  or press F2)"));
        return;
    }
    /* With room, every check with its detail; otherwise details only for
     * failed ones, then none, then the glyph alone says ok or pending (a
     * failed check always says FAILED). */
    for (int mode = 0; mode < 4; mode++) {
        int need = x + (mode < 3 ? draw_width(_("checks ")) : 0);
        if (mode == 3) {
            /* names alone do not fit either: count them, name the failed */
            int w3 = need;
            for (int i = 0; i < m->nchecks; i++)
                w3 += 4 + draw_width(m->checks[i].name);
            if (w3 > width) {
                header_check_counts_of(m, w, y, x, width);
                return;
            }
        }
        for (int i = 0; i < m->nchecks; i++) {
            const struct model_check *c = &m->checks[i];
            bool word = mode < 3 || c->status == CHECK_FAILED || c->status == CHECK_BROKEN;
            need += 2 + draw_width(c->name) + (word ? 2 + draw_width(check_word(c->status)) : 0) +
                    (i ? 2 : 0);
            bool detail = mode == 0 || (mode == 1 && c->status == CHECK_FAILED);
            if (detail && c->detail[0])
                need += draw_width(c->detail) + 3;
        }
        if (need <= width || mode == 3) {
            if (mode < 3)
                x += draw_text(w, y, x, width - x, theme_style(S_DIM), _("checks "));
            for (int i = 0; i < m->nchecks && x < width - 1; i++) {
                const struct model_check *c = &m->checks[i];
                int st = check_style(c->status);
                const char *gl = c->status == CHECK_OK ? g->ok
                                 : c->status == CHECK_FAILED || c->status == CHECK_BROKEN
                                     ? g->fail
                                     : g->pending;
                if (i)
                    x += draw_text(w, y, x, width - x, A_NORMAL, "  ");
                x += draw_textf(w, y, x, width - x, theme_style(st), "%s", gl);
                if (mode < 3 || c->status == CHECK_FAILED || c->status == CHECK_BROKEN) {
                    x += draw_textf(w, y, x, width - x, A_BOLD, " %s ", c->name);
                    x += draw_text(w, y, x, width - x, theme_style(st), check_word(c->status));
                } else {
                    x += draw_textf(w, y, x, width - x, A_BOLD, " %s", c->name);
                }
                bool detail = mode == 0 || (mode == 1 && c->status == CHECK_FAILED);
                if (detail && c->detail[0])
                    x += draw_textf(w, y, x, width - x,
                                    c->status == CHECK_FAILED ? theme_style(S_FAIL_TEXT)
                                                              : theme_style(S_DIM),
                                    " (%s)", c->detail);
            }
            return;
        }
    }
}

static void header_draw(struct ui *u, WINDOW *w, int h, int width)
{
    if (timeline_shown(u)) {
        timeline_draw(u, w, h - 1, width);
        h--;
    }
    const struct model *m = u->m;
    char badge[24], right[96];
    int st;
    state_badge(m, badge, sizeof badge, &st);
    header_right(m, right, sizeof right);
    int rw = draw_width(badge) + draw_width(right);
    int x = 0;
    x += draw_text(w, 0, x, width, theme_style(S_KEY), " ipcplay ");
    x += draw_text(w, 0, x, width - x, A_NORMAL, " ");
    if (m->scenario[0]) {
        x += draw_text(w, 0, x, width - x - rw, A_BOLD, m->scenario);
        x += draw_text(w, 0, x, width - x - rw, A_NORMAL, "  ");
        if (h == 2)
            draw_text(w, 0, x, width - x - rw - 1, A_NORMAL, m->params);
    } else {
        draw_text(w, 0, x, width - x - rw, theme_style(S_DIM), _("no scenario running"));
    }
    int rx = width - rw;
    if (rx < x)
        rx = x;
    rx += draw_text(w, 0, rx, width - rx, theme_style(st), badge);
    draw_text(w, 0, rx, width - rx, A_NORMAL, right);
    if (h >= 4) {
        /* two rows, broken at the last space that fits */
        int cols;
        size_t fit = draw_fit(m->params, width - 2, &cols);
        size_t cut = fit;
        while (cut > 0 && m->params[fit] && m->params[cut] != ' ')
            cut--;
        if (cut == 0)
            cut = fit;
        char first[sizeof m->params];
        snprintf(first, sizeof first, "%.*s", (int)cut, m->params);
        draw_text(w, 1, 1, width - 2, A_NORMAL, first);
        const char *rest = m->params + cut;
        while (*rest == ' ')
            rest++;
        draw_text(w, 2, 1, width - 2, A_NORMAL, rest);
        header_checks(u, w, 3, width);
    } else if (h >= 3) {
        draw_text(w, 1, 1, width - 2, A_NORMAL, m->params);
        header_checks(u, w, 2, width);
    } else if (h == 2) {
        header_checks(u, w, 1, width);
    }
}

static int header_want(const struct ui *u, int width, int level)
{
    return panels_header_rows(u, width);
}

/* ---- processes ---------------------------------------------------------- */

struct proc_row {
    int idx;
    int depth;
    bool last;     /* last child of its parent */
    unsigned cont; /* bit d: an ancestor at depth d has siblings below */
};

static int procs_order(const struct model *m, struct proc_row *rows, int max)
{
    static bool seen[MODEL_MAX_PROCS];
    memset(seen, 0, sizeof seen);
    int n = 0;
    /* Iterative DFS: stack of (index, depth, cont). */
    struct dfs_item {
        int idx, depth;
        unsigned cont;
        bool last;
    } stack[MODEL_MAX_PROCS];
    int sp = 0;
    for (int r = m->nprocs - 1; r >= 0; r--) {
        const struct model_proc *p = &m->procs[r];
        bool has_parent = p->ppid > 0 && model_find_proc(m, p->ppid) >= 0 &&
                          m->procs[model_find_proc(m, p->ppid)].pid != p->pid;
        if (!has_parent && sp < MODEL_MAX_PROCS)
            stack[sp++] = (struct dfs_item){r, 0, 0, true};
    }
    while (sp > 0 && n < max) {
        struct dfs_item top = stack[--sp];
        if (seen[top.idx])
            continue;
        seen[top.idx] = true;
        rows[n++] = (struct proc_row){top.idx, top.depth, top.last, top.cont};
        pid_t pid = m->procs[top.idx].pid;
        int kids[MODEL_MAX_PROCS], nk = 0;
        for (int i = 0; i < m->nprocs; i++)
            if (!seen[i] && i != top.idx && m->procs[i].ppid == pid)
                kids[nk++] = i;
        unsigned cont = top.cont;
        if (top.depth > 0 && !top.last)
            cont |= 1u << (top.depth < 31 ? top.depth : 31);
        for (int k = nk - 1; k >= 0 && sp < MODEL_MAX_PROCS; k--)
            stack[sp++] = (struct dfs_item){kids[k], top.depth + 1, cont, k == nk - 1};
    }
    /* Anything unreachable (a cycle in stale ppids): append flat. */
    for (int i = 0; i < m->nprocs && n < max; i++)
        if (!seen[i])
            rows[n++] = (struct proc_row){i, 0, true, 0};
    return n;
}

static void proc_doing(const struct model *m, const struct model_proc *p, int maxw, char *buf,
                       size_t len)
{
    if (p->exited) {
        char how[32];
        wait_status_text(p->wait_status, STATUS_BRIEF, how, sizeof how);
        int ri = p->reaped_by > 0 ? model_find_proc(m, p->reaped_by) : -1;
        if (ri >= 0 && m->procs[ri].role >= 0)
            snprintf(buf, len, _("%s, reaped by %s"), how, m->procs[ri].name);
        if (!(ri >= 0 && m->procs[ri].role >= 0) || draw_width(buf) > maxw)
            snprintf(buf, len, "%s", how);
        return;
    }
    const char *doing = model_proc_doing(p);
    if (p->role < 0 || !doing[0] || m->state == RUN_DONE || p->doing_since == 0 ||
        m->now_ns < p->doing_since) {
        snprintf(buf, len, "%s", doing[0] ? doing : "-");
        return;
    }
    double s = (double)(m->now_ns - p->doing_since) / 1e9;
    snprintf(buf, len, "%s %.1fs", doing, s);
    /* what it does matters more than for how long: no "msgrcv(type 2) 0…" */
    if (draw_width(buf) > maxw)
        snprintf(buf, len, "%s", doing);
}

static int procs_want(const struct ui *u, int width, int level)
{
    return 2 + (u->m->nprocs > 0 ? u->m->nprocs : 1);
}

static void procs_draw(struct ui *u, WINDOW *w, int h, int width)
{
    const struct model *m = u->m;
    const struct ui_glyphs *g = theme_glyphs();
    int inner = u->lay.wide ? width - 1 : width; /* wide: last column is the rule */
    /* a zombie has exited: it is not alive, it is waiting to be reaped */
    int alive = 0, zombies = 0;
    for (int i = 0; i < m->nprocs; i++) {
        zombies += !m->procs[i].exited && m->procs[i].state == 'Z';
        alive += !m->procs[i].exited && m->procs[i].state != 'Z';
    }
    char extra[64] = "";
    if (m->nprocs && zombies)
        snprintf(extra, sizeof extra, _("%d, %d alive, %d zombie%s"), m->nprocs, alive, zombies,
                 zombies > 1 ? "s" : "");
    else if (m->nprocs)
        snprintf(extra, sizeof extra, _("%d, %d alive"), m->nprocs, alive);
    draw_rule(w, 0, 0, inner, _("PROCESSES"), extra);
    if (u->lay.wide) {
        draw_text(w, 0, inner, 1, theme_style(S_RULE), g->tee_down);
        for (int y = 1; y < h; y++)
            draw_text(w, y, inner, 1, theme_style(S_RULE), g->vline);
    }
    if (h < 2)
        return;
    if (m->nprocs == 0) {
        draw_text(w, 1, 2, inner - 3, theme_style(S_DIM),
                  _("no run yet: type  run sem  and Enter, or press F2 to pick a scenario"));
        return;
    }
    static struct proc_row rows[MODEL_MAX_PROCS];
    int n = procs_order(m, rows, MODEL_MAX_PROCS);
    int maxdepth = 0, rolew = 8;
    for (int i = 0; i < n; i++) {
        if (rows[i].depth > maxdepth)
            maxdepth = rows[i].depth;
        int nw = draw_width(m->procs[rows[i].idx].name);
        if (nw > rolew)
            rolew = nw;
    }
    if (maxdepth > 6)
        maxdepth = 6;
    if (rolew > 16)
        rolew = 16;
    int pidw = 7 + 2 * maxdepth;
    int x_pid = 1, x_role = x_pid + pidw, x_st = x_role + rolew + 1, x_doing = x_st + 3;
    int rest = inner - x_doing;
    int doingw = rest >= 60   ? (rest * 2 / 5 < 34 ? rest * 2 / 5 : 34)
                 : rest >= 46 ? 20
                 : rest >= 38 ? 17
                              : rest / 2;
    int x_kern = x_doing + doingw + 1;
    attr_t hd = theme_style(S_DIM) | A_BOLD;
    draw_text(w, 1, x_pid, pidw, hd, _("PID"));
    draw_text(w, 1, x_role, rolew, hd, _("ROLE"));
    draw_text(w, 1, x_st, 3, hd, _("ST"));
    draw_text(w, 1, x_doing, doingw, hd, _("DOING"));
    draw_text(w, 1, x_kern, inner - x_kern, hd, _("KERNEL SAYS"));

    int avail = h - 2;
    if (u->proc_scroll > n - avail)
        u->proc_scroll = n - avail > 0 ? n - avail : 0;
    if (u->proc_scroll < 0)
        u->proc_scroll = 0;
    int first = u->proc_scroll;
    int shown = n - first < avail ? n - first : avail;
    bool more_below = first + shown < n;
    bool more_above = first > 0;
    int y = 2;
    for (int r = first; r < n && y < h; r++) {
        if ((more_above && y == 2) || (more_below && y == h - 1)) {
            int count = y == 2 ? first + 1 : n - r;
            draw_textf(w, y, x_pid, inner - 2, theme_style(S_DIM),
                       _("%s %d more %s (Shift-PgUp/PgDn scrolls this list)"),
                       y == 2 ? g->up : g->down, count, y == 2 ? _("above") : _("below"));
            y++;
            continue;
        }
        const struct proc_row *pr = &rows[r];
        const struct model_proc *p = &m->procs[pr->idx];
        attr_t base = p->exited ? theme_style(S_GONE) : A_NORMAL;
        char prefix[64] = "";
        size_t off = 0;
        for (int d = 1; d < pr->depth && d <= maxdepth; d++)
            off += (size_t)snprintf(prefix + off, sizeof prefix - off, "%s",
                                    (pr->cont >> d) & 1 ? g->pipe_cont : "  ");
        if (pr->depth > 0)
            snprintf(prefix + off, sizeof prefix - off, "%s", pr->last ? g->last : g->branch);
        int px = x_pid;
        px += draw_text(w, y, px, pidw, theme_style(S_RULE), prefix);
        draw_textf(w, y, px, x_role - px - 1, base | A_BOLD, "%d", (int)p->pid);
        draw_text(w, y, x_role, rolew + 1, p->exited ? base : theme_proc(pr->idx), p->name);
        char st[4] = {p->exited ? '-' : p->state, 0};
        if (!p->exited && st[0] == 'Z')
            draw_text(w, y, x_st - 1, 3, theme_state('Z'), " Z ");
        else
            draw_text(w, y, x_st, 2, p->exited ? base : theme_state(st[0]), st);
        char doing[80];
        proc_doing(m, p, doingw, doing, sizeof doing);
        draw_text(w, y, x_doing, doingw, base, doing);
        const char *kern = p->kernel.text;
        attr_t ka = base;
        if (p->role < 0)
            kern = m->state == RUN_DONE || !m->scenario[0] ? "" : "poll";
        else if (p->exited)
            kern = "";
        else if (p->kernel.semid >= 0 && (p->state == 'S' || p->state == 'D'))
            ka = theme_style(S_BAR_WAIT);
        else if (p->kernel.nr >= 0 && strstr(kern, "futex"))
            ka = theme_style(S_DIM);
        if (p->role < 0)
            ka = theme_style(S_DIM);
        draw_text(w, y, x_kern, inner - x_kern, ka, kern);
        y++;
    }
}

void panels_procs_scroll(struct ui *u, int n)
{
    u->proc_scroll += n;
    if (u->proc_scroll < 0)
        u->proc_scroll = 0;
    u->dirty |= DIRTY_PROCS;
}

void panels_reset(struct ui *u)
{
    u->occ_n = 0;
    u->occ_samples = 0;
    memset(u->sem_peak, 0, sizeof u->sem_peak);
    u->proc_scroll = 0;
    u->story_anchor = 0;
    u->story_base = 0;
}

/* ---- story ---------------------------------------------------------------- */

#define STORY_TIME_W 9

struct story_cols {
    int who, what, detail; /* x of each column */
    int width;
    bool pids; /* "worker-2[4711]"; false: the pids do not fit, names only */
};

static uint64_t story_first(const struct ui *u);

/* Columns sized to what the story holds, so that nothing a student needs
 * is cut: the longest process name (with its pid when that fits too), and
 * the longest op ("msgctl(IPC_RMID)", "execve(fdreport)") up to a cap. */
static void story_cols(const struct ui *u, int width, struct story_cols *c)
{
    const struct model *m = u->m;
    c->width = width;
    c->who = 1 + STORY_TIME_W;
    int longest = 3; /* "you" */
    for (int i = 0; i < m->nprocs; i++) {
        int n = draw_width(m->procs[i].name);
        if (n > longest)
            longest = n;
    }
    int maxw = width >= 110 ? 22 : 17;
    /* "worker-2[4711]": the name, the pid in brackets, a space */
    c->pids = longest + 9 <= maxw;
    int whow = c->pids ? longest + 9 : longest + 2;
    if (whow < (c->pids ? 16 : 10))
        whow = c->pids ? 16 : 10;
    if (whow > maxw)
        whow = maxw;
    int cap = width >= 110 ? 19 : 16;
    /* The widest op of the run so far, kept from frame to frame: at full
     * speed thousands of lines come between two frames, and only their op
     * names are needed here (model_story_what), not their words. A story
     * that went back (a seek, a new run, `clear`) is looked at afresh. */
    static struct {
        const struct model *m;
        uint64_t base, next;
        int whatw;
    } seen;
    uint64_t first = story_first(u);
    if (seen.m != m || seen.base != u->story_base || m->story_count < seen.next ||
        first > m->story_count) {
        seen.m = m;
        seen.base = u->story_base;
        seen.next = first;
        seen.whatw = 10;
    }
    if (seen.next < first)
        seen.next = first;
    for (; seen.next < m->story_count; seen.next++) {
        const char *what = model_story_what(m, seen.next);
        int n = what && what[0] ? (int)strlen(what) + 1 : 0;
        if (n > seen.whatw)
            seen.whatw = n;
    }
    int whatw = seen.whatw;
    if (whatw > cap)
        whatw = cap;
    c->what = c->who + whow;
    c->detail = c->what + whatw;
}

/* Split text into rows of at most w columns at spaces. Returns the number of
 * rows; fills starts[]/lens[] (byte offsets) up to max. */
static int wrap_text(const char *s, int w, size_t *starts, size_t *lens, int max)
{
    int n = 0;
    size_t off = 0, total = strlen(s);
    if (w < 8)
        w = 8;
    while (off < total && n < max) {
        size_t fit = draw_wrap_row(s + off, total - off, w, false);
        starts[n] = off;
        lens[n] = fit;
        n++;
        off += fit;
        while (s[off] == ' ')
            off++;
    }
    if (n == 0) {
        starts[0] = 0;
        lens[0] = 0;
        n = 1;
    }
    return n;
}

#define STORY_MAX_WRAP 6

/* The line's words, with its count when the process told it again and
 * again ("will retry ×12"): one line updated in place. */
static const char *story_detail(const struct model_line *l, char *buf, size_t len)
{
    if (l->more == 0)
        return l->detail;
    snprintf(buf, len, "%s \u00d7%u", l->detail, (unsigned)l->more + 1);
    return buf;
}

static int story_line_layout(const struct model_line *l, const struct story_cols *c, int *x0,
                             size_t *starts, size_t *lens)
{
    bool plain = l->kind != LINE_EVENT && !l->what[0];
    int x = plain ? (l->who[0] ? c->what : c->who) : c->detail;
    /* an op wider than its column ("msgsnd(type 2, 192 B)") pushes this
     * line's detail right rather than being cut */
    if (!plain && l->what[0] && c->what + draw_width(l->what) + 1 > x)
        x = c->what + draw_width(l->what) + 1;
    if (x > c->width * 3 / 5)
        x = c->width * 3 / 5 > c->detail ? c->width * 3 / 5 : c->detail;
    *x0 = x;
    char buf[sizeof l->detail + 16];
    return wrap_text(story_detail(l, buf, sizeof buf), c->width - x - 1, starts, lens,
                     STORY_MAX_WRAP);
}

static void story_line_draw(struct ui *u, WINDOW *w, int y, int skip, int maxrows,
                            const struct model_line *l, const struct story_cols *c)
{
    const struct model *m = u->m;
    int x0;
    size_t starts[STORY_MAX_WRAP], lens[STORY_MAX_WRAP];
    int nrows = story_line_layout(l, c, &x0, starts, lens);
    attr_t pa = A_BOLD;
    int pi = l->proc;
    if (pi < 0 && l->kind == LINE_EVENT && l->who[0]) {
        /* lines from the sampler name the process without an index */
        for (int i = 0; i < m->nprocs; i++)
            if (strncmp(l->who, m->procs[i].name, strlen(m->procs[i].name)) == 0 &&
                (l->who[strlen(m->procs[i].name)] == '\0' ||
                 l->who[strlen(m->procs[i].name)] == '['))
                pi = i;
    }
    if (pi >= 0)
        pa = theme_proc(pi);
    attr_t da = A_NORMAL;
    if (l->kind == LINE_ERROR)
        da = theme_style(S_ERROR);
    else if (strstr(l->detail, "broken") || strstr(l->detail, " lost") ||
             strstr(l->detail, "failed") || strstr(l->detail, "killed") ||
             /* TRANSLATORS: words that make a story line red: parts of the
              * translated lines that say something broke, was lost, failed
              * or was killed */
             strstr(l->detail, _("broken")) || strstr(l->detail, _(" lost")) ||
             strstr(l->detail, _("failed")) || strstr(l->detail, _("killed")))
        da = theme_style(S_FAIL_TEXT);
    else if (l->kind == LINE_NOTE)
        da = theme_style(S_INFO);
    for (int r = skip; r < nrows && r - skip < maxrows; r++) {
        int yy = y + r - skip;
        if (r == 0) {
            char clock[16];
            draw_clock(l->t_ns, clock, sizeof clock);
            draw_text(w, yy, 1, STORY_TIME_W, theme_style(S_DIM), clock);
            if (l->who[0]) {
                bool you = l->kind == LINE_NOTE && strcmp(l->who, "you") == 0;
                int ww = (l->what[0] || l->kind == LINE_EVENT ? c->what : x0) - c->who - 1;
                char who[sizeof l->who];
                snprintf(who, sizeof who, "%s", l->who);
                char *br = strchr(who, '[');
                if (br && (!c->pids || draw_width(who) > ww))
                    *br = '\0'; /* the name whole rather than its pid cut */
                draw_text(w, yy, c->who, ww, you ? theme_style(S_YOU) : pa, who);
            }
            if (l->what[0])
                draw_text(w, yy, c->what, x0 - c->what - 1, pa, l->what);
        }
        char part[256], buf[sizeof l->detail + 16];
        size_t n = lens[r] < sizeof part - 1 ? lens[r] : sizeof part - 1;
        memcpy(part, story_detail(l, buf, sizeof buf) + starts[r], n);
        part[n] = '\0';
        draw_text(w, yy, x0, c->width - x0 - 1, da, part);
    }
}

static int story_rows_of(const struct model_line *l, const struct story_cols *c)
{
    int x0;
    size_t starts[STORY_MAX_WRAP], lens[STORY_MAX_WRAP];
    return story_line_layout(l, c, &x0, starts, lens);
}

static uint64_t story_first(const struct ui *u)
{
    uint64_t f = model_story_first(u->m);
    return u->story_base > f ? u->story_base : f;
}

int panels_story_page(const struct ui *u)
{
    int h = u->lay.area[AREA_STORY].h - 2;
    return h > 1 ? h : 1;
}

void panels_story_scroll(struct ui *u, int n)
{
    const struct model *m = u->m;
    uint64_t first = story_first(u);
    if (m->story_count == 0 || m->story_count <= first) {
        u->story_anchor = 0;
        return;
    }
    int64_t bottom = u->story_anchor ? (int64_t)u->story_anchor - 1 : (int64_t)m->story_count - 1;
    bottom += n;
    int page = panels_story_page(u);
    /* never scroll so far back that the window would be half empty */
    int64_t min_bottom = (int64_t)first + page - 1;
    if (min_bottom > (int64_t)m->story_count - 1)
        min_bottom = (int64_t)m->story_count - 1;
    if (bottom < min_bottom)
        bottom = min_bottom;
    if (bottom >= (int64_t)m->story_count - 1)
        u->story_anchor = 0;
    else
        u->story_anchor = (uint64_t)bottom + 1;
    u->dirty |= DIRTY_STORY;
}

static void story_draw(struct ui *u, WINDOW *w, int h, int width)
{
    const struct model *m = u->m;
    const struct ui_glyphs *g = theme_glyphs();
    uint64_t first = story_first(u);
    if (u->story_anchor && u->story_anchor - 1 < first)
        u->story_anchor = first + 1; /* what we were looking at left the ring */
    draw_rule(w, 0, 0, width, _("STORY"), NULL);
    if (u->story_anchor) {
        uint64_t newer = m->story_count - u->story_anchor;
        draw_textf(w, 0, 10, width - 11, theme_style(S_BADGE_PAUSE),
                   _(" %s scrolled back: %llu newer line%s below, PgDn returns "), g->up,
                   (unsigned long long)newer, newer == 1 ? "" : "s");
    }
    if (u->lay.wide) {
        int sx = u->lay.area[AREA_PROCS].w - 1;
        if (sx > 0 && sx < width)
            draw_text(w, 0, sx, 1, theme_style(S_RULE), g->tee_up);
    }
    struct story_cols c;
    story_cols(u, width, &c);
    int y = h; /* next row above which to draw */
    if (m->story_count == 0 || m->story_count <= first)
        return;
    uint64_t bottom = u->story_anchor ? u->story_anchor - 1 : m->story_count - 1;
    for (uint64_t i = bottom + 1; i-- > first && y > 1;) {
        const struct model_line *l = model_story_line(m, i);
        if (!l)
            break;
        int rows = story_rows_of(l, &c);
        int top = y - rows;
        int skip = 0;
        if (top < 1) {
            if (y < h)
                break; /* only whole lines, except one taller than the panel */
            skip = 1 - top;
            top = 1;
        }
        story_line_draw(u, w, top, skip, y - top, l, &c);
        y = top;
    }
}

/* ---- key hints ------------------------------------------------------------ */

/* The items come from the one key table (view/keys.h), as F1's lines do. */
static void hints_draw(struct ui *u, WINDOW *w, int h, int width)
{
    enum key_place where = u->overlay == OVERLAY_SCENARIOS ? KEYS_SCENARIOS
                           : u->overlay                    ? KEYS_WINDOW
                                                           : KEYS_PANELS;
    bool paused = timeline_paused(u);
    struct key_hint_item it[KEYS_MAX_HINTS];
    int n = keys_hint_bar(where, paused, width, it, KEYS_MAX_HINTS);
    int x = 0;
    for (int i = 0; i < n && x < width; i++) {
        x += draw_text(w, 0, x, width - x, theme_style(S_KEY), it[i].key);
        x += draw_textf(w, 0, x, width - x, A_NORMAL, " %s%s", it[i].text, it[i].sep);
    }
}

static int one_row(const struct ui *u, int width, int level)
{
    return 1;
}

static int rest(const struct ui *u, int width, int level)
{
    return 0;
}

const struct ui_panel ui_panels[] = {
    {.name = "header", .area = AREA_HEADER, .want = header_want, .draw = header_draw},
    {.name = "processes", .area = AREA_PROCS, .want = procs_want, .draw = procs_draw},
    {.name = "objects", .area = AREA_OBJECTS, .want = objects_want, .draw = objects_draw},
    {.name = "story", .area = AREA_STORY, .want = rest, .draw = story_draw},
    {.name = "hints", .area = AREA_HINTS, .want = one_row, .draw = hints_draw},
    {.name = "console", .area = AREA_CONSOLE, .want = one_row, .draw = console_draw},
};
const int ui_npanels = (int)(sizeof ui_panels / sizeof ui_panels[0]);
