#!/bin/sh
# The features of DESIGN.md §1, one step at a time, against the running demo
# host (run through `scripts/demo-host.sh scenario`, which exports the
# paths and ports). Each step prints its evidence and ends PASS or FAIL
# (with the reason). Exit code: 0 when every step passed, 1 otherwise.
# Every run uses mailboxes, users and senders of its own (tag below), so it
# can be repeated on the same host; it changes the shared demo data only
# where it restores it (vip_unprotected_cc_bcc back to 0).
set -u
: "${RUN:?run through scripts/demo-host.sh scenario}"
tag="s$(date -u +%H%M%S)$$"
passed=0 failed=0
failures=""

ctl() { "$CTL_BIN" --config "$CONF" "$@"; }
sql() { mariadb --defaults-file="$ROOT_CNF" --default-character-set=utf8mb4 -N "$DB" "$@"; }
say() { printf '    %s\n' "$@"; }
indent() { sed 's/^/    | /'; }
step() { printf '\n== %s\n' "$1"; current=$1; }
pass() { echo "   PASS"; passed=$((passed + 1)); }
fail() { echo "   FAIL: $1"; failed=$((failed + 1)); failures="$failures
  - $current: $1"; }

# mail MX|SUBMISSION SWAKS-ARGS...: one SMTP transaction; prints swaks's
# transcript of the server's replies, returns swaks's exit code.
mail() {
    _port=$MX_PORT
    [ "$1" = SUBMISSION ] && _port=$SUBMISSION_PORT
    shift
    swaks --server "127.0.0.1:$_port" --timeout 30 --hide-informational --suppress-data "$@" 2>&1
}
password_of() { ctl --json password show "$1" --force | python3 -c 'import json,sys; print(json.load(sys.stdin)["password"])'; }
new_password() { ctl --json password generate "$1" | python3 -c 'import json,sys; print(json.load(sys.stdin)["password"])'; }
imap_status() { # imap_status LOGIN PASSWORD -> "* STATUS INBOX (MESSAGES n)" or curl's error
    curl -sS --max-time 30 "imap://127.0.0.1:$IMAP_PORT/" -u "$1:$2" -X 'STATUS INBOX (MESSAGES)' 2>&1
}
messages_in() { imap_status "$1" "$2" | sed -n 's/.*MESSAGES \([0-9]*\).*/\1/p'; }
# greets PORT: the smtpd on PORT answers with its 220 banner.
greets() { swaks --server "127.0.0.1:$1" --timeout 5 --quit-after BANNER >/dev/null 2>&1; }
# reload_postfix: `postfix reload` only signals master; wait until both
# smtpd services greet again before the next step sends mail.
reload_postfix() {
    postfix -c "$PF_ETC" reload >/dev/null 2>&1
    wait_until 30 greets "$MX_PORT" && wait_until 30 greets "$SUBMISSION_PORT"
}
# wait_until SECONDS COMMAND...: poll until COMMAND succeeds, at most SECONDS.
wait_until() {
    _end=$(($(date +%s) + $1))
    shift
    until "$@" >/dev/null 2>&1; do
        [ "$(date +%s)" -ge "$_end" ] && return 1
        sleep 0.2
    done
}
count_ge() { [ "$(messages_in "$1" "$2")" -ge "$3" ] 2>/dev/null; }
# outbox_with PATTERN: the newest outbox file whose text matches PATTERN (grep -E).
outbox_with() {
    for _f in $(ls -t "$OUTBOX" 2>/dev/null); do
        if grep -qE -- "$1" "$OUTBOX/$_f" 2>/dev/null; then
            echo "$OUTBOX/$_f"
            return 0
        fi
    done
    return 1
}
outbox_count() { _c=0; for _f in $(ls "$OUTBOX" 2>/dev/null); do grep -qE -- "$1" "$OUTBOX/$_f" && _c=$((_c + 1)); done; echo "$_c"; }
rcpt_reply() { # the server's reply to RCPT TO for ADDRESS on the MX port
    mail MX --from "customer-$tag@example.org" --to "$1" --quit-after RCPT | grep -A1 -e '-> RCPT TO' | grep -E '^<' | tail -1
}
refused_521() { rcpt_reply "$1" | grep -q '550 5.2.1'; }
# policyd learns of a change (a new mailbox, an assignment) at its next cache
# refresh, about one refresh_interval later (docs/policyd.md); until then a
# new mailbox gets 550 5.1.1 and a new assignment does not yet allow sending.
# policyd_caught_up: the cache has seen the database's change_marker version.
policyd_caught_up() {
    _want=$(sql -e 'SELECT version FROM change_marker WHERE id = 1')
    _have=$(printf 'request=status\n\n' | nc -N -U "$QUERY_SOCK" 2>/dev/null | sed -n 's/^cache_version=//p')
    [ -n "$_want" ] && [ -n "$_have" ] && [ "$_have" -ge "$_want" ]
}
known_to_policyd() { rcpt_reply "$1" | grep -q ' 250 '; }
create_mailbox() { ctl mailbox create "$@" >/dev/null && wait_until 10 policyd_caught_up; }

echo "boxwarden demo scenario $tag against $RUN"

# --- 1. mailboxes only under existing domains
step "1. Creating a mailbox under an unknown domain is refused (CLI and plain SQL)"
out=$(ctl mailbox create "x-$tag@unknown-$tag.example" 2>&1); rc=$?
say "boxwardenctl mailbox create x-$tag@unknown-$tag.example -> exit $rc: $out"
sql_out=$(sql -e "INSERT INTO mailbox (address) VALUES ('y-$tag@unknown-$tag.example')" 2>&1); sql_rc=$?
say "INSERT INTO mailbox (address) VALUES ('y-$tag@unknown-$tag.example') -> exit $sql_rc: $sql_out"
ok_out=$(ctl mailbox create "d-$tag@example.de" 2>&1); ok_rc=$?
say "boxwardenctl mailbox create d-$tag@example.de (domain exists) -> exit $ok_rc"
if [ "$rc" = 1 ] && echo "$out" | grep -q "does not exist" && [ "$sql_rc" != 0 ] &&
    echo "$sql_out" | grep -q "does not exist" && [ "$ok_rc" = 0 ]; then pass; else fail "expected both refused with 'does not exist' and the valid one created"; fi

# --- 2. delivery, deactivation by plain SQL, sending still works
step "2. Delivered; deactivated by plain SQL -> 550 5.2.1 within seconds; sending from it still works"
box="d-$tag@example.de"
wait_until 10 known_to_policyd "$box"
pw=$(new_password "$box")
out=$(mail MX --from "customer-$tag@example.org" --to "$box" --header "Subject: before deactivation $tag")
say "MX: mail to $box: $(echo "$out" | grep -E '^<[-~*]+ +250 .*(queued|Ok)' | tail -1)"
if wait_until 30 count_ge "$box" "$pw" 1; then
    say "IMAP $box: $(imap_status "$box" "$pw" | tr -d '\r')"
    sql -e "UPDATE mailbox SET active = 0 WHERE address = '$box'"
    say "SQL: UPDATE mailbox SET active = 0 WHERE address = '$box'"
    start=$(date +%s%N)
    if wait_until 30 refused_521 "$box"; then
        ms=$((($(date +%s%N) - start) / 1000000))
        say "MX: RCPT TO:<$box> -> $(rcpt_reply "$box")   (in force after ${ms} ms)"
        out=$(mail SUBMISSION --auth PLAIN --auth-user "$box" --auth-password "$pw" \
            --from "$box" --to "friend-$tag@example.org" --header "Subject: sent while inactive $tag")
        sub_rc=$?
        say "submission as $box to friend-$tag@example.org -> $(echo "$out" | grep -E '^<[-~*]+ +(2|4|5)[0-9][0-9] ' | tail -2 | head -1)"
        if [ "$sub_rc" = 0 ] && wait_until 30 outbox_with "friend-$tag@example.org"; then
            say "captured: $(outbox_with "friend-$tag@example.org")"
            pass
        else
            fail "sending from the inactive mailbox did not reach the capture"
        fi
    else
        fail "no 550 5.2.1 within 30 s of the SQL change"
    fi
else
    fail "the first mail was not delivered (IMAP: $(imap_status "$box" "$pw"))"
fi

# --- 3. queued mail bounces after deactivation
step "3. Mail queued before the deactivation bounces at LMTP delivery (550 5.2.1 to its sender)"
box="q-$tag@example.de"
create_mailbox "$box"
postconf -c "$PF_ETC" -e 'defer_transports = lmtp'
reload_postfix
say "postconf defer_transports = lmtp (hold LMTP deliveries in the queue)"
out=$(mail MX --from "sender-$tag@example.org" --to "$box" --header "Subject: queued $tag")
say "MX: mail to $box (active): $(echo "$out" | grep -E '^<[-~*]+ +250 .*queued' | tail -1)"
sleep 1
say "queue: $(postqueue -c "$PF_ETC" -p | grep -c "$box") message(s) for $box"
sql -e "UPDATE mailbox SET active = 0 WHERE address = '$box'"
say "SQL: UPDATE mailbox SET active = 0 WHERE address = '$box'"
wait_until 30 refused_521 "$box" || true
postconf -c "$PF_ETC" -e 'defer_transports ='
reload_postfix
postqueue -c "$PF_ETC" -f
say "defer_transports cleared, queue flushed"
if wait_until 60 outbox_with "Subject: queued $tag" && f=$(outbox_with "Subject: queued $tag") &&
    grep -q "5\.2\.1" "$f"; then
    say "bounce captured in $f:"
    grep -E '^(From|To|Subject):|5\.2\.1' "$f" | head -6 | indent
    pass
else
    fail "no bounce with 5.2.1 for the queued mail reached the capture within 60 s"
fi

# --- 4. out-of-office: one reply per sender
step "4. Out-of-office reply from sales@example.de, once per sender"
sender="traveller-$tag@example.org"
mail MX --from "$sender" --to sales@example.de --header "Subject: first $tag" >/dev/null
if wait_until 30 outbox_with "^To: .*$sender"; then
    f=$(outbox_with "^To: .*$sender")
    say "reply captured: $f"
    grep -E '^(From|To|Subject|Auto-Submitted):' "$f" | indent
    mail MX --from "$sender" --to sales@example.de --header "Subject: second $tag" >/dev/null
    sleep 5
    n=$(outbox_count "^To: .*$sender")
    say "after a second mail from $sender: $n reply(ies) in the outbox"
    if [ "$n" = 1 ]; then pass; else fail "expected exactly one reply, found $n"; fi
else
    fail "no out-of-office reply to $sender within 30 s"
fi

# --- 5. email name in From
step "5a. The From of a submission gets the mailbox's email name (RFC 2047)"
pw=$(password_of info@example.de)
out=$(mail SUBMISSION --auth PLAIN --auth-user info@example.de --auth-password "$pw" --from info@example.de \
    --to "name-$tag@example.org" --header "From: info@example.de" --header "Subject: email name $tag")
if wait_until 30 outbox_with "Subject: email name $tag"; then
    from=$(grep -m1 '^From:' "$(outbox_with "Subject: email name $tag")")
    say "sent with 'From: info@example.de', captured: $from   (email name 'Müller Immobilien')"
    if [ "$from" = "From: =?UTF-8?B?TcO8bGxlciBJbW1vYmlsaWVu?= <info@example.de>" ]; then pass; else fail "From not rewritten to the email name"; fi
else
    echo "$out" | indent
    fail "the submission was not captured (swaks's dialogue above)"
fi

step "5b. Without an email name, the sending user's own name"
box="n-$tag@example.de"
create_mailbox "$box"
ctl user add "u$tag" --display-name 'Dora Lehmann' >/dev/null
ctl assignments add "$box" "u$tag" >/dev/null
printf 'Demo-Pass-%s\n' "$tag" | ctl user password "u$tag" >/dev/null
wait_until 10 policyd_caught_up
out=$(mail SUBMISSION --auth PLAIN --auth-user "u$tag" --auth-password "Demo-Pass-$tag" --from "$box" \
    --to "name2-$tag@example.org" --header "From: $box" --header "Subject: user name $tag")
if echo "$out" | grep -qE '^<[-~*]+ +235 '; then
    if wait_until 30 outbox_with "Subject: user name $tag"; then
        from=$(grep -m1 '^From:' "$(outbox_with "Subject: user name $tag")")
        say "login u$tag (Dora Lehmann), mailbox without email name: $from"
        if [ "$from" = "From: Dora Lehmann <$box>" ]; then pass; else fail "expected the user's name"; fi
    else
        fail "the mail sent as u$tag was not captured"
    fi
else
    say "AUTH PLAIN as user u$tag: $(echo "$out" | grep -E '^<[-~*]+ +[45][0-9][0-9] ' | head -1)"
    fail "SMTP AUTH with the user's own login (the submission passdb of packaging/dovecot) was refused"
fi

# --- 6. assigned users log in with their own password
step "6. An assigned user's own IMAP login (MAILBOX*LOGIN), refused after unassignment"
box="m-$tag@example.de"
create_mailbox "$box"
# The packaged master passdb confirms the mailbox through the mailbox
# passdb, which knows only mailboxes with a password.
new_password "$box" >/dev/null
ctl assignments add "$box" anna >/dev/null
anna_pw=$(printf 'Demo-%s-%s' anna "$(sed -n 's/^user_anna=//p' "$DB_PASSWORDS" | cut -c1-10)")
before=$(imap_status "$box*anna" "$anna_pw" | tr -d '\r')
say "IMAP $box*anna (assigned): $before"
ctl assignments remove "$box" anna 2>&1 | indent
after=$(imap_status "$box*anna" "$anna_pw" | tr -d '\r')
say "IMAP $box*anna (unassigned): $after"
if echo "$before" | grep -q 'STATUS INBOX' && ! echo "$after" | grep -q 'STATUS INBOX'; then pass; else fail "expected a login before and a refusal after"; fi

# --- 7. VIP activity as two users see it; the Cc/Bcc setting
step "7. VIP activity: seen by the user assigned at the time only; vip_unprotected_cc_bcc"
box="v-$tag@example.de"
create_mailbox "$box" --vip
ctl user add "early$tag" --activity-access >/dev/null
ctl user add "late$tag" --activity-access >/dev/null
ctl user add "other$tag" --activity-access >/dev/null
ctl assignments add "$box" "early$tag" >/dev/null
mail MX --from "c1-$tag@example.org" --to "$box" --header "Subject: vip one $tag" >/dev/null
rows_for() { ctl --json activity list "$1" --mailbox "$box" | python3 -c 'import json,sys; print(" ".join(sorted(r["subject"] for r in json.load(sys.stdin))))'; }
seen() { rows_for "$1" | grep -q "$2"; }
if wait_until 30 seen "early$tag" "vip one"; then
    ctl assignments add "$box" "late$tag" >/dev/null
    mail MX --from "c2-$tag@example.org" --to "$box" --header "Subject: vip two $tag" >/dev/null
    wait_until 30 seen "late$tag" "vip two" || true
    say "early$tag (assigned before both mails) sees: $(rows_for "early$tag")"
    say "late$tag (assigned after the first) sees:   $(rows_for "late$tag")"
    say "other$tag (activity access, never assigned) sees: '$(rows_for "other$tag")'"
    ctl settings set vip_unprotected_cc_bcc 1 >/dev/null
    sleep 2
    mail MX --from "c3-$tag@example.org" --to "$box" --header "To: someone-$tag@example.org" \
        --header "Cc: $box" --header "Subject: vip cc $tag" >/dev/null
    wait_until 30 seen "early$tag" "vip cc" || true
    ctl settings set vip_unprotected_cc_bcc 0 >/dev/null
    say "with vip_unprotected_cc_bcc = 1, a Cc'd mail: other$tag sees '$(rows_for "other$tag")' (setting restored to 0)"
    early=$(rows_for "early$tag") late=$(rows_for "late$tag") other=$(rows_for "other$tag")
    if echo "$early" | grep -q "vip one" && echo "$early" | grep -q "vip two" &&
        ! echo "$late" | grep -q "vip one" && echo "$late" | grep -q "vip two" &&
        echo "$other" | grep -q "vip cc" && ! echo "$other" | grep -q "vip one"; then
        pass
    else
        fail "the visible rows do not follow the VIP rule"
    fi
else
    fail "no received activity row for $box within 30 s"
fi

step "7b. Agent log: an assigned user's IMAP actions (read, move), as CALL visible_agent_log shows them"
# The plugin is loaded for IMAP by the packaged conf.d/90-boxwarden.conf.
say "imap mail_plugins: '$(doveconf -c "$DC_CONF" -h -f protocol=imap mail_plugins 2>&1)'"
# A master login needs the mailbox's own password (the mailbox passdb
# confirms it) and the user's; late$tag is unassigned before the actions.
new_password "$box" >/dev/null
printf 'Demo-Early-%s\n' "$tag" | ctl user password "early$tag" >/dev/null
ctl assignments remove "$box" "late$tag" >/dev/null
wait_until 10 policyd_caught_up
imap_out=$(python3 - "$IMAP_PORT" "$box*early$tag" "Demo-Early-$tag" "vip one $tag" "vip two $tag" <<'PY' 2>&1
import imaplib, sys
port, user, password, read_subject, move_subject = sys.argv[1:]
m = imaplib.IMAP4("127.0.0.1", int(port))
m.login(user, password)
def uid_of(subject):
    typ, data = m.uid("SEARCH", "HEADER", "Subject", '"%s"' % subject)
    uids = data[0].split() if typ == "OK" and data and data[0] else []
    if not uids:
        sys.exit("no mail with Subject %r" % subject)
    return uids[0].decode()
m.create("Archive")
m.select("INBOX")
u = uid_of(read_subject)
print("UID STORE %s +FLAGS (\\Seen) [%s] -> %s" % (u, read_subject, m.uid("STORE", u, "+FLAGS", "(\\Seen)")[0]))
u = uid_of(move_subject)
print("UID MOVE %s Archive [%s] -> %s" % (u, move_subject, m.uid("MOVE", u, "Archive")[0]))
m.logout()
PY
)
imap_rc=$?
say "IMAP as $box*early$tag:"
echo "$imap_out" | indent
# CALL visible_agent_log(VIEWER): login, action, folder, vip_protected of
# this mailbox's rows, one per line.
agent_rows() {
    sql -e "CALL visible_agent_log('$1')" | awk -F'\t' -v box="$box" \
        '$3 == box { printf "%s %s folder=%s vip_protected=%s\n", ($4 == "" ? "-" : $4), $5, ($9 == "" || $9 == "NULL" ? "-" : $9), $8 }'
}
agent_done() { agent_rows "early$tag" | grep -q " moved folder=Archive " && agent_rows "early$tag" | grep -q " read "; }
wait_until 30 agent_done || true
say "CALL visible_agent_log('early$tag')   (assigned at the time):"
agent_rows "early$tag" | indent
say "CALL visible_agent_log('late$tag')    (unassigned before the actions): '$(agent_rows "late$tag" | tr '\n' ';')'"
say "CALL visible_agent_log('other$tag')   (activity access, never assigned): '$(agent_rows "other$tag" | tr '\n' ';')'"
early=$(agent_rows "early$tag")
if [ "$imap_rc" = 0 ] &&
    echo "$early" | grep -qx "early$tag read folder=- vip_protected=1" &&
    echo "$early" | grep -qx "early$tag moved folder=Archive vip_protected=1" &&
    [ -z "$(agent_rows "late$tag")" ] && [ -z "$(agent_rows "other$tag")" ]; then
    pass
else
    fail "expected early$tag's read and moved (folder Archive) rows, VIP-protected, visible to early$tag only"
fi

# --- 8. passwords: show, generate, old refused
step "8. Show the password, generate a new one: the old one is refused at the next IMAP login"
box="p-$tag@example.de"
create_mailbox "$box"
old=$(new_password "$box")
shown=$(password_of "$box")
say "password show $box: ${shown}"
say "IMAP with it: $(imap_status "$box" "$old" | tr -d '\r')"
new=$(new_password "$box")
say "password generate $box: $new"
old_after=$(imap_status "$box" "$old" | tr -d '\r')
new_after=$(imap_status "$box" "$new" | tr -d '\r')
say "IMAP with the old one: $old_after"
say "IMAP with the new one: $new_after"
if [ "$shown" = "$old" ] && ! echo "$old_after" | grep -q 'STATUS INBOX' && echo "$new_after" | grep -q 'STATUS INBOX'; then
    pass
else
    fail "expected: shown = generated, old refused, new accepted"
fi

# --- 9. send access data
step "9. Send access data (captured, never sent)"
out=$(ctl mailbox send-access-data info@example.de --to "it-$tag@customer.example" --lang en 2>&1); rc=$?
say "boxwardenctl mailbox send-access-data info@example.de --to it-$tag@customer.example -> exit $rc"
if [ "$rc" = 0 ] && f=$(outbox_with "it-$tag@customer.example"); then
    say "captured $f:"
    sed -n '1,40p' "$f" | indent
    pass
else
    fail "no captured access-data mail ($out)"
fi

# --- 10. the admin web page
step "10. The admin web page: log in over HTTP, the mailbox list shows the demo mailboxes"
# The password goes from its file (no line end) into the form, never argv.
jar=$(mktemp)
page=$(mktemp)
token=$(curl -sS --max-time 30 -c "$jar" -b "$jar" "$WEB_URL/login" |
    sed -n 's/.*name="csrf" value="\([^"]*\)".*/\1/p' | head -1)
say "GET $WEB_URL/login -> CSRF token ${token:+$(printf '%s' "$token" | cut -c1-8)…}"
login_status=$(curl -sS --max-time 30 -c "$jar" -b "$jar" -o /dev/null -w '%{http_code} %{redirect_url}' \
    --data-urlencode "csrf=$token" --data-urlencode "login=$WEB_ADMIN" \
    --data-urlencode "password@$WEB_ADMIN_PASSWORD" "$WEB_URL/login")
say "POST $WEB_URL/login as $WEB_ADMIN -> $login_status"
list_status=$(curl -sS --max-time 30 -c "$jar" -b "$jar" -o "$page" -w '%{http_code}' "$WEB_URL/mailboxes")
say "GET $WEB_URL/mailboxes -> $list_status; its first rows (sorted by address; ceo@example.de sorts before every mailbox the scenario makes):"
grep -o 'href="/mailbox/[0-9]*">[^<]*@example\.[a-z]*<' "$page" | sed 's/.*">//; s/<$//' | head -8 | indent
if [ -n "$token" ] && echo "$login_status" | grep -q '^303 .*/mailboxes$' && [ "$list_status" = 200 ] &&
    grep -q '>ceo@example\.de<' "$page"; then
    pass
else
    fail "expected a login (303 to /mailboxes) and a list holding ceo@example.de"
fi
rm -f "$jar" "$page"

echo
echo "scenario $tag: $passed passed, $failed failed"
[ -z "$failures" ] || echo "failed steps:$failures"
[ "$failed" = 0 ]
