#pragma once
// The admin page: routes, the session and CSRF gate, and the screens. Every
// change goes through the admin library (the same code boxwardenctl runs)
// and is written to the audit log; every mailbox query is limited to the
// domains of a domain admin.
#include <map>
#include <memory>
#include <string>

#include "boxwarden/config.h"
#include "http_types.h"
#include "sessions.h"
#include "throttle.h"

namespace boxwarden::web {

struct AppSettings {
    std::string share_dir;
    bool cookie_secure = true;
    SessionTimeouts timeouts;
    ThrottleLimits throttle;
    std::chrono::seconds failure_window{900};
    bool require_totp = false;  // web_require_totp: enrol before anything else
};

class App {
  public:
    App(const Config& config, AppSettings settings);
    ~App();
    // Thread-safe: each serving thread uses its own database connection.
    Response handle(const Request& request);

  private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace boxwarden::web
