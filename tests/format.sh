#!/usr/bin/env bash
# tests/format.sh — every C file of the project matches .clang-format (the
# pinned style). Prints each file that does not, with the command that fixes
# it, and exits 1; exits 0 when all match.
# usage: bash tests/format.sh [SOURCE_DIR]
set -u
cd "${1:-$(dirname "$0")/..}" || exit 2
cf=$(command -v clang-format-14 || command -v clang-format) || {
  echo "format: clang-format is not installed (script/bootstrap installs it)"; exit 1; }
bad=0
while IFS= read -r f; do
  if ! "$cf" --dry-run -Werror "$f" >/dev/null 2>&1; then
    echo "format: $f does not match .clang-format (fix: $cf -i $f)"
    bad=1
  fi
done < <(git ls-files -- 'src/*.c' 'src/*.h' 'tests/*.c' 'tests/*.h' 'bench/*.c' 2>/dev/null ||
         find src tests bench -name '*.[ch]')
[ "$bad" -eq 0 ] && echo "format: every C file matches .clang-format"
exit "$bad"
