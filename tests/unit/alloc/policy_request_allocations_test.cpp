// Allocations on the policy request path: reading one Postfix policy request
// (feed + next_view) and turning it into a PolicyQuery, and the whole path
// (parse, decision against a directory, the action= reply appended to the
// connection's output buffer). Its own binary, because it replaces the
// global operator new with a counting one.
#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <new>
#include <string>

#include "../policyd_fake_directory.h"
#include "boxwarden/attr_codec.h"
#include "boxwarden/clock.h"
#include "policy_request.h"
#include "policy_service.h"

namespace {
std::atomic<long> allocations{0};
}  // namespace

// The replacement pair below is malloc/free on purpose; g++ cannot see that
// operator new and operator delete are replaced together.
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"

void* operator new(std::size_t size) {
    allocations.fetch_add(1, std::memory_order_relaxed);
    if (void* p = std::malloc(size == 0 ? 1 : size)) return p;
    throw std::bad_alloc();
}
void* operator new[](std::size_t size) {
    return operator new(size);
}
void operator delete(void* p) noexcept {
    std::free(p);
}
void operator delete[](void* p) noexcept {
    std::free(p);
}
void operator delete(void* p, std::size_t) noexcept {
    std::free(p);
}
void operator delete[](void* p, std::size_t) noexcept {
    std::free(p);
}

namespace boxwarden::policyd {
namespace {

// What smtpd 3.7 sends at RCPT time (SMTPD_POLICY_README), with long values.
std::string policy_request_to(const std::string& recipient) {
    return "request=smtpd_access_policy\n"
           "protocol_state=RCPT\n"
           "protocol_name=ESMTP\n"
           "client_address=192.0.2.17\n"
           "client_name=mail.sender-example.org\n"
           "client_port=52114\n"
           "reverse_client_name=mail.sender-example.org\n"
           "server_address=198.51.100.25\n"
           "server_port=25\n"
           "helo_name=mail.sender-example.org\n"
           "sender=newsletter-bounces@sender-example.org\n"
           "recipient=" +
           recipient +
           "\n"
           "recipient_count=0\n"
           "queue_id=\n"
           "instance=123.456.7\n"
           "size=12345\n"
           "etrn_domain=\n"
           "stress=\n"
           "sasl_method=\n"
           "sasl_username=\n"
           "sasl_sender=\n"
           "ccert_subject=\n"
           "ccert_issuer=\n"
           "ccert_fingerprint=\n"
           "ccert_pubkey_fingerprint=\n"
           "encryption_protocol=TLSv1.3\n"
           "encryption_cipher=TLS_AES_256_GCM_SHA384\n"
           "encryption_keysize=256\n"
           "policy_context=\n"
           "compatibility_level=3.6\n"
           "mail_version=3.7.11\n"
           "\n";
}

std::string policy_request(int n) {
    return policy_request_to("recipient-" + std::to_string(n) + "@example.de");
}

long allocations_to_parse(AttrRequestParser& parser, const std::string& wire, PolicyQuery& out) {
    const long before = allocations.load();
    parser.feed(wire);
    const auto view = parser.next_view();
    if (!view) return -1;
    auto parsed = parse_policy_request(*view);
    if (auto* q = std::get_if<PolicyQuery>(&parsed)) out = std::move(*q);
    return allocations.load() - before;
}

TEST(PolicyRequestAllocations, AtMostThreePerRequestOnASteadyConnection) {
    AttrRequestParser parser(AttrEncoding::Raw);
    PolicyQuery q;
    // The first request on a connection sizes the parser's buffers.
    ASSERT_GE(allocations_to_parse(parser, policy_request(0), q), 0);
    for (int n = 1; n <= 100; ++n) {
        // Split in two reads, as a slow client would send it.
        const std::string wire = policy_request(n);
        const long before = allocations.load();
        parser.feed(std::string_view(wire).substr(0, 100));
        const long during = allocations_to_parse(parser, wire.substr(100), q);
        ASSERT_GE(during, 0);
        EXPECT_LE(allocations.load() - before, 3) << "request " << n;
        EXPECT_EQ(q.recipient, "recipient-" + std::to_string(n) + "@example.de");
        EXPECT_EQ(q.sender, "newsletter-bounces@sender-example.org");
        EXPECT_EQ(q.protocol_state, "RCPT");
    }
}

// The whole path on a steady connection, as Server::process runs it: parse,
// decide against the directory, append the reply to the output buffer
// (whose capacity the connection keeps, as it clears it after sending).
class PolicyPathAllocations : public ::testing::Test {
  protected:
    void SetUp() override {
        for (int n = 0; n <= kRequests; ++n) {
            dir.add_mailbox("recipient-" + std::to_string(n) + "@example.de");
            dir.add_mailbox("disabled-" + std::to_string(n) + "@example.de", false).deactivated_at =
                clock.now() - std::chrono::hours(1);
        }
    }

    // Allocations for one request; `reply` gets what the connection would send.
    long allocations_to_answer(const std::string& wire, std::string& reply) {
        out.clear();
        const long before = allocations.load();
        parser.feed(wire);
        const auto view = parser.next_view();
        if (!view) return -1;
        const PolicyAnswer a = service.answer(*view);
        if (a.close) return -1;
        append_policy_reply(a.verdict, out);
        const long used = allocations.load() - before;
        reply = out;
        return used;
    }

    // Runs kRequests requests after one warm-up request with the longest
    // recipient (it sizes the parser's and the look-ups' reused buffers,
    // which otherwise grow once when a longer address comes) and checks
    // each reply and count.
    void expect_steady(const std::string& prefix, const std::string& expected_reply) {
        std::string reply;
        out.reserve(4096);
        ASSERT_GE(allocations_to_answer(
                      policy_request_to(prefix + std::to_string(kRequests) + "@example.de"), reply),
                  0);
        EXPECT_EQ(reply, expected_reply);
        for (int n = 1; n <= kRequests; ++n) {
            const std::string wire = policy_request_to(prefix + std::to_string(n) + "@example.de");
            const long used = allocations_to_answer(wire, reply);
            ASSERT_GE(used, 0) << "request " << n;
            // The target is at most 3; today it is 2, the owned
            // recipient and sender of PolicyQuery: the decision, the reply
            // and its encoding allocate nothing.
            EXPECT_LE(used, 2) << prefix << n;
            EXPECT_EQ(reply, expected_reply) << prefix << n;
        }
    }

    static constexpr int kRequests = 50;
    testing::FakeDirectory dir;
    ManualClock clock{TimePoint{} + std::chrono::hours(24 * 365 * 56)};
    RuntimeSettingsHolder settings{RuntimeSettings{}};
    // No refusal is logged: a logged one allocates its log line (the first
    // 20 of each kind per 10 s in the daemon), which is not this path.
    PolicyService service{dir, clock, settings, LogThrottle{0, std::chrono::hours(24)}};
    AttrRequestParser parser{AttrEncoding::Raw};
    std::string out;
};

TEST_F(PolicyPathAllocations, DunnoForAnActiveMailbox) {
    expect_steady("recipient-", "action=DUNNO\n\n");
}

TEST_F(PolicyPathAllocations, RejectUnknownMailbox) {
    expect_steady("nobody-", "action=550 5.1.1 Mailbox unknown\n\n");
}

TEST_F(PolicyPathAllocations, RejectDisabledMailbox) {
    expect_steady("disabled-", "action=550 5.2.1 Mailbox disabled\n\n");
}

TEST_F(PolicyPathAllocations, DeferWhenTheCacheIsStale) {
    dir.fresh = Freshness{true, std::chrono::seconds(1800), std::chrono::seconds(1800)};
    expect_steady("recipient-",
                  "action=DEFER_IF_PERMIT 4.3.0 Mailbox state temporarily unavailable, try again "
                  "later\n\n");
}

TEST_F(PolicyPathAllocations, RecipientWithAnExtension) {
    expect_steady("disabled-5+newsletter-", "action=550 5.2.1 Mailbox disabled\n\n");
}

TEST(PolicyRequestAllocations, TheCounterSeesAllocations) {
    // Guards the test above against a counter that never counts.
    const long before = allocations.load();
    auto* s = new std::string(100, 'x');
    delete s;
    EXPECT_GE(allocations.load() - before, 2);
}

}  // namespace
}  // namespace boxwarden::policyd
