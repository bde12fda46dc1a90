#!/bin/sh
# The Flatpak manifests (flatpak/*.json), read as flatpak-builder reads them:
# each parses cleanly, names only paths that exist, builds the app alone
# (no md4c: it renders the server's text model of a page), grants exactly the allowed permissions (among them
# logind's name on the system bus, for PrepareForSleep; no notification
# service: notifications go through the portal), and its config-opts build and
# install exactly the app under the manifest's id — nothing else; its desktop
# file is named after the app id and says the app notifies.
#
#   test-flatpak.sh SOURCE_ROOT SCRATCH_DIR MANIFEST_QUERY
#
# The scratch builds (one per manifest, under SCRATCH_DIR) are kept between
# runs and rebuilt only when the manifest's options change, so only the first
# run compiles the app; every run installs into a fresh DESTDIR.
#
# SPDX-License-Identifier: GPL-3.0-or-later
set -u
. "$(dirname "$0")/../tap.sh"

src=$1
scratch=$2
query=$3

allowed_finish_args='--device=dri
--share=ipc
--share=network
--socket=fallback-x11
--socket=wayland
--system-talk-name=org.freedesktop.login1'
screenshot_base='https://raw.githubusercontent.com/redline/redline/main/'
gettext_package=redline
schema_id=io.github.redline.Redline
tmp=$(mktemp -d "${TMPDIR:-/tmp}/redline-flatpak-test.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT

# Two runs of the suite at once (two people, one build directory) would
# set up and remove the same scratch builds under each other.
mkdir -p "$scratch"
exec 9> "$scratch/.lock"
flock 9

same_lines () {
  # same_lines EXPECTED ACTUAL: both as sorted sets; prints the difference
  printf '%s\n' "$1" | sort > "$tmp/expected"
  printf '%s\n' "$2" | sort > "$tmp/actual"
  diff -u "$tmp/expected" "$tmp/actual"
}

manifests=$(ls "$src"/flatpak/*.json 2>/dev/null)
if [ -z "$manifests" ]; then
  not_ok "flatpak/ holds manifests" "no flatpak/*.json"
fi

for manifest in $manifests; do
  name=$(basename "$manifest" .json)
  dir=$(dirname "$manifest")
  shown="$tmp/$name.shown.json"

  # flatpak-builder warns (and still exits 0) about unknown or mistyped keys.
  if flatpak-builder --show-manifest "$manifest" > "$shown" 2> "$tmp/stderr" && [ ! -s "$tmp/stderr" ]; then
    ok "$name: flatpak-builder --show-manifest reads it without a word on stderr"
  else
    not_ok "$name: flatpak-builder --show-manifest reads it without a word on stderr" "$(cat "$tmp/stderr")"
    continue
  fi

  id=$("$query" "$shown" id)
  if [ "$id" = "$name" ]; then
    ok "$name: the file is named after its app id"
  else
    not_ok "$name: the file is named after its app id" "app id: $id"
  fi
  case "$id" in
    io.github.redline.Redline | io.github.redline.Redline.Devel) ok "$name: the app id is Redline's or its Devel one" ;;
    *) not_ok "$name: the app id is Redline's or its Devel one" "app id: $id" ;;
  esac

  command=$("$query" "$shown" command)
  if [ "$command" = redline ]; then
    ok "$name: the command is redline"
  else
    not_ok "$name: the command is redline" "command: $command"
  fi

  missing=""
  for path in $("$query" "$shown" local-paths); do
    case "$path" in
      /*) missing="$missing $path (absolute)" ;;
      *) [ -e "$dir/$path" ] || missing="$missing $path" ;;
    esac
  done
  if [ -z "$missing" ]; then
    ok "$name: every local path it names exists next to it"
  else
    not_ok "$name: every local path it names exists next to it" "missing:$missing"
  fi

  # The app renders the text model the server computed: it needs no md4c.
  modules=$("$query" "$shown" modules | tr '\n' ' ')
  if [ "$modules" = "redline " ]; then
    ok "$name: it builds redline alone"
  else
    not_ok "$name: it builds redline alone" "modules: $modules"
  fi

  redline_src=$("$query" "$shown" sources redline)
  if [ "$(printf '%s\n' "$redline_src" | cut -f1,2)" = "$(printf 'dir\t..')" ] &&
     [ "$(cd "$dir/.." && pwd)" = "$(cd "$src" && pwd)" ]; then
    ok "$name: redline is built from this checkout"
  else
    not_ok "$name: redline is built from this checkout" "$redline_src"
  fi

  finish=$("$query" "$shown" finish-args)
  if diff_out=$(same_lines "$allowed_finish_args" "$finish") &&
     [ "$(printf '%s\n' "$finish" | sort -u | wc -l)" -eq "$(printf '%s\n' "$finish" | wc -l)" ]; then
    ok "$name: finish-args are exactly network, ipc, wayland, fallback-x11, dri, logind on the system bus"
  else
    not_ok "$name: finish-args are exactly network, ipc, wayland, fallback-x11, dri, logind on the system bus" "$diff_out"
  fi

  # GNotification goes through the portal inside the sandbox; a name of a
  # notification service (or the whole bus) would let it go around it.
  direct=$(printf '%s\n' "$finish" |
           grep -E -e '^--(system-)?(talk|own)-name=(org\.freedesktop\.Notifications|org\.gtk\.Notifications|org\.gnome\.Shell|org\.kde\.StatusNotifier)' \
                   -e '^--socket=(session|system)-bus$')
  if [ -z "$direct" ]; then
    ok "$name: no notification service is talked to directly (notifications go through the portal)"
  else
    not_ok "$name: no notification service is talked to directly (notifications go through the portal)" "$direct"
  fi

  # ---- the app as the manifest's config-opts build and install it ----------
  opts=$("$query" "$shown" config-opts redline)
  build="$scratch/$name"
  stamp=$(printf '%s\n' "$opts" | paste -sd ' ' -)
  if [ ! -f "$build/build.ninja" ] || [ "$(cat "$build/.manifest-opts" 2>/dev/null)" != "$stamp" ]; then
    rm -rf "$build"
    # flatpak-builder's own prefix and libdir; the options word-split on purpose
    # shellcheck disable=SC2086
    if ! out=$(meson setup --prefix=/app --libdir=lib $opts "$build" "$src" 2>&1); then
      not_ok "$name: meson setup with its config-opts ($stamp)" "$out"
      continue
    fi
    printf '%s' "$stamp" > "$build/.manifest-opts"
  fi
  dest="$tmp/$name.dest"
  if out=$(meson install -C "$build" --destdir "$dest" 2>&1); then
    ok "$name: its config-opts ($stamp) build and install"
  else
    not_ok "$name: its config-opts ($stamp) build and install" "$out"
    continue
  fi

  expected="bin/$command
share/applications/$id.desktop
share/dbus-1/services/$id.service
share/metainfo/$id.metainfo.xml
share/icons/hicolor/scalable/apps/$id.svg
share/icons/hicolor/symbolic/apps/$id-symbolic.svg
share/glib-2.0/schemas/$schema_id.gschema.xml"
  # shellcheck disable=SC2013 # LINGUAS is a list of words, not of lines
  for lang in $(sed 's/#.*//' "$src/po/LINGUAS"); do
    expected="$expected
share/locale/$lang/LC_MESSAGES/$gettext_package.mo"
  done
  needed=$(readelf -d "$dest/app/bin/$command" 2>&1 | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p')
  if [ -n "$needed" ] && ! printf '%s\n' "$needed" | grep -q md4c; then
    ok "$name: the app links no md4c"
  else
    not_ok "$name: the app links no md4c" "$needed"
  fi
  installed=$(cd "$dest/app" 2>/dev/null && find . \( -type f -o -type l \) | sed 's:^\./::')
  outside=$(cd "$dest" && find . \( -type f -o -type l \) ! -path './app/*')
  if diff_out=$(same_lines "$expected" "$installed") && [ -z "$outside" ]; then
    ok "$name: it installs exactly the app, its desktop file, D-Bus service file, metainfo, icons, schema and translations"
  else
    not_ok "$name: it installs exactly the app, its desktop file, D-Bus service file, metainfo, icons, schema and translations" "$diff_out" "$outside"
  fi

  metainfo="$dest/app/share/metainfo/$id.metainfo.xml"
  desktop="$dest/app/share/applications/$id.desktop"
  meta_id=$(sed -n 's:^ *<id>\(.*\)</id> *$:\1:p' "$metainfo" 2>/dev/null)
  launchable=$(sed -n 's:^ *<launchable type="desktop-id">\(.*\)</launchable> *$:\1:p' "$metainfo" 2>/dev/null)
  if [ "$meta_id" = "$id" ] && [ "$launchable" = "$id.desktop" ]; then
    ok "$name: the metainfo's <id> and <launchable> name $id"
  else
    not_ok "$name: the metainfo's <id> and <launchable> name $id" "id: $meta_id" "launchable: $launchable"
  fi

  icon=$(sed -n 's/^Icon=//p' "$desktop" 2>/dev/null)
  exec_word=$(sed -n 's/^Exec=\([^ ]*\).*/\1/p' "$desktop" 2>/dev/null)
  if [ "$icon" = "$id" ] && [ -f "$dest/app/share/icons/hicolor/scalable/apps/$icon.svg" ] &&
     [ -f "$dest/app/share/icons/hicolor/symbolic/apps/$icon-symbolic.svg" ] &&
     [ "$exec_word" = "$command" ]; then
    ok "$name: the desktop file's Icon= is $id, installed as such, and Exec= runs $command"
  else
    not_ok "$name: the desktop file's Icon= is $id, installed as such, and Exec= runs $command" "Icon=$icon" "Exec=$exec_word"
  fi

  # The portal names a notification's sender by the desktop file of the app
  # id, and GNOME lists the app in its notification settings by this key.
  uses_notifications=$(sed -n 's/^X-GNOME-UsesNotifications=//p' "$desktop" 2>/dev/null)
  if [ -f "$dest/app/share/applications/$id.desktop" ] && [ "$uses_notifications" = true ]; then
    ok "$name: the desktop file is $id.desktop and says X-GNOME-UsesNotifications=true"
  else
    not_ok "$name: the desktop file is $id.desktop and says X-GNOME-UsesNotifications=true" \
      "X-GNOME-UsesNotifications=$uses_notifications"
  fi

  # D-Bus activation (a notification clicked after the app quit): flatpak
  # exports share/dbus-1/services/$id.service only when its Name= is the
  # app id, and the desktop file must say the app is activatable.
  service="$dest/app/share/dbus-1/services/$id.service"
  service_name=$(sed -n 's/^Name=//p' "$service" 2>/dev/null)
  service_exec=$(sed -n 's/^Exec=//p' "$service" 2>/dev/null)
  activatable=$(sed -n 's/^DBusActivatable=//p' "$desktop" 2>/dev/null)
  if [ "$service_name" = "$id" ] && [ "$service_exec" = "/app/bin/$command --gapplication-service" ] &&
     [ "$activatable" = true ]; then
    ok "$name: $id.service names $id and starts /app/bin/$command as a service; the desktop file says DBusActivatable=true"
  else
    not_ok "$name: $id.service names $id and starts /app/bin/$command as a service; the desktop file says DBusActivatable=true" \
      "Name=$service_name" "Exec=$service_exec" "DBusActivatable=$activatable"
  fi

  images=$(sed -n 's:.*<image[^>]*>\(.*\)</image>.*:\1:p' "$metainfo" 2>/dev/null)
  bad_images=""
  for url in $images; do
    case "$url" in
      "$screenshot_base"*)
        path=${url#"$screenshot_base"}
        if [ ! -f "$src/$path" ]; then
          bad_images="$bad_images $url (no $path)"
        elif git -C "$src" rev-parse --is-inside-work-tree > /dev/null 2>&1 &&
             ! git -C "$src" ls-files --error-unmatch -- "$path" > /dev/null 2>&1; then
          bad_images="$bad_images $url ($path is not committed)"
        fi
        ;;
      *) bad_images="$bad_images $url (not under $screenshot_base)" ;;
    esac
  done
  if [ -n "$images" ] && [ -z "$bad_images" ]; then
    ok "$name: every screenshot URL is a file of this checkout"
  else
    not_ok "$name: every screenshot URL is a file of this checkout" "screenshots:" "$images" "$bad_images"
  fi
done

tap_end
