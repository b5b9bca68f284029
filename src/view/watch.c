/* watch.c — see watch.h. A sample is printed when what it shows differs
 * from the last one printed, so `--for 60` prints changes, not a minute of
 * repeats. JSON lines are built with json-c: one "object" line per object
 * shown, then one "sample" line. */
#include "watch.h"

#include <errno.h>
#include <json-c/json.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../engine/events.h"
#include "../engine/watch.h"
#include "../model/i18n.h"

#define WATCH_TEXT_CAP (1u << 20)

struct wtext {
    char *buf;
    size_t len, cap;
};

static void text_line(void *ctx, const char *s)
{
    struct wtext *t = ctx;
    size_t n = strlen(s);
    if (t->len + n + 2 > t->cap)
        return; /* cut: the summary line says how many were shown */
    memcpy(t->buf + t->len, s, n);
    t->len += n;
    t->buf[t->len++] = '\n';
    t->buf[t->len] = '\0';
}

int watch_format_text(const struct model *m, void (*line)(void *ctx, const char *s), void *ctx)
{
    const struct sysipc *s = &m->sys;
    static int idx[SYSIPC_MAX_OBJS];
    int n = sysipc_select(s, &s->filter, idx, SYSIPC_MAX_OBJS);
    char buf[512];
    snprintf(buf, sizeof buf,
             _("watch: %d of %d objects shown (%s%s sort=%s); %d processes looked at, %d whose "
               "calls ipcplay may not read (no permission)%s"),
             n, s->nobjs, s->filter.user[0] ? "user=" : _("all users"), s->filter.user,
             sysipc_sort_name(s->filter.sort), s->last.nprocs, s->last.nosys,
             s->last.dropped ? _("; more objects than ipcplay keeps") : "");
    line(ctx, buf);
    for (int i = 0; i < n; i++) {
        const struct sysipc_obj *o = &s->objs[idx[i]];
        sysipc_format_row(s, o, buf, sizeof buf);
        line(ctx, buf);
        sysipc_format_users(s, o, "    ", line, ctx);
    }
    return n;
}

static json_object *jstr(const char *s)
{
    return json_object_new_string(s);
}

static void add_i64(json_object *o, const char *k, long long v)
{
    json_object_object_add(o, k, json_object_new_int64(v));
}

static json_object *obj_users(const struct sysipc *s, const struct sys_obj *o)
{
    json_object *a = json_object_new_array();
    static const char *const how[] = {"?", "attached", "semop", "msgsnd", "msgrcv"};
    for (int i = 0; i < s->nuses; i++) {
        const struct sys_use *u = &s->uses[i];
        if (u->kind != o->kind || u->id != o->id || o->kind > SYS_SHM)
            continue;
        json_object *j = json_object_new_object();
        add_i64(j, "pid", u->pid);
        const struct sys_proc *p = sysipc_find_proc(s, u->pid);
        json_object_object_add(j, "comm", jstr(p ? p->comm : ""));
        json_object_object_add(j, "how", jstr(how[u->how >= 1 && u->how <= 4 ? u->how : 0]));
        if (u->how == SYS_USE_SEMOP && u->nsops >= 0) {
            add_i64(j, "sem_num", u->sem_num);
            add_i64(j, "sem_op", u->sem_op);
            add_i64(j, "sem_flg", u->sem_flg);
        } else if (u->how == SYS_USE_SEMOP) {
            json_object_object_add(j, "sembuf", jstr("no permission"));
        }
        if ((u->how == SYS_USE_MSGSND || u->how == SYS_USE_MSGRCV) && u->msgtyp_ok)
            add_i64(j, "msgtyp", u->msgtyp);
        json_object_array_add(a, j);
    }
    return a;
}

static void print_json_obj(FILE *out, const struct model *m, const struct sys_obj *o)
{
    json_object *j = json_object_new_object();
    char key[16], perms[8];
    json_object_object_add(j, "type", jstr("object"));
    json_object_object_add(j, "t", json_object_new_double((double)m->now_ns / 1e9));
    json_object_object_add(j, "kind", jstr(sysipc_kind_name(o->kind)));
    if (o->kind <= SYS_SHM) {
        add_i64(j, "id", o->id);
        snprintf(key, sizeof key, "0x%08x", o->key);
        json_object_object_add(j, "key", jstr(key));
    } else {
        json_object_object_add(j, "name", jstr(o->name));
    }
    json_object_object_add(j, "owner", jstr(o->owner));
    add_i64(j, "uid", o->uid);
    snprintf(perms, sizeof perms, "%o", o->mode & 0777);
    json_object_object_add(j, "perms", jstr(perms));
    add_i64(j, "ctime", o->ctime);
    if (o->kind == SYS_SEM) {
        add_i64(j, "nsems", o->nsems);
        add_i64(j, "otime", o->otime);
        json_object *sems = json_object_new_array();
        for (int k = 0; k < o->nvals; k++) {
            json_object *e = json_object_new_object();
            add_i64(e, "semval", o->sem[k].val);
            add_i64(e, "semncnt", o->sem[k].ncnt);
            add_i64(e, "semzcnt", o->sem[k].zcnt);
            add_i64(e, "sempid", o->sem[k].pid);
            json_object_array_add(sems, e);
        }
        json_object_object_add(j, "sems", sems);
    } else if (o->kind == SYS_MSG || o->kind == SYS_PMQ) {
        add_i64(j, "cbytes", o->cbytes);
        if (o->kind == SYS_MSG) {
            add_i64(j, "qnum", o->qnum);
            if (o->qbytes >= 0)
                add_i64(j, "qbytes", o->qbytes);
            add_i64(j, "lspid", o->lspid);
            add_i64(j, "lrpid", o->lrpid);
            add_i64(j, "stime", o->stime);
            add_i64(j, "rtime", o->rtime);
        }
    } else {
        add_i64(j, "bytes", (long long)o->segsz);
        if (o->kind == SYS_SHM) {
            add_i64(j, "nattch", o->nattch);
            add_i64(j, "cpid", o->cpid);
            add_i64(j, "lpid", o->lpid);
            add_i64(j, "atime", o->atime);
            add_i64(j, "dtime", o->dtime);
        }
    }
    json_object_object_add(j, "detail",
                           jstr(o->detail_err == SYS_ERR_PERM ? "no permission" : "ok"));
    json_object_object_add(j, "ours", json_object_new_boolean(o->ours));
    json_object_object_add(j, "users", obj_users(&m->sys, o));
    fprintf(out, "%s\n", json_object_to_json_string_ext(j, JSON_C_TO_STRING_PLAIN));
    json_object_put(j);
}

static void print_json(FILE *out, const struct model *m)
{
    const struct sysipc *s = &m->sys;
    static int idx[SYSIPC_MAX_OBJS];
    int n = sysipc_select(s, &s->filter, idx, SYSIPC_MAX_OBJS);
    for (int i = 0; i < n; i++)
        print_json_obj(out, m, &s->objs[idx[i]].o);
    json_object *j = json_object_new_object();
    json_object_object_add(j, "type", jstr("sample"));
    json_object_object_add(j, "t", json_object_new_double((double)m->now_ns / 1e9));
    add_i64(j, "objects", s->nobjs);
    add_i64(j, "shown", n);
    add_i64(j, "processes", s->last.nprocs);
    add_i64(j, "no_permission", s->last.nosys);
    add_i64(j, "dropped", s->last.dropped);
    fprintf(out, "%s\n", json_object_to_json_string_ext(j, JSON_C_TO_STRING_PLAIN));
    json_object_put(j);
}

/* Print the model if it shows something new; the text is also the test. */
static void print_if_changed(const struct watch_opts *o, const struct model *m, struct wtext *now,
                             struct wtext *last)
{
    now->len = 0;
    now->buf[0] = '\0';
    watch_format_text(m, text_line, now);
    if (last->len == now->len && memcmp(last->buf, now->buf, now->len) == 0)
        return;
    if (o->json)
        print_json(o->out, m);
    else
        fprintf(o->out, "%7.3f  %s\n", (double)m->now_ns / 1e9, now->buf);
    fflush(o->out);
    memcpy(last->buf, now->buf, now->len + 1);
    last->len = now->len;
}

int watch_headless(struct engine *e, struct model *m, const struct watch_opts *o)
{
    char err[256];
    if (engine_watch_system(e, o->period_ms ? o->period_ms : WATCH_DEFAULT_MS, &o->filter, err,
                            sizeof err) < 0) {
        fprintf(stderr, _("ipcplay: watch: %s\n"), err);
        return 3;
    }
    struct wtext now = {malloc(WATCH_TEXT_CAP), 0, WATCH_TEXT_CAP};
    struct wtext last = {malloc(WATCH_TEXT_CAP), 0, WATCH_TEXT_CAP};
    if (!now.buf || !last.buf) {
        free(now.buf);
        free(last.buf);
        return 3;
    }
    last.buf[0] = '\0';
    print_if_changed(o, m, &now, &last);
    uint64_t end = events_now_ns() + (uint64_t)(o->for_seconds * 1e9);
    int status = 0;
    while (o->for_seconds > 0) {
        uint64_t t = events_now_ns();
        if (t >= end)
            break;
        struct pollfd pfds[ENGINE_MAX_POLLFDS];
        int n = engine_pollfds(e, pfds, ENGINE_MAX_POLLFDS);
        int left = (int)((end - t) / 1000000u) + 1;
        if (poll(pfds, (nfds_t)n, left) < 0 && errno != EINTR)
            break;
        int flags = engine_dispatch(e, pfds, n);
        if (flags & ENGINE_QUIT) {
            status = 128 + engine_quit_signal(e);
            break;
        }
        if (flags & ENGINE_SAMPLE)
            print_if_changed(o, m, &now, &last);
    }
    free(now.buf);
    free(last.buf);
    if (ferror(o->out))
        return 3;
    return status;
}

/* ---- fed by a recording ---------------------------------------------------- */

int watch_replay(struct replay *rp, const struct rec_trailer *end, bool json, FILE *out)
{
    struct watch_opts o = {.json = json, .out = out};
    struct wtext now = {malloc(WATCH_TEXT_CAP), 0, WATCH_TEXT_CAP};
    struct wtext last = {malloc(WATCH_TEXT_CAP), 0, WATCH_TEXT_CAP};
    if (!now.buf || !last.buf) {
        free(now.buf);
        free(last.buf);
        return 3;
    }
    last.buf[0] = '\0';
    /* live: a sample printed after it was taken (the first before the
     * loop, then one a turn: a watch session's turns apply nothing else),
     * when it shows something new */
    size_t n = replay_count(rp);
    struct record r;
    for (size_t pos = replay_pos(rp); pos < n && !ferror(out); pos++) {
        replay_get(rp, pos, &r);
        if (r.kind != REC_SYS_END)
            continue;
        replay_seek(rp, pos + 1);
        print_if_changed(&o, replay_model(rp), &now, &last);
    }
    free(now.buf);
    free(last.buf);
    if (ferror(out))
        return 3;
    return end && end->how == REC_END_SIGNAL ? 128 + end->signal : 0;
}
