"""Browser tests of boxwarden-web in headless Chromium (Debian's chromium,
chromium-driver, python3-selenium): log in, create a mailbox (and be refused
under an unknown domain), untick "active" and see policyd answer 5.2.1, set
an email name with umlauts and emoji, show the password, generate a new one,
send access data, assign/remove a user, toggle the Cc/Bcc setting, add a
domain and edit a user in Settings » Other, the client set-up links, log in
with a TOTP code. Every step saves a screenshot under the build tree."""
import email
import email.policy
import glob
import json
import os
import shutil
import socket
import subprocess
import time
import unittest

from selenium import webdriver
from selenium.common.exceptions import StaleElementReferenceException, WebDriverException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select, WebDriverWait

from webharness import ADMIN_PASSWORD, BASE, POLICYD, SOCK, WebEnv, totp, wait_until

SHOTS = os.path.join(BASE, "screenshots")


def policy_query(path, recipient):
    """One Postfix policy request at RCPT; returns the action."""
    s = socket.socket(socket.AF_UNIX)
    s.settimeout(10)
    s.connect(path)
    s.sendall(("request=smtpd_access_policy\nprotocol_state=RCPT\nprotocol_name=ESMTP\n"
               "client_address=127.0.0.1\nclient_name=localhost\nhelo_name=test\nqueue_id=\n"
               "instance=1.2.3.4\nsender=someone@example.org\nrecipient=%s\n\n" % recipient).encode())
    data = b""
    while not data.endswith(b"\n\n"):
        chunk = s.recv(4096)
        if not chunk:
            break
        data += chunk
    s.close()
    for line in data.decode().splitlines():
        if line.startswith("action="):
            return line[len("action="):]
    return ""


class Policyd:
    def __init__(self, env):
        self.dir = os.path.join(env.dir, "policyd")
        os.makedirs(self.dir)
        self.socket = os.path.join(self.dir, "policy.sock")
        conf = os.path.join(self.dir, "policyd.conf")
        with open(conf, "w") as f:
            f.write("db_socket = %s\ndb_name = %s\ndb_user = root\n" % (SOCK, env.db))
            f.write("policy_listen = unix:%s\nquery_socket = %s/query.sock\n" % (self.socket, self.dir))
            f.write("spool_dir = %s/spool\nrun_user =\npolicy_socket_group =\nquery_socket_group =\n" % self.dir)
            f.write("policy_allowed_users = *\nquery_allowed_users = *\nrefresh_interval = 100ms\n")
        self.log = open(os.path.join(self.dir, "policyd.log"), "wb")
        self.proc = subprocess.Popen([POLICYD, "--config", conf, "--foreground"], stdout=self.log,
                                     stderr=subprocess.STDOUT)
        assert wait_until(lambda: os.path.exists(self.socket)), "policyd did not start"

    def stop(self):
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.log.close()


def page_replaced(old):
    """True once the element `old` belongs to a page that was replaced.

    Chromium answers a query on a node of a document being torn down either
    with "stale element reference" or, mid-navigation, with "Node with given
    id does not belong to the document"; both mean the old page is gone.
    """
    try:
        old.is_enabled()
        return False
    except StaleElementReferenceException:
        return True
    except WebDriverException as e:
        if "does not belong to the document" in str(e):
            return True
        raise


class WebBrowserTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        shutil.rmtree(SHOTS, ignore_errors=True)
        os.makedirs(SHOTS)
        cls.env = WebEnv("browser")
        cls.env.basic_data()
        cls.env.start()
        cls.policyd = Policyd(cls.env)
        opts = webdriver.ChromeOptions()
        opts.binary_location = "/usr/bin/chromium"
        for a in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage",
                  "--window-size=1280,1000", "--lang=en-US"):
            opts.add_argument(a)
        cls.driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=opts)
        cls.driver.implicitly_wait(5)

    @classmethod
    def tearDownClass(cls):
        cls.driver.quit()
        cls.policyd.stop()
        cls.env.stop()

    def shot(self, name):
        self.driver.save_screenshot(os.path.join(SHOTS, name + ".png"))

    def open(self, path):
        self.driver.get(self.env.url(path))

    def submit(self, css, confirm=False):
        """Clicks a button that loads a new page and waits for it."""
        old = self.driver.find_element(By.TAG_NAME, "html")
        self.find(css).click()
        if confirm:
            self.driver.switch_to.alert.accept()
        WebDriverWait(self.driver, 10).until(lambda d: page_replaced(old))

    def find(self, css):
        return self.driver.find_element(By.CSS_SELECTOR, css)

    def login(self):
        self.open("/login")
        if "/login" not in self.driver.current_url:
            return
        self.find("#login").send_keys("root-admin")
        self.find("#password").send_keys(ADMIN_PASSWORD)
        self.shot("01-login")
        self.submit("#login-submit")
        self.assertIn("/mailboxes", self.driver.current_url)

    def test_1_create_mailbox_and_refusal_under_unknown_domain(self):
        self.login()
        self.shot("02-mailbox-list")
        self.submit("#create-link")
        self.find("#local_part").send_keys("neu")
        Select(self.find("#domain")).select_by_value("example.de")
        self.submit("#create")
        self.assertEqual(self.find("#mailbox-address").text, "neu@example.de")
        self.shot("03-created")
        # A domain that does not exist (the picker offers none; the request is edited).
        self.open("/mailboxes/new")
        self.driver.execute_script(
            "var o = document.createElement('option'); o.value = 'nowhere.example'; "
            "o.text = 'nowhere'; var s = document.getElementById('domain'); s.add(o); s.value = o.value;")
        self.find("#local_part").send_keys("x")
        self.submit("#create")
        err = self.find("#create-error").text
        self.assertIn("nowhere.example", err)
        self.assertIn("does not exist", err)
        self.shot("04-create-refused")
        self.assertEqual(self.env.sql("SELECT COUNT(*) FROM mailbox WHERE address = 'x@nowhere.example'")[0][0], "0")

    def test_2_untick_active_and_policyd_answers_521(self):
        self.login()
        mid = self.env.mailbox_id("info@example.de")
        self.assertTrue(wait_until(lambda: policy_query(self.policyd.socket, "info@example.de") == "DUNNO"),
                        policy_query(self.policyd.socket, "info@example.de"))
        self.open("/mailbox/%d" % mid)
        box = self.find("#active")
        self.assertTrue(box.is_selected())
        box.click()
        self.submit("#save-active")
        self.assertFalse(self.find("#active").is_selected())
        self.assertIn("5.2.1", self.find("#delivery").text)
        self.shot("05-deactivated")
        self.assertTrue(wait_until(
            lambda: policy_query(self.policyd.socket, "info@example.de").startswith("550 5.2.1"), 15),
            policy_query(self.policyd.socket, "info@example.de"))
        self.find("#active").click()
        self.submit("#save-active")
        self.assertTrue(wait_until(lambda: policy_query(self.policyd.socket, "info@example.de") == "DUNNO", 15))

    def test_3_email_name_with_umlauts_and_emoji_and_assignments(self):
        self.login()
        mid = self.env.mailbox_id("info@example.de")
        self.open("/mailbox/%d" % mid)
        name = "Jürgen Müßig \U0001F600"
        field = self.find("#email_name")
        field.clear()
        # ChromeDriver cannot type characters outside the BMP: set the value directly.
        self.driver.execute_script("arguments[0].value = arguments[1];", field, name)
        self.submit("#save-email-name")
        self.assertEqual(self.find("#email_name").get_attribute("value"), name)
        self.assertEqual(self.env.sql("SELECT email_name FROM mailbox WHERE id = %d" % mid)[0][0], name)
        Select(self.find("#assign-login")).select_by_visible_text("anna")
        self.submit("#assign")
        self.assertIn("anna", self.find("#assigned-users").text)
        self.shot("06-email-name-assigned")
        self.submit("#assigned-users .unassign", confirm=True)
        self.assertNotIn("anna", self.find("#assigned-users").text)
        self.assertIn("anna", self.find("#assignment-history").text)
        # Out-of-office note; an end before the start is refused next to the field.
        self.find("#ooo-enabled").click()
        self.find("#ooo-subject").send_keys("Urlaub")
        self.find("#ooo-body").send_keys("Bin bis Montag weg.")
        self.find("#ooo-start").send_keys("2026-12-24 08:00")
        self.find("#ooo-end").send_keys("2026-12-20 08:00")
        self.submit("#save-ooo")
        self.assertTrue(self.find("#ooo-error").text)
        self.assertEqual(self.env.sql("SELECT ooo_enabled FROM mailbox WHERE id = %d" % mid)[0][0], "0")
        # The refused form shows the stored values again: fill it in anew.
        self.find("#ooo-enabled").click()
        self.find("#ooo-subject").send_keys("Urlaub")
        self.find("#ooo-body").send_keys("Bin bis Montag weg.")
        self.find("#ooo-start").send_keys("2026-12-24 08:00")
        self.find("#ooo-end").send_keys("2027-01-02 08:00")
        self.submit("#save-ooo")
        self.assertEqual(self.env.sql("SELECT ooo_enabled, ooo_subject, ooo_end FROM mailbox WHERE id = %d" % mid)[0],
                         ["1", "Urlaub", "2027-01-02 08:00:00.000000"])
        self.shot("06b-out-of-office")

    def test_4_generate_show_password_and_send_access_data(self):
        self.login()
        mid = self.env.mailbox_id("info@example.de")
        self.open("/mailbox/%d" % mid)
        self.submit("#generate-password", confirm=True)
        generated = self.find("#the-password").text
        self.assertGreaterEqual(len(generated), 20)
        self.shot("07-generated")
        self.submit("#back")
        self.find("#admin-password").send_keys(ADMIN_PASSWORD)
        self.submit("#show-password")
        self.assertEqual(self.find("#the-password").text, generated)
        self.shot("08-shown")
        self.submit("#back")
        self.find("#access-to").send_keys("kunde@example.org")
        Select(self.find("#access-lang")).select_by_value("de")
        self.find("#access-with-password").click()
        self.submit("#send-access-data")
        self.assertTrue(wait_until(lambda: glob.glob(os.path.join(self.env.mail_dir, "*.eml")), 5))
        with open(glob.glob(os.path.join(self.env.mail_dir, "*.eml"))[0], "rb") as f:
            message = email.message_from_bytes(f.read(), policy=email.policy.default)
        with open(glob.glob(os.path.join(self.env.mail_dir, "*.args"))[0]) as f:
            args = f.read()
        self.assertIn("-f info@example.de -- kunde@example.org", args)
        self.assertEqual(message["To"].addresses[0].addr_spec, "kunde@example.org")
        self.assertEqual(message["From"].addresses[0].display_name, "J\u00fcrgen M\u00fc\u00dfig \U0001F600")
        body = message.get_content()
        self.assertIn("imap.example.de", body)
        self.assertIn("Benutzername:      info@example.de", body)  # German, as chosen
        self.assertIn(generated, body)
        rows = self.env.sql("SELECT action FROM web_audit WHERE object = 'info@example.de'")
        self.assertIn(["password generated"], rows)
        self.assertIn(["password shown"], rows)
        self.assertIn(["access data sent"], rows)

    def test_5_cc_bcc_setting_and_german(self):
        self.login()
        self.open("/settings")
        box = self.find("#cc-bcc")
        before = box.is_selected()
        box.click()
        self.submit("#save-settings")
        self.assertEqual(self.find("#cc-bcc").is_selected(), not before)
        self.assertEqual(self.env.sql("SELECT value FROM setting WHERE name = 'vip_unprotected_cc_bcc'")[0][0],
                         "0" if before else "1")
        self.submit("#lang-de")
        self.assertIn("Einstellungen", self.driver.page_source)
        self.shot("09-settings-de")
        self.submit("#lang-en")

    def test_5b_settings_other_domains_users_and_client_setup_links(self):
        self.login()
        self.open("/settings")
        self.find("#new-domain").send_keys("neue-domain.de")
        self.submit("#add-domain")
        self.assertIn("neue-domain.de", self.find("#domain-list").text)
        self.find("#new-domain").send_keys("bad_domain.de")
        self.submit("#add-domain")
        self.assertIn("domain 'bad_domain.de' refused", self.find("#domain-error").text)
        self.assertEqual(self.find("#new-domain").get_attribute("value"), "bad_domain.de")
        field = self.find('tr[data-login="bert"] .display-name')
        field.clear()
        field.send_keys("Bert B\u00e4cker")
        self.submit('tr[data-login="bert"] .save-display-name')
        self.assertEqual(self.find('tr[data-login="bert"] .display-name').get_attribute("value"),
                         "Bert B\u00e4cker")
        box = self.find('tr[data-login="bert"] .activity-access')
        self.assertFalse(box.is_selected())
        box.click()
        self.submit('tr[data-login="bert"] .save-activity-access')
        self.assertTrue(self.find('tr[data-login="bert"] .activity-access').is_selected())
        self.assertEqual(self.env.sql("SELECT display_name, activity_access FROM user_account "
                                      "WHERE login = 'bert'")[0], ["Bert B\u00e4cker", "1"])
        self.shot("09b-settings-other")
        mid = self.env.mailbox_id("info@example.de")
        self.open("/mailbox/%d" % mid)
        self.assertTrue(self.find("#setup-apple").get_attribute("href").endswith(
            "/mailbox/%d/setup/boxwarden.mobileconfig" % mid))
        self.driver.execute_script("document.getElementById('client-setup').scrollIntoView();")
        self.shot("09c-client-setup")

    def test_6_domain_admin_sees_only_their_domain(self):
        self.driver.delete_all_cookies()
        self.open("/login")
        self.find("#login").send_keys("dom-admin")
        self.find("#password").send_keys("D0main-Admin-Passw0rd")
        self.submit("#login-submit")
        text = self.find("#mailbox-list").text
        self.assertIn("info@example.de", text)
        self.assertNotIn("other.de", text)
        self.shot("10-domain-admin")
        self.open("/mailbox/%d" % self.env.mailbox_id("sales@other.de"))
        self.assertIn("403", self.find("h1").text)
        self.driver.delete_all_cookies()

    def test_7_totp_login(self):
        self.driver.delete_all_cookies()
        self.env.ctl("admin", "add", "totp-browser", "--role", "superadmin", stdin=ADMIN_PASSWORD)
        secret = json.loads(self.env.ctl("admin", "totp", "enable", "totp-browser", "--json"))["secret"]
        self.open("/login")
        self.find("#login").send_keys("totp-browser")
        self.find("#password").send_keys(ADMIN_PASSWORD)
        self.submit("#login-submit")
        self.assertTrue(self.driver.current_url.endswith("/login/totp"), self.driver.current_url)
        self.shot("11-totp-code")
        self.find("#code").send_keys(totp(secret))
        self.submit("#code-submit")
        self.assertIn("/mailboxes", self.driver.current_url)
        self.assertIn("totp-browser", self.find("header .who").text)
        self.shot("12-totp-logged-in")
        self.driver.delete_all_cookies()


if __name__ == "__main__":
    unittest.main(verbosity=2)
