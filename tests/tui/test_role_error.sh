# test_role_error.sh — a role that gives up ends the run in the dashboard
# too: with kernel.msgmax lowered to 16 (inside a private IPC namespace of
# this test's own, never on the host) both senders fail msgsnd with EINVAL;
# the story names the role, the call, its errno and the limit, the run ends
# (the header says ERROR, processes gone) and its checks are pending, not
# ok; quit then exits 3, a runtime error, as a headless run would.
. "$(dirname "$0")/lib.sh"

if ! unshare -i true 2>/dev/null; then
  echo "skip: no private IPC namespace (needs root)"
  exit 0
fi

# the dashboard is up and has no child left (workers killed, reaped)
no_workers() {
  local d
  d="$(dashboard_pid)"
  [ -n "$d" ] && ! pgrep -P "$d" >/dev/null
}

start_shell 160 40
# unshare runs sh only once the namespace is private: the limit never
# reaches the host.
t send-keys -l -- "clear; unshare -i sh -c 'echo 16 > /proc/sys/kernel/msgmax && exec \"$BIN\" run msgq'; echo ipcplay-rc=\$?"
t send-keys Enter
check "the dashboard starts" wait_for_re 'msqid [0-9]+|PROCESSES'
note_pids
check "the story: a sender gives up, naming the call and errno" \
  wait_for_re 'sender-[12].*gives up.*msgsnd\(type [0-9]\) failed: EINVAL'
check "the story: the limit that caused it" wait_for 'longer than kernel.msgmax (16)'
check "the story: the run ends" wait_for 'ipcplay ends the run'
check "the run is over, as an error: ERROR" wait_for ' ERROR '
check "no check is ok about messages never sent" wait_for 'every_message_once pending'
check "no receiver is left asleep" eventually 5 no_workers
type_keys 'quit' Enter
check "back at the shell: exit status 3, a runtime error" wait_for 'ipcplay-rc=3'
check "nothing left" eventually 5 none_alive
finish
