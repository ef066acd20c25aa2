"""Test support for boxwarden-web: a scratch database on the private MariaDB
(ctest fixture "mariadb"), the schema through `boxwardenctl db migrate`, and
the real boxwarden-web on a free loopback port, stopped by PID. Everything
lives under the build tree (BOXWARDEN_WEB_TEST_DIR)."""
import base64
import hashlib
import hmac
import http.client
import os
import re
import secrets
import shutil
import signal
import struct
import subprocess
import sys
import time
import urllib.parse

WEB = os.environ["BOXWARDEN_WEB"]
CTL = os.environ["BOXWARDENCTL"]
POLICYD = os.environ.get("BOXWARDEN_POLICYD", "")
SOCK = os.environ["BOXWARDEN_TEST_MYSQL_SOCKET"]
SRC = os.environ["BOXWARDEN_SOURCE_DIR"]
BASE = os.environ["BOXWARDEN_WEB_TEST_DIR"]

# The one port allocator of all harnesses (re-exported for web/bench).
sys.path.insert(0, os.path.join(SRC, "tests", "harness"))
from free_port import free_port  # noqa: E402,F401

# BOXWARDEN_WEB_TEST_DB_ROLE=1: the daemon connects as a database user holding
# only the role of sql/grants/boxwarden-web-grants.sql (as the package sets it
# up), so a statement the role lacks fails the suite; boxwardenctl and the
# tests' own SQL stay root.
AS_WEB_ROLE = os.environ.get("BOXWARDEN_WEB_TEST_DB_ROLE", "") == "1"

ADMIN_PASSWORD = "Sup3r-Admin-Passw0rd"
DOMAIN_ADMIN_PASSWORD = "D0main-Admin-Passw0rd"


def totp(secret_b32, offset=0, now=None):
    """RFC 6238 (SHA1, 6 digits, 30 s) computed independently of the daemon."""
    key = base64.b32decode(secret_b32 + "=" * (-len(secret_b32) % 8))
    counter = int((time.time() if now is None else now) // 30) + offset
    mac = hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest()
    o = mac[-1] & 15
    return "%06d" % ((struct.unpack(">I", mac[o:o + 4])[0] & 0x7FFFFFFF) % 1000000)


def sql(db, statement, *, database=True):
    """Runs SQL as root on the private server; returns rows as lists of strings."""
    args = ["mariadb", "--no-defaults", "--default-character-set=utf8mb4", "-S", SOCK, "-uroot",
            "-N", "-B", "-e", statement]
    if database:
        args.insert(-2, db)
    out = subprocess.run(args, check=True, capture_output=True, text=True).stdout
    return [line.split("\t") for line in out.splitlines()]


def wait_until(pred, timeout=20.0, step=0.05):
    end = time.time() + timeout
    while time.time() < end:
        if pred():
            return True
        time.sleep(step)
    return pred()


class WebEnv:
    """One scratch database, a configuration, and a running boxwarden-web."""

    def __init__(self, name, extra_config=None):
        self.dir = os.path.join(BASE, name)
        shutil.rmtree(self.dir, ignore_errors=True)
        os.makedirs(self.dir)
        self.db = "bw_web_" + secrets.token_hex(6)
        sql(self.db, "CREATE DATABASE " + self.db, database=False)
        with open(os.path.join(self.dir, "secret.key"), "wb") as f:
            f.write(os.urandom(32))
        os.chmod(os.path.join(self.dir, "secret.key"), 0o640)
        # A sendmail that keeps every message it is given (access-data test).
        self.mail_dir = os.path.join(self.dir, "mail")
        os.makedirs(self.mail_dir)
        sendmail = os.path.join(self.dir, "sendmail")
        with open(sendmail, "w") as f:
            f.write('#!/bin/sh\nn=$(date +%s%N)\nprintf "%s\\n" "$*" >"' + self.mail_dir +
                    '/$n.args"\ncat >"' + self.mail_dir + '/$n.eml"\n')
        os.chmod(sendmail, 0o755)
        self.port = free_port()
        self.config = os.path.join(self.dir, "boxwarden.conf")
        cfg = {
            "db_socket": SOCK, "db_user": "root", "db_name": self.db,
            "sql_dir": os.path.join(SRC, "sql"),
            "secret_key_file": os.path.join(self.dir, "secret.key"),
            "doveadm_path": os.path.join(self.dir, "no-doveadm"),
            "sendmail_path": sendmail,
            "imap_host": "imap.example.de", "pop3_host": "pop.example.de",
            "smtp_host": "smtp.example.de",
            "web_listen": "127.0.0.1:%d" % self.port,
            "web_share_dir": os.path.join(SRC, "web", "share"),
            "web_threads": "4",
            "web_max_connections": "400",
        }
        cfg.update(extra_config or {})
        with open(self.config, "w") as f:
            for k, v in cfg.items():
                f.write("%s = %s\n" % (k, v))
        self.ctl("db", "migrate")
        # The daemon's own configuration: the same, or with the web role's user.
        self.web_config = self.config
        self.web_user = None
        if AS_WEB_ROLE:
            self.web_user = self.db + "_w"
            web_password = secrets.token_hex(16)
            sql(self.db, "SET @bw_role_prefix = '%s_', @bw_web_user = '%s', @bw_web_password = '%s';\n"
                "SOURCE %s" % (self.db, self.web_user, web_password,
                               os.path.join(SRC, "sql", "grants", "boxwarden-web-grants.sql")))
            cfg.update({"db_user": self.web_user, "db_password": web_password})
            self.web_config = os.path.join(self.dir, "web.conf")
            with open(self.web_config, "w") as f:
                for k, v in cfg.items():
                    f.write("%s = %s\n" % (k, v))
            os.chmod(self.web_config, 0o600)
        self.proc = None
        self.log_path = os.path.join(self.dir, "web.log")

    def ctl(self, *args, stdin=""):
        r = subprocess.run([CTL, "--config", self.config, *args], input=stdin,
                           capture_output=True, text=True)
        if r.returncode != 0:
            raise RuntimeError("boxwardenctl %s failed (%d): %s" % (args, r.returncode, r.stderr))
        return r.stdout

    def sql(self, statement):
        return sql(self.db, statement)

    def basic_data(self):
        self.ctl("domain", "add", "example.de")
        self.ctl("domain", "add", "other.de")
        self.ctl("mailbox", "create", "info@example.de")
        self.ctl("mailbox", "create", "sales@other.de")
        self.ctl("user", "add", "anna", "--display-name", "Anna Beispiel", "--activity-access")
        self.ctl("user", "add", "bert", "--display-name", "Bert")
        self.ctl("admin", "add", "root-admin", "--role", "superadmin", stdin=ADMIN_PASSWORD)
        self.ctl("admin", "add", "dom-admin", "--role", "domain", "--domains", "example.de",
                 stdin=DOMAIN_ADMIN_PASSWORD)

    def mailbox_id(self, address):
        return int(self.sql("SELECT id FROM mailbox WHERE address = '%s'" % address)[0][0])

    def start(self):
        self.log = open(self.log_path, "ab")
        self.proc = subprocess.Popen([WEB, "--config", self.web_config], stdout=self.log,
                                     stderr=self.log)
        assert wait_until(lambda: self.proc.poll() is not None or "listening on" in self.read_log()), \
            self.read_log()
        assert self.proc.poll() is None, self.read_log()

    def read_log(self):
        with open(self.log_path, "r", errors="replace") as f:
            return f.read()

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if self.proc:
            self.log.close()
        sql(self.db, "DROP DATABASE IF EXISTS " + self.db, database=False)
        if self.web_user:
            sql(self.db, "DROP USER IF EXISTS '%s'@'localhost'; DROP ROLE IF EXISTS `%s_web`"
                % (self.web_user, self.db), database=False)

    def url(self, path=""):
        return "http://127.0.0.1:%d%s" % (self.port, path)


class Client:
    """An HTTP client with its own cookie jar (no redirects followed)."""

    def __init__(self, env, source=None, headers=None):
        self.env = env
        self.cookies = {}
        self.source = source  # local address to connect from, e.g. "127.0.0.2"
        self.headers = dict(headers or {})  # sent with every request

    def request(self, method, path, form=None, body=None, headers=None):
        conn = http.client.HTTPConnection("127.0.0.1", self.env.port, timeout=20,
                                          source_address=(self.source, 0) if self.source else None)
        h = dict(self.headers)
        h.update(headers or {})
        if self.cookies:
            h["Cookie"] = "; ".join("%s=%s" % kv for kv in self.cookies.items())
        if form is not None:
            body = urllib.parse.urlencode(form, doseq=True)
            h["Content-Type"] = "application/x-www-form-urlencoded"
        conn.request(method, path, body=body, headers=h)
        r = conn.getresponse()
        r.text = r.read().decode("utf-8", "replace")
        for k, v in r.getheaders():
            if k.lower() == "set-cookie":
                name, _, rest = v.partition("=")
                value = rest.split(";")[0]
                if "Max-Age=0" in v:
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = value
        conn.close()
        return r

    def get(self, path):
        return self.request("GET", path)

    def post(self, path, form):
        return self.request("POST", path, form=form)

    def csrf(self, path="/login"):
        r = self.get(path)
        m = re.search(r'name="csrf" value="([0-9a-f]+)"', r.text)
        assert m, "no csrf token on %s: %d %s" % (path, r.status, r.text[:300])
        return m.group(1)

    def login(self, login, password):
        token = self.csrf("/login")
        return self.post("/login", {"csrf": token, "login": login, "password": password})
