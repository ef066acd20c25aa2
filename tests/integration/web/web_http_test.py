"""HTTP-level tests of boxwarden-web against a real daemon and a private
MariaDB: CSRF, escaping, session fixation, domain scope, limits, headers,
throttling, the audit log, the TOTP second factor (codes computed here with
hmac), and X-Forwarded-For from trusted and untrusted peers."""
import base64
import html
import json
import re
import socket
import subprocess
import time
import unittest

from webharness import ADMIN_PASSWORD, CTL, DOMAIN_ADMIN_PASSWORD, Client, WebEnv, totp

TOTP_ADMIN_PASSWORD = "T0tp-Admin-Passw0rd-long"


def wrong_code(secret_b32):
    """A 6-digit code that is none of the steps within reach of the skew."""
    near = {totp(secret_b32, d) for d in range(-3, 4)}
    n = 0
    while "%06d" % n in near:
        n += 1
    return "%06d" % n


def ctl_exit(env, *args):
    return subprocess.run([CTL, "--config", env.config, *args], capture_output=True,
                          text=True).returncode


def enable_totp(env, login):
    env.ctl("admin", "add", login, "--role", "superadmin", stdin=TOTP_ADMIN_PASSWORD)
    return json.loads(env.ctl("admin", "totp", "enable", login, "--json"))


class WebHttpTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        # 127.0.0.2 stands for a reverse proxy; the tests connect from 127.0.0.1.
        cls.env = WebEnv("http", {"web_login_failures_per_account": "3",
                                  "web_trusted_proxies": "127.0.0.2"})
        cls.env.basic_data()
        cls.env.start()
        cls.info = cls.env.mailbox_id("info@example.de")
        cls.sales = cls.env.mailbox_id("sales@other.de")

    @classmethod
    def tearDownClass(cls):
        cls.env.stop()

    def admin(self):
        c = Client(self.env)
        r = c.login("root-admin", ADMIN_PASSWORD)
        self.assertEqual(r.status, 303, r.text)
        return c

    def active(self, mailbox_id):
        return self.env.sql("SELECT active FROM mailbox WHERE id = %d" % mailbox_id)[0][0]

    def test_post_without_or_with_wrong_csrf_is_403_and_changes_nothing(self):
        c = self.admin()
        self.assertEqual(self.active(self.info), "1")
        r = c.post("/mailbox/%d/active" % self.info, {})
        self.assertEqual(r.status, 403)
        r = c.post("/mailbox/%d/active" % self.info, {"csrf": "0" * 64})
        self.assertEqual(r.status, 403)
        r = c.post("/mailboxes/bulk", {"csrf": "x", "action": "deactivate", "id": [str(self.info)]})
        self.assertEqual(r.status, 403)
        self.assertEqual(self.active(self.info), "1")
        # The right token does change it (so the refusals above were the token's).
        token = c.csrf("/mailbox/%d" % self.info)
        r = c.post("/mailbox/%d/active" % self.info, {"csrf": token})
        self.assertEqual(r.status, 303, r.text)
        self.assertEqual(self.active(self.info), "0")
        r = c.post("/mailbox/%d/active" % self.info, {"csrf": token, "active": "1"})
        self.assertEqual(self.active(self.info), "1")

    def test_get_never_changes_anything(self):
        c = self.admin()
        before = self.env.sql("SELECT COUNT(*) FROM web_audit")[0][0]
        r = c.get("/mailbox/%d/active?active=0" % self.info)
        self.assertEqual(r.status, 404)
        self.assertEqual(self.active(self.info), "1")
        c.get("/mailboxes/new?local_part=x&domain=example.de")
        self.assertEqual(self.env.sql("SELECT COUNT(*) FROM mailbox WHERE address = 'x@example.de'")[0][0], "0")
        self.assertEqual(self.env.sql("SELECT COUNT(*) FROM web_audit")[0][0], before)

    def test_script_in_email_name_is_rendered_as_text(self):
        self.env.sql("UPDATE mailbox SET email_name = '<script>alert(1)</script>' WHERE id = %d" % self.info)
        try:
            c = self.admin()
            for path in ("/mailboxes", "/mailbox/%d" % self.info):
                r = c.get(path)
                self.assertEqual(r.status, 200)
                self.assertNotIn("<script>alert(1)</script>", r.text, path)
                self.assertIn("&lt;script&gt;alert(1)&lt;", r.text, path)
        finally:
            self.env.sql("UPDATE mailbox SET email_name = NULL WHERE id = %d" % self.info)

    def test_session_id_rotates_at_login_and_a_planted_id_is_worthless(self):
        c = Client(self.env)
        token = c.csrf("/login")
        before = c.cookies["bw_session"]
        r = c.post("/login", {"csrf": token, "login": "root-admin", "password": ADMIN_PASSWORD})
        self.assertEqual(r.status, 303)
        after = c.cookies["bw_session"]
        self.assertNotEqual(before, after)
        self.assertEqual(c.get("/mailboxes").status, 200)
        # The pre-login id (what an attacker could have planted) opens nothing.
        attacker = Client(self.env)
        attacker.cookies["bw_session"] = before
        r = attacker.get("/mailboxes")
        self.assertEqual(r.status, 303)
        self.assertEqual(r.getheader("Location"), "/login")
        # An invented id is not adopted: the server issues its own.
        planted = "ab" * 32
        victim = Client(self.env)
        victim.cookies["bw_session"] = planted
        victim.csrf("/login")
        self.assertNotEqual(victim.cookies["bw_session"], planted)

    def test_logout_really_ends_the_session(self):
        c = self.admin()
        cookie = c.cookies["bw_session"]
        token = c.csrf("/mailboxes")
        self.assertEqual(c.post("/logout", {"csrf": token}).status, 303)
        other = Client(self.env)
        other.cookies["bw_session"] = cookie
        self.assertEqual(other.get("/mailboxes").status, 303)

    def test_cookie_and_security_headers(self):
        c = Client(self.env)
        r = c.get("/login")
        cookie = r.getheader("Set-Cookie")
        self.assertIn("HttpOnly", cookie)
        self.assertIn("SameSite=Strict", cookie)
        csp = r.getheader("Content-Security-Policy")
        self.assertIn("script-src 'self'", csp)
        self.assertNotIn("unsafe-inline", csp)
        self.assertIn("frame-ancestors 'none'", csp)
        self.assertEqual(r.getheader("X-Frame-Options"), "DENY")
        self.assertEqual(r.getheader("Referrer-Policy"), "same-origin")
        self.assertEqual(r.getheader("Cache-Control"), "no-store")
        self.assertNotRegex(r.text, r"<script>|<script [^>]*>[^<]")  # no inline script
        self.assertNotIn(" onclick=", r.text)

    def test_domain_admin_is_limited_to_their_domain_also_by_edited_ids(self):
        c = Client(self.env)
        self.assertEqual(c.login("dom-admin", DOMAIN_ADMIN_PASSWORD).status, 303)
        r = c.get("/mailboxes")
        self.assertIn("info@example.de", r.text)
        self.assertNotIn("sales@other.de", r.text)
        self.assertNotIn("other.de", r.text)  # not even in the domain filter
        self.assertEqual(c.get("/mailbox/%d" % self.sales).status, 403)
        token = c.csrf("/mailbox/%d" % self.info)
        for action, form in (("active", {}), ("vip", {"vip": "1"}),
                             ("email-name", {"email_name": "x"}),
                             ("show-password", {"admin_password": DOMAIN_ADMIN_PASSWORD}),
                             ("generate-password", {}), ("assign", {"login": "anna"})):
            form = dict(form, csrf=token)
            r = c.post("/mailbox/%d/%s" % (self.sales, action), form)
            self.assertEqual(r.status, 403, action)
        r = c.post("/mailboxes/bulk", {"csrf": token, "action": "deactivate",
                                       "id": [str(self.info), str(self.sales)]})
        self.assertEqual(r.status, 403)
        row = self.env.sql("SELECT active, vip, email_name IS NULL, password_hash IS NULL FROM mailbox WHERE id = %d" % self.sales)[0]
        self.assertEqual(row, ["1", "0", "1", "1"])
        self.assertEqual(self.active(self.info), "1")  # the whole bulk request was refused
        r = c.post("/mailboxes/new", {"csrf": token, "local_part": "evil", "domain": "other.de"})
        self.assertEqual(r.status, 403)
        self.assertEqual(self.env.sql("SELECT COUNT(*) FROM mailbox WHERE address = 'evil@other.de'")[0][0], "0")
        self.assertEqual(c.get("/settings").status, 403)
        self.assertEqual(c.post("/settings", {"csrf": token, "grace": "5"}).status, 403)
        # Their own domain works.
        r = c.post("/mailbox/%d/vip" % self.info, {"csrf": token, "vip": "1"})
        self.assertEqual(r.status, 303)
        self.env.sql("UPDATE mailbox SET vip = 0 WHERE id = %d" % self.info)

    def test_oversized_body_is_413(self):
        c = self.admin()
        token = c.csrf("/mailboxes")
        r = c.request("POST", "/mailboxes/bulk", body="csrf=" + token + "&x=" + "a" * 100000,
                      headers={"Content-Type": "application/x-www-form-urlencoded"})
        self.assertEqual(r.status, 413)

    def test_many_idle_connections_do_not_stop_a_real_request(self):
        idle = []
        try:
            for _ in range(200):
                s = socket.create_connection(("127.0.0.1", self.env.port), timeout=5)
                s.sendall(b"GET /login HTTP/1.1\r\nHost: x\r\n")  # never finished
                idle.append(s)
            start = time.time()
            r = Client(self.env).get("/login")
            took = time.time() - start
            self.assertEqual(r.status, 200)
            self.assertLess(took, 2.0)
        finally:
            for s in idle:
                s.close()

    def test_too_many_header_fields_is_431(self):
        s = socket.create_connection(("127.0.0.1", self.env.port), timeout=5)
        req = b"GET /login HTTP/1.1\r\nHost: x\r\n" + b"".join(b"X-F%d: 1\r\n" % i for i in range(100)) + b"\r\n"
        s.sendall(req)
        self.assertIn(b" 431 ", s.recv(200))
        s.close()

    def test_failed_logins_are_throttled_and_logged_for_fail2ban(self):
        self.env.ctl("admin", "add", "victim", "--role", "superadmin", stdin="V1ctim-Passw0rd-long")
        c = Client(self.env)
        for _ in range(3):
            r = c.login("victim", "wrong")
            self.assertEqual(r.status, 200)
            self.assertIn("login-error", r.text)
        r = c.login("victim", "V1ctim-Passw0rd-long")  # right, but throttled now
        self.assertEqual(r.status, 429)
        log = self.env.read_log()
        self.assertRegex(log, r"boxwarden-web: login failed from 127\.0\.0\.1 for admin 'victim'\n")
        self.assertIn("(throttled: too many failures of this account)", log)
        # The fail2ban filter matches the line.
        with open(self.env.__class__.__module__ and __import__("os").path.join(
                __import__("webharness").SRC, "web/share/fail2ban/boxwarden-web.conf")) as f:
            regex = re.search(r"failregex = (.*)", f.read()).group(1)
        line = [l for l in log.splitlines() if "login failed" in l][0]
        self.assertRegex(line, regex.replace("<HOST>", r"(?P<host>\S+)"))

    def test_password_show_is_audited_without_the_password(self):
        self.env.ctl("password", "generate", "info@example.de")
        c = self.admin()
        token = c.csrf("/mailbox/%d" % self.info)
        r = c.post("/mailbox/%d/show-password" % self.info, {"csrf": token, "admin_password": "wrong"})
        self.assertEqual(r.status, 403)
        self.assertNotIn('id="the-password"', r.text)
        r = c.post("/mailbox/%d/show-password" % self.info, {"csrf": token, "admin_password": ADMIN_PASSWORD})
        self.assertEqual(r.status, 200)
        self.assertEqual(r.getheader("Cache-Control"), "no-store")
        password = re.search(r'<code id="the-password">([^<]+)</code>', r.text).group(1)
        shown = self.env.ctl("password", "show", "info@example.de", "--force", "--json")
        self.assertIn(password, shown)
        rows = self.env.sql("SELECT admin_login, client_address, action, object, detail FROM web_audit WHERE action LIKE 'password%'")
        self.assertIn(["root-admin", "127.0.0.1", "password shown", "info@example.de", ""], rows)
        self.assertIn(["root-admin", "127.0.0.1", "password show refused", "info@example.de", "wrong admin password"], rows)
        for row in self.env.sql("SELECT * FROM web_audit"):
            self.assertNotIn(password, "\t".join(row))
        # The audit log is not rewritable by a plain edit.
        import subprocess
        with self.assertRaises(subprocess.CalledProcessError):
            self.env.sql("UPDATE web_audit SET detail = 'x'")
        with self.assertRaises(subprocess.CalledProcessError):
            self.env.sql("INSERT INTO web_audit (occurred_at, admin_login, client_address, action, object) VALUES (NOW(), 'a', 'b', 'c', 'd')")


    # ---- TOTP second factor -----------------------------------------------------

    def second_step(self, client, login):
        """Password step of an admin with TOTP: returns the pending session's CSRF token."""
        token = client.csrf("/login")
        before = client.cookies["bw_session"]
        r = client.post("/login", {"csrf": token, "login": login, "password": TOTP_ADMIN_PASSWORD})
        self.assertEqual(r.status, 303, r.text)
        self.assertEqual(r.getheader("Location"), "/login/totp")
        self.assertNotEqual(client.cookies["bw_session"], before)
        return client.csrf("/login/totp")

    def test_totp_login_with_a_computed_code_and_a_replayed_code_is_refused(self):
        enrolment = enable_totp(self.env, "totp-admin")
        secret = enrolment["secret"]
        self.assertEqual(len(enrolment["recovery_codes"]), 10)
        self.assertEqual(enrolment["otpauth_uri"],
                         "otpauth://totp/boxwarden:totp-admin?secret=%s&issuer=boxwarden"
                         "&algorithm=SHA1&digits=6&period=30" % secret)
        # Stored sealed: neither the base32 nor the raw secret is in the row.
        raw = base64.b32decode(secret + "=" * (-len(secret) % 8)).hex().upper()
        row = self.env.sql("SELECT HEX(secret_enc), LENGTH(secret_enc), enabled FROM web_admin_totp t "
                           "JOIN web_admin a ON a.id = t.admin_id WHERE a.login = 'totp-admin'")[0]
        self.assertNotIn(raw, row[0])
        self.assertNotIn(base64.b16encode(secret.encode()).decode(), row[0])
        self.assertEqual(row[1:], ["49", "1"])

        c = Client(self.env)
        token = self.second_step(c, "totp-admin")
        half = c.cookies["bw_session"]
        # A wrong code is refused, counted and logged for fail2ban.
        r = c.post("/login/totp", {"csrf": token, "code": wrong_code(secret)})
        self.assertEqual(r.status, 200)
        self.assertIn("login-error", r.text)
        self.assertIn("login failed from 127.0.0.1 for admin 'totp-admin' (wrong second factor)\n",
                      self.env.read_log())
        self.assertEqual(self.env.sql("SELECT COUNT(*) FROM web_login_failure WHERE login = 'totp-admin'")[0][0], "1")
        # The right code logs in, with a new session id.
        code = totp(secret)
        r = c.post("/login/totp", {"csrf": token, "code": code})
        self.assertEqual(r.status, 303, r.text)
        self.assertEqual(r.getheader("Location"), "/mailboxes")
        self.assertNotEqual(c.cookies["bw_session"], half)
        self.assertEqual(c.get("/mailboxes").status, 200)
        stale = Client(self.env)
        stale.cookies["bw_session"] = half
        self.assertEqual(stale.get("/mailboxes").getheader("Location"), "/login")
        self.assertIn(["login", "totp-admin", "with TOTP"],
                      self.env.sql("SELECT action, admin_login, detail FROM web_audit WHERE admin_login = 'totp-admin'"))
        # The same code again (a second login within its 30 s): replay, refused.
        other = Client(self.env)
        token = self.second_step(other, "totp-admin")
        r = other.post("/login/totp", {"csrf": token, "code": code})
        self.assertEqual(r.status, 200)
        self.assertIn("used already", r.text)
        self.assertEqual(other.get("/mailboxes").getheader("Location"), "/login/totp")
        # A plain SQL edit cannot wind the used step back.
        with self.assertRaises(subprocess.CalledProcessError):
            self.env.sql("UPDATE web_admin_totp SET last_used_step = last_used_step - 1")
        with self.assertRaises(subprocess.CalledProcessError):
            self.env.sql("UPDATE web_admin_totp SET last_used_step = NULL")

    def test_half_logged_in_session_opens_nothing_but_the_second_step(self):
        enable_totp(self.env, "half-admin")
        c = Client(self.env)
        token = self.second_step(c, "half-admin")
        for path in ("/mailboxes", "/mailbox/%d" % self.info, "/settings", "/audit", "/", "/login"):
            r = c.get(path)
            self.assertEqual(r.status, 303, path)
            self.assertEqual(r.getheader("Location"), "/login/totp", path)
        r = c.post("/mailboxes/bulk", {"csrf": token, "action": "deactivate", "id": [str(self.info)]})
        self.assertEqual(r.status, 403)
        r = c.post("/mailbox/%d/vip" % self.info, {"csrf": token, "vip": "1"})
        self.assertEqual(r.status, 403)
        self.assertEqual(self.active(self.info), "1")
        self.assertEqual(self.env.sql("SELECT vip FROM mailbox WHERE id = %d" % self.info)[0][0], "0")
        self.assertNotIn('id="logout"', c.get("/login/totp").text)  # no navigation either
        # Cancelling ends the pending session.
        cookie = c.cookies["bw_session"]
        self.assertEqual(c.post("/logout", {"csrf": token}).status, 303)
        self.assertEqual(self.env.sql("SELECT COUNT(*) FROM web_session s JOIN web_admin a ON a.id = s.admin_id "
                                      "WHERE a.login = 'half-admin'")[0][0], "0")
        again = Client(self.env)
        again.cookies["bw_session"] = cookie
        self.assertEqual(again.get("/login/totp").getheader("Location"), "/login")

    def test_recovery_code_works_once_and_renewal_revokes_the_old_ones(self):
        codes = enable_totp(self.env, "rec-admin")["recovery_codes"]
        c = Client(self.env)
        token = self.second_step(c, "rec-admin")
        r = c.post("/login/totp", {"csrf": token, "code": codes[0].upper()})  # case does not matter
        self.assertEqual(r.status, 303, r.text)
        self.assertEqual(c.get("/mailboxes").status, 200)
        self.assertIn(["login", "with a recovery code (9 left)"],
                      self.env.sql("SELECT action, detail FROM web_audit WHERE admin_login = 'rec-admin'"))
        again = Client(self.env)
        token = self.second_step(again, "rec-admin")
        r = again.post("/login/totp", {"csrf": token, "code": codes[0]})
        self.assertEqual(r.status, 200)
        self.assertIn("login-error", r.text)
        # Only hashes are stored, and a used code cannot be made unused.
        for h, in self.env.sql("SELECT HEX(code_hash) FROM web_admin_recovery_code r JOIN web_admin a "
                               "ON a.id = r.admin_id WHERE a.login = 'rec-admin'"):
            self.assertEqual(len(h), 64)
        dump = "\n".join("\t".join(r) for r in self.env.sql(
            "SELECT id, admin_id, HEX(code_hash), created_at, used_at, revoked_at FROM web_admin_recovery_code"))
        for code in codes:
            self.assertNotIn(code.replace("-", "").upper(), dump.upper())
            self.assertNotIn(code.replace("-", "").upper().encode().hex().upper(), dump.upper())
        for statement in ("UPDATE web_admin_recovery_code SET used_at = NULL WHERE used_at IS NOT NULL",
                          "DELETE FROM web_admin_recovery_code WHERE used_at IS NOT NULL"):
            with self.assertRaises(subprocess.CalledProcessError, msg=statement):
                self.env.sql(statement)
        # New codes: the old unused ones stop working.
        fresh = json.loads(self.env.ctl("admin", "totp", "recovery", "rec-admin", "--json"))["recovery_codes"]
        self.assertEqual(len(fresh), 10)
        self.assertEqual(self.env.sql("SELECT COUNT(*) FROM web_admin_recovery_code r JOIN web_admin a ON "
                                      "a.id = r.admin_id WHERE a.login = 'rec-admin' AND used_at IS NULL "
                                      "AND revoked_at IS NULL")[0][0], "10")
        c3 = Client(self.env)
        token = self.second_step(c3, "rec-admin")
        self.assertEqual(c3.post("/login/totp", {"csrf": token, "code": fresh[3]}).status, 303)

    def test_totp_cli_refusals_and_disable(self):
        enable_totp(self.env, "cli-admin")
        self.assertEqual(ctl_exit(self.env, "admin", "totp", "enable", "cli-admin"), 1)
        self.assertEqual(ctl_exit(self.env, "admin", "totp", "enable", "nobody"), 1)
        self.assertEqual(ctl_exit(self.env, "admin", "totp", "enable"), 2)
        self.assertEqual(ctl_exit(self.env, "admin", "totp", "disable", "cli-admin"), 0)
        self.assertEqual(ctl_exit(self.env, "admin", "totp", "disable", "cli-admin"), 1)
        self.assertEqual(ctl_exit(self.env, "admin", "totp", "recovery", "cli-admin"), 1)
        # Without TOTP the password alone logs in again.
        r = Client(self.env).login("cli-admin", TOTP_ADMIN_PASSWORD)
        self.assertEqual(r.getheader("Location"), "/mailboxes")
        # Removing the admin takes the kept recovery-code rows with it.
        admin_id = self.env.sql("SELECT id FROM web_admin WHERE login = 'cli-admin'")[0][0]
        count = "SELECT COUNT(*) FROM web_admin_recovery_code WHERE admin_id = %s" % admin_id
        self.assertEqual(self.env.sql(count)[0][0], "10")
        self.env.ctl("admin", "remove", "cli-admin")
        self.assertEqual(self.env.sql(count)[0][0], "0")

    # ---- X-Forwarded-For ---------------------------------------------------------

    def test_x_forwarded_for_is_ignored_from_an_untrusted_peer(self):
        self.env.ctl("admin", "add", "xff-admin", "--role", "superadmin", stdin=TOTP_ADMIN_PASSWORD)
        c = Client(self.env, headers={"X-Forwarded-For": "198.51.100.77"})
        self.assertEqual(c.login("xff-admin", "wrong").status, 200)
        log = self.env.read_log()
        self.assertIn("login failed from 127.0.0.1 for admin 'xff-admin'\n", log)
        self.assertNotIn("198.51.100.77", log)
        self.assertEqual(self.env.sql("SELECT client_address FROM web_login_failure WHERE login = 'xff-admin'"),
                         [["127.0.0.1"]])

    def test_x_forwarded_for_last_hop_is_honoured_from_a_trusted_proxy(self):
        self.env.ctl("admin", "add", "proxied-admin", "--role", "superadmin", stdin=TOTP_ADMIN_PASSWORD)
        # What nginx sends for a client that wrote its own header: theirs, then the real one.
        proxy = Client(self.env, source="127.0.0.2",
                       headers={"X-Forwarded-For": "10.9.9.9, 198.51.100.78"})
        self.assertEqual(proxy.login("proxied-admin", "wrong").status, 200)
        self.assertIn("login failed from 198.51.100.78 for admin 'proxied-admin'\n", self.env.read_log())
        self.assertEqual(self.env.sql("SELECT client_address FROM web_login_failure WHERE login = 'proxied-admin'"),
                         [["198.51.100.78"]])
        self.assertEqual(proxy.login("proxied-admin", TOTP_ADMIN_PASSWORD).status, 303)
        self.assertEqual(self.env.sql("SELECT client_address FROM web_audit WHERE admin_login = 'proxied-admin' "
                                      "AND action = 'login'"), [["198.51.100.78"]])


class ClientSetupAndSettingsOtherHttpTest(unittest.TestCase):
    """The detail view's client set-up downloads and Settings » Other
    (domains, users), on a database of their own."""

    @classmethod
    def setUpClass(cls):
        cls.env = WebEnv("http-screens")
        cls.env.basic_data()
        cls.env.start()
        cls.info = cls.env.mailbox_id("info@example.de")
        cls.sales = cls.env.mailbox_id("sales@other.de")
        cls.env.sql("UPDATE mailbox SET email_name = 'M\u00fcller & <S\u00f6hne> \U0001F680' "
                    "WHERE id = %d" % cls.info)

    @classmethod
    def tearDownClass(cls):
        cls.env.stop()

    def client(self, login="root-admin", password=ADMIN_PASSWORD):
        c = Client(self.env)
        self.assertEqual(c.login(login, password).status, 303)
        return c

    def download(self, c, mailbox_id, name):
        r = c.get("/mailbox/%d/setup/%s" % (mailbox_id, name))
        return r, r.text

    def test_detail_view_links_the_three_downloads(self):
        r = self.client().get("/mailbox/%d" % self.info)
        self.assertEqual(r.status, 200)
        for name in ("autoconfig.xml", "autodiscover.xml", "boxwarden.mobileconfig"):
            self.assertIn('href="/mailbox/%d/setup/%s"' % (self.info, name), r.text)

    def test_downloads_parse_and_carry_the_mailbox_address(self):
        import plistlib
        import xml.etree.ElementTree as ET
        c = self.client()
        audited = self.env.sql("SELECT COUNT(*) FROM web_audit")[0][0]
        r, body = self.download(c, self.info, "autoconfig.xml")
        self.assertEqual(r.status, 200, body)
        self.assertEqual(r.getheader("Content-Type"), "text/xml; charset=utf-8")
        self.assertEqual(r.getheader("Content-Disposition"), 'attachment; filename="autoconfig.xml"')
        self.assertEqual(r.getheader("Cache-Control"), "no-store")
        root = ET.fromstring(body.encode())
        self.assertEqual(root.tag, "clientConfig")
        self.assertEqual(root.find("emailProvider/domain").text, "example.de")
        self.assertEqual(root.find("emailProvider/incomingServer/hostname").text, "imap.example.de")
        self.assertEqual(root.find("emailProvider/incomingServer/username").text, "%EMAILADDRESS%")

        r, body = self.download(c, self.info, "autodiscover.xml")
        self.assertEqual(r.status, 200, body)
        self.assertEqual(r.getheader("Content-Type"), "text/xml; charset=utf-8")
        self.assertIn("attachment", r.getheader("Content-Disposition"))
        ns = {"o": "http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a"}
        root = ET.fromstring(body.encode())
        logins = [e.text for e in root.findall(".//o:Protocol/o:LoginName", ns)]
        self.assertEqual(logins, ["info@example.de"] * 3)  # IMAP, POP3, SMTP

        r, body = self.download(c, self.info, "boxwarden.mobileconfig")
        self.assertEqual(r.status, 200, body)
        self.assertEqual(r.getheader("Content-Type"), "application/x-apple-aspen-config")
        self.assertEqual(r.getheader("Content-Disposition"),
                         'attachment; filename="boxwarden.mobileconfig"')
        profile = plistlib.loads(body.encode())
        self.assertEqual(profile["PayloadType"], "Configuration")
        mail = profile["PayloadContent"][0]
        self.assertEqual(mail["PayloadType"], "com.apple.mail.managed")
        self.assertEqual(mail["EmailAddress"], "info@example.de")
        self.assertEqual(mail["IncomingMailServerUsername"], "info@example.de")
        self.assertEqual(mail["EmailAccountName"], "M\u00fcller & <S\u00f6hne> \U0001F680")
        self.assertEqual(mail["IncomingMailServerHostName"], "imap.example.de")
        self.assertNotIn("IncomingPassword", mail)
        # The same bytes as boxwardenctl prints (one implementation).
        cli = self.env.ctl("autoconfig", "example.de", "--format", "mobileconfig",
                           "--email", "info@example.de")
        self.assertEqual(cli, body)
        # Downloads are GETs that change nothing and write no audit row.
        self.assertEqual(self.env.sql("SELECT COUNT(*) FROM web_audit")[0][0], audited)

    def test_downloads_are_domain_scoped(self):
        c = self.client("dom-admin", DOMAIN_ADMIN_PASSWORD)
        for name in ("autoconfig.xml", "autodiscover.xml", "boxwarden.mobileconfig"):
            r, body = self.download(c, self.sales, name)  # an id of other.de, edited by hand
            self.assertEqual(r.status, 403, name)
            self.assertNotIn("sales@other.de", body)
            r, body = self.download(c, self.info, name)
            self.assertEqual(r.status, 200, name)
        self.assertEqual(self.download(c, self.info, "other.txt")[0].status, 404)
        self.assertEqual(self.download(c, 999999, "autoconfig.xml")[0].status, 404)
        anonymous = Client(self.env)
        self.assertEqual(anonymous.get("/mailbox/%d/setup/autoconfig.xml" % self.info).status, 303)

    def test_settings_lists_domains_and_users(self):
        r = self.client().get("/settings")
        self.assertEqual(r.status, 200)
        for text in ('id="domain-list"', "example.de", "other.de", 'id="user-list"',
                     'data-login="anna"', 'value="Anna Beispiel"', 'data-login="bert"'):
            self.assertIn(text, r.text)

    def test_add_domain_and_the_databases_refusal(self):
        c = self.client()
        token = c.csrf("/settings")
        r = c.post("/settings/domain-add", {"csrf": token, "domain": " New-Domain.DE "})
        self.assertEqual(r.status, 303, r.text)
        self.assertEqual(self.env.sql("SELECT COUNT(*) FROM domain WHERE name = 'new-domain.de'")[0][0], "1")
        self.assertIn(["root-admin", "domain added", "new-domain.de"],
                      self.env.sql("SELECT admin_login, action, object FROM web_audit"))
        self.assertIn("new-domain.de", c.get("/settings").text)
        # A bad name: the trigger's own words (the same as `boxwardenctl domain add`).
        r = c.post("/settings/domain-add", {"csrf": token, "domain": "no_underscores.de"})
        self.assertEqual(r.status, 422)
        cli = subprocess.run([CTL, "--config", self.env.config, "domain", "add", "no_underscores.de"],
                             capture_output=True, text=True)
        self.assertEqual(cli.returncode, 1)
        prefix = "boxwardenctl: refused: "
        self.assertTrue(cli.stderr.startswith(prefix), cli.stderr)
        reason = cli.stderr[len(prefix):].strip()
        self.assertIn("domain 'no_underscores.de' refused: ", reason)
        self.assertIn(reason, html.unescape(r.text))
        self.assertIn('id="domain-error"', r.text)
        self.assertEqual(self.env.sql("SELECT COUNT(*) FROM domain WHERE name LIKE 'no%'")[0][0], "0")
        # Removing a domain that has mailboxes is refused by the database, too.
        r = c.post("/settings/domain-remove", {"csrf": token, "domain": "example.de"})
        self.assertEqual(r.status, 422)
        self.assertIn("cannot be deleted: it still has 1 mailboxes", r.text)
        r = c.post("/settings/domain-remove", {"csrf": token, "domain": "new-domain.de"})
        self.assertEqual(r.status, 303)
        self.assertEqual(self.env.sql("SELECT COUNT(*) FROM domain WHERE name = 'new-domain.de'")[0][0], "0")

    def test_display_name_and_activity_access_edits(self):
        c = self.client()
        token = c.csrf("/settings")
        r = c.post("/settings/user-display-name",
                   {"csrf": token, "login": "bert", "display_name": "Bert B\u00e4cker"})
        self.assertEqual(r.status, 303, r.text)
        self.assertEqual(self.env.sql("SELECT display_name FROM user_account WHERE login = 'bert'")[0][0],
                         "Bert B\u00e4cker")
        self.assertIn(["display name set", "bert", "Bert B\u00e4cker"],
                      self.env.sql("SELECT action, object, detail FROM web_audit"))
        # The display-text rule, as in the CLI: nothing changes.
        r = c.post("/settings/user-display-name",
                   {"csrf": token, "login": "bert", "display_name": "Line\r\nBreak"})
        self.assertEqual(r.status, 422)
        self.assertIn("the display name refused: it contains a control character", r.text)
        self.assertIn('id="user-error"', r.text)
        self.assertEqual(self.env.sql("SELECT display_name FROM user_account WHERE login = 'bert'")[0][0],
                         "Bert B\u00e4cker")
        r = c.post("/settings/user-display-name",
                   {"csrf": token, "login": "nobody", "display_name": "X"})
        self.assertEqual(r.status, 422)
        self.assertIn("user 'nobody' does not exist", html.unescape(r.text))
        # Activity access: the box ticked = on, absent = off.
        r = c.post("/settings/user-activity-access", {"csrf": token, "login": "bert", "activity_access": "1"})
        self.assertEqual(r.status, 303)
        self.assertEqual(self.env.sql("SELECT activity_access FROM user_account WHERE login = 'bert'")[0][0], "1")
        r = c.post("/settings/user-activity-access", {"csrf": token, "login": "bert"})
        self.assertEqual(self.env.sql("SELECT activity_access FROM user_account WHERE login = 'bert'")[0][0], "0")
        actions = [row[0] for row in self.env.sql("SELECT action FROM web_audit WHERE object = 'bert' ORDER BY id")]
        self.assertEqual(actions[-2:], ["activity access on", "activity access off"])

    def test_domain_admin_gets_403_and_no_csrf_changes_nothing(self):
        before = self.env.sql("SELECT (SELECT COUNT(*) FROM domain), "
                              "(SELECT display_name FROM user_account WHERE login = 'anna'), "
                              "(SELECT COUNT(*) FROM web_audit WHERE action NOT IN ('login', 'logout'))")
        d = self.client("dom-admin", DOMAIN_ADMIN_PASSWORD)
        token = d.csrf("/mailboxes")
        self.assertEqual(d.get("/settings").status, 403)
        for action, form in (("domain-add", {"domain": "evil.de"}),
                             ("domain-remove", {"domain": "other.de"}),
                             ("user-display-name", {"login": "anna", "display_name": "Evil"}),
                             ("user-activity-access", {"login": "anna"})):
            r = d.post("/settings/" + action, dict(form, csrf=token))
            self.assertEqual(r.status, 403, action)
        c = self.client()
        for form in ({}, {"csrf": "0" * 64}):
            r = c.post("/settings/domain-add", dict(form, domain="evil.de"))
            self.assertEqual(r.status, 403)
            r = c.post("/settings/user-display-name", dict(form, login="anna", display_name="Evil"))
            self.assertEqual(r.status, 403)
        after = self.env.sql("SELECT (SELECT COUNT(*) FROM domain), "
                             "(SELECT display_name FROM user_account WHERE login = 'anna'), "
                             "(SELECT COUNT(*) FROM web_audit WHERE action NOT IN ('login', 'logout'))")
        self.assertEqual(before, after)
        self.assertEqual(after[0][1], "Anna Beispiel")
        # An unknown action is 404 (for a superadmin with the right token).
        token = c.csrf("/settings")
        self.assertEqual(c.post("/settings/drop-everything", {"csrf": token}).status, 404)


class WebRequiredTotpTest(unittest.TestCase):
    """web_require_totp = on: an admin without TOTP enrols before anything else."""

    @classmethod
    def setUpClass(cls):
        cls.env = WebEnv("http-require-totp", {"web_require_totp": "on"})
        cls.env.ctl("domain", "add", "example.de")
        cls.env.ctl("mailbox", "create", "info@example.de")
        cls.env.ctl("admin", "add", "new-admin", "--role", "superadmin", stdin=TOTP_ADMIN_PASSWORD)
        cls.env.start()

    @classmethod
    def tearDownClass(cls):
        cls.env.stop()

    def test_enrolment_comes_first_and_then_totp_is_required(self):
        c = Client(self.env)
        r = c.login("new-admin", TOTP_ADMIN_PASSWORD)
        self.assertEqual(r.status, 303, r.text)
        self.assertEqual(r.getheader("Location"), "/login/enrol")
        for path in ("/mailboxes", "/login/totp", "/audit"):
            self.assertEqual(c.get(path).getheader("Location"), "/login/enrol", path)
        page = c.get("/login/enrol")
        self.assertEqual(page.status, 200)
        self.assertEqual(page.getheader("Cache-Control"), "no-store")
        secret = re.search(r'<code id="totp-secret">([A-Z2-7]+)</code>', page.text).group(1)
        self.assertIn("otpauth://totp/boxwarden:new-admin?secret=%s&amp;issuer=boxwarden" % secret, page.text)
        # Not enabled until confirmed, and stored sealed.
        self.assertEqual(self.env.sql("SELECT enabled, LENGTH(secret_enc) FROM web_admin_totp")[0], ["0", "49"])
        token = c.csrf("/login/enrol")
        r = c.post("/login/enrol", {"csrf": token, "code": wrong_code(secret)})
        self.assertEqual(r.status, 200)
        self.assertIn("login-error", r.text)
        self.assertIn("login failed from 127.0.0.1 for admin 'new-admin' (wrong second factor)", self.env.read_log())
        half = c.cookies["bw_session"]
        r = c.post("/login/enrol", {"csrf": token, "code": totp(secret)})
        self.assertEqual(r.status, 200, r.text)
        codes = re.findall(r"<li><code>([a-z2-7-]+)</code></li>", r.text)
        self.assertEqual(len(codes), 10)
        self.assertNotEqual(c.cookies["bw_session"], half)
        self.assertEqual(c.get("/mailboxes").status, 200)
        self.assertEqual(self.env.sql("SELECT enabled FROM web_admin_totp")[0][0], "1")
        self.assertEqual(self.env.sql("SELECT action FROM web_audit WHERE admin_login = 'new-admin' ORDER BY id"),
                         [["totp enabled"], ["login"]])
        # The next login asks for a code (the enrolment's step is used: next step or a recovery code).
        c2 = Client(self.env)
        r = c2.login("new-admin", TOTP_ADMIN_PASSWORD)
        self.assertEqual(r.getheader("Location"), "/login/totp")
        token = c2.csrf("/login/totp")
        self.assertEqual(c2.post("/login/totp", {"csrf": token, "code": codes[0]}).status, 303)
        self.assertEqual(c2.get("/mailboxes").status, 200)


if __name__ == "__main__":
    unittest.main(verbosity=2)
