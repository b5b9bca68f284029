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

static const char *state_badge(const struct model *m, char *buf, size_t len, int *style)
{
    switch (m->state) {
    case RUN_RUNNING: *style = S_BADGE_RUN; snprintf(buf, len, " RUNNING "); break;
    case RUN_PAUSED: *style = S_BADGE_PAUSE; snprintf(buf, len, " PAUSED "); break;
    case RUN_STEP:
        *style = S_BADGE_STEP;
        snprintf(buf, len, " STEP %d ", m->step_tokens);
        break;
    case RUN_DONE: *style = S_BADGE_DONE; snprintf(buf, len, " DONE "); break;
    default: *style = S_BADGE_IDLE; snprintf(buf, len, " IDLE "); break;
    }
    return buf;
}

static void speed_text(double speed, char *buf, size_t len)
{
    if (speed == 0)
        snprintf(buf, len, "speed max");
    else
        snprintf(buf, len, "speed %gx", speed);
}

/* The right-hand side of the first header line. */
static void header_right(const struct model *m, char *buf, size_t len)
{
    char clock[16], sp[24];
    draw_clock(m->now_ns, clock, sizeof clock);
    speed_text(m->speed, sp, sizeof sp);
    snprintf(buf, len, "  %s  %s  ops %llu ", clock, sp, (unsigned long long)m->ops_begun);
}

int panels_header_rows(const struct ui *u, int width)
{
    /* Measured with the widest badge, clock, speed and op count the run can
     * show, so the layout does not jump when the state or the speed changes. */
    const struct model *m = u->m;
    int badge = 10, right = (int)strlen("  00:00.0  speed 0.25x  ops 000000 ");
    int need = 1 + 9 + 1 + draw_width(m->scenario) + 2 + draw_width(m->params) + 1 + badge + right;
    return need <= width ? 2 : 3;
}

static const char *check_word(int status)
{
    return status == CHECK_OK ? "ok" : status == CHECK_FAILED ? "FAILED" : "pending";
}

static void header_checks(struct ui *u, WINDOW *w, int y, int width)
{
    const struct model *m = u->m;
    const struct ui_glyphs *g = theme_glyphs();
    int x = 1;
    x += draw_text(w, y, x, width - x, theme_style(S_DIM), "checks ");
    if (m->nchecks == 0) {
        draw_text(w, y, x, width - x, theme_style(S_DIM),
                  m->scenario[0] ? "(none yet)" : "(start a run: type  run sem  or press F2)");
        return;
    }
    /* With room, every check with its detail; otherwise details only for
     * failed ones, then none. */
    for (int mode = 0; mode < 3; mode++) {
        int need = x;
        for (int i = 0; i < m->nchecks; i++) {
            const struct model_check *c = &m->checks[i];
            need += 3 + draw_width(c->name) + 1 + (int)strlen(check_word(c->status)) + 2;
            bool detail = mode == 0 || (mode == 1 && c->status == CHECK_FAILED);
            if (detail && c->detail[0])
                need += draw_width(c->detail) + 3;
        }
        if (need <= width || mode == 2) {
            for (int i = 0; i < m->nchecks && x < width - 1; i++) {
                const struct model_check *c = &m->checks[i];
                int st = c->status == CHECK_OK ? S_OK : c->status == CHECK_FAILED ? S_FAIL
                                                                                  : S_PENDING;
                const char *gl = c->status == CHECK_OK ? g->ok : c->status == CHECK_FAILED
                                                                     ? g->fail
                                                                     : g->pending;
                if (i)
                    x += draw_text(w, y, x, width - x, A_NORMAL, "  ");
                x += draw_textf(w, y, x, width - x, theme_style(st), "%s", gl);
                x += draw_textf(w, y, x, width - x, A_BOLD, " %s ", c->name);
                x += draw_text(w, y, x, width - x, theme_style(st), check_word(c->status));
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
        draw_text(w, 0, x, width - x - rw, theme_style(S_DIM), "no scenario running");
    }
    int rx = width - rw;
    if (rx < x)
        rx = x;
    rx += draw_text(w, 0, rx, width - rx, theme_style(st), badge);
    draw_text(w, 0, rx, width - rx, A_NORMAL, right);
    if (h >= 3) {
        draw_text(w, 1, 1, width - 2, A_NORMAL, m->params);
        header_checks(u, w, 2, width);
    } else if (h == 2) {
        header_checks(u, w, 1, width);
    }
}

static int header_want(const struct ui *u, int width, bool wide)
{
    return panels_header_rows(u, width);
}

/* ---- processes ---------------------------------------------------------- */

struct proc_row {
    int idx;
    int depth;
    bool last;          /* last child of its parent */
    unsigned cont;      /* bit d: an ancestor at depth d has siblings below */
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

static void proc_doing(const struct model *m, const struct model_proc *p, char *buf, size_t len)
{
    if (p->exited) {
        int st = p->wait_status;
        if (WIFEXITED(st))
            snprintf(buf, len, "exited %d", WEXITSTATUS(st));
        else if (WIFSIGNALED(st))
            snprintf(buf, len, "killed by %s",
                     sigabbrev_np(WTERMSIG(st)) ? sigabbrev_np(WTERMSIG(st)) : "signal");
        else
            snprintf(buf, len, "gone");
        return;
    }
    if (p->role < 0 || !p->doing[0] || m->state == RUN_DONE || p->doing_since == 0 ||
        m->now_ns < p->doing_since) {
        snprintf(buf, len, "%s", p->doing[0] ? p->doing : "-");
        return;
    }
    double s = (double)(m->now_ns - p->doing_since) / 1e9;
    snprintf(buf, len, "%s %.1fs", p->doing, s);
}

static int procs_want(const struct ui *u, int width, bool wide)
{
    return 2 + (u->m->nprocs > 0 ? u->m->nprocs : 1);
}

static void procs_draw(struct ui *u, WINDOW *w, int h, int width)
{
    const struct model *m = u->m;
    const struct ui_glyphs *g = theme_glyphs();
    int inner = u->lay.wide ? width - 1 : width; /* wide: last column is the rule */
    int alive = 0;
    for (int i = 0; i < m->nprocs; i++)
        alive += !m->procs[i].exited;
    char extra[64] = "";
    if (m->nprocs)
        snprintf(extra, sizeof extra, "%d, %d alive", m->nprocs, alive);
    draw_rule(w, 0, 0, inner, "PROCESSES", extra);
    if (u->lay.wide) {
        draw_text(w, 0, inner, 1, theme_style(S_RULE), g->tee_down);
        for (int y = 1; y < h; y++)
            draw_text(w, y, inner, 1, theme_style(S_RULE), g->vline);
    }
    if (h < 2)
        return;
    if (m->nprocs == 0) {
        draw_text(w, 1, 2, inner - 3, theme_style(S_DIM),
                  "no run yet: type  run sem  and Enter, or press F2 to pick a scenario");
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
    int x_pid = 1, x_role = x_pid + pidw, x_st = x_role + rolew + 2, x_doing = x_st + 3;
    int rest = inner - x_doing;
    int doingw = rest >= 46 ? 20 : rest >= 38 ? 17 : rest / 2;
    int x_kern = x_doing + doingw + 1;
    attr_t hd = theme_style(S_DIM) | A_BOLD;
    draw_text(w, 1, x_pid, pidw, hd, "PID");
    draw_text(w, 1, x_role, rolew, hd, "ROLE");
    draw_text(w, 1, x_st, 3, hd, "ST");
    draw_text(w, 1, x_doing, doingw, hd, "DOING");
    draw_text(w, 1, x_kern, inner - x_kern, hd, "KERNEL SAYS");

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
                       "%s %d more %s (Shift-PgUp/PgDn scrolls this list)",
                       y == 2 ? g->up : g->down, count, y == 2 ? "above" : "below");
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
        proc_doing(m, p, doing, sizeof doing);
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

/* ---- IPC objects -------------------------------------------------------- */

/* Compact names of processes: "worker 1,2,4-9  reader 1". */
static void names_compact(const struct model *m, const int *idx, int n, char *buf, size_t len)
{
    size_t off = 0;
    buf[0] = '\0';
    bool used[MODEL_MAX_PROCS] = {false};
    for (int a = 0; a < n; a++) {
        if (used[a])
            continue;
        const struct model_proc *pa = &m->procs[idx[a]];
        int inst[MODEL_MAX_PROCS], ni = 0;
        for (int b = a; b < n; b++)
            if (!used[b] && m->procs[idx[b]].role == pa->role) {
                used[b] = true;
                inst[ni++] = m->procs[idx[b]].instance;
            }
        /* insertion sort: small */
        for (int i = 1; i < ni; i++)
            for (int j = i; j > 0 && inst[j - 1] > inst[j]; j--) {
                int t = inst[j];
                inst[j] = inst[j - 1];
                inst[j - 1] = t;
            }
        off += (size_t)snprintf(buf + off, off < len ? len - off : 0, "%s%s ", off ? "  " : "",
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

/* Processes asleep in the kernel on semaphore k of this set: P waiters
 * (sem_op < 0) or wait-for-zero (sem_op == 0). */
static int sem_waiters(const struct model *m, const struct model_semset *ss, int k, bool zero,
                       int *idx)
{
    int n = 0;
    for (int i = 0; i < m->nprocs; i++) {
        const struct model_proc *p = &m->procs[i];
        if (p->exited || p->kernel.semid != ss->semid || p->kernel.nsops <= 0 ||
            p->kernel.sem_num != k || (p->state != 'S' && p->state != 'D'))
            continue;
        if ((p->kernel.sem_op == 0) == zero)
            idx[n++] = i;
    }
    return n;
}

static const char *proc_name_by_pid(const struct model *m, pid_t pid)
{
    int i = pid > 0 ? model_find_proc(m, pid) : -1;
    return i >= 0 ? m->procs[i].name : NULL;
}

static int sem_peak(struct ui *u, int set, int k, int val)
{
    if (set < MODEL_MAX_SEMSETS && k < MODEL_MAX_SEMS) {
        if (val > u->sem_peak[set][k])
            u->sem_peak[set][k] = val;
        return u->sem_peak[set][k] > 0 ? u->sem_peak[set][k] : 1;
    }
    return val > 0 ? val : 1;
}

/* A value as a bar: filled cells for the value, relative to the highest
 * value seen (a binary semaphore is all or nothing). */
static int draw_bar(WINDOW *w, int y, int x, int cells, int val, int peak, bool waiters)
{
    const struct ui_glyphs *g = theme_glyphs();
    int fill = peak > 0 ? (val * cells + peak - 1) / peak : 0;
    if (fill > cells)
        fill = cells;
    if (val > 0 && fill == 0)
        fill = 1;
    wmove(w, y, x);
    wattrset(w, theme_style(S_BAR_ON));
    for (int i = 0; i < fill; i++)
        waddstr(w, g->bar_full);
    wattrset(w, waiters ? theme_style(S_BAR_WAIT) : theme_style(S_BAR_OFF));
    for (int i = fill; i < cells; i++)
        waddstr(w, g->bar_empty);
    wattrset(w, A_NORMAL);
    return cells;
}

static void time_hms(long long t, char *buf, size_t len)
{
    if (t <= 0) {
        snprintf(buf, len, "never");
        return;
    }
    time_t tt = (time_t)t;
    struct tm tm;
    localtime_r(&tt, &tm);
    strftime(buf, len, "%H:%M:%S", &tm);
}

static int section_heading(WINDOW *w, int y, int width, const char *title, const char *extra)
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

static int semset_rows(const struct model_semset *ss, bool wide)
{
    return wide ? 2 + 2 * ss->nsems : 2 * ss->nsems;
}

static int semset_draw(struct ui *u, WINDOW *w, int y0, int h, int width, int set, bool wide)
{
    const struct model *m = u->m;
    const struct model_semset *ss = &m->semsets[set];
    int y = y0;
    char extra[128], otime[16];
    time_hms(ss->otime, otime, sizeof otime);
    const char *dot = theme_glyphs()->dot;
    if (wide) {
        if (m->state == RUN_DONE)
            snprintf(extra, sizeof extra, "semid %d %s removed (run over)", ss->semid,
                     dot);
        else
            snprintf(extra, sizeof extra, "semid %d %s mode %04o %s otime %s", ss->semid, dot,
                     ss->mode, dot, otime);
        y += section_heading(w, y, width, "SEMAPHORE SET", extra);
        if (y >= h)
            return y - y0;
        attr_t hd = theme_style(S_DIM) | A_BOLD;
        draw_text(w, y, 2, 3, hd, "#");
        draw_text(w, y, 5, 14, hd, "semval");
        draw_text(w, y, 19, 8, hd, "semncnt");
        draw_text(w, y, 27, 8, hd, "semzcnt");
        draw_text(w, y, 35, 8, hd, "sempid");
        draw_text(w, y, 43, width - 44, hd, "held by");
        y++;
    }
    for (int k = 0; k < ss->nsems && y < h; k++) {
        int pidx[MODEL_MAX_PROCS], zidx[MODEL_MAX_PROCS];
        int np = sem_waiters(m, ss, k, false, pidx);
        int nz = sem_waiters(m, ss, k, true, zidx);
        int peak = sem_peak(u, set, k, ss->val[k]);
        const char *holder = ss->holder[k] ? proc_name_by_pid(m, ss->holder[k]) : NULL;
        const char *last = proc_name_by_pid(m, ss->lastpid[k]);
        char waiting[256] = "", zwaiting[256] = "";
        names_compact(m, pidx, np, waiting, sizeof waiting);
        names_compact(m, zidx, nz, zwaiting, sizeof zwaiting);
        int hidx = holder ? model_find_proc(m, ss->holder[k]) : -1;
        if (wide) {
            draw_textf(w, y, 2, 3, A_BOLD, "%d", k);
            draw_bar(w, y, 5, 10, ss->val[k], peak, ss->ncnt[k] > 0);
            draw_textf(w, y, 16, 4, A_BOLD, "%d", ss->val[k]);
            draw_textf(w, y, 19, 8, ss->ncnt[k] ? theme_style(S_BAR_WAIT) : A_NORMAL, "%d",
                       ss->ncnt[k]);
            draw_textf(w, y, 27, 8, ss->zcnt[k] ? theme_style(S_BAR_WAIT) : A_NORMAL, "%d",
                       ss->zcnt[k]);
            draw_textf(w, y, 35, 8, A_NORMAL, "%d", (int)ss->lastpid[k]);
            draw_text(w, y, 43, width - 44, holder ? theme_proc(hidx) : theme_style(S_DIM),
                      holder ? holder : "nobody");
            y++;
            if (y >= h)
                break;
            int x = 5;
            if (np || nz) {
                if (np) {
                    x += draw_text(w, y, x, width - x - 1, theme_style(S_BAR_WAIT),
                                   "asleep in P: ");
                    x += draw_text(w, y, x, width - x - 1, A_NORMAL, waiting);
                }
                if (nz) {
                    x += draw_text(w, y, x, width - x - 1, theme_style(S_BAR_WAIT),
                                   np ? "   waiting for 0: " : "waiting for 0: ");
                    x += draw_text(w, y, x, width - x - 1, A_NORMAL, zwaiting);
                }
            } else {
                draw_textf(w, y, x, width - x - 1, theme_style(S_DIM), "nobody asleep on it%s%s",
                           last ? "; last semop by " : "", last ? last : "");
            }
            y++;
        } else {
            int x = 2;
            x += draw_textf(w, y, x, width - x, A_BOLD, "sem %d ", k);
            x += draw_bar(w, y, x, 6, ss->val[k], peak, ss->ncnt[k] > 0);
            x += draw_textf(w, y, x, width - x, A_BOLD, " %d", ss->val[k]);
            x += draw_textf(w, y, x, width - x, ss->ncnt[k] ? theme_style(S_BAR_WAIT) : A_NORMAL,
                            "  semncnt %d", ss->ncnt[k]);
            x += draw_textf(w, y, x, width - x, A_NORMAL, "  semzcnt %d  sempid %d",
                            ss->zcnt[k], (int)ss->lastpid[k]);
            x += draw_text(w, y, x, width - x, A_NORMAL, "  held by ");
            draw_text(w, y, x, width - x, holder ? theme_proc(hidx) : theme_style(S_DIM),
                      holder ? holder : "nobody");
            if (++y >= h)
                break;
            x = 8;
            if (np) {
                x += draw_text(w, y, x, width - x, theme_style(S_BAR_WAIT), "asleep in P: ");
                x += draw_text(w, y, x, width - x - 1, A_NORMAL, waiting);
            }
            if (nz) {
                x += draw_text(w, y, x, width - x, theme_style(S_BAR_WAIT), "  waiting for 0: ");
                draw_text(w, y, x, width - x - 1, A_NORMAL, zwaiting);
            }
            if (!np && !nz)
                draw_text(w, y, x, width - x - 1, theme_style(S_DIM), "nobody asleep on it");
            y++;
        }
    }
    return y - y0;
}

static int cs_rows(bool wide)
{
    return wide ? 4 : 1;
}

static int cs_draw(struct ui *u, WINDOW *w, int y0, int h, int width, bool wide)
{
    const struct model *m = u->m;
    const struct model_cs *cs = &m->cs;
    const struct ui_glyphs *g = theme_glyphs();
    int y = y0;
    int shm = -1;
    for (int i = 0; i < m->nshmsegs; i++)
        if (m->shmsegs[i].stats)
            shm = m->shmsegs[i].shmid;
    long long lost = cs->entries - cs->counter;
    bool broken = cs->max_occupancy > 1;
    if (!wide) {
        int x = 2;
        x += draw_text(w, y, x, width - x, A_BOLD, "critical section: ");
        x += draw_textf(w, y, x, width - x, cs->occupancy > 1 ? theme_style(S_FAIL) : A_NORMAL,
                        "inside %d", cs->occupancy);
        x += draw_textf(w, y, x, width - x, broken ? theme_style(S_FAIL) : A_NORMAL,
                        ", most at once %d", cs->max_occupancy);
        x += draw_textf(w, y, x, width - x, A_NORMAL, "  counter %lld, updates %lld of %lld",
                        cs->counter, cs->entries, cs->expected);
        if (lost > 0)
            draw_textf(w, y, x, width - x, theme_style(S_FAIL), " (%lld lost)", lost);
        return 1;
    }
    char extra[64] = "";
    if (shm >= 0)
        snprintf(extra, sizeof extra, "the counter lives in shm %d", shm);
    y += section_heading(w, y, width, "CRITICAL SECTION", extra);
    if (y >= h)
        return y - y0;
    int x = 2;
    x += draw_text(w, y, x, width - x, A_NORMAL, "inside now ");
    int cells = cs->occupancy < 12 ? cs->occupancy : 12;
    wmove(w, y, x);
    wattrset(w, cs->occupancy > 1 ? theme_style(S_FAIL_TEXT) : theme_style(S_BAR_ON));
    for (int i = 0; i < cells; i++)
        waddstr(w, g->bar_full);
    wattrset(w, A_NORMAL);
    x += cells;
    x += draw_textf(w, y, x, width - x, A_BOLD, " %d", cs->occupancy);
    x += draw_text(w, y, x, width - x, A_NORMAL, "   most at once ");
    x += draw_textf(w, y, x, width - x, broken ? theme_style(S_FAIL) : theme_style(S_OK), "%d",
                    cs->max_occupancy);
    draw_text(w, y, x, width - x - 1, theme_style(S_DIM),
              broken ? "  (over 1: mutual exclusion broken)" : "  (must stay 1)");
    if (++y >= h)
        return y - y0;
    x = 2;
    x += draw_textf(w, y, x, width - x, A_NORMAL, "counter ");
    x += draw_textf(w, y, x, width - x, A_BOLD, "%lld", cs->counter);
    x += draw_textf(w, y, x, width - x, A_NORMAL, "   updates done %lld of %lld", cs->entries,
                    cs->expected);
    if (lost > 0)
        draw_textf(w, y, x, width - x - 1, theme_style(S_FAIL), "   %lld lost!", lost);
    else
        draw_text(w, y, x, width - x - 1, theme_style(S_DIM), "   none lost");
    if (++y >= h)
        return y - y0;
    x = 2;
    x += draw_text(w, y, x, width - x, A_NORMAL, "inside over time ");
    int room = width - x - 2;
    if (room > u->occ_n)
        room = u->occ_n;
    int top = 1;
    for (int i = 0; i < u->occ_n; i++)
        if (u->occ_hist[(u->occ_samples - 1 - (uint64_t)i) % UI_OCC_HIST] > top)
            top = u->occ_hist[(u->occ_samples - 1 - (uint64_t)i) % UI_OCC_HIST];
    if (top < 2)
        top = 2; /* 1 inside fills half: 2 inside would be a full bar */
    wmove(w, y, x);
    for (int i = room - 1; i >= 0; i--) {
        int v = u->occ_hist[(u->occ_samples - 1 - (uint64_t)i) % UI_OCC_HIST];
        int level = v == 0 ? 0 : (v * 8 + top - 1) / top;
        if (level > 8)
            level = 8;
        wattrset(w, v > 1 ? theme_style(S_FAIL_TEXT) : theme_style(S_BAR_ON));
        waddstr(w, g->spark[level]);
    }
    wattrset(w, A_NORMAL);
    y++;
    return y - y0;
}

/* The stats segment's fields, to label its bytes. */
static const struct {
    const char *name;
    size_t off, len;
} cs_fields[] = {
    {"occupancy", 0, 4}, {"max", 4, 4},      {"entries", 8, 8},
    {"counter", 16, 8},  {"lockvar", 24, 4}, {"pad", 28, 4},
};
#define N_CS_FIELDS (sizeof cs_fields / sizeof cs_fields[0])

static int shm_bytes_per_row(int width)
{
    return width >= 2 + 5 + 16 * 3 + 2 + 16 ? 16 : 8;
}

static int shm_rows(const struct model_shmseg *s, int width, bool wide)
{
    if (!wide)
        return 1;
    if (s->stats)
        return 2 + 4;
    int per = shm_bytes_per_row(width);
    return 2 + (int)((s->segsz < 64 ? s->segsz : 64) + (size_t)per - 1) / per;
}

static int shm_draw(struct ui *u, WINDOW *w, int y0, int h, int width, int i, bool wide)
{
    const struct model *m = u->m;
    const struct model_shmseg *s = &m->shmsegs[i];
    const char *dot = theme_glyphs()->dot;
    const char *cn = proc_name_by_pid(m, s->cpid), *ln = proc_name_by_pid(m, s->lpid);
    int y = y0;
    if (!wide) {
        draw_textf(w, y, 2, width - 3, A_NORMAL,
                   "shm %d: %zu bytes, nattch %ld, cpid %d%s%s%s, lpid %d%s%s%s", s->shmid,
                   s->segsz, s->nattch, (int)s->cpid, cn ? " (" : "", cn ? cn : "", cn ? ")" : "",
                   (int)s->lpid, ln ? " (" : "", ln ? ln : "", ln ? ")" : "");
        return 1;
    }
    char extra[96];
    snprintf(extra, sizeof extra, "shmid %d %s %zu bytes%s", s->shmid, dot, s->segsz,
             m->state == RUN_DONE ? " (removed)" : "");
    y += section_heading(w, y, width, "SHARED MEMORY", extra);
    if (y >= h)
        return y - y0;
    draw_textf(w, y, 2, width - 3, A_NORMAL, "nattch %ld   cpid %d%s%s%s   lpid %d%s%s%s",
               s->nattch, (int)s->cpid, cn ? " " : "", cn ? cn : "", "", (int)s->lpid,
               ln ? " " : "", ln ? ln : "", "");
    y++;
    if (s->peek_len == 0) {
        if (y < h)
            draw_text(w, y, 2, width - 3, theme_style(S_DIM), "(not sampled yet)");
        return y + 1 - y0;
    }
    if (s->stats) {
        /* Two rows of fields, each with its name above its bytes (hex, as
         * they sit in memory: little-endian). */
        static const int rows[2][2] = {{0, 3}, {3, 6}};
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
            y += 2;
        }
        return y - y0;
    }
    int per = shm_bytes_per_row(width);
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

static int objects_want(const struct ui *u, int width, bool wide)
{
    const struct model *m = u->m;
    int n = 0, sections = 0;
    for (int i = 0; i < m->nsemsets; i++, sections++)
        n += semset_rows(&m->semsets[i], wide);
    if (m->cs.present || m->nshmsegs) {
        n += cs_rows(wide);
        sections++;
    }
    for (int i = 0; i < m->nshmsegs; i++, sections++)
        n += shm_rows(&m->shmsegs[i], width, wide);
    if (!wide)
        return 1 + (n ? n : 1);
    return (n ? n : 2) + (sections > 1 ? sections - 1 : 0); /* blank rows between */
}

static void objects_draw(struct ui *u, WINDOW *w, int h, int width)
{
    const struct model *m = u->m;
    bool wide = u->lay.wide;
    int y = 0;
    if (!wide) {
        char extra[96] = "";
        size_t off = 0;
        for (int i = 0; i < m->nsemsets && off < sizeof extra; i++)
            off += (size_t)snprintf(extra + off, sizeof extra - off, "%ssemid %d", off ? ", " : "",
                                    m->semsets[i].semid);
        for (int i = 0; i < m->nshmsegs && off < sizeof extra; i++)
            off += (size_t)snprintf(extra + off, sizeof extra - off, "%sshmid %d", off ? ", " : "",
                                    m->shmsegs[i].shmid);
        draw_rule(w, 0, 0, width, "IPC OBJECTS", extra);
        y = 1;
    }
    if (m->nsemsets == 0 && m->nshmsegs == 0) {
        if (wide)
            draw_rule(w, 0, 0, width, "IPC OBJECTS", NULL);
        draw_text(w, wide ? 1 : y, 2, width - 3, theme_style(S_DIM),
                  "the run's semaphores, queues and segments appear here");
        return;
    }
    bool first = true;
    for (int i = 0; i < m->nsemsets && y < h; i++) {
        if (!first && wide)
            y++;
        y += semset_draw(u, w, y, h, width, i, wide);
        first = false;
    }
    if ((m->cs.present || m->nshmsegs) && y < h) {
        if (!first && wide)
            y++;
        y += cs_draw(u, w, y, h, width, wide);
        first = false;
    }
    for (int i = 0; i < m->nshmsegs && y < h; i++) {
        if (!first && wide)
            y++;
        y += shm_draw(u, w, y, h, width, i, wide);
        first = false;
    }
}

void panels_note_sample(struct ui *u)
{
    const struct model *m = u->m;
    if (!m->cs.present)
        return;
    u->occ_hist[u->occ_samples % UI_OCC_HIST] =
        (unsigned char)(m->cs.occupancy < 0 ? 0 : m->cs.occupancy > 255 ? 255 : m->cs.occupancy);
    u->occ_samples++;
    if (u->occ_n < UI_OCC_HIST)
        u->occ_n++;
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
};

static void story_cols(int width, struct story_cols *c)
{
    c->width = width;
    c->who = 1 + STORY_TIME_W;
    int whow = width >= 110 ? 18 : 16;
    int whatw = width >= 110 ? 14 : 13;
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
        int cols;
        size_t fit = draw_fit(s + off, w, &cols);
        if (off + fit < total) {
            size_t cut = fit;
            while (cut > 0 && s[off + cut] != ' ')
                cut--;
            if (cut > fit / 3)
                fit = cut;
            if (fit == 0)
                fit = 1;
        }
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

static int story_line_layout(const struct model_line *l, const struct story_cols *c, int *x0,
                             size_t *starts, size_t *lens)
{
    bool plain = l->kind != 0 && !l->what[0];
    int x = plain ? (l->who[0] ? c->what : c->who) : c->detail;
    *x0 = x;
    return wrap_text(l->detail, c->width - x - 1, starts, lens, STORY_MAX_WRAP);
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
    if (pi < 0 && l->kind == 0 && l->who[0]) {
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
    if (l->kind == 2)
        da = theme_style(S_ERROR);
    else if (strstr(l->detail, "broken") || strstr(l->detail, " lost") ||
             strstr(l->detail, "failed") || strstr(l->detail, "killed"))
        da = theme_style(S_FAIL_TEXT);
    else if (l->kind == 1)
        da = theme_style(S_INFO);
    for (int r = skip; r < nrows && r - skip < maxrows; r++) {
        int yy = y + r - skip;
        if (r == 0) {
            char clock[16];
            draw_clock(l->t_ns, clock, sizeof clock);
            draw_text(w, yy, 1, STORY_TIME_W, theme_style(S_DIM), clock);
            if (l->who[0]) {
                bool you = l->kind == 1 && strcmp(l->who, "you") == 0;
                int ww = (l->what[0] || l->kind == 0 ? c->what : x0) - c->who - 1;
                draw_text(w, yy, c->who, ww, you ? theme_style(S_YOU) : pa, l->who);
            }
            if (l->what[0])
                draw_text(w, yy, c->what, c->detail - c->what - 1, pa, l->what);
        }
        char part[256];
        size_t n = lens[r] < sizeof part - 1 ? lens[r] : sizeof part - 1;
        memcpy(part, l->detail + starts[r], n);
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
    draw_rule(w, 0, 0, width, "STORY", NULL);
    if (u->story_anchor) {
        uint64_t newer = m->story_count - u->story_anchor;
        draw_textf(w, 0, 10, width - 11, theme_style(S_BADGE_PAUSE),
                   " %s scrolled back: %llu newer line%s below, PgDn returns ", g->up,
                   (unsigned long long)newer, newer == 1 ? "" : "s");
    }
    if (u->lay.wide) {
        int sx = u->lay.area[AREA_PROCS].w - 1;
        if (sx > 0 && sx < width)
            draw_text(w, 0, sx, 1, theme_style(S_RULE), g->tee_up);
    }
    struct story_cols c;
    story_cols(width, &c);
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

static void hints_draw(struct ui *u, WINDOW *w, int h, int width)
{
    const struct model *m = u->m;
    struct hint {
        const char *key, *label, *shortl;
    };
    const char *f3 = m->state == RUN_PAUSED || m->state == RUN_STEP ? "Resume" : "Pause";
    struct hint normal[] = {
        {"F1", "Help", "Help"},       {"F2", "Scenarios", "Scen"}, {"F3", f3, f3},
        {"F4", "Step", "Step"},       {"F5", "Slower", "Slow"},    {"F6", "Faster", "Fast"},
        {"PgUp/PgDn", "Story", "Story"}, {"Tab", "Complete", "Compl"}, {"F10", "Quit", "Quit"},
    };
    struct hint over[] = {
        {"Esc", "Close", "Close"}, {"Up/Down", "Scroll", "Scroll"},
        {"PgUp/PgDn", "Page", "Page"}, {"F10", "Quit", "Quit"},
    };
    struct hint scen[] = {
        {"Esc", "Close", "Close"}, {"Up/Down", "Choose", "Choose"},
        {"Enter", "Edit a run command", "Run"}, {"F10", "Quit", "Quit"},
    };
    struct hint *hs = normal;
    int n = (int)(sizeof normal / sizeof normal[0]);
    if (u->overlay == OVERLAY_SCENARIOS) {
        hs = scen;
        n = (int)(sizeof scen / sizeof scen[0]);
    } else if (u->overlay) {
        hs = over;
        n = (int)(sizeof over / sizeof over[0]);
    }
    for (int pass = 0; pass < 3; pass++) {
        int need = 0;
        for (int i = 0; i < n; i++) {
            if (pass == 2 && strcmp(hs[i].key, "Tab") == 0)
                continue;
            need += draw_width(hs[i].key) + 1 +
                    draw_width(pass == 0 ? hs[i].label : hs[i].shortl) + (pass == 0 ? 2 : 1);
        }
        if (need > width && pass < 2)
            continue;
        int x = 0;
        for (int i = 0; i < n && x < width; i++) {
            if (pass == 2 && strcmp(hs[i].key, "Tab") == 0)
                continue;
            x += draw_text(w, 0, x, width - x, theme_style(S_KEY), hs[i].key);
            x += draw_textf(w, 0, x, width - x, A_NORMAL, " %s%s",
                            pass == 0 ? hs[i].label : hs[i].shortl, pass == 0 ? "  " : " ");
        }
        break;
    }
}

static int one_row(const struct ui *u, int width, bool wide)
{
    return 1;
}

static int rest(const struct ui *u, int width, bool wide)
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
