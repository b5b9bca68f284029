/* journal.h — a small on-disk record of a run's live objects, so that if the
 * dashboard and its guardian are killed together (kill -9 of the whole job),
 * the next ipcplay start can remove what they left — only objects it can
 * prove are theirs (same id, creator, mode 0600, IPC_PRIVATE, creation time),
 * and only once both processes are gone. One file per dashboard under
 * $XDG_RUNTIME_DIR/ipcplay or /tmp/ipcplay-UID (a 0700 directory we own). */
#ifndef IPCPLAY_JOURNAL_H
#define IPCPLAY_JOURNAL_H

#include <stddef.h>
#include <sys/types.h>

/* Open this dashboard's journal (guardian is our parent). -1 if not possible:
 * the run goes on, protected by the guardian only. */
int journal_open(pid_t guardian);
void journal_add(int kind, long id, const char *name);
void journal_forget(int kind, long id, const char *name);
/* The run ended cleanly: the journal goes. */
void journal_remove(void);
const char *journal_path(void);
/* Remove what dead runs left. Returns how many objects were removed; writes a
 * one-line note when it removed anything. */
int journal_sweep(char *note, size_t len);
/* Where journals live (for tests). */
int journal_dir(char *buf, size_t len);

#endif
