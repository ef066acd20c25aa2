#include "totp_login.h"

namespace boxwarden::web {

std::string step_after_password(bool totp_enabled, bool require_totp) {
    if (totp_enabled) return "totp";
    if (require_totp) return "enrol";
    return "";
}

std::string pending_step_path(const std::string& pending) {
    return pending == "enrol" ? "/login/enrol" : "/login/totp";
}

PendingGate gate_pending_session(const std::string& pending, const std::string& method,
                                 const std::string& path) {
    const bool post = method == "POST";
    if (path == pending_step_path(pending) && (post || method == "GET")) return PendingGate::Pass;
    if (post && (path == "/logout" || path == "/lang")) return PendingGate::Pass;
    return post ? PendingGate::Forbidden : PendingGate::RedirectToStep;
}

std::string second_factor_failure_log_line(const std::string& client_address,
                                           const std::string& login, ThrottleVerdict verdict) {
    std::string line = login_failure_log_line(client_address, login, verdict);
    if (verdict == ThrottleVerdict::Allow) line += " (wrong second factor)";
    return line;
}

}  // namespace boxwarden::web
