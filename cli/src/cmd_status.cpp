// status: a health summary from policyd's request=status over the query
// socket, for people and monitoring checks (exit codes of Nagios plugins,
// docs/cli.md "status"). Never opens the database.
#include <charconv>

#include "boxwarden/config.h"
#include "boxwarden/policyd_client.h"
#include "commands.h"
#include "context.h"
#include "health_check.h"

namespace boxwarden::cli {

namespace {

HealthThresholds thresholds(const ParsedArgs& a) {
    HealthThresholds t;
    if (auto v = a.get("warn-cache-age")) {
        const auto d = parse_duration(*v);
        if (!d) throw UsageError("--warn-cache-age: not a duration: '" + *v + "'");
        t.warn_cache_age = *d;
    }
    if (auto v = a.get("warn-spool")) {
        long long n = -1;
        const auto r = std::from_chars(v->data(), v->data() + v->size(), n);
        if (r.ec != std::errc() || r.ptr != v->data() + v->size() || n < 1)
            throw UsageError("--warn-spool: not a positive number: '" + *v + "'");
        t.warn_spool_depth = n;
    }
    return t;
}

int status(Context& ctx, const ParsedArgs& a) {
    const HealthThresholds t = thresholds(a);
    HealthVerdict v;
    std::map<std::string, std::string> attrs;
    std::string socket;
    try {
        socket = a.get("socket") ? *a.get("socket") : ctx.config().get_string("query_socket");
    } catch (const std::exception& e) {
        v = unknown_health(std::string("configuration: ") + e.what());
    }
    if (!socket.empty()) {
        client::PolicydClient c(socket, std::chrono::seconds(5));
        const client::RawReply r = c.call(client::status_request(), true);
        if (r.kind != client::ResultKind::Ok) {
            v = unknown_health("policyd at " + socket + " did not answer: " + r.error);
        } else {
            for (const auto& [k, val] : r.attributes.attributes) attrs.emplace(k, val);
            v = judge_health(attrs, t);
        }
    }
    Json problems = Json::array();
    for (const std::string& p : v.problems) problems.push(p);
    Json details = Json::object();
    for (const auto& [k, val] : attrs) details.set(k, val);
    ctx.done(Json::object()
                 .set("state", std::string(health_name(v.code)))
                 .set("exit_code", static_cast<int>(v.code))
                 .set("problems", problems)
                 .set("policyd", details),
             v.summary);
    return v.code;
}

}  // namespace

void add_status_commands(std::vector<CommandSpec>& out) {
    out.push_back(
        {"status",
         {},
         {{"socket", "PATH", "policyd's query socket (default: query_socket of the configuration)"},
          {"warn-cache-age", "DURATION", "WARNING when the cache is older than this (default 60s)"},
          {"warn-spool", "N", "WARNING at N or more spooled log entries (default 1000)"}},
         "health summary of boxwarden-policyd, with monitoring exit codes",
         "Asks policyd's request=status over the query socket (the database is not used). "
         "Exit code 0 OK, 1 WARNING (cache not synced for --warn-cache-age, log writer cannot "
         "reach the database, --warn-spool entries spooled), 2 CRITICAL (cache never loaded, "
         "or older than cutoff: answers are tempfail), 3 UNKNOWN (policyd not reachable, "
         "configuration unreadable). One line in the manner of a Nagios plugin, or --json.",
         status});
}

}  // namespace boxwarden::cli
