#include "milter_session.h"

#include <strings.h>

#include "activity_request.h"
#include "boxwarden/from_rewrite.h"
#include "boxwarden/log_sanitize.h"

namespace boxwarden::milter {

using client::ResultKind;

namespace {

bool same_address(std::string_view a, std::string_view b) {
    return a.size() == b.size() && ::strncasecmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace

std::string reply_text_for_milter(std::string_view text) {
    std::string out;
    for (char c : text) {
        out += c;
        if (c == '%') out += '%';
    }
    return out;
}

MilterSession::MilterSession(SessionSettings settings, QueriesFactory make_queries, LogLine log)
    : settings_(std::move(settings)),
      make_queries_(std::move(make_queries)),
      log_(std::move(log)) {}

PolicydQueries& MilterSession::queries() {
    if (!queries_) queries_ = make_queries_();
    return *queries_;
}

Status MilterSession::count(Status s, std::atomic<std::uint64_t> MilterMetrics::*counter) {
    if (settings_.metrics) ++(settings_.metrics->*counter);
    return s;
}

Status MilterSession::on_mail(MilterContext& ctx, std::string_view envelope_sender) {
    const std::optional<std::string> login = ctx.macro("{auth_authen}");
    message_.start(envelope_sender, login.value_or(""));
    if (message_.sasl_login().empty())
        return count(Status::Accept, &MilterMetrics::unauthenticated);
    return Status::Continue;
}

Status MilterSession::on_rcpt(std::string_view recipient) {
    message_.add_recipient(recipient);
    return Status::Continue;
}

Status MilterSession::on_header(std::string_view name, std::string_view value) {
    message_.add_header(name, value);
    return Status::Continue;
}

Status MilterSession::tempfail(MilterContext& ctx, const std::string& what,
                               const std::string& error) {
    log_(compose_log_line(
        "tempfail queue_id=", Untrusted{queue_id_}, " login=", Untrusted{message_.sasl_login()},
        " sender=", Untrusted{message_.envelope_sender()}, ": ", what, ": ", Untrusted{error}));
    ctx.set_reply("451", "4.3.0", kTempfailText);
    return count(Status::Tempfail, &MilterMetrics::tempfailed);
}

Status MilterSession::reject(MilterContext& ctx, int code, const std::string& enhanced,
                             const std::string& text) {
    log_(compose_log_line("reject queue_id=", Untrusted{queue_id_},
                          " login=", Untrusted{message_.sasl_login()}, ": ", std::to_string(code),
                          " ", enhanced, " ", Untrusted{text}));
    ctx.set_reply(std::to_string(code), enhanced, reply_text_for_milter(text));
    return count(Status::Reject, &MilterMetrics::rejected);
}

Status MilterSession::on_eom(MilterContext& ctx, TimePoint now) {
    queue_id_ = ctx.macro("i").value_or("");
    // Asked for at EOM (smfi_setsymlist); the MAIL value when an MTA does not send it.
    std::string login = ctx.macro("{auth_authen}").value_or("");
    if (login.empty()) login = message_.sasl_login();
    if (login.empty()) return count(Status::Accept, &MilterMetrics::unauthenticated);

    SubmissionLookup facts = queries().lookup(message_.envelope_sender(), login);
    // notfound and error (a sender policyd cannot look up) mean "not ours".
    if (facts.sender.kind == ResultKind::Tempfail)
        return tempfail(ctx, "mailbox look-up", facts.sender.error);
    if (facts.user.kind == ResultKind::Tempfail)
        return tempfail(ctx, "user look-up", facts.user.error);
    const bool sender_hosted = facts.sender.ok();
    const std::string& sender_mailbox = facts.sender.value.delivery.address;
    const bool login_is_user = facts.user.ok();

    // Header From: exactly one, parseable, one address, owned by the login.
    FromOwnershipFacts owner;
    owner.sasl_login = login;
    owner.login_is_mailbox = sender_hosted && same_address(login, sender_mailbox);
    if (login_is_user) owner.assigned_mailboxes = facts.user.value.mailboxes;
    owner.recipient_delimiters = settings_.recipient_delimiter;
    if (message_.from_count() > message_.from_values().size())
        return reject(ctx, 550, "5.6.0",
                      "Message has " + std::to_string(message_.from_count()) +
                          " From headers (exactly one is allowed)");
    FromVerdict verdict = check_from_header(message_.from_values(), owner);
    if (verdict.check == FromCheck::NotOwned) {
        const std::string& from = verdict.from.address;
        bool refuse = settings_.enforce_header_from;
        if (refuse && !owner.login_is_mailbox && login.find('@') != std::string::npos &&
            names_mailbox(from, login, settings_.recipient_delimiter)) {
            // The login may itself be a mailbox other than the envelope sender.
            auto self = queries().mailbox(login);
            if (self.kind == ResultKind::Tempfail)
                return tempfail(ctx, "mailbox look-up", self.error);
            if (self.ok() && same_address(self.value.delivery.address, login)) refuse = false;
        }
        if (refuse && !(sender_hosted &&
                        names_mailbox(from, sender_mailbox, settings_.recipient_delimiter))) {
            // Only a hosted From address is protected.
            auto target = queries().mailbox(from);
            if (target.kind == ResultKind::Tempfail)
                return tempfail(ctx, "mailbox look-up", target.error);
            refuse = target.ok();
        }
        if (refuse) return reject(ctx, verdict.smtp_code, verdict.enhanced, verdict.text);
        verdict.check = FromCheck::Accept;
    }
    if (verdict.check != FromCheck::Accept)
        return reject(ctx, verdict.smtp_code, verdict.enhanced, verdict.text);
    if (!sender_hosted) return count(Status::Accept, &MilterMetrics::accepted);

    // The new From, decided before anything is written.
    std::optional<std::string> new_value;
    if (names_mailbox(verdict.from.address, sender_mailbox, settings_.recipient_delimiter)) {
        FromNameFacts name_facts;
        name_facts.sender_is_hosted_mailbox = true;
        name_facts.mailbox_email_name = facts.sender.value.email_name;
        name_facts.sasl_login = login;
        name_facts.login_is_user_account = login_is_user;
        if (login_is_user) name_facts.user_display_name = facts.user.value.display_name;
        const FromNameChoice choice = choose_from_display_name(name_facts);
        if (choice.name) {
            new_value = new_from_header_value(verdict.from, *choice.name);
            if (new_value) *new_value = " " + *new_value;  // SMFIP_HDR_LEADSPC
            if (new_value && *new_value == message_.from_values().front()) new_value.reset();
        }
    }

    // The activity row first: a rewrite never goes out without it. A retry
    // after a later tempfail sends the same event_id, stored once.
    const client::RecordActivity activity = sent_activity(message_, sender_mailbox, queue_id_, now);
    auto recorded = queries().record_activity(activity);
    if (!recorded.ok())
        return tempfail(ctx, "record_activity",
                        std::string(client::to_string(recorded.kind)) + ": " + recorded.error);
    if (new_value) {
        if (!ctx.change_header("From", 1, *new_value))
            return tempfail(ctx, "smfi_chgheader", "the MTA refused the From change");
        count(Status::Accept, &MilterMetrics::rewritten);
    }
    return count(Status::Accept, &MilterMetrics::accepted);
}

}  // namespace boxwarden::milter
