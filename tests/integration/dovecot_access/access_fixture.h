#pragma once
// Test support for the Dovecot access tests: a scratch boxwarden database
// with the read-only Dovecot role of sql/grants/dovecot-auth-grants.sql, a
// private Dovecot started from the shipped templates
// (tests/harness/dovecot-auth.sh), and real clients: python3 imaplib/poplib
// (mail_client.py), curl's imap and swaks through a private Postfix whose
// SASL is this Dovecot.
#include <gtest/gtest.h>

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "process.h"
#include "test_database.h"

namespace boxwarden::testing {

std::string read_text(const std::filesystem::path& p);
void write_text(const std::filesystem::path& p, const std::string& content, unsigned mode);

class DovecotAccess : public ::testing::Test {
  protected:
    void SetUp() override;
    void TearDown() override;

    // Seeds example.test: info@ (InfoPass-1, SHA512-CRYPT), old@ (inactive,
    // OldPass-1), users anna (AnnaPass-1, ARGON2ID, assigned to info@) and
    // bob (BobPass-1, assigned to nothing).
    void seed();
    // Starts Dovecot from the templates; module/policyd empty: no plugin.
    void start_dovecot(const std::string& module = "", const std::string& policyd_socket = "",
                       const std::string& plugin_lines = "");
    void stop_dovecot();
    // A private Postfix on 127.0.0.1 with SASL from this Dovecot.
    void start_postfix();

    // `doveadm pw -s SCHEME -p PASSWORD`.
    static std::string hash(const std::string& scheme, const std::string& password);

    // Real clients; each returns true when the login (and what follows) worked.
    cli::ProcessResult client(const std::vector<std::string>& args, int timeout = 60);
    bool imap_login(const std::string& user, const std::string& password);
    bool pop3_login(const std::string& user, const std::string& password);
    bool curl_imap_login(const std::string& user, const std::string& password);
    // swaks AUTH PLAIN through Postfix, then MAIL FROM/RCPT/DATA: true on 250 queued.
    bool smtp_send(const std::string& user, const std::string& password, const std::string& from,
                   const std::string& to = "someone@elsewhere.example");
    // swaks through Postfix, stopping after AUTH: true when AUTH got 235.
    bool smtp_auth(const std::string& user, const std::string& password);
    // Delivers one message to `to` through Dovecot's LMTP; returns the
    // server's last reply line to DATA (or the RCPT refusal).
    std::string lmtp_deliver(const std::string& to, const std::string& message_id = "<m1@test>");

    // boxwardenctl with a configuration for this database and this Dovecot
    // (doveadm flush and kick reach it).
    cli::ProcessResult ctl(const std::vector<std::string>& args, const std::string& input = {});

    int imap_port() const { return imap_port_; }
    int pop3_port() const { return pop3_port_; }
    int smtp_port() const { return smtp_port_; }
    const std::filesystem::path& dovecot_dir() const { return dovecot_dir_; }
    std::string dovecot_log() const { return read_text(dovecot_dir_ / "dovecot.log"); }
    // The dialogue of the last swaks run (smtp_auth / smtp_send), for failure messages.
    const std::string& last_swaks() const { return last_swaks_; }
    // Sockets, processes and log of the private Postfix (for failure messages).
    std::string postfix_state() const;
    std::string db_user() const { return scratch->name() + "_dc"; }
    static constexpr const char* kDbPassword = "Dovecot-Auth-Pw-1";

    std::unique_ptr<ScratchDatabase> scratch;
    std::unique_ptr<db::Connection> db;

  private:
    std::string role() const { return scratch->name() + "_dovecot"; }
    std::filesystem::path dovecot_dir_;
    std::filesystem::path postfix_dir_;
    bool dovecot_started_ = false;
    bool postfix_started_ = false;
    int imap_port_ = 0;
    int pop3_port_ = 0;
    int lmtp_port_ = 0;
    int smtp_port_ = 0;
    std::string last_swaks_;
};

}  // namespace boxwarden::testing
