#include "boxwarden/policyd_client.h"

#include <charconv>
#include <cstdio>
#include <utility>

#include "boxwarden/query_protocol.h"

namespace boxwarden::client {

namespace qp = query_protocol;
namespace f = query_protocol::field;

namespace {

void add(AttrList& out, std::string_view name, std::string_view value) {
    out.emplace_back(std::string(name), std::string(value));
}

AttrList named(std::string_view request) {
    AttrList out;
    add(out, f::request, request);
    return out;
}

// Reads the attributes of one reply, recording the first problem.
class Reader {
  public:
    explicit Reader(const AttrRequest& r) : r_(r) {}

    std::string text(std::string_view name) {
        auto v = r_.find(name);
        if (!v) {
            problem("missing attribute " + std::string(name));
            return {};
        }
        return std::string(*v);
    }
    // An attribute that may be left out: "" then.
    std::string text_if_present(std::string_view name) const {
        auto v = r_.find(name);
        return v ? std::string(*v) : std::string();
    }
    bool flag(std::string_view name) {
        const std::string v = text(name);
        if (v != "0" && v != "1" && problem_.empty())
            problem("attribute " + std::string(name) + " is not 0 or 1");
        return v == "1";
    }
    // "" -> nullopt (a documented empty value), otherwise a flag.
    std::optional<bool> flag_or_empty(std::string_view name) {
        auto v = r_.find(name);
        if (v && v->empty()) return std::nullopt;
        return flag(name);
    }
    std::int64_t number(std::string_view name) {
        const std::string v = text(name);
        std::int64_t n = 0;
        auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
        if ((ec != std::errc() || p != v.data() + v.size()) && problem_.empty())
            problem("attribute " + std::string(name) + " is not a number");
        return n;
    }
    std::optional<std::int64_t> number_or_empty(std::string_view name) {
        auto v = r_.find(name);
        if (v && v->empty()) return std::nullopt;
        return number(name);
    }
    const std::string& problem() const { return problem_; }

  private:
    void problem(std::string p) {
        if (problem_.empty()) problem_ = std::move(p);
    }
    const AttrRequest& r_;
    std::string problem_;
};

template <class T, class Fill>
Result<T> decode(RawReply raw, bool fields_unless_ok, Fill fill) {
    Result<T> out;
    out.kind = raw.kind;
    out.error = std::move(raw.error);
    // Transport failures and error replies carry no attributes to read.
    const bool has_fields = raw.kind == ResultKind::Ok ||
                            (fields_unless_ok && raw.attributes.find(f::status).has_value() &&
                             raw.kind != ResultKind::Error);
    if (!has_fields) return out;
    Reader reader(raw.attributes);
    fill(reader, out.value, raw.kind);
    if (!reader.problem().empty()) {
        out.kind = ResultKind::Error;
        out.error = "malformed reply: " + reader.problem();
    }
    return out;
}

void fill_verdict(Reader& r, VerdictReply& v) {
    v.address = r.text(f::address);
    v.domain_hosted = r.flag_or_empty(f::domain_hosted);
    v.exists = r.flag_or_empty(f::exists);
    v.verdict = r.text(f::verdict);
    v.smtp_code = static_cast<int>(r.number(f::smtp_code));
    v.enhanced_code = r.text(f::enhanced_code);
    v.smtp_text = r.text(f::smtp_text);
}

std::vector<std::string> split_list(const std::string& s) {
    std::vector<std::string> out;
    std::size_t start = 0;
    while (start < s.size()) {
        const auto comma = s.find(',', start);
        const auto end = comma == std::string::npos ? s.size() : comma;
        if (end > start) out.push_back(s.substr(start, end - start));
        start = end + 1;
    }
    return out;
}

RawReply transport_failure(const IoResult& io) {
    return RawReply{ResultKind::Tempfail, io.error, {}};
}

}  // namespace

std::string_view to_string(ResultKind kind) {
    switch (kind) {
        case ResultKind::Ok:
            return qp::status::ok;
        case ResultKind::NotFound:
            return qp::status::notfound;
        case ResultKind::Tempfail:
            return qp::status::tempfail;
        case ResultKind::Error:
            break;
    }
    return qp::status::error;
}

std::string format_protocol_time(std::chrono::system_clock::time_point t) {
    const auto us =
        std::chrono::duration_cast<std::chrono::microseconds>(t.time_since_epoch()).count();
    if (us < 0) return "0";
    char buf[40];
    std::snprintf(buf, sizeof buf, "%lld.%06lld", static_cast<long long>(us / 1000000),
                  static_cast<long long>(us % 1000000));
    return buf;
}

AttrList mailbox_request(std::string_view address) {
    AttrList out = named(qp::request::mailbox);
    add(out, f::address, address);
    return out;
}

AttrList verdict_request(std::string_view address) {
    AttrList out = named(qp::request::verdict);
    add(out, f::address, address);
    return out;
}

AttrList user_request(std::string_view login) {
    AttrList out = named(qp::request::user);
    add(out, f::login, login);
    return out;
}

AttrList record_activity_request(const RecordActivity& r) {
    AttrList out = named(qp::request::record_activity);
    add(out, f::event_id, r.event_id);
    add(out, f::mailbox, r.mailbox);
    add(out, f::direction, r.direction);
    add(out, f::occurred_at, r.occurred_at);
    add(out, f::message_id, r.message_id);
    add(out, f::sender, r.sender);
    add(out, f::recipients, r.recipients);
    add(out, f::subject, r.subject);
    add(out, f::in_to_header, r.in_to_header ? "1" : "0");
    return out;
}

AttrList record_agent_action_request(const RecordAgentAction& r) {
    AttrList out = named(qp::request::record_agent_action);
    add(out, f::event_id, r.event_id);
    add(out, f::mailbox, r.mailbox);
    add(out, f::login, r.login);
    add(out, f::action, r.action);
    add(out, f::occurred_at, r.occurred_at);
    if (!r.message_id.empty()) add(out, f::message_id, r.message_id);
    if (!r.folder.empty()) add(out, f::folder, r.folder);
    return out;
}

AttrList ooo_claim_request(const OooClaim& r) {
    AttrList out = named(qp::request::ooo_claim);
    add(out, f::mailbox, r.mailbox);
    add(out, f::sender, r.sender);
    if (!r.now.empty()) add(out, f::now, r.now);
    return out;
}

AttrList ooo_release_request(const OooRelease& r) {
    AttrList out = named(qp::request::ooo_release);
    add(out, f::mailbox, r.mailbox);
    add(out, f::sender, r.sender);
    add(out, f::claim_token, r.claim_token);
    return out;
}

AttrList status_request() {
    return named(qp::request::status);
}

RawReply classify_reply(AttrRequest reply) {
    RawReply out;
    const auto status = reply.find(f::status);
    const auto reason = reply.find(f::reason);
    if (!status) {
        out.error = "malformed reply: no status attribute";
    } else if (*status == qp::status::ok) {
        out.kind = ResultKind::Ok;
    } else if (*status == qp::status::notfound || *status == qp::status::tempfail ||
               *status == qp::status::error) {
        out.kind = *status == qp::status::notfound   ? ResultKind::NotFound
                   : *status == qp::status::tempfail ? ResultKind::Tempfail
                                                     : ResultKind::Error;
        out.error = reason ? std::string(*reason) : std::string(*status) + " without a reason";
    } else {
        out.error = "malformed reply: unknown status '" + sanitize_for_log(*status, 40) + "'";
    }
    out.attributes = std::move(reply);
    return out;
}

Result<VerdictReply> decode_verdict(RawReply raw) {
    return decode<VerdictReply>(std::move(raw), true,
                                [](Reader& r, VerdictReply& v, ResultKind) { fill_verdict(r, v); });
}

Result<MailboxReply> decode_mailbox(RawReply raw) {
    return decode<MailboxReply>(std::move(raw), true, [](Reader& r, MailboxReply& m, ResultKind k) {
        fill_verdict(r, m.delivery);
        if (k != ResultKind::Ok) return;
        m.active = r.flag(f::active);
        m.deactivated_at = r.text(f::deactivated_at);
        m.email_name = r.text(f::email_name);
        m.vip = r.flag(f::vip);
        m.ooo_enabled = r.flag(f::ooo_enabled);
        m.ooo_subject = r.text(f::ooo_subject);
        m.ooo_body = r.text(f::ooo_body);
        m.ooo_start = r.text(f::ooo_start);
        m.ooo_end = r.text(f::ooo_end);
        m.ooo_interval_days = static_cast<int>(r.number(f::ooo_interval_days));
    });
}

Result<UserReply> decode_user(RawReply raw) {
    return decode<UserReply>(std::move(raw), false, [](Reader& r, UserReply& u, ResultKind) {
        u.login = r.text(f::login);
        u.display_name = r.text(f::display_name);
        u.activity_access = r.flag(f::activity_access);
        u.mailboxes = split_list(r.text(f::mailboxes));
    });
}

Result<RecordedReply> decode_recorded(RawReply raw) {
    return decode<RecordedReply>(
        std::move(raw), false,
        [](Reader& r, RecordedReply& e, ResultKind) { e.event_id = r.text(f::event_id); });
}

Result<OooClaimReply> decode_ooo_claim(RawReply raw) {
    return decode<OooClaimReply>(std::move(raw), false,
                                 [](Reader& r, OooClaimReply& o, ResultKind) {
                                     o.should_reply = r.flag(f::should_reply);
                                     if (o.should_reply)
                                         o.claim_token = r.text_if_present(f::claim_token);
                                 });
}

Result<OooReleaseReply> decode_ooo_release(RawReply raw) {
    return decode<OooReleaseReply>(
        std::move(raw), false,
        [](Reader& r, OooReleaseReply& o, ResultKind) { o.released = r.flag(f::released); });
}

Result<StatusReply> decode_status(RawReply raw) {
    return decode<StatusReply>(std::move(raw), false, [](Reader& r, StatusReply& s, ResultKind) {
        s.uptime_seconds = r.number(f::uptime_seconds);
        s.cache_synced = r.flag(f::cache_synced);
        s.cache_age_ms = r.number_or_empty(f::cache_age_ms);
        s.cache_stale = r.flag(f::cache_stale);
        s.cutoff_seconds = r.number(f::cutoff_seconds);
        s.cache_version = r.number(f::cache_version);
        s.domains = r.number(f::domains);
        s.mailboxes = r.number(f::mailboxes);
        s.users = r.number(f::users);
        s.assignments = r.number(f::assignments);
        s.spool_depth = r.number(f::spool_depth);
        s.log_submitted = r.number(f::log_submitted);
        s.log_written = r.number(f::log_written);
        s.log_rejected = r.number(f::log_rejected);
        s.log_database_ok = r.flag(f::log_database_ok);
        s.requests_served = r.number(f::requests_served);
        s.policy_requests = r.number(f::policy_requests);
        s.query_requests = r.number(f::query_requests);
        s.connections = r.number(f::connections);
        s.connections_total = r.number(f::connections_total);
        s.connections_refused = r.number(f::connections_refused);
        s.protocol_errors = r.number(f::protocol_errors);
    });
}

// Replies may exceed the daemon's request limits (an escaped out-of-office
// body), but stay bounded: a runaway peer cannot make the client buffer more.
constexpr AttrLimits kReplyLimits{1 << 20, 256, 4 << 20};

PolicydClient::PolicydClient(std::string target, std::chrono::milliseconds timeout)
    : conn_(std::move(target), AttrEncoding::Escaped, kReplyLimits), timeout_(timeout) {}

std::string PolicydClient::connect() {
    abandon_in_flight("the client reconnected");
    return conn_.connect(deadline_in(timeout_)).error;
}

void PolicydClient::close() {
    abandon_in_flight("the client closed the connection");
    conn_.close();
}

void PolicydClient::abandon_in_flight(const std::string& why) {
    std::string text;  // append, not "lit" + string (g++12 -O3 -Wrestrict)
    text.append("no reply (").append(why).append(")");
    for (; in_flight_ > 0; --in_flight_) ready_.push_back(RawReply{ResultKind::Tempfail, text, {}});
}

void PolicydClient::read_in_flight(Deadline deadline, std::size_t keep, bool wait) {
    while (in_flight_ > keep) {
        if (!conn_.is_open()) {
            abandon_in_flight("connection closed");
            return;
        }
        ReplyResult got;
        if (wait) {
            got = conn_.read_reply(deadline);
        } else {
            auto now = conn_.read_reply_nowait();
            if (!now) return;
            got = std::move(*now);
        }
        if (!got.io.ok()) {
            // A timeout leaves it open: a late reply would be out of step.
            conn_.close();
            abandon_in_flight(got.io.error);
            return;
        }
        --in_flight_;
        ready_.push_back(classify_reply(std::move(got.reply)));
    }
}

std::optional<RawReply> PolicydClient::send_async(const AttrList& request) {
    std::string bytes;
    try {
        bytes = encode_attributes(request, AttrEncoding::Escaped);
    } catch (const std::invalid_argument& e) {
        return RawReply{ResultKind::Error, std::string("bad request: ") + e.what(), {}};
    }
    const Deadline deadline = deadline_in(timeout_);
    // Replies already there first: they also reveal a connection the daemon
    // closed after answering.
    read_in_flight(deadline, 0, false);
    for (int attempt = 0;; ++attempt) {
        if (conn_.is_open() && in_flight_ == 0 && conn_.peer_closed()) conn_.close();
        if (!conn_.is_open()) {
            abandon_in_flight("connection closed");
            IoResult c = conn_.connect(deadline);
            if (!c.ok()) return transport_failure(c);
        }
        IoResult sent = conn_.send(bytes, deadline);
        if (sent.ok()) {
            ++in_flight_;
            return std::nullopt;
        }
        // send() closed the connection: what was in flight on it gets no reply.
        abandon_in_flight(sent.error);
        if (sent.status == IoStatus::Closed && attempt == 0) continue;  // not received: resend
        return transport_failure(sent);
    }
}

std::vector<RawReply> PolicydClient::collect_ready() {
    read_in_flight(std::chrono::steady_clock::now(), 0, false);
    return std::exchange(ready_, {});
}

std::vector<RawReply> PolicydClient::collect_until(Deadline deadline, std::size_t keep) {
    read_in_flight(deadline, keep, true);
    return std::exchange(ready_, {});
}

RawReply PolicydClient::exchange(const std::string& bytes, bool idempotent, Deadline deadline) {
    // Replies arrive in order: those of asynchronous requests come first.
    read_in_flight(deadline, 0, true);
    for (int attempt = 0;; ++attempt) {
        // A connection the daemon closed while idle is replaced before
        // anything is written into it.
        if (conn_.is_open() && conn_.peer_closed()) conn_.close();
        if (!conn_.is_open()) {
            IoResult c = conn_.connect(deadline);
            if (!c.ok()) return transport_failure(c);
        }
        IoResult sent = conn_.send(bytes, deadline);
        if (sent.status == IoStatus::Closed && attempt == 0) continue;  // not received: resend
        if (!sent.ok()) return transport_failure(sent);
        ReplyResult got = conn_.read_reply(deadline);
        if (got.io.ok()) return classify_reply(std::move(got.reply));
        // A late reply would be taken for the next request's.
        if (got.io.status == IoStatus::Timeout) conn_.close();
        if (got.io.status == IoStatus::Closed && idempotent && attempt == 0) continue;
        if (got.io.status == IoStatus::Error) return RawReply{ResultKind::Error, got.io.error, {}};
        return transport_failure(got.io);
    }
}

RawReply PolicydClient::call(const AttrList& request, bool idempotent) {
    std::string bytes;
    try {
        bytes = encode_attributes(request, AttrEncoding::Escaped);
    } catch (const std::invalid_argument& e) {
        return RawReply{ResultKind::Error, std::string("bad request: ") + e.what(), {}};
    }
    return exchange(bytes, idempotent, deadline_in(timeout_));
}

std::vector<RawReply> PolicydClient::pipeline(const std::vector<AttrList>& requests) {
    std::vector<RawReply> out;
    out.reserve(requests.size());
    std::string bytes;
    try {
        for (const AttrList& r : requests) bytes += encode_attributes(r, AttrEncoding::Escaped);
    } catch (const std::invalid_argument& e) {
        out.assign(requests.size(),
                   RawReply{ResultKind::Error, std::string("bad request: ") + e.what(), {}});
        return out;
    }
    const Deadline deadline = deadline_in(timeout_);
    read_in_flight(deadline, 0, true);
    IoResult io;
    for (int attempt = 0; attempt < 2; ++attempt) {
        if (conn_.is_open() && conn_.peer_closed()) conn_.close();
        io = conn_.is_open() ? IoResult{} : conn_.connect(deadline);
        if (io.ok()) io = conn_.send(bytes, deadline);
        if (io.status != IoStatus::Closed) break;
    }
    while (io.ok() && out.size() < requests.size()) {
        ReplyResult got = conn_.read_reply(deadline);
        if (!got.io.ok()) {
            io = got.io;
            conn_.close();  // the replies still due would be out of step
            break;
        }
        out.push_back(classify_reply(std::move(got.reply)));
    }
    const RawReply rest = io.status == IoStatus::Error ? RawReply{ResultKind::Error, io.error, {}}
                                                       : transport_failure(io);
    while (out.size() < requests.size()) out.push_back(rest);
    return out;
}

Result<MailboxReply> PolicydClient::mailbox(std::string_view address) {
    return decode_mailbox(call(mailbox_request(address), true));
}

Result<VerdictReply> PolicydClient::verdict(std::string_view address) {
    return decode_verdict(call(verdict_request(address), true));
}

Result<UserReply> PolicydClient::user(std::string_view login) {
    return decode_user(call(user_request(login), true));
}

Result<RecordedReply> PolicydClient::record_activity(const RecordActivity& r) {
    return decode_recorded(call(record_activity_request(r), true));
}

Result<RecordedReply> PolicydClient::record_agent_action(const RecordAgentAction& r) {
    return decode_recorded(call(record_agent_action_request(r), true));
}

Result<OooClaimReply> PolicydClient::ooo_claim(const OooClaim& r) {
    return decode_ooo_claim(call(ooo_claim_request(r), false));
}

// A release names its claim by token, so a repeat after a lost reply is
// harmless (the second finds nothing to release).
Result<OooReleaseReply> PolicydClient::ooo_release(const OooRelease& r) {
    return decode_ooo_release(call(ooo_release_request(r), true));
}

Result<StatusReply> PolicydClient::status() {
    return decode_status(call(status_request(), true));
}

}  // namespace boxwarden::client
