#!/usr/bin/env python3
"""IMAP login load for bench/dovecot_access_bench.sh: WORKERS processes each
connect, LOGIN, LOGOUT in a loop for SECONDS against 127.0.0.1:PORT.
Prints "<logins/s> <failures>"; a failed LOGIN counts as a failure (the
benchmark expects none).

  dovecot_login_load.py PORT USER PASSWORD SECONDS WORKERS
"""
import multiprocessing
import socket
import sys
import time


def read_tagged(sock, buf, tag):
    while True:
        for line in buf.split(b"\r\n")[:-1]:
            if line.startswith(tag + b" "):
                return line, b""
        data = sock.recv(65536)
        if not data:
            raise ConnectionError("closed")
        buf += data


def worker(port, user, password, seconds, out):
    ok = fail = 0
    end = time.monotonic() + seconds
    login = b'a LOGIN "' + user.encode() + b'" "' + password.encode() + b'"\r\n'
    while time.monotonic() < end:
        s = socket.create_connection(("127.0.0.1", port))
        try:
            buf = b""
            while b"\r\n" not in buf:
                buf += s.recv(4096)
            s.sendall(login)
            line, _ = read_tagged(s, b"", b"a")
            if line.startswith(b"a OK"):
                ok += 1
            else:
                fail += 1
            s.sendall(b"b LOGOUT\r\n")
            read_tagged(s, b"", b"b")
        finally:
            s.close()
    out.put((ok, fail))


def main():
    port, user, password = int(sys.argv[1]), sys.argv[2], sys.argv[3]
    seconds, workers = float(sys.argv[4]), int(sys.argv[5])
    q = multiprocessing.Queue()
    procs = [multiprocessing.Process(target=worker, args=(port, user, password, seconds, q))
             for _ in range(workers)]
    t0 = time.monotonic()
    for p in procs:
        p.start()
    results = [q.get() for _ in procs]
    for p in procs:
        p.join()
    elapsed = time.monotonic() - t0
    ok = sum(r[0] for r in results)
    fail = sum(r[1] for r in results)
    print("%.1f %d" % (ok / elapsed, fail))


if __name__ == "__main__":
    main()
