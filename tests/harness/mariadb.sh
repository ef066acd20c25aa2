#!/bin/sh
# Start or stop a private MariaDB for tests: its own datadir, unix socket,
# no TCP, UTC. Usage: mariadb.sh start|stop DIR
# `start` creates a fresh datadir (removing DIR first) unless
# BOXWARDEN_MARIADB_KEEP_DATA=1 and DIR already holds one (the demo host keeps
# its data across restarts). BOXWARDEN_MARIADB_DIR_MODE (default 0755) is the
# mode of DIR, which holds the socket: the demo host uses 0700 so that only
# its owner reaches the server (tests leave it reachable for services that
# drop privileges, e.g. policyd's run_user test and Dovecot's auth workers).
# Commits are written to the OS at each commit but fsync'd once a second
# (innodb_flush_log_at_trx_commit=2) for speed; that loses the last commits
# when mariadbd is SIGKILLed. Tests that kill the server and count rows set
# BOXWARDEN_MARIADB_FLUSH_AT_COMMIT=1 (MariaDB's durable default).
set -eu
cmd=${1:?usage: mariadb.sh start|stop DIR}
dir=${2:?usage: mariadb.sh start|stop DIR}
sock="$dir/mysqld.sock"
pidfile="$dir/mysqld.pid"

. "$(dirname "$0")/stop-by-pid.sh"
stop() { stop_by_pidfile "$pidfile" 600; }

case "$cmd" in
start)
    stop
    if [ "${BOXWARDEN_MARIADB_KEEP_DATA:-0}" = 1 ] && [ -d "$dir/data/mysql" ]; then
        echo "mariadb: keeping the data in $dir/data"
    else
        rm -rf "$dir"
        mkdir -p "$dir"
        mkdir -p "$dir/tmp"
        mariadb-install-db --no-defaults --datadir="$dir/data" --tmpdir="$dir/tmp" --user="$(id -un)" \
            --auth-root-authentication-method=normal >"$dir/install.log" 2>&1 ||
            { cat "$dir/install.log"; exit 1; }
    fi
    chmod "${BOXWARDEN_MARIADB_DIR_MODE:-0755}" "$dir"
    # Its own tmpdir: two servers bootstrapping at once in /tmp collided on
    # their temporary tables (mariadb-install-db: "Could not remove temporary
    # table '/tmp/#sql-temptable-…'", then ERROR 1051 and "Aborting").
    mkdir -p "$dir/tmp"
    mariadbd --no-defaults --datadir="$dir/data" --tmpdir="$dir/tmp" --socket="$sock" --skip-networking \
        --user="$(id -un)" --pid-file="$pidfile" --log-error="$dir/error.log" \
        --default-time-zone=+00:00 --character-set-server=utf8mb4 \
        --collation-server=utf8mb4_unicode_ci --innodb-flush-log-at-trx-commit="${BOXWARDEN_MARIADB_FLUSH_AT_COMMIT:-2}" \
        --innodb-buffer-pool-size=256M --max-connections=1000 >/dev/null 2>&1 &
    i=0
    until mariadb-admin --no-defaults -S "$sock" -uroot ping >/dev/null 2>&1; do
        i=$((i + 1))
        [ "$i" -gt 300 ] && { echo "mariadb did not start" >&2; cat "$dir/error.log" >&2; exit 1; }
        sleep 0.1
    done
    echo "mariadb ready at $sock (pid $(cat "$pidfile"))"
    ;;
stop)
    stop
    echo "mariadb stopped"
    ;;
*)
    echo "usage: mariadb.sh start|stop DIR" >&2
    exit 2
    ;;
esac
