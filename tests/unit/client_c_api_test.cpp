// The C API: return values, error strings, handle lifetime; and the C file
// built with the C compiler (client_c_api_as_c.c).
#include <gtest/gtest.h>

#include <cstdlib>
#include <cstring>
#include <string>

#include "boxwarden/policyd_client_c.h"
#include "client_test_server.h"

extern "C" int bw_test_c_verdict(const char* socket_path, const char* address, char* out,
                                 size_t out_size);

namespace boxwarden::client {
namespace {

using testing::FakeServer;
using testing::ServerSide;

FakeServer::Handler answer(AttrList reply) {
    return [reply](ServerSide& s, int) {
        while (s.read_request()) s.reply(reply);
    };
}

TEST(ClientCApi, CreateRejectsBadArgumentsWithAFreeableError) {
    char* error = nullptr;
    EXPECT_EQ(bw_client_create(nullptr, 1000, &error), nullptr);
    ASSERT_NE(error, nullptr);
    EXPECT_STREQ(error, "no socket path");
    std::free(error);
    error = nullptr;
    EXPECT_EQ(bw_client_create("/tmp/x.sock", 0, &error), nullptr);
    EXPECT_STREQ(error, "timeout_ms must be positive");
    std::free(error);
}

TEST(ClientCApi, DestroySetsThePointerToNull) {
    bw_client* c = bw_client_create("/tmp/x.sock", 100, nullptr);
    ASSERT_NE(c, nullptr);
    bw_client_destroy(&c);
    EXPECT_EQ(c, nullptr);
    bw_client_destroy(&c);  // harmless
    bw_client_destroy(nullptr);
}

TEST(ClientCApi, UnreachableDaemonIsTempfailWithALoggableError) {
    bw_client* c = bw_client_create("/nonexistent/query.sock", 200, nullptr);
    bw_verdict v{};
    const char* error = nullptr;
    EXPECT_EQ(bw_client_verdict(c, "a@example.de", &v, &error), -1);
    ASSERT_NE(error, nullptr);
    EXPECT_EQ(std::string(error).rfind("tempfail: connect to /nonexistent/query.sock", 0), 0u)
        << error;
    EXPECT_EQ(bw_client_last_was_tempfail(c), 1);
    bw_client_destroy(&c);
}

TEST(ClientCApi, ErrorReplyIsMinusOneButNotTempfail) {
    FakeServer server(answer({{"status", "error"}, {"reason", "missing attribute login"}}));
    bw_client* c = bw_client_create(server.path().c_str(), 2000, nullptr);
    bw_user u{};
    const char* error = nullptr;
    EXPECT_EQ(bw_client_user(c, "", &u, &error), -1);
    EXPECT_STREQ(error, "error: missing attribute login");
    EXPECT_EQ(bw_client_last_was_tempfail(c), 0);
    bw_client_destroy(&c);
}

TEST(ClientCApi, NullArgumentsAreErrorsNotCrashes) {
    bw_client* c = bw_client_create("/tmp/x.sock", 100, nullptr);
    const char* error = nullptr;
    EXPECT_EQ(bw_client_verdict(c, nullptr, nullptr, &error), -1);
    EXPECT_STREQ(error, "error: NULL argument");
    EXPECT_EQ(bw_client_status(nullptr, nullptr, &error), -1);
    EXPECT_STREQ(error, "error: no client handle");
    bw_client_destroy(&c);
}

TEST(ClientCApi, MailboxFillsTheStructAndNotFoundIsZero) {
    FakeServer server([](ServerSide& s, int) {
        while (auto r = s.read_request()) {
            if (r->find("address") == "info@example.de")
                s.reply({{"status", "ok"},
                         {"address", "info@example.de"},
                         {"domain_hosted", "1"},
                         {"exists", "1"},
                         {"verdict", "deliver"},
                         {"smtp_code", "250"},
                         {"enhanced_code", "2.1.5"},
                         {"smtp_text", "OK"},
                         {"active", "1"},
                         {"deactivated_at", ""},
                         {"email_name", "Info"},
                         {"vip", "0"},
                         {"ooo_enabled", "1"},
                         {"ooo_subject", "Weg"},
                         {"ooo_body", "a\nb"},
                         {"ooo_start", ""},
                         {"ooo_end", ""},
                         {"ooo_interval_days", "3"}});
            else
                s.reply({{"status", "notfound"},
                         {"reason", "no such mailbox"},
                         {"address", "x@example.de"},
                         {"domain_hosted", "1"},
                         {"exists", "0"},
                         {"verdict", "reject-unknown"},
                         {"smtp_code", "550"},
                         {"enhanced_code", "5.1.1"},
                         {"smtp_text", "Mailbox unknown"}});
        }
    });
    bw_client* c = bw_client_create(server.path().c_str(), 2000, nullptr);
    bw_mailbox m{};
    const char* error = nullptr;
    ASSERT_EQ(bw_client_mailbox(c, "info@example.de", &m, &error), 1) << error;
    EXPECT_EQ(m.delivery.deliver, 1);
    EXPECT_EQ(m.delivery.smtp_code, 250);
    EXPECT_STREQ(m.email_name, "Info");
    EXPECT_STREQ(m.ooo_body, "a\nb");
    EXPECT_EQ(m.ooo_interval_days, 3);
    bw_verdict v{};
    EXPECT_EQ(bw_client_verdict(c, "x@example.de", &v, &error), 0);
    EXPECT_STREQ(error, "notfound: no such mailbox");
    EXPECT_EQ(v.deliver, 0);
    EXPECT_EQ(v.exists, 0);
    EXPECT_STREQ(v.enhanced_code, "5.1.1");
    EXPECT_STREQ(v.smtp_text, "Mailbox unknown");
    bw_client_destroy(&c);
}

TEST(ClientCApi, OooClaimWithTokenAndRelease) {
    FakeServer server([](ServerSide& s, int) {
        while (auto r = s.read_request()) {
            if (*r->find("request") == "ooo_claim")
                s.reply({{"status", "ok"}, {"should_reply", "1"}, {"claim_token", "tok-9"}});
            else if (*r->find("claim_token") == "tok-9")
                s.reply({{"status", "ok"}, {"released", "1"}});
            else
                s.reply({{"status", "error"}, {"reason", "refused by the database: bad token"}});
        }
    });
    bw_client* c = bw_client_create(server.path().c_str(), 2000, nullptr);
    ASSERT_NE(c, nullptr);
    int should_reply = 0, released = 0;
    const char* token = nullptr;
    const char* error = nullptr;
    EXPECT_EQ(bw_client_ooo_claim_with_token(c, "info@example.de", "bob@example.org", nullptr,
                                             &should_reply, &token, &error),
              1);
    EXPECT_EQ(should_reply, 1);
    ASSERT_NE(token, nullptr);
    const std::string kept = token;  // valid until the next call only
    EXPECT_EQ(kept, "tok-9");
    EXPECT_EQ(bw_client_ooo_release(c, "info@example.de", "bob@example.org", kept.c_str(),
                                    &released, &error),
              1);
    EXPECT_EQ(released, 1);
    EXPECT_EQ(
        bw_client_ooo_release(c, "info@example.de", "bob@example.org", "other", &released, &error),
        -1);
    EXPECT_EQ(released, 0);
    EXPECT_STREQ(error, "error: refused by the database: bad token");
    EXPECT_EQ(bw_client_last_was_tempfail(c), 0);
    EXPECT_EQ(
        bw_client_ooo_release(c, "info@example.de", "bob@example.org", nullptr, &released, &error),
        -1);
    EXPECT_STREQ(error, "error: NULL argument");
    bw_client_destroy(&c);
}

TEST(ClientCApi, TheCTranslationUnitTalksToTheServer) {
    FakeServer server(answer({{"status", "ok"},
                              {"address", "a@example.de"},
                              {"domain_hosted", "1"},
                              {"exists", "1"},
                              {"verdict", "reject-disabled"},
                              {"smtp_code", "550"},
                              {"enhanced_code", "5.2.1"},
                              {"smtp_text", "Mailbox disabled"}}));
    char out[200];
    EXPECT_EQ(bw_test_c_verdict(server.path().c_str(), "a@example.de", out, sizeof out), 1);
    EXPECT_STREQ(out, "reject-disabled");
    EXPECT_EQ(bw_test_c_verdict("", "a@example.de", out, sizeof out), -2);
    EXPECT_STREQ(out, "no socket path");
}

}  // namespace
}  // namespace boxwarden::client
