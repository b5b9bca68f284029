# test_console.sh — the readline console: Tab completes `ru` to `run ` and
# parameter names (`run sem wor` -> `workers=`), the match list shows inside
# the UI; an unknown or ambiguous command is one error line; Ctrl-C clears
# the line and does not quit; Up and Ctrl-R search the history, which is
# kept across runs in $XDG_STATE_HOME/ipcplay/history.
. "$(dirname "$0")/lib.sh"

start_shell 120 40
launch run sem rounds=50
check "the dashboard starts" wait_for 'PROCESSES'
note_pids

# the bottom line, trailing blanks ignored (ncurses may clear with spaces)
prompt_is() {
  local want="ipcplay> $1"
  want="${want%"${want##*[! ]}"}"
  [ "$(screen | tail -1 | sed 's/ *$//')" = "$want" ]
}
prompt_shows() { eventually "$TIMEOUT" prompt_is "$1"; }

type_keys 'ru' Tab
check "Tab completes ru to run" prompt_shows 'run'
type_keys 'sem wor' Tab
check "... with a space after it, and a parameter name: run sem workers=" prompt_shows 'run sem workers='
type_keys '2 und' Tab
check "Tab completes undo=" prompt_shows 'run sem workers=2 undo='
type_keys '' Tab
check "the values of undo= are listed inside the UI" wait_for_re '│ undo=off +undo=on'
check "the prompt line is intact under the list (common prefix inserted)" prompt_shows 'run sem workers=2 undo=o'
t send-keys C-c
check "Ctrl-C clears the line" prompt_shows ''
check "Ctrl-C did not quit" wait_for 'PROCESSES'
check "the match list is gone" wait_gone 'undo=off'

type_keys 's' Tab
check "an ambiguous prefix lists its candidates" wait_for_re 'speed +step +stop'
t send-keys C-c

type_keys 'frobnicate' Enter
check "an unknown command is one error line" wait_for 'unknown command: frobnicate (type help for the list)'
type_keys 's' Enter
check "an ambiguous command names the candidates" wait_for 'ambiguous command: s, could be: stop, step, speed'
check "the run goes on after errors" wait_for ' RUNNING '

type_keys 'speed 2' Enter
check "speed 2 shows in the header" wait_for 'speed 2x'
t send-keys F5
check "F5 slows down to 1x" wait_for 'speed 1x'
t send-keys F6
check "F6 speeds up to 2x" wait_for 'speed 2x'

t send-keys Up
check "Up recalls the last command (speed 2)" prompt_shows 'speed 2'
t send-keys C-c
t send-keys C-r
type_keys 'frob'
check "Ctrl-R finds an older command" wait_for_re "reverse-i-search.*frob.*frobnicate"
t send-keys C-c
check "Ctrl-C leaves the search and clears the line" prompt_shows ''

type_keys 'help' Enter
check "help lists the commands in the story" wait_for_re 'inspect ROLE\|PID\|ID +details of a process'
type_keys 'list' Enter
check "list shows the scenarios" wait_for_re 'deadlock +workers take two locks'
t send-keys PPage
check "PgUp scrolls the story back" wait_for 'scrolled back:'
t send-keys NPage NPage NPage
check "PgDn comes back to the newest lines" wait_gone 'scrolled back:'

t send-keys F1
check "F1 shows the help" wait_for 'Commands (type at the prompt'
t send-keys Escape
check "Esc closes it" wait_gone 'Commands (type at the prompt'
t send-keys F2
check "F2 lists the scenarios" wait_for_re 'sem .* workers contend'
t send-keys Enter
check "Enter on a scenario puts 'run sem ' at the prompt" prompt_shows 'run sem '
t send-keys C-c

type_keys 'quit' Enter
check "quit returns to the shell" wait_for 'ipcplay-rc=0'
hist="$TMPD/state/ipcplay/history"
check "the history is saved in \$XDG_STATE_HOME/ipcplay/history" grep -qx 'speed 2' "$hist"

launch run sem rounds=50
check "the dashboard starts again" wait_for 'PROCESSES'
note_pids
t send-keys Up
check "the history is back after a restart (Up shows quit)" prompt_shows 'quit'
t send-keys Up
check "and the command before it" prompt_shows 'list'
t send-keys C-c
t send-keys C-d
check "Ctrl-D on an empty line quits" wait_for 'ipcplay-rc=0'
finish
