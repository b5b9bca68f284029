/* replay_main.h — `ipcplay replay FILE --headless [--json]` and `ipcplay
 * export FILE --text`: a recording's front ends without a terminal. */
#ifndef IPCPLAY_REPLAY_MAIN_H
#define IPCPLAY_REPLAY_MAIN_H

#include <stdbool.h>

struct replay_cli {
    bool headless, json, text;
};

/* words[0] is "replay" or "export". Returns the exit status. */
int replay_main(int nwords, char **words, const struct replay_cli *c);

#endif
