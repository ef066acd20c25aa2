// The plugin's C++ side behind plugin_core.h: policyd calls through
// boxwarden_client, decisions from core/mail. Every entry point is noexcept
// and catches everything (an exception must never unwind through Dovecot).
#include "plugin_core.h"

#include <sys/random.h>

#include <array>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <exception>
#include <map>
#include <memory>
#include <string>

#include "boxwarden/address.h"
#include "boxwarden/log_sanitize.h"
#include "boxwarden/ooo_decision.h"
#include "boxwarden/ooo_message.h"
#include "boxwarden/policyd_client.h"
#include "delivery_record.h"

namespace bw = boxwarden;
using bw::client::ResultKind;

struct bwp_core {
    bwp_core(const bwp_settings& s, bwp_log_func* log_fn)
        : client(s.socket, std::chrono::milliseconds(s.timeout_ms)),
          log(log_fn),
          ooo_enabled(s.ooo_enabled != 0),
          ooo_from_mailbox(s.ooo_from_mailbox != 0) {}

    bw::client::PolicydClient client;
    bwp_log_func* log;
    bool ooo_enabled;
    bool ooo_from_mailbox;

    // policyd's mailbox replies asked at RCPT in the current transaction,
    // reused by bwp_before_save for the same recipient (one round trip
    // less per delivery); cleared by bwp_transaction_end.
    struct Remembered {
        bw::client::MailboxReply reply;
        std::chrono::steady_clock::time_point asked;
    };
    std::map<std::string, Remembered> rcpt_replies;

    // The hosted mailbox of the last bwp_before_save (for bwp_ooo_prepare).
    bool pending = false;
    bw::client::MailboxReply pending_mailbox;
    bw::OooReply last_reply;
    // The claim behind last_reply, for bwp_ooo_release (empty token: none).
    bw::client::OooRelease last_claim;
};

namespace {

void log_to(bwp_core* core, bwp_log_level level, const std::string& text) noexcept {
    if (core && core->log) core->log(level, text.c_str());
}

void set_reply(bwp_reply* r, int code, std::string_view enhanced, std::string_view text) {
    r->code = code;
    std::snprintf(r->enhanced, sizeof r->enhanced, "%.*s", int(enhanced.size()), enhanced.data());
    std::snprintf(r->text, sizeof r->text, "%.*s", int(text.size()), text.data());
}

void set_tempfail(bwp_reply* r) {
    set_reply(r, 451, "4.3.0", "Temporary internal error, try again later");
}

std::string mailbox_of(const char* address, const char* delimiters) {
    return bw::strip_address_extension(bw::normalize_address(address ? address : ""),
                                       delimiters ? delimiters : "");
}

bw::dovecot_plugin::DeliveryFacts facts_of(const bwp_delivery& d, const std::string& mailbox) {
    bw::dovecot_plugin::DeliveryFacts f;
    f.mailbox = mailbox;
    f.envelope_sender = d.envelope_sender ? d.envelope_sender : "";
    f.headers = bw::dovecot_plugin::parse_header_block(std::string_view(d.header, d.header_size));
    f.delivered_at = bw::TimePoint{std::chrono::microseconds{d.delivered_at_us}};
    f.delimiters = d.delimiters ? d.delimiters : "";
    return f;
}

// A reply from RCPT is reused at the save only this long (a transaction
// whose DATA takes longer asks again).
constexpr auto kRcptReplyMaxAge = std::chrono::seconds(60);

}  // namespace

extern "C" {

bwp_core* bwp_core_create(const bwp_settings* settings, bwp_log_func* log) {
    try {
        return new bwp_core(*settings, log);
    } catch (const std::exception& e) {
        if (log) log(BWP_LOG_ERROR, (std::string("boxwarden: cannot start: ") + e.what()).c_str());
    } catch (...) {
        if (log) log(BWP_LOG_ERROR, "boxwarden: cannot start");
    }
    return nullptr;
}

void bwp_core_destroy(bwp_core** core) {
    if (!core) return;
    delete *core;
    *core = nullptr;
}

int bwp_rcpt_check(bwp_core* core, const char* address, const char* delimiters,
                   bwp_reply* reply_r) {
    try {
        const std::string mailbox = mailbox_of(address, delimiters);
        // request=mailbox: its first part is the verdict; the rest is kept
        // for the save of this recipient.
        auto m = core->client.mailbox(mailbox);
        core->rcpt_replies.erase(mailbox);
        const bw::client::VerdictReply& v = m.value.delivery;
        if (m.kind == ResultKind::Ok || m.kind == ResultKind::NotFound) {
            if (m.kind == ResultKind::Ok && v.deliver() && v.exists.value_or(false))
                core->rcpt_replies[mailbox] = {m.value, std::chrono::steady_clock::now()};
            if (v.deliver()) return 1;
            const int code = v.smtp_code;
            if ((code >= 400 && code < 600) && !v.enhanced_code.empty()) {
                set_reply(reply_r, code, v.enhanced_code, v.smtp_text);
                return code >= 500 ? 0 : -1;
            }
        }
        log_to(core, BWP_LOG_ERROR,
               "boxwarden: verdict for " + bw::sanitize_for_log(mailbox, 320) + " failed (" +
                   std::string(bw::client::to_string(m.kind)) +
                   "): " + bw::sanitize_for_log(m.error, 300));
    } catch (const std::exception& e) {
        log_to(core, BWP_LOG_ERROR, std::string("boxwarden: RCPT check failed: ") + e.what());
    } catch (...) {
        log_to(core, BWP_LOG_ERROR, "boxwarden: RCPT check failed");
    }
    set_tempfail(reply_r);
    return -1;
}

int bwp_before_save(bwp_core* core, const bwp_delivery* d, bwp_reply* reply_r) {
    try {
        core->pending = false;
        const std::string mailbox = mailbox_of(d->recipient, d->delimiters);
        bw::client::Result<bw::client::MailboxReply> m;
        auto known = core->rcpt_replies.find(mailbox);
        if (known != core->rcpt_replies.end() &&
            std::chrono::steady_clock::now() - known->second.asked < kRcptReplyMaxAge) {
            m.kind = ResultKind::Ok;
            m.value = known->second.reply;
        } else {
            m = core->client.mailbox(mailbox);
        }
        if (m.kind == ResultKind::NotFound) return 1;  // not hosted here: nothing to record
        if (m.kind == ResultKind::Ok) {
            if (!m.value.delivery.exists.value_or(false)) return 1;
            const auto activity = bw::dovecot_plugin::received_activity(facts_of(*d, mailbox));
            auto rec = core->client.record_activity(activity);
            if (rec.ok()) {
                core->pending = true;
                core->pending_mailbox = std::move(m.value);
                return 1;
            }
            if (rec.kind == ResultKind::Error) {
                // policyd refused the entry itself: a retry cannot help, so the
                // mail is delivered and the refusal logged.
                log_to(core, BWP_LOG_ERROR,
                       "boxwarden: activity for " + mailbox +
                           " refused: " + bw::sanitize_for_log(rec.error, 300));
                core->pending = true;
                core->pending_mailbox = std::move(m.value);
                return 1;
            }
            log_to(core, BWP_LOG_ERROR,
                   "boxwarden: activity for " + mailbox +
                       " not durable, delivery deferred: " + bw::sanitize_for_log(rec.error, 300));
        } else {
            log_to(core, BWP_LOG_ERROR,
                   "boxwarden: mailbox look-up for " + bw::sanitize_for_log(mailbox, 320) +
                       " failed (" + std::string(bw::client::to_string(m.kind)) +
                       "), delivery deferred: " + bw::sanitize_for_log(m.error, 300));
        }
    } catch (const std::exception& e) {
        log_to(core, BWP_LOG_ERROR, std::string("boxwarden: before save failed: ") + e.what());
    } catch (...) {
        log_to(core, BWP_LOG_ERROR, "boxwarden: before save failed");
    }
    set_tempfail(reply_r);
    return -1;
}

void bwp_transaction_end(bwp_core* core) {
    if (core) core->rcpt_replies.clear();
}

int bwp_ooo_prepare(bwp_core* core, const bwp_delivery* d, bwp_ooo_reply* reply_r) {
    try {
        if (!core->ooo_enabled || !core->pending) return 0;
        core->pending = false;
        core->last_claim = {};
        const bw::client::MailboxReply& mb = core->pending_mailbox;
        if (!mb.ooo_enabled) return 0;
        const std::string mailbox = mailbox_of(d->recipient, d->delimiters);
        const std::string_view header(d->header, d->header_size);

        bw::OooFacts facts;
        facts.mailbox_address = mailbox;
        facts.mailbox_active = mb.active;
        facts.ooo_enabled = mb.ooo_enabled;
        facts.ooo_start = bw::dovecot_plugin::parse_policyd_time(mb.ooo_start);
        facts.ooo_end = bw::dovecot_plugin::parse_policyd_time(mb.ooo_end);
        facts.recipient_delimiters = d->delimiters ? d->delimiters : "";
        facts.envelope_sender = d->envelope_sender ? d->envelope_sender : "";
        facts.headers = bw::dovecot_plugin::parse_header_block(header);
        const bw::TimePoint now = bw::wall_clock_now();
        const bw::OooDecision decision = bw::decide_ooo_reply(facts, now);
        if (!decision.reply) {
            log_to(core, BWP_LOG_INFO,
                   "boxwarden: no out-of-office reply for " + mailbox + ": " +
                       std::string(bw::to_string(decision.reasons.front())));
            return 0;
        }
        const std::string sender = bw::normalized_return_path(facts.envelope_sender);
        bw::client::OooClaim claim{mailbox, sender, ""};
        auto c = core->client.ooo_claim(claim);
        if (!c.ok()) {
            log_to(core, BWP_LOG_WARNING,
                   "boxwarden: out-of-office claim for " + mailbox +
                       " failed, no reply sent: " + bw::sanitize_for_log(c.error, 300));
            return -1;
        }
        if (!c.value.should_reply) return 0;
        core->last_claim = {mailbox, sender, c.value.claim_token};

        bw::OooReplyFacts rf;
        rf.mailbox_address = mailbox;
        rf.mailbox_email_name = mb.email_name;
        rf.ooo_subject = mb.ooo_subject;
        rf.ooo_body = mb.ooo_body;
        rf.envelope_sender = facts.envelope_sender;
        rf.original_headers = std::move(facts.headers);
        rf.envelope_sender_is_mailbox = core->ooo_from_mailbox;
        std::array<unsigned char, 16> random{};
        if (getrandom(random.data(), random.size(), 0) != ssize_t(random.size()))
            throw std::runtime_error("getrandom failed");
        core->last_reply = bw::compose_ooo_reply(rf, now, random);
        reply_r->mail_from = core->last_reply.mail_from.c_str();
        reply_r->rcpt_to = core->last_reply.rcpt_to.c_str();
        reply_r->message = core->last_reply.message.data();
        reply_r->message_size = core->last_reply.message.size();
        return 1;
    } catch (const std::exception& e) {
        log_to(core, BWP_LOG_ERROR,
               std::string("boxwarden: out-of-office reply failed: ") + e.what());
    } catch (...) {
        log_to(core, BWP_LOG_ERROR, "boxwarden: out-of-office reply failed");
    }
    return -1;
}

int bwp_ooo_release(bwp_core* core) {
    try {
        bw::client::OooRelease claim = std::move(core->last_claim);
        core->last_claim = {};
        if (claim.claim_token.empty()) {
            log_to(core, BWP_LOG_WARNING,
                   "boxwarden: out-of-office claim for " + claim.mailbox +
                       " cannot be released (policyd sent no claim token)");
            return 0;
        }
        auto r = core->client.ooo_release(claim);
        const std::string who = claim.mailbox + " -> " + bw::sanitize_for_log(claim.sender, 320);
        if (!r.ok()) {
            log_to(core, BWP_LOG_ERROR,
                   "boxwarden: out-of-office claim " + who + " not released (" +
                       std::string(bw::client::to_string(r.kind)) +
                       "): " + bw::sanitize_for_log(r.error, 300) +
                       "; the sender gets no reply until the interval has passed");
            return -1;
        }
        if (!r.value.released) {
            log_to(core, BWP_LOG_INFO,
                   "boxwarden: out-of-office claim " + who +
                       " not released: it is no longer the current claim");
            return 0;
        }
        log_to(core, BWP_LOG_INFO,
               "boxwarden: out-of-office claim " + who +
                   " released after the failed send: the next mail gets the reply");
        return 1;
    } catch (const std::exception& e) {
        log_to(core, BWP_LOG_ERROR,
               std::string("boxwarden: out-of-office release failed: ") + e.what());
    } catch (...) {
        log_to(core, BWP_LOG_ERROR, "boxwarden: out-of-office release failed");
    }
    return -1;
}

}  // extern "C"
