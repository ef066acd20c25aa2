#!/bin/sh
# Runs one miltertest Lua script against the real boxwarden-milter on a
# private unix socket under WORK_DIR (policyd: a socket that does not
# exist), then stops the milter by PID and checks its clean exit.
#   run-miltertest.sh MILTER_BINARY SCRIPT WORK_DIR
set -eu
milter=${1:?MILTER_BINARY}
script=${2:?SCRIPT}
work=${3:?WORK_DIR}
rm -rf "$work"
mkdir -p "$work"
cat >"$work/milter.conf" <<CONF
query_socket = $work/no-policyd.sock
milter_socket = $work/milter.sock
milter_socket_group =
milter_query_timeout = 1s
run_user =
CONF
"$milter" -c "$work/milter.conf" >"$work/milter.log" 2>&1 &
pid=$!
rc=0
MILTER_SOCKET="$work/milter.sock" timeout 60 miltertest -s "$script" || rc=$?
kill "$pid"
wait "$pid" || { echo "boxwarden-milter exited with $?" >&2; rc=1; }
cat "$work/milter.log"
# The policyd-down message was logged once, as one line.
[ "$(grep -c 'tempfail queue_id=Q2' "$work/milter.log")" -eq 1 ] || { echo "expected one tempfail line" >&2; rc=1; }
[ ! -e "$work/milter.sock" ] || { echo "socket left behind" >&2; rc=1; }
exit "$rc"
