# test_quit.sh — quitting (the quit command, F10, Ctrl-D) from running,
# paused and finished states returns to the shell with exit status 0, the
# terminal exactly as it was, and no process or System V object left.
. "$(dirname "$0")/lib.sh"

start_shell 120 40

# one_quit LABEL KEYS... : start, capture pids and ids, quit, verify
one_quit() {
  local label="$1"
  shift
  launch run sem rounds=50
  check "$label: the dashboard starts" wait_for_re 'semid [0-9]+'
  wait_for_re '[0-9]+ +worker-4 ' >/dev/null
  note_pids
  local ids
  mapfile -t ids < <(screen_ids)
  check "$label: the run's objects exist (${ids[*]})" test "${#ids[@]}" -ge 2
  "$@"
  check "$label: back at the shell with status 0" wait_for 'ipcplay-rc=0'
  check "$label: no process of ours is left" eventually 5 none_alive
  check "$label: the semaphore set and segment are gone" ids_gone "${ids[@]}"
  check "$label: no segment created by our pids is left" no_shm_of_ours
  check "$label: the dashboard is gone from the screen" wait_gone 'PROCESSES'
  check "$label: the terminal settings are restored" terminal_restored
  t send-keys -l -- 'clear'
  t send-keys Enter
}

quit_cmd() { type_keys 'quit' Enter; }
quit_f10() { t send-keys F10; }
quit_ctrl_d() { t send-keys C-d; }
quit_paused() { type_keys 'pause' Enter; wait_for ' PAUSED ' >/dev/null; type_keys 'quit' Enter; }
quit_overlay() { t send-keys F1; wait_for 'Commands (type at the prompt' >/dev/null; t send-keys F10; }

one_quit "quit" quit_cmd
one_quit "F10" quit_f10
one_quit "Ctrl-D" quit_ctrl_d
one_quit "quit while paused" quit_paused
one_quit "F10 with the help open" quit_overlay

# From the finished state: a short run ends, the dashboard stays, then quit.
launch run sem workers=2 rounds=1 hold=50ms think=0ms
check "a short run ends: DONE" wait_for ' DONE '
note_pids
check "the final checks stay on screen" wait_for_re 'mutual_exclusion ok.*no_lost_updates ok'
check "the dashboard stays open after the run" wait_for 'the run is over'
type_keys 'quit' Enter
check "quit after DONE: status 0" wait_for 'ipcplay-rc=0'
check "quit after DONE: nothing left" eventually 5 none_alive
finish
