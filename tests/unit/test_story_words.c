/* test_story_words.c — a story line is put into words only when read
 * (model_line_say keeps the format and a copy of its arguments): what is
 * read must be exactly what snprintf would have written at the moment the
 * line was told, whatever changed since, and a process's "doing" likewise. */
#include <criterion/criterion.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/model.h"
#include "ops/op.h"

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

TestSuite(story_words, .init = setup, .fini = teardown);

/* snprintf as the model would have called it (through a va_list, so the
 * compiler does not warn of the cuts these tests make on purpose). */
static void expected(char *buf, size_t len, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, len, fmt, ap);
    va_end(ap);
}

#define SAY_AND_COMPARE(...)                                                                       \
    do {                                                                                           \
        struct model_line *l = model_new_line(m, 1, -1, LINE_EVENT);                               \
        model_line_say(l, __VA_ARGS__);                                                            \
        char want[sizeof l->detail];                                                               \
        expected(want, sizeof want, __VA_ARGS__);                                                  \
        cr_expect_str_eq(model_story_line(m, m->story_count - 1)->detail, want);                   \
    } while (0)

Test(story_words, every_conversion_reads_as_snprintf_wrote_it)
{
    SAY_AND_COMPARE("-> plain words, no conversion");
    SAY_AND_COMPARE("-> acquired, waited %.3f s", 0.30125);
    SAY_AND_COMPARE("%d %i %u %x %X %o %c %%", -7, 42, 4000000000u, 255, 255, 8, 'q');
    SAY_AND_COMPARE("%ld %lld %lu %llu %zu %zd", -1L, -9000000000LL, 5UL, 18446744073709551615ULL,
                    (size_t)12, (ssize_t)-3);
    SAY_AND_COMPARE("%hhd %hd %hu", (signed char)-5, (short)-300, (unsigned short)65000);
    SAY_AND_COMPARE("[%-6d|%6d|%06.2f|%+d|% d|%#x]", 3, 4, 3.14159, 5, 6, 255);
    SAY_AND_COMPARE("[%*d|%-*s|%.*s|%*.*f]", 5, 42, 7, "ab", 3, "abcdef", 8, 2, 2.5);
    SAY_AND_COMPARE("%s and %s meet at %s", "worker-1[100]", "worker-2[101]", "sem 0");
    SAY_AND_COMPARE("%e %g %G %a", 12345.678, 0.0001, 1e20, 1.0);
    SAY_AND_COMPARE("%.60s", "a string longer than sixty characters is cut where the format "
                             "says, not where the line ends");
}

Test(story_words, strings_are_copied_when_told)
{
    char name[16] = "worker-1";
    struct model_line *l = model_new_line(m, 1, -1, LINE_EVENT);
    model_line_say(l, "-> %s holds it", name);
    strcpy(name, "changed");
    cr_expect_str_eq(model_story_line(m, m->story_count - 1)->detail, "-> worker-1 holds it");
}

Test(story_words, what_does_not_fit_is_written_at_once_and_cut_like_snprintf)
{
    char big[200];
    memset(big, 'x', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    /* strings too long to keep: written out at once */
    SAY_AND_COMPARE("-> %s!", big);
    /* more arguments than a line keeps */
    SAY_AND_COMPARE("%d %d %d %d %d %d %d %d %d %d", 1, 2, 3, 4, 5, 6, 7, 8, 9, 10);
    /* a long result is cut at the detail's size, as snprintf cuts it */
    SAY_AND_COMPARE("%s %s %s %d", big + 150, big + 150, big + 150, 123456789);
    SAY_AND_COMPARE("%.100s|%.100s", big, big);
}

Test(story_words, a_line_read_twice_reads_the_same)
{
    struct model_line *l = model_new_line(m, 1, -1, LINE_EVENT);
    model_line_say(l, "-> took %d at once, waited %.3f s", 2, 1.5);
    const char *a = model_story_line(m, m->story_count - 1)->detail;
    cr_expect_str_eq(a, "-> took 2 at once, waited 1.500 s");
    cr_expect_str_eq(model_story_line(m, m->story_count - 1)->detail, a);
}

Test(story_words, doing_and_what_are_named_by_the_op_when_read)
{
    int pi = model_add_proc(m, 4711, 1, 0, 1, "worker-1");
    cr_assert_geq(pi, 0);
    struct event ev = {.t_ns = 10, .pid = 4711, .op = OP_P, .phase = PH_BEGIN};
    model_apply_event(m, &ev);
    char want[64];
    model_doing(&ev, want, sizeof want);
    cr_expect_neq(want[0], '\0');
    cr_expect_str_eq(model_proc_doing(&m->procs[pi]), want);
    /* an op's own words for what it does win over its name */
    snprintf(m->procs[pi].doing, sizeof m->procs[pi].doing, "holds sem 0");
    cr_expect_str_eq(model_proc_doing(&m->procs[pi]), "holds sem 0");
    /* two models, one read and one not, are the same bytes once written out */
    static struct model a, b;
    model_init(&a);
    model_init(&b);
    model_add_proc(&a, 4711, 1, 0, 1, "worker-1");
    model_add_proc(&b, 4711, 1, 0, 1, "worker-1");
    model_apply_event(&a, &ev);
    model_apply_event(&b, &ev);
    for (uint64_t i = model_story_first(&a); i < a.story_count; i++)
        (void)model_story_line(&a, i);
    model_proc_doing(&a.procs[0]);
    model_write_out(&a);
    model_write_out(&b);
    cr_expect_eq(memcmp(&a, &b, sizeof a), 0);
}
