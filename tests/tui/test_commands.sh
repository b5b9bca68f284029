# test_commands.sh — console commands beyond the basics: `ipcs` lists the
# run's message queue (not only semaphores and segments); a usage error is
# one line (`speed 1 2` used to print the speed, then the error); Tab
# completes a signal after `kill ROLE`, and `inspect` offers sem / msq and
# the processes, a reaped one too; matches come in natural order.
. "$(dirname "$0")/lib.sh"

start_shell 120 40
launch run msgq messages=50 gap=800ms work=2000ms
check "the dashboard starts" wait_for 'MESSAGE QUEUE'
note_pids

prompt_is() {
  local want="ipcplay> $1"
  want="${want%"${want##*[! ]}"}"
  [ "$(screen | tail -1 | sed 's/ *$//')" = "$want" ]
}
prompt_shows() { eventually "$TIMEOUT" prompt_is "$1"; }

type_keys 'ipcs' Enter
check "ipcs lists the message queue" wait_for '------ Message Queues --------'
check "... with its id, as the panel shows it, marked as the run's" \
  wait_for_re "^ *[0-9:.]+ +0x[0-9a-f]{8} +$(screen | grep -oE 'msqid [0-9]+' | head -1 | cut -d' ' -f2) +[a-z0-9_]+ +600 .*\\(this run\\)"

type_keys 'speed 1 2' Enter
check "speed with two words: the usage line" wait_for 'usage: speed X|max'
after_speed() { screen | grep -A1 -F 'speed 1 2' | tail -1 | grep -qF 'usage: speed X|max'; }
check "... is the one line after the command (nothing else said)" after_speed

type_keys 'kill sender-1 K' Tab
check "Tab completes a signal name after kill ROLE" prompt_shows 'kill sender-1 KILL'
t send-keys C-c
check "Ctrl-C clears it" prompt_shows ''

type_keys 'inspect ' Tab
# the match list is a box at the left edge, above the prompt
check "inspect Tab offers the run's queue by word" wait_for_re '^│ .* msq '
check "... and its semaphore set" wait_for_re '^│ .* sem '
check "... and its processes" wait_for_re '^│ .*recv-any-1'
t send-keys C-c
type_keys 'inspect ms' Tab
check "inspect ms Tab completes msq" prompt_shows 'inspect msq'
t send-keys Enter
check "inspect msq opens the queue's view" wait_for 'inspect message queue'
t send-keys Escape
check "Esc closes it" wait_gone 'inspect message queue'

type_keys 'run sem workers=12 rounds=50' Enter
check "a run with twelve workers" wait_for_re '[0-9]+ +worker-12 '
note_pids
type_keys 'kill w' Tab
# the list goes down its columns: worker-1 then worker-2 (not worker-10)
check "the match list is in natural order (worker-2 before worker-10)" \
  wait_for_re '^│ worker-1 +worker-3 +worker-5 '
t send-keys C-c

type_keys 'quit' Enter
check "quit returns to the shell" wait_for 'ipcplay-rc=0'
check "nothing left" eventually 5 none_alive
finish
