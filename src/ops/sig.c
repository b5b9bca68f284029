/* sig.c — the signal family: a handler installed without SA_RESTART (so a
 * signal interrupts a sleeping semop with EINTR), and `poke`, a process of
 * the run sending a signal to another while that one sleeps in semop -- what
 * `kill worker-2 USR1` does from the console, made part of a scenario. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/sem.h>
#include <time.h>
#include <unistd.h>

#include "../engine/board.h"
#include "../engine/events.h"
#include "../engine/ops.h"
#include "../model/field.h"
#include "../model/model.h"
#include "../model/signames.h"
#include "op.h"
#include "../model/i18n.h"

#define POKE_LIMIT_MS 10000 /* never wait for the sleeper longer than this */

/* ---- in the child ------------------------------------------------------ */

static volatile sig_atomic_t handled;

static void count_signal(int sig)
{
    (void)sig;
    handled++;
}

static int run_sighandler(struct runner *r, const struct op *op)
{
    struct event ev = runner_event(r, op, PH_BEGIN);
    ev.sighandler.sig = op->arg0;
    runner_begin(r, &ev);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = count_signal;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = 0; /* no SA_RESTART: semop would not be restarted anyway */
    int rc = sigaction(op->arg0, &sa, NULL);
    return runner_end(r, &ev, rc, errno);
}

static pid_t board_pid(const struct board *b, int role, int instance)
{
    for (int i = 0; b && i < b->n && i < BOARD_MAX; i++)
        if (b->e[i].role == role && b->e[i].instance == instance && !(b->e[i].seen & SEEN_EXITED))
            return b->e[i].pid;
    return 0;
}

/* poke: signal arg1 to instance arg2 of role arg3, once semncnt of semaphore
 * arg0 of set obj is at least `count` and the target is not the one that
 * passed last (sempid): then it is one of the sleepers. */
static int run_poke(struct runner *r, const struct op *op)
{
    struct event ev = runner_event(r, op, PH_BEGIN);
    ev.poke.sig = op->arg1;
    ev.poke.instance = (int16_t)op->arg2;
    ev.poke.role = (int16_t)op->arg3;
    ev.poke.num = op->arg0;
    runner_begin(r, &ev);
    int semid = r->semids[op->obj];
    int want = op->count > 0 ? op->count : 1;
    uint64_t limit = events_now_ns() / 1000000ull + POKE_LIMIT_MS;
    pid_t seen = 0;
    for (;;) {
        pid_t t = board_pid(board_get(), op->arg3, op->arg2);
        int ncnt = semctl(semid, op->arg0, GETNCNT);
        seen = t > 0 ? t : seen;
        if ((seen > 0 && t == 0) || ncnt < 0) { /* it finished first, or the set is gone */
            ev.poke.late = 1;
            return runner_end(r, &ev, 0, 0);
        }
        if (t > 0 && ncnt >= want && semctl(semid, op->arg0, GETPID) != t) {
            ev.poke.target = t;
            ev.poke.ncnt = ncnt;
            /* Told before the signal goes, so the model knows semncnt
             * before the sleeper's EINTR arrives. */
            struct event note = ev;
            note.phase = PH_NOTE;
            runner_send(r, &note);
            int rc = kill(t, op->arg1);
            return runner_end(r, &ev, rc, errno);
        }
        if (events_now_ns() / 1000000ull > limit) {
            ev.poke.late = 1;
            return runner_end(r, &ev, 0, 0);
        }
        runner_nap_ms(5);
    }
}

int sig_report_read(struct ev_sigreport *rep)
{
    char buf[4096];
    int fd = open("/proc/self/status", O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    ssize_t n = read(fd, buf, sizeof buf - 1);
    close(fd);
    if (n <= 0)
        return -1;
    buf[n] = '\0';
    static const char *const keys[] = {"SigPnd:", "ShdPnd:", "SigBlk:", "SigIgn:", "SigCgt:"};
    int64_t v[5] = {0};
    for (int k = 0; k < 5; k++) {
        const char *at = strstr(buf, keys[k]);
        if (at)
            v[k] = (int64_t)strtoull(at + strlen(keys[k]), NULL, 16);
    }
    *rep = (struct ev_sigreport){
        .caught = v[4], .ignored = v[3], .blocked = v[2], .pending = v[0] | v[1]};
    return 0;
}

/* sigsetup: the dispositions fork and exec treat differently -- a handler
 * for SIGHUP, SIGPIPE ignored, SIGWINCH blocked and then raised (pending). */
static int run_sigsetup(struct runner *r, const struct op *op)
{
    struct event ev = runner_event(r, op, PH_BEGIN);
    runner_begin(r, &ev);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = count_signal;
    sigemptyset(&sa.sa_mask);
    int rc = sigaction(SIGHUP, &sa, NULL);
    if (rc == 0 && signal(SIGPIPE, SIG_IGN) == SIG_ERR)
        rc = -1;
    sigset_t winch;
    sigemptyset(&winch);
    sigaddset(&winch, SIGWINCH);
    if (rc == 0)
        rc = sigprocmask(SIG_BLOCK, &winch, NULL);
    if (rc == 0)
        rc = kill(getpid(), SIGWINCH);
    return runner_end(r, &ev, rc, errno);
}

static int run_sigreport(struct runner *r, const struct op *op)
{
    struct event ev = runner_event(r, op, PH_BEGIN);
    runner_begin(r, &ev);
    int rc = sig_report_read(&ev.sigreport);
    return runner_end(r, &ev, rc, rc < 0 ? EIO : 0);
}

/* ---- in the model ------------------------------------------------------ */

static void doing_sig(const struct event *ev, char *buf, size_t len)
{
    if (ev->op == OP_SIGHANDLER)
        snprintf(buf, len, "sigaction(%s)", signame(ev->sighandler.sig).s);
    else
        snprintf(buf, len, "kill(%s)", signame(ev->poke.sig).s);
}

static struct model_line *story_sighandler(struct model *m, const struct event *ev,
                                           struct op_ctx *cx)
{
    if (ev->phase != PH_END)
        return NULL;
    struct model_line *l = model_new_line(m, ev->t_ns, cx->pi, LINE_EVENT);
    if (ev->result < 0)
        model_line_say(l, _("-> sigaction(%s) failed: %s"), signame(ev->sighandler.sig).s,
                       errname(ev->err));
    else
        model_line_say(l,
                       _("-> sigaction(%s, handler): the signal now runs a handler instead of "
                         "killing it, and a sleeping semop returns EINTR"),
                       signame(ev->sighandler.sig).s);
    return l;
}

static struct model_line *story_poke(struct model *m, const struct event *ev, struct op_ctx *cx)
{
    if (ev->phase == PH_NOTE)
        model_fact_set(m, "poke.ncnt", ev->poke.ncnt);
    if (ev->phase != PH_END)
        return NULL;
    const struct ev_poke *k = &ev->poke;
    char who[48];
    model_instance_name(m, k->role, k->instance, who, sizeof who);
    struct model_line *l = model_new_line(m, ev->t_ns, cx->pi, LINE_EVENT);
    if (k->late)
        model_line_say(l,
                       _("-> %s was not seen asleep on sem %d (it finished first, or 10 s passed): "
                         "no signal sent"),
                       who, k->num);
    else if (ev->result < 0)
        model_line_say(l, _("-> kill(%s, %s) failed: %s"), who, signame(k->sig).s,
                       errname(ev->err));
    else
        model_fact_set(m, "poke.ncnt", k->ncnt);
    if (!k->late && ev->result == 0)
        model_line_say(l,
                       _("-> kill(%s[%lld], %s) while it sleeps in semop on sem %d (semncnt %d)"),
                       who, (long long)k->target, signame(k->sig).s, k->num, k->ncnt);
    return l;
}

/* "SIGHUP SIGWINCH", or "none" (only the signals this family sets up). */
static void sigset_words(int64_t mask, char *buf, size_t len)
{
    static const int shown[] = {SIGHUP, SIGPIPE, SIGWINCH};
    size_t off = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < sizeof shown / sizeof shown[0]; i++)
        if ((mask >> (shown[i] - 1)) & 1) {
            int w = snprintf(buf + off, len - off, "%s%s", off ? " " : "", signame(shown[i]).s);
            if (w > 0 && (size_t)w < len - off)
                off += (size_t)w;
        }
    if (!off)
        snprintf(buf, len, "none");
}

static void doing_sigsetup(const struct event *ev, char *buf, size_t len)
{
    snprintf(buf, len, ev->op == OP_SIGSETUP ? "sigaction()" : "sigreport");
}

static struct model_line *story_sigsetup(struct model *m, const struct event *ev, struct op_ctx *cx)
{
    if (ev->phase != PH_END)
        return NULL;
    struct model_line *l = model_new_line(m, ev->t_ns, cx->pi, LINE_EVENT);
    if (ev->result < 0)
        model_line_say(l, _("-> failed: %s"), errname(ev->err));
    else
        model_line_say(l, _("-> SIGHUP: a handler; SIGPIPE: ignored; SIGWINCH: blocked, then "
                            "raised, so it is pending"));
    return l;
}

/* Parent before fork, child after fork, the new program after exec: each
 * told against what the one before said (facts sig.<stage>.*). */
static struct model_line *story_sigreport(struct model *m, const struct event *ev,
                                          struct op_ctx *cx)
{
    if (ev->phase == PH_BEGIN)
        return NULL;
    const struct ev_sigreport *s = &ev->sigreport;
    bool exec = ev->phase == PH_NOTE;
    bool child = !exec && cx->p && cx->p->forked;
    const char *stage = exec ? "exec" : child ? "fork" : "parent";
    char key[24];
    snprintf(key, sizeof key, "sig.%s.caught", stage);
    model_fact_set(m, key, s->caught);
    snprintf(key, sizeof key, "sig.%s.ignored", stage);
    model_fact_set(m, key, s->ignored);
    snprintf(key, sizeof key, "sig.%s.blocked", stage);
    model_fact_set(m, key, s->blocked);
    snprintf(key, sizeof key, "sig.%s.pending", stage);
    model_fact_set(m, key, s->pending);
    char c[48], i[48], b[48], p[48];
    sigset_words(s->caught, c, sizeof c);
    sigset_words(s->ignored, i, sizeof i);
    sigset_words(s->blocked, b, sizeof b);
    sigset_words(s->pending, p, sizeof p);
    struct model_line *l = model_new_line(m, ev->t_ns, cx->pi, LINE_EVENT);
    model_line_say(l, _("-> %s/proc: handler %s; ignored %s; blocked %s; pending %s"),
                   exec    ? _("after exec ")
                   : child ? _("after fork ")
                           : "",
                   c, i, b, p);
    return l;
}

/* ---- the entries ------------------------------------------------------- */

static const struct field payload_sighandler[] = {FLD(struct ev_sighandler, sig), FLD_END};
static const struct field payload_poke[] = {
    FLD(struct ev_poke, sig),      FLD(struct ev_poke, role),
    FLD(struct ev_poke, instance), FLD(struct ev_poke, num),
    FLD(struct ev_poke, ncnt),     FLD(struct ev_poke, target),
    FLD(struct ev_poke, late),     FLD_END};
static const struct field payload_sigreport[] = {
    FLD(struct ev_sigreport, caught), FLD(struct ev_sigreport, ignored),
    FLD(struct ev_sigreport, blocked), FLD(struct ev_sigreport, pending), FLD_END};

const struct op_entry op_entry_SIGHANDLER = {.payload = payload_sighandler,
                                             .name = "sighandler",
                                             .verb = "installs a signal handler",
                                             .run = run_sighandler,
                                             .doing = doing_sig,
                                             .story = story_sighandler};
const struct op_entry op_entry_POKE = {.payload = payload_poke,
                                       .name = "poke",
                                       .verb = "signals a process asleep in semop",
                                       .run = run_poke,
                                       .doing = doing_sig,
                                       .story = story_poke};
const struct op_entry op_entry_SIGSETUP = {.payload = payload_sighandler,
                                           .name = "sigsetup",
                                           .verb =
                                               "sets a handler, an ignored and a pending signal",
                                           .run = run_sigsetup,
                                           .doing = doing_sigsetup,
                                           .story = story_sigsetup};
const struct op_entry op_entry_SIGREPORT = {.payload = payload_sigreport,
                                            .name = "sigreport",
                                            .verb = "reads its signal masks from /proc",
                                            .run = run_sigreport,
                                            .doing = doing_sigsetup,
                                            .story = story_sigreport};
