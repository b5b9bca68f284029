/* chat_wire.h — what the chat family's files share (chat.c: clients and
 * helpers, chat_server.c: the server, chat_model.c: the model and the
 * story): the parent/child note, line buffers, and the model functions each
 * entry names. Not for use outside src/ops/chat*.c. */
#ifndef IPCPLAY_OPS_CHAT_WIRE_H
#define IPCPLAY_OPS_CHAT_WIRE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "op.h"

enum { CHAT_NET_TCP = 0, CHAT_NET_UNIX = 1 };
#define CHAT_LINE 128

/* Parent <-> child over their socketpair, one fixed-size record. */
enum note_kind {
    NOTE_LINE = 1, /* child -> parent: my buffer holds line seq */
    NOTE_DONE,     /* child -> parent: my client sent everything */
    NOTE_READ,     /* parent -> child: read buffer buf (line seq) */
    NOTE_START,    /* parent -> child: everyone is here */
    NOTE_BYE,      /* parent -> child: all is said, close */
    NOTE_HELLO,    /* child -> parent: my client is number buf + 1 */
};
struct note {
    int32_t kind, buf, seq, pad;
};

struct chat_linebuf {
    char data[1024];
    size_t n;
};

struct runner;
struct event;

/* A note event of op kind `op` from this process, sent now. */
void chat_note(struct runner *r, int op, struct event *ev);
/* send() all of buf (MSG_NOSIGNAL: a closed peer is EPIPE, not a signal). */
int chat_write_all(int fd, const char *buf, size_t n);
ssize_t chat_fill(int fd, struct chat_linebuf *lb);
int chat_take_line(struct chat_linebuf *lb, char *out, size_t len);
/* The text of line seq from client `from`: what every receiver must get. */
void chat_text(int from, int seq, char *buf, size_t len);
int chat_not_a_step(struct runner *r, const struct op *op);

/* chat_model.c: each entry's doing, apply and story. */
#define CHAT_MODEL_DECL(x)                                                                         \
    void chat_doing_##x(const struct event *ev, char *buf, size_t len);                            \
    void chat_apply_##x(struct model *m, const struct event *ev, struct op_ctx *cx);               \
    struct model_line *chat_story_##x(struct model *m, const struct event *ev, struct op_ctx *cx);
CHAT_MODEL_DECL(serve)
CHAT_MODEL_DECL(accept)
CHAT_MODEL_DECL(notify)
CHAT_MODEL_DECL(store)
CHAT_MODEL_DECL(relay)
CHAT_MODEL_DECL(client)
CHAT_MODEL_DECL(sent)
CHAT_MODEL_DECL(got)
#define CHAT_MODEL(x) .doing = chat_doing_##x, .apply = chat_apply_##x, .story = chat_story_##x

/* Each payload's fields by name, for recordings (chat_model.c). */
extern const struct field chat_payload_serve[], chat_payload_accept[], chat_payload_line[],
    chat_payload_client[];

#endif
