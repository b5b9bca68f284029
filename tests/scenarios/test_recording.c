/* test_recording.c — record, then replay: for every scenario, a live headless
 * run with --record and `ipcplay replay FILE --headless` print the same
 * bytes (text and JSON, plain and gzip), with the same exit status; export
 * --text is the same story with a note line on top. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "checks.h"
#include "scenarios/scenario.h"

TestSuite(recording, .init = checks_setup, .fini = checks_teardown, .timeout = 280);

static char dir[64];

static void make_dir(void)
{
    snprintf(dir, sizeof dir, "/tmp/ipcplay-rec-XXXXXX");
    cr_assert_not_null(mkdtemp(dir));
}

static void exact(const char *scenario, bool json, const char *speed, const char *ext)
{
    char file[128];
    snprintf(file, sizeof file, "%s/%s%s", dir, scenario, ext);
    const char *live_argv[] = {"ipcplay", "run",      scenario, "--headless",           "--speed",
                               speed,     "--record", file,     json ? "--json" : NULL, NULL};
    struct run live, rep;
    int a = support_run(&live, live_argv, 120);
    const char *rep_argv[] = {"ipcplay", "replay", file, "--headless", json ? "--json" : NULL,
                              NULL};
    int b = support_run(&rep, rep_argv, 60);
    cr_expect_eq(a, b, "%s%s: live exit %d, replay exit %d", scenario, json ? " --json" : "", a, b);
    cr_expect(live.len > 0 && live.len == rep.len && memcmp(live.out, rep.out, live.len) == 0,
              "%s%s: replay differs from the live output (%zu vs %zu bytes)", scenario,
              json ? " --json" : "", live.len, rep.len);
    if (!json) {
        const char *exp_argv[] = {"ipcplay", "export", file, "--text", NULL};
        struct run ex;
        support_run(&ex, exp_argv, 60);
        const char *nl = strchr(ex.out ? ex.out : "", '\n');
        cr_expect(nl && strncmp(ex.out, "# ipcplay ", 10) == 0 && strcmp(nl + 1, live.out) == 0,
                  "%s: export --text is not the story with a note on top", scenario);
        support_free(&ex);
    }
    unlink(file);
    support_free(&live);
    support_free(&rep);
}

Test(recording, every_scenario_replays_exactly)
{
    make_dir();
    for (int i = 0; i < nscenarios; i++) {
        exact(scenarios[i]->name, false, "2", ".jsonl");
        exact(scenarios[i]->name, true, "max", ".jsonl.gz");
    }
    rmdir(dir);
}

Test(recording, stopped_by_for_replays_exactly)
{
    make_dir();
    char file[128];
    snprintf(file, sizeof file, "%s/for.jsonl", dir);
    const char *live_argv[] = {"ipcplay", "run",      "sem", "--headless", "--for",
                               "0.7",     "--record", file,  NULL};
    struct run live, rep;
    int a = support_run(&live, live_argv, 60);
    const char *rep_argv[] = {"ipcplay", "replay", file, "--headless", NULL};
    int b = support_run(&rep, rep_argv, 60);
    cr_expect_eq(a, b);
    cr_expect(live.len == rep.len && memcmp(live.out, rep.out, live.len) == 0);
    unlink(file);
    rmdir(dir);
    support_free(&live);
    support_free(&rep);
}

Test(recording, unwritable_path_is_refused_before_the_run)
{
    const char *argv[] = {
        "ipcplay", "run", "sem", "--headless", "--record", "/nonexistent-dir/x.jsonl", NULL};
    struct run r;
    cr_expect_eq(support_run(&r, argv, 30), 2);
    cr_expect(r.len == 0, "nothing ran, nothing printed");
    support_free(&r);
    const char *argv2[] = {"ipcplay", "run", "sem", "--headless", "--record", "/dev/full", NULL};
    cr_expect_eq(support_run(&r, argv2, 30), 2);
    support_free(&r);
    struct stat st;
    cr_expect(stat("/dev/full", &st) == 0 && S_ISCHR(st.st_mode), "/dev/full is left alone");
}

/* A watch session of the whole system: recorded, its headless replay prints
 * what the live `watch --headless` printed (text and JSON), and so does the
 * same exit status. */
Test(recording, watch_session_replays_exactly)
{
    make_dir();
    for (int json = 0; json <= 1; json++) {
        char file[128];
        snprintf(file, sizeof file, "%s/watch%s", dir, json ? ".jsonl.gz" : ".jsonl");
        const char *live_argv[] = {"ipcplay",  "watch", "--headless",           "--for", "1.2",
                                   "--record", file,    json ? "--json" : NULL, NULL};
        struct run live, rep;
        int a = support_run(&live, live_argv, 60);
        const char *rep_argv[] = {"ipcplay", "replay", file, "--headless", json ? "--json" : NULL,
                                  NULL};
        int b = support_run(&rep, rep_argv, 60);
        cr_expect_eq(a, 0, "the live watch exits 0");
        cr_expect_eq(a, b, "live exit %d, replay exit %d", a, b);
        cr_expect(live.len > 0 && live.len == rep.len && memcmp(live.out, rep.out, live.len) == 0,
                  "watch%s: replay differs from the live output (%zu vs %zu bytes)",
                  json ? " --json" : "", live.len, rep.len);
        unlink(file);
        support_free(&live);
        support_free(&rep);
    }
    rmdir(dir);
}
