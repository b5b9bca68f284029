# test_pace.sh — control a class can follow: `run ... --paused` stops before
# the first op (sem_otime 0 to be seen); `step worker-2` lets only worker-2
# go; `pause` holds at once, even inside a long hold in the critical section,
# and the run's clock stops while paused.
. "$(dirname "$0")/lib.sh"

start_shell 120 40
launch run sem workers=3 rounds=3 hold=4s think=0ms --paused
check "--paused: the run starts PAUSED" wait_for ' PAUSED '
note_pids
check "... and the story says why" wait_for 'paused before the first op'
check "... its clock stands at 0" wait_for 'PAUSED   00:00.0'
type_keys 'inspect sem' Enter
check "the initial state: sem_otime 0, no op yet" wait_for 'sem_otime        0 (never)'
t send-keys Escape

type_keys 'step worker-2' Enter
check "step worker-2: said" wait_for_re 'step worker-2\[[0-9]+\]: 1 op of it alone'
check "worker-2's P happens" wait_for_re 'worker-2\[[0-9]+\] +P\(sem 0\) +-> acquired'
no_op_of() { sleep 1; ! screen | grep -qE "$1\[[0-9]+\] +P\(sem"; }
check "nobody else moved" no_op_of worker-1
check "... not worker-3 either" no_op_of worker-3

type_keys 'resume' Enter
check "resume: worker-2 enters its critical section" wait_for_re 'worker-2\[[0-9]+\] +in critical -> enters'
type_keys 'pause' Enter
check "pause: PAUSED" wait_for ' PAUSED '
clock1="$(screen | grep -oE 'PAUSED +[0-9]{2}:[0-9]{2}\.[0-9]' | head -1)"
sleep 5 # longer than the 4 s hold: without a held delay the update would land
check "pause holds inside the 4 s hold: no update while paused" wait_gone 'counter 0 -> 1' 1
clock2="$(screen | grep -oE 'PAUSED +[0-9]{2}:[0-9]{2}\.[0-9]' | head -1)"
clock_stands() { [ -n "$clock1" ] && [ "$clock1" = "$clock2" ]; }
check "the run's clock stands still while paused ($clock1 = $clock2)" clock_stands
type_keys 'resume' Enter
check "resume: the held update then lands" wait_for 'counter 0 -> 1' 10
type_keys 'quit' Enter
check "quit" wait_for 'ipcplay-rc='
check "nothing left" eventually 5 none_alive
finish
