# test_lang.sh — the dashboard in Chinese and in English: `--lang zh` at 80x24
# and at 120x40 shows Chinese panel titles, key hints and story lines, every
# screen row fits the terminal by display width (a CJK character takes two
# columns) and every rule reaches the right edge, so borders stay aligned;
# the F1 help fits too; `lang en` switches back. Without --lang (LANG=C.UTF-8)
# everything is English, headless output too; `--lang zh`, LANGUAGE=zh_CN and
# LANG=zh_CN.UTF-8 (even with no such locale installed) give Chinese. A
# breakpoint still meets the story lines when they are Chinese.
. "$(dirname "$0")/lib.sh"

# widest row of the screen, in display columns (wc -L counts wcwidth)
widest() { screen | LC_ALL=C.UTF-8 wc -L; }
fits() { [ "$(widest)" -le "$1" ]; }
# every row holding a horizontal rule (a panel title's line) ends at the
# right edge: a title measured in bytes or characters would end early or late
rules_reach() {
  local w="$1" bad
  bad="$(screen | grep '──' | while IFS= read -r l; do
    n=$(printf '%s\n' "$l" | LC_ALL=C.UTF-8 wc -L)
    [ "$n" -eq "$w" ] || echo "$n: $l"
  done)"
  [ -z "$bad" ] || { echo "rules not $w wide: $bad"; return 1; }
}
# the box drawn over the panels (F1 help): its right border is in one
# column on every row, by display width (perl counts a CJK or fullwidth
# character as two; the ranges are written out, so no Unicode tables are needed)
box_aligned() {
  screen | perl -CSD -Mutf8 -ne '
    # the display column of every character of the row
    my @ch = split //; my ($col, @at) = (0);
    for (@ch) { push @at, $col; $col += /[\x{1100}-\x{115F}\x{2E80}-\x{A4CF}\x{AC00}-\x{D7A3}\x{F900}-\x{FAFF}\x{FE30}-\x{FE4F}\x{FF00}-\x{FF60}\x{FFE0}-\x{FFE6}]/ ? 2 : 1 }
    my $i;
    if (!defined $left) {
      for $i (0 .. $#ch) { if ($ch[$i] eq "┌") { $left = $at[$i]; last } }
      next unless defined $left;
    }
    next if $done;
    # the box left border at $left, then its right border after it
    for $i (0 .. $#ch) {
      next unless $at[$i] == $left && $ch[$i] =~ /[┌│└]/;
      for my $j ($i + 1 .. $#ch) {
        if ($ch[$j] =~ /[┐│┘]/) { $cols{$at[$j]}++; last }
      }
      $done = 1 if $ch[$i] eq "└";
      last;
    }
    END { my @k = keys %cols; print "right borders at columns @k\n" if @k != 1; exit(@k == 1 ? 0 : 1) }'
}
# fits_for W N: no row wider than W and rules at W, in N looks
fits_for() {
  local i=0
  while [ $i -lt "$2" ]; do
    fits "$1" || { echo "a row is $(widest) columns wide"; return 1; }
    rules_reach "$1" || return 1
    sleep 0.1
    i=$((i + 1))
  done
}

start_shell 80 24
launch --lang zh run sem rounds=50
check "80x24 zh: the processes panel is titled in Chinese" wait_for '─ 进程 '
note_pids
check "80x24 zh: the story panel is titled in Chinese" wait_for '─ 故事 '
check "80x24 zh: the key hints are Chinese" wait_for 'F1 帮助'
check "80x24 zh: the header's state badge is Chinese" wait_for_re '运行中|已暂停'
check "80x24 zh: a story line is Chinese" wait_for_re '-> (获得|释放|进入临界区)'
check "80x24 zh: no row wider than 80 columns, every rule reaches the edge" fits_for 80 20
t send-keys F1
check "80x24 zh: F1 help in Chinese" wait_for '─ 帮助 '
check "80x24 zh: the help fits 80 columns" fits 80
check "80x24 zh: the help box's right border is straight" box_aligned
t send-keys Escape
check "80x24 zh: help closed" wait_gone '─ 帮助 '

t resize-window -x 120 -y 40
check "120x40 zh: the semaphore panel is titled in Chinese" wait_for '信号量集'
check "120x40 zh: critical section in the chapter's words" wait_for '临界区'
check "120x40 zh: no row wider than 120 columns, every rule reaches the edge" fits_for 120 20
type_keys 'break on block' Enter
check "zh: a breakpoint meets a Chinese story line (block) and pauses" wait_for "断点 'block'："
check "zh: the header says paused" wait_for '已暂停'
type_keys 'break clear' Enter
type_keys 'run msgq' Enter
check "120x40 zh msgq: the queue panel is titled in Chinese" wait_for '消息队列'
check "120x40 zh msgq: fits" fits_for 120 20
t send-keys F1
check "120x40 zh: F1 help" wait_for '─ 帮助 '
check "120x40 zh: the help box's right border is straight" box_aligned
t send-keys Escape
t send-keys F2
check "120x40 zh: the scenario picker in Chinese" wait_for '─ 场景 '
check "120x40 zh: the picker fits and its border is straight" eval 'fits 120 && box_aligned'
t send-keys Escape
type_keys 'lang en' Enter
check "lang en: the panels are English again" wait_for '─ PROCESSES '
check "lang en: the key hints are English again" wait_for 'F1 Help'
type_keys 'quit' Enter
check "quit returns to the shell" wait_for 'ipcplay-rc='
check "nothing left" eventually 5 none_alive

# English by default, at both sizes
stop_server
start_shell 120 40
launch run sem rounds=50
check "120x40 en: English titles by default" wait_for '─ PROCESSES '
note_pids
check "120x40 en: English story" wait_for 'STORY'
no_cjk() { ! screen | grep -qP '[\x{4e00}-\x{9fff}]'; }
check "120x40 en: not one Chinese character" no_cjk
check "120x40 en: fits" fits_for 120 10
t resize-window -x 80 -y 24
check "80x24 en: fits" fits_for 80 10
type_keys 'quit' Enter
check "quit returns to the shell" wait_for 'ipcplay-rc='
check "nothing left" eventually 5 none_alive

# Headless and list: English unless asked, Chinese when asked by flag or locale
clean_env=(env -u LC_ALL -u LC_MESSAGES -u LANGUAGE)
out="$("${clean_env[@]}" LANG=C.UTF-8 "$BIN" list sem)"
check "list: English by default" grep -q 'what to watch' <<<"$out"
out="$("${clean_env[@]}" LANG=C.UTF-8 "$BIN" --lang zh list sem)"
check "list --lang zh: Chinese what to watch, chapter's terms" grep -q '看点：.*信号量' <<<"$out"
out="$("${clean_env[@]}" LANG=C.UTF-8 LANGUAGE=zh_CN "$BIN" list sem)"
check "LANGUAGE=zh_CN: Chinese" grep -q '看点' <<<"$out"
out="$("${clean_env[@]}" LANG=zh_CN.UTF-8 "$BIN" list sem 2>&1)"
check "LANG=zh_CN.UTF-8 (installed or not): Chinese" grep -q '看点' <<<"$out"
out="$("${clean_env[@]}" LANG=zh_CN.UTF-8 "$BIN" --lang en list sem 2>&1)"
check "LANG=zh_CN.UTF-8 --lang en: English" grep -q 'what to watch' <<<"$out"
out="$("${clean_env[@]}" LANG=C.UTF-8 "$BIN" --lang fr list 2>&1)"; rc=$?
check "--lang fr: refused with one line naming what is accepted" \
  eval '[ $rc -eq 2 ] && grep -q "accepted zh (Chinese) or en (English)" <<<"$out"'
out="$("${clean_env[@]}" LANG=C.UTF-8 "$BIN" run sem workers=2 rounds=1 --headless --speed max)"
check "headless: English by default" grep -q '^check: mutual_exclusion ok' <<<"$out"
out="$("${clean_env[@]}" LANG=C.UTF-8 "$BIN" --lang zh run sem workers=2 rounds=1 --headless \
  --speed max)"
check "headless --lang zh: Chinese checks and story" \
  eval 'grep -q "^检查：mutual_exclusion 通过" <<<"$out" && grep -q "进入临界区" <<<"$out"'
finish
