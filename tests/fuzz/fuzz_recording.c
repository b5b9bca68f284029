/* fuzz_recording.c — libFuzzer harness for the recording reader: any bytes
 * as a recording file (plain, or gzip when they start like one) go through
 * replay_load(), then the replay is walked (seek to time, ops back and
 * forth). Nothing may crash, leak or read out of bounds: a recording is input
 * from outside. Seeds: real recordings (tests/fuzz/corpus-recording). */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "record/recording.h"

static char path[64];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!path[0])
        snprintf(path, sizeof path, "/tmp/fuzz-recording-%d", (int)getpid());
    FILE *f = fopen(path, "w");
    if (!f)
        return 0;
    fwrite(data, 1, size, f);
    fclose(f);
    struct replay_opts o = {.max_keyframes = 4};
    struct replay *rp = replay_new(&o);
    char err[512];
    int status;
    struct rec_header h;
    struct rec_trailer end;
    if (rp && replay_load(rp, path, &h, &end, err, sizeof err, &status) >= 0) {
        replay_seek_time(rp, replay_end_time(rp) / 2);
        replay_step(rp, 1);
        replay_step(rp, -2);
        replay_seek_op(rp, 3);
        size_t n;
        replay_markers(rp, &n);
        replay_marker_near(rp, -1);
        (void)replay_model(rp)->nprocs;
    }
    replay_free(rp);
    unlink(path);
    return 0;
}
