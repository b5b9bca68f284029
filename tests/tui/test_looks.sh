# test_looks.sh — a non-UTF-8 locale gets plain ASCII drawing; NO_COLOR gets
# no colour at all (bold and reverse only); the default gets colours.
. "$(dirname "$0")/lib.sh"

# with the C locale tmux itself must still pass bytes through: -u
ascii_only() { ! screen | LC_ALL=C grep -q '[^[:print:][:space:]]'; }
has_color() { t capture-pane -p -e | grep -qE $'\e\\[[0-9;]*(3[0-7]|38;5;[0-9]+)m'; }
no_color() { ! has_color; }

start_shell 120 40 LANG=C
launch run sem rounds=50
check "C locale: the dashboard starts" wait_for 'PROCESSES'
note_pids
check "C locale: ASCII rules" wait_for_re '^- PROCESSES .*-+\+- SEMAPHORE SET'
check "C locale: ASCII tree" wait_for_re '\|- *[0-9]+ +worker-1'
check "C locale: every character on screen is ASCII" ascii_only
t send-keys F2
check "C locale: the scenarios window" wait_for 'Scenarios'
check "C locale: its frame and text are ASCII too" ascii_only
t send-keys Escape
check "C locale: Esc closes it" wait_gone '- Scenarios -'
type_keys 's' Tab
check "C locale: the completion list" wait_for_re '\| seek +semop +setval +speed +step +stop'
check "C locale: ASCII there too" ascii_only
t send-keys C-c
type_keys 'quit' Enter
check "C locale: quit" wait_for 'ipcplay-rc=0'
stop_server

start_shell 120 40 NO_COLOR=1
launch run sem rounds=50
check "NO_COLOR: the dashboard starts" wait_for 'PROCESSES'
note_pids
wait_for 'acquired' >/dev/null
check "NO_COLOR: no colour on screen" no_color
type_keys 'quit' Enter
check "NO_COLOR: quit" wait_for 'ipcplay-rc=0'
stop_server

start_shell 120 40
launch run sem rounds=50
check "default: the dashboard starts" wait_for 'PROCESSES'
note_pids
check "default: UTF-8 rules" wait_for '─ PROCESSES'
check "default: colours are used" eventually "$TIMEOUT" has_color
type_keys 'quit' Enter
check "default: quit" wait_for 'ipcplay-rc=0'
finish
