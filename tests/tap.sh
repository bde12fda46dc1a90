# tap.sh — what the shell tests share: TAP lines, counted.
#
#   . "$(dirname "$0")/../tap.sh"
#   ok "what holds";  not_ok "what does not" "detail line" …
#   check STATUS "what"   (ok when STATUS is 0)
#   tap_end                (the plan; the script's exit status)
#
# SPDX-License-Identifier: GPL-3.0-or-later

tap_n=0
tap_failed=0

ok () {
  tap_n=$((tap_n + 1))
  echo "ok $tap_n - $1"
}

not_ok () {
  tap_n=$((tap_n + 1))
  tap_failed=$((tap_failed + 1))
  echo "not ok $tap_n - $1"
  shift
  for line in "$@"; do
    printf '%s\n' "$line" | sed 's/^/# /'
  done
}

check () {
  if [ "$1" = 0 ]; then ok "$2"; else not_ok "$2"; fi
}

tap_end () {
  echo "1..$tap_n"
  [ "$tap_failed" -eq 0 ]
}
