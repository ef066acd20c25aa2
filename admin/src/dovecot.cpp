#include "boxwarden/admin_dovecot.h"

#include <regex>

namespace boxwarden::admin {

namespace {

std::string first_lines(const std::string& text, size_t max_lines = 3) {
    std::string out;
    size_t start = 0, n = 0;
    while (start < text.size() && n < max_lines) {
        size_t nl = text.find('\n', start);
        if (nl == std::string::npos) nl = text.size();
        if (nl > start) {
            out += (out.empty() ? "" : " | ") + text.substr(start, nl - start);
            ++n;
        }
        start = nl + 1;
    }
    return out;
}

// A connect() to one of Dovecot's sockets failed because nothing is there:
// Dovecot is not running on this host (or under this base_dir).
bool says_not_running(const std::string& err) {
    return err.find("No such file or directory") != std::string::npos ||
           err.find("Connection refused") != std::string::npos;
}

bool says_error(const std::string& err) {
    return err.find("Error:") != std::string::npos || err.find("Fatal:") != std::string::npos ||
           err.find("Panic:") != std::string::npos;
}

DovecotResult not_started(const ProcessResult& run) {
    return {DovecotOutcome::NotOnHost, "doveadm not available (" + run.start_error + ")", -1};
}

}  // namespace

const char* outcome_name(DovecotOutcome o) {
    switch (o) {
        case DovecotOutcome::Done:
            return "done";
        case DovecotOutcome::NotOnHost:
            return "skipped";
        case DovecotOutcome::Failed:
            return "failed";
    }
    return "failed";
}

DovecotResult interpret_cache_flush(const ProcessResult& run) {
    if (!run.started) return not_started(run);
    const std::string text = run.err + "\n" + run.out;
    if (says_error(run.err) || !run.ok()) {
        // A missing configuration file is a mistake in doveadm_config, not
        // an absent Dovecot: only a missing socket counts as "not here".
        const bool config_problem =
            run.err.find("Error reading configuration") != std::string::npos;
        if (!config_problem && run.err.find("connect(") != std::string::npos &&
            says_not_running(run.err))
            return {DovecotOutcome::NotOnHost, first_lines(run.err, 1), -1};
        return {DovecotOutcome::Failed, first_lines(text) + " (" + describe_status(run) + ")", -1};
    }
    static const std::regex flushed(R"((\d+) cache entries flushed)");
    std::smatch m;
    if (!std::regex_search(run.out, m, flushed))
        return {DovecotOutcome::Failed, "unexpected doveadm output: " + first_lines(text), -1};
    return {DovecotOutcome::Done, m[0].str(), std::stol(m[1].str())};
}

DovecotResult interpret_kick(const ProcessResult& run) {
    if (!run.started) return not_started(run);
    const std::string text = run.err + "\n" + run.out;
    if (run.err.find("Error reading configuration") == std::string::npos &&
        run.err.find("anvil") != std::string::npos && says_not_running(run.err))
        return {DovecotOutcome::NotOnHost, first_lines(run.err, 1), -1};
    // doveadm kick exits 0 (kicked) or 68 (EX_NOUSER: nobody to kick); both
    // mean no session of the user is left.
    if (run.started && run.signal == 0 && (run.exit_code == 0 || run.exit_code == 68) &&
        !says_error(run.err)) {
        std::string said = first_lines(text);
        return {DovecotOutcome::Done, said.empty() ? "no sessions" : said, -1};
    }
    return {DovecotOutcome::Failed, first_lines(text) + " (" + describe_status(run) + ")", -1};
}

std::vector<std::string> Doveadm::base_argv() const {
    std::vector<std::string> argv{path_};
    if (!config_.empty()) {
        argv.push_back("-c");
        argv.push_back(config_);
    }
    return argv;
}

DovecotResult Doveadm::flush_auth_cache(const std::vector<std::string>& users) const {
    auto argv = base_argv();
    // "--": a valid local part may start with '-'; it must not read as an option.
    for (const char* w : {"auth", "cache", "flush", "--"}) argv.push_back(w);
    for (const auto& u : users) argv.push_back(u);
    return interpret_cache_flush(run_process(argv, {}, 30));
}

DovecotResult Doveadm::kick(const std::string& user) const {
    auto argv = base_argv();
    argv.push_back("kick");
    argv.push_back("--");
    argv.push_back(user);
    return interpret_kick(run_process(argv, {}, 30));
}

}  // namespace boxwarden::admin
