#pragma once
// Telling Dovecot about changed credentials: flush its auth cache and kick
// sessions through doveadm. doveadm's exit code is not enough: `auth cache
// flush` exits 0 when it cannot reach Dovecot (it prints the connect error
// and "0 cache entries flushed"), so the outcome is read from its output.
#include <string>
#include <vector>

#include "boxwarden/admin_process.h"

namespace boxwarden::admin {

enum class DovecotOutcome {
    Done,       // Dovecot answered
    NotOnHost,  // no doveadm, or no Dovecot running here: warn and go on
    Failed,     // Dovecot is here but refused or errored
};

struct DovecotResult {
    DovecotOutcome outcome = DovecotOutcome::Failed;
    std::string detail;  // doveadm's own words, or what was missing
    long entries = -1;   // cache entries flushed (flush only)
};

const char* outcome_name(DovecotOutcome o);  // "done", "skipped", "failed"

// Pure interpretation of doveadm runs (unit tested).
DovecotResult interpret_cache_flush(const ProcessResult& run);
DovecotResult interpret_kick(const ProcessResult& run);

class Doveadm {
  public:
    // doveadm_path and doveadm_config from the configuration file; an empty
    // config means Dovecot's default (no -c).
    Doveadm(std::string path, std::string config)
        : path_(std::move(path)), config_(std::move(config)) {}
    DovecotResult flush_auth_cache(const std::vector<std::string>& users) const;
    DovecotResult kick(const std::string& user) const;

  private:
    std::vector<std::string> base_argv() const;
    std::string path_;
    std::string config_;
};

}  // namespace boxwarden::admin
