/* params.c — name=value parameters of a scenario: defaults, parsing with one
 * clear error line, formatting and ranges for help and completion. */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "scenario.h"
#include "../model/i18n.h"

void scenario_defaults(const struct scenario_def *s, long *vals)
{
    for (int i = 0; i < s->nparams; i++)
        vals[i] = s->params[i].def;
}

int scenario_param_index(const struct scenario_def *s, const char *name)
{
    for (int i = 0; i < s->nparams; i++)
        if (strcmp(s->params[i].name, name) == 0)
            return i;
    return -1;
}

void scenario_param_range(const struct param_def *p, char *buf, size_t len)
{
    switch (p->type) {
    case PARAM_INT: snprintf(buf, len, "%ld..%ld", p->min, p->max); break;
    case PARAM_MS: snprintf(buf, len, "%ld..%ldms", p->min, p->max); break;
    case PARAM_BOOL: snprintf(buf, len, "on|off"); break;
    case PARAM_ENUM: {
        size_t off = 0;
        buf[0] = '\0';
        for (int i = 0; p->choices[i]; i++) {
            int w = snprintf(buf + off, len - off, "%s%s", i ? "|" : "", p->choices[i]);
            if (w < 0 || (size_t)w >= len - off)
                break;
            off += (size_t)w;
        }
        break;
    }
    }
}

void scenario_param_value(const struct param_def *p, long v, char *buf, size_t len)
{
    switch (p->type) {
    case PARAM_INT: snprintf(buf, len, "%ld", v); break;
    case PARAM_MS: snprintf(buf, len, "%ldms", v); break;
    case PARAM_BOOL: snprintf(buf, len, "%s", v ? "on" : "off"); break;
    case PARAM_ENUM: snprintf(buf, len, "%s", p->choices[v]); break;
    }
}

void scenario_format_params(const struct scenario_def *s, const long *vals, char *buf, size_t len)
{
    size_t off = 0;
    buf[0] = '\0';
    for (int i = 0; i < s->nparams; i++) {
        char v[48];
        scenario_param_value(&s->params[i], vals[i], v, sizeof v);
        int w = snprintf(buf + off, len - off, "%s%s=%s", i ? " " : "", s->params[i].name, v);
        if (w < 0 || (size_t)w >= len - off)
            break;
        off += (size_t)w;
    }
}

/* The number syntax a person is shown in help: an optional minus sign,
 * digits, and for durations a fraction and a unit. strtol and strtod would
 * also take " 7", "0x10", "1e2", "inf" and "nan"; none of those is what a
 * parameter means. Returns the length of the number, 0 if it is not one. */
static size_t number_length(const char *text, bool fraction)
{
    const char *p = text;
    size_t digits = 0;
    if (*p == '-')
        p++;
    for (; *p >= '0' && *p <= '9'; p++)
        digits++;
    if (fraction && *p == '.') {
        size_t before = digits;
        for (p++; *p >= '0' && *p <= '9'; p++)
            digits++;
        if (digits == before) /* "5." is not how anyone writes a duration */
            return 0;
    }
    return digits ? (size_t)(p - text) : 0;
}

/* A value as echoed in an error: cut, so a pasted megabyte cannot push
 * what is accepted off the end of the line. */
static const char *shown(const char *text, char *buf, size_t len)
{
    if (strlen(text) < len)
        return text;
    snprintf(buf, len, "%.*s...", (int)len - 4, text);
    return buf;
}

static int parse_value(const struct param_def *p, const char *text, long *out, char *err,
                       size_t errlen)
{
    char range[160], cut[48];
    scenario_param_range(p, range, sizeof range);
    const char *echo = shown(text, cut, sizeof cut);
    switch (p->type) {
    case PARAM_INT: {
        size_t n = number_length(text, false);
        if (n == 0 || text[n] != '\0') {
            snprintf(err, errlen,
                     _("bad value '%s' for %s: accepted a whole number %s, in decimal digits"),
                     echo, p->name, range);
            return -1;
        }
        errno = 0;
        long v = strtol(text, NULL, 10);
        if (errno == ERANGE || v < p->min || v > p->max) {
            snprintf(err, errlen, _("%s=%s is out of range: accepted %s"), p->name, echo, range);
            return -1;
        }
        *out = v;
        return 0;
    }
    case PARAM_MS: {
        size_t n = number_length(text, true);
        const char *unit = text + n;
        double scale = 1.0;
        if (strcasecmp(unit, "s") == 0)
            scale = 1000.0;
        else if (*unit != '\0' && strcasecmp(unit, "ms") != 0)
            n = 0;
        if (n == 0) {
            snprintf(err, errlen,
                     _("bad value '%s' for %s: accepted a duration %s (600, 600ms, 1.5s)"), echo,
                     p->name, range);
            return -1;
        }
        /* By hand rather than strtod: the decimal point stays '.' whatever
         * LC_NUMERIC says, and a huge value is only a huge double (inf at
         * worst) that the range check refuses before any cast. */
        double v = 0, place = 1;
        bool frac = false;
        for (const char *c = text + (*text == '-'); c < unit; c++) {
            if (*c == '.') {
                frac = true;
                continue;
            }
            if (frac)
                v += (*c - '0') * (place /= 10);
            else
                v = v * 10 + (*c - '0');
        }
        v *= *text == '-' ? -scale : scale;
        if (v < (double)p->min || v > (double)p->max) {
            snprintf(err, errlen, _("%s=%s is out of range: accepted %s"), p->name, echo, range);
            return -1;
        }
        *out = (long)(v + 0.5);
        return 0;
    }
    case PARAM_BOOL:
        if (!strcasecmp(text, "on") || !strcasecmp(text, "yes") || !strcasecmp(text, "true") ||
            !strcmp(text, "1")) {
            *out = 1;
            return 0;
        }
        if (!strcasecmp(text, "off") || !strcasecmp(text, "no") || !strcasecmp(text, "false") ||
            !strcmp(text, "0")) {
            *out = 0;
            return 0;
        }
        snprintf(err, errlen, _("bad value '%s' for %s: accepted on|off"), echo, p->name);
        return -1;
    case PARAM_ENUM:
        for (int i = 0; p->choices[i]; i++)
            if (strcmp(text, p->choices[i]) == 0) {
                *out = i;
                return 0;
            }
        snprintf(err, errlen, _("bad value '%s' for %s: accepted %s"), echo, p->name, range);
        return -1;
    }
    return -1;
}

int scenario_parse_params(const struct scenario_def *s, int argc, char *const argv[], long *vals,
                          char *err, size_t errlen)
{
    long tmp[SCENARIO_MAX_PARAMS];
    int given[SCENARIO_MAX_PARAMS]; /* which word set it, or -1 */
    scenario_defaults(s, tmp);
    for (int k = 0; k < s->nparams; k++)
        given[k] = -1;
    for (int i = 0; i < argc; i++) {
        const char *eq = strchr(argv[i], '=');
        char names[256];
        size_t off = 0;
        names[0] = '\0';
        for (int k = 0; k < s->nparams; k++) {
            int w =
                snprintf(names + off, sizeof names - off, "%s%s", k ? ", " : "", s->params[k].name);
            if (w > 0 && (size_t)w < sizeof names - off)
                off += (size_t)w;
        }
        if (!eq || eq == argv[i]) {
            char cut[48];
            snprintf(err, errlen, _("expected name=value, got '%s' (parameters of %s: %s)"),
                     shown(argv[i], cut, sizeof cut), s->name, s->nparams ? names : _("none"));
            return -1;
        }
        char name[64];
        size_t nl = (size_t)(eq - argv[i]);
        if (nl >= sizeof name)
            nl = sizeof name - 1;
        memcpy(name, argv[i], nl);
        name[nl] = '\0';
        int idx = scenario_param_index(s, name);
        if (idx < 0) {
            snprintf(err, errlen, _("unknown parameter '%s' for %s: accepted %s"), name, s->name,
                     s->nparams ? names : _("none"));
            return -1;
        }
        /* Which one would win is a guess a person should not have to make. */
        if (given[idx] >= 0) {
            char cut1[48], cut2[48];
            snprintf(err, errlen, _("%s given twice (%s, then %s): give each parameter once"), name,
                     shown(argv[given[idx]], cut1, sizeof cut1), shown(argv[i], cut2, sizeof cut2));
            return -1;
        }
        given[idx] = i;
        if (parse_value(&s->params[idx], eq + 1, &tmp[idx], err, errlen) < 0)
            return -1;
    }
    memcpy(vals, tmp, sizeof(long) * (size_t)s->nparams);
    return 0;
}

static bool names_check(const char *list, const char *check)
{
    if (strcmp(list, "*") == 0)
        return true;
    size_t n = strlen(check);
    for (const char *p = list; (p = strstr(p, check)); p += n)
        if ((p == list || p[-1] == ' ') && (p[n] == '\0' || p[n] == ' '))
            return true;
    return false;
}

void scenario_mark_on_purpose(const struct scenario_def *s, const long *vals,
                              struct model_check *checks, int nchecks)
{
    int nb = 0;
    while (s->breaks && s->breaks[nb].param)
        nb++;
    for (int i = 0; i < nchecks; i++) {
        struct model_check *c = &checks[i];
        if (c->status != CHECK_FAILED)
            continue;
        /* the last knob that breaks it names it: handler=once, not reap=sigchld */
        for (int b = nb - 1; b >= 0; b--) {
            int k = scenario_param_index(s, s->breaks[b].param);
            if (k < 0 || vals[k] == s->params[k].def || !names_check(s->breaks[b].checks, c->name))
                continue;
            const struct param_def *p = &s->params[k];
            char v[48], detail[sizeof c->detail];
            scenario_param_value(p, vals[k], v, sizeof v);
            snprintf(detail, sizeof detail, "%.23s=%.47s: %.300s", p->name, v, c->detail);
            memset(c->detail, 0, sizeof c->detail);
            memcpy(c->detail, detail, sizeof detail);
            c->status = CHECK_BROKEN;
            break;
        }
    }
}
