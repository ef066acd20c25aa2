#include "i18n_totp.h"

namespace boxwarden::web {

namespace {

constexpr TextRow kTexts[] = {
    {"second_step", "Second step: authenticator code",
     "Zweiter Schritt: Code der Authenticator-App"},
    {"totp_code", "Code", "Code"},
    {"totp_code_note", "The 6-digit code of your authenticator app, or one of your recovery codes.",
     "Der 6-stellige Code Ihrer Authenticator-App oder einer Ihrer Wiederherstellungscodes."},
    {"confirm_code", "Confirm", "Bestätigen"},
    {"cancel_login", "Cancel", "Abbrechen"},
    {"code_wrong", "The code is wrong.", "Der Code ist falsch."},
    {"code_used", "This code was used already. Wait for the next one.",
     "Dieser Code wurde schon verwendet. Bitte auf den nächsten warten."},
    {"enrol_title", "Set up the second factor (TOTP)", "Zweiten Faktor (TOTP) einrichten"},
    {"enrol_note",
     "This page requires a second factor. Add the secret (or the otpauth URI) to your "
     "authenticator app, then confirm with the code it shows.",
     "Diese Seite verlangt einen zweiten Faktor. Tragen Sie das Geheimnis (oder die "
     "otpauth-URI) in Ihre Authenticator-App ein und bestätigen Sie mit dem angezeigten Code."},
    {"totp_secret", "Secret", "Geheimnis"},
    {"otpauth_uri", "otpauth URI", "otpauth-URI"},
    {"recovery_codes", "Recovery codes", "Wiederherstellungscodes"},
    {"totp_now_on", "The second factor is on.", "Der zweite Faktor ist eingeschaltet."},
    {"recovery_codes_note",
     "Keep these codes somewhere safe: each one logs you in once instead of a code of the app. "
     "They are shown only now.",
     "Bewahren Sie diese Codes sicher auf: Jeder ersetzt einmal einen Code der App. Sie werden "
     "nur jetzt angezeigt."},
    {"continue", "Continue", "Weiter"},
};

}  // namespace

std::span<const TextRow> second_factor_texts() {
    return kTexts;
}

}  // namespace boxwarden::web
