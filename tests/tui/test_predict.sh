# test_predict.sh — predict on: a breakpoint asks one question about the next
# step, the answer typed (a lone word, or answer X) is checked when the step
# happens, the story says right or wrong, `predict` alone shows the score and
# the run's end tells it.
. "$(dirname "$0")/lib.sh"

start_shell 120 40
launch run sem workers=3 rounds=1 hold=1s think=0ms paused
check "starts paused" wait_for ' PAUSED '
note_pids
type_keys 'predict on' Enter
check "predict on says what it does" wait_for 'predict on: at each breakpoint'
type_keys 'answer worker-1' Enter
check "an answer with no question is refused in one line" wait_for 'no question is open'
type_keys 'break on block' Enter
type_keys 'resume' Enter
check "a block pauses the run and a question is asked" \
  wait_for_re 'who passes P\(sem 0\) next\? \(answer NAME or PID\)'
type_keys 'maybe so' Enter
type_keys 'answer maybe so' Enter
check "two words are not one process" wait_for 'answer one process'
type_keys 'nobody-9' Enter
check "a lone word is taken as the answer" wait_for 'your answer: nobody-9'
type_keys 'break clear' Enter
type_keys 'resume' Enter
check "the step tells it: wrong, and who it was" wait_for_re 'wrong: you said nobody-9, it was worker-[0-9]'
type_keys 'predict' Enter
check "predict alone: the score" wait_for_re 'predict on; score: 0 right, 1 wrong, 0 unanswered of [1-9]'
check "the run's end tells the score" wait_for_re 'score: 0 right, 1 wrong'
type_keys 'predict maybe' Enter
check "a bad value is one line naming the accepted" wait_for "bad predict 'maybe': accepted on, off"
type_keys 'quit' Enter
check "quit" wait_for 'ipcplay-rc='
check "nothing left" eventually 5 none_alive
finish
