# test_exit_status.sh — the exit status after quit, as the README says: 1
# when the last run that ended by itself failed a check, else 0. A run
# started later and stopped or still running when quitting has no verdict,
# so it does not hide the failure before it; a later run that ends by
# itself and passes does.
. "$(dirname "$0")/lib.sh"

start_shell 120 40
FAILING='run sem sem=off workers=4 rounds=3 hold=50ms think=0ms'
PASSING='run sem workers=2 rounds=1 hold=10ms think=0ms'

# a_failed_run: start the dashboard on a run that fails its checks
a_failed_run() {
  launch $FAILING
  check "$1: the failing run ends" wait_for ' DONE '
  note_pids
  check "$1: its checks failed" wait_for_re 'no_lost_updates broken on purpose'
}
back_to_shell() {
  check "$1" wait_for "ipcplay-rc=$2"
  check "nothing left" eventually 5 none_alive
  t send-keys -l -- 'clear'
  t send-keys Enter
}

a_failed_run "running"
type_keys 'run sem rounds=50' Enter
check "running: a later run is going" wait_for ' RUNNING '
type_keys 'quit' Enter
back_to_shell "failed, then a run still going at quit: status 1" 1

a_failed_run "stopped"
type_keys 'run sem rounds=50' Enter
check "stopped: a later run is going" wait_for ' RUNNING '
type_keys 'stop' Enter
check "stopped: it is stopped" wait_for 'checks when stopped'
type_keys 'quit' Enter
back_to_shell "failed, then a stopped run: status 1" 1

a_failed_run "passed"
type_keys "$PASSING" Enter
check "passed: the later run ends by itself, its checks ok" \
  wait_for_re 'mutual_exclusion ok, no_lost_updates ok'
type_keys 'quit' Enter
back_to_shell "failed, then a run that passed: status 0" 0
finish
