# test_pause_step.sh — `pause` stops every process at its next op: the header
# says PAUSED and the story stops growing; `step` lets exactly one op happen
# (the header's op count goes up by one, then stays), and F3 resumes.
. "$(dirname "$0")/lib.sh"

start_shell 120 40
launch run sem rounds=50
check "the dashboard starts" wait_for 'RUNNING'
note_pids
check "ops are happening" wait_for 'acquired'

story() { screen | awk '/STORY/ { on = 1; next } /^F1 Help/ { on = 0 } on'; }
ops() { screen | head -1 | grep -oE 'ops [0-9]+' | grep -oE '[0-9]+'; }

# stable_for N: the story and the op count do not change for N tenths
stable_for() {
  local need="$1" same=0 prev cur
  local end=$((SECONDS + TIMEOUT))
  prev="$(story; ops)"
  while [ $SECONDS -lt $end ]; do
    sleep 0.1
    cur="$(story; ops)"
    if [ "$cur" = "$prev" ]; then
      same=$((same + 1))
      [ $same -ge "$need" ] && return 0
    else
      same=0
      prev="$cur"
    fi
  done
  return 1
}

type_keys 'pause' Enter
check "the header says PAUSED" wait_for ' PAUSED '
check "the hint line offers F3 Resume" wait_for 'F3 Resume'
check "the story stops growing (unchanged for 2 s)" stable_for 20

before="$(ops)"
type_keys 'step' Enter
want=$((before + 1))
check "step: the op count goes from $before to $want" wait_for_re "ops $want( |\$)"
check "after the step the run is paused again" wait_for ' PAUSED '
check "exactly one op: the count stays at $want" stable_for 15
after="$(ops)"
check "the op count is still $want" test "$after" = "$want"

before="$after"
t send-keys F4
want=$((before + 1))
check "F4 steps one op too ($before to $want)" wait_for_re "ops $want( |\$)"
check "F4: still exactly one op" stable_for 15
check "F4: the op count is still $want" test "$(ops)" = "$want"

t send-keys F3
check "F3 resumes: RUNNING" wait_for ' RUNNING '
check "F3 is shown as the key that resumed" wait_for 'resume   (F3)'
grows() { local a; a="$(ops)"; eventually "$TIMEOUT" bash -c "[ \"\$(tmux -L '$SOCK' capture-pane -p | head -1 | grep -oE 'ops [0-9]+' | grep -oE '[0-9]+')\" -gt $a ]"; }
check "after resume ops happen again" grows

type_keys 'quit' Enter
check "quit returns to the shell" wait_for 'ipcplay-rc=0'
finish
