/* watch.c (ui) — the dashboard's panel of the whole system's IPC objects in
 * a watch session: one row per object the filter lets through, in its
 * order, with who sleeps on it or has it attached under it. It takes the
 * objects area while the session has no run objects of its own; the order
 * and filter come from the model (the console's `watch sort=... user=...`). */
#include <string.h>

#include "ui_internal.h"
#include "../model/i18n.h"

bool watch_panel_active(const struct model *m)
{
    return m->sys.watching && !objects_any(m);
}

struct rows {
    WINDOW *w;
    int y, h, width;
    int left; /* user lines still allowed for this object */
};

static void user_line(void *ctx, const char *s)
{
    struct rows *r = ctx;
    if (r->y >= r->h - 1 || r->left <= 0)
        return;
    r->left--;
    draw_text(r->w, r->y++, 2, r->width - 3, theme_style(S_DIM), s);
}

int watch_panel_want(const struct ui *u, int width, int level)
{
    const struct sysipc *s = &u->m->sys;
    return 2 + s->nobjs + (s->nuses < 64 ? s->nuses : 64);
}

void watch_panel_draw(struct ui *u, WINDOW *w, int h, int width)
{
    const struct sysipc *s = &u->m->sys;
    static int idx[SYSIPC_MAX_OBJS];
    int n = tree_select_objs(u->m, idx, SYSIPC_MAX_OBJS);
    bool tree = u->m->tree.on && !s->filter.all;
    char extra[160];
    if (tree)
        snprintf(extra, sizeof extra,
                 _("the program's %d of %d objects; `watch scope=all` shows the whole system"), n,
                 s->nobjs);
    else
        snprintf(extra, sizeof extra,
                 _("%d of %d shown, %s%s, sort=%s, %d processes (%d not readable)"), n, s->nobjs,
                 s->filter.user[0] ? "user=" : _("all users"), s->filter.user,
                 sysipc_sort_name(s->filter.sort), s->last.nprocs, s->last.nosys);
    draw_rule(w, 0, 0, width, tree ? _("PROGRAM'S IPC (watch)") : _("SYSTEM IPC (watch)"), extra);
    if (n == 0) {
        draw_text(w, 1, 2, width - 3, theme_style(S_DIM),
                  tree       ? _("the program has created or used no System V object yet")
                  : s->nobjs ? _("no object matches the filter (watch user= key= changes it)")
                             : _("no IPC object on the system; ipcmk -S 1 makes one"));
        return;
    }
    struct rows r = {w, 1, h, width, 0};
    int i = 0;
    for (; i < n && r.y < h - 1; i++) {
        const struct sysipc_obj *o = &s->objs[idx[i]];
        char row[256];
        sysipc_format_row(s, o, row, sizeof row);
        draw_text(w, r.y++, 1, width - 2, o->o.ours ? theme_style(S_BOLD) : A_NORMAL, row);
        r.left = 2;
        sysipc_format_users(s, o, "  ", user_line, &r);
    }
    if (i < n)
        draw_textf(w, h - 1, 2, width - 3, theme_style(S_DIM),
                   _("%d more: a taller terminal, watch user=/key=, or ipcs lists them"), n - i);
}
