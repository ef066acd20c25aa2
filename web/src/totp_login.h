#pragma once
// The second login step (TOTP, docs/web.md "Second factor"): which step a
// right password leads to, what a pending (half-logged-in) session may
// reach, and the fail2ban line of a wrong code. Pure; the handlers are in
// app.cpp, the storage in the admin library (boxwarden/admin_totp.h).
#include <string>

#include "throttle.h"

namespace boxwarden::web {

// The step still due after a right password: "totp" (the admin has TOTP),
// "enrol" (none, but web_require_totp is on), or "" (logged in).
std::string step_after_password(bool totp_enabled, bool require_totp);

// Where a pending session's step is served: /login/totp or /login/enrol.
std::string pending_step_path(const std::string& pending);

enum class PendingGate {
    Pass,            // the step itself (GET, POST), POST /logout, POST /lang
    RedirectToStep,  // any other GET
    Forbidden,       // any other POST (nothing is read or changed)
};
PendingGate gate_pending_session(const std::string& pending, const std::string& method,
                                 const std::string& path);

// "login failed from ADDRESS for admin 'LOGIN' (wrong second factor)", or
// the throttled line: the same start as a wrong password, so one fail2ban
// filter counts both.
std::string second_factor_failure_log_line(const std::string& client_address,
                                           const std::string& login, ThrottleVerdict verdict);

}  // namespace boxwarden::web
