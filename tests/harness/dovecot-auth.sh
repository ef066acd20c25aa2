#!/bin/sh
# Start or stop a private Dovecot whose logins come from the boxwarden
# database through the shipped templates (packaging/dovecot/*.conf.ext,
# rendered by packaging/dovecot/render-templates.sh): SQL passdb, master
# passdb "address*login", submission passdb, SQL userdb, no auth cache.
# IMAP, POP3 and LMTP on unused 127.0.0.1 ports, an auth socket for Postfix
# (DIR/auth-postfix, mode 0666), mail as nobody under DIR/mail.
# Stopped by the master's PID, never by name.
#
#   dovecot-auth.sh start DIR MYSQL_SOCKET DATABASE DB_USER DB_PASSWORD [MODULE POLICYD_SOCKET [PLUGIN_LINES]]
#       writes DIR/dovecot.conf, DIR/imap_port, DIR/pop3_port, DIR/lmtp_port
#       MODULE (optional): boxwarden's plugin, loaded for imap, pop3 and lmtp
#       with boxwarden_socket = POLICYD_SOCKET; PLUGIN_LINES: more lines for
#       the plugin {} block (newline-separated).
#   dovecot-auth.sh stop DIR
#
# Environment (optional):
#   DOVECOT_AUTH_CACHE=1   turn the auth cache on (auth_cache_size = 10M,
#                          ttl 1 hour) to compare; the shipped default is off.
#   DOVECOT_AUTH_EXTRA     more lines for dovecot.conf (newline-separated).
set -eu
usage="usage: dovecot-auth.sh start DIR MYSQL_SOCKET DATABASE DB_USER DB_PASSWORD [MODULE POLICYD_SOCKET [PLUGIN_LINES]] | stop DIR"
cmd=${1:?$usage}
dir=${2:?$usage}
pidfile="$dir/run/master.pid"
here=$(cd "$(dirname "$0")" && pwd)

. "$here/stop-by-pid.sh"
stop() { stop_by_pidfile "$pidfile" 100; }

harness_dir=$here
. "$harness_dir/free-port.sh"

case "$cmd" in
start)
    sock=${3:?$usage}
    database=${4:?$usage}
    db_user=${5:?$usage}
    db_password=${6:?$usage}
    module=${7-}
    policyd_socket=${8-}
    plugin_lines=${9-}
    stop
    rm -rf "$dir"
    mkdir -p "$dir/run" "$dir/state" "$dir/mail" "$dir/conf" "$dir/modules"
    chmod 1777 "$dir/mail"           # mail processes run as nobody
    chmod 755 "$dir"
    BOXWARDEN_DB_HOST=$sock BOXWARDEN_DB_NAME=$database BOXWARDEN_DB_USER=$db_user \
        BOXWARDEN_DB_PASSWORD=$db_password BOXWARDEN_CONF_DIR="$dir/conf" \
        BOXWARDEN_VMAIL_UID=nobody BOXWARDEN_VMAIL_GID=nogroup BOXWARDEN_MAIL_ROOT="$dir/mail" \
        "$here/../../packaging/dovecot/render-templates.sh" "$dir/conf" >/dev/null
    cache=""
    if [ "${DOVECOT_AUTH_CACHE:-0}" = 1 ]; then
        cache="auth_cache_size = 10M
auth_cache_ttl = 1 hour
auth_cache_negative_ttl = 1 hour"
    fi
    plugins=""
    plugin_block=""
    if [ -n "$module" ]; then
        ln -s "$module" "$dir/modules/lib90_boxwarden_plugin.so"
        plugins="boxwarden"
        plugin_block="plugin {
  boxwarden_socket = ${policyd_socket:?POLICYD_SOCKET missing}
  boxwarden_timeout = 2s
$plugin_lines
}"
    fi
    imap_port=$(free_port)
    pop3_port=$(free_port)
    lmtp_port=$(free_port)
    echo "$imap_port" >"$dir/imap_port"
    echo "$pop3_port" >"$dir/pop3_port"
    echo "$lmtp_port" >"$dir/lmtp_port"
    cat >"$dir/dovecot.conf" <<CONF
base_dir = $dir/run
state_dir = $dir/state
log_path = $dir/dovecot.log
info_log_path = $dir/dovecot.log
protocols = imap pop3 lmtp
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
# Tests try wrong passwords on purpose: no extra delay for them.
auth_failure_delay = 0
mail_plugin_dir = $dir/modules
postmaster_address = postmaster@example.test
hostname = mail.example.test
login_log_format_elements = user=<%u> auth_user=<%{auth_user}> orig_user=<%{orig_user}> method=%m rip=%r lip=%l mpid=%e session=<%{session}>
# The shipped auth configuration, rendered from packaging/dovecot/.
!include $dir/conf/auth-boxwarden-sql.conf.ext
$cache
${DOVECOT_AUTH_EXTRA:-}
service imap-login {
  inet_listener imap {
    address = 127.0.0.1
    port = $imap_port
  }
  inet_listener imaps {
    port = 0
  }
}
service pop3-login {
  inet_listener pop3 {
    address = 127.0.0.1
    port = $pop3_port
  }
  inet_listener pop3s {
    port = 0
  }
}
service lmtp {
  inet_listener lmtp {
    address = 127.0.0.1
    port = $lmtp_port
  }
}
service auth {
  unix_listener $dir/auth-postfix {
    mode = 0666
  }
}
service anvil {
  unix_listener anvil {
    mode = 0600
  }
}
protocol imap {
  mail_plugins = \$mail_plugins $plugins
}
protocol pop3 {
  mail_plugins = \$mail_plugins $plugins
}
protocol lmtp {
  mail_plugins = \$mail_plugins $plugins
}
$plugin_block
CONF
    # The daemon must not keep the caller's stdout/stderr open.
    dovecot -c "$dir/dovecot.conf" </dev/null >>"$dir/startup.log" 2>&1 ||
        { cat "$dir/startup.log" >&2; exit 1; }
    i=0
    until [ -f "$pidfile" ] && [ -S "$dir/auth-postfix" ] &&
        python3 -c "import socket
for p in ($imap_port, $pop3_port, $lmtp_port): socket.create_connection(('127.0.0.1', p), 1).close()" 2>/dev/null; do
        i=$((i + 1))
        [ "$i" -gt 100 ] && { echo "dovecot did not start" >&2; cat "$dir/dovecot.log" >&2 || true; exit 1; }
        sleep 0.1
    done
    echo "dovecot ready: imap 127.0.0.1:$imap_port pop3 127.0.0.1:$pop3_port lmtp 127.0.0.1:$lmtp_port, config $dir/dovecot.conf (pid $(cat "$pidfile"))"
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
