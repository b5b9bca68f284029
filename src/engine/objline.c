/* objline.c — see objline.h. Pure: no I/O, so the journal's parser can be
 * fuzzed and unit-tested on its own. */
#include "objline.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "registry.h"

static bool kind_known(int k)
{
    switch (k) {
    case REG_SEM:
    case REG_MSG:
    case REG_SHM:
    case REG_POSIX_SHM:
    case REG_PATH:
    case REG_DIR:
    case REG_PID:
    case REG_PGID:
    case REG_JOURNAL: return true;
    default: return false;
    }
}

int objline_format(char *buf, size_t len, char verb, const struct objent *e)
{
    const char *nm = e->name[0] ? e->name : "-";
    int n = verb == '+' ? snprintf(buf, len, "+ %c %ld %s %lld\n", e->kind, e->id, nm, e->stamp)
                        : snprintf(buf, len, "- %c %ld %s\n", e->kind, e->id, nm);
    return n > 0 && (size_t)n < len && n < OBJ_LINE ? n : -1;
}

/* A decimal number, optionally signed, that fits a long long; *p moves past it. */
static int parse_num(const char **p, const char *end, bool sign, long long *out)
{
    const char *s = *p;
    bool neg = false;
    if (sign && s < end && *s == '-') {
        neg = true;
        s++;
    }
    if (s >= end || *s < '0' || *s > '9')
        return -1;
    long long v = 0;
    for (; s < end && *s >= '0' && *s <= '9'; s++) {
        int d = *s - '0';
        if (v > (LLONG_MAX - d) / 10)
            return -1;
        v = v * 10 + d;
    }
    *out = neg ? -v : v;
    *p = s;
    return 0;
}

int objline_parse(const char *line, size_t len, char *verb, struct objent *e)
{
    const char *p = line, *end = line + len;
    if (len > 0 && end[-1] == '\n')
        end--;
    if (end - p < 7 || (p[0] != '+' && p[0] != '-') || p[1] != ' ' || !kind_known(p[2]) ||
        p[3] != ' ')
        return -1;
    memset(e, 0, sizeof *e);
    *verb = p[0];
    e->kind = p[2];
    p += 4;
    long long id;
    if (parse_num(&p, end, false, &id) < 0 || id > INT_MAX || p >= end || *p++ != ' ')
        return -1;
    e->id = (long)id;
    const char *nm = p;
    while (p < end && *p != ' ')
        p++;
    size_t nlen = (size_t)(p - nm);
    if (nlen == 0 || nlen >= OBJ_NAME || memchr(nm, '\0', nlen))
        return -1;
    if (!(nlen == 1 && nm[0] == '-')) {
        memcpy(e->name, nm, nlen);
        e->name[nlen] = '\0';
    }
    if (*verb == '+') {
        if (p >= end || *p++ != ' ' || parse_num(&p, end, true, &e->stamp) < 0)
            return -1;
    }
    if (p != end)
        return -1;
    return objline_name_ok(e->kind, e->name) ? 0 : -1;
}

/* "ipcplay-PID" at s, then the rest must be `tail`-shaped; returns the pid or 0. */
static pid_t ipcplay_pid(const char *s, const char **rest)
{
    if (strncmp(s, "ipcplay-", 8) != 0)
        return 0;
    const char *p = s + 8;
    long long v;
    if (parse_num(&p, p + strlen(p), false, &v) < 0 || v <= 1 || v > INT_MAX)
        return 0;
    *rest = p;
    return (pid_t)v;
}

static bool alnum(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

/* An absolute path with plain components only: no "", ".", ".." and no
 * spaces or control characters. */
static bool plain_abs_path(const char *s, size_t len)
{
    if (len < 2 || s[0] != '/')
        return false;
    const char *c = s + 1, *end = s + len;
    while (c <= end) {
        const char *slash = memchr(c, '/', (size_t)(end - c));
        const char *ce = slash ? slash : end;
        size_t cl = (size_t)(ce - c);
        if (cl == 0 || (cl == 1 && c[0] == '.') || (cl == 2 && c[0] == '.' && c[1] == '.'))
            return false;
        for (const char *q = c; q < ce; q++)
            if ((unsigned char)*q <= ' ' || *q == 0x7f)
                return false;
        if (!slash)
            break;
        c = slash + 1;
    }
    return true;
}

/* ".../ipcplay-PID-XXXXXX" (mkdtemp's six letters or digits): the pid, or 0. */
static pid_t rundir_pid(const char *s, size_t len)
{
    if (!plain_abs_path(s, len))
        return 0;
    const char *last = s + len;
    while (last > s && last[-1] != '/')
        last--;
    char leaf[OBJ_NAME];
    size_t ll = (size_t)(s + len - last);
    if (ll >= sizeof leaf)
        return 0;
    memcpy(leaf, last, ll);
    leaf[ll] = '\0';
    const char *rest;
    pid_t pid = ipcplay_pid(leaf, &rest);
    if (!pid || rest[0] != '-' || strlen(rest) != 7)
        return 0;
    for (int i = 1; i < 7; i++)
        if (!alnum(rest[i]))
            return 0;
    return pid;
}

/* A file name a scenario gives a run file: letters, digits, '.', '_', '-',
 * not starting with '.'. */
static bool plain_leaf(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > 64 || s[0] == '.')
        return false;
    for (size_t i = 0; i < n; i++)
        if (!alnum(s[i]) && s[i] != '.' && s[i] != '_' && s[i] != '-')
            return false;
    return true;
}

pid_t objline_name_pid(int kind, const char *name)
{
    const char *rest = NULL;
    switch (kind) {
    case REG_POSIX_SHM: {
        if (name[0] != '/')
            return 0;
        pid_t pid = ipcplay_pid(name + 1, &rest);
        if (!pid)
            return 0;
        long long a, b;
        const char *end = rest + strlen(rest);
        if (*rest++ != '-' || parse_num(&rest, end, false, &a) < 0 || *rest++ != '-' ||
            parse_num(&rest, end, false, &b) < 0 || rest != end)
            return 0;
        return pid;
    }
    case REG_DIR: return rundir_pid(name, strlen(name));
    case REG_PATH: {
        const char *slash = strrchr(name, '/');
        if (!slash || !plain_leaf(slash + 1))
            return 0;
        return rundir_pid(name, (size_t)(slash - name));
    }
    default: return 0;
    }
}

bool objline_sysv_key(const char *name, unsigned *key, unsigned *mode)
{
    /* "key-0x" 8 hex digits "-" 4 octal digits, exactly. */
    if (strlen(name) != 19 || strncmp(name, "key-0x", 6) != 0 || name[14] != '-' || name[15] != '0')
        return false;
    unsigned k = 0, m = 0;
    for (int i = 6; i < 14; i++) {
        char c = name[i];
        int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
        if (d < 0)
            return false;
        k = k * 16 + (unsigned)d;
    }
    for (int i = 16; i < 19; i++) {
        if (name[i] < '0' || name[i] > '7')
            return false;
        m = m * 8 + (unsigned)(name[i] - '0');
    }
    if (k == 0) /* IPC_PRIVATE has no name */
        return false;
    *key = k;
    *mode = m;
    return true;
}

bool objline_name_ok(int kind, const char *name)
{
    unsigned k, m;
    switch (kind) {
    case REG_SEM:
    case REG_MSG:
    case REG_SHM: return name[0] == '\0' || objline_sysv_key(name, &k, &m);
    case REG_POSIX_SHM:
    case REG_DIR:
    case REG_PATH: return objline_name_pid(kind, name) > 0;
    case REG_JOURNAL: {
        const char *slash = strrchr(name, '/');
        long long v;
        const char *p;
        if (!slash || !plain_abs_path(name, strlen(name)) || strncmp(slash + 1, "run-", 4) != 0)
            return false;
        p = slash + 5;
        return parse_num(&p, p + strlen(p), false, &v) == 0 && strcmp(p, ".journal") == 0;
    }
    default: return name[0] == '\0';
    }
}

int objtab_add(struct objtab *t, const struct objent *e)
{
    if (t->n >= t->max)
        return -1;
    t->ents[t->n++] = *e;
    return 0;
}

int objtab_remove(struct objtab *t, int kind, long id, const char *name)
{
    for (int i = t->n - 1; i >= 0; i--) {
        const struct objent *x = &t->ents[i];
        if (x->kind != kind)
            continue;
        if (name && name[0] ? strcmp(x->name, name) == 0 : x->id == id) {
            t->ents[i] = t->ents[--t->n];
            return 0;
        }
    }
    return -1;
}

int objtab_apply(struct objtab *t, const char *line, size_t len)
{
    char verb;
    struct objent e;
    if (objline_parse(line, len, &verb, &e) < 0)
        return -1;
    if (verb == '+')
        return objtab_add(t, &e) < 0 ? 0 : '+';
    objtab_remove(t, e.kind, e.id, e.name);
    return '-';
}
