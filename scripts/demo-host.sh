#!/bin/sh
# The main job: a complete loopback mail host with boxwarden and demo data.
#   scripts/demo-host.sh start          install deps, build, start every service, load demo data,
#                                       print the demo logins and the admin page's URL
#   scripts/demo-host.sh status [--json] each service's health (--json: also ports, sockets, logs, pids)
#   scripts/demo-host.sh scenario       walk through the DESIGN.md §1 features against the running host
#   scripts/demo-host.sh sql            a SQL shell on the demo database (or pipe SQL into it)
#   scripts/demo-host.sh stop           stop every demo service by PID (the data stays)
#   scripts/demo-host.sh reset          stop, delete the run folder, start afresh
#
# Services, all private (own config, folders, logs under run/demo/), on
# 127.0.0.1 or unix sockets only, stopped by the PIDs they wrote:
#   MariaDB (unix socket only), boxwarden-policyd, boxwarden-milter,
#   Dovecot (IMAP, POP3, LMTP, SASL for Postfix) with the boxwarden plugin,
#   Postfix (an MX smtpd with the policy check, a submission smtpd with
#   SASL and the milter; delivery to Dovecot over LMTP), a capture
#   (smtp-sink) that stores every message Postfix would send off the host
#   as a file in run/demo/outbox/, and boxwarden-web (the admin page, on
#   http://127.0.0.1:2880 with the admin demo-admin, whose generated
#   password is kept in run/demo/web-admin-password, 0600).
# The configuration is rendered from the files the packages ship
# (packaging/boxwarden.conf, packaging/postfix/*, dovecot-plugin/conf.d/,
# packaging/dovecot/; the page's templates from web/share/): what the demo
# proves is what an operator installs. docs/operator-guide.md describes both.
#
# Environment (for tests; defaults in brackets):
#   BOXWARDEN_DEMO_RUN      the run folder [run/demo]; keep it short (unix socket paths)
#   BOXWARDEN_DEMO_BUILD    the build tree with the binaries [build/default]
#   BOXWARDEN_DEMO_NO_BUILD=1  do not install packages or build (the binaries exist)
#   BOXWARDEN_DEMO_PORTS=free  pick free loopback ports at the first start
#                           instead of 2525/2587/2143/2110/2526/2880
set -eu
cd "$(dirname "$0")/.."
top=$(pwd)
RUN=${BOXWARDEN_DEMO_RUN:-$top/run/demo}
BUILD=${BOXWARDEN_DEMO_BUILD:-$top/build/default}
case "$RUN" in /*) ;; *) RUN="$top/$RUN" ;; esac
case "$BUILD" in /*) ;; *) BUILD="$top/$BUILD" ;; esac

MYSQL_DIR="$RUN/mysql"
SOCK="$MYSQL_DIR/mysqld.sock"
DB=boxwarden
ROOT_CNF="$RUN/mysql-root.cnf"
DB_PASSWORDS="$RUN/db-passwords"
LOGS="$RUN/logs"
SOCKETS="$RUN/sockets"
OUTBOX="$RUN/outbox"
SENDMAIL="$RUN/capture-sendmail"
CONF="$RUN/boxwarden.conf"
KEY="$RUN/secret.key"
PORTS="$RUN/ports"

POLICYD_BIN="$BUILD/policyd/boxwarden-policyd"
MILTER_BIN="$BUILD/milter/boxwarden-milter"
CTL_BIN="$BUILD/cli/boxwardenctl"
PLUGIN_SO="$BUILD/dovecot-plugin/lib90_boxwarden_plugin.so"
WEB_BIN="$BUILD/web/boxwarden-web"
# The page's templates/ and static/, from the source tree (what the package
# installs to /usr/share/boxwarden/web).
WEB_SHARE="$top/web/share"
WEB_ADMIN=demo-admin
WEB_ADMIN_PASSWORD="$RUN/web-admin-password"

POLICYD_PID="$RUN/policyd.pid"
MILTER_PID="$RUN/milter.pid"
SINK_PID="$RUN/sink.pid"
WEB_PID="$RUN/web.pid"
QUERY_SOCK="$SOCKETS/query.sock"
MILTER_SOCK="$SOCKETS/milter.sock"

PF="$RUN/postfix"
PF_ETC="$PF/etc"
PF_QUEUE="$PF/queue"
PF_PID="$PF_QUEUE/pid/master.pid"
# Postfix resolves private/... against its queue directory; the policy,
# SASL and LMTP sockets live there, as on a packaged host.
POLICY_SOCK="$PF_QUEUE/private/boxwarden-policy"
SASL_SOCK="$PF_QUEUE/private/auth"
LMTP_SOCK="$PF_QUEUE/private/dovecot-lmtp"

DC="$RUN/dovecot"
DC_CONF="$DC/dovecot.conf"
DC_PID="$DC/run/master.pid"
MAIL_DIR="$RUN/mail"

. "$top/tests/harness/stop-by-pid.sh"
harness_dir=$top/tests/harness
. "$harness_dir/free-port.sh"

sql() { mariadb --defaults-file="$ROOT_CNF" --default-character-set=utf8mb4 "$@"; }
ctl() { "$CTL_BIN" --config "$CONF" "$@"; }
root_password() { sed -n 's/^password = //p' "$ROOT_CNF"; }
pid_of() { [ -f "$1" ] && tr -dc '0-9' <"$1"; }
running() { _p=$(pid_of "$1" 2>/dev/null || true); [ -n "$_p" ] && kill -0 "$_p" 2>/dev/null; }
random_secret() { head -c 24 /dev/urandom | base64 | tr -d '/+='; }
# db_password NAME: a demo database account's password, made once.
db_password() {
    touch "$DB_PASSWORDS"
    chmod 600 "$DB_PASSWORDS"
    _v=$(sed -n "s/^$1=//p" "$DB_PASSWORDS")
    if [ -z "$_v" ]; then
        _v=$(random_secret)
        printf '%s=%s\n' "$1" "$_v" >>"$DB_PASSWORDS"
    fi
    printf '%s' "$_v"
}
wait_for() { # wait_for TENTHS WHAT COMMAND...
    _n=$1 _what=$2
    shift 2
    _i=0
    until "$@" >/dev/null 2>&1; do
        _i=$((_i + 1))
        [ "$_i" -gt "$_n" ] && { echo "$_what did not come up" >&2; return 1; }
        sleep 0.1
    done
}
tcp_open() { nc -z 127.0.0.1 "$1"; }

# Ports: fixed defaults, or free ones picked once (BOXWARDEN_DEMO_PORTS=free),
# kept in $PORTS so that start, status and scenario agree.
load_ports() {
    if [ ! -s "$PORTS" ]; then
        mkdir -p "$RUN"
        if [ "${BOXWARDEN_DEMO_PORTS:-}" = free ]; then
            printf 'MX_PORT=%s\nSUBMISSION_PORT=%s\nIMAP_PORT=%s\nPOP3_PORT=%s\nSINK_PORT=%s\n' \
                "$(free_port)" "$(free_port)" "$(free_port)" "$(free_port)" "$(free_port)" >"$PORTS"
        else
            printf 'MX_PORT=2525\nSUBMISSION_PORT=2587\nIMAP_PORT=2143\nPOP3_PORT=2110\nSINK_PORT=2526\n' >"$PORTS"
        fi
    fi
    . "$PORTS"
    # A run folder from before the admin page: its port is added once.
    if [ -z "${WEB_PORT:-}" ]; then
        if [ "${BOXWARDEN_DEMO_PORTS:-}" = free ]; then WEB_PORT=$(free_port); else WEB_PORT=2880; fi
        printf 'WEB_PORT=%s\n' "$WEB_PORT" >>"$PORTS"
    fi
    WEB_URL="http://127.0.0.1:$WEB_PORT"
}

# render TEMPLATE OUT KEY=VALUE...: a "key = value" file with the given keys
# replaced where the template has them (commented or not) and appended where
# it has not; every other line as shipped.
render_keys() {
    _tpl=$1 _out=$2
    shift 2
    python3 - "$_tpl" "$_out" "$@" <<'PY'
import re, sys
tpl, out, pairs = sys.argv[1], sys.argv[2], sys.argv[3:]
want = dict(p.split("=", 1) for p in pairs)
seen, lines = set(), []
for line in open(tpl, encoding="utf-8"):
    m = re.match(r"^#?\s*([a-z0-9_]+)\s*=", line)
    if m and m.group(1) in want and m.group(1) not in seen:
        seen.add(m.group(1))
        line = f"{m.group(1)} = {want[m.group(1)]}\n"
    lines.append(line)
extra = [k for k in want if k not in seen]
if extra:
    lines.append("\n# scripts/demo-host.sh: keys the packaged file leaves at their defaults\n")
    lines += [f"{k} = {want[k]}\n" for k in extra]
open(out, "w", encoding="utf-8").writelines(lines)
PY
}

# substitute TEMPLATE OUT FROM=TO...: the shipped file with its packaged
# paths replaced by the demo's (plain text replacement, in order); OUT "-"
# is standard output.
substitute() {
    _tpl=$1 _out=$2
    shift 2
    python3 - "$_tpl" "$_out" "$@" <<'PY'
import sys
tpl, out, pairs = sys.argv[1], sys.argv[2], sys.argv[3:]
text = open(tpl, encoding="utf-8").read()
for p in pairs:
    a, b = p.split("=>", 1)
    if a not in text:
        sys.exit(f"demo-host: {tpl} no longer contains {a!r}: update scripts/demo-host.sh")
    text = text.replace(a, b)
if out == "-":
    sys.stdout.write(text)
else:
    open(out, "w", encoding="utf-8").write(text)
PY
}

# ---------------------------------------------------------------- MariaDB

start_mariadb() {
    if running "$MYSQL_DIR/mysqld.pid"; then
        echo "MariaDB already running"
        return 0
    fi
    # 0711: Dovecot's auth workers and Postfix's proxymap (their own users)
    # reach the socket; every account has a password.
    BOXWARDEN_MARIADB_KEEP_DATA=1 BOXWARDEN_MARIADB_DIR_MODE=0711 \
        tests/harness/mariadb.sh start "$MYSQL_DIR"
    if [ ! -s "$ROOT_CNF" ]; then
        password=$(random_secret)
        # Through stdin, so the password never shows in the process list.
        printf "ALTER USER 'root'@'localhost' IDENTIFIED BY '%s';\nDROP USER IF EXISTS ''@'localhost', ''@'%s';\n" \
            "$password" "$(hostname)" | mariadb --no-defaults -S "$SOCK" -uroot ||
            { echo "cannot set the MariaDB root password (datadir from elsewhere? try: $0 reset)" >&2; exit 1; }
        (umask 077 && printf '[client]\nuser = root\npassword = %s\nsocket = %s\n' \
            "$password" "$SOCK" >"$ROOT_CNF")
        echo "MariaDB root password set (stored in $ROOT_CNF, mode 0600)"
    fi
    chmod 600 "$ROOT_CNF"
    sql -e "CREATE DATABASE IF NOT EXISTS $DB CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"
}

# The read-only accounts of Postfix's maps and Dovecot's SQL auth, with the
# packaged grant scripts where they exist.
database_accounts() {
    printf "SET @pw = '%s';\nSOURCE %s\n" "$(db_password postfix)" "$top/packaging/postfix/boxwarden-postfix-grants.sql" |
        sql "$DB"
    # Dovecot's: the column grants of sql/grants/dovecot-auth-grants.sql.
    printf "SET @bw_dovecot_user = 'boxwarden_dovecot';\nSET @bw_dovecot_password = '%s';\nSOURCE %s\n" \
        "$(db_password dovecot)" "$top/sql/grants/dovecot-auth-grants.sql" | sql "$DB"
}

# ---------------------------------------------------------------- config

# A sendmail stand-in for boxwardenctl's send-access-data: stores the
# message (and its envelope) as one file in the outbox.
write_capture_sendmail() {
    cat >"$SENDMAIL" <<EOF
#!/bin/sh
# Generated by scripts/demo-host.sh: "sendmail -i -f FROM -- RCPT" stand-in
# that keeps each message as a file in $OUTBOX instead of sending it.
set -eu
umask 077
file="$OUTBOX/\$(date -u +%Y%m%dT%H%M%SZ)-sendmail-\$\$.eml"
{ printf 'X-Demo-Envelope: %s\n' "\$*"; cat; } >"\$file.tmp"
mv "\$file.tmp" "\$file"
EOF
    chmod 700 "$SENDMAIL"
}

# boxwarden.conf for policyd, the milter and boxwardenctl: the packaged
# file with the demo's paths. 0600: it holds the database password, and
# every demo daemon runs as root (run_user empty).
write_config() {
    (umask 077 && render_keys "$top/packaging/boxwarden.conf" "$CONF" \
        "db_socket=$SOCK" "db_user=root" "db_password=$(root_password)" "db_name=$DB" \
        "policy_listen=unix:$POLICY_SOCK" "query_socket=$QUERY_SOCK" \
        "policy_socket_group=postfix" "policy_allowed_users=postfix" \
        "query_socket_group=nogroup" "query_allowed_users=nobody" \
        "spool_dir=$RUN/spool" "run_user=" \
        "milter_socket=$MILTER_SOCK" "milter_socket_group=postfix" \
        "imap_host=localhost" "imap_port=$IMAP_PORT" "imap_security=none" \
        "pop3_host=localhost" "pop3_port=$POP3_PORT" "pop3_security=none" \
        "smtp_host=localhost" "smtp_port=$SUBMISSION_PORT" "smtp_security=none" \
        "sendmail_path=$SENDMAIL" "sql_dir=$top/sql" "secret_key_file=$KEY" \
        "doveadm_config=$DC_CONF" \
        "web_listen=127.0.0.1:$WEB_PORT" "web_share_dir=$WEB_SHARE")
    chmod 600 "$CONF"
    [ -f "$KEY" ] || (umask 077 && head -c 32 /dev/urandom >"$KEY")
    chmod 600 "$KEY"
}

write_postfix_config() {
    mkdir -p "$PF_ETC" "$PF_QUEUE/private" "$PF/data"
    chown postfix "$PF/data" "$PF_QUEUE/private"
    chmod 700 "$PF_QUEUE/private"
    for map in boxwarden-domains.cf boxwarden-mailboxes.cf; do
        render_keys "$top/packaging/postfix/$map" "$PF_ETC/$map" \
            "hosts=unix:$SOCK" "password=$(db_password postfix)"
        chown root:postfix "$PF_ETC/$map"
        chmod 640 "$PF_ETC/$map"
    done
    {
        cat <<EOF
# Private Postfix of scripts/demo-host.sh: the instance part first, then
# packaging/postfix/main.cf.boxwarden rendered with the demo's paths.
compatibility_level = 3.6
queue_directory = $PF_QUEUE
data_directory = $PF/data
command_directory = /usr/sbin
daemon_directory = /usr/lib/postfix/sbin
shlib_directory = /usr/lib/postfix
mail_owner = postfix
setgid_group = postdrop
myhostname = mx.example.de
mydomain = example.de
myorigin = \$myhostname
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
mydestination =
alias_maps =
alias_database =
local_recipient_maps =
mynetworks = 127.0.0.0/8
# Mail for domains not hosted here goes to the capture (run/demo/outbox).
default_transport = smtp:[127.0.0.1]:$SINK_PORT
relay_transport = smtp:[127.0.0.1]:$SINK_PORT
maillog_file = $LOGS/maillog
maillog_file_prefixes = $RUN
smtpd_relay_restrictions =
smtputf8_enable = no
biff = no
# The scenario bounces queued mail quickly.
queue_run_delay = 10s
minimal_backoff_time = 10s
maximal_backoff_time = 20s
smtpd_error_sleep_time = 0
smtpd_client_connection_rate_limit = 0

EOF
        substitute "$top/packaging/postfix/main.cf.boxwarden" - \
            "/etc/postfix/=>$PF_ETC/"
    } >"$PF_ETC/main.cf"
    {
        cat <<EOF
# Private Postfix of scripts/demo-host.sh: the MX smtpd on 127.0.0.1:$MX_PORT,
# the submission service of packaging/postfix/master.cf.boxwarden on
# 127.0.0.1:$SUBMISSION_PORT (no TLS on loopback), no chroot anywhere.
127.0.0.1:$MX_PORT inet n - n - - smtpd
EOF
        substitute "$top/packaging/postfix/master.cf.boxwarden" - \
            "submission inet=>127.0.0.1:$SUBMISSION_PORT inet" \
            "smtpd_tls_security_level=encrypt=>smtpd_tls_security_level=none" \
            "unix:/run/boxwarden-milter/milter.sock=>unix:$MILTER_SOCK"
        # The internal services, shared with tests/harness/postfix.sh.
        cat "$top/packaging/postfix/master.cf.private"
    } >"$PF_ETC/master.cf"
}

# Dovecot: the instance part (folders, listeners), the packaged plugin
# snippet and the packaged SQL auth (packaging/dovecot/), rendered with the
# demo's paths.
write_dovecot_config() {
    mkdir -p "$DC/run" "$DC/state" "$DC/conf.d" "$MAIL_DIR"
    chown nobody:nogroup "$MAIL_DIR"
    chmod 700 "$MAIL_DIR"
    substitute "$top/dovecot-plugin/conf.d/90-boxwarden.conf" "$DC/conf.d/90-boxwarden.conf" \
        "#boxwarden_socket = /run/boxwarden/query.sock=>boxwarden_socket = $QUERY_SOCK" \
        "#submission_host = 127.0.0.1:25=>submission_host = 127.0.0.1:$MX_PORT"
    # The packaged SQL auth (docs/dovecot-auth.md), rendered by its own script.
    BOXWARDEN_DB_HOST=$SOCK BOXWARDEN_DB_NAME=$DB BOXWARDEN_DB_USER=boxwarden_dovecot \
        BOXWARDEN_DB_PASSWORD=$(db_password dovecot) BOXWARDEN_CONF_DIR="$DC/conf.d" \
        BOXWARDEN_VMAIL_UID=nobody BOXWARDEN_VMAIL_GID=nogroup BOXWARDEN_MAIL_ROOT="$MAIL_DIR" \
        "$top/packaging/dovecot/render-templates.sh" "$DC/conf.d" >/dev/null
    mkdir -p "$DC/modules"
    ln -sf "$PLUGIN_SO" "$DC/modules/lib90_boxwarden_plugin.so"
    cat >"$DC_CONF" <<EOF
# Private Dovecot of scripts/demo-host.sh (doveadm -c $DC_CONF ...)
base_dir = $DC/run
state_dir = $DC/state
log_path = $LOGS/dovecot.log
info_log_path = $LOGS/dovecot.log
protocols = imap pop3 lmtp
listen = 127.0.0.1
ssl = no
# Loopback only, no TLS: plain logins allowed (a real host keeps the default).
disable_plaintext_auth = no
auth_mechanisms = plain login
auth_failure_delay = 0
mail_uid = nobody
mail_gid = nogroup
mail_home = $MAIL_DIR/%d/%n
mail_location = maildir:~/Maildir
mail_plugin_dir = $DC/modules
recipient_delimiter = +
lmtp_save_to_detail_mailbox = no
postmaster_address = postmaster@example.de
hostname = mx.example.de
submission_timeout = 10s
service lmtp {
  unix_listener $LMTP_SOCK {
    mode = 0660
    user = postfix
    group = postfix
  }
}
service auth {
  unix_listener $SASL_SOCK {
    mode = 0660
    user = postfix
    group = postfix
  }
}
service imap-login {
  inet_listener imap {
    address = 127.0.0.1
    port = $IMAP_PORT
  }
  inet_listener imaps {
    port = 0
  }
}
service pop3-login {
  inet_listener pop3 {
    address = 127.0.0.1
    port = $POP3_PORT
  }
  inet_listener pop3s {
    port = 0
  }
}
service anvil {
  unix_listener anvil {
    mode = 0600
  }
}
!include $DC/conf.d/auth-boxwarden-sql.conf.ext
!include $DC/conf.d/90-boxwarden.conf
EOF
}

# ---------------------------------------------------------------- services

start_policyd() {
    if running "$POLICYD_PID"; then
        echo "boxwarden-policyd already running"
        return 0
    fi
    mkdir -p "$SOCKETS"
    chmod 711 "$SOCKETS"
    "$POLICYD_BIN" --config "$CONF" --foreground </dev/null >>"$LOGS/policyd.log" 2>&1 &
    echo $! >"$POLICYD_PID"
    wait_for 150 boxwarden-policyd policyd_synced ||
        { tail "$LOGS/policyd.log" >&2; exit 1; }
    echo "boxwarden-policyd running, pid $(pid_of "$POLICYD_PID")"
}
policyd_synced() { printf 'request=status\n\n' | nc -N -U "$QUERY_SOCK" 2>/dev/null | grep -q '^cache_synced=1'; }

start_milter() {
    if running "$MILTER_PID"; then
        echo "boxwarden-milter already running"
        return 0
    fi
    "$MILTER_BIN" -c "$CONF" </dev/null >>"$LOGS/milter.log" 2>&1 &
    echo $! >"$MILTER_PID"
    wait_for 100 boxwarden-milter test -S "$MILTER_SOCK" || { tail "$LOGS/milter.log" >&2; exit 1; }
    echo "boxwarden-milter running, pid $(pid_of "$MILTER_PID")"
}

start_sink() {
    if running "$SINK_PID"; then
        echo "capture (smtp-sink) already running"
        return 0
    fi
    # smtp-sink drops to postfix; the outbox is that user's.
    smtp-sink -u postfix -d "$OUTBOX/%Y%m%dT%H%M%S-sink-" "127.0.0.1:$SINK_PORT" 20 \
        </dev/null >>"$LOGS/sink.log" 2>&1 &
    echo $! >"$SINK_PID"
    wait_for 100 smtp-sink tcp_open "$SINK_PORT"
    echo "capture (smtp-sink) running, pid $(pid_of "$SINK_PID")"
}

# boxwarden-web on loopback, as root with the demo's boxwarden.conf (its
# database account is the demo's root, like boxwardenctl's here).
start_web() {
    if running "$WEB_PID"; then
        echo "boxwarden-web already running"
        return 0
    fi
    "$WEB_BIN" --config "$CONF" </dev/null >>"$LOGS/web.log" 2>&1 &
    echo $! >"$WEB_PID"
    wait_for 150 boxwarden-web web_up || { tail "$LOGS/web.log" >&2; exit 1; }
    echo "boxwarden-web running, pid $(pid_of "$WEB_PID"), $WEB_URL"
}
# A static file: answered without a session, so the check writes no row.
web_up() { curl -sf -o /dev/null --max-time 2 "$WEB_URL/static/boxwarden.css"; }

# The page's demo admin (superadmin) with a generated password, kept in
# $WEB_ADMIN_PASSWORD (0600). Safe to repeat: an existing admin keeps the
# stored password; a lost password file gets a new password for it.
demo_web_admin() {
    fresh_password=0
    if [ ! -s "$WEB_ADMIN_PASSWORD" ]; then
        # "Demo-web-" keeps the strength rule's three classes certain; no
        # line end, so the file is the password byte for byte (curl -d @FILE).
        (umask 077 && printf 'Demo-web-%s' "$(random_secret)" >"$WEB_ADMIN_PASSWORD")
        fresh_password=1
    fi
    chmod 600 "$WEB_ADMIN_PASSWORD"
    if ctl --json admin list | python3 -c 'import json,sys; sys.exit(0 if any(a["login"] == sys.argv[1] for a in json.load(sys.stdin)) else 1)' "$WEB_ADMIN"; then
        if [ "$fresh_password" = 1 ]; then
            ctl admin password "$WEB_ADMIN" <"$WEB_ADMIN_PASSWORD"
            echo "web admin $WEB_ADMIN: new password (stored in $WEB_ADMIN_PASSWORD)"
        fi
    else
        ctl admin add "$WEB_ADMIN" --role superadmin <"$WEB_ADMIN_PASSWORD"
    fi
}
web_admin_password() { cat "$WEB_ADMIN_PASSWORD"; }

start_dovecot() {
    if running "$DC_PID"; then
        doveadm -c "$DC_CONF" reload
        echo "Dovecot already running (configuration reloaded)"
        return 0
    fi
    doveconf -c "$DC_CONF" -n >/dev/null 2>"$LOGS/doveconf.err" || { cat "$LOGS/doveconf.err" >&2; exit 1; }
    dovecot -c "$DC_CONF" </dev/null >>"$LOGS/dovecot-startup.log" 2>&1 ||
        { cat "$LOGS/dovecot-startup.log" >&2; exit 1; }
    wait_for 150 Dovecot dovecot_up || { tail "$LOGS/dovecot.log" >&2; exit 1; }
    echo "Dovecot running, pid $(pid_of "$DC_PID")"
}
dovecot_up() { [ -f "$DC_PID" ] && [ -S "$LMTP_SOCK" ] && [ -S "$SASL_SOCK" ] && tcp_open "$IMAP_PORT" && tcp_open "$POP3_PORT"; }

start_postfix() {
    if running "$PF_PID"; then
        postfix -c "$PF_ETC" reload >/dev/null 2>&1
        echo "Postfix already running (configuration reloaded)"
        return 0
    fi
    postfix -c "$PF_ETC" check >"$LOGS/postfix-check.log" 2>&1 || { cat "$LOGS/postfix-check.log" >&2; exit 1; }
    postfix -c "$PF_ETC" start >"$LOGS/postfix-start.log" 2>&1 || { cat "$LOGS/postfix-start.log" >&2; exit 1; }
    wait_for 300 Postfix postfix_up || { tail "$LOGS/maillog" >&2; exit 1; }
    echo "Postfix running, pid $(pid_of "$PF_PID")"
}
postfix_up() { tcp_open "$MX_PORT" && tcp_open "$SUBMISSION_PORT"; }

stop_all() {
    [ -d "$RUN" ] || { echo "nothing to stop ($RUN does not exist)"; return 0; }
    if running "$PF_PID"; then
        postfix -c "$PF_ETC" stop >/dev/null 2>&1 || true
        stop_by_pidfile "$PF_PID" 300
    fi
    rm -f "$PF_PID"
    echo "Postfix stopped"
    stop_by_pidfile "$DC_PID" 100
    echo "Dovecot stopped"
    stop_by_pidfile "$WEB_PID" 100
    echo "boxwarden-web stopped"
    # libmilter needs about 5 s to stop its workers.
    stop_by_pidfile "$MILTER_PID" 150
    echo "boxwarden-milter stopped"
    stop_by_pidfile "$POLICYD_PID" 200
    echo "boxwarden-policyd stopped"
    stop_by_pidfile "$SINK_PID" 50
    echo "capture stopped"
    tests/harness/mariadb.sh stop "$MYSQL_DIR"
}

# ---------------------------------------------------------------- demo data

# Demo data, created the way an admin would: with boxwardenctl, through the
# same SQL interface and rules as plain SQL.
demo_data() {
    ctl domain add example.de
    ctl domain add example.test
    ctl mailbox create info@example.de --email-name 'Müller Immobilien'
    ctl mailbox create sales@example.de --email-name 'Vertrieb'
    ctl mailbox create ceo@example.de --email-name 'Geschäftsführung' --vip
    ctl mailbox create team@example.de
    ctl mailbox create old@example.de
    ctl mailbox deactivate old@example.de
    ctl mailbox create support@example.test
    printf 'I am away until Monday. Your mail will be read then.\n' |
        ctl mailbox ooo enable sales@example.de --subject 'Out of office' --body-file - \
            --start "$(date -u -d '1 day ago' +%Y-%m-%dT%H:%M)" \
            --end "$(date -u -d '6 days' +%Y-%m-%dT%H:%M)"
    ctl user add anna --display-name 'Anna Schmidt' --activity-access
    ctl user add bob --display-name 'Bob Becker' --activity-access
    ctl user add carla --display-name 'Carla Weber'
    ctl assignments add info@example.de anna
    ctl assignments add info@example.de bob
    ctl assignments add ceo@example.de anna
    ctl assignments add sales@example.de carla
    ctl assignments add team@example.de carla
    for mailbox in info@example.de sales@example.de ceo@example.de team@example.de old@example.de support@example.test; do
        ctl password generate "$mailbox" >/dev/null
    done
    for login in anna bob carla; do
        user_password "$login" | ctl user password "$login"
    done
}

# The users' own passwords (user_account keeps only a hash): fixed per run
# folder, kept in db-passwords so that the demo can print them.
user_password() { printf 'Demo-%s-%s' "$1" "$(db_password "user_$1" | cut -c1-10)"; }

# ---------------------------------------------------------------- status

service_rows() { # name|state|pid|detail lines
    for svc in mariadb policyd milter dovecot postfix capture web; do
        case $svc in
        mariadb) pf="$MYSQL_DIR/mysqld.pid"; ok() { mariadb-admin --defaults-file="$ROOT_CNF" ping; } ;;
        policyd) pf=$POLICYD_PID; ok() { policyd_synced; } ;;
        milter) pf=$MILTER_PID; ok() { test -S "$MILTER_SOCK"; } ;;
        dovecot) pf=$DC_PID; ok() { dovecot_up; } ;;
        postfix) pf=$PF_PID; ok() { postfix_up; } ;;
        capture) pf=$SINK_PID; ok() { tcp_open "$SINK_PORT"; } ;;
        web) pf=$WEB_PID; ok() { web_up; } ;;
        esac
        if running "$pf"; then
            if ok >/dev/null 2>&1; then state=healthy; else state=unhealthy; fi
            echo "$svc|$state|$(pid_of "$pf")"
        else
            echo "$svc|stopped|"
        fi
    done
}

status_json() {
    rows=$(service_rows)
    policyd_status=$(printf 'request=status\n\n' | nc -N -U "$QUERY_SOCK" 2>/dev/null || true)
    ROWS="$rows" POLICYD_STATUS="$policyd_status" python3 - <<PY
import json, os
rows = [r.split("|") for r in os.environ["ROWS"].splitlines() if r]
services = {n: {"state": s, "pid": int(p) if p else None} for n, s, p in rows}
services["mariadb"].update(socket="$SOCK", database="$DB", log="$MYSQL_DIR/error.log",
                           root_defaults_file="$ROOT_CNF")
st = {}
for line in os.environ["POLICYD_STATUS"].splitlines():
    if "=" in line:
        k, v = line.split("=", 1)
        st[k] = v
services["policyd"].update(policy_socket="$POLICY_SOCK", query_socket="$QUERY_SOCK",
                           log="$LOGS/policyd.log", config="$CONF", status=st)
services["milter"].update(socket="$MILTER_SOCK", log="$LOGS/milter.log", config="$CONF")
services["dovecot"].update(config="$DC_CONF", log="$LOGS/dovecot.log", imap_port=$IMAP_PORT,
                           pop3_port=$POP3_PORT, lmtp_socket="$LMTP_SOCK", sasl_socket="$SASL_SOCK")
services["postfix"].update(config_directory="$PF_ETC", queue_directory="$PF_QUEUE",
                           log="$LOGS/maillog", mx_port=$MX_PORT, submission_port=$SUBMISSION_PORT)
services["capture"].update(port=$SINK_PORT, outbox="$OUTBOX", log="$LOGS/sink.log",
                           sendmail="$SENDMAIL")
services["web"].update(url="$WEB_URL", port=$WEB_PORT, log="$LOGS/web.log", config="$CONF",
                       share_dir="$WEB_SHARE", admin="$WEB_ADMIN",
                       admin_password_file="$WEB_ADMIN_PASSWORD")
healthy = all(s["state"] == "healthy" for s in services.values())
print(json.dumps({"run_dir": "$RUN", "healthy": healthy, "boxwardenctl": "$CTL_BIN --config $CONF",
                  "services": services}, indent=2))
PY
}

status_text() {
    echo "== boxwarden demo host ($RUN)"
    service_rows | while IFS='|' read -r name state pid; do
        printf '  %-8s %-9s %s\n' "$name" "$state" "${pid:+pid $pid}"
    done
    if running "$POLICYD_PID"; then
        echo "  policyd status: $(printf 'request=status\n\n' | nc -N -U "$QUERY_SOCK" 2>/dev/null |
            grep -E '^(status|cache_synced|cache_age_ms|mailboxes|spool_entries)=' | tr '\n' ' ')"
    fi
    echo "  ports: MX smtpd 127.0.0.1:$MX_PORT, submission 127.0.0.1:$SUBMISSION_PORT," \
        "IMAP 127.0.0.1:$IMAP_PORT, POP3 127.0.0.1:$POP3_PORT, capture 127.0.0.1:$SINK_PORT"
    echo "  admin page: $WEB_URL (login $WEB_ADMIN, password in $WEB_ADMIN_PASSWORD)"
    echo "  logs: $LOGS/{maillog,dovecot.log,policyd.log,milter.log,sink.log,web.log}, MariaDB $MYSQL_DIR/error.log"
    echo "  outbox: $OUTBOX ($(ls "$OUTBOX" 2>/dev/null | wc -l) message(s))"
}

# 0: every service healthy.
status_exit() { ! service_rows | grep -qv '|healthy|'; }

summary() {
    echo
    echo "== demo mailboxes (mailbox logins = the full address)"
    for mailbox in info@example.de sales@example.de ceo@example.de team@example.de old@example.de support@example.test; do
        pw=$(ctl --json password show "$mailbox" --force | python3 -c 'import json,sys; print(json.load(sys.stdin)["password"])')
        printf '  %-22s %s\n' "$mailbox" "$pw"
    done
    echo "  (old@example.de is inactive; ceo@example.de is VIP; sales@example.de has out-of-office on)"
    echo "== demo users (master logins to their assigned mailboxes: MAILBOX*LOGIN with the user's password)"
    for login in anna bob carla; do
        printf '  %-6s %-26s assigned to %s\n' "$login" "$(user_password "$login")" \
            "$(sql -N "$DB" -e "SELECT GROUP_CONCAT(address ORDER BY address) FROM current_assignment WHERE login = '$login'")"
    done
    info_pw=$(ctl --json password show info@example.de --force | python3 -c 'import json,sys; print(json.load(sys.stdin)["password"])')
    echo "== admin web page (boxwarden-web)"
    printf '  %s   login %s, password %s\n' "$WEB_URL/login" "$WEB_ADMIN" "$(web_admin_password)"
    cat <<EOF
== try it
  swaks --server 127.0.0.1:$MX_PORT --from customer@example.org --to info@example.de     # delivered
  swaks --server 127.0.0.1:$MX_PORT --from customer@example.org --to old@example.de      # 550 5.2.1
  swaks --server 127.0.0.1:$SUBMISSION_PORT --auth PLAIN --auth-user info@example.de --auth-password '$info_pw' \\
        --from info@example.de --to someone@example.org    # From rewritten, captured in $OUTBOX
  curl -s imap://127.0.0.1:$IMAP_PORT/INBOX -u 'info@example.de:$info_pw' -X 'STATUS INBOX (MESSAGES)'
  curl -s imap://127.0.0.1:$IMAP_PORT/INBOX -u 'info@example.de*anna:$(user_password anna)' -X 'STATUS INBOX (MESSAGES)'
  $CTL_BIN --config $CONF mailbox show ceo@example.de
  $CTL_BIN --config $CONF activity list anna
  scripts/demo-host.sh scenario     # every feature, step by step
  scripts/demo-host.sh status --json
  scripts/demo-host.sh stop         # data kept; reset starts afresh
EOF
}

start_all() {
    if [ "${BOXWARDEN_DEMO_NO_BUILD:-0}" != 1 ]; then
        ./scripts/install-deps.sh
        ./scripts/build.sh default
    fi
    for bin in "$POLICYD_BIN" "$MILTER_BIN" "$CTL_BIN" "$PLUGIN_SO" "$WEB_BIN"; do
        [ -e "$bin" ] || { echo "missing $bin (build first: scripts/build.sh default)" >&2; exit 1; }
    done
    mkdir -p "$RUN" "$LOGS" "$SOCKETS" "$OUTBOX" "$RUN/spool"
    # 0711: the demo's Postfix and Dovecot users pass through to their sockets.
    chmod 711 "$RUN" "$SOCKETS"
    chmod 700 "$LOGS" "$RUN/spool"
    chown postfix "$OUTBOX"
    chmod 700 "$OUTBOX"
    load_ports
    start_mariadb
    write_capture_sendmail
    write_config
    ctl db migrate
    database_accounts
    write_postfix_config
    write_dovecot_config
    fresh=0
    [ "$(ctl --json domain list)" = "[]" ] && fresh=1
    start_policyd
    start_milter
    start_sink
    start_dovecot
    start_postfix
    start_web
    if [ "$fresh" = 1 ]; then
        echo "loading demo data (boxwardenctl)"
        demo_data
    else
        echo "demo data kept from the last run (start afresh with: scripts/demo-host.sh reset)"
    fi
    demo_web_admin
    echo
    status_text
    summary
    status_exit
}

case "${1:-start}" in
start) start_all ;;
status)
    [ -s "$PORTS" ] || { echo "the demo host was never started ($RUN)"; exit 1; }
    load_ports
    if [ "${2:-}" = --json ]; then status_json; else status_text; fi
    status_exit
    ;;
scenario)
    load_ports
    export RUN BUILD CONF SOCK DB ROOT_CNF OUTBOX MX_PORT SUBMISSION_PORT IMAP_PORT POP3_PORT \
        CTL_BIN PF_ETC PF_QUEUE LOGS QUERY_SOCK POLICY_SOCK DC_CONF DB_PASSWORDS \
        WEB_URL WEB_ADMIN WEB_ADMIN_PASSWORD
    exec "$top/scripts/demo-scenario.sh"
    ;;
sql) shift; sql "$DB" "$@" ;;
stop) stop_all ;;
reset)
    stop_all
    rm -rf "$RUN"
    echo "$RUN removed"
    start_all
    ;;
*)
    echo "usage: scripts/demo-host.sh start|status [--json]|scenario|sql|stop|reset" >&2
    exit 2
    ;;
esac
