#!/usr/bin/env python3
"""Real-client probes for the Dovecot access tests (python3 imaplib/poplib).

  mail_client.py imap-login PORT USER PASSWORD   -> "OK <n messages>" / "NO <text>"
  mail_client.py pop3-login PORT USER PASSWORD   -> "OK <n messages>" / "NO <text>"
  mail_client.py imap-flag PORT USER PASSWORD FLAG   sets FLAG on message 1 of INBOX
  mail_client.py imap-read PORT USER PASSWORD        FETCH 1 BODY[] (implicit \\Seen)
  mail_client.py imap-move PORT USER PASSWORD FOLDER creates FOLDER, MOVEs message 1
  mail_client.py imap-expunge PORT USER PASSWORD     \\Deleted + EXPUNGE on message 1
  mail_client.py pop3-retr PORT USER PASSWORD        RETR 1

Exit status: 0 OK, 1 refused (login failed), 2 any other error.
"""
import imaplib
import poplib
import sys


def imap(port, user, password):
    m = imaplib.IMAP4("127.0.0.1", port, timeout=30)
    try:
        m.login(user, password)
    except imaplib.IMAP4.error as e:
        print("NO", e)
        sys.exit(1)
    return m


def pop3(port, user, password):
    p = poplib.POP3("127.0.0.1", port, timeout=30)
    try:
        p.user(user)
        p.pass_(password)
    except poplib.error_proto as e:
        print("NO", e)
        sys.exit(1)
    return p


def main():
    cmd, port, user, password = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
    args = sys.argv[5:]
    if cmd == "imap-login":
        m = imap(port, user, password)
        typ, data = m.select("INBOX", readonly=True)
        print("OK", data[0].decode())
        m.logout()
    elif cmd == "pop3-login":
        p = pop3(port, user, password)
        print("OK", p.stat()[0])
        p.quit()
    elif cmd == "imap-flag":
        m = imap(port, user, password)
        m.select("INBOX")
        typ, data = m.store("1", "+FLAGS", "(" + args[0] + ")")
        print(typ, data)
        m.logout()
    elif cmd == "imap-read":
        m = imap(port, user, password)
        m.select("INBOX")
        typ, data = m.fetch("1", "(BODY[])")
        print(typ, len(data))
        m.logout()
    elif cmd == "imap-move":
        m = imap(port, user, password)
        m.create(args[0])
        m.select("INBOX")
        typ, data = m.uid("MOVE", m.fetch("1", "(UID)")[1][0].split()[2].rstrip(b")").decode(), args[0])
        print(typ, data)
        m.logout()
    elif cmd == "imap-expunge":
        m = imap(port, user, password)
        m.select("INBOX")
        m.store("1", "+FLAGS", "(\\Deleted)")
        typ, data = m.expunge()
        print(typ, data)
        m.logout()
    elif cmd == "pop3-retr":
        p = pop3(port, user, password)
        resp, lines, octets = p.retr(1)
        print("OK", octets)
        p.quit()
    else:
        print("unknown command", cmd)
        sys.exit(2)


if __name__ == "__main__":
    try:
        main()
    except SystemExit:
        raise
    except Exception as e:  # a broken connection or protocol error
        print("ERROR", type(e).__name__, e)
        sys.exit(2)
