/* msgq.c — the `msgq` scenario: one System V message queue; senders send a
 * mix of types, four receivers each take messages with one selector (0: the
 * first message; >0: that type; <0: the lowest type up to |n|; MSG_EXCEPT:
 * any type but that one). Long messages meet a short buffer: E2BIG (the
 * message stays queued; the receiver asks again with room for it) or, with
 * MSG_NOERROR, silent truncation. A lowered msg_qbytes makes senders sleep on
 * a full queue; IPC_NOWAIT turns every sleep into ENOMSG / EAGAIN and a retry.
 *
 * How the run ends, with IPC only: every received message is counted down on
 * semaphore 0 ("unread"); a closer waits for zero on it, then removes the
 * queue, which wakes the receivers still asleep in msgrcv with EIDRM.
 *
 * The checks are proved from what each receiver reports it got: every
 * message carries its sender and sequence number. */
#include <stdio.h>
#include <string.h>

#include "scenario.h"
#include "../model/i18n.h"

enum {
    P_SENDERS,
    P_MESSAGES,
    P_TYPES,
    P_SIZE,
    P_LONG,
    P_SEL,
    P_NOERROR,
    P_NOWAIT,
    P_QBYTES,
    P_GAP,
    P_WORK,
    P__N
};

#define MAX_SENDERS 6
#define MAX_MESSAGES 600
#define MAX_TYPES 9

static const struct param_def params[] = {
    [P_SENDERS] = {"senders", PARAM_INT, 2, 1, MAX_SENDERS, NULL, N_("sender processes")},
    [P_MESSAGES] = {"messages", PARAM_INT, 8, 1, MAX_MESSAGES, NULL,
                    N_("messages each sender sends")},
    [P_TYPES] = {"types", PARAM_INT, 3, 1, MAX_TYPES, NULL,
                 N_("message types 1..N the senders cycle through")},
    [P_SIZE] = {"size", PARAM_INT, 48, 24, 2048, NULL,
                N_("bytes in a message (mtext); also the receivers' buffer")},
    [P_LONG] = {"long", PARAM_INT, 4, 0, 100, NULL,
                N_("every Nth message is 4x longer than the buffer (0: none)")},
    [P_SEL] = {"sel", PARAM_INT, 2, 1, MAX_TYPES, NULL,
               N_("the type in the selectors: type N, lowest type <= N, any type but N")},
    [P_NOERROR] = {"noerror", PARAM_BOOL, 0, 0, 1, NULL,
                   N_("MSG_NOERROR: cut long messages to the buffer instead of E2BIG")},
    [P_NOWAIT] = {"nowait", PARAM_BOOL, 0, 0, 1, NULL,
                  N_("IPC_NOWAIT: ENOMSG / EAGAIN instead of sleeping, then retry")},
    [P_QBYTES] = {"qbytes", PARAM_INT, 256, 64, 16384, NULL,
                  N_("msg_qbytes set with IPC_SET (16384 is the usual default)")},
    [P_GAP] = {"gap", PARAM_MS, 3000, 0, 60000, NULL, N_("a sender's pause between messages")},
    [P_WORK] = {"work", PARAM_MS, 1000, 0, 60000, NULL, N_("a receiver's time per message")},
};

/* Role order: the judge relies on senders being role 0. */
enum { R_SENDER, R_ANY, R_TYPE, R_UPTO, R_NOT, R_CLOSER };

static int build(const long *v, struct plan *p, char *err, size_t errlen)
{
    long total = v[P_SENDERS] * v[P_MESSAGES];
    long longest = v[P_LONG] > 0 ? 4 * v[P_SIZE] : v[P_SIZE];
    if (longest > v[P_QBYTES]) {
        snprintf(err, errlen,
                 _("qbytes=%ld cannot hold a %ld-byte message (msgsnd would fail with EINVAL): "
                   "raise qbytes or lower size"),
                 v[P_QBYTES], longest);
        return -1;
    }
    if (total > MODEL_MSGLOG) {
        snprintf(err, errlen, _("senders x messages = %ld: at most %d"), total, MODEL_MSGLOG);
        return -1;
    }
    int q = plan_add_msgq(p, v[P_QBYTES]);
    int set = plan_add_semset(p, 1, (int)total);
    snprintf(p->semsets[set].name[0], sizeof p->semsets[set].name[0], "unread");
    uint16_t nowait = v[P_NOWAIT] ? OPF_NOWAIT : 0;

    struct plan_role *s = plan_add_role(p, "sender", (int)v[P_SENDERS]);
    int rep = plan_op(s, (struct op){.kind = OP_REPEAT, .count = (int32_t)v[P_MESSAGES]});
    plan_op(s, (struct op){.kind = OP_MSGSND,
                           .flags = nowait,
                           .obj = q,
                           .arg0 = 1,
                           .arg1 = (int32_t)v[P_SIZE],
                           .arg2 = (int32_t)v[P_TYPES],
                           .arg3 = (int32_t)v[P_LONG],
                           .ms = 100});
    plan_op(s, (struct op){.kind = OP_SLEEP, .ms = (int32_t)v[P_GAP]});
    plan_end_repeat(s, rep);

    int sel = (int)v[P_SEL];
    struct {
        char name[PLAN_NAME_LEN];
        int32_t msgtyp;
        uint16_t flags;
    } rcv[4] = {
        {"recv-any", 0, 0},
        {"", sel, 0},
        {"", -sel, 0},
        {"", sel, OPF_EXCEPT},
    };
    snprintf(rcv[1].name, sizeof rcv[1].name, "recv-type%d", sel);
    snprintf(rcv[2].name, sizeof rcv[2].name, "recv-upto%d", sel);
    snprintf(rcv[3].name, sizeof rcv[3].name, "recv-not%d", sel);
    for (int i = 0; i < 4; i++) {
        struct plan_role *r = plan_add_role(p, rcv[i].name, 1);
        uint16_t f = (uint16_t)(rcv[i].flags | nowait | (v[P_NOERROR] ? OPF_NOERROR : 0));
        rep = plan_op(r, (struct op){.kind = OP_REPEAT, .count = 0x7fffffff});
        plan_op(r, (struct op){.kind = OP_MSGRCV,
                               .flags = f,
                               .obj = q,
                               .arg0 = rcv[i].msgtyp,
                               .arg1 = (int32_t)v[P_SIZE],
                               .arg2 = set + 1,
                               .arg3 = 0,
                               .ms = 200});
        plan_op(r, (struct op){.kind = OP_SLEEP, .ms = (int32_t)v[P_WORK]});
        plan_end_repeat(r, rep);
    }

    struct plan_role *c = plan_add_role(p, "closer", 1);
    plan_op(c, (struct op){.kind = OP_WAIT0, .obj = set, .arg0 = 0});
    plan_op(c, (struct op){.kind = OP_MSGQ_RMID, .obj = q});
    plan_op(c, (struct op){.kind = OP_EXIT, .arg1 = 0});
    return 0;
}

static bool selector_matches(long sel, bool except, long type)
{
    if (except)
        return type != sel;
    if (sel == 0)
        return true;
    if (sel > 0)
        return type == sel;
    return type <= -sel;
}

/* What the log says about the messages that arrived. */
struct tally {
    long unknown, dups, received, mismatched, disorder, cut, bad;
    long yours, outside; /* sent by `you` (the console's hand), or with no header of the run's */
    char first_mismatch[112], first_disorder[112];
};

static uint16_t sent[MAX_SENDERS][MAX_MESSAGES], got[MAX_SENDERS][MAX_MESSAGES];
static int32_t sent_type[MAX_SENDERS][MAX_MESSAGES];
/* last seq seen, per receiver x sender x (type, or 0 for "any type") */
static int32_t last[MODEL_MAX_PROCS][MAX_SENDERS][MAX_TYPES + 1];

static void count_sent(const struct model_msglog *g)
{
    memset(sent, 0, sizeof sent);
    for (int i = 0; i < g->nsent; i++) {
        const struct model_msg_sent *s = &g->sent[i];
        if (s->role != R_SENDER || s->instance < 1 || s->instance > MAX_SENDERS || s->seq < 1 ||
            s->seq > MAX_MESSAGES)
            continue;
        sent[s->instance - 1][s->seq - 1]++;
        sent_type[s->instance - 1][s->seq - 1] = s->type;
    }
}

/* Order: the kernel takes the first message in the queue that the selector
 * accepts, and a sender's messages enter the queue in the order it sends
 * them. So a receiver gets one sender's messages in sequence order -- per
 * type when it asks for "the lowest type", since that selector may take a
 * later low type before an earlier higher one. */
static void check_order(const struct model_msg_recv *r, const char *who, int type, bool except,
                        struct tally *t)
{
    int cls = (!except && r->selector < 0) ? (type >= 1 && type <= MAX_TYPES ? type : 0) : 0;
    if (r->proc < 0 || r->proc >= MODEL_MAX_PROCS)
        return;
    int32_t *l = &last[r->proc][r->instance - 1][cls];
    if (r->seq <= *l && !t->disorder++)
        snprintf(t->first_disorder, sizeof t->first_disorder, _("%s got sender-%d #%d after #%d"),
                 who, r->instance, r->seq, *l);
    if (r->seq > *l)
        *l = r->seq;
}

static void count_received(const struct model *m, struct tally *t)
{
    const struct model_msglog *g = &m->msglog;
    memset(got, 0, sizeof got);
    memset(last, 0, sizeof last);
    for (int i = 0; i < g->nrecv; i++) {
        const struct model_msg_recv *r = &g->recv[i];
        const char *who = r->proc >= 0 && r->proc < m->nprocs ? m->procs[r->proc].name : "?";
        bool known = r->role == R_SENDER && r->instance >= 1 && r->instance <= MAX_SENDERS &&
                     r->seq >= 1 && r->seq <= MAX_MESSAGES && sent[r->instance - 1][r->seq - 1] > 0;
        if (!known && r->role >= 0 && strcmp(model_role_name(m, r->role), "you") == 0) {
            t->yours++; /* your message: whole and yours, not one the run lost or made up */
            continue;
        }
        if (!known && r->role < 0) {
            t->outside++; /* no header of the run's: a process outside the run sent it */
            continue;
        }
        t->received++;
        if (!known) {
            t->unknown++;
            continue;
        }
        int si = r->instance - 1, sq = r->seq - 1;
        if (got[si][sq]++ > 0)
            t->dups++;
        int type = sent_type[si][sq];
        bool except = (r->flags & OPF_EXCEPT) != 0;
        if ((r->type != type || !selector_matches(r->selector, except, type)) && !t->mismatched++)
            snprintf(t->first_mismatch, sizeof t->first_mismatch,
                     _("%s (selector %s%d) got sender-%d #%d of type %d"), who,
                     except ? _("not ") : "", r->selector, r->instance, r->seq, r->type);
        if (r->got < r->full_len)
            t->cut++;
        else if (!r->sum_ok)
            t->bad++;
        check_order(r, who, type, except, t);
    }
}

static void judge_every_message_once(struct model *m, const long *v, int final,
                                     const struct tally *t)
{
    const struct model_msglog *g = &m->msglog;
    long total = v[P_SENDERS] * v[P_MESSAGES];
    long missing = 0;
    for (int s = 0; s < MAX_SENDERS; s++)
        for (int k = 0; k < MAX_MESSAGES; k++)
            if (sent[s][k] && !got[s][k])
                missing++;
    if (g->overflow)
        model_set_check(m, "every_message_once", CHECK_FAILED, _("%d records did not fit the log"),
                        g->overflow);
    else if (t->dups || t->unknown)
        model_set_check(m, "every_message_once", CHECK_FAILED,
                        _("%ld received twice, %ld received that no sender sent"), t->dups,
                        t->unknown);
    else if (!final)
        model_set_check(m, "every_message_once", CHECK_PENDING,
                        _("%ld of %ld received, each once so far"), t->received, total);
    else if (final == 1 && !missing && g->nsent >= total && (t->yours || t->outside))
        model_set_check(m, "every_message_once", CHECK_OK,
                        _("all %ld messages received, each exactly once (besides: %ld of yours, "
                          "%ld from outside the run)"),
                        total, t->yours, t->outside);
    else if (final == 1 && (missing || g->nsent < total))
        model_set_check(m, "every_message_once", CHECK_FAILED,
                        _("%ld of %d sent were never received; %ld of %ld were sent"), missing,
                        g->nsent, (long)g->nsent, total);
    else if (missing || g->nsent < total)
        model_set_check(m, "every_message_once", CHECK_PENDING,
                        _("%ld of %ld received, each once; the run was cut short"), t->received,
                        total);
    else
        model_set_check(m, "every_message_once", CHECK_OK,
                        _("all %ld messages received, each exactly once"), total);
}

/* The checks about the messages that arrived: with none, they have nothing
 * to say yet. */
static void judge_arrivals(struct model *m, const long *v, int final, const struct tally *t)
{
    if (!t->mismatched && !t->disorder && !t->cut && !t->bad && t->received == 0) {
        static const char *const about_arrivals[] = {"selector_matches", "kernel_order",
                                                     "whole_messages"};
        for (int i = 0; i < 3; i++)
            model_set_check(m, about_arrivals[i], CHECK_PENDING, "%s",
                            final ? _("no message was received") : _("no message received yet"));
        return;
    }
    if (t->mismatched)
        model_set_check(m, "selector_matches", CHECK_FAILED, _("%ld wrong: %s"), t->mismatched,
                        t->first_mismatch);
    else
        model_set_check(m, "selector_matches", CHECK_OK,
                        _("each of %ld messages went to a receiver whose selector takes its type"),
                        t->received);
    if (t->disorder)
        model_set_check(m, "kernel_order", CHECK_FAILED, _("%ld out of order: %s"), t->disorder,
                        t->first_disorder);
    else
        model_set_check(m, "kernel_order", CHECK_OK,
                        _("every receiver got each sender's messages in the order sent%s"),
                        v[P_TYPES] > 1 ? _(" (the <0 one: per type)") : "");
    if (t->cut || t->bad)
        model_set_check(m, "whole_messages", CHECK_FAILED,
                        _("%ld cut short by MSG_NOERROR (tail lost), %ld with a wrong checksum"),
                        t->cut, t->bad);
    else if (m->msglog.e2big)
        model_set_check(m, "whole_messages", CHECK_OK,
                        _("%ld arrived whole; %d E2BIG: a long one stayed queued until asked for "
                          "with a bigger buffer"),
                        t->received, m->msglog.e2big);
    else
        model_set_check(m, "whole_messages", CHECK_OK, _("%ld arrived whole (checksums held)"),
                        t->received);
}

static void judge(struct model *m, const long *v, int final)
{
    struct tally t;
    memset(&t, 0, sizeof t);
    count_sent(&m->msglog);
    count_received(m, &t);
    judge_every_message_once(m, v, final, &t);
    judge_arrivals(m, v, final, &t);
}

/* Knobs that break a check on purpose: told as such, not as a failure. */
static const struct param_break breaks[] = {
    {"noerror", "whole_messages"},
    {NULL, NULL},
};

const struct scenario_def scenario_msgq = {
    .breaks = breaks,
    .name = "msgq",
    .summary = N_("a message queue: senders send typed messages, receivers pick by selector"),
    .watch = N_("Watch qnum and cbytes/qbytes rise as senders queue typed messages, and the "
                "contents by type (copied with MSG_COPY, not consumed). Each receiver asks with "
                "one selector: recv-any takes the first message, recv-typeN only type N, "
                "recv-uptoN the lowest type <= N, recv-notN anything but N (MSG_EXCEPT); a "
                "receiver with nothing to take sleeps in msgrcv -- the kernel view shows which "
                "type it waits for. When cbytes reaches qbytes, senders sleep in msgsnd. A long "
                "message meets a short buffer: E2BIG leaves it in the queue (noerror=on cuts it "
                "instead, and the whole_messages check fails). lspid/lrpid name the last sender "
                "and receiver. At the end the closer, waiting for zero on `unread`, removes the "
                "queue: sleeping receivers wake with EIDRM."),
    .params = params,
    .nparams = P__N,
    .build = build,
    .judge = judge,
};
