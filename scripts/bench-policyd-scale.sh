#!/bin/sh
# Benchmark 4 (docs/benchmarks.md): boxwarden-policyd with many mailboxes:
# startup load time and RSS, CPU of idle refreshes (no changes), and the
# plain-SQL deactivation latency (UPDATE, then poll the policy socket until
# 550 5.2.1; reactivation until DUNNO), p50/p99 over TRIALS mailboxes.
# The refresh cost is isolated from background work (InnoDB purge after the
# bulk insert, timers) by measuring the same idle period again after SIGHUP
# set refresh_interval to 60s (no refresh in the window). Then the periodic
# full reload (full_reload_interval): SIGHUP sets it to 10s, the CPU of an
# idle window is divided by the full reloads logged in it, and compared
# with the incremental refresh, amortised at the default 300s.
# Usage: scripts/bench-policyd-scale.sh [BUILD_DIR] [MAILBOXES] [TRIALS] [IDLE_SECONDS]
# (TRIALS 0 skips the deactivation trials.)
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

# Periodic full reloads kept out of the first windows (29m), measured last.
bw_start_policyd bw_bench 1s 29m
# The last mailbox answering DUNNO means the whole table is loaded.
ready_ms=$("$BW_BENCH/bench_wait_ready" --target "$BW_POLICY" --recipient "m$mailboxes@bench.example" --timeout 600)
echo "startup: first correct answer for the last mailbox after $ready_ms ms; RSS $(bw_rss_mb "$BW_POLICYD_PID") MB"

sleep 3 # let the first refreshes settle
# policyd: nanosecond on-CPU time of its threads (/proc/PID/task/*/schedstat;
# an idle refresh costs too little for clock ticks, and its threads live as
# long as it does). mysqld: utime + stime (/proc/PID/stat, 10 ms ticks), as
# its connection threads come and go.
idle_cpu() { # idle_cpu LABEL
    c0=$(bw_cpu_ns "$BW_POLICYD_PID")
    m0=$(bw_cpu_s "$BW_MYSQLD_PID")
    sleep "$idle"
    c1=$(bw_cpu_ns "$BW_POLICYD_PID")
    m1=$(bw_cpu_s "$BW_MYSQLD_PID")
    awk -v c0="$c0" -v c1="$c1" -v m0="$m0" -v m1="$m1" -v s="$idle" -v l="$1" 'BEGIN {
        printf "idle %s, %d s: policyd CPU %.1f ms (%.3f ms/s); mysqld CPU %.0f ms (%.2f ms/s)\n",
            l, s, (c1 - c0) / 1e6, (c1 - c0) / 1e6 / s, (m1 - m0) * 1000, (m1 - m0) * 1000 / s }'
    BW_LAST_IDLE_MS_PER_S=$(awk -v c0="$c0" -v c1="$c1" -v s="$idle" 'BEGIN { printf "%.6f", (c1 - c0) / 1e6 / s }')
}
idle_cpu "with refresh_interval 1s (no changes)"
BW_INCREMENTAL_MS_PER_S=$BW_LAST_IDLE_MS_PER_S
sed -i 's/^refresh_interval = .*/refresh_interval = 60s/' "$BW_WORK/policyd/boxwarden.conf"
kill -HUP "$BW_POLICYD_PID" # also forces one full reload: wait for it to pass
sleep 15
idle_cpu "with refresh_interval 60s (no refresh in the window)"
sed -i 's/^refresh_interval = .*/refresh_interval = 1s/' "$BW_WORK/policyd/boxwarden.conf"
kill -HUP "$BW_POLICYD_PID"
sleep 15
idle_cpu "with refresh_interval 1s again"
echo "RSS after idle: $(bw_rss_mb "$BW_POLICYD_PID") MB"

# Periodic full reload: every 10s for one window of FULL_WINDOW seconds.
full_window=${FULL_WINDOW:-60}
sed -i 's/^full_reload_interval = .*/full_reload_interval = 10s/' "$BW_WORK/policyd/boxwarden.conf"
kill -HUP "$BW_POLICYD_PID"
sleep 15
loads0=$(grep -c "full cache load" "$BW_WORK/policyd/policyd.log" || true)
c0=$(bw_cpu_ns "$BW_POLICYD_PID")
m0=$(bw_cpu_s "$BW_MYSQLD_PID")
rss_peak=0
end=$(( $(date +%s) + full_window ))
while [ "$(date +%s)" -lt "$end" ]; do
    r=$(bw_rss_mb "$BW_POLICYD_PID")
    [ "$r" -gt "$rss_peak" ] && rss_peak=$r
    sleep 0.2
done
c1=$(bw_cpu_ns "$BW_POLICYD_PID")
m1=$(bw_cpu_s "$BW_MYSQLD_PID")
loads1=$(grep -c "full cache load" "$BW_WORK/policyd/policyd.log" || true)
awk -v c0="$c0" -v c1="$c1" -v m0="$m0" -v m1="$m1" -v n=$((loads1 - loads0)) \
    -v s="$full_window" -v inc="$BW_INCREMENTAL_MS_PER_S" -v peak="$rss_peak" 'BEGIN {
    if (n < 1) { print "periodic full reload: none logged in the window"; exit }
    p = (c1 - c0) / 1e6 / n; m = (m1 - m0) * 1000 / n
    printf "periodic full reload, %d in %d s: per reload policyd CPU %.0f ms, mysqld CPU %.0f ms; RSS peak %d MB\n", n, s, p, m, peak
    printf "amortised at full_reload_interval 300s: policyd %.3f ms/s, mysqld %.2f ms/s\n", p / 300, m / 300
    if (inc > 0) printf "ratio to the incremental refresh (policyd, 1s idle): %.1fx\n", (p / 300) / inc
}'
sed -i 's/^full_reload_interval = .*/full_reload_interval = 29m/' "$BW_WORK/policyd/boxwarden.conf"
kill -HUP "$BW_POLICYD_PID"
sleep 15
[ "$trials" -gt 0 ] || exit 0

"$BW_BENCH/bench_deactivation" --socket "$BW_SOCK" --database bw_bench --target "$BW_POLICY" \
    --trials "$trials" --first 1000 --domain bench.example
echo "RSS at the end: $(bw_rss_mb "$BW_POLICYD_PID") MB"
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
