# test_hands.sh — hands on a live run in the dashboard: `p 0` on a paused
# run puts `you` (a real process of the run, in the tree) to sleep and the
# console says so while staying usable; Ctrl-C on an empty line interrupts
# the call (EINTR); `v 0` wakes a worker although the run is paused. Then a
# process outside the run (perl, on the run's own semaphore set only, its id
# read from the screen) does V: the story names it by pid and name; its
# IPC_RMID ends the run as interrupted with no check left saying ok. In a new
# run, a V of 2 lets two workers in: the check is broken by your hand.
. "$(dirname "$0")/lib.sh"
command -v perl >/dev/null || { echo "perl is needed for the outside process" >&2; exit 2; }

start_shell 140 45
launch run sem rounds=50 paused
check "the dashboard starts paused" wait_for_re 'semid [0-9]+'
note_pids
semid="$(screen | grep -oE 'semid [0-9]+' | head -1 | cut -d' ' -f2)"
check "paused before the first op" wait_for ' PAUSED '

# outside the run, before anyone sleeps on it: V on semaphore 0 of the run's
# own set (with a sleeper the kernel would hand the unit on at once, and the
# sleeper's pid would overwrite the outsider's before any sample)
# and a second later P, which gives the run its value back (past the second
# the set was made in: sem_ctime, in seconds, then tells a SETVAL from a V)
sleep 1.2
perl -e 'semop($ARGV[0], pack("s!3", 0, 1, 0)) or die "semop: $!\n"; sleep 1;
         semop($ARGV[0], pack("s!3", 0, -1, 0)) or die "semop: $!\n"' "$semid" &
check "an outside V is told by pid and name" \
  wait_for_re 'a process outside the run \(pid [0-9]+, perl\) did V on sem 0: semval 1 -> 2'
check "and its P" \
  wait_for_re 'a process outside the run \(pid [0-9]+, (perl|gone)\) did P on sem 0: semval 2 -> 1'
wait

type_keys 'resume' Enter
check "running: workers sleep in P" wait_for_re 'worker-[0-9]\[[0-9]+\] +P\(sem 0\) +blocks'
type_keys 'pause' Enter
check "paused" wait_for ' PAUSED '

type_keys 'p 0' Enter
check "you joins the run and is in the tree" wait_for_re '[0-9]+ +you +S '
check "its P is told as you[PID]'s" wait_for_re 'you\[[0-9]+\] +P\(sem 0\) +blocks'
check "the console says you sleeps, and stays usable" wait_for 'you asleep in P(sem 0) (Ctrl-C interrupts) ipcplay>'
type_keys 'v 0' Enter
check "a second hand command waits for the first" wait_for 'you is still in P(sem 0)'
t send-keys C-c
check "Ctrl-C interrupts it: EINTR told" wait_for 'EINTR: Ctrl-C sent you SIGINT'
check "the console no longer says you sleeps" wait_gone 'you asleep in'

# a worker's "acquired" after your V, on the screen
woken_by_you() { screen | grep -A4 -E '^ *[0-9:.]+ +you +v 0 *$' | grep -qE 'worker-[0-9]\[[0-9]+\] +P\(sem 0\) +-> acquired'; }
type_keys 'v 0' Enter
check "your V wakes a worker although the run is paused" eventually 10 woken_by_you
check "the run stays paused" shows ' PAUSED '
type_keys 'semop 0:-1,0:+1 nowait' Enter
check "a semop of two sembufs is told with the values" wait_for 'semop(0:-1,0:+1)'

perl -e 'semctl($ARGV[0], 0, 0, 0) or die "semctl: $!\n"' "$semid"
check "an outside IPC_RMID ends the run as interrupted" \
  wait_for "interrupted: semaphore set $semid was removed by a process outside the run"
check "the header says INTERRUPTED" wait_for ' INTERRUPTED '
check "no check says ok about work that did not happen" wait_for 'mutual_exclusion pending, no_lost_updates pending'
check "no check says ok" not_shows '✔ mutual_exclusion ok'

# a check your hand breaks is not the program's failure
type_keys 'run sem rounds=2 hold=200ms think=100ms' Enter
check "a new run" wait_for_re 'worker-[0-9]\[[0-9]+\] +P\(sem 0\) +blocks'
type_keys 'v 0 2' Enter
check "two get in after your V of 2: broken by your hand, not FAILED" \
  eventually 30 shows 'mutual_exclusion broken on purpose'
check "never FAILED" not_shows 'mutual_exclusion FAILED'

type_keys 'quit' Enter
check "quit returns to the shell" wait_for 'ipcplay-rc='
check "nothing left" eventually 5 none_alive
finish
