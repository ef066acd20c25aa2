#!/bin/sh
# Runs every benchmark of docs/benchmarks.md in one go, one after the other
# (never in parallel: the machine has 2 cores), and tees the output.
# Usage: scripts/bench-all.sh [BUILD_DIR] [OUTPUT_FILE]
# Smaller runs: BENCH_EVENTS, BENCH_REQUESTS, BENCH_MESSAGES, BENCH_MAILBOXES_SCALE.
set -eu
build=${1:-build/default}
out=${2:-$build/bench-results.txt}
here=$(dirname "$0")
{
    echo "boxwarden benchmarks, $(date -u '+%Y-%m-%d %H:%M UTC'), commit $(git -C "$here/.." rev-parse --short HEAD 2>/dev/null || echo '?')"
    echo
    echo "##### 1. LogWriter vs. synchronous CALL record_activity"
    "$here/bench-log-writer.sh" "$build" "${BENCH_EVENTS:-20000}" 1,8,32
    echo
    echo "##### spool codec (Google Benchmark)"
    "$build/bench/bench_spool_codec" --benchmark_min_time=0.2 2>&1 | grep -E '^(BM_|Run on|CPU)'
    echo
    echo "##### 2. raw policy protocol"
    "$here/bench-policy-raw.sh" "$build" "${BENCH_REQUESTS:-200000}" 100000
    echo
    echo "##### 3. end to end through Postfix"
    "$here/bench-postfix.sh" "$build" "${BENCH_MESSAGES:-20000}" 20 100000
    echo
    echo "##### 4a. scale: 100k mailboxes"
    "$here/bench-policyd-scale.sh" "$build" 100000 100 30
    echo
    echo "##### 4b. scale: 1M mailboxes"
    "$here/bench-policyd-scale.sh" "$build" "${BENCH_MAILBOXES_SCALE:-1000000}" 100 30
} 2>&1 | tee "$out"
