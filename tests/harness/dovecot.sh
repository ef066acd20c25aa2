#!/bin/sh
# Start or stop a private Dovecot for tests: its own base_dir, state_dir and
# log under DIR, IMAP on an unused 127.0.0.1 port, SQL passdb on a MariaDB
# database through its unix socket (the boxwarden schema), auth cache on.
# Stopped by the master's PID, never by name.
#   dovecot.sh start DIR MYSQL_SOCKET DATABASE   (writes DIR/dovecot.conf, DIR/imap_port)
#   dovecot.sh stop DIR
set -eu
cmd=${1:?usage: dovecot.sh start DIR MYSQL_SOCKET DATABASE | stop DIR}
dir=${2:?usage: dovecot.sh start DIR MYSQL_SOCKET DATABASE | stop DIR}
pidfile="$dir/run/master.pid"

. "$(dirname "$0")/stop-by-pid.sh"
stop() { stop_by_pidfile "$pidfile" 100; }

harness_dir=$(cd "$(dirname "$0")" && pwd)
. "$harness_dir/free-port.sh"

case "$cmd" in
start)
    sock=${3:?MYSQL_SOCKET missing}
    database=${4:?DATABASE missing}
    stop
    rm -rf "$dir"
    mkdir -p "$dir/run" "$dir/state" "$dir/mail"
    chmod 1777 "$dir/mail"           # mail processes run as nobody
    chmod 755 "$dir"
    port=$(free_port)
    echo "$port" >"$dir/imap_port"
    cat >"$dir/sql.conf.ext" <<CONF
driver = mysql
connect = host=$sock dbname=$database user=root
password_query = SELECT address AS user, password_hash AS password FROM mailbox WHERE address = '%u'
CONF
    # Master-user logins "mailbox*login" for users assigned now.
    cat >"$dir/sql-master.conf.ext" <<CONF
driver = mysql
connect = host=$sock dbname=$database user=root
password_query = SELECT u.password_hash AS password FROM user_account u \\
  JOIN mailbox_assignment a ON a.user_id = u.id JOIN mailbox m ON m.id = a.mailbox_id \\
  WHERE u.login = '%u' AND m.address = '%{login_user}' AND a.unassigned_at IS NULL
CONF
    cat >"$dir/dovecot.conf" <<CONF
base_dir = $dir/run
state_dir = $dir/state
log_path = $dir/dovecot.log
info_log_path = $dir/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
auth_master_user_separator = *
auth_cache_size = 10M
auth_cache_ttl = 1 hour
auth_cache_negative_ttl = 1 hour
# The cache answers alone (no re-check against SQL on a mismatch), so a
# missing flush shows in tests.
auth_cache_verify_password_with_worker = yes
auth_failure_delay = 0
mail_uid = nobody
mail_gid = nogroup
mail_home = $dir/mail/%d/%n
mail_location = maildir:~/Maildir
passdb {
  driver = sql
  args = $dir/sql-master.conf.ext
  master = yes
  pass = yes
}
passdb {
  driver = sql
  args = $dir/sql.conf.ext
}
userdb {
  driver = static
  args = uid=nobody gid=nogroup home=$dir/mail/%d/%n
}
service imap-login {
  inet_listener imap {
    address = 127.0.0.1
    port = $port
  }
  inet_listener imaps {
    port = 0
  }
}
service anvil {
  unix_listener anvil {
    mode = 0600
  }
}
CONF
    # The daemon must not keep the caller's stdout/stderr open (a test
    # reading them to EOF would wait for Dovecot to exit).
    dovecot -c "$dir/dovecot.conf" </dev/null >>"$dir/startup.log" 2>&1 ||
        { cat "$dir/startup.log" >&2; exit 1; }
    i=0
    until [ -S "$dir/run/auth-master" ] && [ -S "$dir/run/anvil" ] && [ -f "$pidfile" ]; do
        i=$((i + 1))
        [ "$i" -gt 100 ] && { echo "dovecot did not start" >&2; cat "$dir/dovecot.log" >&2 || true; exit 1; }
        sleep 0.1
    done
    echo "dovecot ready: imap 127.0.0.1:$port, config $dir/dovecot.conf (pid $(cat "$pidfile"))"
    ;;
stop)
    stop
    echo "dovecot stopped"
    ;;
*)
    echo "usage: dovecot.sh start DIR MYSQL_SOCKET DATABASE | stop DIR" >&2
    exit 2
    ;;
esac
