#!/bin/sh
# Dovecot plugin benchmark (docs/benchmarks.md "Dovecot plugin, delivery
# side"): LMTP deliveries/s into two private Dovecots of the same
# configuration (tests/harness/dovecot-lmtp.sh), one without and one with
# boxwarden's plugin (and boxwarden-policyd on a private MariaDB), driven by
# bench_lmtp_load (CONNECTIONS parallel LMTP sessions, pipelined, one
# recipient per delivery, 100 mailboxes in turn). The two alternate in one
# run (without, with, without, with, ...), RUNS times each; medians.
# CPU: utime + stime of the lmtp processes from /proc (fixed processes:
# process_min_avail = process_limit = CONNECTIONS, service_count = 0, so
# the same processes serve every run), per delivery; and policyd's and
# mysqld's CPU per delivery in the runs with the plugin.
# Usage: bench/dovecot_lmtp_bench.sh [BUILD_DIR] [DELIVERIES] [CONNECTIONS] [RUNS]
# Needs root (Dovecot's master).
set -eu
BW_BUILD=${1:-build/default}
deliveries=${2:-3000}
conns=${3:-4}
runs=${4:-3}
. "$(dirname "$0")/../scripts/bench-common.sh"
BW_WORK="$BW_BUILD/bench-work/dovecot-lmtp"
DL="$BW_ROOT/tests/harness/dovecot-lmtp.sh"
MODULE="$BW_BUILD/dovecot-plugin/lib90_boxwarden_plugin.so"
mailboxes=100
tck=$(getconf CLK_TCK)

dl_cleanup() {
    "$DL" stop "$BW_WORK/without" >/dev/null 2>&1 || true
    "$DL" stop "$BW_WORK/with" >/dev/null 2>&1 || true
    bw_cleanup
}
trap dl_cleanup EXIT
rm -rf "$BW_WORK"
bw_machine
bw_start_db
bw_create_db bw_lmtp "$mailboxes" >/dev/null

# policyd as bench-common starts it, but the query socket open to the mail
# user too (deliveries run as nobody, as in the integration tests).
d="$BW_WORK/policyd"
mkdir -p "$d"
cat >"$d/boxwarden.conf" <<EOF
db_socket = $BW_SOCK
db_name = bw_lmtp
db_user = root
policy_listen = unix:$d/policy.sock
query_socket = $d/query.sock
query_socket_mode = 0666
query_allowed_users = *
spool_dir = $d/spool
run_user =
policy_socket_group =
query_socket_group =
refresh_interval = 1s
EOF
"$BW_POLICYD_BIN" --foreground --config "$d/boxwarden.conf" >"$d/policyd.log" 2>&1 &
BW_POLICYD_PID=$!
BW_PIDS="$BW_PIDS $BW_POLICYD_PID"
"$BW_BENCH/bench_wait_ready" --target "unix:$d/policy.sock" --recipient m1@bench.example >/dev/null

export DOVECOT_LMTP_SERVICE="  process_min_avail = $conns
  process_limit = $conns
  client_limit = 1
  service_count = 0
  idle_kill = 1 hours"
"$DL" start "$BW_WORK/without" "" "$d/query.sock" 9 >/dev/null
"$DL" start "$BW_WORK/with" "$MODULE" "$d/query.sock" 9 >/dev/null

ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
# utime + stime of every lmtp child of the instance's master.
lmtp_ticks() {
    master=$(cat "$BW_WORK/$1/run/master.pid")
    t=0
    for p in $(ps --ppid "$master" -o pid=,comm= | awk '$2 == "lmtp" {print $1}'); do
        t=$((t + $(ticks "$p")))
    done
    echo "$t"
}
median() { sort -n | awk '{a[NR] = $1} END {print a[int((NR + 1) / 2)]}'; }

# load NAME COUNT TAG: one load run against instance NAME.
load() {
    "$BW_BENCH/bench_lmtp_load" "127.0.0.1:$(cat "$BW_WORK/$1/lmtp_port")" "$conns" "$2" \
        "$mailboxes" bench.example "$3"
}

# Warm-up: every lmtp process has loaded its mail users (and the plugin its
# policyd connection) before the measured runs.
load without $((conns * 50)) warm-without >/dev/null
load with $((conns * 50)) warm-with >/dev/null
echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"

: >"$BW_WORK/without.rates"
: >"$BW_WORK/with.rates"
: >"$BW_WORK/without.cpu"
: >"$BW_WORK/with.cpu"
p_total=0
m_total=0
i=0
while [ "$i" -lt "$runs" ]; do
    i=$((i + 1))
    for name in without with; do
        t0=$(lmtp_ticks "$name")
        p0=$(ticks "$BW_POLICYD_PID")
        m0=$(ticks "$BW_MYSQLD_PID")
        out=$(load "$name" "$deliveries" "run$i-$name")
        t1=$(lmtp_ticks "$name")
        p1=$(ticks "$BW_POLICYD_PID")
        m1=$(ticks "$BW_MYSQLD_PID")
        if [ "$name" = with ]; then
            p_total=$((p_total + p1 - p0))
            m_total=$((m_total + m1 - m0))
        fi
        echo "$out" | sed 's/.*deliveries_per_s=\([0-9.]*\).*/\1/' >>"$BW_WORK/$name.rates"
        awk -v a="$t0" -v b="$t1" -v t="$tck" -v n="$deliveries" \
            'BEGIN {printf "%.0f\n", (b - a) / t / n * 1e6}' >>"$BW_WORK/$name.cpu"
        echo "  run $i $name: $out lmtp_cpu_ticks=$((t1 - t0))"
    done
done
echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"

r0=$(median <"$BW_WORK/without.rates")
r1=$(median <"$BW_WORK/with.rates")
c0=$(median <"$BW_WORK/without.cpu")
c1=$(median <"$BW_WORK/with.cpu")
echo "deliveries per run: $deliveries over $conns LMTP connections, median of $runs"
echo "| Dovecot LMTP | deliveries/s | lmtp CPU per delivery |"
echo "| --- | --- | --- |"
echo "| without plugin | $r0 | $c0 µs |"
echo "| with boxwarden plugin | $r1 | $c1 µs |"
awk -v a="$r0" -v b="$r1" 'BEGIN {printf "plugin cost: %.1f %% of deliveries/s\n", (a - b) / a * 100}'
echo "plugin's added lmtp CPU per delivery: $((c1 - c0)) µs"
awk -v p="$p_total" -v m="$m_total" -v t="$tck" -v n="$((deliveries * runs))" \
    'BEGIN {printf "policyd CPU per delivery: %.0f µs, mysqld: %.0f µs (runs with the plugin)\n", p / t / n * 1e6, m / t / n * 1e6}'
sleep 3
echo "received activity rows: $(bw_sql bw_lmtp 'SELECT COUNT(*) FROM activity' | tail -1)" \
    "(expected $((deliveries * runs + conns * 50)))"
