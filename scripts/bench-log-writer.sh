#!/bin/sh
# Benchmark 1 (docs/benchmarks.md): LogWriter vs. one synchronous
# CALL record_activity per event, against a private MariaDB, once with
# innodb_flush_log_at_trx_commit=1 (MariaDB's durable default) and once with 2
# (the test harness setting).
# Usage: scripts/bench-log-writer.sh [BUILD_DIR] [EVENTS] [THREADS]
set -eu
build=${1:-build/default}
events=${2:-20000}
threads=${3:-1,8,32}
root=$(cd "$(dirname "$0")/.." && pwd)
dir="$root/$build/bench-work/log-writer"
bin="$root/$build/bench/bench_log_writer"
[ -x "$bin" ] || { echo "build $bin first (cmake --build $build --target bench_log_writer)" >&2; exit 1; }
trap '"$root/tests/harness/mariadb.sh" stop "$dir/mariadb" >/dev/null' EXIT
"$root/tests/harness/mariadb.sh" start "$dir/mariadb"
sock="$dir/mariadb/mysqld.sock"
pid=$(cat "$dir/mariadb/mysqld.pid")
echo "machine: $(nproc) cores, $(uname -r), load before: $(cut -d' ' -f1-3 /proc/loadavg)"
for flush in 1 2; do
    mariadb --no-defaults -S "$sock" -uroot -e "SET GLOBAL innodb_flush_log_at_trx_commit = $flush"
    "$bin" --socket "$sock" --events "$events" --threads "$threads" --mysqld-pid "$pid" \
        --spool-dir "$dir/spool"
    echo
done
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
