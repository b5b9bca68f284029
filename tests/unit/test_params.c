/* test_params.c — name=value parameters: defaults, every kind of value, and a
 * clear one-line error (naming what was wrong and what is accepted) that
 * leaves the values untouched. */
#include <criterion/criterion.h>
#include <string.h>

#include "scenarios/scenario.h"

static const struct scenario_def *sem;

static void setup(void)
{
    sem = scenario_find("sem");
    cr_assert_not_null(sem);
}

TestSuite(params, .init = setup);

static int parse(long *vals, char *err, const char *a, const char *b)
{
    char *argv[2] = {(char *)a, (char *)b};
    int argc = a ? (b ? 2 : 1) : 0;
    return scenario_parse_params(sem, argc, argv, vals, err, 256);
}

Test(params, defaults)
{
    long v[SCENARIO_MAX_PARAMS];
    char err[256];
    cr_assert_eq(parse(v, err, NULL, NULL), 0);
    char buf[256];
    scenario_format_params(sem, v, buf, sizeof buf);
    cr_expect_str_eq(buf, "workers=4 rounds=3 hold=2000ms think=500ms undo=on nowait=off sem=on "
                          "op=pv sems=1 take=1 pool=0 usr1=off die=off");
}

Test(params, values_of_every_kind)
{
    long v[SCENARIO_MAX_PARAMS];
    char err[256];
    cr_assert_eq(parse(v, err, "workers=7", "hold=1.5s"), 0, "%s", err);
    cr_expect_eq(v[scenario_param_index(sem, "workers")], 7);
    cr_expect_eq(v[scenario_param_index(sem, "hold")], 1500);
    cr_assert_eq(parse(v, err, "think=20ms", "undo=off"), 0, "%s", err);
    cr_expect_eq(v[scenario_param_index(sem, "think")], 20);
    cr_expect_eq(v[scenario_param_index(sem, "undo")], 0);
    cr_assert_eq(parse(v, err, "nowait=yes", NULL), 0);
    cr_expect_eq(v[scenario_param_index(sem, "nowait")], 1);
}

static void expect_error(const char *a, const char *needle1, const char *needle2)
{
    long v[SCENARIO_MAX_PARAMS];
    for (int i = 0; i < SCENARIO_MAX_PARAMS; i++)
        v[i] = -77;
    char err[256] = "";
    cr_expect_eq(parse(v, err, a, NULL), -1, "%s should be refused", a);
    cr_expect(strstr(err, needle1), "'%s' lacks '%s'", err, needle1);
    cr_expect(strstr(err, needle2), "'%s' lacks '%s'", err, needle2);
    cr_expect(!strchr(err, '\n'), "one line");
    for (int i = 0; i < SCENARIO_MAX_PARAMS; i++)
        cr_expect_eq(v[i], -77, "values must be untouched on error");
}

Test(params, errors_name_the_problem_and_the_accepted_values)
{
    expect_error("workers=0", "workers=0 is out of range", "1..256");
    expect_error("workers=257", "out of range", "1..256");
    expect_error("workers=abc", "bad value 'abc' for workers", "1..256");
    expect_error("workers=2.5", "whole number", "1..256");
    expect_error("wokers=3", "unknown parameter 'wokers'", "workers, rounds");
    expect_error("undo=maybe", "bad value 'maybe' for undo", "on|off");
    expect_error("hold=-1", "out of range", "0..60000ms");
    expect_error("hold=3parsecs", "bad value", "duration");
    expect_error("workers", "expected name=value", "workers");
    expect_error("=3", "expected name=value", "workers");
}

Test(params, ranges_and_values_for_help)
{
    char buf[64];
    scenario_param_range(&sem->params[0], buf, sizeof buf);
    cr_expect_str_eq(buf, "1..256");
    scenario_param_value(&sem->params[scenario_param_index(sem, "undo")], 1, buf, sizeof buf);
    cr_expect_str_eq(buf, "on");
}

/* The exact line, so a message that only contains the right words in the
 * wrong order (or says "whole number" to a whole number) fails. */
static void expect_line(const char *a, const char *b, const char *line)
{
    long v[SCENARIO_MAX_PARAMS];
    for (int i = 0; i < SCENARIO_MAX_PARAMS; i++)
        v[i] = -77;
    char err[256] = "";
    cr_expect_eq(parse(v, err, a, b), -1, "%s %s should be refused", a, b ? b : "");
    cr_expect_str_eq(err, line);
    for (int i = 0; i < SCENARIO_MAX_PARAMS; i++)
        cr_expect_eq(v[i], -77, "values must be untouched on error");
}

Test(params, a_whole_number_too_big_for_long_is_out_of_range)
{
    expect_line("workers=99999999999999999999", NULL,
                "workers=99999999999999999999 is out of range: accepted 1..256");
    expect_line("workers=-99999999999999999999", NULL,
                "workers=-99999999999999999999 is out of range: accepted 1..256");
    expect_line("hold=99999999999999999999999999999999999999", NULL,
                "hold=99999999999999999999999999999999999999 is out of range: accepted "
                "0..60000ms");
    char big[400];
    memset(big, '9', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    memcpy(big, "hold=", 5);
    long v[SCENARIO_MAX_PARAMS];
    char err[256];
    cr_expect_eq(parse(v, err, big, NULL), -1, "400 digits overflow a double: still refused");
    cr_expect(strstr(err, "is out of range: accepted 0..60000ms"), "%s", err);
}

Test(params, only_decimal_digits_are_numbers)
{
    expect_line("workers=0x10", NULL,
                "bad value '0x10' for workers: accepted a whole number 1..256, in decimal digits");
    expect_line("workers=1e2", NULL,
                "bad value '1e2' for workers: accepted a whole number 1..256, in decimal digits");
    expect_line("workers=1.5", NULL,
                "bad value '1.5' for workers: accepted a whole number 1..256, in decimal digits");
    expect_line("workers= 7", NULL,
                "bad value ' 7' for workers: accepted a whole number 1..256, in decimal digits");
    expect_line("workers=", NULL,
                "bad value '' for workers: accepted a whole number 1..256, in decimal digits");
    expect_line("hold=0x10", NULL,
                "bad value '0x10' for hold: accepted a duration 0..60000ms (600, 600ms, 1.5s)");
    expect_line("hold=1e2", NULL,
                "bad value '1e2' for hold: accepted a duration 0..60000ms (600, 600ms, 1.5s)");
    expect_line("hold=inf", NULL,
                "bad value 'inf' for hold: accepted a duration 0..60000ms (600, 600ms, 1.5s)");
    expect_line("hold=nan", NULL,
                "bad value 'nan' for hold: accepted a duration 0..60000ms (600, 600ms, 1.5s)");
    expect_line("hold=.", NULL,
                "bad value '.' for hold: accepted a duration 0..60000ms (600, 600ms, 1.5s)");
    /* what help shows still works */
    long v[SCENARIO_MAX_PARAMS];
    char err[256];
    cr_assert_eq(parse(v, err, "workers=256", "hold=0.25s"), 0, "%s", err);
    cr_expect_eq(v[scenario_param_index(sem, "workers")], 256);
    cr_expect_eq(v[scenario_param_index(sem, "hold")], 250);
    cr_assert_eq(parse(v, err, "hold=60000", "think=1.5ms"), 0, "%s", err);
    cr_expect_eq(v[scenario_param_index(sem, "hold")], 60000);
    cr_expect_eq(v[scenario_param_index(sem, "think")], 2);
    cr_assert_eq(parse(v, err, "hold=60S", "think=.5s"), 0, "%s", err);
    cr_expect_eq(v[scenario_param_index(sem, "hold")], 60000);
    cr_expect_eq(v[scenario_param_index(sem, "think")], 500);
}

Test(params, a_parameter_given_twice_is_refused)
{
    expect_line("workers=2", "workers=3",
                "workers given twice (workers=2, then workers=3): give each parameter once");
    expect_line("undo=on", "undo=on",
                "undo given twice (undo=on, then undo=on): give each parameter once");
}
