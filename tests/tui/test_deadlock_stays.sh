# test_deadlock_stays.sh — in the dashboard a deadlock stays deadlocked
# (paused) until the user acts: `kill worker-1` and the panel says the cycle
# was broken, by whom and how (SEM_UNDO); headless still ends the run.
. "$(dirname "$0")/lib.sh"

start_shell 120 40
launch run deadlock
check "the cycle is found" wait_for 'deadlock: worker-'
note_pids
check "the run pauses and stays deadlocked" wait_for 'the run is paused and stays deadlocked'
check "... PAUSED" wait_for ' PAUSED '
sleep 3 # headless would have ended it after 1.5 s
check "3 s later it is still there (not DONE)" wait_gone ' DONE ' 1
check "... and nothing was killed" wait_gone 'ends the run (kills' 1
type_keys 'kill worker-1 KILL' Enter
check "kill worker-1: the cycle is broken, and the story says how" \
  wait_for 'the cycle is broken: worker-1 was killed by SIGKILL'
check "the panel no longer says none can go on" wait_gone 'none can go on'
type_keys 'stop' Enter
check "stop" wait_for ' DONE '
type_keys 'quit' Enter
check "quit" wait_for 'ipcplay-rc='
check "nothing left" eventually 5 none_alive
finish
