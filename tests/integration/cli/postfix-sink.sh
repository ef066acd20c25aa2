#!/bin/sh
# A private Postfix that relays everything to a private smtp-sink, for the
# send-access-data test: sendmail -C DIR/etc -> pickup -> smtp -> smtp-sink,
# which stores each message as a file in DIR/sink. Loopback only; no smtpd
# listener; stopped by PID (smtp-sink) and `postfix -c DIR/etc stop`.
#   postfix-sink.sh start DIR   (writes DIR/sendmail, a sendmail wrapper)
#   postfix-sink.sh stop DIR
set -eu
cmd=${1:?usage: postfix-sink.sh start|stop DIR}
dir=${2:?usage: postfix-sink.sh start|stop DIR}

stop() {
    if [ -f "$dir/etc/main.cf" ] && [ -f "$dir/spool/pid/master.pid" ]; then
        postfix -c "$dir/etc" stop >/dev/null 2>&1 || true
        pid=$(tr -d ' ' <"$dir/spool/pid/master.pid")
        i=0
        while [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; do
            i=$((i + 1))
            [ "$i" -gt 100 ] && { kill -9 "$pid" 2>/dev/null || true; break; }
            sleep 0.1
        done
    fi
    if [ -f "$dir/sink.pid" ]; then
        kill "$(cat "$dir/sink.pid")" 2>/dev/null || true
        rm -f "$dir/sink.pid"
    fi
}

case "$cmd" in
start)
    stop
    rm -rf "$dir"
    mkdir -p "$dir/etc" "$dir/sink" "$dir/spool" "$dir/data"
    chmod 777 "$dir/sink"            # smtp-sink writes as nobody
    chown postfix "$dir/data"
    port=$(python3 "$(cd "$(dirname "$0")/../../harness" && pwd)/free_port.py")
    cp /etc/postfix/main.cf /etc/postfix/master.cf "$dir/etc/"
    postconf -c "$dir/etc" -e "queue_directory = $dir/spool" "data_directory = $dir/data" \
        "inet_interfaces = loopback-only" "inet_protocols = ipv4" "mydestination =" \
        "myhostname = boxwarden-test.localdomain" "myorigin = boxwarden-test.localdomain" \
        "relayhost = [127.0.0.1]:$port" "maillog_file = $dir/maillog" \
        "maillog_file_prefixes = $dir" "alias_maps =" "alias_database =" \
        "local_recipient_maps =" "mynetworks = 127.0.0.0/8" "smtp_tls_security_level = none" \
        "smtpd_tls_security_level = none" "compatibility_level = 3.6" "smtputf8_enable = no"
    # No smtpd listener; no chroot (a private queue has none set up).
    awk '/^smtp[ \t]+inet/ { next }
         /^[a-z]/ && NF >= 8 { $5 = "n" }
         { print }' "$dir/etc/master.cf" >"$dir/etc/master.cf.new"
    mv "$dir/etc/master.cf.new" "$dir/etc/master.cf"
    smtp-sink -u nobody -d "$dir/sink/%M." "127.0.0.1:$port" 10 </dev/null >"$dir/sink.log" 2>&1 &
    echo $! >"$dir/sink.pid"
    postfix -c "$dir/etc" post-install create-missing >/dev/null 2>&1 || true
    postfix -c "$dir/etc" start >"$dir/start.log" 2>&1 || { cat "$dir/start.log" >&2; stop; exit 1; }
    printf '#!/bin/sh\nexec /usr/sbin/sendmail -C "%s/etc" "$@"\n' "$dir" >"$dir/sendmail"
    chmod 755 "$dir/sendmail"
    echo "postfix ready: sendmail $dir/sendmail, sink 127.0.0.1:$port -> $dir/sink"
    ;;
stop)
    stop
    echo "postfix stopped"
    ;;
*)
    echo "usage: postfix-sink.sh start|stop DIR" >&2
    exit 2
    ;;
esac
