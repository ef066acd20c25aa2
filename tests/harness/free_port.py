#!/usr/bin/env python3
"""The one TCP port allocator of the test harnesses (shell, C++ and Python).

`free_port.py [N]` prints N (default 1) ports on 127.0.0.1, one per line;
`free_port()` returns one. A port is

- below the kernel's ephemeral range (/proc/sys/net/ipv4/ip_local_port_range),
  so no outgoing connection of a parallel test takes it between this pick and
  the daemon's bind (bind(("127.0.0.1", 0)) picks from that very range, which
  made a Galera node fail with "Address already in use");
- reserved by an O_EXCL file in a per-user directory, so two tests running at
  once (ctest -j2) never get the same port; a reservation older than
  RESERVATION_SECONDS is reclaimed;
- bindable right now (a port some other program listens on is skipped).
"""
import errno
import os
import random
import socket
import sys
import tempfile
import time

LOWEST = 20000
RESERVATION_SECONDS = 3600


def _ephemeral_low():
    try:
        with open("/proc/sys/net/ipv4/ip_local_port_range") as f:
            return int(f.read().split()[0])
    except (OSError, ValueError, IndexError):
        return 32768


def _reservation_dir():
    d = os.environ.get("BOXWARDEN_TEST_PORT_DIR") or os.path.join(
        tempfile.gettempdir(), "boxwarden-test-ports-%d" % os.getuid())
    os.makedirs(d, mode=0o700, exist_ok=True)
    st = os.stat(d)
    if st.st_uid != os.getuid() or st.st_mode & 0o077:
        raise SystemExit("free_port: %s must be owned by uid %d, mode 0700" % (d, os.getuid()))
    return d


def _reserve(directory, port):
    path = os.path.join(directory, str(port))
    for _ in range(2):
        try:
            os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
            return True
        except FileExistsError:
            try:
                if time.time() - os.stat(path).st_mtime < RESERVATION_SECONDS:
                    return False
                os.unlink(path)  # stale: reclaim it once
            except FileNotFoundError:
                pass
    return False


def _bindable(port):
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError as e:
            if e.errno in (errno.EADDRINUSE, errno.EACCES):
                return False
            raise
    return True


def free_port():
    high = _ephemeral_low()  # exclusive
    if high - LOWEST < 1000:  # an unusual ip_local_port_range: let the kernel pick
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            return s.getsockname()[1]
    directory = _reservation_dir()
    rng = random.SystemRandom()
    for _ in range(5000):
        port = rng.randrange(LOWEST, high)
        if _reserve(directory, port) and _bindable(port):
            return port
    raise SystemExit("free_port: no free port in %d-%d (reservations in %s)" %
                     (LOWEST, high - 1, directory))


if __name__ == "__main__":
    for _ in range(int(sys.argv[1]) if len(sys.argv) > 1 else 1):
        print(free_port())
