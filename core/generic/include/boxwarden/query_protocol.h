#pragma once
// The internal protocol's schema (docs/protocol.md "Internal socket"): every
// request name, status value and attribute name, defined once. policyd's
// query handler writes replies with these names and boxwarden_client reads
// them with the same names, so the two cannot drift apart.
#include <string_view>

namespace boxwarden::query_protocol {

// Values of request=.
namespace request {
inline constexpr std::string_view mailbox = "mailbox";
inline constexpr std::string_view verdict = "verdict";
inline constexpr std::string_view user = "user";
inline constexpr std::string_view record_activity = "record_activity";
inline constexpr std::string_view record_agent_action = "record_agent_action";
inline constexpr std::string_view ooo_claim = "ooo_claim";
inline constexpr std::string_view ooo_release = "ooo_release";
inline constexpr std::string_view status = "status";
}  // namespace request

// Values of status= (the first attribute of every reply).
namespace status {
inline constexpr std::string_view ok = "ok";
inline constexpr std::string_view notfound = "notfound";
inline constexpr std::string_view tempfail = "tempfail";
inline constexpr std::string_view error = "error";
}  // namespace status

// Attribute names, of requests and replies.
namespace field {
// Every request and reply.
inline constexpr std::string_view request = "request";
inline constexpr std::string_view status = "status";
inline constexpr std::string_view reason = "reason";  // every reply that is not ok

// mailbox / verdict.
inline constexpr std::string_view address = "address";
inline constexpr std::string_view domain_hosted = "domain_hosted";
inline constexpr std::string_view exists = "exists";
inline constexpr std::string_view verdict = "verdict";
inline constexpr std::string_view smtp_code = "smtp_code";
inline constexpr std::string_view enhanced_code = "enhanced_code";
inline constexpr std::string_view smtp_text = "smtp_text";
inline constexpr std::string_view active = "active";
inline constexpr std::string_view deactivated_at = "deactivated_at";
inline constexpr std::string_view email_name = "email_name";
inline constexpr std::string_view vip = "vip";
inline constexpr std::string_view ooo_enabled = "ooo_enabled";
inline constexpr std::string_view ooo_subject = "ooo_subject";
inline constexpr std::string_view ooo_body = "ooo_body";
inline constexpr std::string_view ooo_start = "ooo_start";
inline constexpr std::string_view ooo_end = "ooo_end";
inline constexpr std::string_view ooo_interval_days = "ooo_interval_days";

// user.
inline constexpr std::string_view login = "login";
inline constexpr std::string_view display_name = "display_name";
inline constexpr std::string_view activity_access = "activity_access";
inline constexpr std::string_view mailboxes = "mailboxes";  // also a status counter

// record_activity / record_agent_action.
inline constexpr std::string_view event_id = "event_id";
inline constexpr std::string_view mailbox = "mailbox";
inline constexpr std::string_view direction = "direction";
inline constexpr std::string_view occurred_at = "occurred_at";
inline constexpr std::string_view message_id = "message_id";
// record_agent_action: the target folder of a "moved" action.
inline constexpr std::string_view folder = "folder";
inline constexpr std::string_view sender = "sender";
inline constexpr std::string_view recipients = "recipients";
inline constexpr std::string_view subject = "subject";
inline constexpr std::string_view in_to_header = "in_to_header";
inline constexpr std::string_view action = "action";

// ooo_claim / ooo_release.
inline constexpr std::string_view now = "now";
inline constexpr std::string_view should_reply = "should_reply";
inline constexpr std::string_view claim_token = "claim_token";
inline constexpr std::string_view released = "released";

// status.
inline constexpr std::string_view uptime_seconds = "uptime_seconds";
inline constexpr std::string_view cache_synced = "cache_synced";
inline constexpr std::string_view cache_age_ms = "cache_age_ms";
inline constexpr std::string_view cache_stale = "cache_stale";
inline constexpr std::string_view cutoff_seconds = "cutoff_seconds";
inline constexpr std::string_view cache_version = "cache_version";
inline constexpr std::string_view domains = "domains";
inline constexpr std::string_view users = "users";
inline constexpr std::string_view assignments = "assignments";
inline constexpr std::string_view spool_depth = "spool_depth";
inline constexpr std::string_view log_submitted = "log_submitted";
inline constexpr std::string_view log_written = "log_written";
inline constexpr std::string_view log_rejected = "log_rejected";
inline constexpr std::string_view log_database_ok = "log_database_ok";
inline constexpr std::string_view requests_served = "requests_served";
inline constexpr std::string_view policy_requests = "policy_requests";
inline constexpr std::string_view query_requests = "query_requests";
inline constexpr std::string_view connections = "connections";
inline constexpr std::string_view connections_total = "connections_total";
inline constexpr std::string_view connections_refused = "connections_refused";
inline constexpr std::string_view connections_denied = "connections_denied";
inline constexpr std::string_view protocol_errors = "protocol_errors";
}  // namespace field

// Values of verdict=.
namespace verdict {
inline constexpr std::string_view deliver = "deliver";
inline constexpr std::string_view reject_unknown = "reject-unknown";
inline constexpr std::string_view reject_disabled = "reject-disabled";
inline constexpr std::string_view tempfail = "tempfail";
}  // namespace verdict

// Values of direction= and action=.
namespace direction {
inline constexpr std::string_view sent = "sent";
inline constexpr std::string_view received = "received";
}  // namespace direction
namespace agent_action {
inline constexpr std::string_view read = "read";
inline constexpr std::string_view answered = "answered";
inline constexpr std::string_view deleted = "deleted";
inline constexpr std::string_view moved = "moved";
}  // namespace agent_action

}  // namespace boxwarden::query_protocol
