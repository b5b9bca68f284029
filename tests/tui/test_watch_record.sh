# test_watch_record.sh — a watch session of the whole system recorded from
# the dashboard (`watch --record FILE`) replays in the dashboard's watch view
# (`replay FILE`: the system's objects panel, REPLAY in the header) and
# headless; a watch of a program is still refused, before anything starts.
. "$(dirname "$0")/lib.sh"

# The system may have no IPC object at all: make one of our own to watch,
# removed by its id when the test ends.
SEMID=$(ipcmk -S 1 -p 0600 | sed -n 's/^Semaphore id: \([0-9]*\)$/\1/p')
[ -n "$SEMID" ] || { echo "ipcmk -S 1 failed" >&2; exit 2; }
trap 'ipcrm -s "$SEMID" 2>/dev/null; lib_cleanup' EXIT

start_shell 120 40
REC="$TMPD/watch.jsonl.gz"

launch watch --record "$REC"
OBJ=' (sem|msq|shm) +[0-9]+ +0x[0-9a-f]{8} '
check "the watch session shows the system's objects" wait_for_re "$OBJ"
check "the header says it records" wait_for ' REC '
sleep 1
type_keys 'quit' Enter
check "the watch session quits with 0" wait_for 'ipcplay-rc=0'
t send-keys -l -- "clear"; t send-keys Enter

launch replay "$REC"
check "its replay opens with REPLAY in the header" wait_for ' REPLAY '
check "in the watch view: the system's objects" wait_for_re "$OBJ"
type_keys 'quit' Enter
check "the replay quits with 0" wait_for 'ipcplay-rc=0'
t send-keys -l -- "clear"; t send-keys Enter

headless() { "$BIN" replay "$REC" --headless | grep -q '^ *[0-9.]*  watch: [0-9]* of [0-9]* objects shown'; }
check "its headless replay prints the watch lines" headless

"$BIN" watch --headless --record "$TMPD/tree.jsonl" -- /bin/true > /dev/null 2> "$TMPD/err"
rc=$?
refused() { test "$rc" -eq 2 -a ! -e "$TMPD/tree.jsonl" && grep -q 'not recorded yet' "$TMPD/err"; }
check "a watch of a program is refused (not recorded yet)" refused
finish
