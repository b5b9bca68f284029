# test_history.sh — where the command history lives and what is said when
# it cannot be kept: ipcplay makes only its own state directory, under a
# base that exists (never $HOME itself); a history problem is said in the
# story after the run has started (it once was said, then cleared away).
. "$(dirname "$0")/lib.sh"

start_shell 120 40

# launch_env ENV... -- ARGS: the dashboard with these environment changes
launch_env() {
  local envs=()
  while [ "$1" != "--" ]; do envs+=("$1"); shift; done
  shift
  t send-keys -l -- "clear; env ${envs[*]} '$BIN' $*; echo ipcplay-rc=\$?"
  t send-keys Enter
}

# 1. HOME does not exist: it is not created, and the story says why the
# history is not kept
launch_env -u XDG_STATE_HOME "HOME='$TMPD/none/x'" -- run sem rounds=50
check "HOME missing: the dashboard starts" wait_for 'PROCESSES'
note_pids
check "HOME missing: the story says the history is not kept" \
  wait_for 'the command history is not kept'
check "HOME missing: it is not created" test ! -e "$TMPD/none"
type_keys 'quit' Enter
check "HOME missing: quit, status 0" wait_for 'ipcplay-rc=0'
check "HOME missing: still not created after quit" test ! -e "$TMPD/none"
t send-keys -l -- 'clear'
t send-keys Enter

# 2. HOME exists: .local/state/ipcplay is made below it, 0700
launch_env -u XDG_STATE_HOME "HOME='$TMPD/home'" -- run sem rounds=50
check "HOME exists: the dashboard starts" wait_for 'PROCESSES'
note_pids
type_keys 'help quit' Enter
check "a command is answered" wait_for 'usage: quit'
type_keys 'quit' Enter
check "HOME exists: quit, status 0" wait_for 'ipcplay-rc=0'
check "the history is kept under HOME" grep -qx 'help quit' "$TMPD/home/.local/state/ipcplay/history"
check "its directory is 0700" test "$(stat -c %a "$TMPD/home/.local/state/ipcplay")" = 700
t send-keys -l -- 'clear'
t send-keys Enter

# 3. the history cannot be read (a directory where the file should be):
# said, and still on screen once the run is going
mkdir -p "$TMPD/state/ipcplay/history"
launch run sem rounds=50
check "unreadable history: the dashboard starts" wait_for 'PROCESSES'
note_pids
check "unreadable history: the story says so" wait_for 'cannot read the command history'
type_keys 'quit' Enter
check "unreadable history: quit returns to the shell" wait_for 'ipcplay-rc='
check "nothing left" eventually 5 none_alive
finish
