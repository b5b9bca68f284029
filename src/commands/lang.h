/* lang.h — choosing the language of everything ipcplay shows: the locale
 * (LANGUAGE, LC_ALL, LC_MESSAGES, LANG), `--lang zh|en` or the console's
 * `lang zh|en`. English is the text in the code; Chinese is po/zh_CN.po. */
#ifndef IPCPLAY_LANG_H
#define IPCPLAY_LANG_H

#include <stdbool.h>

/* Sets the locale from the environment (numbers stay in the C format) and
 * binds the catalogue; lang is "zh", "en" or NULL (the locale decides).
 * Returns -1 for an unknown lang. */
int lang_init(const char *lang);
/* Switches the language of what is shown from now on: "zh" or "en"; -1 for
 * anything else. */
int lang_set(const char *lang);
/* "zh" or "en": the language strings are shown in now. */
const char *lang_current(void);
/* Finds `--lang X` or `--lang=X` in argv before any "--": X, or NULL. */
const char *lang_from_argv(int argc, char **argv);

#endif
