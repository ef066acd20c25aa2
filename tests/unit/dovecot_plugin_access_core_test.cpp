// The plugin's IMAP/POP3 agent log (dovecot-plugin/access_core.h) against a
// fake policyd: entries are sent without waiting for the reply, a tempfail
// puts the entry back and it is sent again before the next one (warned
// once), a synchronous request reads the due replies first, and at session
// end what cannot be made durable is logged lost, entry by entry.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "access_core.h"
#include "client_test_server.h"

namespace boxwarden::client::testing {
namespace {

using SteadyClock = std::chrono::steady_clock;
using namespace std::chrono_literals;

std::vector<std::string> g_log;
void capture_log(bwp_log_level, const char* message) {
    g_log.emplace_back(message);
}

std::size_t logged(const std::string& needle) {
    std::size_t n = 0;
    for (const auto& line : g_log)
        if (line.find(needle) != std::string::npos) ++n;
    return n;
}

bwa_session* make_session(const std::string& socket) {
    bwa_session_settings set{};
    set.socket = socket.c_str();
    set.timeout_ms = 2000;
    set.service = "imap";
    set.session_id = "S1";
    set.mailbox = "info@example.de";
    set.master_user = "anna";
    set.agent_log = 1;
    return bwa_session_create(&set, capture_log);
}

AttrList recorded(const AttrRequest& r) {
    return {{"status", "ok"}, {"event_id", std::string(r.find("event_id").value_or(""))}};
}

const AttrList kUser = {{"status", "ok"},
                        {"login", "anna"},
                        {"display_name", "Anna"},
                        {"activity_access", "0"},
                        {"mailboxes", "info@example.de"}};

struct Seen {
    std::mutex mu;
    std::vector<std::string> requests;  // "request event_id"
    void add(const AttrRequest& r) {
        std::lock_guard lock(mu);
        requests.push_back(std::string(r.find("request").value_or("")) + " " +
                           std::string(r.find("event_id").value_or("")));
    }
    std::vector<std::string> get() {
        std::lock_guard lock(mu);
        return requests;
    }
};

TEST(DovecotPluginAccessCore, EntriesAreSentWithoutWaitingForTheirReplies) {
    std::atomic<bool> release{false};
    Seen seen;
    FakeServer server([&](ServerSide& s, int) {
        std::vector<AttrRequest> got;
        while (got.size() < 2) {
            auto r = s.read_request();
            if (!r) return;
            seen.add(*r);
            got.push_back(std::move(*r));
        }
        while (!release) std::this_thread::sleep_for(1ms);  // policyd's fsync, very slow
        for (const auto& r : got) s.reply(recorded(r));
        while (auto r = s.read_request()) {
            seen.add(*r);
            s.reply(recorded(*r));
        }
    });
    g_log.clear();
    bwa_session* s = make_session(server.path());
    ASSERT_NE(s, nullptr);
    const auto t0 = SteadyClock::now();
    EXPECT_EQ(bwa_flags_changed(s, 0, BWA_FLAG_SEEN, "<m1@x>", 1795766400000000LL), 1);
    EXPECT_EQ(bwa_flags_changed(s, BWA_FLAG_SEEN, BWA_FLAG_SEEN | BWA_FLAG_ANSWERED, "<m1@x>",
                                1795766401000000LL),
              1);
    // Neither call waited for a reply (none was sent yet).
    EXPECT_LT(SteadyClock::now() - t0, 500ms);
    for (int i = 0; i < 2000 && seen.get().size() < 2; ++i) std::this_thread::sleep_for(1ms);
    EXPECT_EQ(seen.get(), (std::vector<std::string>{"record_agent_action imap-S1-1",
                                                    "record_agent_action imap-S1-2"}));
    release = true;
    bwa_session_destroy(&s);  // collects both replies
    EXPECT_EQ(s, nullptr);
    EXPECT_EQ(logged("agent-log entry"), 0u);
    EXPECT_EQ(seen.get().size(), 2u);  // nothing resent
}

TEST(DovecotPluginAccessCore, ATempfailIsSentAgainBeforeTheNextEntryAndWarnedOnce) {
    Seen seen;
    std::atomic<int> tempfails{1};
    FakeServer server([&](ServerSide& s, int) {
        while (auto r = s.read_request()) {
            seen.add(*r);
            if (r->find("request") == "user")
                s.reply(kUser);
            else if (tempfails-- > 0)
                s.reply({{"status", "tempfail"}, {"reason", "log spool unavailable"}});
            else
                s.reply(recorded(*r));
        }
    });
    g_log.clear();
    bwa_session* s = make_session(server.path());
    ASSERT_NE(s, nullptr);
    EXPECT_EQ(bwa_flags_changed(s, 0, BWA_FLAG_SEEN, "<m1@x>", 1795766400000000LL), 1);
    // The assignment check's request comes after the entry: its reply is
    // read first (the tempfail), then the check's own.
    const char* message = nullptr;
    EXPECT_EQ(bwa_assignment_check(s, &message), 1);
    EXPECT_EQ(logged("agent-log entry not yet durable (tempfail from policyd: log spool "
                     "unavailable), kept for a retry: event_id=imap-S1-1"),
              1u);
    // The next entry sends the kept one first.
    EXPECT_EQ(bwa_mail_moved(s, "Archive", "<m2@x>", 1795766402000000LL), 1);
    bwa_session_destroy(&s);
    EXPECT_EQ(seen.get(), (std::vector<std::string>{"record_agent_action imap-S1-1", "user ",
                                                    "record_agent_action imap-S1-1",
                                                    "record_agent_action imap-S1-2"}));
    EXPECT_EQ(logged("agent-log entry"), 1u);  // the one warning, nothing lost
}

TEST(DovecotPluginAccessCore, EntriesPolicydNeverGotAreLoggedLostAtSessionEnd) {
    g_log.clear();
    bwa_session* s = make_session("/nonexistent/boxwarden/query.sock");
    ASSERT_NE(s, nullptr);
    EXPECT_EQ(bwa_flags_changed(s, 0, BWA_FLAG_SEEN, "<m1@x>", 1795766400000000LL), -1);
    EXPECT_EQ(bwa_mail_expunged(s, 0, "<m2@x>", 1795766401000000LL), -1);
    EXPECT_EQ(logged("not yet durable (policyd unreachable: "), 1u);
    EXPECT_EQ(logged("not yet durable (older entries still waiting)"), 1u);
    bwa_session_destroy(&s);
    EXPECT_EQ(logged("agent-log entry lost at session end (policyd unreachable): "
                     "event_id=imap-S1-1 "),
              1u);
    EXPECT_EQ(logged("agent-log entry lost at session end (policyd unreachable): "
                     "event_id=imap-S1-2 "),
              1u);
}

TEST(DovecotPluginAccessCore, AnEntryInFlightWhenTheConnectionBreaksIsResentAtSessionEnd) {
    Seen seen;
    FakeServer server([&](ServerSide& s, int n) {
        if (n == 1) {
            if (auto r = s.read_request()) seen.add(*r);
            return;  // dies with the entry unanswered
        }
        while (auto r = s.read_request()) {
            seen.add(*r);
            s.reply(recorded(*r));
        }
    });
    g_log.clear();
    bwa_session* s = make_session(server.path());
    ASSERT_NE(s, nullptr);
    EXPECT_EQ(bwa_flags_changed(s, 0, BWA_FLAG_SEEN, "<m1@x>", 1795766400000000LL), 1);
    bwa_session_destroy(&s);
    EXPECT_EQ(seen.get(), (std::vector<std::string>{"record_agent_action imap-S1-1",
                                                    "record_agent_action imap-S1-1"}));
    EXPECT_EQ(logged("lost"), 0u);
    EXPECT_EQ(server.connections(), 2);
}

}  // namespace
}  // namespace boxwarden::client::testing
