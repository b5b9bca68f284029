# test_kill.sh — the dashboard killed from outside: kill -9 leaves nothing
# behind after 2 s (the guardian removes the objects, its workers die with it)
# and the terminal is usable again; SIGTERM, SIGINT and SIGHUP sent with kill
# make it clean up, restore the terminal and exit 128+N. Typing Ctrl-C in the
# dashboard only clears the line (see test_console.sh).
. "$(dirname "$0")/lib.sh"

start_shell 120 40

start_run() {
  launch run sem rounds=50
  check "$1: the dashboard starts" wait_for_re 'semid [0-9]+'
  wait_for_re '[0-9]+ +worker-4 ' >/dev/null
  note_pids
  mapfile -t IDS < <(screen_ids)
  DASH="$(dashboard_pid)"
  check "$1: found the dashboard pid ($DASH) and its objects (${IDS[*]})" \
    test -n "$DASH" -a "${#IDS[@]}" -ge 2
}

gone_all() { none_alive && ids_gone "${IDS[@]}" && no_shm_of_ours; }

start_run "kill -9"
kill -9 "$DASH"
check "kill -9: every process and object is gone within 2 s" within_tenths 20 gone_all
check "kill -9: the shell is back (status 137)" wait_for 'ipcplay-rc=137'
check "kill -9: the terminal is usable and restored" terminal_restored
t send-keys -l -- 'clear'
t send-keys Enter

for sig in TERM INT HUP; do
  start_run "kill -$sig"
  kill -"$sig" "$DASH"
  case $sig in TERM) n=143 ;; INT) n=130 ;; HUP) n=129 ;; esac
  check "kill -$sig: exits with status $n" wait_for "ipcplay-rc=$n"
  check "kill -$sig: says what happened in one line" wait_for "ipcplay: stopped by SIG$sig; every process and object of the run was removed"
  check "kill -$sig: nothing left" eventually 5 gone_all
  check "kill -$sig: the terminal is restored" terminal_restored
  t send-keys -l -- 'clear'
  t send-keys Enter
done
finish
