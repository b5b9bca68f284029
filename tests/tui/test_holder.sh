# test_holder.sh — `kill` the semaphore holder inside its critical section.
# undo=on: SEM_UNDO gives the semaphore back and the next worker enters
# alone; the shared count still has the dead one, but neither the story nor
# the panel may call that a broken lock. undo=off: the semaphore stays
# taken by the dead; the panel says so and the story does not claim SEM_UNDO.
. "$(dirname "$0")/lib.sh"

start_shell 120 40

# the worker inside its critical section with at least a second of its
# 3 s hold left (so the kill lands inside)
holder() { screen | grep -oE 'worker-[0-9]+ +S +in critical [01]\.[0-9]s' | head -1 | awk '{print $1}'; }
has_holder() { [ -n "$(holder)" ]; }
not_on_screen() { ! screen | grep -qF -- "$1"; }

launch run sem rounds=50 hold=3000ms think=100ms
check "the dashboard starts" wait_for 'PROCESSES'
note_pids
check "undo=on: a worker holds the semaphore" eventually "$TIMEOUT" has_holder
H="$(holder)"
type_keys "kill $H KILL" Enter
check "undo=on: the kill is told" wait_for "sent SIGKILL to $H"
check "undo=on: it died inside, and SEM_UNDO gave the semaphore back" \
  wait_for 'its SEM_UNDO gives the semaphore'
check "undo=on: the next one enters alone (the shared count includes the dead)" \
  wait_for 'includes the dead)'
check "undo=on: no 'mutual exclusion broken' in the story" not_on_screen 'mutual exclusion broken'
check "undo=on: the panel counts the living inside" wait_for_re 'inside now .* 1 +most at once 1 +\(1 died inside\)'
check "undo=on: the check holds" wait_for 'mutual_exclusion ok'

type_keys 'run sem rounds=50 hold=3000ms think=100ms undo=off' Enter
check "undo=off: the new run starts" wait_for 'undo=off'
note_pids
check "undo=off: a worker holds the semaphore" eventually "$TIMEOUT" has_holder
H="$(holder)"
type_keys "kill $H" Enter
check "undo=off: the story says the semaphore stays taken" wait_for 'without SEM_UNDO: the semaphore'
check "undo=off: the panel shows the dead holder" wait_for_re "held by $H \\(dead\\)"
check "undo=off: the story does not claim SEM_UNDO gave it back" not_on_screen 'gives the semaphore back'

type_keys 'quit' Enter
check "quit: back at the shell" wait_for 'ipcplay-rc=0'
check "quit: nothing left" eventually 5 none_alive
finish
