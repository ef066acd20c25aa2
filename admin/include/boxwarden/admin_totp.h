#pragma once
// The second factor of the web page's admins (migration 0008): TOTP
// (RFC 6238) with the secret sealed by the secret box, and single-use
// recovery codes stored as SHA-256. Shared by boxwardenctl (admin totp ...)
// and boxwarden-web (second login step, enrolment). The decisions are
// core/crypto's (boxwarden/totp.h, recovery_code.h); this is their I/O.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "boxwarden/admin.h"

namespace boxwarden::admin {

inline constexpr int kRecoveryCodeCount = 10;
inline constexpr const char* kTotpIssuer = "boxwarden";

struct TotpSecret {
    std::string login;          // the stored login (the otpauth label)
    std::string secret_base32;  // without padding, as apps take it
    std::string otpauth_uri;
};

struct TotpEnrolment {
    TotpSecret secret;
    std::vector<std::string> recovery_codes;  // shown once, never stored in clear
};

struct RecoveryCodes {
    std::string login;
    std::vector<std::string> codes;
};

// ---- boxwardenctl ----------------------------------------------------------------

// A new secret, enabled at once, and 10 new recovery codes (older unused ones
// are revoked). Refusal when the admin does not exist or already has TOTP
// enabled. The admin's sessions end (trigger).
TotpEnrolment enable_web_admin_totp(Env& env, const std::string& login);
// Removes the secret and revokes the unused recovery codes; the admin's
// sessions end. Refusal when TOTP is not enabled. Returns the stored login.
std::string disable_web_admin_totp(Env& env, const std::string& login);
// 10 new recovery codes; every unused older one is revoked. Refusal when
// TOTP is not enabled.
RecoveryCodes renew_web_admin_recovery_codes(Env& env, const std::string& login);

// ---- boxwarden-web -------------------------------------------------------------------

bool web_admin_totp_enabled(db::Connection& db, std::int64_t admin_id);

// An enrolment on the page: a new secret stored with enabled = 0 (replacing
// an earlier unconfirmed one). Refusal when TOTP is already enabled.
TotpSecret start_web_admin_totp_enrolment(Env& env, std::int64_t admin_id);
// The unconfirmed secret of an enrolment, or nullopt.
std::optional<TotpSecret> pending_web_admin_totp(Env& env, std::int64_t admin_id);
// Confirms the enrolment with a code of the pending secret: enables it
// (that step counts as used) and issues 10 recovery codes. nullopt for a
// wrong code (or no enrolment).
std::optional<TotpEnrolment> confirm_web_admin_totp(Env& env, std::int64_t admin_id,
                                                    const std::string& typed_code,
                                                    std::int64_t unix_now);

enum class SecondFactor {
    TotpAccepted,          // a code of an unused step; that step is now used
    RecoveryCodeAccepted,  // an unused recovery code; it is now used
    Replayed,              // a right TOTP code whose step was already used
    Wrong,                 // anything else (also: TOTP not enabled)
};
struct SecondFactorResult {
    SecondFactor verdict = SecondFactor::Wrong;
    long recovery_codes_left = 0;  // after RecoveryCodeAccepted
};
// A typed code: 6 digits (blanks ignored) are a TOTP code, anything else is
// tried as a recovery code. Marking the step or the code used is one
// conditional UPDATE, so two logins racing with one code cannot both pass.
SecondFactorResult check_web_admin_second_factor(Env& env, std::int64_t admin_id,
                                                 const std::string& typed_code,
                                                 std::int64_t unix_now);

}  // namespace boxwarden::admin
