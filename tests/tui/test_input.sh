# test_input.sh — what reaches the prompt in one read: Esc and a key with a
# completion list open close the list and keep the key; an invalid UTF-8
# byte costs only itself, not the rest of the burst (Enter included); a
# 1 MB pasted line is cut at the cap, said in one story line, neither run
# nor kept in the history, and the console works at once after it.
. "$(dirname "$0")/lib.sh"

start_shell 120 40
launch run sem rounds=50
check "the dashboard starts" wait_for 'PROCESSES'
note_pids
type_keys 'pause' Enter   # a quiet story
check "paused" wait_for ' PAUSED '

prompt_is() {
  local want="ipcplay> $1"
  want="${want%"${want##*[! ]}"}"
  [ "$(screen | tail -1 | sed 's/ *$//')" = "$want" ]
}
prompt_shows() { eventually "$TIMEOUT" prompt_is "$1"; }

# 8: a completion list open, then Esc and a key in one write
type_keys 's' Tab
check "an ambiguous prefix lists its candidates" wait_for_re 'speed +step +stop'
t send-keys -H 1b 70
list_gone() { ! screen | grep -qE 'speed +step +stop'; }
check "Esc then p at once: the list closes" eventually "$TIMEOUT" list_gone
check "... and p reaches the prompt (sp)" prompt_shows 'sp'
t send-keys C-c
check "Ctrl-C clears the line" prompt_shows ''

# 12: an invalid byte, then a command and Enter, in one write
t send-keys -H ff 68 65 6c 70 20 70 61 75 73 65 0d
check "after an invalid byte, the rest of the burst runs: help pause" \
  wait_for 'usage: pause'
check "the prompt is empty again" prompt_shows ''
# a valid multibyte character still arrives whole
t send-keys -H c3 a9 ff 78
check "é then an invalid byte then x: é and x reach the prompt" prompt_shows 'éx'
t send-keys C-c

# 13: a 1 MB line pasted (no newline), then Enter
head -c 1048576 /dev/zero | tr '\0' 'a' > "$TMPD/paste"
t load-buffer "$TMPD/paste"
t paste-buffer -d
check "a long paste is said once: the line is cut" \
  wait_for 'the line is longer than 4096 bytes' 60
t send-keys Enter
check "Enter after it: the prompt is empty again" prompt_shows ''
n="$(screen | grep -c 'the line is longer than')"
check "one story line says so ($n)" test "$n" -eq 1
type_keys 'help speed' Enter
check "the console answers at once after it" wait_for 'usage: speed'
check "the story is not flooded with the line" eval '! screen | grep -q aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa'

type_keys 'quit' Enter
check "quit returns to the shell" wait_for 'ipcplay-rc=0'
check "nothing left" eventually 5 none_alive
hist="$TMPD/state/ipcplay/history"
check "the history file is written" test -s "$hist"
check "the long line is not in the history" eval "! grep -q aaaaaaaaaa '$hist'"
check "what was run is (help speed)" grep -qx 'help speed' "$hist"
finish
