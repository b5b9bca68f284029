#!/usr/bin/env bash
# tests/layers.sh — the layers ARCHITECTURE.md promises, checked on the
# sources: only src/ui includes curses or readline; only main.c includes the
# dashboard; the model and the plan are plain data (they include nothing of
# the engine, the scenarios, the commands or the views; the model sees the op
# table, ops/op.h, and makes no system calls); scenarios include no engine
# code; op families (src/ops) include nothing above the engine. Prints each breach and exits 1 if there is one.
# usage: bash tests/layers.sh [SOURCE_DIR]
set -u
cd "${1:-$(dirname "$0")/..}" || exit 2
bad=0
breach() { echo "layers: $1"; bad=1; }

while IFS= read -r hit; do
  breach "curses or readline outside src/ui: $hit"
done < <(grep -rnE '#[[:space:]]*include[[:space:]]*[<"]([^>"]*/)?(n?curses|readline|history|term|panel|menu|form)\.h' \
           src bench tests --include='*.c' --include='*.h' | grep -v '^src/ui/')

while IFS= read -r hit; do
  breach "the dashboard is included outside src/ui and main.c: $hit"
done < <(grep -rnE '#[[:space:]]*include[[:space:]]*"([^"]*/)?ui/' src --include='*.c' --include='*.h' |
           grep -v -e '^src/ui/' -e '^src/main.c:')

# layer: the folders it must not include
check() {
  local layer=$1 forbidden=$2 hit
  while IFS= read -r hit; do
    breach "src/$layer includes a higher layer: $hit"
  done < <(grep -rnE "#[[:space:]]*include[[:space:]]*\"([^\"]*/)?($forbidden)/" "src/$layer" \
             --include='*.c' --include='*.h')
}
check model 'engine|scenarios|commands|view|ui|plan'
check ops 'scenarios|commands|view|ui'

# The model dispatches through the op table (ops/op.h) and sees nothing
# else of the ops: their run and track code is the engine's side.
while IFS= read -r hit; do
  breach "src/model includes an op family, not only ops/op.h: $hit"
done < <(grep -rnE '#[[:space:]]*include[[:space:]]*"([^"]*/)?ops/' src/model --include='*.c' --include='*.h' |
           grep -vE '"([^"]*/)?ops/op\.h"')

# The model makes no system calls (comments and strings may name them).
calls='semop|semtimedop|semctl|semget|msgsnd|msgrcv|msgctl|msgget|shmat|shmdt|shmget|shmctl|shm_open'
calls+='|open|openat|read|pread|write|close|fork|execve|kill|waitpid|wait|ioctl|mmap|socket'
calls+='|connect|accept|sendmsg|recvmsg|syscall|getpid|nanosleep|clock_gettime'
while IFS= read -r hit; do
  breach "src/model makes a system call: $hit"
done < <(for f in src/model/*.c src/model/*.h; do
           # string literals and comments blanked, line numbers kept
           perl -0pe 's{/\*.*?\*/}{$& =~ s/[^\n]//gr}gse; s{//[^\n]*}{}g; s{"(?:\\.|[^"\\\n])*"}{""}g' "$f" |
             grep -nE "(^|[^_a-zA-Z.>])($calls)[[:space:]]*\(" | sed "s|^|$f:|"
         done)

[ "$bad" -eq 0 ] && echo "layers: ok (src/ui alone sees curses and readline; model and plan are plain data)"
exit "$bad"
