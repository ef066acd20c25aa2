// boxwarden-web: the admin web page. Reads the configuration, checks the
// database once, listens (127.0.0.1:8080 by default) and serves until
// SIGTERM. Logs to stderr (systemd's journal; fail2ban reads the login lines).
#include <iostream>
#include <string>
#include <vector>

#include "app.h"
#include "boxwarden/config.h"
#include "client_address.h"
#include "http_server.h"

#ifndef BOXWARDEN_VERSION
#define BOXWARDEN_VERSION "unknown"
#endif

namespace {

int usage(std::ostream& out, int code) {
    out << "usage: boxwarden-web [--config FILE] [--check-config] | --version | --help\n";
    return code;
}

bool loopback_host(const std::string& host) {
    return host == "127.0.0.1" || host == "::1" || host.rfind("127.", 0) == 0;
}

}  // namespace

int main(int argc, char** argv) {
    using namespace boxwarden;
    std::string config_path = "/etc/boxwarden/boxwarden.conf";
    bool check_only = false;
    const std::vector<std::string> args(argv + 1, argv + argc);
    for (size_t i = 0; i < args.size(); ++i) {
        if (args[i] == "--config" && i + 1 < args.size())
            config_path = args[++i];
        else if (args[i] == "--check-config")
            check_only = true;
        else if (args[i] == "--help")
            return usage(std::cout, 0);
        else if (args[i] == "--version") {
            std::cout << "boxwarden-web " << BOXWARDEN_VERSION << "\n";
            return 0;
        } else
            return usage(std::cerr, 2);
    }
    try {
        const Config config = Config::load(config_path);
        const std::string listen = config.get_string("web_listen");
        const size_t colon = listen.rfind(':');
        if (colon == std::string::npos)
            throw ConfigError("web_listen must be ADDRESS:PORT, got '" + listen + "'");
        std::string host = listen.substr(0, colon);
        if (host.size() > 2 && host.front() == '[' && host.back() == ']')
            host = host.substr(1, host.size() - 2);
        const int port = std::stoi(listen.substr(colon + 1));
        const std::string secure = config.get_string("web_cookie_secure");
        if (secure != "on" && secure != "off" && secure != "auto")
            throw ConfigError("web_cookie_secure must be on, off or auto, got '" + secure + "'");

        web::AppSettings s;
        s.share_dir = config.get_string("web_share_dir");
        // auto: Secure everywhere but a plain loopback listener (no TLS there).
        s.cookie_secure = secure == "on" || (secure == "auto" && !loopback_host(host));
        s.timeouts.idle = std::chrono::duration_cast<std::chrono::seconds>(
            config.get_duration("web_session_idle_timeout"));
        s.timeouts.max_age = std::chrono::duration_cast<std::chrono::seconds>(
            config.get_duration("web_session_max_age"));
        s.throttle.per_account = config.get_int("web_login_failures_per_account");
        s.throttle.per_address = config.get_int("web_login_failures_per_address");
        s.failure_window = std::chrono::duration_cast<std::chrono::seconds>(
            config.get_duration("web_login_failure_window"));

        web::ServerLimits limits;
        limits.max_body_bytes = static_cast<size_t>(config.get_int("web_max_body_bytes"));
        limits.max_header_fields = static_cast<size_t>(config.get_int("web_max_header_fields"));
        limits.max_connections = static_cast<size_t>(config.get_int("web_max_connections"));
        limits.request_timeout = config.get_duration("web_request_timeout");
        limits.keepalive_timeout = config.get_duration("web_keepalive_timeout");
        limits.threads = static_cast<int>(config.get_int("web_threads"));
        try {
            limits.trusted_proxies =
                web::parse_trusted_proxies(config.get_string("web_trusted_proxies"));
        } catch (const std::invalid_argument& e) {
            throw ConfigError(std::string("web_trusted_proxies: ") + e.what());
        }
        s.require_totp = config.get_bool("web_require_totp");

        web::App app(config, s);
        if (check_only) {
            std::cout << "boxwarden-web: configuration ok (" << config_path << ")\n";
            return 0;
        }
        web::serve_http(
            host, port, limits, [&](const web::Request& r) { return app.handle(r); },
            [&] {
                std::cerr << "boxwarden-web: listening on http://" << listen
                          << (s.cookie_secure ? "" : " (session cookie without Secure)")
                          << std::endl;
            });
        std::cerr << "boxwarden-web: stopped" << std::endl;
        return 0;
    } catch (const ConfigError& e) {
        std::cerr << "boxwarden-web: configuration: " << e.what() << std::endl;
        return 2;
    } catch (const std::exception& e) {
        std::cerr << "boxwarden-web: " << e.what() << std::endl;
        return 1;
    }
}
