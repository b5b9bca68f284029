# test_scenarios.sh — every scenario gets a view that makes its point
# visible: the queue's gauge and contents (msgq), the ring in shared memory
# and its named semaphores (shm), the cycle (deadlock), fd tables side by
# side with the shared file (fork, fdpass), the byte stream (pipe), zombies
# in the tree (zombie), a bar per mechanism (race). Each is started from the
# console with `run`, at 120x40, and looked at again at 80x24.
. "$(dirname "$0")/lib.sh"

start_shell 120 40
launch run sem rounds=50
check "the dashboard starts" wait_for 'PROCESSES'
note_pids

run() { type_keys "run $1" Enter; wait_for_re "ipcplay +${1%% *} " >/dev/null; note_pids; }

run "msgq gap=800ms work=2000ms"
check "msgq: the queue panel" wait_for 'MESSAGE QUEUE'
check "msgq: qnum and the cbytes gauge" wait_for_re 'qnum [0-9]+ +cbytes .* of qbytes 256'
check "msgq: the queue's contents by type" wait_for_re 'oldest (\[[0-9]\])+.* newest'
check "msgq: lspid / lrpid name the processes" wait_for_re 'lspid [0-9]+ sender-[12]'
check "msgq: the semaphore is named" wait_for_re '0 +unread'

run "shm think=600ms"
check "shm: the segment" wait_for 'SHARED MEMORY'
check "shm: the ring's slots with items" wait_for_re '\[ p[12]#[0-9]+ *\]'
check "shm: head and tail marked" wait_for_re '\^(head|tail)'
check "shm: the three semaphores by name" wait_for_re '2 +mutex'
check "shm: the mutex holder" wait_for_re 'held by (producer|consumer)-[12]'

run "deadlock"
check "deadlock: the cycle is shown" wait_for_re 'DEADLOCK +found at'
check "deadlock: named" wait_for_re 'worker-1 -> sem [01] -> worker-2 -> sem [01] -> worker-1'

run "fork gap=800ms"
check "fork: fd tables side by side" wait_for 'FILE DESCRIPTORS'
check "fork: parent and child share the file and its offset" wait_for_re 'shared\.txt @[0-9]+.* shared\.txt @[0-9]+'

run "fdpass gap=800ms"
check "fdpass: the passed fd in both tables" wait_for_re 'data\.txt @[0-9]+'
check "fdpass: the receiver has it too" wait_for_re 'receiver-1'

run "pipe gap=800ms"
check "pipe: the byte stream" wait_for 'BYTE STREAMS'
check "pipe: written / read" wait_for_re 'parent-1 -> [0-9]+ child-1 +written [0-9]+, read [0-9]+'
check "pipe: the pipe in both fd tables" wait_for_re 'pipe:\[[0-9]+\].*pipe:\[[0-9]+\]'

run "zombie stagger=400ms delay=3000ms"
check "zombie: a zombie in the tree (state Z)" wait_for_re 'child-[123] +Z '
check "zombie: the kernel view says so" wait_for 'zombie, exit status'
check "zombie: the panel counts zombies apart from the living" \
  wait_for_re 'PROCESSES +5, 2 alive, 3 zombies'

run "race total=256"
check "race: a bar per mechanism with its MB/s" wait_for_re 'pipe +[^ ]+ +[0-9]+\.[0-9] MB/s'
check "race: every mechanism's messages intact" wait_for_re 'posixshm +[^ ]+ +[0-9]+\.[0-9] MB/s +intact'
check "race: the ranking" wait_for 'fastest ok'

t resize-window -x 80 -y 24
run "shm think=600ms"
check "80x24 shm: the ring on one line" wait_for_re 'ring \[.*\] head [0-9]+ tail [0-9]+'
run "msgq gap=800ms work=2000ms"
check "80x24 msgq: the queue on one line" wait_for_re 'msq [0-9]+: qnum [0-9]+ +cbytes'
run "fdpass gap=800ms"
check "80x24 fdpass: the fd tables" wait_for_re 'data\.txt @[0-9]+'

type_keys 'quit' Enter
check "quit returns to the shell" wait_for 'ipcplay-rc=0'
check "nothing left" eventually 5 none_alive
finish
