# tests/tui/lib.sh — helpers for the dashboard's end-to-end tests: a private
# tmux server (its own -L socket, its own HOME and XDG_STATE_HOME), keys sent
# the way a person types them, the screen read back with capture-pane, and
# polling for expected text with a timeout (never a fixed sleep as the check).
# Each test kills only the tmux server it started and pids it started.
# Sourced by tests/tui/test_*.sh; usage: bash test_x.sh /path/to/ipcplay

set -u

BIN="${1:?usage: bash $0 /path/to/ipcplay}"
BIN="$(cd "$(dirname "$BIN")" && pwd)/$(basename "$BIN")"
[ -x "$BIN" ] || { echo "no ipcplay binary at $BIN" >&2; exit 2; }
command -v tmux >/dev/null || { echo "tmux is needed (script/bootstrap installs it)" >&2; exit 2; }

SOCK="ipcplay-test-$$"
TMPD="$(mktemp -d "${TMPDIR:-/tmp}/ipcplay-tui.XXXXXX")"
TIMEOUT="${IPCPLAY_TUI_TIMEOUT:-20}"
PASSED=0
FAILED=0
OUR_PIDS=()   # pids this test started (dashboard, guardian, workers)

t() { tmux -L "$SOCK" "$@"; }

lib_cleanup() {
  t kill-server 2>/dev/null || true
  local p
  for p in "${OUR_PIDS[@]}"; do
    # only if it is still one of ours (an ipcplay process)
    # children carry their role's name (worker-2), so look at the program too
    if [ -r "/proc/$p/comm" ] && { grep -q '^ipcplay' "/proc/$p/comm" 2>/dev/null ||
      [ "$(basename "$(readlink "/proc/$p/exe" 2>/dev/null)")" = ipcplay ]; }; then
      kill -9 "$p" 2>/dev/null || true
    fi
  done
  rm -rf "$TMPD"
}
trap lib_cleanup EXIT

# start_shell W H [VAR=value ...]: a shell in a private tmux server
start_shell() {
  local w="$1" h="$2"
  shift 2
  local envs=(-e "HOME=$TMPD/home" -e "XDG_STATE_HOME=$TMPD/state" -e "LANG=C.UTF-8"
              -e "LC_ALL=")
  local kv
  for kv in "$@"; do envs+=(-e "$kv"); done
  mkdir -p "$TMPD/home"
  stop_server
  if ! t -f /dev/null new-session -d -x "$w" -y "$h" "${envs[@]}" "bash --norc --noprofile"; then
    bad "tmux new-session failed"
    finish
  fi
  t set-option -g status off >/dev/null
  t send-keys -l -- "PS1='shell\$ '; clear"
  t send-keys Enter
  if ! wait_for 'shell$'; then
    bad "the test shell did not start"
    finish
  fi
}

# stop_server: kill this test's tmux server and wait until it is gone, so a
# new one can take the socket
stop_server() {
  t kill-server 2>/dev/null || return 0
  local i=0
  while t has-session 2>/dev/null && [ $i -lt 50 ]; do
    sleep 0.1
    i=$((i + 1))
  done
  return 0
}

# type TEXT literally, then optional keys (Enter, Tab, F3, ...)
type_keys() {
  t send-keys -l -- "$1"
  shift
  [ $# -gt 0 ] && t send-keys "$@"
  return 0
}

# launch the dashboard from the shell: ipcplay ARGS; the shell then prints
# ipcplay-rc=N. The terminal settings are saved before, to compare after.
launch() {
  t send-keys -l -- "clear; stty -g > '$TMPD/stty.before'; '$BIN' $*; echo ipcplay-rc=\$?"
  t send-keys Enter
}

screen() { t capture-pane -p -N; }

# the screen shows (grep -F / -E) or does not show TEXT
shows() { screen | grep -qF -- "$1"; }
shows_re() { screen | grep -qE -- "$1"; }
not_shows() { ! shows "$1"; }

# wait_for TEXT [SECONDS]: poll the screen until TEXT (fixed string) shows
wait_for() { eventually "${2:-$TIMEOUT}" shows "$1"; }

# wait_for_re REGEX [SECONDS]
wait_for_re() { eventually "${2:-$TIMEOUT}" shows_re "$1"; }

# wait_gone TEXT [SECONDS]
wait_gone() { eventually "${2:-$TIMEOUT}" not_shows "$1"; }

ok() { PASSED=$((PASSED + 1)); echo "ok   - $1"; }
bad() {
  FAILED=$((FAILED + 1))
  echo "FAIL - $1"
  echo "---- screen ----"
  screen | sed 's/^/| /'
  echo "----------------"
}

# check DESCRIPTION COMMAND...: run a check, count it
check() {
  local what="$1"
  shift
  if "$@"; then ok "$what"; else bad "$what"; fi
}

# The pids of a dashboard started by launch: the pane's shell runs the
# guardian (ipcplay-guard), whose child is the dashboard.
guardian_pid() { pgrep -P "$(t display -p '#{pane_pid}')" -x ipcplay-guard | head -1; }
dashboard_pid() {
  local g
  g="$(guardian_pid)"
  [ -n "$g" ] && pgrep -P "$g" -x ipcplay | head -1
}

# Remember the dashboard, its guardian and its children as ours.
note_pids() {
  local g d
  g="$(guardian_pid)"
  d="$(dashboard_pid)"
  [ -n "$g" ] && OUR_PIDS+=("$g")
  [ -n "$d" ] && OUR_PIDS+=("$d") && OUR_PIDS+=($(pgrep -P "$d" || true))
  return 0
}

# IPC ids the dashboard shows (semid N, shmid N)
screen_ids() { screen | grep -oE '(semid|shmid) [0-9]+' | sort -u; }

# none_alive: none of OUR_PIDS is an ipcplay process any more
none_alive() {
  local p
  for p in "${OUR_PIDS[@]}"; do
    # children carry their role's name (worker-2), so look at the program too
    if [ -r "/proc/$p/comm" ] && { grep -q '^ipcplay' "/proc/$p/comm" 2>/dev/null ||
      [ "$(basename "$(readlink "/proc/$p/exe" 2>/dev/null)")" = ipcplay ]; }; then
      return 1
    fi
  done
  return 0
}

# ids_gone "semid 3" "shmid 5" ...: none of them is in /proc/sysvipc
ids_gone() {
  local id kind num
  for id in "$@"; do
    kind="${id%% *}"
    num="${id##* }"
    if [ "$kind" = semid ]; then
      awk -v n="$num" 'NR > 1 && $2 == n { found = 1 } END { exit !found }' /proc/sysvipc/sem &&
        return 1
    else
      awk -v n="$num" 'NR > 1 && $2 == n { found = 1 } END { exit !found }' /proc/sysvipc/shm &&
        return 1
    fi
  done
  return 0
}

# objects created since a snapshot and still present, whose creator is one
# of our pids (shm has a cpid column; semaphore sets are checked by id)
leftover_shm_of_ours() {
  local p
  for p in "${OUR_PIDS[@]}"; do
    awk -v p="$p" 'NR > 1 && $7 == p { found = 1 } END { exit !found }' /proc/sysvipc/shm &&
      return 0
  done
  return 1
}

no_shm_of_ours() { ! leftover_shm_of_ours; }

# poll until a condition holds (a shell function or command), for N seconds
eventually() {
  local to="$1"
  shift
  local end=$((SECONDS + to))
  while :; do
    "$@" && return 0
    [ $SECONDS -ge $end ] && return 1
    sleep 0.1
  done
}

# poll until a condition holds within N tenths of a second (finer than eventually)
within_tenths() {
  local n="$1"
  shift
  local i=0
  while [ $i -le "$n" ]; do
    "$@" && return 0
    sleep 0.1
    i=$((i + 1))
  done
  return 1
}

# The shell is back and the terminal is as it was before the dashboard.
terminal_restored() {
  t send-keys -l -- "stty -g > '$TMPD/stty.after'; echo restored-\$((6*7))"
  t send-keys Enter
  wait_for 'restored-42' || return 1
  cmp -s "$TMPD/stty.before" "$TMPD/stty.after"
}

finish() {
  echo "$PASSED passed, $FAILED failed"
  [ "$FAILED" -eq 0 ]
  exit $?
}
