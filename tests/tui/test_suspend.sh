# test_suspend.sh — Ctrl-Z and SIGTSTP suspend the dashboard as a job, the
# way less and htop do: the terminal goes back to the shell as it was, the
# shell says the job is stopped (guardian and dashboard both stopped), and
# `fg` brings the dashboard back in raw mode, repainted, with a working
# console (a command typed is answered).
. "$(dirname "$0")/lib.sh"

start_shell 120 40
launch run sem rounds=50
check "the dashboard starts" wait_for 'PROCESSES'
note_pids
g="$(guardian_pid)"
d="$(dashboard_pid)"

proc_state() { awk '{ sub(/.*\) /, ""); print $1 }' "/proc/$1/stat" 2>/dev/null; }
both_stopped() { [ "$(proc_state "$g")" = T ] && [ "$(proc_state "$d")" = T ]; }
both_running() { [ "$(proc_state "$g")" != T ] && [ "$(proc_state "$d")" != T ]; }
shell_usable() {
  t send-keys -l -- "echo cooked-\$((6*7))"
  t send-keys Enter
  wait_for 'cooked-42' 5
}

# suspend_resume LABEL SUSPEND...: suspend one way, check, fg, check
suspend_resume() {
  local label="$1"
  shift
  "$@"
  check "$label: the shell says the job is stopped" wait_for_re '\[1\]\+ +Stopped'
  check "$label: the dashboard is gone from the screen" wait_gone 'PROCESSES'
  check "$label: guardian and dashboard are both stopped" eventually 5 both_stopped
  check "$label: the shell's terminal works (echo is answered)" shell_usable
  t send-keys -l -- 'clear; fg; echo ipcplay-rc=$?'
  t send-keys Enter
  check "$label: fg brings the dashboard back" wait_for 'PROCESSES'
  check "$label: both run again" eventually 5 both_running
  type_keys "help step" Enter
  check "$label: a command typed after fg is answered" wait_for 'usage: step'
  type_keys "clear" Enter
  check "$label: ... and clear empties the story" wait_gone 'usage: step'
}

suspend_resume "Ctrl-Z" t send-keys C-z
suspend_resume "SIGTSTP to the guardian" kill -TSTP "$g"
suspend_resume "SIGTSTP to the dashboard" kill -TSTP "$d"

type_keys 'quit' Enter
check "quit after resuming: status 0" wait_for 'ipcplay-rc=0'
check "nothing left" eventually 5 none_alive
check "the terminal settings are restored" terminal_restored
finish
