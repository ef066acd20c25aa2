#include "query_handler.h"

#include <charconv>

#include "boxwarden/address.h"
#include "boxwarden/auto_reply_sender.h"
#include "boxwarden/db.h"
#include "boxwarden/policy_decision.h"
#include "boxwarden/query_protocol.h"
#include "logger.h"

namespace boxwarden::policyd {

namespace qp = query_protocol;
namespace f = query_protocol::field;

namespace {

AttrList reply(std::string_view status, std::string_view reason = {}) {
    AttrList out{{std::string(f::status), std::string(status)}};
    if (!reason.empty()) out.emplace_back(f::reason, std::string(reason));
    return out;
}

AttrList error(std::string_view reason) {
    return reply(qp::status::error, reason);
}

std::string flag(bool b) {
    return b ? "1" : "0";
}

std::string time_or_empty(const std::optional<TimePoint>& t) {
    return t ? db::format_sql_datetime(*t) : std::string();
}

// Text values: valid UTF-8. Identifiers also: no control characters.
bool is_identifier(std::string_view v) {
    if (!is_valid_utf8(v)) return false;
    for (unsigned char c : v)
        if (c < 0x20 || c == 0x7f) return false;
    return true;
}

// A required attribute, or the reason it is unusable.
struct Field {
    std::string value;
    std::string problem;
    bool ok() const { return problem.empty(); }
};

Field required(const AttrRequest& r, std::string_view name, std::size_t max_bytes,
               bool identifier = true) {
    auto v = r.find(name);
    if (!v || v->empty()) return {"", "missing attribute " + std::string(name)};
    if (v->size() > max_bytes)
        return {"", "attribute " + std::string(name) + " longer than " + std::to_string(max_bytes) +
                        " bytes"};
    if (identifier ? !is_identifier(*v) : !is_valid_utf8(*v))
        return {"", "attribute " + std::string(name) + " is not valid text"};
    return {std::string(*v), ""};
}

// An optional identifier: missing or empty is "", else checked as required().
Field optional_identifier(const AttrRequest& r, std::string_view name, std::size_t max_bytes) {
    auto v = r.find(name);
    if (!v || v->empty()) return {"", ""};
    return required(r, name, max_bytes);
}

Field optional_text(const AttrRequest& r, std::string_view name, std::size_t max_bytes) {
    auto v = r.find(name);
    if (!v) return {"", ""};
    if (v->size() > max_bytes)
        return {"", "attribute " + std::string(name) + " longer than " + std::to_string(max_bytes) +
                        " bytes"};
    if (!is_valid_utf8(*v)) return {"", "attribute " + std::string(name) + " is not valid UTF-8"};
    return {std::string(*v), ""};
}

// A mailbox address attribute: the mailbox it names (policy_decision's
// look-up: normalised, full address first, then without the extension).
Field address_field(const AttrRequest& r, std::string_view name, std::string_view delimiters,
                    const DirectorySource& directory) {
    Field f = required(r, name, 320);
    if (!f.ok()) return f;
    std::optional<std::string> key;
    directory.with_view([&](const DirectoryView& view) {
        key = resolve_mailbox_address(f.value, delimiters, view);
    });
    if (!key) {
        const auto problem = address_problem(f.value);
        return {"", "attribute " + std::string(name) +
                        " is not a valid address: " + problem.value_or("unparsable")};
    }
    return {*key, ""};
}

Field time_field(const AttrRequest& r, std::string_view name, std::optional<TimePoint>& out) {
    Field f = required(r, name, 40);
    if (!f.ok()) return f;
    out = parse_protocol_time(f.value);
    if (!out)
        return {"",
                "attribute " + std::string(name) +
                    " is not a time (use 'YYYY-MM-DD HH:MM:SS[.ffffff]' UTC or Unix seconds, from "
                    "1000-01-01 to 9999-12-31 23:59:59.999999)"};
    return f;
}

// A log entry's time: a time, and inside what the log tables accept.
Field log_time_field(const AttrRequest& r, std::string_view name, std::optional<TimePoint>& out) {
    Field f = time_field(r, name, out);
    if (!f.ok()) return f;
    if (!in_log_time_range(*out))
        return {"", "attribute " + std::string(name) +
                        " is outside the log time range 1970-01-01 00:00:00 .. 2199-12-31 "
                        "23:59:59.999999 UTC"};
    return f;
}

void add_decision(AttrList& out, const RecipientVerdict& v) {
    out.emplace_back(f::verdict, std::string(to_string(v.decision.verdict)));
    out.emplace_back(f::smtp_code, std::to_string(v.decision.smtp_code));
    out.emplace_back(f::enhanced_code, std::string(v.decision.enhanced));
    out.emplace_back(f::smtp_text, std::string(v.decision.text));
}

}  // namespace

std::optional<TimePoint> parse_protocol_time(std::string_view text) {
    if (!text.empty() && text.find_first_not_of("0123456789.") == std::string_view::npos) {
        const std::size_t dot = text.find('.');
        std::int64_t secs = 0;
        const std::string_view whole = text.substr(0, dot);
        auto [p, ec] = std::from_chars(whole.data(), whole.data() + whole.size(), secs);
        if (ec != std::errc() || p != whole.data() + whole.size() || whole.size() > 12)
            return std::nullopt;
        std::int64_t micros = 0;
        if (dot != std::string_view::npos) {
            std::string frac(text.substr(dot + 1));
            if (frac.empty() || frac.size() > 6 || frac.find('.') != std::string::npos)
                return std::nullopt;
            frac.resize(6, '0');
            std::from_chars(frac.data(), frac.data() + 6, micros);
        }
        // 12 digits cannot overflow microseconds; the range check refuses
        // what DATETIME cannot store.
        const TimePoint t{std::chrono::seconds(secs) + std::chrono::microseconds(micros)};
        if (!in_datetime_range(t)) return std::nullopt;
        return t;
    }
    auto t = db::parse_sql_datetime(text);
    if (t && !in_datetime_range(*t)) return std::nullopt;
    return t;
}

bool QueryHandler::is_blocking(const AttrRequest& request) {
    const auto name = request.find(f::request);
    return name &&
           (*name == qp::request::record_activity || *name == qp::request::record_agent_action ||
            *name == qp::request::ooo_claim || *name == qp::request::ooo_release);
}

bool QueryHandler::needs_database(const AttrRequest& request) {
    const auto name = request.find(f::request);
    return name && (*name == qp::request::ooo_claim || *name == qp::request::ooo_release);
}

AttrList QueryHandler::handle(const AttrRequest& r) const {
    const auto name = r.find(f::request);
    if (!name) return error("missing attribute request");
    if (*name == qp::request::mailbox) return mailbox(r, false);
    if (*name == qp::request::verdict) return mailbox(r, true);
    if (*name == qp::request::user) return user(r);
    if (*name == qp::request::record_activity) return record_activity(r);
    if (*name == qp::request::record_agent_action) return record_agent_action(r);
    if (*name == qp::request::ooo_claim) return ooo_claim(r);
    if (*name == qp::request::ooo_release) return ooo_release(r);
    if (*name == qp::request::status) return status(r);
    return error("unknown request '" + sanitize_for_log(*name, 64) + "'");
}

AttrList QueryHandler::mailbox(const AttrRequest& r, bool verdict_only) const {
    const auto settings = d_.settings.get();
    Field address = required(r, f::address, 320);
    if (!address.ok()) return error(address.problem);
    const Freshness fresh = d_.directory.freshness(settings->cutoff);
    RecipientVerdict v;
    d_.directory.with_view([&](const DirectoryView& view) {
        v = evaluate_recipient(address.value, settings->recipient_delimiter, view, fresh,
                               d_.clock.now());
    });
    if (!v.address_valid) return error("attribute address is not a valid mail address");

    AttrList out;
    if (v.decision.verdict == DeliveryVerdict::Tempfail)
        out = reply(qp::status::tempfail,
                    "configuration cache is older than the cutoff (database unreachable)");
    else if (!v.domain_hosted)
        out = reply(qp::status::notfound, "domain not hosted");
    else if (!v.mailbox)
        out = reply(qp::status::notfound, "no such mailbox");
    else
        out = reply(qp::status::ok);
    const bool stale = v.decision.verdict == DeliveryVerdict::Tempfail;
    out.emplace_back(f::address, v.address);
    out.emplace_back(f::domain_hosted, stale ? "" : flag(v.domain_hosted));
    out.emplace_back(f::exists, stale ? "" : flag(v.mailbox.has_value()));
    add_decision(out, v);
    if (verdict_only || !v.mailbox) return out;
    const MailboxFacts& m = *v.mailbox;
    out.emplace_back(f::active, flag(m.active));
    out.emplace_back(f::deactivated_at, time_or_empty(m.deactivated_at));
    out.emplace_back(f::email_name, m.email_name);
    out.emplace_back(f::vip, flag(m.vip));
    out.emplace_back(f::ooo_enabled, flag(m.ooo.enabled));
    out.emplace_back(f::ooo_subject, m.ooo.subject);
    out.emplace_back(f::ooo_body, m.ooo.body);
    out.emplace_back(f::ooo_start, time_or_empty(m.ooo.start));
    out.emplace_back(f::ooo_end, time_or_empty(m.ooo.end));
    out.emplace_back(f::ooo_interval_days, std::to_string(m.ooo.interval_days));
    return out;
}

AttrList QueryHandler::user(const AttrRequest& r) const {
    const auto settings = d_.settings.get();
    Field login = required(r, f::login, 64);
    if (!login.ok()) return error(login.problem);
    const std::string key = ascii_lowercase(login.value);
    if (d_.directory.freshness(settings->cutoff).stale())
        return reply(qp::status::tempfail,
                     "configuration cache is older than the cutoff (database unreachable)");
    std::optional<UserFacts> u;
    d_.directory.with_view([&](const DirectoryView& view) { u = view.user(key); });
    if (!u) {
        AttrList out = reply(qp::status::notfound, "no such user");
        out.emplace_back(f::login, key);
        return out;
    }
    AttrList out = reply(qp::status::ok);
    out.emplace_back(f::login, u->login);
    out.emplace_back(f::display_name, u->display_name);
    out.emplace_back(f::activity_access, flag(u->activity_access));
    std::string list;
    for (const std::string& a : u->mailboxes) list += (list.empty() ? "" : ",") + a;
    out.emplace_back(f::mailboxes, list);
    return out;
}

std::variant<LogEvent, AttrList> QueryHandler::activity_event(const AttrRequest& r) const {
    const auto settings = d_.settings.get();
    ActivityEvent e;
    Field event_id = required(r, f::event_id, 128);
    if (!event_id.ok()) return error(event_id.problem);
    Field mailbox = address_field(r, f::mailbox, settings->recipient_delimiter, d_.directory);
    if (!mailbox.ok()) return error(mailbox.problem);
    Field direction = required(r, f::direction, 16);
    if (!direction.ok()) return error(direction.problem);
    if (direction.value != qp::direction::sent && direction.value != qp::direction::received)
        return error("attribute direction must be sent or received");
    std::optional<TimePoint> at;
    if (Field t = log_time_field(r, f::occurred_at, at); !t.ok()) return error(t.problem);
    Field message_id = optional_text(r, f::message_id, 998);
    Field sender = optional_text(r, f::sender, 320);
    Field recipients = optional_text(r, f::recipients, 65535);
    Field subject = optional_text(r, f::subject, 65535);
    for (const Field* f : {&message_id, &sender, &recipients, &subject})
        if (!f->ok()) return error(f->problem);
    if (auto v = r.find(f::in_to_header)) {
        if (*v != "0" && *v != "1") return error("attribute in_to_header must be 0 or 1");
        e.in_to_header = *v == "1";
    }
    e.event_id = event_id.value;
    e.mailbox_address = mailbox.value;
    e.direction = direction.value;
    e.occurred_at = *at;
    e.message_id = message_id.value;
    e.sender = sender.value;
    e.recipients = recipients.value;
    e.subject = subject.value;
    return LogEvent{std::move(e)};
}

AttrList QueryHandler::record_activity(const AttrRequest& r) const {
    return handle_all({r}).front();
}

std::variant<LogEvent, AttrList> QueryHandler::agent_action_event(const AttrRequest& r) const {
    const auto settings = d_.settings.get();
    AgentActionEvent e;
    Field event_id = required(r, f::event_id, 128);
    if (!event_id.ok()) return error(event_id.problem);
    Field mailbox = address_field(r, f::mailbox, settings->recipient_delimiter, d_.directory);
    if (!mailbox.ok()) return error(mailbox.problem);
    // Empty or missing: no identified user (a session opened with the
    // mailbox's own password).
    Field login = optional_identifier(r, f::login, 64);
    if (!login.ok()) return error(login.problem);
    Field action = required(r, f::action, 16);
    if (!action.ok()) return error(action.problem);
    if (action.value != qp::agent_action::read && action.value != qp::agent_action::answered &&
        action.value != qp::agent_action::deleted && action.value != qp::agent_action::moved)
        return error("attribute action must be read, answered, deleted or moved");
    std::optional<TimePoint> at;
    if (Field t = log_time_field(r, f::occurred_at, at); !t.ok()) return error(t.problem);
    Field message_id = optional_text(r, f::message_id, 998);
    if (!message_id.ok()) return error(message_id.problem);
    Field folder = optional_identifier(r, f::folder, 1000);
    if (!folder.ok()) return error(folder.problem);
    if (action.value != qp::agent_action::moved && !folder.value.empty())
        return error("attribute folder is only for action moved");
    e.folder = folder.value;
    e.event_id = event_id.value;
    e.mailbox_address = mailbox.value;
    e.login = ascii_lowercase(login.value);
    e.action = action.value;
    e.occurred_at = *at;
    e.message_id = message_id.value;
    return LogEvent{std::move(e)};
}

AttrList QueryHandler::record_agent_action(const AttrRequest& r) const {
    return handle_all({r}).front();
}

std::vector<AttrList> QueryHandler::handle_all(const std::vector<AttrRequest>& requests) const {
    std::vector<AttrList> out(requests.size());
    std::vector<LogEvent> events;
    std::vector<std::size_t> at;  // events[k] answers requests[at[k]]
    for (std::size_t i = 0; i < requests.size(); ++i) {
        const auto name = requests[i].find(f::request);
        std::variant<LogEvent, AttrList> parsed;
        if (name && *name == qp::request::record_activity)
            parsed = activity_event(requests[i]);
        else if (name && *name == qp::request::record_agent_action)
            parsed = agent_action_event(requests[i]);
        else
            parsed = handle(requests[i]);
        if (auto* answer = std::get_if<AttrList>(&parsed)) {
            out[i] = std::move(*answer);
            continue;
        }
        events.push_back(std::move(std::get<LogEvent>(parsed)));
        at.push_back(i);
    }
    if (events.empty()) return out;
    const std::vector<bool> durable = d_.log_sink.submit_all(events);
    for (std::size_t k = 0; k < events.size(); ++k) {
        if (k >= durable.size() || !durable[k]) {
            out[at[k]] = reply(qp::status::tempfail, "log spool unavailable");
            continue;
        }
        AttrList ok = reply(qp::status::ok);
        ok.emplace_back(f::event_id,
                        std::visit([](const auto& e) { return e.event_id; }, events[k]));
        out[at[k]] = std::move(ok);
    }
    return out;
}

AttrList QueryHandler::ooo_claim(const AttrRequest& r) const {
    const auto settings = d_.settings.get();
    Field mailbox = address_field(r, f::mailbox, settings->recipient_delimiter, d_.directory);
    if (!mailbox.ok()) return error(mailbox.problem);
    // The null sender arrives as an empty value: it is answered, not an error.
    const auto raw_sender = r.find(f::sender);
    if (!raw_sender) return error("missing attribute sender");
    Field sender = raw_sender->empty() ? Field{"", ""} : required(r, f::sender, 320);
    if (!sender.ok()) return error(sender.problem);
    const std::string normalized_sender =
        sender.value.empty() ? std::string()
                             : strip_address_extension(normalize_address(sender.value),
                                                       settings->recipient_delimiter);
    if (auto why = never_auto_reply_reason(normalized_sender, mailbox.value)) {
        AttrList out = reply("ok");
        out.emplace_back(f::should_reply, "0");
        out.emplace_back(f::reason, std::string(*why));
        return out;
    }
    TimePoint now = d_.clock.now();
    if (r.find(f::now)) {
        std::optional<TimePoint> at;
        if (Field t = time_field(r, f::now, at); !t.ok()) return error(t.problem);
        now = *at;
    }
    try {
        const OooClaimResult claim =
            d_.ooo.claim(mailbox.value, normalize_address(sender.value), now);
        AttrList out = reply(qp::status::ok);
        out.emplace_back(f::should_reply, flag(claim.should_reply));
        if (claim.should_reply) out.emplace_back(f::claim_token, claim.claim_token);
        return out;
    } catch (const db::RuleViolation& e) {
        return error(std::string("refused by the database: ") + sanitize_for_log(e.what(), 200));
    } catch (const std::exception& e) {
        log_warning(std::string("ooo_claim failed: ") + sanitize_for_log(e.what(), 300));
        return reply(qp::status::tempfail, "database unavailable");
    }
}

AttrList QueryHandler::ooo_release(const AttrRequest& r) const {
    const auto settings = d_.settings.get();
    Field mailbox = address_field(r, f::mailbox, settings->recipient_delimiter, d_.directory);
    if (!mailbox.ok()) return error(mailbox.problem);
    Field sender = required(r, f::sender, 320);
    if (!sender.ok()) return error(sender.problem);
    Field token = required(r, f::claim_token, 64);
    if (!token.ok()) return error(token.problem);
    try {
        // The sender as ooo_claim passed it, so the same row is found.
        const bool released =
            d_.ooo.release(mailbox.value, normalize_address(sender.value), token.value);
        AttrList out = reply(qp::status::ok);
        out.emplace_back(f::released, flag(released));
        return out;
    } catch (const db::RuleViolation& e) {
        return error(std::string("refused by the database: ") + sanitize_for_log(e.what(), 200));
    } catch (const std::exception& e) {
        log_warning(std::string("ooo_release failed: ") + sanitize_for_log(e.what(), 300));
        return reply(qp::status::tempfail, "database unavailable");
    }
}

AttrList QueryHandler::status(const AttrRequest&) const {
    const auto settings = d_.settings.get();
    const CacheCounts c = d_.directory.counts();
    const Freshness fresh = d_.directory.freshness(settings->cutoff);
    const auto age = d_.directory.age();
    const LogWriterStats log = d_.log_sink.stats();
    const auto uptime = std::chrono::duration_cast<std::chrono::seconds>(
        std::chrono::steady_clock::now() - d_.started);
    AttrList out = reply(qp::status::ok);
    out.emplace_back(f::uptime_seconds, std::to_string(uptime.count()));
    out.emplace_back(f::cache_synced, flag(fresh.synced));
    out.emplace_back(f::cache_age_ms, age ? std::to_string(age->count()) : "");
    out.emplace_back(f::cache_stale, flag(fresh.stale()));
    out.emplace_back(f::cutoff_seconds, std::to_string(settings->cutoff.count()));
    out.emplace_back(f::cache_version, std::to_string(c.version));
    out.emplace_back(f::domains, std::to_string(c.domains));
    out.emplace_back(f::mailboxes, std::to_string(c.mailboxes));
    out.emplace_back(f::users, std::to_string(c.users));
    out.emplace_back(f::assignments, std::to_string(c.assignments));
    out.emplace_back(f::spool_depth, std::to_string(log.spooled));
    out.emplace_back(f::log_submitted, std::to_string(log.submitted));
    out.emplace_back(f::log_written, std::to_string(log.written));
    out.emplace_back(f::log_rejected, std::to_string(log.rejected));
    out.emplace_back(f::log_database_ok, flag(log.database_ok));
    const auto policy = d_.stats.policy_requests.load();
    const auto query = d_.stats.query_requests.load();
    out.emplace_back(f::requests_served, std::to_string(policy + query));
    out.emplace_back(f::policy_requests, std::to_string(policy));
    out.emplace_back(f::query_requests, std::to_string(query));
    out.emplace_back(f::connections, std::to_string(d_.stats.connections_open.load()));
    out.emplace_back(f::connections_total, std::to_string(d_.stats.connections_total.load()));
    out.emplace_back(f::connections_refused, std::to_string(d_.stats.connections_refused.load()));
    out.emplace_back(f::connections_denied, std::to_string(d_.stats.connections_denied.load()));
    out.emplace_back(f::protocol_errors, std::to_string(d_.stats.protocol_errors.load()));
    return out;
}

}  // namespace boxwarden::policyd
