#include "health_check.h"

#include <charconv>
#include <optional>

namespace boxwarden::cli {

namespace {

std::optional<long long> number(const std::map<std::string, std::string>& s, const char* key) {
    const auto it = s.find(key);
    if (it == s.end() || it->second.empty()) return std::nullopt;
    long long v = 0;
    const auto* end = it->second.data() + it->second.size();
    const auto r = std::from_chars(it->second.data(), end, v);
    if (r.ec != std::errc() || r.ptr != end) return std::nullopt;
    return v;
}

std::string seconds_text(long long ms) {
    const long long tenths = (ms + 50) / 100;
    return std::to_string(tenths / 10) + "." + std::to_string(tenths % 10) + "s";
}

}  // namespace

std::string_view health_name(HealthCode code) {
    switch (code) {
        case kHealthOk:
            return "OK";
        case kHealthWarning:
            return "WARNING";
        case kHealthCritical:
            return "CRITICAL";
        case kHealthUnknown:
            break;
    }
    return "UNKNOWN";
}

HealthVerdict unknown_health(const std::string& why) {
    HealthVerdict v;
    v.code = kHealthUnknown;
    v.problems.push_back(why);
    v.summary = "BOXWARDEN UNKNOWN - " + why;
    return v;
}

HealthVerdict judge_health(const std::map<std::string, std::string>& status,
                           const HealthThresholds& t) {
    const auto synced = number(status, "cache_synced");
    const auto stale = number(status, "cache_stale");
    const auto spool = number(status, "spool_depth");
    const auto db_ok = number(status, "log_database_ok");
    const auto mailboxes = number(status, "mailboxes");
    const auto cutoff = number(status, "cutoff_seconds");
    if (!synced || !stale || !spool || !db_ok || !mailboxes || !cutoff)
        return unknown_health(
            "policyd's status reply lacks cache_synced, cache_stale, "
            "spool_depth, log_database_ok, mailboxes or cutoff_seconds");
    const auto age = number(status, "cache_age_ms");  // empty before the first sync

    HealthVerdict v;
    std::vector<std::string> critical, warning;
    if (*synced != 1) critical.push_back("cache never loaded (database unreachable since start)");
    if (*stale == 1)
        critical.push_back("cache older than cutoff " + std::to_string(*cutoff) +
                           "s: answers are tempfail");
    if (*synced == 1 && *stale != 1 && age && *age >= t.warn_cache_age.count())
        warning.push_back("cache not synced for " + seconds_text(*age) +
                          " (database unreachable?)");
    if (*db_ok != 1) warning.push_back("log writer cannot reach the database");
    if (*spool >= t.warn_spool_depth)
        warning.push_back(std::to_string(*spool) + " log entries waiting in the spool");

    v.code = !critical.empty() ? kHealthCritical : !warning.empty() ? kHealthWarning : kHealthOk;
    v.problems = critical;
    v.problems.insert(v.problems.end(), warning.begin(), warning.end());
    std::string text;
    if (v.problems.empty()) {
        text = "cache synced " + (age ? seconds_text(*age) : std::string("?")) + " ago, " +
               std::to_string(*mailboxes) + " mailboxes, spool " + std::to_string(*spool);
    } else {
        for (const std::string& p : v.problems) {
            if (!text.empty()) text += "; ";
            text += p;
        }
    }
    // Nagios performance data after '|'.
    std::string perf = " | spool_depth=" + std::to_string(*spool) + ";" +
                       std::to_string(t.warn_spool_depth) +
                       " mailboxes=" + std::to_string(*mailboxes);
    if (age)
        perf += " cache_age=" + std::to_string(*age) + "ms;" +
                std::to_string(t.warn_cache_age.count()) + ";" + std::to_string(*cutoff * 1000);
    v.summary.assign("BOXWARDEN ");
    v.summary += health_name(v.code);
    v.summary += " - ";
    v.summary += text;
    v.summary += perf;
    return v;
}

}  // namespace boxwarden::cli
