/* test_race.c — the race scenario, headless with real processes: every
 * mechanism delivers every message intact and in order, streamed and
 * ping-pong, in turn and together; the figures come from a few notes, not
 * one event per message; the receiver's check finds damaged and reordered
 * messages; bad sizes are refused; nothing is left behind. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "checks.h"
#include "ops/race.h"

TestSuite(race, .init = checks_setup, .fini = checks_teardown, .timeout = 240);

static const char *const mechs[] = {"pipe", "fifo", "socketpair", "msgq", "sysvshm", "posixshm"};

static void expect_all_ok(const struct run *r, const char *how)
{
    char want[64];
    for (int k = 0; k < RACE__N; k++) {
        snprintf(want, sizeof want, "check: %s ok (", mechs[k]);
        cr_expect(has(r, want), "%s: no \"%s\" in:\n%s", how, want, r->out);
    }
    cr_expect(has(r, "check: fastest ok ("), "%s: no ranking in:\n%s", how, r->out);
}

Test(race, every_mechanism_delivers_every_message_intact_in_order)
{
    struct run r;
    int rc = run_max(&r, "race", (const char *[]){"total=4", NULL});
    cr_assert_eq(rc, 0, "exit %d:\n%s", rc, r.out);
    expect_all_ok(&r, "stream, in turn");
    cr_expect(has(&r, "1024 messages, 4194304 bytes, intact and in order:"), "%s", r.out);
    cr_expect(has(&r, "MB/s (POSIX shared memory + futex)"), "%s", r.out);
    assert_left_nothing(&r, 3.0);
    support_free(&r);
}

Test(race, ping_pong_together_measures_round_trips)
{
    struct run r;
    int rc =
        run_max(&r, "race",
                (const char *[]){"total=1", "size=1024", "mode=pingpong", "order=together", NULL});
    cr_assert_eq(rc, 0, "exit %d:\n%s", rc, r.out);
    expect_all_ok(&r, "ping-pong, together");
    cr_expect(has(&r, "1024 round trips, every echo intact:"), "%s", r.out);
    cr_expect(has(&r, "us per round trip: 1024 messages of 1024 bytes and their echoes"), "%s",
              r.out);
    assert_left_nothing(&r, 3.0);
    support_free(&r);
}

/* 6 x 131072 messages: an event per message would be hundreds of
 * thousands; the notes are a few per 50 ms and side. */
Test(race, figures_come_from_notes_not_one_event_per_message)
{
    struct run r;
    int rc = run_max(&r, "race", (const char *[]){"total=8", "size=64", NULL});
    cr_assert_eq(rc, 0, "exit %d:\n%s", rc, r.out);
    expect_all_ok(&r, "small messages");
    const char *s = strstr(r.out, "summary: ");
    s = s ? strstr(s, " s, ") : NULL;
    cr_assert_not_null(s, "no summary line:\n%s", r.out);
    long events = strtol(s + 4, NULL, 10);
    cr_expect_gt(events, 30, "too few events to have told anything: %ld", events);
    cr_expect_lt(events, 2000, "%ld events for 786432 messages: one per message?", events);
    assert_left_nothing(&r, 3.0);
    support_free(&r);
}

Test(race, one_mechanism_alone)
{
    struct run r;
    int rc = run_max(&r, "race", (const char *[]){"only=msgq", "total=2", "size=8192", NULL});
    cr_assert_eq(rc, 0, "exit %d:\n%s", rc, r.out);
    cr_expect(has(&r, "check: msgq ok ("), "%s", r.out);
    cr_expect(!has(&r, "check: pipe"), "only the queue races:\n%s", r.out);
    cr_expect(!has(&r, "check: fastest"), "no ranking of one:\n%s", r.out);
    assert_left_nothing(&r, 3.0);
    support_free(&r);
}

Test(race, bad_sizes_are_refused_with_what_is_accepted)
{
    const char *const bad[][2] = {
        {"size=100", "must be a multiple of 8"}, {"size=9000", "size"}, {"only=tcp", "only"}};
    for (int i = 0; i < 3; i++) {
        struct run r;
        int rc = run_max(&r, "race", (const char *[]){bad[i][0], NULL});
        cr_expect_eq(rc, 2, "%s: exit %d", bad[i][0], rc);
        char err[1024] = "";
        const char *argv[] = {"ipcplay", "run", "race", bad[i][0], "--headless", NULL};
        struct run r2;
        support_run_stderr(&r2, argv, 30, err, sizeof err);
        cr_expect(strstr(err, bad[i][1]), "%s: stderr says: %s", bad[i][0], err);
        support_free(&r2);
        support_free(&r);
    }
}

/* The receiver's check, on its own: messages with a damaged byte or out
 * of order are counted, the others pass. */
Test(race, the_receiver_finds_damaged_and_reordered_messages)
{
    enum { N = 8, SIZE = 64 };
    int a[2], b[2];
    cr_assert_eq(pipe(a), 0);
    cr_assert_eq(pipe(b), 0);
    struct race_chan tx = {.mech = RACE_PIPE, .size = SIZE, .count = N};
    tx.fd[0] = a[0], tx.fd[1] = a[1], tx.back[0] = tx.back[1] = -1;
    struct race_count n = {0, 0, 0};
    cr_assert_eq(race_send(&tx, &n, NULL, NULL), 0);
    unsigned char buf[N * SIZE], msg[SIZE];
    cr_assert_eq(read(a[0], buf, sizeof buf), (ssize_t)sizeof buf);
    buf[3 * SIZE + 17] ^= 1;           /* message 3: one bit flipped */
    memcpy(msg, buf + 5 * SIZE, SIZE); /* messages 5 and 6 swapped */
    memcpy(buf + 5 * SIZE, buf + 6 * SIZE, SIZE);
    memcpy(buf + 6 * SIZE, msg, SIZE);
    cr_assert_eq(write(b[1], buf, sizeof buf), (ssize_t)sizeof buf);
    struct race_chan rx = tx;
    rx.fd[0] = b[0];
    struct race_count got = {0, 0, 0};
    cr_assert_eq(race_recv(&rx, &got, NULL, NULL), 0);
    cr_expect_eq(got.msgs, N);
    cr_expect_eq(got.bad, 3, "bad %lld, want 3 (one damaged, two swapped)", (long long)got.bad);
    close(a[0]), close(a[1]), close(b[0]), close(b[1]);
}
