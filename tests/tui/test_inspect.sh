# test_inspect.sh — `inspect ROLE|PID|ID` opens a detail view: a process's
# state, what the kernel says, /proc status and fd table; a semaphore set's
# whole semid_ds; a segment's shmid_ds and bytes. Esc closes it. `ipcs` and
# `kill` work on the run; errors are one line.
. "$(dirname "$0")/lib.sh"

start_shell 120 40
launch run sem rounds=50
check "the dashboard starts" wait_for_re 'semid [0-9]+'
wait_for_re '[0-9]+ +worker-4 ' >/dev/null
note_pids

type_keys 'inspect worker-2' Enter
check "inspect worker-2: a detail view opens" wait_for 'inspect worker-2 (pid'
check "... with its /proc status" wait_for_re '/proc/[0-9]+/status'
check "... and what the kernel says" wait_for 'kernel says:'
t send-keys NPage
check "... and its fd table (the event pipe)" wait_for 'the event pipe to ipcplay'
check "... and the segment it has attached" wait_for_re 'shmid [0-9]+ at 0x'
t send-keys Escape
check "Esc closes the detail view" wait_gone 'inspect worker-2 (pid'

semid="$(screen | grep -oE 'semid [0-9]+' | head -1 | grep -oE '[0-9]+')"
type_keys "inspect $semid" Enter
check "inspect $semid: the semaphore set's semid_ds" wait_for 'struct semid_ds (semctl IPC_STAT)'
check "... with sem_otime and the per-semaphore values" wait_for_re 'sem_otime|semncnt'
t send-keys Escape
check "Esc closes it" wait_gone 'struct semid_ds'

type_keys 'inspect shm' Enter
check "inspect shm: the segment's shmid_ds" wait_for 'struct shmid_ds (shmctl IPC_STAT)'
check "... and its bytes" wait_for_re '0000  0[01] 00 00 00'
t send-keys Escape
check "Esc closes it" wait_gone 'struct shmid_ds'

type_keys 'inspect nosuch' Enter
check "inspect of something unknown is one error line" wait_for "nothing called 'nosuch' in this session"

type_keys 'ipcs' Enter
check "ipcs lists the session's semaphore set" wait_for '------ Semaphore Arrays --------'
check "... marked as the run's" wait_for_re '0x[0-9a-f]{8} +[0-9]+ .*\(this run\)'

type_keys 'kill worker-3 KILL' Enter
check "kill worker-3 KILL is reported" wait_for_re 'sent SIGKILL to worker-3 \(pid [0-9]+\)'
check "the story says it was killed and reaped" wait_for 'was killed by SIGKILL; ipcplay reaped it'
check "the tree shows it gone" wait_for_re 'worker-3 +- +killed by SIGKILL'

type_keys 'quit' Enter
check "quit returns to the shell" wait_for 'ipcplay-rc=0'
check "nothing left" eventually 5 none_alive
finish
