#!/bin/sh
# Dovecot access benchmark (docs/benchmarks.md "Dovecot access"), one run:
#  1. IMAP logins/s through the shipped SQL auth (tests/harness/dovecot-auth.sh,
#     read-only DB user), for the address and the master login
#     ("address*login"), password hashes SHA512-CRYPT and ARGON2ID (doveadm's
#     defaults), auth cache off (shipped) and on, SECONDS each with WORKERS
#     parallel clients (bench/dovecot_login_load.py: connect, LOGIN, LOGOUT).
#  2. The plugin's cost on one master-login IMAP session that reads (FETCH
#     BODY[]) and flags (STORE +FLAGS \Answered) MESSAGES messages one by one
#     (bench/dovecot_session_load.py), with and without boxwarden's plugin
#     (policyd running in both), median of RUNS runs each; the same fresh
#     Maildir (all unseen) is restored before every run.
# Usage: bench/dovecot_access_bench.sh [BUILD_DIR] [SECONDS] [WORKERS] [MESSAGES] [RUNS]
# Needs root (Dovecot's master).
set -eu
BW_BUILD=${1:-build/default}
seconds=${2:-10}
workers=${3:-4}
messages=${4:-1000}
runs=${5:-3}
. "$(dirname "$0")/../scripts/bench-common.sh"
BW_WORK="$BW_BUILD/bench-work/dovecot-access"
DA="$BW_ROOT/tests/harness/dovecot-auth.sh"
MODULE="$BW_BUILD/dovecot-plugin/lib90_boxwarden_plugin.so"
LOGIN_LOAD="$BW_ROOT/bench/dovecot_login_load.py"
SESSION_LOAD="$BW_ROOT/bench/dovecot_session_load.py"
dc="$BW_WORK/dc"

da_cleanup() {
    "$DA" stop "$dc" >/dev/null 2>&1 || true
    bw_cleanup
}
trap da_cleanup EXIT
rm -rf "$BW_WORK"
bw_machine
bw_start_db
bw_create_db bw_access 1
db=bw_access
sha=$(doveadm pw -s SHA512-CRYPT -p bench-pw)
argon=$(doveadm pw -s ARGON2ID -p bench-pw)
echo "ARGON2ID parameters: $(echo "$argon" | cut -d'$' -f3,4)"
bw_sql "$db" "CALL create_mailbox('m2@bench.example');
    UPDATE mailbox SET password_hash = '$sha' WHERE address = 'm1@bench.example';
    UPDATE mailbox SET password_hash = '$argon' WHERE address = 'm2@bench.example';
    INSERT INTO user_account (login, password_hash) VALUES ('usha', '$sha'), ('uargon', '$argon');
    CALL assign_user('m1@bench.example', 'usha'); CALL assign_user('m1@bench.example', 'uargon');
    CALL assign_user('m2@bench.example', 'usha');"
mariadb --no-defaults -S "$BW_SOCK" -uroot \
    --init-command="SET @bw_dovecot_user = 'bench_dovecot', @bw_dovecot_password = 'bench-db-pw'" \
    "$db" <"$BW_ROOT/sql/grants/dovecot-auth-grants.sql"

echo
echo "== IMAP logins/s ($workers clients, $seconds s each; '<logins/s> <failures>')"
for cache in 0 1; do
    DOVECOT_AUTH_CACHE=$cache "$DA" start "$dc" "$BW_SOCK" "$db" bench_dovecot bench-db-pw >/dev/null
    port=$(cat "$dc/imap_port")
    for login in "m1@bench.example SHA512-CRYPT address" "m2@bench.example ARGON2ID address" \
        "m1@bench.example*usha SHA512-CRYPT master" "m1@bench.example*uargon ARGON2ID master"; do
        set -- $login
        printf 'cache=%s %-8s %-13s %s\n' "$([ "$cache" = 1 ] && echo on || echo off)" "$3" "$2" \
            "$(python3 "$LOGIN_LOAD" "$port" "$1" bench-pw "$seconds" "$workers")"
    done
    "$DA" stop "$dc" >/dev/null
done

echo
echo "== plugin cost: one IMAP session, FETCH BODY[] + STORE \\Answered on $messages messages"
# policyd as bench-common.sh starts it, but reachable by the imap processes
# (the mail user nobody): query socket 0666, any peer.
pd="$BW_WORK/policyd"
mkdir -p "$pd"
cat >"$pd/boxwarden.conf" <<CONF
db_socket = $BW_SOCK
db_name = $db
db_user = root
policy_listen = unix:$pd/policy.sock
query_socket = $pd/query.sock
query_socket_mode = 0666
query_allowed_users = *
spool_dir = $pd/spool
run_user =
policy_socket_group =
query_socket_group =
refresh_interval = 1s
CONF
"$BW_POLICYD_BIN" --foreground --config "$pd/boxwarden.conf" >"$pd/policyd.log" 2>&1 &
BW_PIDS="$BW_PIDS $!"
i=0
until [ -S "$pd/query.sock" ] || [ "$i" -gt 100 ]; do sleep 0.1; i=$((i + 1)); done
# The mailbox, once: MESSAGES mails through LMTP (no plugin), kept as a template.
"$DA" start "$dc" "$BW_SOCK" "$db" bench_dovecot bench-db-pw >/dev/null
python3 - "$(cat "$dc/lmtp_port")" "$messages" <<'PY'
import smtplib, sys
port, n = int(sys.argv[1]), int(sys.argv[2])
c = smtplib.LMTP("127.0.0.1", port)
body = "".join("line %d of a benchmark message body\r\n" % i for i in range(60))
for i in range(n):
    c.sendmail("sender@elsewhere.example", ["m1@bench.example"],
               "From: sender@elsewhere.example\r\nTo: m1@bench.example\r\nSubject: bench %d\r\n"
               "Message-ID: <bench-%d@elsewhere.example>\r\n\r\n%s" % (i, i, body))
c.quit()
PY
cp -a "$dc/mail" "$BW_WORK/mail-template"
"$DA" stop "$dc" >/dev/null
median() { sort -n | awk '{a[NR] = $1} END {print a[int((NR + 1) / 2)]}'; }
for variant in without with; do
    module=""
    [ "$variant" = with ] && module="$MODULE"
    if [ -n "$module" ]; then
        "$DA" start "$dc" "$BW_SOCK" "$db" bench_dovecot bench-db-pw "$module" \
            "$BW_WORK/policyd/query.sock" >/dev/null
    else
        "$DA" start "$dc" "$BW_SOCK" "$db" bench_dovecot bench-db-pw >/dev/null
    fi
    port=$(cat "$dc/imap_port")
    times=""
    r=0
    while [ "$r" -lt "$runs" ]; do
        rm -rf "$dc/mail"
        cp -a "$BW_WORK/mail-template" "$dc/mail"
        t=$(python3 "$SESSION_LOAD" "$port" "m1@bench.example*usha" bench-pw "$messages")
        times="$times $t"
        r=$((r + 1))
    done
    "$DA" stop "$dc" >/dev/null
    m=$(echo "$times" | tr ' ' '\n' | grep . | median)
    echo "plugin $variant: runs(s):$times  median $m s"
    eval "median_$variant=$m"
done
awk -v a="$median_without" -v b="$median_with" 'BEGIN {printf "plugin cost: %+.1f %% (median %.3f s -> %.3f s)\n", (b - a) / a * 100, a, b}'
echo "agent-log rows written: $(bw_sql "$db" "SELECT COUNT(*) FROM agent_log" | tail -1) (expected $((2 * messages * runs)) once the spool drained)"
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
