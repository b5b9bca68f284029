/* replay_main.c — the front ends of a recording: `ipcplay replay FILE
 * --headless [--json]` (the lines the live headless run printed, from the
 * file; nothing is run) and `ipcplay export FILE --text` (the same story and
 * state lines, for notes). A file that cannot be read: one line, exit 2. */
#include "replay_main.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "headless.h"
#include "watch.h"
#include "../model/i18n.h"

static int replay_file(const char *path, bool json, bool note)
{
    struct replay *rp = replay_new(NULL);
    if (!rp) {
        fprintf(stderr, _("ipcplay: out of memory\n"));
        return 3;
    }
    struct rec_header h;
    struct rec_trailer end;
    char err[512];
    int status = 2;
    int rc = replay_load(rp, path, &h, &end, err, sizeof err, &status);
    if (rc < 0) {
        fprintf(stderr, "ipcplay: %s\n", err);
        replay_free(rp);
        return status;
    }
    if (note) {
        char when[64] = "?";
        struct tm tm;
        time_t t = (time_t)h.start_s;
        if (localtime_r(&t, &tm))
            strftime(when, sizeof when, "%Y-%m-%d %H:%M:%S", &tm);
        printf("# ipcplay %s %s, recorded %s by ipcplay %s on Linux %s\n", h.scenario, h.params,
               when, h.ipcplay_version, h.kernel);
    }
    int st;
    if (strcmp(h.scenario, "watch") == 0) { /* a watch session: its own lines */
        st = watch_replay(rp, rc == 0 ? &end : NULL, json, stdout);
    } else {
        struct headless_opts o = {.json = json, .out = stdout};
        st = headless_replay(rp, &h, rc == 0 ? &end : NULL, &o);
    }
    if (rc == 1) { /* cut short: replayed what is there */
        fprintf(stderr, "ipcplay: %s\n", err);
        st = 3;
    }
    replay_free(rp);
    return st;
}

int replay_main(int nwords, char **words, const struct replay_cli *c)
{
    bool export = strcmp(words[0], "export") == 0;
    if (nwords != 2) {
        fprintf(stderr, _("ipcplay: usage: ipcplay %s FILE %s\n"), words[0],
                export ? "--text" : "--headless [--json]");
        return 2;
    }
    if (export) {
        if (!c->text) {
            fprintf(stderr, _("ipcplay: export needs a format: --text or --cast OUT.cast\n"));
            return 2;
        }
        return replay_file(words[1], false, true);
    }
    if (!c->headless) {
        fprintf(stderr, _("ipcplay: replay in the dashboard is not there yet: use "
                          "ipcplay replay FILE --headless\n"));
        return 2;
    }
    return replay_file(words[1], c->json, false);
}
