#!/bin/sh
# The main job: a loopback mail host with boxwarden and demo data.
#   scripts/demo-host.sh start   install deps, build, start services, load demo data, show status
#   scripts/demo-host.sh status  show what is running and a summary of the data
#   scripts/demo-host.sh sql     open a SQL shell on the demo database (or pipe SQL into it)
#   scripts/demo-host.sh stop    stop every demo service by PID
# Everything lives under run/demo/ in the checkout; nothing listens beyond
# loopback; services are private instances, not the system ones.
set -eu
cd "$(dirname "$0")/.."
top=$(pwd)
RUN="$top/run/demo"
MYSQL_DIR="$RUN/mysql"
SOCK="$MYSQL_DIR/mysqld.sock"
DB=boxwarden

sql() { mariadb --no-defaults --default-character-set=utf8mb4 -S "$SOCK" -uroot "$@"; }

apply_migrations() {
    # Same bookkeeping as `boxwardenctl db migrate` (schema_migration with
    # each file's SHA-256), so either can continue after the other.
    sql "$DB" -e "CREATE TABLE IF NOT EXISTS schema_migration (version INT NOT NULL PRIMARY KEY,
        name VARCHAR(200) NOT NULL, sha256 CHAR(64) NOT NULL, applied_at DATETIME(6) NOT NULL)
        ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci"
    for f in sql/migrations/*.sql; do
        base=$(basename "$f" .sql)
        version=$(echo "$base" | cut -c1-4 | sed 's/^0*//')
        done_already=$(sql -N "$DB" -e "SELECT COUNT(*) FROM schema_migration WHERE version = ${version:-0}")
        [ "$done_already" = 0 ] || continue
        echo "applying $base"
        sql "$DB" <"$f"
        sum=$(sha256sum "$f" | cut -d' ' -f1)
        sql "$DB" -e "INSERT INTO schema_migration VALUES (${version:-0}, '$base', '$sum', UTC_TIMESTAMP(6))"
    done
}

status() {
    echo "== boxwarden demo host (run/demo)"
    if [ -f "$MYSQL_DIR/mysqld.pid" ] && kill -0 "$(cat "$MYSQL_DIR/mysqld.pid")" 2>/dev/null; then
        echo "MariaDB: running, pid $(cat "$MYSQL_DIR/mysqld.pid"), socket $SOCK, database $DB"
    else
        echo "MariaDB: not running"
        return 0
    fi
    sql -t "$DB" -e "SELECT (SELECT COUNT(*) FROM domain) AS domains, (SELECT COUNT(*) FROM mailbox) AS mailboxes,
        (SELECT SUM(active = 0) FROM mailbox) AS inactive, (SELECT SUM(vip) FROM mailbox) AS vip,
        (SELECT COUNT(*) FROM user_account) AS users, (SELECT COUNT(*) FROM current_assignment) AS assignments,
        (SELECT MAX(version) FROM schema_migration) AS schema_version"
    sql -t "$DB" -e "SELECT address, active, vip, email_name FROM mailbox ORDER BY address"
    sql -t "$DB" -e "SELECT address, login, assigned_at FROM current_assignment ORDER BY address, login"
}

case "${1:-start}" in
start)
    ./scripts/install-deps.sh
    ./scripts/build.sh default
    if [ -f "$MYSQL_DIR/mysqld.pid" ] && kill -0 "$(cat "$MYSQL_DIR/mysqld.pid")" 2>/dev/null; then
        echo "MariaDB already running"
    else
        mkdir -p "$RUN"
        tests/harness/mariadb.sh start "$MYSQL_DIR"
        sql -e "CREATE DATABASE IF NOT EXISTS $DB CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"
    fi
    apply_migrations
    if [ "$(sql -N "$DB" -e 'SELECT COUNT(*) FROM domain')" = 0 ]; then
        echo "loading demo data"
        sql "$DB" <scripts/demo-data.sql
    fi
    status
    echo
    echo "Stop with: scripts/demo-host.sh stop   SQL shell: scripts/demo-host.sh sql"
    ;;
status) status ;;
sql) shift; sql "$DB" "$@" ;;
stop)
    tests/harness/mariadb.sh stop "$MYSQL_DIR"
    ;;
*)
    echo "usage: scripts/demo-host.sh start|status|sql|stop" >&2
    exit 2
    ;;
esac
