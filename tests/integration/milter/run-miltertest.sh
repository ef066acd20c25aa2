#!/bin/sh
# Runs one miltertest Lua script (Debian package miltertest) against the real
# boxwarden-milter on a private unix socket under WORK_DIR, then stops the
# milter by PID and checks its clean exit and that its socket is gone.
#   run-miltertest.sh MILTER POLICYD MARIADB_SOCKET SCRIPT WORK_DIR [no-policyd]
# With a policyd (the default): a fresh database in the shared private
# MariaDB (the ctest fixture "mariadb"), seeded with the hosted mailboxes the
# scripts use (lib.lua), and the real boxwarden-policyd on it. With
# no-policyd the milter's query_socket points at a path nobody listens on.
# The script gets its helpers through the environment (lib.lua reads them):
# MILTER_SOCKET, MILTER_LOG, BW_SQL (mariadb client on the test database),
# POLICYD_STATUS, STOP_POLICYD, START_POLICYD (commands), MILTER_METRICS and
# POLICYD_METRICS (the /metrics URLs of milter_metrics_listen and metrics_listen).
set -eu
milter=${1:?MILTER}
policyd=${2:?POLICYD}
db_socket=${3:?MARIADB_SOCKET}
script=${4:?SCRIPT}
work=${5:?WORK_DIR}
mode=${6:-policyd}
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../.." && pwd)
. "$root/tests/harness/stop-by-pid.sh"
harness_dir=$root/tests/harness
. "$harness_dir/free-port.sh"

rm -rf "$work"
mkdir -p "$work/policyd"
db="bwmt_$$"
sql() { mariadb --no-defaults --default-character-set=utf8mb4 -S "$db_socket" -uroot "$@"; }
milter_pid=""
cleanup() {
    [ -z "$milter_pid" ] || { kill "$milter_pid" 2>/dev/null || true; }
    stop_by_pidfile "$work/policyd.pid" 100
    [ "$mode" = no-policyd ] || sql -e "DROP DATABASE IF EXISTS $db" 2>/dev/null || true
}
trap cleanup EXIT

# policyd runs in a subshell that exits at once, so it is nobody's child
# here and STOP_POLICYD (from the Lua script) sees it gone, not a zombie.
cat >"$work/start-policyd" <<SH
#!/bin/sh
( "$policyd" --foreground --config "$work/policyd/boxwarden.conf" \
    >>"$work/policyd/policyd.log" 2>&1 & echo \$! >"$work/policyd.pid" )
i=0
until printf 'request=status\n\n' | nc -N -U "$work/policyd/query.sock" 2>/dev/null |
    grep -q '^cache_synced=1'; do
    i=\$((i + 1))
    [ "\$i" -gt 300 ] && { echo "policyd did not start" >&2; cat "$work/policyd/policyd.log" >&2; exit 1; }
    sleep 0.1
done
SH
cat >"$work/stop-policyd" <<SH
#!/bin/sh
. "$root/tests/harness/stop-by-pid.sh"
stop_by_pidfile "$work/policyd.pid" 100
SH
chmod +x "$work/start-policyd" "$work/stop-policyd"

policyd_metrics_port=$(free_port)
milter_metrics_port=$(free_port)
if [ "$mode" = no-policyd ]; then
    query_socket="$work/no-policyd.sock"
else
    sql -e "CREATE DATABASE $db CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"
    for f in "$root"/sql/migrations/*.sql; do sql "$db" <"$f"; done
    # The hosted world of every script (lib.lua names it): example.de with
    # info (email name "Müller Immobilien"), sales (no name, assigned to
    # anna) and ceo (assigned to carl).
    sql "$db" <<'SQL'
INSERT INTO domain (name) VALUES ('example.de');
CALL create_mailbox('info@example.de');
CALL create_mailbox('sales@example.de');
CALL create_mailbox('ceo@example.de');
UPDATE mailbox SET email_name = 'Müller Immobilien' WHERE address = 'info@example.de';
INSERT INTO user_account (login, display_name, activity_access) VALUES
    ('anna', 'Anna Schmidt', 1), ('carl', 'Carl Chef', 1);
CALL assign_user('sales@example.de', 'anna');
CALL assign_user('ceo@example.de', 'carl');
SQL
    cat >"$work/policyd/boxwarden.conf" <<CONF
db_socket = $db_socket
db_name = $db
db_user = root
policy_listen = unix:$work/policyd/policy.sock
query_socket = $work/policyd/query.sock
spool_dir = $work/policyd/spool
run_user =
policy_socket_group =
query_socket_group =
query_allowed_users = *
refresh_interval = 200ms
metrics_listen = 127.0.0.1:$policyd_metrics_port
CONF
    "$work/start-policyd"
    query_socket="$work/policyd/query.sock"
fi

cat >"$work/milter.conf" <<CONF
query_socket = $query_socket
milter_socket = $work/milter.sock
milter_socket_group =
milter_query_timeout = 1s
milter_metrics_listen = 127.0.0.1:$milter_metrics_port
run_user =
CONF
"$milter" -c "$work/milter.conf" >"$work/milter.log" 2>&1 &
milter_pid=$!
# Wait (bounded, 30 s) until the milter is up: its socket exists and its
# metrics listener answers; a script may scrape before it connects.
tries=0
until [ -S "$work/milter.sock" ] &&
    curl -fsS --max-time 1 "http://127.0.0.1:$milter_metrics_port/metrics" >/dev/null 2>&1; do
    kill -0 "$milter_pid" 2>/dev/null || break
    tries=$((tries + 1))
    [ "$tries" -lt 300 ] || { echo "boxwarden-milter did not come up within 30 s" >&2; break; }
    sleep 0.1
done
rc=0
MILTER_SOCKET="$work/milter.sock" MILTER_LOG="$work/milter.log" MT_LIB="$here/miltertest/lib.lua" \
    BW_SQL="mariadb --no-defaults --default-character-set=utf8mb4 -S $db_socket -uroot -N -B $db" \
    POLICYD_STATUS="printf 'request=status\\n\\n' | nc -N -U $work/policyd/query.sock" \
    STOP_POLICYD="$work/stop-policyd" START_POLICYD="$work/start-policyd" \
    MILTER_METRICS="http://127.0.0.1:$milter_metrics_port/metrics" \
    POLICYD_METRICS="http://127.0.0.1:$policyd_metrics_port/metrics" \
    timeout 120 miltertest ${MILTERTEST_ARGS:-} -s "$script" || rc=$?
kill "$milter_pid"
wait "$milter_pid" || { echo "boxwarden-milter exited with $?" >&2; rc=1; }
milter_pid=""
echo "--- milter log"
cat "$work/milter.log"
[ ! -e "$work/milter.sock" ] || { echo "socket left behind" >&2; rc=1; }
[ "$rc" -eq 0 ] || echo "FAILED: $(basename "$script") (rc $rc)" >&2
exit "$rc"
