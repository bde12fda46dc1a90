#!/bin/sh
# redline-server.service: systemd-analyze verify has nothing to say about it,
# its offline security review stays below a threshold, it carries the
# sandboxing it promises, and the server starts the way its ExecStart= starts
# it — the listen address and TLS options from the environment, the database
# in $STATE_DIRECTORY, the certificate as credentials through the README's
# TLS drop-in, files private under its UMask — and stops cleanly on its
# KillSignal.
#
#   test-systemd-unit.sh TEST_UNIT INSTALLED_UNIT README
#
# TEST_UNIT is the unit configured with ExecStart= on the server built here
# (verify checks that the binary exists); INSTALLED_UNIT is the one
# `meson install` puts in place.
#
# SPDX-License-Identifier: GPL-3.0-or-later
set -u
. "$(dirname "$0")/../tap.sh"

unit=$1
installed=$2
readme=$3

# The shipped unit scores 1.2 on systemd 252's scale (0 is best, 10 worst):
# what is left is what a network server needs — the host's network, Internet
# and local sockets, no IP allow list since a team's addresses are its own —
# and @resources, which GLib links against (setrlimit). 1.4 leaves room for a
# systemd update's reweighing while losing any one of DynamicUser=, the
# system call filter, the address families or the empty capability set
# goes over it.
threshold=14
tmp=$(mktemp -d "${TMPDIR:-/tmp}/redline-unit-test.XXXXXX") || exit 1
server_pid=""
cleanup () {
  if [ -n "$server_pid" ]; then
    kill "$server_pid" 2> /dev/null
    wait "$server_pid" 2> /dev/null
  fi
  rm -rf "$tmp"
}
trap cleanup EXIT

# Copies under the unit's own name: verify judges a unit by its file name,
# and reads the drop-ins in NAME.d/ beside it.
mkdir -p "$tmp/unit" "$tmp/broken" "$tmp/tls/redline-server.service.d"
cp "$unit" "$tmp/unit/redline-server.service"
cp "$unit" "$tmp/tls/redline-server.service"
unit="$tmp/unit/redline-server.service"

# The README's TLS drop-in, as a reader would copy it.
dropin_name='/etc/systemd/system/redline-server.service.d/tls.conf'
sed -n "\\|^# $dropin_name\$|,/^\`\`\`\$/p" "$readme" | sed '1d;$d' > "$tmp/tls/redline-server.service.d/tls.conf"

# ---- systemd-analyze verify ---------------------------------------------------
# It exits 0 on unknown keys and bad values, so any output at all fails.
if out=$(systemd-analyze verify --man=no "$unit" 2>&1) && [ -z "$out" ]; then
  ok "systemd-analyze verify has nothing to say about the unit"
else
  not_ok "systemd-analyze verify has nothing to say about the unit" "$out"
fi

# The same check on a broken copy must speak, or the one above proves nothing here.
sed -e 's/^ProtectHome=yes$/ProtectHome=maybe/' -e 's/^LockPersonality=yes$/LockPersonality=yes\nFrobnicate=1/' \
  "$unit" > "$tmp/broken/redline-server.service"
out=$(systemd-analyze verify --man=no "$tmp/broken/redline-server.service" 2>&1)
case "$out" in
  *Frobnicate*maybe* | *maybe*Frobnicate*) ok "systemd-analyze verify reports a broken copy of it (so it does work here)" ;;
  *) not_ok "systemd-analyze verify reports a broken copy of it (so it does work here)" "$out" ;;
esac

if [ "$(head -n 1 "$tmp/tls/redline-server.service.d/tls.conf")" = '[Service]' ] &&
   out=$(systemd-analyze verify --man=no "$tmp/tls/redline-server.service" 2>&1) && [ -z "$out" ]; then
  ok "systemd-analyze verify has nothing to say about it with the README's TLS drop-in"
else
  not_ok "systemd-analyze verify has nothing to say about it with the README's TLS drop-in" \
    "drop-in:" "$(cat "$tmp/tls/redline-server.service.d/tls.conf")" "$out"
fi

# ---- the offline security review -----------------------------------------------
out=$(systemd-analyze security --offline=true --threshold=$threshold "$unit" 2>&1)
status=$?
score=$(printf '%s\n' "$out" | sed -n 's/.*Overall exposure level for [^:]*: \([0-9.]*\).*/\1/p')
if [ $status -eq 0 ] && [ -n "$score" ]; then
  ok "systemd-analyze security --offline=true: exposure $score, at most $threshold/10"
else
  not_ok "systemd-analyze security --offline=true: exposure ${score:-?}, at most $threshold/10" \
    "$(printf '%s\n' "$out" | grep -v '✓')"
fi

# ---- what it promises, line by line ----------------------------------------------
missing=""
for line in \
  'Type=exec' \
  'EnvironmentFile=-/etc/redline/server.env' \
  'KillSignal=SIGTERM' \
  'Restart=on-failure' \
  'DynamicUser=yes' \
  'StateDirectory=redline' \
  'UMask=0077' \
  'NoNewPrivileges=yes' \
  'CapabilityBoundingSet=' \
  'ProtectSystem=strict' \
  'ProtectHome=yes' \
  'PrivateTmp=yes' \
  'PrivateDevices=yes' \
  'ProtectKernelTunables=yes' \
  'ProtectKernelModules=yes' \
  'ProtectKernelLogs=yes' \
  'ProtectControlGroups=yes' \
  'RestrictAddressFamilies=AF_INET AF_INET6 AF_UNIX' \
  'RestrictNamespaces=yes' \
  'RestrictRealtime=yes' \
  'LockPersonality=yes' \
  'MemoryDenyWriteExecute=yes' \
  'SystemCallFilter=@system-service' \
  'WantedBy=multi-user.target'; do
  grep -qxF "$line" "$unit" || missing="$missing
$line"
done
if [ -z "$missing" ]; then
  ok "the unit sandboxes the server as promised"
else
  not_ok "the unit sandboxes the server as promised" "missing:$missing"
fi

exec_start=$(sed -n 's/^ExecStart=//p' "$unit")
installed_exec=$(sed -n 's/^ExecStart=//p' "$installed")
installed_server=${installed_exec%% *}
if [ "$(sed '/^ExecStart=/d' "$unit")" = "$(sed '/^ExecStart=/d' "$installed")" ] &&
   [ "${exec_start#* }" = "${installed_exec#* }" ] &&
   [ "$(basename "$installed_server")" = redline-server ] && [ "${installed_server#/}" != "$installed_server" ]; then
  ok "the installed unit is the same, ExecStart= on $installed_server"
else
  not_ok "the installed unit is the same, ExecStart= on $installed_server" "$installed_exec"
fi

# ---- the server under the unit's conventions -------------------------------------
# ExecStart= expanded as systemd expands it: ${NAME} in place, a lone $NAME
# split into words (and dropped when empty). The TLS values are the README
# drop-in's: REDLINE_TLS from its Environment= with %d the credentials
# directory, where LoadCredential= puts the certificate and the key under
# their ids (systemd copies them read-only for the service's user).
state="$tmp/state"
creds="$tmp/credentials"
mkdir -p "$state" "$creds"
chmod 0700 "$state"
dropin="$tmp/tls/redline-server.service.d/tls.conf"
cert_id=$(sed -n 's|^LoadCredential=\([^:]*\):/etc/redline/tls/cert.pem$|\1|p' "$dropin")
key_id=$(sed -n 's|^LoadCredential=\([^:]*\):/etc/redline/tls/key.pem$|\1|p' "$dropin")
tls_args=$(sed -n 's|^Environment="REDLINE_TLS=\(.*\)"$|\1|p' "$dropin" | sed "s|%d|$creds|g")
if [ -n "$cert_id" ] && [ -n "$key_id" ] && [ -n "$tls_args" ] &&
   openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 1 -subj /CN=localhost \
     -keyout "$creds/$key_id" -out "$creds/$cert_id" > "$tmp/openssl.log" 2>&1; then
  chmod 0400 "$creds/$cert_id" "$creds/$key_id"
else
  not_ok "the drop-in's credentials and REDLINE_TLS, and a test certificate for them" \
    "cert: $cert_id" "key: $key_id" "REDLINE_TLS: $tls_args" "$(cat "$tmp/openssl.log" 2>/dev/null)"
fi

expand_var () {
  case "$1" in
    STATE_DIRECTORY) printf '%s' "$state" ;;
    REDLINE_LISTEN) printf '%s' 127.0.0.1:0 ;;
    REDLINE_TLS) printf '%s' "$tls_args" ;;
    REDLINE_OPTIONS) printf '%s' "--ping-interval 20" ;;
    *) return 1 ;;
  esac
}

argv=""
unknown=""
set -f
for word in $exec_start; do
  case "$word" in
    \$\{*) ;;
    \$*)
      value=$(expand_var "${word#\$}") || unknown="$unknown $word"
      argv="$argv $value"
      continue
      ;;
  esac
  while :; do
    case "$word" in
      *\$\{*\}*)
        var=${word#*\$\{}
        var=${var%%\}*}
        value=$(expand_var "$var") || { unknown="$unknown \${$var}"; value=""; }
        word=$(printf '%s' "$word" | sed "s|\${$var}|$value|")
        ;;
      *) break ;;
    esac
  done
  argv="$argv $word"
done
if [ -n "$unknown" ]; then
  not_ok "ExecStart= uses only the variables this test knows" "unknown:$unknown"
fi

# shellcheck disable=SC2086 # the expanded command line, split as systemd splits it
(umask 0077 && exec $argv) > "$tmp/stdout" 2> "$tmp/stderr" &
server_pid=$!
set +f
uri=""
for _ in $(seq 100); do
  uri=$(sed -n 's/^listening on //p' "$tmp/stdout")
  [ -n "$uri" ] && break
  kill -0 "$server_pid" 2> /dev/null || break
  sleep 0.05
done
case "$uri" in
  https://127.0.0.1:*) ok "the server listens with TLS from the credentials ($uri)" ;;
  *) not_ok "the server listens with TLS from the credentials" "command:$argv" "$(cat "$tmp/stdout" "$tmp/stderr")" ;;
esac

port=${uri##*:}
health=$(printf 'GET /healthz HTTP/1.0\r\nHost: localhost\r\n\r\n' |
  timeout 10 openssl s_client -quiet -connect "127.0.0.1:$port" 2> /dev/null | tail -n 1)
if [ "$health" = ok ]; then
  ok "GET /healthz over TLS says ok"
else
  not_ok "GET /healthz over TLS says ok" "answer: $health"
fi

kill -TERM "$server_pid" 2> /dev/null
status=""
for _ in $(seq 100); do
  if ! kill -0 "$server_pid" 2> /dev/null; then
    wait "$server_pid"
    status=$?
    server_pid=""
    break
  fi
  sleep 0.05
done
if [ "$status" = 0 ]; then
  ok "SIGTERM (the unit's KillSignal) stops it with status 0"
else
  not_ok "SIGTERM (the unit's KillSignal) stops it with status 0" "status: ${status:-still running after 5 s}" "$(cat "$tmp/stderr")"
fi

modes=$(find "$state" -name 'redline.db*' -exec stat -c '%a %n' {} + | sort)
if [ -f "$state/redline.db" ] && ! printf '%s\n' "$modes" | grep -qv '^600 '; then
  ok "the database is \$STATE_DIRECTORY/redline.db, readable by its owner only"
else
  not_ok "the database is \$STATE_DIRECTORY/redline.db, readable by its owner only" "$modes"
fi

tap_end
