/* test_model_ipc.c — the state line facts for queues, segments and
 * deadlocks, built from a hand-made model: what a student reads must say
 * qnum, cbytes/qbytes, lspid/lrpid and the contents by type, say why the
 * contents are unknown when MSG_COPY is missing, and name a deadlock. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "model/model.h"
#include "model/msgwire.h"
#include "model/ring.h"

static struct model *m;

static void setup(void)
{
    m = calloc(1, sizeof *m);
    cr_assert_not_null(m);
    model_init(m);
}

static void teardown(void)
{
    free(m);
}

TestSuite(model_ipc, .init = setup, .fini = teardown);

static struct model_msgq *queue(void)
{
    struct model_msgq *q = &m->msgqs[m->nmsgqs++];
    q->msqid = 42;
    q->qnum = 3;
    q->cbytes = 144;
    q->qbytes = 256;
    q->lspid = 100;
    q->lrpid = 101;
    long types[] = {3, 1, 3};
    for (int i = 0; i < 3; i++)
        q->peek[q->npeek++] = (struct model_msg_peek){.type = types[i], .len = 48};
    return q;
}

Test(model_ipc, queue_facts_and_contents_by_type)
{
    queue();
    char buf[1024];
    model_format_state(m, buf, sizeof buf);
    cr_expect(strstr(buf, "msgq 42: qnum 3 cbytes 144/256 lspid 100 lrpid 101 by type 1:1 3:2"),
              "%s", buf);
}

Test(model_ipc, missing_msg_copy_is_said_not_guessed)
{
    struct model_msgq *q = queue();
    q->peek_state = 1;
    char buf[1024];
    model_format_state(m, buf, sizeof buf);
    cr_expect(strstr(buf, "contents ? (kernel lacks MSG_COPY)"), "%s", buf);
    cr_expect(!strstr(buf, "by type"), "%s", buf);
}

Test(model_ipc, removed_queue)
{
    struct model_msgq *q = queue();
    q->removed = true;
    char buf[1024];
    model_format_state(m, buf, sizeof buf);
    cr_expect(strstr(buf, "msgq 42: removed (IPC_RMID)"), "%s", buf);
}

Test(model_ipc, a_removed_queue_keeps_what_its_remover_counted)
{
    /* The last sample saw a message that a receiver took before the queue
     * was removed empty: the views must not keep showing it. */
    struct model_msgq *q = queue();
    q->index = 0;
    struct event e;
    memset(&e, 0, sizeof e);
    e.op = OP_MSGQ_RMID;
    e.phase = PH_END;
    e.obj = 0;
    e.msgq_rmid.left = 0; /* msg_qnum just before IPC_RMID */
    model_apply_event(m, &e);
    cr_expect(q->removed);
    cr_expect_eq(q->qnum, 0);
    cr_expect_eq(q->cbytes, 0);
    cr_expect_eq(q->npeek, 0);
}

Test(model_ipc, segment_facts_and_ring)
{
    struct model_shmseg *s = &m->shmsegs[m->nshmsegs++];
    s->shmid = 9;
    s->segsz = 80;
    s->nattch = 5;
    s->cpid = 100;
    s->lpid = 104;
    s->ring_slots = 4;
    struct shm_ring r;
    memset(&r, 0, sizeof r);
    r.head = 1;
    r.slot[0] = ring_item(1, 1);
    memcpy(s->peek, &r, sizeof r);
    s->peek_len = 80;
    char buf[1024];
    model_format_state(m, buf, sizeof buf);
    cr_expect(strstr(buf, "shm 9: segsz 80 nattch 5 cpid 100 "
                          "lpid 104 ring [1000001 . . .] head 1 tail 0"),
              "%s", buf);
}

Test(model_ipc, deadlock_is_named)
{
    m->deadlock.found = true;
    strcpy(m->deadlock.text, "worker-1 -> sem 1 -> worker-2 -> sem 0 -> worker-1");
    char buf[1024];
    model_format_state(m, buf, sizeof buf);
    cr_expect(strstr(buf, "deadlock: worker-1 -> sem 1 -> worker-2 -> sem 0 -> worker-1"), "%s",
              buf);
}

Test(model_ipc, kernel_view_of_msgrcv_selectors)
{
    struct model_kernel k;
    memset(&k, 0, sizeof k);
    k.nr = 70; /* any syscall number; the decoded call is what is shown */
    k.msgcall = 2;
    k.msgtyp = -2;
    model_describe_kernel(m, &k);
    cr_expect(strstr(k.text, "(type<=2)"), "%s", k.text);
    k.msgtyp = 2;
    k.msgflg = 020000; /* MSG_EXCEPT */
    model_describe_kernel(m, &k);
    cr_expect(strstr(k.text, "(not 2)"), "%s", k.text);
    k.msgcall = 1;
    k.msgtyp = 3;
    k.msgsz = 48;
    model_describe_kernel(m, &k);
    cr_expect(strstr(k.text, "(type 3, 48 B)"), "%s", k.text);
}

static int story_index(const char *needle)
{
    for (uint64_t i = model_story_first(m); i < m->story_count; i++) {
        const struct model_line *l = model_story_line(m, i);
        if (strstr(l->detail, needle))
            return (int)i;
    }
    return -1;
}

static int story_count(const char *needle)
{
    int n = 0;
    for (uint64_t i = model_story_first(m); i < m->story_count; i++)
        if (strstr(model_story_line(m, i)->detail, needle))
            n++;
    return n;
}

Test(model_ipc, a_receive_is_never_told_before_its_send)
{
    /* A receiver asleep in msgrcv wakes as the sender's msgsnd returns, and
     * its end event can reach the model first. The story still tells the
     * send first, and only once. */
    m->nroles = 2;
    strcpy(m->role_names[0], "sender");
    strcpy(m->role_names[1], "recv-any");
    model_add_proc(m, 201, 1, 0, 1, "sender-1");
    model_add_proc(m, 202, 1, 1, 1, "recv-any-1");
    struct event r;
    memset(&r, 0, sizeof r);
    r.pid = 202;
    r.role = 1;
    r.instance = 1;
    r.op = OP_MSGRCV;
    r.phase = PH_END;
    r.result = 48;
    r.msgrcv.type = 3; /* the type it got */
    r.msgrcv.who = msgwire_who(0, 1, 1);
    r.msgrcv.how = msgwire_how(48, 1, 48);
    model_apply_event(m, &r);
    struct event s;
    memset(&s, 0, sizeof s);
    s.pid = 201;
    s.role = 0;
    s.instance = 1;
    s.op = OP_MSGSND;
    s.phase = PH_END;
    s.msgsnd.type = 3;
    s.msgsnd.len = 48;
    s.msgsnd.seq = 1;
    model_apply_event(m, &s);
    int sent = story_index("queued #1"), got = story_index("got type 3 from sender-1 #1");
    cr_assert_geq(sent, 0);
    cr_assert_geq(got, 0);
    cr_expect_lt(sent, got, "the receive was told before the send");
    cr_expect_eq(story_count("queued #1"), 1, "the send was told twice");
    cr_expect_eq(m->msglog.nsent, 1, "the send is still logged for the checks");
    /* The next send, in the usual order, is told as it comes. */
    s.msgsnd.seq = 2;
    model_apply_event(m, &s);
    cr_expect_eq(story_count("queued #2"), 1);
}
