# test_breaks.sh — `break on WHAT` pauses the run when WHAT happens and the
# story says which breakpoint did it; `break list` and `break clear`.
. "$(dirname "$0")/lib.sh"

start_shell 120 40
launch run sem workers=3 rounds=3 hold=1s think=0ms paused
check "starts paused" wait_for ' PAUSED '
note_pids
type_keys 'break on block' Enter
check "break on block: listed" wait_for 'breakpoints: block'
type_keys 'resume' Enter
check "a worker blocks: the breakpoint pauses the run" \
  wait_for_re "breakpoint 'block': worker-[0-9]\[[0-9]+\] P\(sem 0\) blocks"
check "... PAUSED" wait_for ' PAUSED '
type_keys 'break clear' Enter
check "break clear" wait_for 'breakpoints: none'
type_keys 'break on reap' Enter
type_keys 'resume' Enter
check "a reap pauses it again" wait_for_re "breakpoint 'reap': worker-[0-9]"
type_keys 'break on nosuch' Enter
check "an unknown one is one line naming the accepted" wait_for "no breakpoint 'nosuch' (accepted: block wake"
type_keys 'quit' Enter
check "quit" wait_for 'ipcplay-rc='
check "nothing left" eventually 5 none_alive
finish
