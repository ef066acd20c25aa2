// mailbox send-access-data through a captured sendmail, and autoconfig XML.
#include <unistd.h>

#include <gmock/gmock.h>

#include <algorithm>

#include "boxwarden/mail_header.h"
#include "cli_fixture.h"

namespace boxwarden::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

class CliAccessData : public CliTest {
  protected:
    void SetUp() override {
        CliTest::SetUp();
        add_basic_data();
        db->execute("UPDATE mailbox SET email_name = 'Müller Immobilien'");
        // A sendmail stand-in: records its arguments and the message.
        write_file(dir() / "sendmail",
                   "#!/bin/sh\n"
                   "printf '%s\\n' \"$@\" > \"" +
                       (dir() / "args").string() +
                       "\"\n"
                       "cat > \"" +
                       (dir() / "message").string() +
                       "\"\n"
                       "exit ${SENDMAIL_EXIT:-0}\n",
                   0755);
        write_config({{"sendmail_path", (dir() / "sendmail").string()}});
    }
    std::string message() { return read_file(dir() / "message"); }
    std::string body() {
        const std::string m = message();
        const size_t at = m.find("\n\n");
        return at == std::string::npos ? "" : decode_quoted_printable(m.substr(at + 2));
    }
};

TEST_F(CliAccessData, SendsAWellFormedMailThroughSendmailWithoutThePassword) {
    ASSERT_EQ(ctl({"password", "generate", "info@example.de"}).code, 0);
    auto r = ctl({"mailbox", "send-access-data", "info@example.de", "--to", "Kunde@Example.org",
                  "--lang", "de"});
    ASSERT_EQ(r.code, 0) << r;
    EXPECT_THAT(r.out, HasSubstr("sent to kunde@example.org (without password)"));
    EXPECT_EQ(read_file(dir() / "args"), "-i\n-f\ninfo@example.de\n--\nkunde@example.org\n");
    const std::string m = message();
    EXPECT_THAT(m, HasSubstr("From: =?UTF-8?"));  // the email name, encoded
    EXPECT_THAT(m, HasSubstr("<info@example.de>"));
    EXPECT_THAT(m, HasSubstr("To: <kunde@example.org>"));
    EXPECT_THAT(m, HasSubstr("Content-Type: text/plain; charset=UTF-8"));
    EXPECT_THAT(m, HasSubstr("Message-ID: <"));
    EXPECT_THAT(m, HasSubstr("Date: "));
    const std::string b = body();
    EXPECT_THAT(b, HasSubstr("Benutzername:      info@example.de"));
    for (const char* s : {"imap.example.de", "993", "pop.example.de", "smtp.example.de", "587"})
        EXPECT_THAT(b, HasSubstr(s));
    const std::string shown = ctl({"password", "show", "info@example.de", "--force"}).out;
    const std::string pw = shown.substr(shown.find("password: ") + 10, 20);
    EXPECT_THAT(b, Not(HasSubstr(pw)));
}

TEST_F(CliAccessData, WithPasswordIncludesTheCurrentPasswordInEnglish) {
    ASSERT_EQ(ctl({"password", "set", "info@example.de"}, "Winter-Stern-2026\n").code, 0);
    auto r = ctl({"--json", "mailbox", "send-access-data", "info@example.de", "--to",
                  "it@example.org", "--with-password", "--lang", "en"});
    ASSERT_EQ(r.code, 0) << r;
    EXPECT_TRUE(valid_json(r.out));
    EXPECT_THAT(r.out, HasSubstr("\"with_password\": true"));
    EXPECT_THAT(r.out, Not(HasSubstr("Winter-Stern-2026")));  // only in the mail
    EXPECT_THAT(body(), HasSubstr("Winter-Stern-2026"));
    EXPECT_THAT(body(), HasSubstr("User name:"));
}

TEST_F(CliAccessData, RefusalsSendNothing) {
    auto bad = ctl({"mailbox", "send-access-data", "info@example.de", "--to", "not an address"});
    EXPECT_EQ(bad.code, 1) << bad;
    EXPECT_THAT(bad.err, HasSubstr("recipient 'not an address' refused"));
    auto injected =
        ctl({"mailbox", "send-access-data", "info@example.de", "--to", "a@b.de\nBcc: x@y.de"});
    EXPECT_EQ(injected.code, 1) << injected;
    auto no_pw = ctl({"mailbox", "send-access-data", "info@example.de", "--to", "a@example.org",
                      "--with-password"});
    EXPECT_EQ(no_pw.code, 1) << no_pw;
    EXPECT_THAT(no_pw.err, HasSubstr("no stored password"));
    EXPECT_EQ(ctl({"mailbox", "send-access-data", "info@example.de", "--to", "a@example.org",
                   "--lang", "fr"})
                  .code,
              2);
    EXPECT_EQ(
        ctl({"mailbox", "send-access-data", "nobody@example.de", "--to", "a@example.org"}).code, 1);
    EXPECT_FALSE(std::filesystem::exists(dir() / "message"));
}

TEST_F(CliAccessData, ASendmailFailureIsReportedWithItsExitCode) {
    write_file(dir() / "sendmail", "#!/bin/sh\ncat >/dev/null\necho 'queue full' >&2\nexit 75\n",
               0755);
    auto temp = ctl({"mailbox", "send-access-data", "info@example.de", "--to", "a@example.org"});
    EXPECT_EQ(temp.code, 3) << temp;
    EXPECT_THAT(temp.err, HasSubstr("queue full"));
    write_file(dir() / "sendmail", "#!/bin/sh\nexit 1\n", 0755);
    auto hard = ctl({"mailbox", "send-access-data", "info@example.de", "--to", "a@example.org"});
    EXPECT_EQ(hard.code, 4) << hard;
    EXPECT_THAT(hard.err, HasSubstr("exit status 1"));
}

TEST_F(CliAccessData, AutoconfigForAHostedDomain) {
    auto moz = ctl({"autoconfig", "example.de", "--format", "mozilla"});
    ASSERT_EQ(moz.code, 0) << moz;
    for (const char* s : {"<clientConfig version=\"1.1\">", "<emailProvider id=\"example.de\">",
                          "<incomingServer type=\"imap\">", "<hostname>imap.example.de</hostname>",
                          "<outgoingServer type=\"smtp\">", "<username>%EMAILADDRESS%</username>",
                          "<socketType>STARTTLS</socketType>"})
        EXPECT_THAT(moz.out, HasSubstr(s));
    auto lint = cli::run_process({"/usr/bin/xmllint", "--noout", "-"}, moz.out, 30);
    EXPECT_TRUE(lint.ok()) << lint.err;

    auto ad =
        ctl({"autoconfig", "example.de", "--format", "autodiscover", "--email", "info@example.de"});
    ASSERT_EQ(ad.code, 0) << ad;
    EXPECT_THAT(ad.out, HasSubstr("<LoginName>info@example.de</LoginName>"));
    EXPECT_THAT(ad.out, HasSubstr("<Type>IMAP</Type>"));
    EXPECT_TRUE(cli::run_process({"/usr/bin/xmllint", "--noout", "-"}, ad.out, 30).ok());

    EXPECT_EQ(ctl({"autoconfig", "unknown.de"}).code, 1);
    EXPECT_EQ(ctl({"autoconfig", "example.de", "--format", "autodiscover"}).code, 2);
    EXPECT_EQ(
        ctl({"autoconfig", "example.de", "--format", "autodiscover", "--email", "x@other.de"}).code,
        1);
    EXPECT_EQ(ctl({"autoconfig", "example.de", "--format", "yaml"}).code, 2);
}

// The Apple profile: plistlib (Python's plist reader, a plutil stand-in on
// Debian) reads it; it carries the mailbox, its email name and the
// configured servers, never a password.
TEST_F(CliAccessData, AutoconfigMobileconfigIsAPropertyListForTheAddress) {
    auto gen = ctl({"--json", "password", "generate", "info@example.de"});
    ASSERT_EQ(gen.code, 0) << gen;
    const size_t at = gen.out.find("\"password\": \"");
    ASSERT_NE(at, std::string::npos) << gen.out;
    const std::string password = gen.out.substr(at + 13, gen.out.find('"', at + 13) - at - 13);
    ASSERT_GE(password.size(), 20u) << gen.out;
    auto r =
        ctl({"autoconfig", "example.de", "--format", "mobileconfig", "--email", "Info@Example.de"});
    ASSERT_EQ(r.code, 0) << r;
    const std::string script =
        "import plistlib, sys\n"
        "p = plistlib.loads(sys.stdin.buffer.read())\n"
        "m = p['PayloadContent'][0]\n"
        "assert p['PayloadType'] == 'Configuration' and p['PayloadVersion'] == 1\n"
        "assert m['PayloadType'] == 'com.apple.mail.managed'\n"
        "assert not any('Password' in k and k != 'OutgoingPasswordSameAsIncomingPassword' "
        "for k in m)\n"
        "for k in ('EmailAddress', 'EmailAccountName', 'IncomingMailServerHostName', "
        "'IncomingMailServerPortNumber', 'IncomingMailServerUseSSL', "
        "'IncomingMailServerUsername', 'OutgoingMailServerHostName', "
        "'OutgoingMailServerPortNumber', 'OutgoingMailServerUseSSL'):\n"
        "    print(k, repr(m[k]))\n";
    auto parsed = cli::run_process({"/usr/bin/python3", "-c", script}, r.out, 30);
    ASSERT_TRUE(parsed.ok()) << parsed.err << r.out;
    EXPECT_EQ(parsed.out,
              "EmailAddress 'info@example.de'\n"
              "EmailAccountName 'M\xC3\xBCller Immobilien'\n"
              "IncomingMailServerHostName 'imap.example.de'\n"
              "IncomingMailServerPortNumber 993\n"
              "IncomingMailServerUseSSL True\n"
              "IncomingMailServerUsername 'info@example.de'\n"
              "OutgoingMailServerHostName 'smtp.example.de'\n"
              "OutgoingMailServerPortNumber 587\n"
              "OutgoingMailServerUseSSL True\n");
    EXPECT_THAT(r.out, Not(HasSubstr(password)));
    EXPECT_TRUE(cli::run_process({"/usr/bin/xmllint", "--noout", "-"}, r.out, 30).ok());

    EXPECT_EQ(ctl({"autoconfig", "example.de", "--format", "mobileconfig"}).code, 2);
    EXPECT_EQ(
        ctl({"autoconfig", "example.de", "--format", "mobileconfig", "--email", "x@other.de"}).code,
        1);
}

// The same mail through a real MTA: a private Postfix (sendmail -> pickup ->
// cleanup -> smtp) relaying to smtp-sink, which stores what it received.
TEST_F(CliAccessData, DeliveredThroughAPrivatePostfixToSmtpSink) {
    if (::geteuid() != 0) GTEST_SKIP() << "a private Postfix needs root";
    static int counter = 0;
    const auto pf = std::filesystem::path(BOXWARDEN_BINARY_DIR) /
                    ("pf-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
    auto start = cli::run_process({BOXWARDEN_POSTFIX_SINK, "start", pf.string()}, {}, 120);
    ASSERT_TRUE(start.ok()) << start.out << start.err;
    write_config({{"sendmail_path", (pf / "sendmail").string()}});
    auto r = ctl({"mailbox", "send-access-data", "info@example.de", "--to", "kunde@example.org",
                  "--lang", "de"});
    EXPECT_EQ(r.code, 0) << r;
    std::string stored;
    for (int i = 0; i < 150 && stored.empty(); ++i) {  // up to 15 s for the queue run
        for (const auto& e : std::filesystem::directory_iterator(pf / "sink"))
            stored = read_file(e.path());
        if (stored.empty()) ::usleep(100000);
    }
    cli::run_process({BOXWARDEN_POSTFIX_SINK, "stop", pf.string()}, {}, 120);
    ASSERT_FALSE(stored.empty()) << read_file(pf / "maillog");
    EXPECT_THAT(stored, HasSubstr("X-Mail-Args: <info@example.de>"));  // envelope sender
    EXPECT_THAT(stored, HasSubstr("X-Rcpt-Args: <kunde@example.org>"));
    EXPECT_THAT(stored, HasSubstr("To: <kunde@example.org>"));
    EXPECT_THAT(stored, HasSubstr("Auto-Submitted: auto-generated"));
    EXPECT_THAT(stored, HasSubstr("Content-Transfer-Encoding: quoted-printable"));
    const size_t body_at = stored.find("\r\n\r\n") != std::string::npos
                               ? stored.find("\r\n\r\n") + 4
                               : stored.find("\n\n") + 2;
    std::string body = stored.substr(body_at);
    body.erase(std::remove(body.begin(), body.end(), '\r'), body.end());
    EXPECT_THAT(decode_quoted_printable(body), HasSubstr("Benutzername:      info@example.de"));
    if (!HasFailure()) std::filesystem::remove_all(pf);
}

}  // namespace
}  // namespace boxwarden::testing
