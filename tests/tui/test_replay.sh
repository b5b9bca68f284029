# test_replay.sh — a recording in the dashboard: a live run recorded to its
# end and its replay played to the end show the same screen (header, checks,
# processes); stepping back works in the replay and in a live run (which goes
# on meanwhile); `record` in the console writes a file that replays; a bad
# file gets one line and exit 2.
. "$(dirname "$0")/lib.sh"

start_shell 120 40
REC="$TMPD/run.jsonl"

# --- bad input: one clear line, exit 2, before any terminal mode ------------
printf 'not a recording\n' > "$TMPD/bad.jsonl"
launch replay "$TMPD/bad.jsonl"
check "a corrupt file: one line naming it, exit 2" wait_for 'ipcplay-rc=2'
check "the line names the file" wait_for "bad.jsonl"
t send-keys -l -- "clear"; t send-keys Enter

# --- a live run, recorded, to its end ----------------------------------------
launch run sem rounds=2 --speed 4 --record "$REC"
check "the live run ends" wait_for ' DONE '
sleep 0.5
# header line, params, checks; then the processes panel (the objects' little
# graphs are the view's own history and are left out)
panes() { awk 'NR <= 3 { print; next } /^─ PROCESSES/ { on = 1 } /^─ STORY/ { on = 0 } on' | cut -c1-64 | sed 's/ *$//'; }
screen | panes > "$TMPD/live.txt"
type_keys 'quit' Enter
check "the live run quits" wait_for 'ipcplay-rc=0'
t send-keys -l -- "clear"; t send-keys Enter

# --- its replay, played to its end -------------------------------------------
launch replay "$REC"
check "the replay opens with REPLAY in the header" wait_for ' REPLAY '
type_keys 'speed 16' Enter
check "it plays to its end" wait_for_re 'REPLAY  paused .* op ([0-9]+)/\1 '
screen | awk 'NR == 4 { next } { print }' | panes > "$TMPD/replay.txt"
check "the replay's screen at the end is the live one" cmp -s "$TMPD/live.txt" "$TMPD/replay.txt"
if ! cmp -s "$TMPD/live.txt" "$TMPD/replay.txt"; then diff "$TMPD/live.txt" "$TMPD/replay.txt"; fi

ops_at() { screen | sed -n 4p | grep -oE 'op [0-9]+/' | grep -oE '[0-9]+'; }
ops_is() { [ "$(ops_at)" = "$1" ]; }
before="$(ops_at)"
t send-keys S-F4
check "Shift-F4 steps one op back" eventually 5 ops_is "$((before - 1))"
type_keys 'back 3' Enter
check "back 3 goes three more" eventually 5 ops_is "$((before - 4))"
t send-keys F4
check "F4 steps forward" eventually 5 ops_is "$((before - 3))"
type_keys 'seek op 5' Enter
check "seek op 5" eventually 5 ops_is "5"
t send-keys Home
check "Home goes to the start" eventually 5 ops_is "0"
type_keys 'inspect sem' Enter
check "inspect works in a replay (from the model)" wait_for 'semid'
t send-keys Escape
type_keys 'quit' Enter
check "the replay quits with 0" wait_for 'ipcplay-rc=0'
check "the terminal is restored" terminal_restored
t send-keys -l -- "clear"; t send-keys Enter

# --- going back in a live run; record from the console -----------------------
launch run sem rounds=50
no_timeline_row() { ! screen | grep -qE ' (LIVE|REPLAY|PAST) '; }
check "ops happen" wait_for 'acquired'
check "a live run keeps its records without a timeline row" no_timeline_row
type_keys 'back 2' Enter
check "back shows the past, saying how far behind live" wait_for_re 'PAST  [0-9.]+ s behind live'
live_ops() { screen | head -1 | grep -oE 'ops [0-9]+' | grep -oE '[0-9]+'; }
a="$(live_ops)"
sleep 1
still_past() { [ "$(live_ops)" = "$a" ] && screen | grep -q "behind live"; }
check "the view stays in the past while the run goes on" still_past
t send-keys End
check "End returns to live: the row goes" eventually 5 no_timeline_row
type_keys "record $TMPD/live.jsonl.gz" Enter
check "record shows REC" wait_for ' REC '
type_keys 'speed 2' Enter
check "a command typed while recording is in the story" wait_for_re 'you +speed 2'
type_keys 'record stop' Enter
check "record stop says where the file is" wait_for 'recording stopped'
type_keys 'quit' Enter
check "the live run quits" wait_for 'ipcplay-rc='
replays() { "$BIN" replay "$TMPD/live.jsonl.gz" --headless > /dev/null; }
check "the console's recording replays" replays
typed_echoed() { "$BIN" replay "$TMPD/live.jsonl.gz" --headless | grep -qE '^ *[0-9.]+  you +speed 2$'; }
check "its headless replay echoes the typed command at its moment" typed_echoed
typed_marker() {
  ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" \
    "$BIN" export "$TMPD/live.jsonl.gz" --cast "$TMPD/live.cast" < /dev/null &&
    grep -q '"m", "typed: speed 2 (' "$TMPD/live.cast"
}
check "the typed command is a marker that says it" typed_marker
finish
