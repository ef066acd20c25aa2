#!/bin/sh
# Benchmark 3 (docs/benchmarks.md): end to end through a private Postfix
# smtpd (tests/harness/postfix.sh, delivery to discard:) driven by Postfix's
# smtp-source, for: no check, boxwarden-policyd (check_policy_service),
# mysql: check_recipient_access (the PostfixAdmin way) and proxy:mysql:.
# Reports messages/s and CPU per message: the checking process's own CPU
# (policyd, or mysqld for the maps) and Postfix's whole CPU (master and all
# its children, reaped or alive).
# Usage: scripts/bench-postfix.sh [BUILD_DIR] [MESSAGES] [SESSIONS] [MAILBOXES]
# Needs root (Postfix's master).
set -eu
BW_BUILD=${1:-build/default}
messages=${2:-20000}
sessions=${3:-20}
mailboxes=${4:-100000}
. "$(dirname "$0")/bench-common.sh"
BW_WORK="$BW_BUILD/bench-work/postfix"
PF="$BW_ROOT/tests/harness/postfix.sh"
port=25259
rcpt="m4711@bench.example"

pf_cleanup() {
    for c in none policyd mysql proxymysql; do "$PF" stop "$BW_WORK/pf-$c" >/dev/null 2>&1 || true; done
    bw_cleanup
}
trap pf_cleanup EXIT
rm -rf "$BW_WORK"
bw_machine
bw_start_db
bw_create_db bw_bench "$mailboxes"
bw_start_policyd bw_bench
"$BW_BENCH/bench_wait_ready" --target "$BW_POLICY" --recipient "$rcpt" >/dev/null

# The access map: one query per recipient thanks to "domain"; active
# mailboxes DUNNO, inactive ones refused (an unknown one finds no row).
map="$BW_WORK/mysql-rcpt.cf"
{
    echo "hosts = unix:$BW_SOCK"
    echo "user = root"
    echo "password ="
    echo "dbname = bw_bench"
    echo "domain = bench.example"
    echo "query = SELECT IF(active = 1, 'DUNNO', 'REJECT 5.2.1 Mailbox disabled') FROM mailbox WHERE address = '%s'"
} >"$map"
chown root:postfix "$map" # proxy:mysql: needs the postfix group to read it
chmod 0640 "$map"

# Postfix's CPU so far: master's own and reaped children's time, plus the
# children still alive (all in clock ticks).
postfix_ticks() { # postfix_ticks MASTER_PID
    m=$1
    t=$(awk '{sub(/.*\) /, ""); print $12 + $13 + $14 + $15}' "/proc/$m/stat")
    for c in $(ps -o pid= --ppid "$m"); do
        t=$((t + $(awk '{sub(/.*\) /, ""); print $12 + $13}' "/proc/$c/stat" 2>/dev/null || echo 0)))
    done
    echo "$t"
}

ticks() { # ticks PID: utime + stime
    awk '{sub(/.*\) /, ""); print $12 + $13}' "/proc/$1/stat"
}

hz=$(getconf CLK_TCK)
printf '%-12s %9s %10s %14s %16s %14s\n' check "msgs/s" "wall s" "checker ms/msg" "checker" "postfix ms/msg"

run() { # run NAME POLICY EXTRA CHECKER_PID
    name=$1
    dir="$BW_WORK/pf-$name"
    POSTFIX_EXTRA=$3 "$PF" start "$dir" "$port" "$2" >/dev/null
    master=$(tr -dc '0-9' <"$dir/queue/pid/master.pid")
    p0=$(postfix_ticks "$master")
    c0=0
    [ -n "$4" ] && c0=$(ticks "$4")
    t0=$(date +%s.%N)
    smtp-source -s "$sessions" -m "$messages" -f someone@example.org -t "$rcpt" "127.0.0.1:$port" \
        >"$dir/smtp-source.log" 2>&1
    t1=$(date +%s.%N)
    # Let the queue drain so delivery's CPU is counted too (bounded).
    i=0
    until postqueue -c "$dir/etc" -p 2>/dev/null | grep -q "Mail queue is empty"; do
        i=$((i + 1))
        [ "$i" -gt 600 ] && { echo "queue of $name did not drain" >&2; break; }
        sleep 0.5
    done
    c1=0
    [ -n "$4" ] && c1=$(ticks "$4")
    p1=$(postfix_ticks "$master")
    sent=$(grep -c "status=sent" "$dir/maillog" || true)
    "$PF" stop "$dir" >/dev/null
    awk -v n="$name" -v m="$messages" -v t0="$t0" -v t1="$t1" -v c="$((c1 - c0))" \
        -v p="$((p1 - p0))" -v hz="$hz" -v who="${5:-}" -v sent="$sent" 'BEGIN {
        printf "%-12s %9.0f %10.1f %14.3f %16s %14.2f   (%d delivered)\n", n, m / (t1 - t0), t1 - t0,
            (who == "" ? 0 : c / hz * 1000 / m), (who == "" ? "-" : who), p / hz * 1000 / m, sent }'
}

run none "" "" "" ""
run policyd "$BW_POLICY" "" "$BW_POLICYD_PID" policyd
run mysql "" "smtpd_recipient_restrictions = check_recipient_access mysql:$map, permit_mynetworks, reject_unauth_destination" "$BW_MYSQLD_PID" mysqld
run proxymysql "" "smtpd_recipient_restrictions = check_recipient_access proxy:mysql:$map, permit_mynetworks, reject_unauth_destination" "$BW_MYSQLD_PID" mysqld
echo "(CPU from /proc/PID/stat in ticks of 1/$hz s; proxy:mysql's proxymap is inside \"postfix\")"
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
