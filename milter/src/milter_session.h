#pragma once
// One libmilter connection's state and decisions (docs/milter.md). The
// mlfi_* callbacks only translate into these calls; libmilter serialises a
// connection's callbacks (they may run on different threads, so this object
// lives in smfi_setpriv, never in a thread-local).
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "boxwarden/clock.h"
#include "message_collector.h"
#include "milter_context.h"
#include "milter_metrics.h"
#include "policyd_queries.h"

namespace boxwarden::milter {

struct SessionSettings {
    bool enforce_header_from = true;
    std::string recipient_delimiter = "+";
    MilterMetrics* metrics = nullptr;  // outcome counters (null: none)
};

// The 451 text of every tempfail (policyd unreachable, slow or tempfail).
inline constexpr std::string_view kTempfailText =
    "Sender settings temporarily unavailable, try again later";

class MilterSession {
  public:
    using QueriesFactory = std::function<std::unique_ptr<PolicydQueries>()>;
    using LogLine = std::function<void(const std::string&)>;

    MilterSession(SessionSettings settings, QueriesFactory make_queries, LogLine log);

    // MAIL FROM: an unauthenticated message ({auth_authen} unset) is
    // accepted here, untouched; its other callbacks do not run.
    Status on_mail(MilterContext& ctx, std::string_view envelope_sender);
    Status on_rcpt(std::string_view recipient);
    Status on_header(std::string_view name, std::string_view value);
    // End of message: the From checks, the activity write, then the rewrite.
    Status on_eom(MilterContext& ctx, TimePoint now);

    const MessageCollector& message() const { return message_; }
    // The policyd connection, for the next session (QueriesPool); null
    // when this session never asked policyd.
    std::unique_ptr<PolicydQueries> release_queries() { return std::move(queries_); }

  private:
    PolicydQueries& queries();
    Status tempfail(MilterContext& ctx, const std::string& what, const std::string& error);
    Status reject(MilterContext& ctx, int code, const std::string& enhanced,
                  const std::string& text);
    Status count(Status s, std::atomic<std::uint64_t> MilterMetrics::*counter);

    SessionSettings settings_;
    QueriesFactory make_queries_;
    LogLine log_;
    std::unique_ptr<PolicydQueries> queries_;  // created at the first look-up
    MessageCollector message_;
    std::string queue_id_;
};

// '%' doubled (libmilter's reply text is a format for the MTA).
std::string reply_text_for_milter(std::string_view text);

}  // namespace boxwarden::milter
