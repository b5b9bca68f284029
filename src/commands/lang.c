/* lang.c — the language ipcplay speaks. English is the text in the code;
 * other languages are gettext catalogues (po/LANG.po compiled to
 * LOCALEDIR/LANG/LC_MESSAGES/ipcplay.mo). The catalogue is looked up next to
 * the binary first (BUILD/locale in a build tree, PREFIX/share/locale once
 * installed, wherever the tree was moved), then in the configured LOCALEDIR;
 * IPCPLAY_LOCALEDIR overrides both.
 *
 * gettext shows a catalogue only when LC_MESSAGES is not "C" and LC_CTYPE
 * can carry the text, so `--lang zh` on a machine with only C.UTF-8 (a fresh
 * Debian) takes C.UTF-8 for both and names the catalogue with LANGUAGE;
 * that needs no zh_CN locale to be generated. English is chosen by a domain
 * with no catalogue, whatever the locale says. Numbers are always written in
 * the C format (recordings and JSON must not change with the locale). */
#include "lang.h"

#include <langinfo.h>
#include <limits.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../model/i18n.h"

#ifndef IPCPLAY_LOCALEDIR
#define IPCPLAY_LOCALEDIR "/usr/local/share/locale"
#endif
/* A domain no catalogue is installed for: every lookup returns the msgid. */
#define DOMAIN_ENGLISH "ipcplay-en"

static const char *current = "en";

static bool has_catalogue(const char *dir)
{
    char p[PATH_MAX + 64];
    snprintf(p, sizeof p, "%s/zh_CN/LC_MESSAGES/" IPCPLAY_DOMAIN ".mo", dir);
    return access(p, R_OK) == 0;
}

/* The directory holding the catalogues; buf keeps it alive. */
static const char *locale_dir(char *buf, size_t len)
{
    const char *env = getenv("IPCPLAY_LOCALEDIR");
    if (env && *env)
        return env;
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n > 0) {
        exe[n] = '\0';
        char *slash = strrchr(exe, '/');
        if (slash) {
            *slash = '\0';
            snprintf(buf, len, "%s/locale", exe); /* the build tree */
            if (has_catalogue(buf))
                return buf;
            snprintf(buf, len, "%s/../share/locale", exe); /* PREFIX/bin/ipcplay */
            if (has_catalogue(buf))
                return buf;
        }
    }
    return IPCPLAY_LOCALEDIR;
}

static bool is_c_locale(const char *l)
{
    return !l || strcmp(l, "C") == 0 || strcmp(l, "POSIX") == 0;
}

/* The first of LC_ALL, LC_MESSAGES, LANG that is set. */
static const char *env_messages(void)
{
    const char *names[] = {"LC_ALL", "LC_MESSAGES", "LANG"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        const char *v = getenv(names[i]);
        if (v && *v)
            return v;
    }
    return NULL;
}

int lang_set(const char *lang)
{
    if (!lang)
        return -1;
    if (strcmp(lang, "en") == 0) {
        textdomain(DOMAIN_ENGLISH);
        current = "en";
        return 0;
    }
    if (strcmp(lang, "zh") != 0 && strcmp(lang, "zh_CN") != 0)
        return -1;
    if (strcmp(nl_langinfo(CODESET), "UTF-8") != 0)
        setlocale(LC_CTYPE, "C.UTF-8");
    if (is_c_locale(setlocale(LC_MESSAGES, NULL)))
        setlocale(LC_MESSAGES, "C.UTF-8");
    setenv("LANGUAGE", "zh_CN", 1);
    textdomain(IPCPLAY_DOMAIN); /* also tells gettext its cached answers are stale */
    current = "zh";
    return 0;
}

const char *lang_current(void)
{
    return current;
}

int lang_init(const char *lang)
{
    bool located = setlocale(LC_ALL, "") != NULL;
    setlocale(LC_NUMERIC, "C");
    char buf[PATH_MAX + 32];
    bindtextdomain(IPCPLAY_DOMAIN, locale_dir(buf, sizeof buf));
    bind_textdomain_codeset(IPCPLAY_DOMAIN, "UTF-8");
    if (lang)
        return lang_set(lang);
    const char *msgs = setlocale(LC_MESSAGES, NULL);
    const char *language = getenv("LANGUAGE");
    bool zh;
    if (!is_c_locale(msgs) && language && *language)
        zh = strncmp(language, "zh", 2) == 0;
    else if (!is_c_locale(msgs))
        zh = strncmp(msgs, "zh", 2) == 0;
    else {
        /* the locale asked for is not installed: its name still says which */
        const char *e = env_messages();
        zh = !located && e && strncmp(e, "zh", 2) == 0;
    }
    return lang_set(zh ? "zh" : "en");
}

const char *lang_from_argv(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--") == 0)
            break;
        if (strcmp(argv[i], "--lang") == 0 && i + 1 < argc)
            return argv[i + 1];
        if (strncmp(argv[i], "--lang=", 7) == 0)
            return argv[i] + 7;
    }
    return NULL;
}
