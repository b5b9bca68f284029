/* tree.c — `ipcplay watch --headless -- PROGRAM [ARGS]` and `watch
 * --headless --pid PID`: the tree's story (its output, traced calls,
 * zombies, reaps, a stall) line by line as it happens, and its view
 * (processes, links, objects, waiters) whenever what it shows changed. Ends
 * when the tree is gone, when a stall is named (exit 1), at --for, or on a
 * signal; whatever of the tree is ours is then killed and reaped. */
#include "tree.h"

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>

#include "../engine/events.h"
#include "../engine/tree.h"
#include "../engine/watch.h"
#include "../model/i18n.h"

struct ttext {
    char buf[1 << 16];
    size_t len;
};

static void text_line(void *ctx, const char *s)
{
    struct ttext *t = ctx;
    size_t n = strlen(s);
    if (t->len + n + 2 > sizeof t->buf)
        return;
    memcpy(t->buf + t->len, s, n);
    t->len += n;
    t->buf[t->len++] = '\n';
    t->buf[t->len] = '\0';
}

struct tview {
    const struct model *m;
    FILE *out;
    uint64_t next_line;
    struct ttext now, last;
};

static void print_story(struct tview *v)
{
    const struct model *m = v->m;
    uint64_t first = model_story_first(m);
    if (v->next_line < first)
        v->next_line = first;
    bool told = false;
    for (; v->next_line < m->story_count; v->next_line++) {
        const struct model_line *l = model_story_line(m, v->next_line);
        if (l)
            fprintf(v->out, "%7.3f  %-16s %-8s %s\n", (double)l->t_ns / 1e9, l->who, l->what,
                    l->detail);
        told = true;
    }
    /* Out at once: stdout into a pipe is buffered, and a quiet view would
     * keep the story's last lines from whoever reads it. */
    if (told)
        fflush(v->out);
}

static void print_view(struct tview *v)
{
    print_story(v);
    v->now.len = 0;
    v->now.buf[0] = '\0';
    tree_format(v->m, text_line, &v->now);
    if (v->now.len == v->last.len && memcmp(v->now.buf, v->last.buf, v->now.len) == 0)
        return;
    fprintf(v->out, "%7.3f  %s", (double)v->m->now_ns / 1e9, v->now.buf);
    memcpy(v->last.buf, v->now.buf, v->now.len + 1);
    v->last.len = v->now.len;
    fflush(v->out);
}

int tree_headless(struct engine *e, struct model *m, const struct tree_view_opts *o)
{
    struct tview *v = calloc(1, sizeof *v);
    if (!v)
        return 3;
    v->m = m;
    v->out = o->out;
    print_view(v);
    uint64_t end = o->for_seconds > 0 ? events_now_ns() + (uint64_t)(o->for_seconds * 1e9) : 0;
    int status = 0;
    for (;;) {
        if (engine_tree_done(e)) {
            engine_sys_sample(e);
            break;
        }
        if (engine_tree_stalled(e)) {
            status = 1;
            break;
        }
        uint64_t t = events_now_ns();
        if (end && t >= end)
            break;
        struct pollfd pfds[ENGINE_MAX_POLLFDS];
        int n = engine_pollfds(e, pfds, ENGINE_MAX_POLLFDS);
        int left = end ? (int)((end - t) / 1000000u) + 1 : 1000;
        if (poll(pfds, (nfds_t)n, left) < 0 && errno != EINTR)
            break;
        int flags = engine_dispatch(e, pfds, n);
        if (flags & ENGINE_QUIT) {
            status = 128 + engine_quit_signal(e);
            break;
        }
        if (flags & ENGINE_SAMPLE) /* the view changes with samples; the story at once */
            print_view(v);
        else
            print_story(v);
    }
    int alive = tree_alive(&m->tree);
    engine_tree_stop(e);
    print_view(v);
    if (alive)
        fprintf(o->out, _("ipcplay: the tree's processes were killed and reaped at the end of "
                          "the watch\n"));
    fflush(o->out);
    free(v);
    return ferror(o->out) ? 3 : status;
}
