# test_cast.sh — `ipcplay export FILE --cast OUT`: a short run recorded
# headless, exported with no terminal at all; the header line is JSON with the
# size, event times never go back, there are markers, and the real asciinema
# accepts the file (its `cat` prints the dashboard's text). Bad input: one
# line, exit 2, no OUT written. Needs no tmux server: nothing is on a screen.
. "$(dirname "$0")/lib.sh"

screen() { :; } # lib's bad() prints the screen; there is none here
# ncurses' terminfo loader (libtinfo's _nc_setupterm) keeps a small block
# that delscreen does not give back; under the sanitizer build that is not
# ipcplay's leak, so the leak check is off for the export runs only.
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0"
REC="$TMPD/run.jsonl"
CAST="$TMPD/run.cast"

"$BIN" run sem workers=2 rounds=2 --speed 4 --headless --record "$REC" > /dev/null
check "a short run is recorded" test -s "$REC"

"$BIN" export "$REC" --cast "$CAST" --size 100x30 < /dev/null > "$TMPD/out" 2> "$TMPD/err"
check "export --cast exits 0" test $? -eq 0
check "it prints nothing (the cast is the file)" test ! -s "$TMPD/out" -a ! -s "$TMPD/err"
check "the cast is written" test -s "$CAST"

if command -v python3 > /dev/null; then
  validate() {
    python3 - "$CAST" <<'EOF'
import json, sys
lines = open(sys.argv[1], encoding="utf-8").read().splitlines()
h = json.loads(lines[0])
assert h["version"] == 2 and h["width"] == 100 and h["height"] == 30, h
assert "sem" in h["title"], h
last, kinds = 0.0, set()
for l in lines[1:]:
    t, k, d = json.loads(l)
    assert t >= last, (t, last)
    assert k in ("o", "m") and isinstance(d, str)
    last = t
    kinds.add(k)
assert kinds == {"o", "m"}, kinds
EOF
  }
  check "header JSON with the size; every event JSON, monotonic; o and m events" validate
else
  echo "skip - python3 not installed: the JSON checks"
fi
check "a marker names the check and its verdict" grep -qE '"m", "check [a-z_]+ (ok|FAILED|pending)' "$CAST"
check "a marker names who exited and how" grep -qE '"m", "worker-[0-9]+ (exited with status [0-9]+|died \(SIG[A-Z]+\))' "$CAST"

"$BIN" export "$REC" --cast "$TMPD/fast.cast" --speed 2 < /dev/null
last_time() { tail -1 "$1" | sed 's/^\[\([0-9.]*\),.*/\1/'; }
half() { awk -v a="$(last_time "$CAST")" -v b="$(last_time "$TMPD/fast.cast")" \
           'BEGIN { exit !(b > 0 && b < a * 0.75) }'; }
check "--speed 2 makes it shorter" half
check "default size 120x40" grep -q '"width": 120, "height": 40' "$TMPD/fast.cast"

if command -v asciinema > /dev/null && command -v script > /dev/null; then
  # asciinema 2.2's cat opens /dev/tty: give it one with script(1)
  script -qec "asciinema cat '$CAST'" /dev/null > "$TMPD/cat" 2>&1 < /dev/null
  check "asciinema cat accepts it" test $? -eq 0
  check "asciinema cat shows PROCESSES" grep -aq 'PROCESSES' "$TMPD/cat"
  check "asciinema cat shows mutual_exclusion" grep -aq 'mutual_exclusion' "$TMPD/cat"
  if grep -aq Traceback "$TMPD/cat"; then sed 's/^/| /' "$TMPD/cat" | tail -20; fi
else
  echo "skip - asciinema (or script) not installed: script/bootstrap installs it"
fi

# --- bad input: one line, exit 2, nothing written ---------------------------
refused() { # refused DESCRIPTION OUT ARGS...
  local what="$1" out="$2"
  shift 2
  rm -f "$out"
  "$BIN" "$@" > "$TMPD/out" 2> "$TMPD/err" < /dev/null
  local rc=$?
  check "$what: exit 2" test "$rc" -eq 2
  check "$what: one line" test "$(wc -l < "$TMPD/err")" -eq 1
  check "$what: nothing written" test ! -e "$out"
}
printf 'not a recording\n' > "$TMPD/bad.jsonl"
refused "no such file" "$TMPD/x.cast" export "$TMPD/none.jsonl" --cast "$TMPD/x.cast"
refused "a corrupt file" "$TMPD/x.cast" export "$TMPD/bad.jsonl" --cast "$TMPD/x.cast"
refused "no FILE" "$TMPD/x.cast" export --cast "$TMPD/x.cast"
refused "a bad --size" "$TMPD/x.cast" export "$REC" --cast "$TMPD/x.cast" --size 12x
refused "a --size too small" "$TMPD/x.cast" export "$REC" --cast "$TMPD/x.cast" --size 40x10
refused "--speed max" "$TMPD/x.cast" export "$REC" --cast "$TMPD/x.cast" --speed max
refused "an unwritable OUT" "$TMPD/no/dir/x.cast" export "$REC" --cast "$TMPD/no/dir/x.cast"
mkdir "$TMPD/adir"
"$BIN" export "$REC" --cast "$TMPD/adir" 2> "$TMPD/err"
check "OUT a directory: exit 2" test $? -eq 2
check "the line names it" grep -q 'adir' "$TMPD/err"

finish
