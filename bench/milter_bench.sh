#!/bin/sh
# Milter benchmark (docs/benchmarks.md "boxwarden-milter"): authenticated
# submissions through a private Postfix smtpd (tests/harness/postfix.sh,
# SASL from a private Dovecot via tests/harness/sasl-sink.sh, delivery to
# discard:), driven by bench_smtp_auth_load (AUTH PLAIN + pipelining), for
# three configurations in one run: no milter, the do-nothing filter that
# negotiates every step (bench_milter_noop), and boxwarden-milter with
# boxwarden-policyd (look-up, activity write, From rewrite). Reports
# messages/s and the filter's own CPU per message (utime + stime of the
# filter process from /proc), median of RUNS runs each.
# Usage: bench/milter_bench.sh [BUILD_DIR] [MESSAGES] [SESSIONS] [RUNS]
# Needs root (Postfix's master, Dovecot).
# Environment (for profiling; the defaults are the documented benchmark):
#   BENCH_CONFIGS   which configurations, in order (default "none noop boxwarden")
#   MILTER_BIN      the boxwarden-milter binary (default BUILD_DIR/milter/boxwarden-milter)
#   MILTER_CONF     extra lines for the milter's configuration
#   MILTER_PERF     a file: boxwarden-milter runs are recorded with `perf record -a -g`
#   MILTER_STRACE   a file: syscall counts of boxwarden-milter runs (`strace -c -f -p`;
#                   MILTER_STRACE_ARGS replaces -c)
set -eu
BW_BUILD=${1:-build/default}
messages=${2:-20000}
sessions=${3:-20}
runs=${4:-3}
. "$(dirname "$0")/../scripts/bench-common.sh"
BW_WORK="$BW_BUILD/bench-work/milter"
PF="$BW_ROOT/tests/harness/postfix.sh"
SASL="$BW_ROOT/tests/harness/sasl-sink.sh"
MILTER_BIN=${MILTER_BIN:-"$BW_BUILD/milter/boxwarden-milter"}
configs=${BENCH_CONFIGS:-none noop boxwarden}
port=25359
user="m1@bench.example"
tck=$(getconf CLK_TCK)

mb_cleanup() {
    "$PF" stop "$BW_WORK/pf" >/dev/null 2>&1 || true
    "$SASL" stop "$BW_WORK/sasl" >/dev/null 2>&1 || true
    bw_cleanup
}
trap mb_cleanup EXIT
rm -rf "$BW_WORK"
bw_machine
bw_start_db
bw_create_db bw_milter 100
bw_sql bw_milter "UPDATE mailbox SET email_name = 'Bench Müller' WHERE local_part = 'm1'"
bw_start_policyd bw_milter
"$BW_BENCH/bench_wait_ready" --target "$BW_POLICY" --recipient "$user" >/dev/null
printf '%s:{PLAIN}bench-pw\n' "$user" >"$BW_WORK/passwd"
"$SASL" start "$BW_WORK/sasl" "$BW_WORK/passwd" >/dev/null

ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
uticks() { awk '{print $14}' "/proc/$1/stat"; }
median() { sort -n | awk '{a[NR] = $1} END {print a[int((NR + 1) / 2)]}'; }

# run_config NAME MILTER_SPEC FILTER_PID ("" for none)
run_config() {
    name=$1
    spec=$2
    fpid=$3
    POSTFIX_MILTERS="$spec" POSTFIX_EXTRA="milter_protocol = 6
smtpd_sasl_auth_enable = yes
smtpd_sasl_type = dovecot
smtpd_sasl_path = $BW_WORK/sasl/auth-postfix
milter_content_timeout = 30s" "$PF" start "$BW_WORK/pf" "$port" >/dev/null
    : >"$BW_WORK/$name.rates"
    : >"$BW_WORK/$name.cpu"
    i=0
    while [ "$i" -lt "$runs" ]; do
        i=$((i + 1))
        t0=0
        u0=0
        [ -z "$fpid" ] || t0=$(ticks "$fpid")
        [ -z "$fpid" ] || u0=$(uticks "$fpid")
        perf_pid=""
        if [ -n "${MILTER_PERF:-}" ] && [ "$name" = boxwarden-milter ]; then
            echo "$fpid" >"$MILTER_PERF.$i.pid"
            perf record -F 4999 -g -p "$fpid" -o "$MILTER_PERF.$i" >"$MILTER_PERF.$i.log" 2>&1 &
            perf_pid=$!
            sleep 0.5
        elif [ -n "${MILTER_STRACE:-}" ] && [ "$name" = boxwarden-milter ]; then
            strace -f ${MILTER_STRACE_ARGS:--c} -p "$fpid" -o "$MILTER_STRACE.$i" 2>/dev/null &
            perf_pid=$!
            sleep 0.5
        fi
        out=$("$BW_BENCH/bench_smtp_auth_load" "127.0.0.1:$port" "$sessions" "$messages" \
            "$user" bench-pw "$user" "rcpt@example.org")
        t1=0
        u1=0
        [ -z "$fpid" ] || t1=$(ticks "$fpid")
        [ -z "$fpid" ] || u1=$(uticks "$fpid")
        if [ -n "$perf_pid" ]; then kill -TERM "$perf_pid" 2>/dev/null || true; wait "$perf_pid" || true; fi
        rate=$(echo "$out" | sed 's/.*msgs_per_s=\([0-9.]*\).*/\1/')
        echo "$rate" >>"$BW_WORK/$name.rates"
        awk -v a="$t0" -v b="$t1" -v t="$tck" -v n="$messages" \
            'BEGIN {printf "%.0f\n", (b - a) / t / n * 1e6}' >>"$BW_WORK/$name.cpu"
        echo "  $name run $i: $out filter_cpu_us=$(awk -v a="$t0" -v b="$t1" -v t="$tck" -v n="$messages" \
            'BEGIN {printf "%.0f", (b - a) / t / n * 1e6}') of_which_user_us=$(awk -v a="$u0" -v b="$u1" \
            -v t="$tck" -v n="$messages" 'BEGIN {printf "%.0f", (b - a) / t / n * 1e6}')"
    done
    "$PF" stop "$BW_WORK/pf" >/dev/null
    printf '| %s | %s | %s µs |\n' "$name" "$(median <"$BW_WORK/$name.rates")" \
        "$(median <"$BW_WORK/$name.cpu")" >>"$BW_WORK/table"
}

: >"$BW_WORK/table"
p0=0
p1=0
for config in $configs; do
    case "$config" in
    none) run_config none "" "" ;;
    noop)
        "$BW_BENCH/bench_milter_noop" "unix:$BW_WORK/noop.sock" >"$BW_WORK/noop.log" 2>&1 &
        noop_pid=$!
        BW_PIDS="$BW_PIDS $noop_pid"
        sleep 1
        run_config noop-every-step "unix:$BW_WORK/noop.sock" "$noop_pid"
        kill "$noop_pid"
        ;;
    boxwarden)
        {
            echo "query_socket = $BW_WORK/policyd/query.sock"
            echo "milter_socket = $BW_WORK/milter.sock"
            echo "milter_socket_group = postfix"
            echo "run_user ="
            [ -z "${MILTER_CONF:-}" ] || printf '%s\n' "$MILTER_CONF"
        } >"$BW_WORK/milter.conf"
        "$MILTER_BIN" -c "$BW_WORK/milter.conf" >"$BW_WORK/milter.log" 2>&1 &
        milter_pid=$!
        BW_PIDS="$BW_PIDS $milter_pid"
        sleep 1
        p0=$(ticks "$BW_POLICYD_PID")
        run_config boxwarden-milter "unix:$BW_WORK/milter.sock" "$milter_pid"
        p1=$(ticks "$BW_POLICYD_PID")
        kill "$milter_pid"
        ;;
    *) echo "unknown configuration $config" >&2; exit 64 ;;
    esac
done

echo "messages per run: $messages over $sessions sessions, median of $runs"
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "| filter | msgs/s | filter CPU per message |"
echo "| --- | --- | --- |"
cat "$BW_WORK/table"
awk -v a="$p0" -v b="$p1" -v t="$tck" -v n="$((messages * runs))" \
    'BEGIN {printf "policyd CPU per message (boxwarden-milter runs): %.0f µs\n", (b - a) / t / n * 1e6}'
sleep 2
echo "sent activity rows: $(bw_sql bw_milter 'SELECT COUNT(*) FROM activity' | tail -1)"
