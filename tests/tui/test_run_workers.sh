# test_run_workers.sh — `run sem workers=3` typed at the prompt starts a new
# run with exactly three workers, shown in the tree and the header.
. "$(dirname "$0")/lib.sh"

start_shell 120 40
launch
check "the dashboard starts" wait_for 'PROCESSES'
note_pids
# slow, so the typed command stays in view while the checks below look
type_keys 'speed 0.25' Enter
type_keys 'run sem workers=3' Enter
check "the typed command is echoed in the story" wait_for_re 'you +run sem workers=3'
check "the header shows workers=3" wait_for 'workers=3 rounds='
check "worker-3 is in the process tree" wait_for_re '[0-9]+ +worker-3 '
note_pids
has_no_worker4() { ! screen | grep -qE '[0-9]+ +worker-4 '; }
check "there is no worker-4" has_no_worker4
check "the tree says 4 processes (ipcplay and three workers)" wait_for 'PROCESSES  4,'
type_keys 'quit' Enter
check "quit returns to the shell" wait_for 'ipcplay-rc=0'
finish
