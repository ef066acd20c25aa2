#include "query_handler.h"

#include <charconv>

#include "boxwarden/address.h"
#include "boxwarden/db.h"
#include "boxwarden/policy_decision.h"
#include "logger.h"

namespace boxwarden::policyd {

namespace {

AttrList reply(std::string_view status, std::string_view reason = {}) {
    AttrList out{{"status", std::string(status)}};
    if (!reason.empty()) out.emplace_back("reason", std::string(reason));
    return out;
}

AttrList error(std::string_view reason) {
    return reply("error", reason);
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

void add_decision(AttrList& out, const RecipientVerdict& v) {
    out.emplace_back("verdict", std::string(to_string(v.decision.verdict)));
    out.emplace_back("smtp_code", std::to_string(v.decision.smtp_code));
    out.emplace_back("enhanced_code", std::string(v.decision.enhanced));
    out.emplace_back("smtp_text", std::string(v.decision.text));
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
    const auto name = request.find("request");
    return name &&
           (*name == "record_activity" || *name == "record_agent_action" || *name == "ooo_claim");
}

AttrList QueryHandler::handle(const AttrRequest& r) const {
    const auto name = r.find("request");
    if (!name) return error("missing attribute request");
    if (*name == "mailbox") return mailbox(r, false);
    if (*name == "verdict") return mailbox(r, true);
    if (*name == "user") return user(r);
    if (*name == "record_activity") return record_activity(r);
    if (*name == "record_agent_action") return record_agent_action(r);
    if (*name == "ooo_claim") return ooo_claim(r);
    if (*name == "status") return status(r);
    return error("unknown request '" + sanitize_for_log(*name, 64) + "'");
}

AttrList QueryHandler::mailbox(const AttrRequest& r, bool verdict_only) const {
    const auto settings = d_.settings.get();
    Field address = required(r, "address", 320);
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
        out = reply("tempfail",
                    "configuration cache is older than the cutoff (database unreachable)");
    else if (!v.domain_hosted)
        out = reply("notfound", "domain not hosted");
    else if (!v.mailbox)
        out = reply("notfound", "no such mailbox");
    else
        out = reply("ok");
    const bool stale = v.decision.verdict == DeliveryVerdict::Tempfail;
    out.emplace_back("address", v.address);
    out.emplace_back("domain_hosted", stale ? "" : flag(v.domain_hosted));
    out.emplace_back("exists", stale ? "" : flag(v.mailbox.has_value()));
    add_decision(out, v);
    if (verdict_only || !v.mailbox) return out;
    const MailboxFacts& m = *v.mailbox;
    out.emplace_back("active", flag(m.active));
    out.emplace_back("deactivated_at", time_or_empty(m.deactivated_at));
    out.emplace_back("email_name", m.email_name);
    out.emplace_back("vip", flag(m.vip));
    out.emplace_back("ooo_enabled", flag(m.ooo.enabled));
    out.emplace_back("ooo_subject", m.ooo.subject);
    out.emplace_back("ooo_body", m.ooo.body);
    out.emplace_back("ooo_start", time_or_empty(m.ooo.start));
    out.emplace_back("ooo_end", time_or_empty(m.ooo.end));
    out.emplace_back("ooo_interval_days", std::to_string(m.ooo.interval_days));
    return out;
}

AttrList QueryHandler::user(const AttrRequest& r) const {
    const auto settings = d_.settings.get();
    Field login = required(r, "login", 64);
    if (!login.ok()) return error(login.problem);
    const std::string key = ascii_lowercase(login.value);
    if (d_.directory.freshness(settings->cutoff).stale())
        return reply("tempfail",
                     "configuration cache is older than the cutoff (database unreachable)");
    std::optional<UserFacts> u;
    d_.directory.with_view([&](const DirectoryView& view) { u = view.user(key); });
    if (!u) {
        AttrList out = reply("notfound", "no such user");
        out.emplace_back("login", key);
        return out;
    }
    AttrList out = reply("ok");
    out.emplace_back("login", u->login);
    out.emplace_back("display_name", u->display_name);
    out.emplace_back("activity_access", flag(u->activity_access));
    std::string list;
    for (const std::string& a : u->mailboxes) list += (list.empty() ? "" : ",") + a;
    out.emplace_back("mailboxes", list);
    return out;
}

AttrList QueryHandler::record_activity(const AttrRequest& r) const {
    const auto settings = d_.settings.get();
    ActivityEvent e;
    Field event_id = required(r, "event_id", 128);
    if (!event_id.ok()) return error(event_id.problem);
    Field mailbox = address_field(r, "mailbox", settings->recipient_delimiter, d_.directory);
    if (!mailbox.ok()) return error(mailbox.problem);
    Field direction = required(r, "direction", 16);
    if (!direction.ok()) return error(direction.problem);
    if (direction.value != "sent" && direction.value != "received")
        return error("attribute direction must be sent or received");
    std::optional<TimePoint> at;
    if (Field t = time_field(r, "occurred_at", at); !t.ok()) return error(t.problem);
    Field message_id = optional_text(r, "message_id", 998);
    Field sender = optional_text(r, "sender", 320);
    Field recipients = optional_text(r, "recipients", 65535);
    Field subject = optional_text(r, "subject", 65535);
    for (const Field* f : {&message_id, &sender, &recipients, &subject})
        if (!f->ok()) return error(f->problem);
    if (auto v = r.find("in_to_header")) {
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
    if (!d_.log_sink.submit(e)) return reply("tempfail", "log spool unavailable");
    AttrList out = reply("ok");
    out.emplace_back("event_id", e.event_id);
    return out;
}

AttrList QueryHandler::record_agent_action(const AttrRequest& r) const {
    const auto settings = d_.settings.get();
    AgentActionEvent e;
    Field event_id = required(r, "event_id", 128);
    if (!event_id.ok()) return error(event_id.problem);
    Field mailbox = address_field(r, "mailbox", settings->recipient_delimiter, d_.directory);
    if (!mailbox.ok()) return error(mailbox.problem);
    Field login = required(r, "login", 64);
    if (!login.ok()) return error(login.problem);
    Field action = required(r, "action", 16);
    if (!action.ok()) return error(action.problem);
    if (action.value != "read" && action.value != "answered" && action.value != "deleted" &&
        action.value != "moved")
        return error("attribute action must be read, answered, deleted or moved");
    std::optional<TimePoint> at;
    if (Field t = time_field(r, "occurred_at", at); !t.ok()) return error(t.problem);
    Field message_id = optional_text(r, "message_id", 998);
    if (!message_id.ok()) return error(message_id.problem);
    e.event_id = event_id.value;
    e.mailbox_address = mailbox.value;
    e.login = ascii_lowercase(login.value);
    e.action = action.value;
    e.occurred_at = *at;
    e.message_id = message_id.value;
    if (!d_.log_sink.submit(e)) return reply("tempfail", "log spool unavailable");
    AttrList out = reply("ok");
    out.emplace_back("event_id", e.event_id);
    return out;
}

AttrList QueryHandler::ooo_claim(const AttrRequest& r) const {
    const auto settings = d_.settings.get();
    Field mailbox = address_field(r, "mailbox", settings->recipient_delimiter, d_.directory);
    if (!mailbox.ok()) return error(mailbox.problem);
    Field sender = required(r, "sender", 320);
    if (!sender.ok()) return error(sender.problem);
    TimePoint now = d_.clock.now();
    if (r.find("now")) {
        std::optional<TimePoint> at;
        if (Field t = time_field(r, "now", at); !t.ok()) return error(t.problem);
        now = *at;
    }
    try {
        const bool reply_now = d_.ooo.claim(mailbox.value, normalize_address(sender.value), now);
        AttrList out = reply("ok");
        out.emplace_back("should_reply", flag(reply_now));
        return out;
    } catch (const db::RuleViolation& e) {
        return error(std::string("refused by the database: ") + sanitize_for_log(e.what(), 200));
    } catch (const std::exception& e) {
        log_warning(std::string("ooo_claim failed: ") + sanitize_for_log(e.what(), 300));
        return reply("tempfail", "database unavailable");
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
    AttrList out = reply("ok");
    out.emplace_back("uptime_seconds", std::to_string(uptime.count()));
    out.emplace_back("cache_synced", flag(fresh.synced));
    out.emplace_back("cache_age_ms", age ? std::to_string(age->count()) : "");
    out.emplace_back("cache_stale", flag(fresh.stale()));
    out.emplace_back("cutoff_seconds", std::to_string(settings->cutoff.count()));
    out.emplace_back("cache_version", std::to_string(c.version));
    out.emplace_back("domains", std::to_string(c.domains));
    out.emplace_back("mailboxes", std::to_string(c.mailboxes));
    out.emplace_back("users", std::to_string(c.users));
    out.emplace_back("assignments", std::to_string(c.assignments));
    out.emplace_back("spool_depth", std::to_string(log.spooled));
    out.emplace_back("log_submitted", std::to_string(log.submitted));
    out.emplace_back("log_written", std::to_string(log.written));
    out.emplace_back("log_rejected", std::to_string(log.rejected));
    out.emplace_back("log_database_ok", flag(log.database_ok));
    const auto policy = d_.stats.policy_requests.load();
    const auto query = d_.stats.query_requests.load();
    out.emplace_back("requests_served", std::to_string(policy + query));
    out.emplace_back("policy_requests", std::to_string(policy));
    out.emplace_back("query_requests", std::to_string(query));
    out.emplace_back("connections", std::to_string(d_.stats.connections_open.load()));
    out.emplace_back("connections_total", std::to_string(d_.stats.connections_total.load()));
    out.emplace_back("connections_refused", std::to_string(d_.stats.connections_refused.load()));
    out.emplace_back("protocol_errors", std::to_string(d_.stats.protocol_errors.load()));
    return out;
}

}  // namespace boxwarden::policyd
