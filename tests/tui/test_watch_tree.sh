# test_watch_tree.sh — the dashboard watching a program (watch -- PROGRAM):
# the objects panel lists only the program's objects, not another object of
# the system (made here with ipcmk), until `watch scope=all` widens it to the
# whole system and `watch scope=tree` narrows it again. Quit kills the
# program; its objects (the program's own) and ours are removed by id.
. "$(dirname "$0")/lib.sh"

SEMQ="$(dirname "$BIN")/tests/programs/semq"
OTHER=$(ipcmk -S 1 | grep -oE '[0-9]+$')
cleanup_ids() {
  [ -n "$OTHER" ] && ipcrm -s "$OTHER" 2>/dev/null
  [ -n "${PSEM:-}" ] && ipcrm -s "$PSEM" 2>/dev/null
  [ -n "${PMSQ:-}" ] && ipcrm -q "$PMSQ" 2>/dev/null
  true
}
trap 'cleanup_ids; lib_cleanup' EXIT

start_shell 140 45
launch watch -- "$SEMQ" stall
check "the program's objects are named in its output" wait_for_re 'semid [0-9]+ msqid [0-9]+'
read -r PSEM PMSQ < <(screen | grep -oE 'semid [0-9]+ msqid [0-9]+' | head -1 | awk '{print $2, $4}')
check "the panel is the program's" wait_for "PROGRAM'S IPC (watch)"
check "its semaphore set is listed" wait_for_re "^ *sem +$PSEM "
check "another object of the system is not" eval "! screen | grep -qE \"sem +$OTHER \""
type_keys 'watch scope=all'
t send-keys Enter
check "scope=all: the whole system" wait_for "SYSTEM IPC (watch)"
check "scope=all: the other object shows" wait_for_re "sem +$OTHER "
type_keys 'watch scope=tree'
t send-keys Enter
check "scope=tree: the program's again" wait_for "PROGRAM'S IPC (watch)"
type_keys 'quit'
t send-keys Enter
check "quit: the dashboard exits" wait_for_re 'ipcplay-rc=[0-9]+'
finish
