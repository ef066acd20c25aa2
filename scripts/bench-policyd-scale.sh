#!/bin/sh
# Benchmark 4 (docs/benchmarks.md): boxwarden-policyd with many mailboxes:
# startup load time and RSS, CPU of idle refreshes (no changes), and the
# plain-SQL deactivation latency (UPDATE, then poll the policy socket until
# 550 5.2.1; reactivation until DUNNO), p50/p99 over TRIALS mailboxes.
# Usage: scripts/bench-policyd-scale.sh [BUILD_DIR] [MAILBOXES] [TRIALS] [IDLE_SECONDS]
set -eu
BW_BUILD=${1:-build/default}
mailboxes=${2:-1000000}
trials=${3:-100}
idle=${4:-30}
. "$(dirname "$0")/bench-common.sh"
BW_WORK="$BW_BUILD/bench-work/policyd-scale-$mailboxes"
trap bw_cleanup EXIT
rm -rf "$BW_WORK"
bw_machine
bw_start_db
bw_create_db bw_bench "$mailboxes"

bw_start_policyd bw_bench 1s
# The last mailbox answering DUNNO means the whole table is loaded.
ready_ms=$("$BW_BENCH/bench_wait_ready" --target "$BW_POLICY" --recipient "m$mailboxes@bench.example" --timeout 600)
echo "startup: first correct answer for the last mailbox after $ready_ms ms; RSS $(bw_rss_mb "$BW_POLICYD_PID") MB"

sleep 3 # let the first refreshes settle
# Nanosecond on-CPU time of the live threads (/proc/PID/task/*/schedstat):
# an idle refresh costs too little for clock ticks.
c0=$(bw_cpu_ns "$BW_POLICYD_PID")
m0=$(bw_cpu_ns "$BW_MYSQLD_PID")
sleep "$idle"
c1=$(bw_cpu_ns "$BW_POLICYD_PID")
m1=$(bw_cpu_ns "$BW_MYSQLD_PID")
awk -v c0="$c0" -v c1="$c1" -v m0="$m0" -v m1="$m1" -v s="$idle" 'BEGIN {
    printf "idle refresh (refresh_interval 1s, no changes, %d s): policyd CPU %.1f ms = %.3f ms per refresh; mysqld CPU %.1f ms = %.3f ms per refresh\n",
        s, (c1 - c0) / 1e6, (c1 - c0) / 1e6 / s, (m1 - m0) / 1e6, (m1 - m0) / 1e6 / s }'
echo "RSS after idle: $(bw_rss_mb "$BW_POLICYD_PID") MB"

"$BW_BENCH/bench_deactivation" --socket "$BW_SOCK" --database bw_bench --target "$BW_POLICY" \
    --trials "$trials" --first 1000 --domain bench.example
echo "RSS at the end: $(bw_rss_mb "$BW_POLICYD_PID") MB"
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
