// Mailbox passwords through boxwardenctl: the stored hash verified by the
// real `doveadm pw -t`, the encrypted copy shown again, the key rules, and
// Dovecot absent from the host (a warning, not a failure).
#include <gmock/gmock.h>

#include "cli_fixture.h"

namespace boxwarden::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

class CliPassword : public CliTest {
  protected:
    void SetUp() override {
        CliTest::SetUp();
        add_basic_data();
    }
    std::string stored_hash() {
        return value("SELECT password_hash FROM mailbox WHERE address = 'info@example.de'")
            .value_or("");
    }
    // The real Dovecot check of a stored hash.
    bool dovecot_accepts(const std::string& hash, const std::string& password) {
        auto r = cli::run_process({"/usr/bin/doveadm", "pw", "-t", hash, "-p", password}, {}, 60);
        return r.ok() && r.out.find("(verified)") != std::string::npos;
    }
    // The password from `password generate --json` output.
    static std::string json_password(const std::string& out) {
        const std::string key = "\"password\": \"";
        const size_t at = out.find(key);
        if (at == std::string::npos) return {};
        return out.substr(at + key.size(), out.find('"', at + key.size()) - at - key.size());
    }
};

TEST_F(CliPassword, GenerateStoresADovecotVerifiableHashAndAShowableCopy) {
    auto gen = ctl({"--json", "password", "generate", "info@example.de"});
    ASSERT_EQ(gen.code, 0) << gen;
    EXPECT_TRUE(valid_json(gen.out)) << gen.out;
    const std::string password = json_password(gen.out);
    EXPECT_GE(password.size(), 20u);
    EXPECT_EQ(password.find_first_of("0Oo1lI"), std::string::npos) << password;
    const std::string hash = stored_hash();
    EXPECT_EQ(hash.rfind("{ARGON2ID}$argon2id$", 0), 0u) << hash;
    EXPECT_TRUE(dovecot_accepts(hash, password));
    EXPECT_FALSE(dovecot_accepts(hash, password + "x"));
    // Dovecot is not on this host in this test: warned, and reported in JSON.
    EXPECT_THAT(gen.err, HasSubstr("warning: Dovecot is not running on this host"));
    EXPECT_THAT(gen.out, HasSubstr("\"result\": \"skipped\""));

    auto show = ctl({"password", "show", "info@example.de", "--force"});
    EXPECT_EQ(show.code, 0) << show;
    EXPECT_THAT(show.out, HasSubstr("password: " + password));

    // A new one replaces both; the old one no longer verifies.
    auto gen2 = ctl({"--json", "password", "generate", "info@example.de", "--length", "32"});
    const std::string second = json_password(gen2.out);
    EXPECT_EQ(second.size(), 32u);
    EXPECT_NE(second, password);
    EXPECT_FALSE(dovecot_accepts(stored_hash(), password));
    EXPECT_TRUE(dovecot_accepts(stored_hash(), second));
}

TEST_F(CliPassword, Sha512CryptSchemeFromTheConfiguration) {
    write_config({{"password_scheme", "SHA512-CRYPT"}});
    auto gen = ctl({"--json", "password", "generate", "info@example.de"});
    ASSERT_EQ(gen.code, 0) << gen;
    EXPECT_EQ(stored_hash().rfind("{SHA512-CRYPT}$6$", 0), 0u);
    EXPECT_TRUE(dovecot_accepts(stored_hash(), json_password(gen.out)));
}

TEST_F(CliPassword, SetReadsStdinAndEnforcesTheStrengthRule) {
    auto weak = ctl({"password", "set", "info@example.de"}, "password\n");
    EXPECT_EQ(weak.code, 1) << weak;
    EXPECT_THAT(weak.err, HasSubstr("password refused by the strength rule"));
    EXPECT_EQ(stored_hash(), "");  // nothing written
    auto ok = ctl({"password", "set", "info@example.de"}, "Sommer-Sonne-2026\n");
    EXPECT_EQ(ok.code, 0) << ok;
    EXPECT_THAT(ok.out, Not(HasSubstr("Sommer-Sonne-2026")));
    EXPECT_TRUE(dovecot_accepts(stored_hash(), "Sommer-Sonne-2026"));
    EXPECT_THAT(ctl({"password", "show", "info@example.de", "--force"}).out,
                HasSubstr("Sommer-Sonne-2026"));
}

TEST_F(CliPassword, ShowRefusesAPipeWithoutForce) {
    ctl({"password", "generate", "info@example.de"});
    auto r = ctl({"password", "show", "info@example.de"});  // stdout is a pipe here
    EXPECT_EQ(r.code, 2) << r;
    EXPECT_THAT(r.err, HasSubstr("--force"));
    EXPECT_EQ(r.out, "");
    auto none = ctl({"password", "show", "nobody@example.de", "--force"});
    EXPECT_EQ(none.code, 1);
}

TEST_F(CliPassword, MissingOrWrongKeyIsAClearErrorAndNothingIsWritten) {
    write_config({{"secret_key_file", (dir() / "missing.key").string()}});
    auto missing = ctl({"password", "generate", "info@example.de"});
    EXPECT_EQ(missing.code, 4) << missing;
    EXPECT_THAT(missing.err, HasSubstr("secret key"));
    EXPECT_EQ(stored_hash(), "");  // no hash without its sealed copy

    write_config();
    ASSERT_EQ(ctl({"password", "generate", "info@example.de"}).code, 0);
    // Another key: the stored copy does not open, and nothing garbled is shown.
    write_file(dir() / "other.key", std::string(32, 'k'), 0640);
    write_config({{"secret_key_file", (dir() / "other.key").string()}});
    auto wrong = ctl({"password", "show", "info@example.de", "--force"});
    EXPECT_EQ(wrong.code, 4) << wrong;
    EXPECT_THAT(wrong.err, HasSubstr("cannot be decrypted"));
    EXPECT_EQ(wrong.out, "");
    // A key readable by everyone is refused.
    write_file(dir() / "open.key", std::string(32, 'k'), 0644);
    write_config({{"secret_key_file", (dir() / "open.key").string()}});
    auto open = ctl({"password", "show", "info@example.de", "--force"});
    EXPECT_EQ(open.code, 4) << open;
    EXPECT_THAT(open.err, HasSubstr("0644"));
}

TEST_F(CliPassword, ACopyMovedToAnotherMailboxDoesNotDecrypt) {
    db->execute("CALL create_mailbox('sales@example.de')");
    ASSERT_EQ(ctl({"password", "generate", "info@example.de"}).code, 0);
    db->execute(
        "UPDATE mailbox t JOIN mailbox s ON s.address = 'info@example.de' "
        "SET t.password_enc = s.password_enc WHERE t.address = 'sales@example.de'");
    auto r = ctl({"password", "show", "sales@example.de", "--force"});
    EXPECT_EQ(r.code, 4) << r;
    EXPECT_THAT(r.err, HasSubstr("cannot be decrypted"));
}

}  // namespace
}  // namespace boxwarden::testing
