#!/bin/sh
# Benchmark 2 (docs/benchmarks.md): raw Postfix policy protocol load against
# boxwarden-policyd (100k mailboxes, warm cache) and against trivial DUNNO
# servers (C++ epoll, Python asyncio), same load generator, same run.
# Every 10th mailbox is disabled and 10% of the requests name unknown
# mailboxes, so policyd's reject path runs too; the load generator fails on
# any reply other than the expected one. Each server gets an unmeasured
# warm-up run first (a fresh Python process is much slower on its first run).
# Usage: scripts/bench-policy-raw.sh [BUILD_DIR] [REQUESTS] [MAILBOXES]
set -eu
BW_BUILD=${1:-build/default}
requests=${2:-200000}
mailboxes=${3:-100000}
. "$(dirname "$0")/bench-common.sh"
BW_WORK="$BW_BUILD/bench-work/policy-raw"
trap bw_cleanup EXIT
rm -rf "$BW_WORK"
bw_machine
bw_start_db
bw_create_db bw_bench "$mailboxes"
bw_sql bw_bench "UPDATE mailbox SET active = 0
    WHERE CAST(SUBSTRING(local_part, 2) AS UNSIGNED) % 10 = 0"
bw_start_policyd bw_bench
"$BW_BENCH/bench_wait_ready" --target "$BW_POLICY" --recipient m1@bench.example >/dev/null
echo "policyd ready; RSS $(bw_rss_mb "$BW_POLICYD_PID") MB"

load() { # load TARGET PID CONNECTIONS EXPECT [REQUESTS]
    "$BW_BENCH/bench_policy_load" --target "$1" --server-pid "$2" --connections "$3" \
        --requests "${5:-$requests}" --mailboxes "$mailboxes" --domain bench.example \
        --expect "$4" --disabled-every 10 --unknown-percent 10
}

"$BW_BENCH/bench_dunno_server" "unix:$BW_WORK/dunno.sock" &
dunno=$!
BW_PIDS="$BW_PIDS $dunno"
python3 "$BW_ROOT/bench/dunno_server.py" "unix:$BW_WORK/pydunno.sock" &
pydunno=$!
BW_PIDS="$BW_PIDS $pydunno"
sleep 1

echo "=== warm-up (not measured) ==="
load "$BW_POLICY" "$BW_POLICYD_PID" 50 policyd 20000 >/dev/null
load "unix:$BW_WORK/dunno.sock" "$dunno" 50 dunno 20000 >/dev/null
load "unix:$BW_WORK/pydunno.sock" "$pydunno" 50 dunno 20000 >/dev/null

for conns in 50 20; do
    echo "=== $conns connections, $requests requests ==="
    echo "--- boxwarden-policyd ($mailboxes mailboxes)"
    load "$BW_POLICY" "$BW_POLICYD_PID" "$conns" policyd
    echo "--- C++ epoll DUNNO server (bench/dunno_server.cpp)"
    load "unix:$BW_WORK/dunno.sock" "$dunno" "$conns" dunno
    echo "--- Python asyncio DUNNO server (bench/dunno_server.py)"
    load "unix:$BW_WORK/pydunno.sock" "$pydunno" "$conns" dunno
done
echo "policyd RSS after: $(bw_rss_mb "$BW_POLICYD_PID") MB"
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
