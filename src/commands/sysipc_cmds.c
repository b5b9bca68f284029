/* sysipc_cmds.c — ipcs (util-linux's columns, -l limits, -i one object),
 * ipcrm (the run's objects at once; any other only after a y/N that names
 * it; never in a replay) and watch (the whole system, filtered and sorted).
 * What they print comes from the model's whole-system view, refreshed by a
 * sample through the engine when there is one. */
#include "sysipc_cmds.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../engine/watch.h"
#include "../model/model.h"
#include "../model/i18n.h"

#define OUT(...) command_printf(h, OUT_INFO, __VA_ARGS__)
#define ERR(...) command_printf(h, OUT_ERROR, __VA_ARGS__)

static void print_line(void *ctx, const char *line)
{
    struct cmd_host *h = ctx;
    h->print(h->self, OUT_INFO, line);
}

/* A fresh look when live; in a replay the model's last one is what there is. */
static bool refresh(struct cmd_host *h)
{
    if (h->engine && h->model && h->model->live) {
        engine_sys_sample(h->engine);
        return true;
    }
    return false;
}

int cmd_ipcs(struct cmd_host *h, int argc, char **argv)
{
    if (!h->model) {
        ERR(_("ipcs needs the dashboard"));
        return CMD_ERROR;
    }
    unsigned kinds = 0;
    bool limits = false;
    const char *id = NULL;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "-l") == 0 || strcmp(a, "--limits") == 0)
            limits = true;
        else if (strcmp(a, "-s") == 0 || strcmp(a, "--semaphores") == 0)
            kinds |= 1u << SYS_SEM;
        else if (strcmp(a, "-q") == 0 || strcmp(a, "--queues") == 0)
            kinds |= 1u << SYS_MSG;
        else if (strcmp(a, "-m") == 0 || strcmp(a, "--shmems") == 0)
            kinds |= 1u << SYS_SHM;
        else if (strcmp(a, "-a") == 0 || strcmp(a, "--all") == 0)
            kinds = 0;
        else if ((strcmp(a, "-i") == 0 || strcmp(a, "--id") == 0) && i + 1 < argc)
            id = argv[++i];
        else {
            ERR(_("ipcs: unknown option '%s' (accepted: -a -q -m -s -l, -i ID)"), a);
            return CMD_ERROR;
        }
    }
    const struct sysipc *s = &h->model->sys;
    if (limits) {
        if (h->engine && h->model->live)
            engine_sys_limits(h->engine);
        sysipc_format_limits(s, print_line, h);
        return CMD_OK;
    }
    if (!refresh(h) && !s->watching) {
        ERR(_("no look at the system was taken in this session (ipcs needs a live dashboard)"));
        return CMD_ERROR;
    }
    if (id) {
        char *end;
        long v = strtol(id, &end, 10);
        int n = 0;
        for (int i = 0; *end == '\0' && end != id && i < s->nobjs; i++) {
            const struct sys_obj *o = &s->objs[i].o;
            if (o->kind > SYS_SHM || o->id != v || (kinds && !(kinds & (1u << o->kind))))
                continue;
            sysipc_format_object(s, &s->objs[i], print_line, h);
            n++;
        }
        if (n == 0) {
            ERR(_("ipcs: no object with id '%s'"), id);
            return CMD_ERROR;
        }
        return CMD_OK;
    }
    sysipc_format_ipcs(s, kinds, print_line, h);
    return CMD_OK;
}

static struct {
    const struct cmd_host *h; /* who asked; NULL: nothing pending */
    struct sys_obj o;
} pending;

bool sysipc_cmd_pending(const struct cmd_host *h)
{
    return pending.h == h;
}

static const char *kind_words(int kind)
{
    return kind == SYS_SEM   ? "semaphore set"
           : kind == SYS_MSG ? "message queue"
                             : "shared memory segment";
}

static int remove_now(struct cmd_host *h, const struct sys_obj *o)
{
    char err[256];
    if (engine_sys_remove(h->engine, o, err, sizeof err) < 0) {
        ERR("%s", err);
        return CMD_ERROR;
    }
    OUT(_("removed %s %d (key 0x%08x)"), kind_words(o->kind), o->id, o->key);
    return CMD_OK;
}

int sysipc_cmd_answer(struct cmd_host *h, const char *line)
{
    struct sys_obj o = pending.o;
    pending.h = NULL;
    while (*line == ' ')
        line++;
    if (strcasecmp(line, "y") != 0 && strcasecmp(line, "yes") != 0) {
        OUT(_("kept %s %d: nothing removed"), kind_words(o.kind), o.id);
        return CMD_OK;
    }
    return remove_now(h, &o);
}

/* The objects `ipcrm` names: by kind and id, or by key (every kind). */
static int pick(struct cmd_host *h, int argc, char **argv, const struct sysipc_obj **out)
{
    const struct sysipc *s = &h->model->sys;
    int kind = -1;
    uint32_t key = 0;
    long id = -1;
    char *end;
    if (strcmp(argv[1], "key") == 0) {
        if (sysipc_parse_key(argv[2], &key) < 0 || key == 0) {
            ERR(_("ipcrm: bad key '%s' (0x1234abcd or a number; IPC_PRIVATE objects have no key)"),
                argv[2]);
            return -1;
        }
    } else if ((kind = sysipc_kind_parse(argv[1])) < 0 || kind > SYS_SHM ||
               (id = strtol(argv[2], &end, 10)) < 0 || *end || end == argv[2]) {
        ERR(_("usage: ipcrm sem|shm|msq ID  or  ipcrm key KEY"));
        return -1;
    }
    int n = 0;
    for (int i = 0; i < s->nobjs; i++) {
        const struct sys_obj *o = &s->objs[i].o;
        if (o->kind > SYS_SHM || (kind >= 0 ? (o->kind != kind || o->id != id) : o->key != key))
            continue;
        *out = &s->objs[i];
        n++;
    }
    if (n == 0)
        ERR(_("ipcrm: no %s %s on the system"), kind >= 0 ? kind_words(kind) : _("object with key"),
            argv[2]);
    else if (n > 1)
        ERR(_("ipcrm: several objects have key %s: remove one by kind and id (ipcrm sem ID)"),
            argv[2]);
    return n == 1 ? 0 : -1;
}

int cmd_ipcrm(struct cmd_host *h, int argc, char **argv)
{
    if (!h->model || !h->model->live || !h->engine) {
        ERR(_("ipcrm is never possible in a replay: a recording only shows what was"));
        return CMD_ERROR;
    }
    refresh(h);
    const struct sysipc_obj *so = NULL;
    if (pick(h, argc, argv, &so) < 0)
        return CMD_ERROR;
    struct sys_obj o = so->o;
    if (engine_sys_ours(h->engine, o.kind, o.id))
        return remove_now(h, &o);
    pending.h = h;
    pending.o = o;
    char size[48];
    if (o.kind == SYS_SEM)
        snprintf(size, sizeof size, _("%d semaphores"), o.nsems);
    else if (o.kind == SYS_MSG)
        snprintf(size, sizeof size, _("%lld messages"), (long long)o.qnum);
    else
        snprintf(size, sizeof size, _("%llu bytes, %lld attached"), (unsigned long long)o.segsz,
                 (long long)o.nattch);
    OUT(_("%s %d (key 0x%08x, owner %s, mode %03o, %s) is not this run's. Remove it? y/N"),
        kind_words(o.kind), o.id, o.key, o.owner, o.mode & 0777, size);
    return CMD_OK;
}

int sysipc_cmd_parse_watch(int argc, char **argv, struct sysipc_filter *f, int *period_ms,
                           char *err, size_t errlen)
{
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *eq = strchr(a, '=');
        const char *v = eq ? eq + 1 : "";
        size_t nl = eq ? (size_t)(eq - a) : strlen(a);
        if (nl == 4 && strncmp(a, "user", 4) == 0 && strlen(v) < sizeof f->user) {
            snprintf(f->user, sizeof f->user, "%s", v);
        } else if (nl == 3 && strncmp(a, "key", 3) == 0) {
            f->has_key = *v != '\0';
            if (f->has_key && sysipc_parse_key(v, &f->key) < 0) {
                snprintf(err, errlen, _("bad key '%s': 0x1234abcd or a number"), v);
                return -1;
            }
        } else if (nl == 4 && strncmp(a, "sort", 4) == 0) {
            if ((f->sort = sysipc_sort_parse(v)) < 0) {
                snprintf(err, errlen, _("bad sort '%s': accepted id, key, owner, activity"), v);
                return -1;
            }
        } else if (nl == 5 && strncmp(a, "scope", 5) == 0) {
            if (strcmp(v, "tree") != 0 && strcmp(v, "all") != 0) {
                snprintf(err, errlen,
                         "bad scope '%s': accepted tree (the watched program's objects) or all", v);
                return -1;
            }
            f->all = strcmp(v, "all") == 0;
        } else if (nl == 5 && strncmp(a, "every", 5) == 0) {
            char *end;
            double s = strtod(v, &end);
            if (end == v || *end || !(s >= 0.1 && s <= 60)) {
                snprintf(err, errlen, _("bad every '%s': seconds from 0.1 to 60"), v);
                return -1;
            }
            *period_ms = (int)(s * 1000 + 0.5);
        } else {
            snprintf(err, errlen,
                     _("unknown watch parameter '%s' (accepted: user=U key=K "
                       "sort=id|key|owner|activity scope=tree|all every=SECONDS)"),
                     a);
            return -1;
        }
    }
    return 0;
}

int cmd_watch(struct cmd_host *h, int argc, char **argv)
{
    struct sysipc_filter f = h->model ? h->model->sys.filter : (struct sysipc_filter){0};
    int period = WATCH_DEFAULT_MS;
    char err[256];
    if (sysipc_cmd_parse_watch(argc, argv, &f, &period, err, sizeof err) < 0) {
        ERR(_("watch: %s"), err);
        return CMD_ERROR;
    }
    if (h->watch)
        return h->watch(h->self, &f, period) < 0 ? CMD_ERROR : CMD_OK;
    if (!h->engine) {
        ERR(_("watch needs the dashboard or the command line (ipcplay watch)"));
        return CMD_ERROR;
    }
    if (engine_watch_system(h->engine, period, &f, err, sizeof err) < 0) {
        ERR(_("watch: %s"), err);
        return CMD_ERROR;
    }
    OUT(_("watching the whole system every %.1f s (%s%s, sort=%s); ipcs lists it, inspect ID "
          "shows one object"),
        period / 1000.0, f.user[0] ? "user=" : _("all users"), f.user, sysipc_sort_name(f.sort));
    return CMD_OK;
}
