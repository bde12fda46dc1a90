#!/bin/sh
# Every language in po/LINGUAS is complete against the current sources (TAP):
# the template is made afresh from po/POTFILES.in, merged into the .po
# without fuzzy matching, and msgfmt -c must count only translated messages;
# the .po itself has no fuzzy or obsolete entries, the right number of plural
# forms, and uses the product's vocabulary (../shared/seeds) for markers and
# annotations.
set -u
. "$(dirname "$0")/../tap.sh"
top=$1
here=$(cd "$(dirname "$0")" && pwd)
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT

files=$(grep -v '^#' "$top/po/POTFILES.in" | sed '/^$/d')
# shellcheck disable=SC2046,SC2086
(cd "$top" && xgettext $(cat "$here/xgettext-args") --package-name=redline -o "$scratch/redline.pot" $files)
total=$(msgattrib --no-obsolete "$scratch/redline.pot" | grep -c '^msgid ')
total=$((total - 1))
if [ "$total" -gt 100 ]; then ok "the template has $total messages"; else not_ok "the template has only $total messages"; fi

# plural forms each language must have
nplurals_of () {
  case $1 in
    pl) echo 3 ;;
    *) echo 2 ;;
  esac
}
# a stem of the seeds' word for a marker, then for an annotation
vocabulary_of () {
  case $1 in
    it) echo "marcator annotazion" ;;
    pt_BR) echo "marcador anota" ;;
    pl) echo "znacznik adnotac" ;;
    da) echo "markør annoter" ;;
    *) echo "" ;;
  esac
}

for lang in $(sed 's/#.*//' "$top/po/LINGUAS"); do
  po="$top/po/$lang.po"
  if [ ! -f "$po" ]; then
    not_ok "$lang: po/$lang.po is missing"
    continue
  fi

  msgfmt -c --check-accelerators=_ -o /dev/null "$po" > "$scratch/out" 2>&1
  status=$?
  [ -s "$scratch/out" ] && sed 's/^/# /' "$scratch/out"
  if [ $status -eq 0 ] && [ ! -s "$scratch/out" ]; then ok "$lang: msgfmt -c passes without a warning"; else not_ok "$lang: msgfmt -c"; fi

  msgmerge --quiet --no-fuzzy-matching -o "$scratch/$lang.po" "$po" "$scratch/redline.pot"
  stats=$(msgfmt -c --statistics -o /dev/null "$scratch/$lang.po" 2>&1)
  echo "# $lang: $stats"
  case $stats in
    "$total translated messages.") ok "$lang: all $total messages translated, none fuzzy" ;;
    *) not_ok "$lang: $stats (want $total translated messages, 0 fuzzy, 0 untranslated)" ;;
  esac

  ! grep -q '^#, .*fuzzy' "$po"
  check $? "$lang: no fuzzy entry in the file"
  ! grep -q '^#~' "$po"
  check $? "$lang: no obsolete entry in the file"

  want=$(nplurals_of "$lang")
  grep -q "^\"Plural-Forms: nplurals=$want;" "$po"
  check $? "$lang: Plural-Forms has nplurals=$want"
  # every plural message has exactly that many forms
  forms=$(msgattrib --no-obsolete "$scratch/$lang.po" | awk -v want="$want" '
    /^msgid_plural/ { inplural = 1; count = 0; next }
    inplural && /^msgstr\[[0-9]+\]/ { count++ }
    inplural && /^$/ { if (count != want) bad++; inplural = 0 }
    END { if (inplural && count != want) bad++; print bad + 0 }')
  check "$forms" "$lang: every plural message has $want forms"

  # Vocabulary: each message about a marker says the seeds' word for it.
  set -- $(vocabulary_of "$lang")
  for pair in "marker:$1" "annotation:$2"; do
    english=${pair%%:*}
    stem=${pair#*:}
    MSGEXEC_STEM=$stem MSGEXEC_WORD=$english msgexec -i "$scratch/$lang.po" sh -c '
      [ -z "$MSGEXEC_MSGID" ] && exit 0
      printf "%s" "$MSGEXEC_MSGID" | grep -qiw "$MSGEXEC_WORD" || exit 0
      if ! grep -qi "$MSGEXEC_STEM"; then
        printf "%s\n" "$MSGEXEC_MSGID"
      fi' > "$scratch/misses" 2>/dev/null
    if [ -s "$scratch/misses" ]; then
      sed "s/^/# without “$stem”: /" "$scratch/misses"
      not_ok "$lang: messages with “$english” say “$stem…”"
    else
      ok "$lang: messages with “$english” say “$stem…”"
    fi
  done
done

tap_end
