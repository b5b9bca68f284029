/* params.c — name=value parameters of a scenario: defaults, parsing with one
 * clear error line, formatting and ranges for help and completion. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "scenario.h"

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

static int parse_value(const struct param_def *p, const char *text, long *out, char *err,
                       size_t errlen)
{
    char range[160];
    scenario_param_range(p, range, sizeof range);
    switch (p->type) {
    case PARAM_INT:
    case PARAM_MS: {
        char *end;
        errno = 0;
        double v = strtod(text, &end);
        if (p->type == PARAM_MS) {
            if (strcasecmp(end, "s") == 0) {
                v *= 1000.0;
                end += 1;
            } else if (strcasecmp(end, "ms") == 0) {
                end += 2;
            }
        }
        if (end == text || *end != '\0' || errno || v != v ||
            (p->type == PARAM_INT && v != (double)(long)v)) {
            snprintf(err, errlen, "bad value '%s' for %s: expected %s %s", text, p->name,
                     p->type == PARAM_MS ? "a duration" : "a whole number", range);
            return -1;
        }
        if (v < (double)p->min || v > (double)p->max) {
            snprintf(err, errlen, "%s=%s is out of range: accepted %s", p->name, text, range);
            return -1;
        }
        *out = (long)(v + (v >= 0 ? 0.5 : -0.5));
        if (p->type == PARAM_INT)
            *out = (long)v;
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
        snprintf(err, errlen, "bad value '%s' for %s: accepted on|off", text, p->name);
        return -1;
    case PARAM_ENUM:
        for (int i = 0; p->choices[i]; i++)
            if (strcmp(text, p->choices[i]) == 0) {
                *out = i;
                return 0;
            }
        snprintf(err, errlen, "bad value '%s' for %s: accepted %s", text, p->name, range);
        return -1;
    }
    return -1;
}

int scenario_parse_params(const struct scenario_def *s, int argc, char *const argv[], long *vals,
                          char *err, size_t errlen)
{
    long tmp[SCENARIO_MAX_PARAMS];
    scenario_defaults(s, tmp);
    for (int i = 0; i < argc; i++) {
        const char *eq = strchr(argv[i], '=');
        char names[256];
        size_t off = 0;
        names[0] = '\0';
        for (int k = 0; k < s->nparams; k++) {
            int w = snprintf(names + off, sizeof names - off, "%s%s", k ? ", " : "",
                             s->params[k].name);
            if (w > 0 && (size_t)w < sizeof names - off)
                off += (size_t)w;
        }
        if (!eq || eq == argv[i]) {
            snprintf(err, errlen, "expected name=value, got '%s' (parameters of %s: %s)", argv[i],
                     s->name, s->nparams ? names : "none");
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
            snprintf(err, errlen, "unknown parameter '%s' for %s: accepted %s", name, s->name,
                     s->nparams ? names : "none");
            return -1;
        }
        if (parse_value(&s->params[idx], eq + 1, &tmp[idx], err, errlen) < 0)
            return -1;
    }
    memcpy(vals, tmp, sizeof(long) * (size_t)s->nparams);
    return 0;
}
