#!/bin/sh
# Start or stop a private Dovecot with boxwarden's plugin for LMTP: its own
# base_dir, state_dir and log under DIR, LMTP on an unused 127.0.0.1 port,
# a static userdb (every address is a user, mail as nobody under DIR/mail),
# out-of-office replies to submission_host 127.0.0.1:SUBMISSION_PORT.
# Stopped by the master's PID, never by name.
#   dovecot-lmtp.sh start DIR MODULE POLICYD_SOCKET SUBMISSION_PORT [EXTRA_PLUGIN_LINES]
#                                               (writes DIR/dovecot.conf, DIR/lmtp_port)
#   dovecot-lmtp.sh stop DIR
# MODULE empty: the same Dovecot without the plugin (for comparisons).
# DOVECOT_LMTP_SERVICE (optional): further lines for "service lmtp {}", e.g.
# "process_limit = 8" (the benchmark fixes the lmtp processes with it).
set -eu
usage="usage: dovecot-lmtp.sh start DIR MODULE POLICYD_SOCKET SUBMISSION_PORT | stop DIR"
cmd=${1:?$usage}
dir=${2:?$usage}
pidfile="$dir/run/master.pid"

. "$(dirname "$0")/stop-by-pid.sh"
stop() { stop_by_pidfile "$pidfile" 100; }

harness_dir=$(cd "$(dirname "$0")" && pwd)
. "$harness_dir/free-port.sh"

case "$cmd" in
start)
    module=${3-}
    policyd_socket=${4:?$usage}
    submission_port=${5:?$usage}
    extra=${6-}
    stop
    rm -rf "$dir"
    mkdir -p "$dir/run" "$dir/state" "$dir/mail" "$dir/modules"
    chmod 1777 "$dir/mail"           # mail processes run as nobody
    chmod 755 "$dir"
    plugins=""
    if [ -n "$module" ]; then
        ln -s "$module" "$dir/modules/lib90_boxwarden_plugin.so"
        plugins="boxwarden"
    fi
    port=$(free_port)
    echo "$port" >"$dir/lmtp_port"
    cat >"$dir/dovecot.conf" <<CONF
base_dir = $dir/run
state_dir = $dir/state
log_path = $dir/dovecot.log
info_log_path = $dir/dovecot.log
protocols = lmtp
listen = 127.0.0.1
ssl = no
mail_uid = nobody
mail_gid = nogroup
mail_home = $dir/mail/%d/%n
mail_location = maildir:~/Maildir
mail_plugin_dir = $dir/modules
recipient_delimiter = +
lmtp_save_to_detail_mailbox = no
postmaster_address = postmaster@example.test
hostname = lmtp.example.test
submission_host = 127.0.0.1:$submission_port
submission_timeout = 5s
passdb {
  driver = static
  args = nopassword=y
}
userdb {
  driver = static
  args = uid=nobody gid=nogroup home=$dir/mail/%d/%n
}
service lmtp {
  inet_listener lmtp {
    address = 127.0.0.1
    port = $port
  }
${DOVECOT_LMTP_SERVICE:-}
}
service anvil {
  unix_listener anvil {
    mode = 0600
  }
}
protocol lmtp {
  mail_plugins = \$mail_plugins $plugins
}
plugin {
  boxwarden_socket = $policyd_socket
  boxwarden_timeout = 2s
$extra
}
CONF
    dovecot -c "$dir/dovecot.conf" </dev/null >>"$dir/startup.log" 2>&1 ||
        { cat "$dir/startup.log" >&2; exit 1; }
    i=0
    until [ -f "$pidfile" ] && python3 -c "import socket; socket.create_connection(('127.0.0.1', $port), 1).close()" 2>/dev/null; do
        i=$((i + 1))
        [ "$i" -gt 100 ] && { echo "dovecot did not start" >&2; cat "$dir/dovecot.log" >&2 || true; exit 1; }
        sleep 0.1
    done
    echo "dovecot ready: lmtp 127.0.0.1:$port, config $dir/dovecot.conf (pid $(cat "$pidfile"))"
    ;;
stop)
    stop
    echo "dovecot stopped"
    ;;
*)
    echo "$usage" >&2
    exit 2
    ;;
esac
