// The registry of configuration keys. Add a component's keys here, with a
// default and a one-line help text; docs/configuration.md lists them too.
#include <array>

#include "boxwarden/config.h"

namespace boxwarden {

namespace {

using T = ConfigType;
constexpr long long kMs = 1;
constexpr long long kSec = 1000 * kMs;
constexpr long long kMin = 60 * kSec;
constexpr long long kHour = 60 * kMin;

constexpr std::array kKeys{
    // Database (every program)
    ConfigKey{"db_socket", T::String, "/run/mysqld/mysqld.sock", 0, 0,
              "unix socket of MySQL/MariaDB (used when db_host is empty)"},
    ConfigKey{"db_host", T::String, "", 0, 0, "TCP host of MySQL/MariaDB; empty = use db_socket"},
    ConfigKey{"db_port", T::Integer, "3306", 1, 65535, "TCP port of MySQL/MariaDB"},
    ConfigKey{"db_hosts", T::String, "", 0, 0,
              "Galera nodes: comma-separated host[:port], tried in order (first = preferred); "
              "replaces db_host/db_socket when set"},
    ConfigKey{"db_name", T::String, "boxwarden", 0, 0, "database (schema) name"},
    ConfigKey{"db_user", T::String, "boxwarden", 0, 0, "database user"},
    ConfigKey{"db_password", T::Secret, "", 0, 0, "database password (never logged)"},
    ConfigKey{"db_connect_timeout", T::Duration, "2s", 1 * kSec, 60 * kSec,
              "connect timeout (whole seconds)"},
    ConfigKey{"db_read_timeout", T::Duration, "3s", 1 * kSec, 600 * kSec,
              "read timeout (whole seconds)"},
    ConfigKey{"db_write_timeout", T::Duration, "3s", 1 * kSec, 600 * kSec,
              "write timeout (whole seconds)"},
    ConfigKey{"db_pool_size", T::Integer, "4", 1, 64, "connections kept by a daemon"},
    ConfigKey{"sql_dir", T::String, "", 0, 0,
              "folder holding migrations/ (default: the installed share/boxwarden/sql)"},

    // boxwarden-policyd
    ConfigKey{"policy_listen", T::String, "unix:/run/boxwarden/policy.sock", 0, 0,
              "Postfix policy service endpoints: comma-separated unix:PATH or inet:127.0.0.1:PORT"},
    ConfigKey{"query_socket", T::String, "/run/boxwarden/query.sock", 0, 0,
              "unix socket of the internal query/log protocol"},
    ConfigKey{"refresh_interval", T::Duration, "1s", 100 * kMs, 60 * kSec,
              "how often the cache polls change_marker"},
    ConfigKey{"cutoff", T::Duration, "30m", 1 * kSec, 30 * kMin,
              "how old the cache may get before database-dependent answers defer (<= 30m)"},
    ConfigKey{"idle_timeout", T::Duration, "300s", 1 * kSec, 1 * kHour,
              "close client connections idle this long"},
    ConfigKey{"max_connections", T::Integer, "1000", 1, 100000,
              "concurrent client connections policyd accepts"},
    ConfigKey{"spool_dir", T::String, "/var/spool/boxwarden", 0, 0,
              "durable spool for log writes while the database is down"},
    ConfigKey{"run_user", T::String, "boxwarden", 0, 0,
              "user the daemons switch to after binding (empty = stay)"},
    ConfigKey{"recipient_delimiter", T::String, "+", 0, 0,
              "address extension delimiters, as Postfix's recipient_delimiter"},
    ConfigKey{"policy_socket_mode", T::String, "0660", 0, 0,
              "octal permissions of policyd's unix policy sockets"},
    ConfigKey{"query_socket_mode", T::String, "0660", 0, 0,
              "octal permissions of policyd's query socket"},
    ConfigKey{"policy_socket_group", T::String, "postfix", 0, 0,
              "group of the unix policy sockets (empty = the daemon's own group)"},
    ConfigKey{"query_socket_group", T::String, "boxwarden-query", 0, 0,
              "group of the query socket (empty = the daemon's own group)"},
    ConfigKey{"policy_allowed_users", T::String, "postfix", 0, 0,
              "users or groups allowed on the unix policy sockets (comma-separated; * = any)"},
    ConfigKey{"query_allowed_users", T::String, "boxwarden-query", 0, 0,
              "users or groups allowed on the query socket (comma-separated; * = any)"},
    ConfigKey{"max_connections_per_uid", T::Integer, "250", 1, 100000,
              "connections one peer (unix: uid; inet: address) may hold; root is not limited"},
    ConfigKey{"request_timeout", T::Duration, "10s", 1 * kSec, 1 * kHour,
              "a request must be complete this long after its first byte"},
    ConfigKey{"full_reload_interval", T::Duration, "300s", 1 * kSec, 29 * kMin,
              "full cache reload period, catches edits that bypass change_log (< cutoff)"},
    ConfigKey{
        "metrics_listen", T::String, "", 0, 0,
        "Prometheus metrics over HTTP on a loopback address, e.g. 127.0.0.1:9154 (empty = off)"},

    // boxwarden-milter
    ConfigKey{"milter_socket", T::String, "/run/boxwarden-milter/milter.sock", 0, 0,
              "unix socket boxwarden-milter listens on (Postfix: smtpd_milters = unix:PATH)"},
    ConfigKey{"milter_socket_group", T::String, "postfix", 0, 0,
              "group of the milter socket, mode 0660 (empty = the daemon's own group)"},
    ConfigKey{"milter_query_timeout", T::Duration, "2s", 100 * kMs, 60 * kSec,
              "deadline of each policyd request of the milter; past it the message is tempfailed"},
    ConfigKey{"milter_enforce_header_from", T::Boolean, "yes", 0, 0,
              "refuse (550 5.7.1) a header From that is a hosted mailbox the login may not use"},
    ConfigKey{"milter_lookup_cache_ttl", T::Duration, "1s", 0, 10 * kSec,
              "how long the milter reuses policyd's sender/login answers (0 = ask every message)"},
    ConfigKey{
        "milter_metrics_listen", T::String, "", 0, 0,
        "the milter's Prometheus metrics on a loopback address, e.g. 127.0.0.1:9155 (empty = off)"},

    // boxwarden-web (docs/web.md)
    ConfigKey{"web_listen", T::String, "127.0.0.1:8080", 0, 0,
              "address:port boxwarden-web listens on (TLS by a reverse proxy in front)"},
    ConfigKey{"web_share_dir", T::String, "/usr/share/boxwarden/web", 0, 0,
              "folder of the page's templates/ and static/ files"},
    ConfigKey{"web_threads", T::Integer, "4", 1, 64,
              "threads serving requests (each with its own database connection)"},
    ConfigKey{"web_max_connections", T::Integer, "512", 1, 100000,
              "open client connections at most; more are closed at once"},
    ConfigKey{"web_max_body_bytes", T::Integer, "65536", 1024, 16777216,
              "largest request body; larger is answered 413"},
    ConfigKey{"web_max_header_fields", T::Integer, "64", 8, 1000,
              "most header fields in a request; more is answered 431"},
    ConfigKey{"web_request_timeout", T::Duration, "10s", 1 * kSec, 300 * kSec,
              "time a client has to send a whole request (slow clients are closed)"},
    ConfigKey{"web_keepalive_timeout", T::Duration, "30s", 1 * kSec, 600 * kSec,
              "idle time allowed between two requests of a connection"},
    ConfigKey{"web_session_idle_timeout", T::Duration, "30m", 1 * kMin, 24 * kHour,
              "a session unused this long is over"},
    ConfigKey{"web_session_max_age", T::Duration, "8h", 5 * kMin, 7 * 24 * kHour,
              "a session is over this long after the login, used or not"},
    ConfigKey{
        "web_cookie_secure", T::String, "auto", 0, 0,
        "Secure flag on the session cookie: on, off, or auto (off only on a loopback listener)"},
    ConfigKey{
        "web_login_failures_per_account", T::Integer, "5", 1, 1000,
        "failed logins of one account within web_login_failure_window before it is throttled"},
    ConfigKey{"web_login_failures_per_address", T::Integer, "20", 1, 100000,
              "failed logins from one client address within the window before it is throttled"},
    ConfigKey{"web_login_failure_window", T::Duration, "15m", 1 * kMin, 24 * kHour,
              "how long a failed login counts for the throttle"},
    ConfigKey{"web_require_totp", T::Boolean, "no", 0, 0,
              "every web admin must use TOTP: one without it enrols right after the password"},
    ConfigKey{"web_trusted_proxies", T::String, "", 0, 0,
              "reverse proxies (comma-separated IP addresses) whose X-Forwarded-For last hop is "
              "taken as the client address"},

    // Mail client settings (send access data, autoconfig)
    ConfigKey{"imap_host", T::String, "localhost", 0, 0, "IMAP host name given to mail clients"},
    ConfigKey{"imap_port", T::Integer, "993", 1, 65535, "IMAP port"},
    ConfigKey{"imap_security", T::String, "ssl", 0, 0, "IMAP security: ssl, starttls or none"},
    ConfigKey{"pop3_host", T::String, "localhost", 0, 0, "POP3 host name given to mail clients"},
    ConfigKey{"pop3_port", T::Integer, "995", 1, 65535, "POP3 port"},
    ConfigKey{"pop3_security", T::String, "ssl", 0, 0, "POP3 security: ssl, starttls or none"},
    ConfigKey{"smtp_host", T::String, "localhost", 0, 0, "SMTP submission host name"},
    ConfigKey{"smtp_port", T::Integer, "587", 1, 65535, "SMTP submission port"},
    ConfigKey{"smtp_security", T::String, "starttls", 0, 0, "SMTP security: ssl, starttls or none"},
    ConfigKey{"access_data_language", T::String, "en", 0, 0,
              "default language of access-data mails: de or en"},
    ConfigKey{"sendmail_path", T::String, "/usr/sbin/sendmail", 0, 0,
              "sendmail-compatible program used to send mail"},

    // Passwords
    ConfigKey{"secret_key_file", T::String, "/etc/boxwarden/secret.key", 0, 0,
              "32-byte AES-256-GCM key for stored passwords"},
    ConfigKey{"password_scheme", T::String, "ARGON2ID", 0, 0,
              "hash scheme for new passwords: ARGON2ID or SHA512-CRYPT"},
    ConfigKey{"doveadm_path", T::String, "/usr/bin/doveadm", 0, 0,
              "doveadm binary for auth-cache flush and kick"},
    ConfigKey{"doveadm_config", T::String, "", 0, 0,
              "dovecot.conf passed to doveadm -c (empty = Dovecot's default)"},
};

}  // namespace

std::span<const ConfigKey> known_config_keys() {
    return kKeys;
}

}  // namespace boxwarden
