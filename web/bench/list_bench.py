#!/usr/bin/python3
"""Benchmark of boxwarden-web's mailbox list at 100,000 mailboxes: time per
request (one client, keep-alive, loopback), SQL statements per page (the
server's Questions counter), and pages/s at 20 concurrent clients.
Run from the build tree with the private MariaDB up (see docs/benchmarks.md):
  . build/default/webenv.sh; /usr/bin/python3 web/bench/list_bench.py"""
import http.client
import os
import re
import statistics
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "tests", "integration", "web"))
from webharness import ADMIN_PASSWORD, Client, WebEnv, sql  # noqa: E402

N = int(os.environ.get("BENCH_MAILBOXES", "100000"))
CLIENTS = 20
SECONDS = float(os.environ.get("BENCH_SECONDS", "10"))


def questions(env):
    return int(sql(env.db, "SHOW GLOBAL STATUS LIKE 'Questions'")[0][1])


def main():
    env = WebEnv("bench", {"web_threads": "4"})
    try:
        env.ctl("admin", "add", "bench", "--role", "superadmin", stdin=ADMIN_PASSWORD)
        t0 = time.time()
        for d in range(10):
            env.sql("INSERT INTO domain (name) VALUES ('d%d.example')" % d)
        env.sql("INSERT INTO mailbox (address, email_name) SELECT CONCAT('user', seq, '@d', seq MOD 10, "
                "'.example'), CONCAT('Name ', seq) FROM seq_1_to_%d" % N)
        env.sql("UPDATE mailbox SET active = 0 WHERE id MOD 7 = 0")
        env.sql("UPDATE mailbox SET vip = 1 WHERE id MOD 11 = 0")
        print("loaded %d mailboxes in %.1f s" % (N, time.time() - t0))
        env.start()
        c = Client(env)
        assert c.login("bench", ADMIN_PASSWORD).status == 303
        d3 = env.sql("SELECT id FROM domain WHERE name = 'd3.example'")[0][0]
        pages = {
            "first page": "/mailboxes",
            "late page": "/mailboxes?after=user99000%40d0.example",
            "search": "/mailboxes?q=user4242",
            "filtered (domain, inactive)": "/mailboxes?domain=%s&inactive=1" % d3,
        }
        conn = http.client.HTTPConnection("127.0.0.1", env.port)
        cookie = "bw_session=" + c.cookies["bw_session"]
        results = {}
        for name, path in pages.items():
            times = []
            for i in range(60):
                q0 = questions(env)
                t = time.perf_counter()
                conn.request("GET", path, headers={"Cookie": cookie})
                r = conn.getresponse()
                body = r.read()
                times.append(time.perf_counter() - t)
                q1 = questions(env)
                assert r.status == 200, (r.status, body[:200])
            rows = len(re.findall(rb'class="row-select"', body))
            # q1 - q0 includes the SHOW STATUS itself (1).
            results[name] = (statistics.median(times) * 1000, min(times) * 1000, q1 - q0 - 1, rows)
        for name, (med, best, stmts, rows) in results.items():
            print("%-30s median %6.2f ms  best %6.2f ms  SQL statements %d  rows %d" % (name, med, best, stmts, rows))

        for name, path in (("first page", pages["first page"]), ("search", pages["search"])):
            count = [0]
            stop = time.time() + SECONDS
            lock = threading.Lock()

            def worker():
                k = http.client.HTTPConnection("127.0.0.1", env.port)
                n = 0
                while time.time() < stop:
                    k.request("GET", path, headers={"Cookie": cookie})
                    r = k.getresponse()
                    r.read()
                    assert r.status == 200
                    n += 1
                with lock:
                    count[0] += n

            threads = [threading.Thread(target=worker) for _ in range(CLIENTS)]
            t = time.time()
            for th in threads:
                th.start()
            for th in threads:
                th.join()
            print("%-30s %d clients: %.1f pages/s" % (name, CLIENTS, count[0] / (time.time() - t)))
    finally:
        env.stop()


if __name__ == "__main__":
    main()
