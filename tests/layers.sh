#!/usr/bin/env bash
# tests/layers.sh — the layers ARCHITECTURE.md promises, checked on the
# sources: only src/ui includes curses or readline; only main.c includes the
# dashboard; the model and the plan are plain data (they include nothing of
# the engine, the scenarios, the commands or the views); scenarios include no
# engine code. Prints each breach and exits 1 if there is one.
# usage: bash tests/layers.sh [SOURCE_DIR]
set -u
cd "${1:-$(dirname "$0")/..}" || exit 2
bad=0
breach() { echo "layers: $1"; bad=1; }

while IFS= read -r hit; do
  breach "curses or readline outside src/ui: $hit"
done < <(grep -rnE '#[[:space:]]*include[[:space:]]*[<"]([^>"]*/)?(n?curses|readline|history|term|panel|menu|form)\.h' \
           src bench tests --include='*.c' --include='*.h' | grep -v '^src/ui/')

while IFS= read -r hit; do
  breach "the dashboard is included outside src/ui and main.c: $hit"
done < <(grep -rnE '#[[:space:]]*include[[:space:]]*"([^"]*/)?ui/' src --include='*.c' --include='*.h' |
           grep -v -e '^src/ui/' -e '^src/main.c:')

# layer: the folders it must not include
check() {
  local layer=$1 forbidden=$2 hit
  while IFS= read -r hit; do
    breach "src/$layer includes a higher layer: $hit"
  done < <(grep -rnE "#[[:space:]]*include[[:space:]]*\"([^\"]*/)?($forbidden)/" "src/$layer" \
             --include='*.c' --include='*.h')
}
check model 'engine|scenarios|commands|view|ui|plan'
check plan 'engine|scenarios|commands|view|ui|model'
check scenarios 'engine|commands|view|ui'
check engine 'commands|view|ui'

[ "$bad" -eq 0 ] && echo "layers: ok (src/ui alone sees curses and readline; model and plan are plain data)"
exit "$bad"
