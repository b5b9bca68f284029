/* execfam.c — the exec family: one op that calls execl, execlp, execle, execv
 * or execvp on the helper (ipcplay under another name, helper.c), so the
 * story can show what differs: a path or a name searched along PATH (l/v:
 * list or vector of arguments; p: PATH search; e: an explicit envp instead of
 * the caller's environment). missing: a name no directory has -- exec
 * returns -1 ENOENT and the old program goes on. A successful exec's end
 * event comes from the new program, as for the execve op. */
#include <errno.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../engine/ops.h"
#include "../model/field.h"
#include "../model/model.h"
#include "../model/signames.h"
#include "op.h"
#include "../model/i18n.h"

static const char *const variant_names[EXV__N] = {"execl", "execlp", "execle", "execv", "execvp"};

static const char *variant_name(int v)
{
    return v >= 0 && v < EXV__N ? variant_names[v] : "exec?";
}

/* ---- in the child ------------------------------------------------------ */

/* Which directory of PATH (1-based) holds an executable `name`; 0 none. */
static int path_search(const char *path, const char *name, int *ndirs)
{
    char copy[1024];
    snprintf(copy, sizeof copy, "%s", path);
    int i = 0, found = 0;
    for (char *save = NULL, *d = strtok_r(copy, ":", &save); d; d = strtok_r(NULL, ":", &save)) {
        char full[1200];
        snprintf(full, sizeof full, "%s/%s", d, name);
        i++;
        if (!found && access(full, X_OK) == 0)
            found = i;
    }
    *ndirs = i;
    return found;
}

/* execas: variant arg0 of the helper file obj; arg1 1: a missing name. For
 * the p variants PATH becomes the system's directories then the run
 * directory, so the search passes a few before it finds the helper. */
static int run_execas(struct runner *r, const struct op *op)
{
    const char *path =
        r->plan && op->obj >= 0 && op->obj < r->plan->nfiles ? r->plan->files[op->obj].path : NULL;
    struct event ev = runner_event(r, op, PH_BEGIN);
    ev.execas.variant = op->arg0;
    ev.execas.missing = op->arg1 == 1;
    if (!path) {
        runner_begin(r, &ev);
        return runner_end(r, &ev, -1, EINVAL);
    }
    char dir[PLAN_PATH_LEN], search[PLAN_PATH_LEN + 64], prog[PLAN_PATH_LEN + 16];
    snprintf(dir, sizeof dir, "%s", path);
    snprintf(search, sizeof search, "/usr/local/bin:/usr/bin:%s", dirname(dir));
    const char *name = ev.execas.missing ? "ipcplay-no-such-program" : "fdreport";
    snprintf(prog, sizeof prog, "%s", path);
    if (ev.execas.missing) {
        snprintf(dir, sizeof dir, "%s", path);
        snprintf(prog, sizeof prog, "%s/%s", dirname(dir), name);
    }
    bool p = op->arg0 == EXV_EXECLP || op->arg0 == EXV_EXECVP;
    if (p) {
        setenv("PATH", search, 1);
        ev.execas.found = path_search(search, name, &ev.execas.ndirs);
    }
    char role[16], inst[16], t0[32];
    snprintf(role, sizeof role, "%d", r->role);
    snprintf(inst, sizeof inst, "%d", r->instance);
    snprintf(t0, sizeof t0, "%llu", (unsigned long long)r->t0_ns);
    /* envp: the caller's variables (the helper may need them) plus one of
     * its own, which only this envp gives the new program. */
    static char *envp[256];
    int envc = 0;
    for (char **e = environ; e && *e && envc < 254; e++)
        envp[envc++] = *e;
    envp[envc++] = (char *)"IPCPLAY_EXEC=execle";
    envp[envc] = NULL;
    ev.execas.envc = envc;
    char *argv[] = {(char *)"fdreport", (char *)"__fdreport", role, inst, t0, NULL};
    runner_begin(r, &ev);
    switch (op->arg0) {
    case EXV_EXECL: execl(prog, "fdreport", "__fdreport", role, inst, t0, (char *)NULL); break;
    case EXV_EXECLP: execlp(name, "fdreport", "__fdreport", role, inst, t0, (char *)NULL); break;
    case EXV_EXECLE:
        execle(prog, "fdreport", "__fdreport", role, inst, t0, (char *)NULL, envp);
        break;
    case EXV_EXECV: execv(prog, argv); break;
    default: execvp(name, argv); break;
    }
    runner_end(r, &ev, -1, errno);
    return 0; /* exec returned: the old program goes on (the plan's next op) */
}

/* ---- in the model ------------------------------------------------------ */

static void doing_execas(const struct event *ev, char *buf, size_t len)
{
    snprintf(buf, len, "%s()", variant_name(ev->execas.variant));
}

static struct model_line *story_execas(struct model *m, const struct event *ev, struct op_ctx *cx)
{
    const struct ev_execas *x = &ev->execas;
    struct model_line *l = model_new_line(m, ev->t_ns, cx->pi, LINE_EVENT);
    const char *name = x->missing ? "ipcplay-no-such-program" : "fdreport";
    bool p = x->variant == EXV_EXECLP || x->variant == EXV_EXECVP;
    bool list = x->variant <= EXV_EXECLE;
    if (ev->phase == PH_END) {
        model_line_say(l,
                       _("-> %s returned -1 %s: %s; the old program goes on (a shell would "
                         "exit 127)"),
                       variant_name(x->variant), errname(ev->err),
                       p ? _("no directory of PATH has it") : _("no such file"));
        model_fact_add(m, "exec.failed", 1);
        return l;
    }
    if (p && x->found)
        model_line_say(l,
                       _("%s(\"%s\", %s): no slash: PATH search, %d dirs, found in dir %d (the "
                         "run dir); environ goes along"),
                       variant_name(x->variant), name, list ? "arg, ..., NULL" : "argv", x->ndirs,
                       x->found);
    else if (p)
        model_line_say(l, _("%s(\"%s\", %s): searches PATH, %d directories: none has it"),
                       variant_name(x->variant), name, list ? "arg, ..., NULL" : "argv", x->ndirs);
    else if (x->variant == EXV_EXECLE)
        model_line_say(l,
                       _("execle(%s, ..., envp): the new program gets exactly envp: %d "
                         "variables, IPCPLAY_EXEC=execle added"),
                       x->missing ? name : model_file_name(m, ev->obj), x->envc);
    else
        model_line_say(l,
                       _("%s(%s, %s): a path, no PATH search; the caller's environment goes "
                         "along"),
                       variant_name(x->variant), x->missing ? name : model_file_name(m, ev->obj),
                       list ? "arg, ..., NULL" : "argv");
    return l;
}

/* ---- the entries ------------------------------------------------------- */

static const struct field payload_execas[] = {
    FLD(struct ev_execas, variant), FLD(struct ev_execas, missing), FLD(struct ev_execas, ndirs),
    FLD(struct ev_execas, found),   FLD(struct ev_execas, envc),    FLD_END};

const struct op_entry op_entry_EXECAS = {.payload = payload_execas,
                                         .name = "execas",
                                         .verb = "replaces its program with an exec variant",
                                         .run = run_execas,
                                         .doing = doing_execas,
                                         .story = story_execas};
