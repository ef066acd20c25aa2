#pragma once
// The client of policyd's internal protocol (docs/protocol.md "Internal
// socket", "Client library"): typed requests and replies, one connection.
//
//   PolicydClient c("/run/boxwarden/query.sock", std::chrono::seconds(2));
//   auto v = c.verdict("info@example.de");
//   if (v.kind == ResultKind::Tempfail) ...   // policyd unreachable or stale
//
// Every call has one deadline (the timeout given here) covering connect,
// write and read. Results have four kinds: Ok, NotFound and Tempfail as
// policyd answered them, and Error for a bad request or a reply that makes
// no sense; a transport failure (cannot connect, timeout, connection lost)
// is Tempfail, with `error` saying what happened.
//
// Reconnects: a call on a connection the daemon has closed (idle_timeout,
// restart) reconnects first. When the connection breaks after the request
// was written, the call is repeated once on a new connection if the request
// is idempotent: every look-up, and record_activity / record_agent_action,
// which carry an event_id that policyd stores once, and ooo_release, which
// names its claim by token. ooo_claim is not repeated once written (a
// second claim could answer 0 although the first was recorded); it returns
// Tempfail instead.
//
// Not thread-safe: one client object per thread, or a pool. Never throws
// for I/O or protocol problems (only std::bad_alloc).
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "boxwarden/attr_codec.h"
#include "boxwarden/client_connection.h"

namespace boxwarden::client {

enum class ResultKind { Ok, NotFound, Tempfail, Error };

std::string_view to_string(ResultKind kind);

template <class T>
struct Result {
    ResultKind kind = ResultKind::Error;
    // Why it is not Ok: policyd's reason=, or the transport / parse error.
    std::string error;
    // Filled from every reply that had its attributes (mailbox and verdict
    // replies carry them with notfound and tempfail too).
    T value{};
    bool ok() const { return kind == ResultKind::Ok; }
};

// A reply as it came: kind from status=, reason=, every attribute.
struct RawReply {
    ResultKind kind = ResultKind::Error;
    std::string error;
    AttrRequest attributes;
};

// request=verdict, and the first part of request=mailbox.
struct VerdictReply {
    std::string address;
    std::optional<bool> domain_hosted;  // nullopt when tempfail
    std::optional<bool> exists;         // nullopt when tempfail
    std::string verdict;                // "deliver", "reject-unknown", ...
    int smtp_code = 0;
    std::string enhanced_code;
    std::string smtp_text;
    bool deliver() const { return verdict == "deliver"; }
};

struct MailboxReply {
    VerdictReply delivery;
    // Only with Ok:
    bool active = false;
    std::string deactivated_at;  // SQL time form (UTC), "" = none
    std::string email_name;
    bool vip = false;
    bool ooo_enabled = false;
    std::string ooo_subject;
    std::string ooo_body;
    std::string ooo_start;  // "" = unbounded
    std::string ooo_end;
    int ooo_interval_days = 0;
};

struct UserReply {
    std::string login;
    std::string display_name;
    bool activity_access = false;
    std::vector<std::string> mailboxes;
};

// Times in requests: "YYYY-MM-DD HH:MM:SS[.ffffff]" (UTC) or Unix seconds;
// format_protocol_time makes the latter from a time point.
struct RecordActivity {
    std::string event_id;
    std::string mailbox;
    std::string direction;  // "sent" or "received"
    std::string occurred_at;
    std::string message_id;
    std::string sender;
    std::string recipients;
    std::string subject;
    bool in_to_header = true;
};

struct RecordAgentAction {
    std::string event_id;
    std::string mailbox;
    std::string login;
    std::string action;  // "read", "answered", "deleted" or "moved"
    std::string occurred_at;
    std::string message_id;
    std::string folder{};  // the target folder of "moved" ("" = not sent)
};

struct RecordedReply {
    std::string event_id;
};

struct OooClaim {
    std::string mailbox;
    std::string sender;
    std::string now;  // "" = the daemon's clock
};

struct OooClaimReply {
    bool should_reply = false;
    // With should_reply: names this claim for ooo_release ("" from a
    // policyd that does not send it).
    std::string claim_token;
};

// Gives a claim back after the reply could not be sent.
struct OooRelease {
    std::string mailbox;
    std::string sender;
    std::string claim_token;
};

struct OooReleaseReply {
    bool released = false;  // false: that claim was no longer the current one
};

struct StatusReply {
    std::int64_t uptime_seconds = 0;
    bool cache_synced = false;
    std::optional<std::int64_t> cache_age_ms;
    bool cache_stale = false;
    std::int64_t cutoff_seconds = 0;
    std::int64_t cache_version = 0;
    std::int64_t domains = 0, mailboxes = 0, users = 0, assignments = 0;
    std::int64_t spool_depth = 0;
    std::int64_t log_submitted = 0, log_written = 0, log_rejected = 0;
    bool log_database_ok = false;
    std::int64_t requests_served = 0, policy_requests = 0, query_requests = 0;
    std::int64_t connections = 0, connections_total = 0, connections_refused = 0;
    std::int64_t protocol_errors = 0;
};

// Unix seconds with microseconds, e.g. "1795766400.250000".
std::string format_protocol_time(std::chrono::system_clock::time_point t);

// The request attribute lists (for pipelining, see PolicydClient::pipeline).
AttrList mailbox_request(std::string_view address);
AttrList verdict_request(std::string_view address);
AttrList user_request(std::string_view login);
AttrList record_activity_request(const RecordActivity& r);
AttrList record_agent_action_request(const RecordAgentAction& r);
AttrList ooo_claim_request(const OooClaim& r);
AttrList ooo_release_request(const OooRelease& r);
AttrList status_request();

// Typed views of a raw reply. A reply that lacks an attribute its kind
// requires, or carries a value of the wrong form, becomes Error.
Result<MailboxReply> decode_mailbox(RawReply raw);
Result<VerdictReply> decode_verdict(RawReply raw);
Result<UserReply> decode_user(RawReply raw);
Result<RecordedReply> decode_recorded(RawReply raw);
Result<OooClaimReply> decode_ooo_claim(RawReply raw);
Result<OooReleaseReply> decode_ooo_release(RawReply raw);
Result<StatusReply> decode_status(RawReply raw);

// status=, reason= of a reply -> kind and error; unknown status -> Error.
RawReply classify_reply(AttrRequest reply);

class PolicydClient {
  public:
    // target: a unix socket path, "unix:/path" or "inet:host:port". Nothing
    // is connected until the first call (or connect()).
    PolicydClient(std::string target, std::chrono::milliseconds timeout);

    // Connects now (optional). Error text for logs, or "" when connected.
    std::string connect();
    // Requests still in flight are answered Tempfail (see send_async).
    void close();
    bool connected() const { return conn_.is_open(); }
    const std::string& target() const { return conn_.target(); }

    Result<MailboxReply> mailbox(std::string_view address);
    Result<VerdictReply> verdict(std::string_view address);
    Result<UserReply> user(std::string_view login);
    Result<RecordedReply> record_activity(const RecordActivity& r);
    Result<RecordedReply> record_agent_action(const RecordAgentAction& r);
    Result<OooClaimReply> ooo_claim(const OooClaim& r);
    Result<OooReleaseReply> ooo_release(const OooRelease& r);
    Result<StatusReply> status();

    // Any request, answered raw (idempotent says whether it may be resent).
    RawReply call(const AttrList& request, bool idempotent);

    // Pipelining: writes all requests at once, then reads the replies in
    // order (one deadline for the lot). Reconnects only before writing;
    // when the connection breaks midway, the unanswered rest is Tempfail.
    std::vector<RawReply> pipeline(const std::vector<AttrList>& requests);

    // Asynchronous requests (idempotent ones only: they may be resent).
    // send_async writes the request now and returns nullopt; its reply comes
    // later, in order, from collect_ready / collect_until / collect_all.
    // Every request sent gets exactly one reply there: policyd's, or
    // Tempfail when its connection broke, timed out or was closed before
    // the reply came (it may or may not have been processed). A request
    // that could not be written is answered at once instead (Tempfail:
    // cannot connect or write; Error: unencodable); it is not in flight.
    // Synchronous calls on this client first read the replies still due
    // (within their own deadline) and keep them for collect_ready.
    std::optional<RawReply> send_async(const AttrList& request);
    // The replies already received, oldest first; never waits (poll 0).
    std::vector<RawReply> collect_ready();
    // Waits until at most `keep` requests are in flight or the deadline
    // passes; then the rest are Tempfail and the connection is closed.
    std::vector<RawReply> collect_until(Deadline deadline, std::size_t keep);
    std::vector<RawReply> collect_all(Deadline deadline) { return collect_until(deadline, 0); }
    // Requests sent whose reply has not been collected yet (ready or not).
    std::size_t in_flight() const { return in_flight_ + ready_.size(); }
    std::chrono::milliseconds timeout() const { return timeout_; }

  private:
    RawReply exchange(const std::string& bytes, bool idempotent, Deadline deadline);
    // Reads replies of in-flight requests into ready_ until at most `keep`
    // are left; waits until `deadline` (a past deadline: only what is there).
    void read_in_flight(Deadline deadline, std::size_t keep, bool wait);
    // The connection is gone: every in-flight request is answered Tempfail.
    void abandon_in_flight(const std::string& why);

    Connection conn_;
    std::chrono::milliseconds timeout_;
    std::size_t in_flight_ = 0;    // sent on conn_, reply not read yet
    std::vector<RawReply> ready_;  // replies read, not collected yet
};

}  // namespace boxwarden::client
