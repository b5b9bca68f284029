# test_done.sh — when a run ends the dashboard stays open on the final checks
# (DONE); `run` starts another; `stop` ends one early; a run whose check
# fails (sem=off: the plain-variable "lock") shows FAILED, and quitting then
# exits 1, as a headless run would.
. "$(dirname "$0")/lib.sh"

start_shell 120 40
launch run sem workers=2 rounds=2 hold=50ms think=10ms
check "a short run ends: DONE" wait_for ' DONE '
note_pids
check "the final checks are shown" wait_for_re '✔ mutual_exclusion ok.*✔ no_lost_updates ok'
check "the story says the run is over" wait_for 'the run is over'
check "the objects are marked removed" wait_for_re 'semid [0-9]+ . removed'
check "the workers are shown as exited" wait_for_re 'worker-2 +- +exited 0'

type_keys 'run sem workers=3 rounds=50' Enter
check "run again: RUNNING" wait_for ' RUNNING '
check "run again: three workers" wait_for_re '[0-9]+ +worker-3 '
note_pids
# A check is ok only about work that happened: stop after the first update.
check "run again: a first update is made" wait_for 'counter 0 -> 1'
type_keys 'stop' Enter
check "stop: DONE" wait_for ' DONE '
check "stop: the story says so" wait_for 'the run was stopped; its processes were killed'
check "stop: and says how its checks stand" wait_for_re 'checks when stopped: mutual_exclusion ok, no_lost_updates ok'

type_keys 'run sem workers=4 rounds=3 hold=100ms think=0ms sem=off' Enter
check "sem=off: running" wait_for_re 'sem=off'
note_pids
check "sem=off: mutual exclusion broken on purpose, not FAILED" wait_for 'mutual_exclusion broken on purpose'
check "sem=off: ends" wait_for ' DONE '
type_keys 'quit' Enter
check "quit after a failed run: exit status 1" wait_for 'ipcplay-rc=1'
check "nothing left" eventually 5 none_alive
finish
