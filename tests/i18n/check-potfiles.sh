#!/bin/sh
# Every source, .ui and data file with a translatable string is listed in
# po/POTFILES.in, and every file listed there exists and has one (TAP).
# The same keywords as meson's i18n 'glib' preset (xgettext-args).
set -u
. "$(dirname "$0")/../tap.sh"
top=$1
here=$(cd "$(dirname "$0")" && pwd)
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT

grep -v '^#' "$top/po/POTFILES.in" | sed '/^$/d' | sort > "$scratch/listed"

# Extract one file's messages; prints how many msgids it has.
count_messages () {
  rm -f "$scratch/one.pot"
  (cd "$top" && xgettext $(cat "$here/xgettext-args") -o "$scratch/one.pot" "$1" 2>"$scratch/err") || {
    echo "error"
    return
  }
  if [ -f "$scratch/one.pot" ]; then
    # the header's empty msgid is not a message
    grep -c '^msgid "..*"\|^msgid ""$' "$scratch/one.pot" | awk '{print $1 - 1}'
  else
    echo 0
  fi
}

(cd "$top" && find src data -type f \( -name '*.c' -o -name '*.h' -o -name '*.ui' \
     -o -name '*.desktop.in*' -o -name '*.metainfo.xml.in*' -o -name '*.gschema.xml' \) | sort) > "$scratch/candidates"

while read -r file; do
  count=$(count_messages "$file")
  listed=no
  grep -qxF "$file" "$scratch/listed" && listed=yes
  if [ "$count" = error ]; then
    not_ok "xgettext could not read $file: $(cat "$scratch/err")"
  elif [ "$count" -gt 0 ] && [ $listed = no ]; then
    not_ok "$file has $count translatable strings and is missing from po/POTFILES.in"
  elif [ "$count" -eq 0 ] && [ $listed = yes ]; then
    not_ok "$file is in po/POTFILES.in but has no translatable strings"
  elif [ "$count" -gt 0 ]; then
    ok "$file: $count strings, listed"
  fi
done < "$scratch/candidates"

while read -r file; do
  if [ ! -f "$top/$file" ]; then
    not_ok "po/POTFILES.in lists $file, which does not exist"
  fi
done < "$scratch/listed"

if [ $tap_n -eq 0 ]; then
  not_ok "no file with translatable strings was found under $top"
fi
tap_end
