# test_fit.sh — nothing a student needs is cut into nonsense: no word or
# number ends in an ellipsis at 120x40, 100x30 or 80x24 while the scenarios
# run (a name is shown whole or not at all, an op wider than its story
# column pushes its line's detail right, lists of waiters move to the next
# row); the semaphore set's heading keeps otime whole; the deadlock's cycle
# is wrapped, never cut; the ring's "^head=tail" mark is whole; at 80x24
# every parameter and every check is on screen.
. "$(dirname "$0")/lib.sh"

start_shell 120 40
launch run sem rounds=50
check "the dashboard starts" wait_for 'PROCESSES'
note_pids

run() { type_keys "run $1" Enter; wait_for_re "ipcplay +${1%% *} " >/dev/null; note_pids; }

# A cut word: a letter, digit or bracket right before the ellipsis.
cut_words() { screen | grep -E '[[:alnum:])(]…'; }
# no_cut_for N: the screen has no cut word in N looks, a tenth of a second apart
no_cut_for() {
  local i=0 bad
  while [ $i -lt "$1" ]; do
    bad="$(cut_words)"
    if [ -n "$bad" ]; then
      echo "cut: $bad"
      return 1
    fi
    sleep 0.1
    i=$((i + 1))
  done
  return 0
}

check "120x40 sem: otime is whole in the semaphore set's heading" \
  wait_for_re 'SEMAPHORE SET +semid [0-9]+ .*otime [0-9]{2}:[0-9]{2}:[0-9]{2}'
check "120x40 sem: nothing cut" no_cut_for 20

run "msgq"
check "120x40 msgq: nothing cut while it runs" no_cut_for 20
check "120x40 msgq: the story's op column holds msgctl(IPC_RMID)" wait_for 'msgctl(IPC_RMID) '

run "shm producers=1 consumers=1 items=2"
check "120x40 shm: nothing cut" no_cut_for 10
check "shm: the run ends with an empty ring" wait_for ' DONE '
check "shm: the mark says ^head=tail, whole" wait_for '^head=tail'

run "deadlock workers=4"
check "deadlock: found" wait_for_re 'DEADLOCK +found at'
# the objects panel is the right part of the screen: count the names in
# the cycle (four workers and the first one again)
cycle_names() {
  local n
  n=$(screen | cut -c66- | sed -n '/DEADLOCK/,/each waits/p' | grep -o 'worker-[0-9]' | wc -l)
  [ "$n" -ge 5 ]
}
check "deadlock: the cycle of four is shown whole (wrapped)" eventually 5 cycle_names
check "deadlock: its explanation is whole" wait_for "each waits for the next one's lock: none can go on"
check "deadlock: nothing cut" no_cut_for 5

t resize-window -x 100 -y 30
run "msgq"
check "100x30 msgq: nothing cut (names whole, pids dropped when they do not fit)" no_cut_for 20

t resize-window -x 80 -y 24
run "msgq"
check "80x24 msgq: the last parameter is on screen" wait_for 'work=1000ms'
check "80x24 msgq: every check is named" wait_for_re 'every_message_once.*selector_matches.*kernel_order.*whole_messages'
check "80x24 msgq: nothing cut" no_cut_for 20
run "fork gap=500"
check "80x24 fork: six checks that do not fit by name are counted" wait_for_re '6 checks: '
check "80x24 fork: nothing cut" no_cut_for 20

type_keys 'quit' Enter
check "quit returns to the shell" wait_for 'ipcplay-rc='
check "nothing left" eventually 5 none_alive
finish
