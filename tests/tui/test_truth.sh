# test_truth.sh — wrong pictures a class would believe: the sem memory view
# labels the bytes where the workers really count (sect[0].counter, taken from
# struct cs_stats); a POSIX object's inspect title names it (never "segment
# -1"); fds are coloured by open file description, not by inode.
. "$(dirname "$0")/lib.sh"

start_shell 120 40
launch run sem workers=2 rounds=50 hold=100ms think=0ms
check "the dashboard starts" wait_for_re 'semid [0-9]+'
note_pids
check "the stats bytes: the section's fields, named as laid out" \
  wait_for_re 'occupancy +max +counter +entries'
# 2 workers x 50 rounds: the counter's 8 bytes (+0x28) read 100 (0x64)
check "... the bytes under 'counter' hold 100" \
  wait_for_re '\+20 +[0-9a-f]{8} +[0-9a-f]{8} +6400000000000000'
check "... and the lock of sem=off at 0x18" wait_for_re '\+18 .*the lock of sem=off'
type_keys 'quit' Enter
check "quit" wait_for 'ipcplay-rc='
check "nothing left" eventually 5 none_alive

t send-keys -l -- 'clear'
t send-keys Enter
launch run shm kind=posix items=50
check "shm kind=posix starts" wait_for 'POSIX'
note_pids
type_keys 'inspect shm' Enter
check "the inspect title names the POSIX object" wait_for_re 'inspect POSIX shared memory /ipcplay-'
check "... never a segment -1" wait_gone 'segment -1' 1
t send-keys Escape
type_keys 'quit' Enter
check "quit" wait_for 'ipcplay-rc='
check "nothing left" eventually 5 none_alive

# fork offset=separate: the child opens shared.txt again, so its fd 4 is
# another open file (own offset) although the inode is the same; fd 5,
# inherited, is one open file in both. Colours (and the bar before a shared
# fd) follow kcmp(KCMP_FILE), not the inode.
t send-keys -l -- 'clear'
t send-keys Enter
launch run fork offset=separate rounds=20
check "fork offset=separate starts" wait_for '5  shared.txt'
note_pids
check "the legend says what a colour means" wait_for 'same colour = one open file (kcmp), not one inode'
check "the inherited fd 5 is marked shared" wait_for '█5  shared.txt'
check "the reopened fd 4 is not (same inode, another open file)" wait_gone '█4  shared.txt' 1
type_keys 'quit' Enter
check "quit" wait_for 'ipcplay-rc='
check "nothing left" eventually 5 none_alive
finish
