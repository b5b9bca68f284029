# test_overlay.sh — the help (F1), scenarios (F2) and inspect windows at
# 80x24 wrap their long lines under their last column instead of cutting
# them: every word of a command's summary, a parameter's meaning and a
# scenario's "watch" text can be read on a small terminal. At 120x40 the
# same lines fit on one row each.
. "$(dirname "$0")/lib.sh"

start_shell 80 24
launch run sem rounds=50
check "the dashboard starts" wait_for 'PROCESSES'
note_pids

cut_words() { screen | grep -E '[[:alnum:])(]…'; }
nothing_cut() { [ -z "$(cut_words)" ]; }

t send-keys F1
check "80x24 F1: the help opens" wait_for 'Commands (type at the prompt'
check "80x24 F1: a long summary continues on the next row, under its column" \
  wait_for_re '│ {34}then pause +│'
check "80x24 F1: nothing in it is cut" nothing_cut
t send-keys NPage
# the commands grew (break, step ROLE, the hand's calls, predict): several
# pages may come before the keys
for _ in 1 2 3 4 5 6; do
  wait_for 'Keys' 2 >/dev/null && break
  t send-keys NPage
done
check "80x24 F1: PgDn pages through the wrapped rows" wait_for 'Keys'
check "80x24 F1: nothing cut on the next page" nothing_cut
t send-keys Escape
check "Esc closes it" wait_gone 'Commands (type at the prompt'

t send-keys F2
check "80x24 F2: the scenarios open" wait_for_re 'sem +workers contend'
check "80x24 F2: a parameter's meaning wraps under the meaning column" \
  wait_for_re '│ +read and write\) +│'
check "80x24 F2: nothing cut" nothing_cut
t send-keys Down
check "80x24 F2: Down moves to the next scenario (its first row on top)" \
  wait_for_re '│ fork +fork returns twice'
t send-keys Enter
check "Enter puts its run command at the prompt" wait_for_re 'ipcplay> run fork $'
t send-keys C-c
t send-keys F2
check "F2 again" wait_for_re 'sem +workers contend'
t send-keys NPage NPage NPage
check "PgDn pages on" wait_gone 'sem  workers contend'
# the highlighted scenario is one on the page: Enter picks it
picked_shown() {
  local name
  name=$(screen | tail -1 | sed -n 's/^ipcplay> run \([a-z]*\) *$/\1/p')
  [ -n "$name" ] && return 0
  return 1
}
page_names() { screen | grep -oE '^ .│ [a-z]+  ' | awk '{print $2}'; }
on_page="$(page_names | tr '\n' ' ')"
t send-keys Enter
check "Enter after PgDn picks a scenario shown on the page ($on_page)" eventually 5 picked_shown
picked="$(screen | tail -1 | sed -n 's/^ipcplay> run \([a-z]*\) *$/\1/p')"
check "... it was on the page" test -n "$picked" -a -z "${on_page##*$picked*}"
t send-keys C-c

t resize-window -x 120 -y 40
t send-keys F1
check "120x40 F1: a summary fits on its row" \
  wait_for_re 'step \[ROLE\|PID\] \[N\] +let exactly N ops happen \(default 1\), then pause'
t send-keys Escape
check "Esc closes it" wait_gone 'let exactly N ops happen (default 1)'

# Esc and the keys after it in one write (a fast typist, a script): the
# window closes and the keys reach the prompt, not readline as Alt-keys
t send-keys F2
check "F2 opens the scenarios again" wait_for_re 'sem +workers contend'
t send-keys Escape c l e a r
check "Esc then typing at once: the window closes" wait_gone 'workers contend'
check "... and what was typed is at the prompt, whole" wait_for_re 'ipcplay> clear *$'
t send-keys C-c

type_keys 'quit' Enter
check "quit returns to the shell" wait_for 'ipcplay-rc=0'
check "nothing left" eventually 5 none_alive
finish
