# test_semval.sh — the semaphore panel's semval column against the kernel:
# values set from outside (semctl SETVAL, as another program could) up to
# SEMVMX (32767) show whole, apart from semncnt, and agree with
# `ipcs -s -i SEMID` — 1169 with semncnt 0 once read as `11690`.
. "$(dirname "$0")/lib.sh"
command -v perl >/dev/null || { echo "perl is needed to set a semaphore's value" >&2; exit 2; }

start_shell 120 40
launch run sem rounds=50
check "the dashboard starts" wait_for_re 'semid [0-9]+'
note_pids
semid="$(screen | grep -oE 'semid [0-9]+' | head -1 | cut -d' ' -f2)"
type_keys 'pause' Enter
check "paused: the workers wait at the gate" wait_for ' PAUSED '

# set_val N: SETVAL (16 on Linux) on semaphore 0 of the run's set
set_val() { perl -e 'semctl($ARGV[0], 0, 16, $ARGV[1]) or die "semctl: $!\n"' "$semid" "$1"; }

# the kernel's own row for semaphore 0: "value ncount zcount"
ipcs_row() { ipcs -s -i "$semid" | awk '$1 == "0" && NF >= 4 { print $2, $3, $4; exit }'; }

# the panel's row for semaphore 0 shows exactly what ipcs says
panel_agrees() {
  local v n z
  read -r v n z < <(ipcs_row) || return 1
  screen | grep -qE "│ +0 +[^ 0-9]+ +$v +$n +$z +[0-9]+ "
}

# a first value wakes whoever sleeps in P (they take one each and stop at
# the gate); after that the values set stay as set
set_val 5000
check "a first value: the panel agrees with ipcs -s -i ($(ipcs_row))" eventually 10 panel_agrees
for val in 1169 9999 32767; do
  set_val "$val"
  check "semval $val: the panel agrees with ipcs -s -i ($(ipcs_row))" eventually 10 panel_agrees
  check "semval $val: shown whole, apart from semncnt" wait_for_re "│ +0 +[^ 0-9]+ +$val +0 +"
done

type_keys 'quit' Enter
check "quit returns to the shell" wait_for 'ipcplay-rc='
check "nothing left" eventually 5 none_alive
finish
