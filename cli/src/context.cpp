#include "context.h"

#include <unistd.h>

#include <fstream>
#include <iostream>
#include <sstream>

#include "boxwarden/mail_header.h"
#include "boxwarden/retry.h"
#include "boxwarden/secret_box.h"

namespace boxwarden::cli {

namespace {

std::string trim(std::string s) {
    const auto blank = [](char c) { return c == ' ' || c == '\t' || c == '\r'; };
    while (!s.empty() && blank(s.back())) s.pop_back();
    size_t i = 0;
    while (i < s.size() && blank(s[i])) ++i;
    return s.substr(i);
}

std::string unquote(std::string v) {
    if (v.size() >= 2 && (v.front() == '"' || v.front() == '\'') && v.back() == v.front())
        return v.substr(1, v.size() - 2);
    return v;
}

}  // namespace

void apply_defaults_file(const std::string& path, db::ConnectionParams& params) {
    std::ifstream in(path);
    if (!in) throw ToolError(path + ": cannot read the --defaults-file");
    std::string line, section;
    while (std::getline(in, line)) {
        line = trim(line);
        if (line.empty() || line[0] == '#' || line[0] == ';') continue;
        if (line.front() == '[' && line.back() == ']') {
            section = trim(line.substr(1, line.size() - 2));
            continue;
        }
        if (section != "client") continue;
        const size_t eq = line.find('=');
        if (eq == std::string::npos) continue;
        std::string key = trim(line.substr(0, eq));
        for (char& ch : key)
            if (ch == '-') ch = '_';
        const std::string value = unquote(trim(line.substr(eq + 1)));
        if (key == "user")
            params.user = value;
        else if (key == "password")
            params.password = value;
        else if (key == "host")
            params.host = value == "localhost" ? "" : value;
        else if (key == "socket")
            params.socket = value;
        else if (key == "database")
            params.database = value;
        else if (key == "port") {
            try {
                params.port = std::stoi(value);
            } catch (const std::exception&) {
                throw ToolError(path + ": port is not a number");
            }
        }
    }
}

Context::Context(ParsedArgs args, std::ostream& out, std::ostream& err)
    : args_(std::move(args)), out_(out), err_(err) {}

Context::~Context() = default;

const Config& Context::config() {
    if (!config_) config_ = Config::load(args_.global.config_path);
    return *config_;
}

db::Connection& Context::db() {
    if (!db_) {
        db::ConnectionParams p = db::params_from_config(config());
        if (args_.global.defaults_file) apply_defaults_file(*args_.global.defaults_file, p);
        db_ = std::make_unique<db::Connection>(std::move(p));
    }
    return *db_;
}

void Context::transaction(const std::function<void()>& f) {
    // A deadlock or a Galera certification conflict rolls the whole
    // transaction back; core's retry helper runs it again (bounded, with
    // jittered backoff). A rule refusal is passed on at once.
    db::run_transaction(db(), [&](db::Connection&) { f(); });
}

void Context::print(const Json& value) {
    if (json())
        out_ << value.dump_pretty() << "\n";
    else
        out_ << render_human(value);
    out_.flush();
}

void Context::done(const Json& value, const std::string& message) {
    if (json())
        out_ << value.dump_pretty() << "\n";
    else
        out_ << terminal_safe(message) << "\n";
    out_.flush();
}

void Context::warn(const std::string& message) {
    err_ << "boxwardenctl: warning: " << terminal_safe(message) << "\n";
    err_.flush();
}

std::string Context::read_stdin() {
    std::ostringstream s;
    s << std::cin.rdbuf();
    return s.str();
}

bool Context::stdin_is_terminal() const {
    return ::isatty(0) == 1;
}

bool Context::stdout_is_terminal() const {
    return ::isatty(1) == 1;
}

SecretKey Context::load_secret_key() {
    try {
        return SecretKey::load(config().get_string("secret_key_file"));
    } catch (const SecretKeyError& e) {
        throw ToolError(std::string("secret key: ") + e.what());
    }
}

MailboxRef lock_mailbox(db::Connection& c, const std::string& address) {
    auto rows = c.query("SELECT id, address FROM mailbox WHERE address = LOWER(TRIM(?)) FOR UPDATE",
                        {address});
    if (rows.empty()) throw Refusal("mailbox '" + address + "' does not exist");
    return {rows[0].i64("id"), rows[0].str("address")};
}

std::int64_t lock_user(db::Connection& c, const std::string& login) {
    auto rows =
        c.query("SELECT id FROM user_account WHERE login = LOWER(TRIM(?)) FOR UPDATE", {login});
    if (rows.empty()) throw Refusal("user '" + login + "' does not exist");
    return rows[0].i64("id");
}

Json iso_time(const std::optional<std::string>& v) {
    if (!v) return nullptr;
    if (v->size() < 19) return *v;
    return v->substr(0, 10) + "T" + v->substr(11, 8) + "Z";
}

bool parse_on_off(const std::string& text, const std::string& what) {
    if (auto b = parse_bool(text)) return *b;
    throw UsageError(what + " must be on or off, got '" + text + "'");
}

}  // namespace boxwarden::cli

namespace boxwarden::cli {

std::string parse_utc_time(const std::string& text, const std::string& what) {
    std::string s = text;
    if (!s.empty() && (s.back() == 'Z' || s.back() == 'z')) s.pop_back();
    if (s.size() > 10 && (s[10] == 'T' || s[10] == 't')) s[10] = ' ';
    if (s.size() == 10) s += " 00:00:00";
    if (s.size() == 16) s += ":00";
    const auto t = s.size() == 19 ? db::parse_sql_datetime(s) : std::nullopt;
    if (!t || !in_datetime_range(*t))
        throw UsageError(what +
                         " must be a UTC time from 1000-01-01 to 9999-12-31 23:59:59, like "
                         "2026-12-01 or 2026-12-01T08:00, got '" +
                         text + "'");
    return s;
}

void require_utf8(const std::string& text, const std::string& what) {
    size_t pos = 0;
    while (pos < text.size()) {
        const Utf8Step step = decode_utf8_at(text, pos);
        if (!step.valid)
            throw Refusal(what + " is not valid UTF-8 (at byte " + std::to_string(pos) + ")");
        pos += step.length;
    }
}

void require_display_text(const std::string& text, const std::string& what, size_t max_chars) {
    require_utf8(text, what);
    size_t pos = 0, chars = 0;
    while (pos < text.size()) {
        const Utf8Step step = decode_utf8_at(text, pos);
        const char32_t c = step.code_point;
        if (c < 0x20 || (c >= 0x7f && c <= 0x9f) || c == 0x2028 || c == 0x2029)
            throw Refusal(what +
                          " refused: it contains a control character (U+0000-U+001F, "
                          "U+007F-U+009F, U+2028 or U+2029; line breaks and tabs included)");
        pos += step.length;
        ++chars;
    }
    if (chars > max_chars)
        throw Refusal(what + " is too long (at most " + std::to_string(max_chars) +
                      " characters, got " + std::to_string(chars) + ")");
}

}  // namespace boxwarden::cli
