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
    admin::run_transaction(db(), f);
}

admin::Env Context::env() {
    return admin::Env{db(), config(), [this](const std::string& m) { warn(m); }};
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
    return admin::load_secret_key(config());
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

}  // namespace boxwarden::cli
