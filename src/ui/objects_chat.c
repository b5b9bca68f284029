/* objects_chat.c — the chat room's section of the IPC objects panel: the
 * buffers in the shared area with the child that owns each, the line each
 * holds and how many readers it still waits for; the notices in flight on
 * each child's socketpair; and each connection (client, its child, lines
 * sent and got). Drawn from the model only (m->chat). */
#include <stdio.h>

#include "ui_internal.h"
#include "../model/i18n.h"

int chat_section_count(const struct model *m)
{
    return m->chat.used ? 1 : 0;
}

int chat_section_rows(const struct ui *u, int i, int width, int level)
{
    int n = u->m->chat.clients > 0 ? u->m->chat.clients : 1;
    return level < 2 ? 1 + n : 2 + 2 * n;
}

static const char *name_of(const struct model *m, pid_t pid, char *buf, size_t len)
{
    int i = pid > 0 ? model_find_proc(m, pid) : -1;
    snprintf(buf, len, "%s", i >= 0 ? m->procs[i].name : "-");
    return buf;
}

int chat_section_draw(struct ui *u, WINDOW *w, int i, int y, int h, int width, int level)
{
    const struct model *m = u->m;
    const struct model_chat *c = &m->chat;
    int y0 = y, n = c->clients > 0 ? c->clients : 1;
    char extra[64];
    if (c->port)
        snprintf(extra, sizeof extra, "127.0.0.1:%d", c->port);
    else
        snprintf(extra, sizeof extra, "UNIX socket");
    if (level >= 2 && y < h)
        draw_rule(w, y++, 0, width, "CHAT ROOM", extra);
    if (y < h)
        draw_textf(w, y++, 2, width - 3, theme_style(S_DIM),
                   _("shared buffers (one per client)      accepted %d  forked %d  reaped %d%s"),
                   c->accepted, c->forked, c->reaped, c->overwrites ? _("  OVERWRITES!") : "");
    for (int k = 0; k < n && y < h; k++) {
        const struct model_chat_buf *b = &c->buf[k];
        char owner[24];
        attr_t a = b->pending > 0 ? theme_style(S_PENDING) : theme_style(S_NORMAL);
        draw_textf(w, y++, 2, width - 3, a, "buf %d  owner %-8s  %-26s  readers left %d", k,
                   name_of(m, b->owner, owner, sizeof owner), b->seq ? b->text : _("(empty)"),
                   b->pending > 0 ? b->pending : 0);
    }
    if (level < 2)
        return y - y0;
    for (int k = 0; k < n && y < h; k++) {
        const struct model_chat_conn *cn = &c->conn[k];
        char cl[24], ch[24];
        draw_textf(w, y++, 2, width - 3, cn->bad ? theme_style(S_FAIL_TEXT) : theme_style(S_NORMAL),
                   "%-10s <-> %-8s  sent %2d  got %2d%s  notices in flight %d%s",
                   name_of(m, cn->client, cl, sizeof cl), name_of(m, cn->child, ch, sizeof ch),
                   cn->sent, cn->got, cn->bad ? _(" (BAD)") : "", c->inflight[k],
                   cn->quit   ? _("  left midway")
                   : cn->done ? _("  closed")
                              : "");
    }
    return y - y0;
}
