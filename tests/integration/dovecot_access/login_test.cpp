// Mailbox logins through the shipped Dovecot configuration (templates in
// packaging/dovecot/, read-only database user): the address and its
// password, the master form "address*login" for currently assigned users,
// inactive mailboxes, and SASL for Postfix submission, with real clients.
#include "access_fixture.h"

namespace boxwarden::testing {
namespace {

class Logins : public DovecotAccess {
  protected:
    void SetUp() override {
        DovecotAccess::SetUp();
        if (IsSkipped() || HasFatalFailure()) return;
        seed();
        start_dovecot();
    }
};

TEST_F(Logins, TheAddressWithItsPasswordLogsInOverImapPop3AndCurl) {
    EXPECT_TRUE(imap_login("info@example.test", "InfoPass-1")) << dovecot_log();
    EXPECT_TRUE(pop3_login("info@example.test", "InfoPass-1"));
    EXPECT_TRUE(curl_imap_login("info@example.test", "InfoPass-1"));
    // The user name is the address whatever its case.
    EXPECT_TRUE(imap_login("INFO@Example.TEST", "InfoPass-1"));
}

TEST_F(Logins, AWrongPasswordOrAnUnknownAddressIsRefused) {
    EXPECT_FALSE(imap_login("info@example.test", "InfoPass-2"));
    EXPECT_FALSE(pop3_login("info@example.test", "InfoPass-2"));
    EXPECT_FALSE(curl_imap_login("info@example.test", "InfoPass-2"));
    EXPECT_FALSE(imap_login("nobody@example.test", "InfoPass-1"));
    // Part of the address is not a user name.
    EXPECT_FALSE(imap_login("info", "InfoPass-1"));
}

TEST_F(Logins, TheStoredSchemePrefixIsHonoured) {
    for (const char* scheme : {"ARGON2ID", "SHA512-CRYPT", "BLF-CRYPT", "SSHA512"}) {
        db->execute("UPDATE mailbox SET password_hash = ? WHERE address = 'info@example.test'",
                    {hash(scheme, std::string("Pw-") + scheme)});
        EXPECT_TRUE(imap_login("info@example.test", std::string("Pw-") + scheme)) << scheme;
        EXPECT_FALSE(imap_login("info@example.test", "InfoPass-1")) << scheme;
    }
}

TEST_F(Logins, AnAssignedUserOpensTheMailboxWithTheirOwnPassword) {
    ASSERT_EQ(lmtp_deliver("info@example.test").substr(0, 7), "<-  250") << dovecot_log();
    // imap-login prints "OK <messages in INBOX>": info@'s INBOX.
    auto r =
        client({"imap-login", std::to_string(imap_port()), "info@example.test*anna", "AnnaPass-1"});
    EXPECT_EQ(r.out, "OK 1\n") << r.out << dovecot_log();
    EXPECT_TRUE(pop3_login("info@example.test*anna", "AnnaPass-1"));
    EXPECT_TRUE(curl_imap_login("info@example.test*anna", "AnnaPass-1"));
    // Her password does not open the mailbox directly, nor the mailbox's
    // password the master form.
    EXPECT_FALSE(imap_login("info@example.test", "AnnaPass-1"));
    EXPECT_FALSE(imap_login("info@example.test*anna", "InfoPass-1"));
    // The session is the mailbox, the person is in the log.
    EXPECT_NE(dovecot_log().find("user=<info@example.test>, auth_user=<anna>"), std::string::npos)
        << dovecot_log();
}

TEST_F(Logins, AUserWhoIsNotOrNoLongerAssignedIsRefused) {
    EXPECT_FALSE(imap_login("info@example.test*bob", "BobPass-1"));
    EXPECT_FALSE(pop3_login("info@example.test*bob", "BobPass-1"));
    // anna is assigned to info@ only.
    EXPECT_FALSE(imap_login("old@example.test*anna", "AnnaPass-1"));
    ASSERT_TRUE(imap_login("info@example.test*anna", "AnnaPass-1"));

    // A plain SQL unassignment is in force on the very next login.
    db->execute(
        "UPDATE mailbox_assignment SET unassigned_at = UTC_TIMESTAMP(6) WHERE unassigned_at IS "
        "NULL");
    EXPECT_FALSE(imap_login("info@example.test*anna", "AnnaPass-1"));
    EXPECT_FALSE(pop3_login("info@example.test*anna", "AnnaPass-1"));
    // And a new assignment at once (no negative cache).
    db->execute("CALL assign_user('info@example.test', 'bob')");
    EXPECT_TRUE(imap_login("info@example.test*bob", "BobPass-1"));
    EXPECT_FALSE(imap_login("info@example.test*anna", "AnnaPass-1"));
}

TEST_F(Logins, AnInactiveMailboxStillLogsIn) {
    EXPECT_TRUE(imap_login("old@example.test", "OldPass-1")) << dovecot_log();
    EXPECT_TRUE(pop3_login("old@example.test", "OldPass-1"));
    EXPECT_TRUE(curl_imap_login("old@example.test", "OldPass-1"));
}

TEST_F(Logins, ABareLoginIsNoImapOrPop3User) {
    EXPECT_FALSE(imap_login("anna", "AnnaPass-1"));
    EXPECT_FALSE(pop3_login("anna", "AnnaPass-1"));
}

TEST_F(Logins, PostfixSubmissionAuthenticatesWithTheSameLogins) {
    start_postfix();
    EXPECT_TRUE(smtp_send("info@example.test", "InfoPass-1", "info@example.test"));
    EXPECT_FALSE(smtp_auth("info@example.test", "InfoPass-2"));
    EXPECT_TRUE(smtp_auth("info@example.test*anna", "AnnaPass-1"));
    EXPECT_FALSE(smtp_auth("info@example.test*bob", "BobPass-1"));
    // The person's own login, for submission only.
    EXPECT_TRUE(smtp_auth("anna", "AnnaPass-1"));
    EXPECT_FALSE(smtp_auth("anna", "BobPass-1"));
    // An inactive mailbox sends.
    EXPECT_TRUE(smtp_send("old@example.test", "OldPass-1", "old@example.test"));
    // Without AUTH nothing is relayed (the control for the sends above).
    auto r = cli::run_process(
        {"/usr/bin/swaks", "--server", "127.0.0.1:" + std::to_string(smtp_port()), "--from",
         "info@example.test", "--to", "someone@elsewhere.example", "--timeout", "30"},
        {}, 90);
    EXPECT_NE(
        r.out.find(
            "554 5.7.1 <someone@elsewhere.example>: Recipient address rejected: Access denied"),
        std::string::npos)
        << r.out;
}

}  // namespace
}  // namespace boxwarden::testing
