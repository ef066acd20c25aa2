#!/usr/bin/env python3
"""One IMAP session for bench/dovecot_access_bench.sh: LOGIN, SELECT INBOX,
then for each of the first N messages FETCH n BODY[] (sets \\Seen
implicitly) and STORE n +FLAGS (\\Answered), one command at a time, LOGOUT.
Prints the seconds the session took.

  dovecot_session_load.py PORT USER PASSWORD N
"""
import socket
import sys
import time


class Session:
    def __init__(self, port):
        self.s = socket.create_connection(("127.0.0.1", port))
        self.buf = b""
        self.n = 0
        self.line()

    def line(self):
        while b"\r\n" not in self.buf:
            data = self.s.recv(1 << 16)
            if not data:
                raise ConnectionError("closed")
            self.buf += data
        line, self.buf = self.buf.split(b"\r\n", 1)
        return line

    def command(self, text):
        self.n += 1
        tag = b"t%d" % self.n
        self.s.sendall(tag + b" " + text.encode() + b"\r\n")
        while True:
            line = self.line()
            # A literal {N}: skip its bytes.
            if line.endswith(b"}") and b"{" in line:
                size = int(line[line.rindex(b"{") + 1:-1])
                while len(self.buf) < size:
                    self.buf += self.s.recv(1 << 16)
                self.buf = self.buf[size:]
                continue
            if line.startswith(tag + b" "):
                if not line.startswith(tag + b" OK"):
                    raise RuntimeError(line.decode())
                return


def main():
    port, user, password, n = int(sys.argv[1]), sys.argv[2], sys.argv[3], int(sys.argv[4])
    t0 = time.monotonic()
    s = Session(port)
    s.command('LOGIN "%s" "%s"' % (user, password))
    s.command("SELECT INBOX")
    for i in range(1, n + 1):
        s.command("FETCH %d BODY[]" % i)
        s.command("STORE %d +FLAGS (\\Answered)" % i)
    s.command("LOGOUT")
    print("%.3f" % (time.monotonic() - t0))


if __name__ == "__main__":
    main()
