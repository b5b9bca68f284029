# test_resize.sh — below 80x24 the dashboard shows one line saying so, and
# redraws in full when the terminal grows again, even while a command is
# being typed (the typed text survives).
. "$(dirname "$0")/lib.sh"

start_shell 120 40
launch run sem rounds=50
check "the dashboard starts" wait_for 'PROCESSES'
note_pids

t resize-window -x 60 -y 20
check "at 60x20: the too-small line" wait_for 'terminal too small: need 80x24, have 60x20'
only_line() { [ "$(screen | grep -c .)" -eq 1 ]; }
check "... and nothing else" eventually "$TIMEOUT" only_line

t resize-window -x 120 -y 40
check "back at 120x40 the panels are redrawn" wait_for 'SEMAPHORE SET'
check "the too-small line is gone" wait_gone 'terminal too small'
check "the story is back" wait_for 'STORY'

type_keys 'pau'
t resize-window -x 79 -y 30
check "one column too narrow: too small" wait_for 'terminal too small: need 80x24, have 79x30'
t resize-window -x 100 -y 23
check "one row too short: too small" wait_for 'terminal too small: need 80x24, have 100x23'
t resize-window -x 90 -y 30
check "at 90x30 the panels are back" wait_for 'IPC OBJECTS'
check "the half-typed command survived the resizes" eventually "$TIMEOUT" bash -c "tmux -L '$SOCK' capture-pane -p | tail -1 | grep -q '^ipcplay> pau$'"
type_keys 'se' Enter
check "and it still runs: PAUSED" wait_for ' PAUSED '
t resize-window -x 120 -y 40
check "resize while paused: still PAUSED, panels redrawn" wait_for 'SEMAPHORE SET'
check "the header is intact" wait_for ' PAUSED '
type_keys 'quit' Enter
check "quit returns to the shell" wait_for 'ipcplay-rc=0'
finish
