/* test_model_ipc.c — the state line facts for queues, segments and
 * deadlocks, built from a hand-made model: what a student reads must say
 * qnum, cbytes/qbytes, lspid/lrpid and the contents by type, say why the
 * contents are unknown when MSG_COPY is missing, and name a deadlock. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "model/model.h"
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
    e.value = 0; /* msg_qnum just before IPC_RMID */
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
    cr_expect(strstr(buf, "shm 9: segsz 80 nattch 5 (1 is ipcplay's read-only view) cpid 100 "
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
