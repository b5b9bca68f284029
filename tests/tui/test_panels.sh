# test_panels.sh — the dashboard opens at 120x40 with every panel, header,
# hint line and prompt; at 80x24 it is still complete (the panels stack).
. "$(dirname "$0")/lib.sh"

start_shell 120 40
launch
check "the dashboard draws the processes panel" wait_for 'PROCESSES'
note_pids
check "four workers by default" wait_for 'worker-4'
check "a worker is asleep in semtimedop, as the kernel says" wait_for 'semtimedop(sem 0, -1)'
check "the semaphore's waiters are named" wait_for 'asleep in P: worker'
check "the semaphore set panel" wait_for 'SEMAPHORE SET'
check "the critical section panel" wait_for 'CRITICAL SECTION'
check "the shared memory panel" wait_for 'SHARED MEMORY'
check "the story panel" wait_for 'STORY'
check "the header names the scenario and says RUNNING" wait_for_re 'ipcplay +sem .*RUNNING'
check "the header shows the checks" wait_for 'mutual_exclusion'
check "the key hints" wait_for 'F1 Help'
prompt_at_bottom() { screen | tail -1 | grep -q '^ipcplay> '; }
check "the prompt on the bottom line" eventually "$TIMEOUT" prompt_at_bottom
check "the story tells what happens" wait_for 'acquired'

t resize-window -x 80 -y 24
check "at 80x24 the processes are still shown" wait_for_re 'worker-1 +[RSDTZ-]'
check "at 80x24 the semaphore is still shown" wait_for 'semncnt'
check "at 80x24 the critical section is still shown" wait_for 'critical section:'
check "at 80x24 the story is still shown" wait_for 'STORY'
check "at 80x24 the hints are still shown" wait_for 'F10 Quit'

type_keys 'quit' Enter
check "quit returns to the shell" wait_for 'ipcplay-rc=0'
finish
