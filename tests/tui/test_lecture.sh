# test_lecture.sh — doc/lecture.md can be given from the dashboard: every
# command in its ```ipcplay blocks is typed at the prompt at 120x40, in order;
# no error line may appear and each run must start. The one substitution
# (documented in the lecture): `speed 10` is typed once before the first
# block, so a run no breakpoint holds ends in seconds instead of at a class's
# pace (not `speed max`: without delays nobody would ever block, and the
# breakpoints the lecture sets would not be met). Hand operations are not in
# the blocks yet.
. "$(dirname "$0")/lib.sh"

DOC="$(cd "$(dirname "$0")/../.." && pwd)/doc/lecture.md"
[ -r "$DOC" ] || { echo "no $DOC" >&2; exit 2; }
CMDS="$TMPD/commands"
awk '/^```ipcplay[[:space:]]*$/ {inb = 1; next} /^```/ {inb = 0} inb && NF' "$DOC" > "$CMDS"
[ -s "$CMDS" ] || { echo "no \`\`\`ipcplay blocks in $DOC" >&2; exit 2; }

# An error line: the console's one-line refusal, told right after the clock.
ERR_RE='^ *[0-9]{2}:[0-9]{2}\.[0-9]  +(usage: |unknown |ambiguous command|this command needs|that is ipcplay|nothing is running|no process |no live process|no breakpoint|no look at|[a-z]+ needs |cannot |bad [a-z]+ |ipcs: |ipcrm|nothing called|answer goes|no question is open|answer (yes|one)|.* has no ops left|.* is an option)|run error'
no_error() { ! screen | grep -qE -- "$ERR_RE"; }
header() { screen | head -1; }
prompt_empty() { screen | tail -1 | grep -qE '^ipcplay> *$'; }
ops_now() { header | grep -oE 'ops [0-9]+' | grep -oE '[0-9]+'; }
state_now() { header | grep -oE '(RUNNING|PAUSED|STEP|DONE|IDLE)' | head -1; }
# resume / step: ops moved on and the run holds again (a breakpoint, the
# step's end) or is over
moved_and_held() {
  local o s
  o="$(ops_now)"
  s="$(state_now)"
  [ "$o" != "$1" ] && [ "$s" != RUNNING ]
}

start_shell 120 40
launch
check "the dashboard starts" wait_for 'PROCESSES'
note_pids
type_keys 'speed 10' Enter
check "speed 10 (the test's one substitution)" wait_for_re 'you +speed 10'

runs=0
n=0
while IFS= read -r line; do
  n=$((n + 1))
  word="${line%% *}"
  before="$(ops_now)"
  type_keys "$line" Enter
  case "$word" in
    run)
      runs=$((runs + 1))
      name="$(echo "$line" | awk '{print $2}')"
      check "[$n] $line: the run starts" wait_for_re "^ ipcplay  $name .*(RUNNING|PAUSED|STEP|DONE) "
      case " $line " in
        *" paused "*) check "[$n] ... paused before the first op" wait_for_re '^ ipcplay .* PAUSED .* ops 0$' ;;
      esac
      note_pids
      ;;
    resume | step)
      check "[$n] $line: the run goes on, then holds or ends" eventually "$TIMEOUT" moved_and_held "$before"
      ;;
    inspect)
      check "[$n] $line: the detail view opens" \
        wait_for_re 'inspect [a-z0-9-]+ \(pid|struct (semid|shmid|msqid)_ds'
      t send-keys Escape
      wait_gone 'struct semid_ds' >/dev/null
      ;;
    *)
      check "[$n] $line: taken (the prompt is empty again)" eventually "$TIMEOUT" prompt_empty
      ;;
  esac
  check "[$n] $line: no error line" no_error
done < "$CMDS"

has_runs() { [ "$runs" -ge 10 ]; }
check "the lecture starts $runs runs (every section has at least one)" has_runs
type_keys 'quit' Enter
check "quit" wait_for 'ipcplay-rc='
check "nothing left" eventually 5 none_alive
check "no shared memory of ours left" no_shm_of_ours
finish
