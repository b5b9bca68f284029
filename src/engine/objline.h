/* objline.h — the one protocol and the one table for "what a run holds".
 * The registry keeps the table in memory, the guardian learns it line by line
 * over its pipe, and the journal keeps it on disk for the next start:
 *   "+ KIND ID NAME STAMP"  an object, process or group now exists
 *   "- KIND ID NAME"        it is gone (or no longer ours)
 * NAME is one word, "-" for none (a keyed System V object: its key and mode); STAMP is the object's
 * ctime when it was registered (0 where there is none). Parsing is strict: a line that is not
 * exactly of this form, or a NAME that is not of a form ipcplay makes for
 * that KIND (objline_name_ok), is refused — a journal is a file anyone with
 * our uid could have written, so nothing in it is trusted beyond its form. */
#ifndef IPCPLAY_OBJLINE_H
#define IPCPLAY_OBJLINE_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#define OBJ_NAME 108 /* a socket path fits sun_path (108) */
#define OBJ_LINE 160 /* the longest line, newline included */

struct objent {
    int kind; /* enum reg_kind (registry.h) */
    long id;
    char name[OBJ_NAME];
    long long stamp;
};

struct objtab {
    struct objent *ents;
    int n, max;
};

/* A line for entry e ('+' or '-'), newline-terminated, into buf. Returns its
 * length, or -1 when it does not fit. */
int objline_format(char *buf, size_t len, char verb, const struct objent *e);
/* Parse one line (with or without its newline). 0 and *verb, *e filled, or -1
 * when it is not exactly of the protocol's form. */
int objline_parse(const char *line, size_t len, char *verb, struct objent *e);
/* Is name (empty for none) of the form ipcplay makes for this kind? */
bool objline_name_ok(int kind, const char *name);
/* A System V object made with a key is named "key-0xKKKKKKKK-MMMM" (its key
 * in hex and its final mode in octal); one made IPC_PRIVATE has no name.
 * True and *key, *mode filled when name is of that form. */
bool objline_sysv_key(const char *name, unsigned *key, unsigned *mode);
/* The dashboard pid a name of kind REG_POSIX_SHM, REG_PATH or REG_DIR
 * carries ("/ipcplay-PID-…", ".../ipcplay-PID-XXXXXX[/file]"); 0 for none. */
pid_t objline_name_pid(int kind, const char *name);

/* Add; -1 when the table is full. */
int objtab_add(struct objtab *t, const struct objent *e);
/* Remove the newest entry of that kind with that name (when name is not
 * empty) or id; returns 0, or -1 if there was none. */
int objtab_remove(struct objtab *t, int kind, long id, const char *name);
/* Parse a line and apply it. Returns the verb ('+', '-'), or -1 for a line
 * that is not of the form, or 0 for a '+' the full table could not take. */
int objtab_apply(struct objtab *t, const char *line, size_t len);

#endif
