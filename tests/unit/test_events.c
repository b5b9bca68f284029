/* test_events.c — the event channel: fixed 64-byte records, and a burst of
 * 10 000+ events from 64 real child processes arrives complete, each record
 * whole, each child's records in order. */
#include <criterion/criterion.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "engine/events.h"

Test(events, record_is_64_bytes)
{
    cr_expect_eq(sizeof(struct event), 64);
    cr_expect_leq(sizeof(struct event), PIPE_BUF);
}

Test(events, op_names_round_trip)
{
    for (int op = 0; op < OP__COUNT; op++) {
        cr_expect_eq(op_from_name(op_name(op)), op, "%s", op_name(op));
        cr_expect_neq(strlen(op_verb(op)), 0);
    }
    cr_expect_eq(op_from_name("nosuch"), -1);
    cr_expect_str_eq(op_name(OP__COUNT + 3), "?");
}

#define CHILDREN 64
#define PER_CHILD 160 /* 64 x 160 = 10 240 events */

Test(events, burst_from_64_children_loses_nothing, .timeout = 60)
{
    struct event_channel ch;
    cr_assert_eq(events_open(&ch), 0);
    pid_t pids[CHILDREN];
    for (int c = 0; c < CHILDREN; c++) {
        pids[c] = fork();
        cr_assert_geq(pids[c], 0);
        if (pids[c] == 0) {
            close(ch.rfd);
            for (int i = 0; i < PER_CHILD; i++) {
                struct event ev;
                memset(&ev, 0, sizeof ev);
                ev.pid = getpid();
                ev.instance = (int16_t)c;
                ev.op = OP_CS_UPDATE;
                ev.cs_update.written = i;
                ev.cs_update.read = ~(int64_t)i; /* a torn record would not match */
                ev.t_ns = events_now_ns() - ch.t0_ns;
                if (events_emit(ch.wfd, &ev) < 0)
                    _exit(1);
            }
            _exit(0);
        }
    }
    close(ch.wfd);
    ch.wfd = -1;
    int next[CHILDREN] = {0};
    int total = 0, bad = 0;
    struct event batch[100]; /* deliberately small: records straddle reads */
    for (;;) {
        struct pollfd pf = {ch.rfd, POLLIN, 0};
        if (poll(&pf, 1, 10000) <= 0)
            break;
        int n = events_read(&ch, batch, 100);
        if (n == 0 && (pf.revents & POLLHUP) && !(pf.revents & POLLIN))
            break;
        for (int i = 0; i < n; i++) {
            int c = batch[i].instance;
            if (c < 0 || c >= CHILDREN || batch[i].cs_update.written != next[c] ||
                batch[i].cs_update.read != ~batch[i].cs_update.written ||
                batch[i].op != OP_CS_UPDATE) {
                bad++;
                continue;
            }
            next[c]++;
            total++;
        }
    }
    for (int c = 0; c < CHILDREN; c++) {
        int st;
        waitpid(pids[c], &st, 0);
        cr_expect(WIFEXITED(st) && WEXITSTATUS(st) == 0);
    }
    cr_expect_eq(bad, 0, "%d torn or out-of-order records", bad);
    cr_expect_eq(total, CHILDREN * PER_CHILD, "got %d of %d", total, CHILDREN * PER_CHILD);
    events_close(&ch);
}
