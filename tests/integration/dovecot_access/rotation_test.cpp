// A new password is in force on the very next login, the old one dead at
// once, for IMAP, POP3 and SMTP AUTH: after `boxwardenctl password set` and
// after a plain SQL `UPDATE mailbox SET password_hash = ...` (the shipped
// configuration runs without an auth cache). An open session of the
// rotated mailbox does not let the old password back in.
#include "access_fixture.h"

namespace boxwarden::testing {
namespace {

class Rotation : public DovecotAccess {
  protected:
    void SetUp() override {
        DovecotAccess::SetUp();
        if (IsSkipped() || HasFatalFailure()) return;
        seed();
        start_dovecot();
        start_postfix();
        // Each login works before the change (the control).
        ASSERT_TRUE(imap_login("info@example.test", "InfoPass-1")) << dovecot_log();
        ASSERT_TRUE(pop3_login("info@example.test", "InfoPass-1"));
        ASSERT_TRUE(smtp_auth("info@example.test", "InfoPass-1")) << last_swaks() << dovecot_log();
    }
    void expect_rotated(const std::string& old_password, const std::string& new_password) {
        EXPECT_FALSE(imap_login("info@example.test", old_password));
        EXPECT_FALSE(smtp_auth("info@example.test", old_password));
        EXPECT_FALSE(pop3_login("info@example.test", old_password));
        EXPECT_TRUE(imap_login("info@example.test", new_password)) << dovecot_log();
        EXPECT_TRUE(smtp_auth("info@example.test", new_password)) << last_swaks() << dovecot_log();
        EXPECT_TRUE(pop3_login("info@example.test", new_password));
    }
};

TEST_F(Rotation, APlainSqlUpdateIsInForceOnTheNextLogin) {
    db->execute("UPDATE mailbox SET password_hash = ? WHERE address = 'info@example.test'",
                {hash("ARGON2ID", "InfoPass-2")});
    expect_rotated("InfoPass-1", "InfoPass-2");
}

TEST_F(Rotation, BoxwardenctlPasswordSetIsInForceOnTheNextLogin) {
    auto r = ctl({"password", "set", "info@example.test"}, "Info-Password-3\n");
    ASSERT_TRUE(r.ok()) << r.out << r.err;
    expect_rotated("InfoPass-1", "Info-Password-3");
}

TEST_F(Rotation, AnOpenSessionIsNoWayBackForTheOldPassword) {
    // An IMAP session logged in with the old password stays open (python
    // imaplib holding it) while the password changes in SQL.
    const std::string holder = (dovecot_dir() / "holder.py").string();
    write_text(holder,
               "import imaplib, sys, time\n"
               "m = imaplib.IMAP4('127.0.0.1', " +
                   std::to_string(imap_port()) +
                   ")\n"
                   "m.login('info@example.test', 'InfoPass-1'); m.select('INBOX')\n"
                   "print('open', flush=True); sys.stdin.read(); m.noop(); m.logout()\n",
               0644);
    FILE* p = ::popen(("/usr/bin/python3 " + holder + " > " + holder + ".out").c_str(), "w");
    ASSERT_NE(p, nullptr);
    for (int i = 0; i < 100 && read_text(holder + ".out") != "open\n"; ++i) ::usleep(100000);
    ASSERT_EQ(read_text(holder + ".out"), "open\n") << dovecot_log();
    db->execute("UPDATE mailbox SET password_hash = ? WHERE address = 'info@example.test'",
                {hash("SHA512-CRYPT", "InfoPass-4")});
    EXPECT_FALSE(imap_login("info@example.test", "InfoPass-1"));
    EXPECT_FALSE(smtp_auth("info@example.test", "InfoPass-1"));
    EXPECT_TRUE(imap_login("info@example.test", "InfoPass-4"));
    ::pclose(p);
}

}  // namespace
}  // namespace boxwarden::testing
