"""Every screen and every form of boxwarden-web once, checked by its effect in
the database. Run with BOXWARDEN_WEB_TEST_DB_ROLE=1 (ctest
integration.web.web_role) the daemon connects with only the role of
sql/grants/boxwarden-web-grants.sql, so a statement the role lacks makes
its screen fail here."""
import os
import re
import unittest

from webharness import ADMIN_PASSWORD, Client, WebEnv


class WebScreensTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.env = WebEnv("screens")
        cls.env.basic_data()
        cls.env.start()
        cls.info = cls.env.mailbox_id("info@example.de")

    @classmethod
    def tearDownClass(cls):
        cls.env.stop()

    def one(self, statement):
        return self.env.sql(statement)[0][0]

    def assert_served(self, r, what):
        self.assertIn(r.status, (200, 303), "%s: %d %s" % (what, r.status, r.text[:500]))
        # A refused statement would show up as a 500 and this log line.
        self.assertNotIn("failed:", self.env.read_log(), what)

    def test_every_screen_and_form(self):
        c = Client(self.env)
        r = c.login("root-admin", ADMIN_PASSWORD)
        self.assertEqual(r.status, 303, r.text)
        for path in ["/mailboxes", "/mailboxes?q=in&vip=1&inactive=1&domain=1&after=a",
                     "/mailboxes/new", "/mailbox/%d" % self.info, "/settings",
                     "/activity?user=anna", "/audit", "/static/boxwarden.css"]:
            self.assert_served(c.get(path), path)

        token = c.csrf("/mailboxes/new")
        r = c.post("/mailboxes/new", {"csrf": token, "domain": "example.de", "local_part": "team"})
        self.assert_served(r, "create")
        team = self.env.mailbox_id("team@example.de")
        base = "/mailbox/%d/" % team
        steps = [
            ("active", {}),
            ("active", {"active": "1"}),
            ("email-name", {"email_name": "Das Team"}),
            ("vip", {"vip": "1"}),
            ("ooo", {"enabled": "1", "subject": "Away", "body": "Back soon",
                     "start": "2026-01-01 08:00", "end": "2026-01-02 08:00", "interval": "3"}),
            ("ooo", {}),
            ("assign", {"login": "anna"}),
            ("unassign", {"login": "anna"}),
            ("assign", {"login": "bert"}),
            ("generate-password", {}),
            ("show-password", {"admin_password": ADMIN_PASSWORD}),
            ("access-data", {"to": "anna@remote.test", "language": "de", "with_password": "1"}),
            ("email-name", {"clear": "1"}),
        ]
        for action, form in steps:
            form = dict(form, csrf=token)
            self.assert_served(c.post(base + action, form), action)
        self.assert_served(c.post("/mailboxes/bulk", {"csrf": token, "action": "deactivate",
                                                      "id": [str(team), str(self.info)]}), "bulk")
        self.assert_served(c.post("/settings", {"csrf": token, "cc_bcc": "1", "grace": "30"}),
                           "settings")
        self.assert_served(c.post("/lang", {"csrf": token, "lang": "de"}), "lang")

        self.assertEqual(self.one("SELECT CONCAT(active, vip, ooo_enabled, email_name IS NULL, "
                                  "password_enc IS NOT NULL) FROM mailbox WHERE id = %d" % team),
                         "01011")
        self.assertEqual(self.one("SELECT active FROM mailbox WHERE id = %d" % self.info), "0")
        self.assertEqual(self.one("SELECT GROUP_CONCAT(u.login ORDER BY a.id) FROM "
                                  "mailbox_assignment a JOIN user_account u ON u.id = a.user_id "
                                  "WHERE a.mailbox_id = %d AND a.unassigned_at IS NULL" % team), "bert")
        self.assertEqual(self.one("SELECT GROUP_CONCAT(value ORDER BY name) FROM setting WHERE name "
                                  "IN ('delivery_grace_seconds', 'vip_unprotected_cc_bcc')"), "30,1")
        sent = [f for f in os.listdir(self.env.mail_dir) if f.endswith(".eml")]
        self.assertEqual(len(sent), 1)
        actions = [row[0] for row in self.env.sql("SELECT action FROM web_audit ORDER BY id")]
        for expected in ["login", "mailbox created", "mailbox deactivated", "mailbox activated",
                         "email name set", "vip on", "out-of-office enabled",
                         "out-of-office disabled", "user assigned", "user unassigned",
                         "password generated", "password shown", "access data sent",
                         "email name cleared", "setting changed"]:
            self.assertIn(expected, actions)
        self.assert_served(c.get("/audit"), "audit")

        r = c.post("/logout", {"csrf": token})
        self.assert_served(r, "logout")
        self.assertEqual(c.get("/mailboxes").status, 303)
        self.assertIn("logout", [row[0] for row in self.env.sql("SELECT action FROM web_audit")])
        # A failed login (throttle row) works too.
        r = c.login("root-admin", "wrong")
        self.assertEqual(r.status, 200)
        self.assertEqual(self.one("SELECT COUNT(*) FROM web_login_failure"), "1")
        self.assertTrue(re.search(r"login failed from 127\.0\.0\.1", self.env.read_log()))


if __name__ == "__main__":
    unittest.main(verbosity=2)
