// The plugin's C API (dovecot-plugin/plugin_core.h) against a scripted fake
// policyd: RCPT replies taken from the verdict, every failure a 451 4.3.0,
// the received activity sent before the save and a tempfail deferring it.
#include "plugin_core.h"

#include <gtest/gtest.h>

#include <atomic>
#include <map>
#include <string>
#include <vector>

#include "client_test_server.h"

namespace boxwarden::client::testing {
namespace {

std::vector<std::string> g_log;
void capture_log(bwp_log_level, const char* message) {
    g_log.emplace_back(message);
}

// A server answering each request with the reply that `script` gives for it,
// and remembering every request.
struct Scripted {
    std::function<AttrList(const AttrRequest&)> script;
    std::vector<std::map<std::string, std::string>> seen;
    std::mutex mu;
    FakeServer server{[this](ServerSide& s, int) {
        while (auto r = s.read_request()) {
            std::map<std::string, std::string> m;
            for (const auto& [k, v] : r->attributes) m[std::string(k)] = std::string(v);
            {
                std::lock_guard lock(mu);
                seen.push_back(m);
            }
            s.reply(script(*r));
        }
    }};
};

bwp_core* make_core(const std::string& socket) {
    bwp_settings set{};
    set.socket = socket.c_str();
    set.timeout_ms = 1000;
    set.ooo_enabled = 1;
    return bwp_core_create(&set, capture_log);
}

AttrList verdict(const std::string& address, const char* v, const char* code, const char* enh,
                 const char* text) {
    return {{"status", "ok"}, {"address", address}, {"domain_hosted", "1"}, {"exists", "1"},
            {"verdict", v},   {"smtp_code", code},  {"enhanced_code", enh}, {"smtp_text", text}};
}

// request=mailbox's reply with status ok: the verdict part, then the rest.
AttrList with_mailbox_fields(AttrList l) {
    for (auto kv : std::vector<std::pair<std::string, std::string>>{{"active", "1"},
                                                                    {"deactivated_at", ""},
                                                                    {"email_name", ""},
                                                                    {"vip", "0"},
                                                                    {"ooo_enabled", "0"},
                                                                    {"ooo_subject", ""},
                                                                    {"ooo_body", ""},
                                                                    {"ooo_start", ""},
                                                                    {"ooo_end", ""},
                                                                    {"ooo_interval_days", "7"}})
        l.push_back(kv);
    return l;
}

AttrList mailbox_reply(const std::string& a) {
    return with_mailbox_fields(verdict(a, "deliver", "250", "2.1.5", "OK"));
}

TEST(DovecotPluginCore, RcptRepliesFollowTheVerdict) {
    Scripted s;
    s.script = [](const AttrRequest& r) -> AttrList {
        const std::string a(*r.find("address"));
        if (a == "info@example.de") return mailbox_reply(a);
        if (a == "old@example.de")
            return with_mailbox_fields(
                verdict(a, "reject-disabled", "550", "5.2.1", "Mailbox disabled"));
        if (a == "busy@example.de")
            return {{"status", "tempfail"},
                    {"reason", "cache stale"},
                    {"address", a},
                    {"domain_hosted", ""},
                    {"exists", ""},
                    {"verdict", "tempfail"},
                    {"smtp_code", "451"},
                    {"enhanced_code", "4.3.0"},
                    {"smtp_text", "Mailbox state temporarily unavailable, try again later"}};
        return {{"status", "error"}, {"reason", "nonsense"}};
    };
    bwp_core* core = make_core(s.server.path());
    ASSERT_NE(core, nullptr);
    bwp_reply reply{};
    EXPECT_EQ(bwp_rcpt_check(core, "Info+tag@Example.DE", "+", &reply), 1);
    EXPECT_EQ(s.seen.back().at("request"), "mailbox");
    EXPECT_EQ(s.seen.back().at("address"), "info@example.de");  // extension removed
    EXPECT_EQ(bwp_rcpt_check(core, "old@example.de", "+", &reply), 0);
    EXPECT_EQ(reply.code, 550);
    EXPECT_STREQ(reply.enhanced, "5.2.1");
    EXPECT_STREQ(reply.text, "Mailbox disabled");
    for (const char* a : {"busy@example.de", "weird@example.de"}) {
        reply = {};
        EXPECT_EQ(bwp_rcpt_check(core, a, "+", &reply), -1) << a;
        EXPECT_EQ(reply.code, 451);
        EXPECT_STREQ(reply.enhanced, "4.3.0");
    }
    bwp_core_destroy(&core);
    EXPECT_EQ(core, nullptr);
}

TEST(DovecotPluginCore, UnreachablePolicydIsATempfail) {
    bwp_core* core = make_core("/nonexistent/boxwarden/query.sock");
    ASSERT_NE(core, nullptr);
    bwp_reply reply{};
    g_log.clear();
    EXPECT_EQ(bwp_rcpt_check(core, "info@example.de", "", &reply), -1);
    EXPECT_EQ(reply.code, 451);
    ASSERT_FALSE(g_log.empty());
    EXPECT_NE(g_log.back().find("tempfail"), std::string::npos) << g_log.back();
    bwp_core_destroy(&core);
}

TEST(DovecotPluginCore, ActivityIsRecordedBeforeTheSaveAndATempfailDefers) {
    Scripted s;
    std::atomic<bool> spool_ok{true};
    s.script = [&](const AttrRequest& r) -> AttrList {
        const std::string req(*r.find("request"));
        if (req == "mailbox") {
            const std::string a(*r.find("address"));
            if (a == "nobody@example.de") {
                AttrList l = verdict(a, "reject-unknown", "550", "5.1.1", "Mailbox unknown");
                l[0].second = "notfound";
                l[3].second = "0";  // exists
                l.insert(l.begin() + 1, {"reason", "no such mailbox"});
                return l;
            }
            return mailbox_reply(a);
        }
        if (req == "record_activity") {
            if (!spool_ok) return {{"status", "tempfail"}, {"reason", "log spool unavailable"}};
            return {{"status", "ok"}, {"event_id", std::string(*r.find("event_id"))}};
        }
        return {{"status", "error"}, {"reason", "unexpected"}};
    };
    bwp_core* core = make_core(s.server.path());
    ASSERT_NE(core, nullptr);
    const std::string header =
        "To: info@example.de\r\nSubject: Hi\r\nMessage-ID: <x1@remote.test>\r\n\r\n";
    bwp_delivery d{};
    d.recipient = "info+x@example.de";
    d.delimiters = "+";
    d.envelope_sender = "a@remote.test";
    d.header = header.data();
    d.header_size = header.size();
    d.delivered_at_us = 1796083290000000LL;
    bwp_reply reply{};
    EXPECT_EQ(bwp_before_save(core, &d, &reply), 1);
    ASSERT_EQ(s.seen.size(), 2u);
    EXPECT_EQ(s.seen[1].at("request"), "record_activity");
    EXPECT_EQ(s.seen[1].at("mailbox"), "info@example.de");
    EXPECT_EQ(s.seen[1].at("direction"), "received");
    EXPECT_EQ(s.seen[1].at("message_id"), "<x1@remote.test>");
    EXPECT_EQ(s.seen[1].at("occurred_at"), "1796083290.000000");
    EXPECT_EQ(s.seen[1].at("in_to_header"), "1");
    // ooo_enabled = 0: no reply, no claim.
    bwp_ooo_reply ooo{};
    EXPECT_EQ(bwp_ooo_prepare(core, &d, &ooo), 0);
    EXPECT_EQ(s.seen.size(), 2u);

    spool_ok = false;
    EXPECT_EQ(bwp_before_save(core, &d, &reply), -1);
    EXPECT_EQ(reply.code, 451);
    EXPECT_STREQ(reply.enhanced, "4.3.0");

    // A recipient that is not a hosted mailbox: nothing to record, saved.
    d.recipient = "nobody@example.de";
    const std::size_t before = s.seen.size();
    EXPECT_EQ(bwp_before_save(core, &d, &reply), 1);
    EXPECT_EQ(s.seen.size(), before + 1);  // the look-up only
    bwp_core_destroy(&core);
}

TEST(DovecotPluginCore, AFailedSendReleasesExactlyTheClaimItMade) {
    Scripted s;
    std::string release_status = "ok";
    s.script = [&](const AttrRequest& r) -> AttrList {
        const std::string req(*r.find("request"));
        if (req == "mailbox") {
            AttrList l = mailbox_reply(std::string(*r.find("address")));
            for (auto& [k, v] : l)
                if (k == "ooo_enabled") v = "1";
            return l;
        }
        if (req == "record_activity")
            return {{"status", "ok"}, {"event_id", std::string(*r.find("event_id"))}};
        if (req == "ooo_claim")
            return {{"status", "ok"},
                    {"should_reply", "1"},
                    {"claim_token", "0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0"}};
        if (req == "ooo_release") {
            if (release_status != "ok") return {{"status", release_status}, {"reason", "db down"}};
            return {{"status", "ok"}, {"released", "1"}};
        }
        return {{"status", "error"}, {"reason", "unexpected"}};
    };
    bwp_core* core = make_core(s.server.path());
    ASSERT_NE(core, nullptr);
    const std::string header =
        "From: Bob <Bob@Remote.test>\r\nTo: info@example.de\r\nSubject: Hi\r\n"
        "Message-ID: <r1@remote.test>\r\n\r\n";
    bwp_delivery d{};
    d.recipient = "info@example.de";
    d.delimiters = "+";
    d.envelope_sender = "Bob@Remote.test";
    d.header = header.data();
    d.header_size = header.size();
    d.delivered_at_us = 1796083290000000LL;
    bwp_reply reply{};
    bwp_ooo_reply ooo{};

    // Nothing claimed yet: nothing to release, policyd not asked.
    g_log.clear();
    EXPECT_EQ(bwp_ooo_release(core), 0);
    const std::size_t asked = s.seen.size();

    ASSERT_EQ(bwp_before_save(core, &d, &reply), 1);
    ASSERT_EQ(bwp_ooo_prepare(core, &d, &ooo), 1);
    EXPECT_EQ(s.seen.back().at("request"), "ooo_claim");
    g_log.clear();
    EXPECT_EQ(bwp_ooo_release(core), 1);
    EXPECT_EQ(s.seen.back().at("request"), "ooo_release");
    EXPECT_EQ(s.seen.back().at("mailbox"), "info@example.de");
    EXPECT_EQ(s.seen.back().at("sender"), "bob@remote.test");
    EXPECT_EQ(s.seen.back().at("claim_token"), "0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0");
    ASSERT_FALSE(g_log.empty());
    EXPECT_NE(g_log.back().find("released after the failed send"), std::string::npos)
        << g_log.back();
    // Released once: a second call has no claim left to give back.
    const std::size_t after_release = s.seen.size();
    EXPECT_EQ(bwp_ooo_release(core), 0);
    EXPECT_EQ(s.seen.size(), after_release);
    EXPECT_GT(after_release, asked);

    // policyd cannot release: logged, -1, and the core goes on working.
    release_status = "tempfail";
    ASSERT_EQ(bwp_before_save(core, &d, &reply), 1);
    ASSERT_EQ(bwp_ooo_prepare(core, &d, &ooo), 1);
    g_log.clear();
    EXPECT_EQ(bwp_ooo_release(core), -1);
    ASSERT_FALSE(g_log.empty());
    EXPECT_NE(g_log.back().find("not released (tempfail): db down"), std::string::npos)
        << g_log.back();
    EXPECT_EQ(bwp_rcpt_check(core, "info@example.de", "+", &reply), 1);  // still working
    bwp_core_destroy(&core);
}

// One round trip less per delivery: the RCPT's mailbox answer serves the
// save of that recipient in the same transaction, and only there.
TEST(DovecotPluginCore, TheRcptAnswerIsReusedAtTheSaveOfTheSameTransactionOnly) {
    Scripted s;
    s.script = [&](const AttrRequest& r) -> AttrList {
        const std::string req(*r.find("request"));
        if (req == "mailbox") return mailbox_reply(std::string(*r.find("address")));
        if (req == "record_activity")
            return {{"status", "ok"}, {"event_id", std::string(*r.find("event_id"))}};
        return {{"status", "error"}, {"reason", "unexpected"}};
    };
    bwp_core* core = make_core(s.server.path());
    ASSERT_NE(core, nullptr);
    const std::string header = "To: info@example.de\r\nMessage-ID: <t1@remote.test>\r\n\r\n";
    bwp_delivery d{};
    d.recipient = "info+x@example.de";
    d.delimiters = "+";
    d.envelope_sender = "a@remote.test";
    d.header = header.data();
    d.header_size = header.size();
    d.delivered_at_us = 1796083290000000LL;
    bwp_reply reply{};
    auto requests = [&] {
        std::lock_guard lock(s.mu);
        std::vector<std::string> out;
        for (const auto& m : s.seen) out.push_back(m.at("request"));
        return out;
    };
    using V = std::vector<std::string>;
    ASSERT_EQ(bwp_rcpt_check(core, "Info+x@example.de", "+", &reply), 1);
    ASSERT_EQ(bwp_before_save(core, &d, &reply), 1);
    EXPECT_EQ(requests(), (V{"mailbox", "record_activity"}));
    // Another recipient of the transaction was not asked at RCPT: asked now.
    d.recipient = "sales@example.de";
    ASSERT_EQ(bwp_before_save(core, &d, &reply), 1);
    EXPECT_EQ(requests(), (V{"mailbox", "record_activity", "mailbox", "record_activity"}));
    // The next transaction asks again.
    bwp_transaction_end(core);
    d.recipient = "info@example.de";
    ASSERT_EQ(bwp_before_save(core, &d, &reply), 1);
    EXPECT_EQ(requests(), (V{"mailbox", "record_activity", "mailbox", "record_activity", "mailbox",
                             "record_activity"}));
    bwp_core_destroy(&core);
}

}  // namespace
}  // namespace boxwarden::client::testing
