#pragma once
// The internal protocol (docs/protocol.md "Requests"): look-ups for the
// milter and the Dovecot plugin, activity / agent-log writes, the
// out-of-office claim and status. One request in, one reply out; every reply
// carries status=ok|notfound|tempfail|error and, unless ok, reason=.
#include <chrono>
#include <string>
#include <variant>
#include <vector>

#include "boxwarden/attr_codec.h"
#include "boxwarden/clock.h"
#include "boxwarden/directory.h"
#include "log_sink.h"
#include "ooo_claimer.h"
#include "runtime_settings.h"
#include "server_stats.h"

namespace boxwarden::policyd {

struct QueryDeps {
    const DirectorySource& directory;
    LogSink& log_sink;
    OooClaimer& ooo;
    const Clock& clock;
    const RuntimeSettingsHolder& settings;
    const ServerStats& stats;
    std::chrono::steady_clock::time_point started;
};

class QueryHandler {
  public:
    explicit QueryHandler(QueryDeps deps) : d_(deps) {}

    // True for requests that wait on disk or the database (record_*,
    // ooo_claim, ooo_release): the server runs them off its event loop.
    static bool is_blocking(const AttrRequest& request);
    // The blocking requests that need the database (ooo_claim,
    // ooo_release); the others need only the local spool.
    static bool needs_database(const AttrRequest& request);

    // Thread-safe.
    AttrList handle(const AttrRequest& request) const;
    // Several requests, answered in order: the record_* among them are made
    // durable together (one spool fdatasync), the others as handle() does.
    std::vector<AttrList> handle_all(const std::vector<AttrRequest>& requests) const;

  private:
    // A record_* request's event, or the error reply that refuses it.
    std::variant<LogEvent, AttrList> activity_event(const AttrRequest& r) const;
    std::variant<LogEvent, AttrList> agent_action_event(const AttrRequest& r) const;
    AttrList mailbox(const AttrRequest& r, bool verdict_only) const;
    AttrList user(const AttrRequest& r) const;
    AttrList record_activity(const AttrRequest& r) const;
    AttrList record_agent_action(const AttrRequest& r) const;
    AttrList ooo_claim(const AttrRequest& r) const;
    AttrList ooo_release(const AttrRequest& r) const;
    AttrList status(const AttrRequest& r) const;

    QueryDeps d_;
};

// "2026-01-02 03:04:05[.ffffff]" (UTC) or Unix seconds "1767323045[.5]".
std::optional<TimePoint> parse_protocol_time(std::string_view text);

}  // namespace boxwarden::policyd
