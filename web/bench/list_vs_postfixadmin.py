#!/usr/bin/python3
"""boxwarden-web against Debian's PostfixAdmin in one run (issue #12): the
same four mailbox-list pages at 100,000 mailboxes on both, same client code,
same private MariaDB, same way of counting SQL statements.
Started by web/bench/list_vs_postfixadmin.sh, which installs the Debian
packages, starts the private MariaDB and exports the environment; see
docs/benchmarks.md. Everything lives under BENCH_DIR; every server listens on
127.0.0.1 (or a unix socket) only and is stopped by PID."""
import glob
import http.client
import json
import os
import re
import secrets
import shutil
import signal
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "tests", "integration", "web"))
from webharness import ADMIN_PASSWORD, SOCK, WebEnv, free_port, sql, wait_until  # noqa: E402

N = int(os.environ.get("BENCH_MAILBOXES", "100000"))
CLIENTS = int(os.environ.get("BENCH_CLIENTS", "20"))
SECONDS = float(os.environ.get("BENCH_SECONDS", "10"))
REQUESTS = int(os.environ.get("BENCH_REQUESTS", "20"))
# Rows per page for PostfixAdmin; boxwarden-web shows 50, so 50 compares
# the same amount of work. PostfixAdmin's shipped default is 10.
PFA_PAGE_SIZE = int(os.environ.get("BENCH_PFA_PAGE_SIZE", "50"))
WORK = os.environ["BENCH_DIR"]
PFA_SRC = os.environ.get("BENCH_PFA_SOURCE", "/usr/share/postfixadmin")
PFA_ADMIN = "admin@bench.example"
PFA_DB = "pfa_bench"
CTL_MARK = "bwbench_ctl"  # a user variable: the mariadb client strips comments
ADDRESS = re.compile(rb"user\d+@d\d\.example")
RETRY = (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError,
         http.client.CannotSendRequest)


# ---------------------------------------------------------------- HTTP client
class Browser:
    """One cookie jar and one keep-alive connection; the same for both sites."""

    def __init__(self, port):
        self.port = port
        self.cookies = {}
        self.conn = None
        self.set_cookie_lines = []

    def _connect(self):
        self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)

    def request(self, method, path, form=None):
        headers = {"Accept-Language": "en"}
        if self.cookies:
            headers["Cookie"] = "; ".join("%s=%s" % kv for kv in self.cookies.items())
        body = None
        if form is not None:
            body = urllib.parse.urlencode(form, doseq=True)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        for attempt in (0, 1):
            if self.conn is None:
                self._connect()
            try:
                self.conn.request(method, path, body=body, headers=headers)
                r = self.conn.getresponse()
                data = r.read()
                break
            except RETRY:
                # The server closed an idle keep-alive connection; a fresh one.
                self.conn.close()
                self.conn = None
                if attempt:
                    raise
        if r.getheader("Connection", "").lower() == "close":
            self.conn.close()
            self.conn = None
        self.set_cookie_lines = [v for k, v in r.getheaders() if k.lower() == "set-cookie"]
        for v in self.set_cookie_lines:
            name, _, rest = v.partition("=")
            value = rest.split(";")[0]
            if "max-age=0" in v.lower() or value == "deleted":
                self.cookies.pop(name, None)
            else:
                self.cookies[name] = value
        r.body = data
        return r

    def close(self):
        if self.conn:
            self.conn.close()
            self.conn = None


def form_value(body, name):
    m = re.search(rb'name="' + name.encode() + rb'" value="([^"]+)"', body)
    assert m, "no %s field in: %r" % (name, body[:400])
    return urllib.parse.unquote(m.group(1).decode())


# --------------------------------------------------------------------- sites
class Site:
    def login(self, b, with_token=True):
        token = form_value(b.request("GET", self.login_path).body, self.token_field)
        return b.request("POST", self.login_path, self.login_form(token if with_token else None))


class Boxwarden(Site):
    name = "boxwarden-web"
    session_cookie = "bw_session"

    def __init__(self):
        self.env = WebEnv("bench-vs-pfa", {"web_threads": "4"})
        self.port = self.env.port

    def load(self):
        self.env.ctl("admin", "add", "bench", "--role", "superadmin", stdin=ADMIN_PASSWORD)
        for d in range(10):
            self.env.sql("INSERT INTO domain (name) VALUES ('d%d.example')" % d)
        self.env.sql("INSERT INTO mailbox (address, email_name, active) SELECT CONCAT('user', seq, '@d', "
                     "seq MOD 10, '.example'), CONCAT('Name ', seq), seq MOD 7 <> 0 FROM seq_1_to_%d" % N)
        self.env.sql("UPDATE mailbox SET vip = 1 WHERE id MOD 11 = 0")

    def start(self):
        self.env.start()
        d3 = self.env.sql("SELECT id FROM domain WHERE name = 'd3.example'")[0][0]
        self.pages = {
            "first page": "/mailboxes",
            "late page": "/mailboxes?after=user99000%40d0.example",
            "search": "/mailboxes?q=user4242",
            "filtered (domain d3, inactive)": "/mailboxes?domain=%s&inactive=1" % d3,
        }

    def pids(self):
        return [self.env.proc.pid]

    login_path = "/login"
    token_field = "csrf"

    def login_form(self, token):
        form = {"login": "bench", "password": ADMIN_PASSWORD}
        if token is not None:
            form["csrf"] = token
        return form

    def logged_in(self, r):
        return r.status == 303 and "/login" not in (r.getheader("Location") or "")

    def password_hash(self):
        return self.env.sql("SELECT password_hash FROM web_admin WHERE login = 'bench'")[0][0]

    def stop(self):
        self.env.stop()


class PostfixAdmin(Site):
    name = "PostfixAdmin"
    session_cookie = "postfixadmin_session"

    def __init__(self):
        self.dir = os.path.join(WORK, "postfixadmin")
        shutil.rmtree(self.dir, ignore_errors=True)
        os.makedirs(self.dir)
        self.port = free_port()
        self.db_password = secrets.token_hex(12)
        self.setup_password = "Setup-" + secrets.token_hex(8) + "42"
        self.pidfile = os.path.join(self.dir, "run", "apache2.pid")
        self.proc_pid = None

    def install_private_copy(self):
        # A private copy of Debian's tree (symlinks resolved): config.local.php
        # and the Smarty cache are then ours, /etc/postfixadmin stays untouched.
        # The code is Debian's, unchanged.
        code = os.path.join(self.dir, "code")
        os.makedirs(code)
        for entry in sorted(os.listdir(PFA_SRC)):
            if entry not in ("config.local.php", "templates_c"):
                subprocess.run(["cp", "-rL", os.path.join(PFA_SRC, entry), code], check=True)
        # Debian's config.inc.php includes its dbconfig.inc.php (dbconfig-common's
        # generated credentials, overridden by config.local.php below).
        dbconfig = os.path.join(os.path.dirname(os.path.realpath(os.path.join(PFA_SRC, "config.inc.php"))),
                                "dbconfig.inc.php")
        if os.path.exists(dbconfig):
            shutil.copy(dbconfig, code)
            shutil.chown(os.path.join(code, "dbconfig.inc.php"), "root", "www-data")
        templates_c = os.path.join(code, "templates_c")
        os.makedirs(templates_c)
        for d in ("run", "logs", "sessions"):
            os.makedirs(os.path.join(self.dir, d), exist_ok=True)
        for d in (templates_c, os.path.join(self.dir, "sessions")):
            shutil.chown(d, "www-data", "www-data")
            os.chmod(d, 0o700)
        setup_hash = subprocess.run(
            ["php", "-r", "echo password_hash($argv[1], PASSWORD_DEFAULT);", self.setup_password],
            check=True, capture_output=True, text=True).stdout.strip()
        local = os.path.join(code, "config.local.php")
        with open(local, "w") as f:
            f.write("<?php\n")
            for k, v in (("configured", True), ("database_type", "mysqli"),
                         ("database_host", "localhost"), ("database_socket", SOCK),
                         ("database_user", "pfa_bench"), ("database_password", self.db_password),
                         ("database_name", PFA_DB), ("setup_password", setup_hash),
                         ("emailcheck_resolve_domain", "NO"), ("page_size", str(PFA_PAGE_SIZE)),
                         ("default_language", "en")):
                f.write("$CONF[%s] = %s;\n" % (php(k), php(v)))
        # It holds the database password: readable by root and Apache only.
        shutil.chown(local, "root", "www-data")
        os.chmod(local, 0o640)
        self.code = code
        # Debian's config.inc.php must reach our config.local.php.
        inc = open(os.path.join(code, "config.inc.php")).read()
        assert "config.local.php" in inc, "config.inc.php does not load config.local.php"
        if "/etc/postfixadmin/config.local.php" in inc:
            raise SystemExit("this postfixadmin loads /etc/postfixadmin/config.local.php; "
                             "the private copy needs another way in")

    def write_apache_config(self):
        mods = "/usr/lib/apache2/modules"
        libphp = sorted(glob.glob(mods + "/libphp*.so"))
        assert libphp, "libapache2-mod-php is not installed"
        conf = os.path.join(self.dir, "apache2.conf")
        d = self.dir
        with open(conf, "w") as f:
            f.write(f"""# Private Apache for the benchmark (web/bench/list_vs_postfixadmin.py).
ServerRoot "{d}"
ServerName 127.0.0.1
Listen 127.0.0.1:{self.port}
PidFile "{self.pidfile}"
DefaultRuntimeDir "{d}/run"
Mutex file:{d}/run default
User www-data
Group www-data
ErrorLog "{d}/logs/error.log"
LogLevel warn
LogFormat "%h %t \\"%r\\" %>s %b %D" bench
CustomLog "{d}/logs/access.log" bench
LoadModule mpm_prefork_module {mods}/mod_mpm_prefork.so
LoadModule authz_core_module {mods}/mod_authz_core.so
LoadModule mime_module {mods}/mod_mime.so
LoadModule dir_module {mods}/mod_dir.so
LoadModule php_module {libphp[-1]}
TypesConfig /etc/mime.types
# Processes ready for 20 keep-alive clients before the clock starts.
StartServers 24
MinSpareServers 24
MaxSpareServers 40
ServerLimit 40
MaxRequestWorkers 40
MaxConnectionsPerChild 0
KeepAlive On
MaxKeepAliveRequests 0
KeepAliveTimeout 5
DocumentRoot "{self.code}/public"
<Directory />
    AllowOverride None
    Require all denied
</Directory>
<Directory "{self.code}/public">
    Require all granted
    DirectoryIndex index.php
</Directory>
<FilesMatch "\\.php$">
    SetHandler application/x-httpd-php
</FilesMatch>
php_admin_value session.save_path "{d}/sessions"
""")
        self.conf = conf

    def create_database(self):
        sql(PFA_DB, "CREATE DATABASE %s" % PFA_DB, database=False)
        sql(PFA_DB, "CREATE USER 'pfa_bench'@'localhost' IDENTIFIED BY '%s'" % self.db_password,
            database=False)
        sql(PFA_DB, "GRANT ALL ON %s.* TO 'pfa_bench'@'localhost'" % PFA_DB, database=False)

    def load_schema_and_admin(self):
        b = Browser(self.port)
        # setup.php runs upgrade.php, which creates PostfixAdmin's tables.
        r = b.request("GET", "/setup.php")
        assert r.status == 200, (r.status, r.body[:400])
        tables = {t[0] for t in sql(PFA_DB, "SHOW TABLES")}
        assert {"mailbox", "alias", "domain", "admin"} <= tables, (tables, self.php_errors())
        r = b.request("POST", "/setup.php", {
            "setup_password": self.setup_password, "username": PFA_ADMIN,
            "password": ADMIN_PASSWORD, "password2": ADMIN_PASSWORD, "submit": "createadmin"})
        assert r.status == 200, (r.status, r.body[:400])
        rows = sql(PFA_DB, "SELECT superadmin FROM admin WHERE username = '%s'" % PFA_ADMIN)
        assert rows == [["1"]], ("setup.php did not create the admin", rows,
                                 re.findall(rb"text-danger[^<]*<[^<]*", r.body)[:5], self.php_errors())
        b.close()

    def load(self):
        self.install_private_copy()
        self.write_apache_config()
        self.create_database()
        self.start_apache()
        self.load_schema_and_admin()
        # The rows PostfixAdmin's own forms write: a domain row, a mailbox row
        # and the mailbox's alias to itself, every 7th mailbox inactive.
        q = [
            "INSERT INTO domain (domain, description, aliases, mailboxes, maxquota, quota, transport, "
            "backupmx, created, modified, active) SELECT CONCAT('d', seq, '.example'), '', 0, 0, 0, 0, "
            "'virtual', 0, NOW(), NOW(), 1 FROM seq_0_to_9",
            "INSERT INTO mailbox (username, password, name, maildir, quota, local_part, domain, created, "
            "modified, active) SELECT CONCAT('user', seq, '@d', seq MOD 10, '.example'), "
            "'$1$benchsal$5IvcgZ2eWvDAK4Zy8Fbcz/', CONCAT('Name ', seq), "
            "CONCAT('d', seq MOD 10, '.example/user', seq, '/'), 0, CONCAT('user', seq), "
            "CONCAT('d', seq MOD 10, '.example'), NOW(), NOW(), seq MOD 7 <> 0 FROM seq_1_to_%d" % N,
            "INSERT INTO alias (address, goto, domain, created, modified, active) "
            "SELECT username, username, domain, NOW(), NOW(), active FROM mailbox",
        ]
        for s in q:
            sql(PFA_DB, s)

    def start_apache(self):
        subprocess.run(["apache2", "-f", self.conf, "-k", "start"], check=True)
        assert wait_until(lambda: os.path.exists(self.pidfile), 20), self.apache_errors()
        self.proc_pid = int(open(self.pidfile).read().strip())

        def up():
            try:
                b = Browser(self.port)
                b.request("GET", "/css/bootstrap.css")
                b.close()
                return True
            except OSError:
                return False
        assert wait_until(up, 20), self.apache_errors()

    def start(self):
        per_domain = N // 10
        late = (per_domain * 99 // 100) // PFA_PAGE_SIZE * PFA_PAGE_SIZE
        self.pages = {
            "first page": "/list-virtual.php?domain=d0.example",
            "late page": "/list-virtual.php?domain=d0.example&limit=%d" % late,
            "search": "/list-virtual.php?search%5B_%5D=user4242",
            # PostfixAdmin's only list with an "active" filter: list.php
            # (all matching rows, no paging).
            "filtered (domain d3, inactive)":
                "/list.php?table=mailbox&search%5Bdomain%5D=d3.example&search%5Bactive%5D=0",
        }

    def pids(self):
        return [self.proc_pid]

    login_path = "/login.php"
    token_field = "token"

    def login_form(self, token):
        form = {"fUsername": PFA_ADMIN, "fPassword": ADMIN_PASSWORD, "lang": "en", "submit": "Login"}
        if token is not None:
            form["token"] = token
        return form

    def logged_in(self, r):
        return r.status in (302, 303) and "main.php" in (r.getheader("Location") or "")

    def password_hash(self):
        return sql(PFA_DB, "SELECT password FROM admin WHERE username = '%s'" % PFA_ADMIN)[0][0]

    def apache_errors(self):
        p = os.path.join(self.dir, "logs", "error.log")
        return open(p, errors="replace").read()[-2000:] if os.path.exists(p) else "(no error.log)"

    def php_errors(self):
        return self.apache_errors()  # mod_php logs to Apache's ErrorLog

    def stop(self):
        if self.proc_pid:
            stop_pid(self.proc_pid)
            self.proc_pid = None


def php(v):
    if v is True:
        return "true"
    return "'" + str(v).replace("\\", "\\\\").replace("'", "\\'") + "'"


def stop_pid(pid, timeout=30):
    try:
        os.kill(pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    end = time.time() + timeout
    while time.time() < end:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.1)
    os.kill(pid, signal.SIGKILL)


# ------------------------------------------------------------- measurements
def rows_of(body):
    return len(set(ADDRESS.findall(body)))


def sequential(site, b, path):
    r = b.request("GET", path)  # warm-up (opcache, buffer pool, Smarty cache)
    assert r.status == 200, (site.name, path, r.status, r.body[:300])
    times = []
    for _ in range(REQUESTS):
        t = time.perf_counter()
        r = b.request("GET", path)
        times.append(time.perf_counter() - t)
        assert r.status == 200, (site.name, path, r.status)
    rows = rows_of(r.body)
    assert rows > 0, (site.name, path, "no mailbox on the page", r.body[:600])
    return {"median_ms": statistics.median(times) * 1000, "best_ms": min(times) * 1000,
            "rows": rows, "bytes": len(r.body)}


def concurrent(site, browsers, path):
    count = [0]
    errors = []
    lock = threading.Lock()
    start = threading.Barrier(len(browsers) + 1)
    stop_at = [0.0]

    def worker(b):
        n = 0
        start.wait()
        try:
            while time.time() < stop_at[0]:
                r = b.request("GET", path)
                if r.status != 200:
                    raise RuntimeError("status %d" % r.status)
                n += 1
        except Exception as e:  # noqa: BLE001 - reported below
            with lock:
                errors.append(repr(e))
        with lock:
            count[0] += n

    threads = [threading.Thread(target=worker, args=(b,)) for b in browsers]
    for th in threads:
        th.start()
    stop_at[0] = time.time() + SECONDS
    t = time.time()
    start.wait()
    for th in threads:
        th.join()
    elapsed = time.time() - t
    assert not errors, (site.name, path, errors[:3])
    return count[0] / elapsed


def sql_of_one_request(b, path):
    """The statements one page runs, from MariaDB's general log (same method
    for both): every Query and Execute of the request's window, without the
    connection that switches the log off."""
    sql("", "TRUNCATE mysql.general_log", database=False)
    sql("", "SET GLOBAL general_log = 1", database=False)
    r = b.request("GET", path)
    sql("", "SET GLOBAL general_log = 0, @%s = 1" % CTL_MARK, database=False)
    assert r.status == 200
    log = sql("", "SELECT thread_id, command_type, HEX(argument) FROM mysql.general_log "
              "ORDER BY event_time", database=False)
    entries = [(t, c, bytes.fromhex(h).decode("utf-8", "replace")) for t, c, h in log]
    ctl = {t for t, _, a in entries if CTL_MARK in a}
    entries = [e for e in entries if e[0] not in ctl]
    statements = [" ".join(a.split()) for _, c, a in entries if c in ("Query", "Execute")]
    connects = sum(1 for _, c, _ in entries if c == "Connect")
    return statements, connects


def shape(statement):
    s = re.sub(r"'(?:[^'\\]|\\.)*'", "?", statement)
    s = re.sub(r"\b\d+\b", "N", s)
    return s[:150]


def hash_scheme(h):
    m = re.match(r"^(\{[^}]*\})?(\$[^$]+\$)", h)
    return (m.group(0) if m else h[:8]) + "…"


def security(site):
    """Checks that need no judgement: response headers, cookie flags, a new
    session id at login, login without the CSRF token, the stored hash."""
    b = Browser(site.port)
    r = b.request("GET", site.login_path)
    before = b.cookies.get(site.session_cookie)
    r = b.request("POST", site.login_path, site.login_form(form_value(r.body, site.token_field)))
    assert site.logged_in(r), (site.name, r.status, r.getheader("Location"))
    lines = [c for c in b.set_cookie_lines if c.startswith(site.session_cookie + "=")]
    after = b.cookies.get(site.session_cookie)
    page = b.request("GET", site.pages["first page"])
    assert page.status == 200
    b.close()
    no_token = site.login(Browser(site.port), with_token=False)
    attrs = [a.strip().lower() for a in (lines or [""])[-1].split(";")[1:]]
    h = page.getheader
    return {
        "Content-Security-Policy": h("Content-Security-Policy") or "(none)",
        "X-Frame-Options": h("X-Frame-Options") or "(none)",
        "X-Content-Type-Options": h("X-Content-Type-Options") or "(none)",
        "Referrer-Policy": h("Referrer-Policy") or "(none)",
        "Cache-Control (list page)": h("Cache-Control") or "(none)",
        "Server / X-Powered-By": "%s / %s" % (h("Server") or "(none)", h("X-Powered-By") or "(none)"),
        "session cookie set at login": "yes" if lines else "no",
        "session cookie HttpOnly": "yes" if "httponly" in attrs else "no",
        "session cookie SameSite": next((a.split("=", 1)[1] for a in attrs if a.startswith("samesite=")),
                                        "(not set)"),
        "session cookie Secure (plain HTTP here)": "yes" if "secure" in attrs else "no",
        "new session id at login": "yes" if after and after != before else "no",
        "login accepted without the CSRF token": "yes" if site.logged_in(no_token) else "no",
        "stored admin password hash": hash_scheme(site.password_hash()),
    }


def listening_check(sites):
    out = subprocess.run(["ss", "-ltnpH"], capture_output=True, text=True).stdout
    lines = []
    for line in out.splitlines():
        for s in sites:
            if any("pid=%d," % p in line for p in s.pids()):
                local = line.split()[3]
                lines.append((s.name, local))
                assert local.startswith("127.0.0.1:"), "%s listens on %s" % (s.name, local)
    return lines


def versions():
    out = subprocess.run(["dpkg-query", "-W", "-f", "${Package} ${Version}\n", "postfixadmin", "apache2",
                          "libapache2-mod-php8.2", "php8.2-mysql", "mariadb-server"],
                         capture_output=True, text=True).stdout
    return out.strip().splitlines()


def main():
    sql("", "SET GLOBAL log_output = 'TABLE'", database=False)
    sql("", "SET GLOBAL general_log = 0", database=False)
    bw = Boxwarden()
    pfa = PostfixAdmin()
    sites = [bw, pfa]
    results = {"mailboxes": N, "clients": CLIENTS, "seconds": SECONDS, "requests": REQUESTS,
               "pfa_page_size": PFA_PAGE_SIZE, "versions": versions(),
               "started": time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime()),
               "load_before": os.getloadavg()}
    try:
        t0 = time.time()
        for s in sites:
            s.load()
            s.start()
        print("loaded %d mailboxes into each in %.1f s" % (N, time.time() - t0), flush=True)
        for name, local in listening_check(sites):
            print("%s listens on %s" % (name, local))
        sql_dir = os.path.join(WORK, "sql")
        os.makedirs(sql_dir, exist_ok=True)
        for s in sites:
            browsers = [Browser(s.port) for _ in range(CLIENTS)]
            for b in browsers:
                assert s.logged_in(s.login(b)), s.name
            r = results.setdefault(s.name, {})
            for page, path in s.pages.items():
                m = sequential(s, browsers[0], path)
                stmts, connects = sql_of_one_request(browsers[0], path)
                m["sql"] = len(stmts)
                m["connects"] = connects
                shapes = {}
                for st in stmts:
                    shapes[shape(st)] = shapes.get(shape(st), 0) + 1
                m["sql_shapes"] = sorted(shapes.items(), key=lambda kv: -kv[1])
                fn = os.path.join(sql_dir, "%s-%s.sql" % (s.name, re.sub(r"\W+", "_", page).strip("_")))
                with open(fn, "w") as f:
                    f.write("\n".join(stmts) + "\n")
                print("%-14s %-32s median %8.2f ms  best %8.2f ms  SQL %4d  connects %d  rows %4d  %7d bytes"
                      % (s.name, page, m["median_ms"], m["best_ms"], m["sql"], connects, m["rows"],
                         m["bytes"]), flush=True)
                r[page] = m
            for page, path in s.pages.items():
                r[page]["pages_per_s"] = concurrent(s, browsers, path)
                print("%-14s %-32s %d clients: %8.2f pages/s" % (s.name, page, CLIENTS,
                                                                  r[page]["pages_per_s"]), flush=True)
            for b in browsers:
                b.close()
            r["security"] = security(s)
        results["load_after"] = os.getloadavg()
        report(results, bw.pages.keys(), pfa.pages, bw.pages)
        path = os.path.join(WORK, "results-%s.json" % time.strftime("%Y%m%dT%H%M%SZ", time.gmtime()))
        with open(path, "w") as f:
            json.dump(results, f, indent=1)
        print("\nresults: %s; statements of each page: %s/" % (path, sql_dir))
    finally:
        for s in sites:
            try:
                s.stop()
            except Exception as e:  # noqa: BLE001 - keep stopping the rest
                print("stopping %s: %r" % (s.name, e))


def report(res, pages, pfa_pages, bw_pages):
    bw, pf = res["boxwarden-web"], res["PostfixAdmin"]
    print("\n%d mailboxes, %d clients for %.0f s per page, %d sequential requests per page, "
          "PostfixAdmin page_size %d; load average %.1f before, %.1f after\n"
          % (res["mailboxes"], res["clients"], res["seconds"], res["requests"], res["pfa_page_size"],
             res["load_before"][0], res["load_after"][0]))
    print("| page | boxwarden-web median | PostfixAdmin median | time ratio | SQL (bw / PFA) "
          "| rows (bw / PFA) | pages/s at %d (bw / PFA) | pages/s ratio |" % res["clients"])
    print("| --- | --- | --- | --- | --- | --- | --- | --- |")
    for p in pages:
        a, b = bw[p], pf[p]
        print("| %s | %.2f ms | %.1f ms | %.0f× | %d / %d | %d / %d | %.0f / %.2f | %.0f× |"
              % (p, a["median_ms"], b["median_ms"], b["median_ms"] / a["median_ms"], a["sql"], b["sql"],
                 a["rows"], b["rows"], a["pages_per_s"], b["pages_per_s"],
                 a["pages_per_s"] / b["pages_per_s"]))
    print("\n| page | boxwarden-web URL | PostfixAdmin URL |\n| --- | --- | --- |")
    for p in pages:
        print("| %s | `%s` | `%s` |" % (p, bw_pages[p], pfa_pages[p]))
    print("\n| check (automatic) | boxwarden-web | PostfixAdmin |\n| --- | --- | --- |")
    for k in bw["security"]:
        print("| %s | %s | %s |" % (k, bw["security"][k].replace("|", "\\|"),
                                    pf["security"][k].replace("|", "\\|")))
    for name, r in (("boxwarden-web", bw), ("PostfixAdmin", pf)):
        print("\nSQL of %s per page (count × statement shape):" % name)
        for p in pages:
            print("  %s: %d statements, %d new connections" % (p, r[p]["sql"], r[p]["connects"]))
            for sh, c in r[p]["sql_shapes"][:8]:
                print("    %4d × %s" % (c, sh))


if __name__ == "__main__":
    main()
