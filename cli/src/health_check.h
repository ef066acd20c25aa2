#pragma once
// `boxwardenctl status`: policyd's request=status judged as a monitoring
// check, with the exit codes of Nagios plugins (docs/cli.md "status").
// Pure: the reply's attributes and the thresholds in, the verdict out.
#include <chrono>
#include <map>
#include <string>
#include <vector>

namespace boxwarden::cli {

enum HealthCode : int {
    kHealthOk = 0,
    kHealthWarning = 1,
    kHealthCritical = 2,
    kHealthUnknown = 3
};

struct HealthThresholds {
    std::chrono::milliseconds warn_cache_age{std::chrono::seconds(60)};
    long long warn_spool_depth = 1000;
};

struct HealthVerdict {
    HealthCode code = kHealthUnknown;
    std::vector<std::string> problems;  // worst first; empty when OK
    std::string summary;                // "BOXWARDEN OK - ..." (one line, with perfdata)
};

std::string_view health_name(HealthCode code);  // "OK", "WARNING", "CRITICAL", "UNKNOWN"

// status: the attributes of a status=ok reply. A missing or malformed
// attribute the check needs is UNKNOWN.
HealthVerdict judge_health(const std::map<std::string, std::string>& status,
                           const HealthThresholds& thresholds);

// policyd could not be asked (connect, timeout, a reply that is not ok).
HealthVerdict unknown_health(const std::string& why);

}  // namespace boxwarden::cli
