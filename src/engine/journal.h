/* journal.h — a small on-disk record of a run's live objects, so that if the
 * dashboard and its guardian are killed together (kill -9 of the whole job),
 * the next ipcplay start can remove what they left — only objects it can
 * prove are theirs (same id, creator, creation time, and mode 0600 with
 * IPC_PRIVATE or the key and mode the journal recorded for a keyed object),
 * and only once both processes are gone. One file per dashboard under
 * $XDG_RUNTIME_DIR/ipcplay or /tmp/ipcplay-UID: a 0700 directory we own,
 * opened once without following a link and then used only through its fd. A
 * directory that is a link, belongs to someone else or sits in a parent
 * someone else can write is refused, with a warning (journal_warning). */
#ifndef IPCPLAY_JOURNAL_H
#define IPCPLAY_JOURNAL_H

#include <stddef.h>
#include <sys/types.h>

struct objent;
struct objtab;

/* The journal directory's fd (opened and checked on the first call), or -1
 * when none could be had safely. */
int journal_dir_fd(void);
/* Why the journal is not where it should be, or not kept at all; NULL when
 * all is well. One line, for the user. */
const char *journal_warning(void);

/* Open this dashboard's journal (guardian is our parent). -1 if not possible:
 * the run goes on, protected by the guardian only. */
int journal_open(pid_t guardian);
void journal_add(const struct objent *e);
/* e is gone; live is what is left (the journal is rewritten from it when
 * it has grown well past it, so it stays short in a long session). */
void journal_forget(const struct objent *e, const struct objtab *live);
/* Lines in this dashboard's journal now (for tests). */
int journal_lines(void);
/* The run ended cleanly: the journal goes. */
void journal_remove(void);
const char *journal_path(void);
/* Remove what dead runs left. Returns how many objects and unreadable
 * journals were dealt with; writes a one-line note when it did anything. */
int journal_sweep(char *note, size_t len);

struct journal_head {
    int gpid, dpid;
    unsigned long long gstart, dstart, ipcns;
};
/* Parse a journal's text: the header into h, the objects still held into t.
 * Returns -1 when the header is not one, else the number of lines refused
 * (not of the form, or a cut-off last line). Pure: fuzzed. */
int journal_parse(const char *text, size_t len, struct journal_head *h, struct objtab *t);

#endif
