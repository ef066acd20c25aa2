# Shared by scripts/bench-*.sh (sourced, not run): a private MariaDB with a
# seeded boxwarden database and a private boxwarden-policyd, all under one
# work folder, unix sockets only, stopped by PID on exit.
# Needs: BW_BUILD (build dir, relative to the repo or absolute), BW_WORK.

BW_ROOT=$(cd "$(dirname "$0")/.." && pwd)
case "$BW_BUILD" in /*) ;; *) BW_BUILD="$BW_ROOT/$BW_BUILD" ;; esac
BW_BENCH="$BW_BUILD/bench"
BW_POLICYD_BIN="$BW_BUILD/policyd/boxwarden-policyd"
BW_PIDS=""

bw_cleanup() {
    for p in $BW_PIDS; do kill "$p" 2>/dev/null || true; done
    for p in $BW_PIDS; do
        i=0
        while kill -0 "$p" 2>/dev/null && [ "$i" -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
    done
    "$BW_ROOT/tests/harness/mariadb.sh" stop "$BW_WORK/mariadb" >/dev/null 2>&1 || true
}

bw_machine() {
    echo "machine: $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')), $(free -g | awk '/Mem:/ {print $2}') GB RAM, kernel $(uname -r)"
    echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
}

bw_start_db() {
    mkdir -p "$BW_WORK"
    "$BW_ROOT/tests/harness/mariadb.sh" start "$BW_WORK/mariadb" >/dev/null
    BW_SOCK="$BW_WORK/mariadb/mysqld.sock"
    BW_MYSQLD_PID=$(cat "$BW_WORK/mariadb/mysqld.pid")
}

bw_sql() { # bw_sql DB SQL...
    db=$1
    shift
    mariadb --no-defaults --default-character-set=utf8mb4 -S "$BW_SOCK" -uroot "$db" -e "$*"
}

# bw_create_db DB MAILBOXES: migrations, domain bench.example, m1..mN@bench.example.
bw_create_db() {
    bw_sql "" "CREATE DATABASE $1 CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"
    for f in "$BW_ROOT"/sql/migrations/*.sql; do
        mariadb --no-defaults --default-character-set=utf8mb4 -S "$BW_SOCK" -uroot "$1" <"$f"
    done
    t0=$(date +%s.%N)
    bw_sql "$1" "INSERT INTO domain (name) VALUES ('bench.example');
        INSERT INTO mailbox (domain_id, local_part)
            SELECT (SELECT id FROM domain WHERE name = 'bench.example'), CONCAT('m', seq)
            FROM seq_1_to_$2"
    echo "seeded $2 mailboxes in $(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN {printf "%.1f", b - a}') s"
}

# bw_start_policyd DB [REFRESH] [FULL_RELOAD]: policy socket $BW_WORK/policyd/policy.sock.
bw_start_policyd() {
    d="$BW_WORK/policyd"
    rm -rf "$d"
    mkdir -p "$d"
    {
        echo "db_socket = $BW_SOCK"
        echo "db_name = $1"
        echo "db_user = root"
        echo "policy_listen = unix:$d/policy.sock"
        echo "query_socket = $d/query.sock"
        echo "spool_dir = $d/spool"
        echo "run_user ="
        echo "policy_socket_group ="
        echo "query_socket_group ="
        echo "refresh_interval = ${2:-1s}"
        [ -z "${3:-}" ] || echo "full_reload_interval = $3"
    } >"$d/boxwarden.conf"
    BW_POLICY="unix:$d/policy.sock"
    "$BW_POLICYD_BIN" --foreground --config "$d/boxwarden.conf" >"$d/policyd.log" 2>&1 &
    BW_POLICYD_PID=$!
    BW_PIDS="$BW_PIDS $BW_POLICYD_PID"
}

bw_stop_policyd() {
    kill "$BW_POLICYD_PID" 2>/dev/null || true
    wait "$BW_POLICYD_PID" 2>/dev/null || true
}

bw_rss_mb() { # bw_rss_mb PID
    awk '/VmRSS/ {printf "%.0f", $2 / 1024}' "/proc/$1/status"
}

bw_cpu_s() { # bw_cpu_s PID: utime + stime in seconds (1/CLK_TCK resolution)
    awk -v hz="$(getconf CLK_TCK)" '{sub(/.*\) /, ""); print ($12 + $13) / hz}' "/proc/$1/stat"
}

bw_cpu_ns() { # bw_cpu_ns PID: on-CPU time of its live threads in ns (schedstat)
    cat /proc/"$1"/task/*/schedstat 2>/dev/null | awk '{t += $1} END {printf "%.0f", t}'
}
