#!/usr/bin/env bash
# tests/po.sh — the Chinese translation against the sources as they are now:
# the strings marked for translation are extracted afresh and merged with
# po/zh_CN.po; each one left without a translation is listed, and the test
# fails when there are more of them than po/untranslated-max records (that
# number may only go down; at 0 every string must be translated). It also
# fails when a translation's printf format does not match its msgid's.
# usage: bash tests/po.sh [SOURCE_DIR]
set -u
cd "${1:-$(dirname "$0")/..}" || exit 2
for t in xgettext msgmerge msgfmt msgattrib; do
  command -v "$t" >/dev/null || { echo "po: $t is needed (gettext; script/bootstrap)"; exit 2; }
done
tmp="$(mktemp -d "${TMPDIR:-/tmp}/ipcplay-po.XXXXXX")"
trap 'rm -rf "$tmp"' EXIT
# shellcheck source=../script/po-update
source script/po-update
set +e +o pipefail # po-update's own settings, not this test's
po_extract "$tmp/ipcplay.pot" || { echo "po: xgettext failed"; exit 1; }
msgmerge --quiet --no-fuzzy-matching -o "$tmp/zh_CN.po" po/zh_CN.po "$tmp/ipcplay.pot" ||
  { echo "po: msgmerge failed"; exit 1; }
if ! msgfmt --check-format -o /dev/null "$tmp/zh_CN.po"; then
  echo "po: a translation's format does not match its msgid (above)"
  exit 1
fi
total=$(msgattrib --no-obsolete "$tmp/zh_CN.po" | grep -c '^msgid ')
total=$((total - 1)) # the header
left=$(msgattrib --untranslated --no-obsolete "$tmp/zh_CN.po" | grep -c '^msgid ' || true)
[ "$left" -gt 0 ] && left=$((left - 1))
max=$(tr -dc '0-9' <po/untranslated-max)
echo "po: $((total - left)) of $total strings translated to zh_CN; $left untranslated (allowed: $max)"
if [ "$left" -gt 0 ]; then
  echo "po: untranslated:"
  msgattrib --untranslated --no-obsolete --no-wrap "$tmp/zh_CN.po" | grep '^msgid "' | tail -n +2 |
    sed 's/^msgid /  /' | head -400
fi
if [ "$left" -gt "$max" ]; then
  echo "po: FAIL: $left untranslated strings, more than the $max recorded in po/untranslated-max:"
  echo "po: translate the new ones in po/zh_CN.po (script/po-update merges them in)"
  exit 1
fi
echo "po: ok"
