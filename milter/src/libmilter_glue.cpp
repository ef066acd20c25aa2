#include "libmilter_glue.h"

#include <grp.h>
#include <libmilter/mfapi.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <stdexcept>

#include "caching_queries.h"
#include "lookup_cache.h"
#include "milter_metrics.h"
#include "milter_session.h"
#include "queries_pool.h"

namespace boxwarden::milter {

namespace {

const MilterOptions* g_options = nullptr;
// Shared by every connection (each is thread-safe).
MilterMetrics g_metrics;
std::unique_ptr<LookupCache> g_cache;
std::unique_ptr<QueriesPool> g_pool;

// The steps boxwarden-milter needs: MAIL (auth check), RCPT without a reply
// (every envelope recipient for the activity log), headers without a reply,
// end of message. Everything else is switched off.
constexpr unsigned long kWantedSteps = SMFIP_NOCONNECT | SMFIP_NOHELO | SMFIP_NOBODY | SMFIP_NOEOH |
                                       SMFIP_NR_HDR | SMFIP_NR_RCPT | SMFIP_NOUNKNOWN |
                                       SMFIP_NODATA | SMFIP_HDR_LEADSPC;
constexpr unsigned long kWantedActions = SMFIF_CHGHDRS | SMFIF_SETSYMLIST;

class LibmilterContext final : public MilterContext {
  public:
    explicit LibmilterContext(SMFICTX* ctx) : ctx_(ctx) {}
    std::optional<std::string> macro(std::string_view name) override {
        const char* v = smfi_getsymval(ctx_, const_cast<char*>(std::string(name).c_str()));
        if (v == nullptr) return std::nullopt;
        return std::string(v);
    }
    bool change_header(std::string_view name, int index, std::string_view value) override {
        std::string n(name), v(value);
        return smfi_chgheader(ctx_, n.data(), index, v.data()) == MI_SUCCESS;
    }
    bool set_reply(std::string_view code, std::string_view enhanced,
                   std::string_view text) override {
        std::string c(code), e(enhanced), t(text);
        return smfi_setreply(ctx_, c.data(), e.data(), t.data()) == MI_SUCCESS;
    }

  private:
    SMFICTX* ctx_;
};

sfsistat to_smfis(Status s) {
    switch (s) {
        case Status::Continue:
            return SMFIS_CONTINUE;
        case Status::Accept:
            return SMFIS_ACCEPT;
        case Status::Reject:
            return SMFIS_REJECT;
        case Status::Tempfail:
            return SMFIS_TEMPFAIL;
    }
    return SMFIS_TEMPFAIL;
}

// One libmilter connection: the session and what negotiation granted.
struct Connection {
    MilterSession session;
    // RCPT and header replies switched off (SMFIP_NR_*): those callbacks
    // must answer SMFIS_NOREPLY, else libmilter logs "milter claimed not to
    // reply in state N but did anyway" through syslog for every header.
    bool no_reply_rcpt = false;
    bool no_reply_header = false;
};

Connection* make_connection(SMFICTX* ctx) {
    SessionSettings settings{g_options->enforce_header_from, g_options->recipient_delimiter,
                             &g_metrics};
    auto* c = new Connection{MilterSession(
        settings, [] { return g_pool->take(); }, log_line)};
    smfi_setpriv(ctx, c);
    return c;
}

// The connection's state, made at negotiation (or at its first callback
// when an MTA skips negotiation).
Connection& connection_of(SMFICTX* ctx) {
    if (auto* c = static_cast<Connection*>(smfi_getpriv(ctx))) return *c;
    return *make_connection(ctx);
}

MilterSession& session_of(SMFICTX* ctx) {
    return connection_of(ctx).session;
}

// Each callback: translate, call the session; an exception (only
// std::bad_alloc is expected) tempfails the message, the daemon serves on.
template <class F>
sfsistat guarded(SMFICTX* ctx, const char* step, F&& f) {
    try {
        return to_smfis(f(session_of(ctx)));
    } catch (const std::exception& e) {
        ++g_metrics.tempfailed;
        log_line(std::string("tempfail in ") + step + ": " + e.what());
        smfi_setreply(ctx, const_cast<char*>("451"), const_cast<char*>("4.3.0"),
                      const_cast<char*>(std::string(kTempfailText).c_str()));
        return SMFIS_TEMPFAIL;
    }
}

sfsistat mlfi_negotiate(SMFICTX* ctx, unsigned long f0, unsigned long f1, unsigned long,
                        unsigned long, unsigned long* pf0, unsigned long* pf1, unsigned long* pf2,
                        unsigned long* pf3) {
    *pf0 = kWantedActions & f0;
    *pf1 = kWantedSteps & f1;
    *pf2 = *pf3 = 0;
    try {
        Connection& c = connection_of(ctx);
        c.no_reply_rcpt = (*pf1 & SMFIP_NR_RCPT) != 0;
        c.no_reply_header = (*pf1 & SMFIP_NR_HDR) != 0;
    } catch (const std::exception& e) {
        log_line(std::string("negotiation: ") + e.what());
        return SMFIS_TEMPFAIL;
    }
    // The auth macro at EOM even when an operator narrowed milter_mail_macros.
    if (f0 & SMFIF_SETSYMLIST) {
        smfi_setsymlist(ctx, SMFIM_ENVFROM, const_cast<char*>("{auth_authen}"));
        smfi_setsymlist(ctx, SMFIM_EOM, const_cast<char*>("{auth_authen} i"));
    }
    return SMFIS_CONTINUE;
}

sfsistat mlfi_envfrom(SMFICTX* ctx, char** argv) {
    return guarded(ctx, "MAIL", [&](MilterSession& s) {
        LibmilterContext c(ctx);
        return s.on_mail(c, argv && argv[0] ? argv[0] : "");
    });
}

// Continue without a reply where negotiation switched the reply off.
sfsistat no_reply_if(bool no_reply, sfsistat r) {
    return no_reply && r == SMFIS_CONTINUE ? SMFIS_NOREPLY : r;
}

sfsistat mlfi_envrcpt(SMFICTX* ctx, char** argv) {
    const sfsistat r = guarded(
        ctx, "RCPT", [&](MilterSession& s) { return s.on_rcpt(argv && argv[0] ? argv[0] : ""); });
    return no_reply_if(connection_of(ctx).no_reply_rcpt, r);
}

sfsistat mlfi_header(SMFICTX* ctx, char* name, char* value) {
    const sfsistat r = guarded(ctx, "header", [&](MilterSession& s) {
        return s.on_header(name ? name : "", value ? value : "");
    });
    return no_reply_if(connection_of(ctx).no_reply_header, r);
}

sfsistat mlfi_eom(SMFICTX* ctx) {
    LatencyTimer timer(g_metrics.end_of_message);
    return guarded(ctx, "end of message", [&](MilterSession& s) {
        LibmilterContext c(ctx);
        return s.on_eom(c, wall_clock_now());
    });
}

sfsistat mlfi_close(SMFICTX* ctx) {
    auto* c = static_cast<Connection*>(smfi_getpriv(ctx));
    if (c) g_pool->give_back(c->session.release_queries());
    delete c;
    smfi_setpriv(ctx, nullptr);
    return SMFIS_CONTINUE;
}

smfiDesc g_desc = {
    const_cast<char*>("boxwarden-milter"),
    SMFI_VERSION,
    SMFIF_CHGHDRS | SMFIF_SETSYMLIST,
    nullptr,  // connect
    nullptr,  // helo
    mlfi_envfrom,
    mlfi_envrcpt,
    mlfi_header,
    nullptr,  // eoh
    nullptr,  // body
    mlfi_eom,
    nullptr,  // abort: the next MAIL FROM starts afresh
    mlfi_close,
    nullptr,  // unknown
    nullptr,  // data
    mlfi_negotiate,
};

}  // namespace

void log_line(const std::string& text) {
    std::string line = "boxwarden-milter: " + text + "\n";
    std::fwrite(line.data(), 1, line.size(), stderr);
    std::fflush(stderr);
}

std::string metrics_text() {
    return render_milter_metrics(g_metrics);
}

void open_milter_socket(const MilterOptions& options) {
    g_options = &options;
    g_cache = std::make_unique<LookupCache>(options.lookup_cache_ttl);
    const std::string target = options.query_socket;
    const auto timeout = options.query_timeout;
    g_pool = std::make_unique<QueriesPool>([target, timeout]() -> std::unique_ptr<PolicydQueries> {
        return std::make_unique<CachingQueries>(
            std::make_unique<PolicydClientQueries>(target, timeout), g_cache.get(), &g_metrics);
    });
    const std::string conn = "unix:" + options.milter_socket;
    if (smfi_setconn(const_cast<char*>(conn.c_str())) != MI_SUCCESS)
        throw std::runtime_error("smfi_setconn " + conn + " failed");
    if (smfi_register(g_desc) != MI_SUCCESS) throw std::runtime_error("smfi_register failed");
    gid_t gid = static_cast<gid_t>(-1);
    if (!options.milter_socket_group.empty()) {
        const group* g = ::getgrnam(options.milter_socket_group.c_str());
        if (g == nullptr)
            throw std::runtime_error("milter_socket_group: group '" + options.milter_socket_group +
                                     "' does not exist");
        gid = g->gr_gid;
    }
    // 0660 from the start: nobody but the owner and the group can connect.
    const mode_t old_mask = ::umask(0117);
    const int rc = smfi_opensocket(1);  // 1: remove a stale socket first
    ::umask(old_mask);
    if (rc != MI_SUCCESS)
        throw std::runtime_error("cannot open milter socket " + options.milter_socket);
    if (gid != static_cast<gid_t>(-1) &&
        ::chown(options.milter_socket.c_str(), static_cast<uid_t>(-1), gid) != 0)
        throw std::runtime_error("chown " + options.milter_socket + ": " + std::strerror(errno));
    if (::chmod(options.milter_socket.c_str(), 0660) != 0)
        throw std::runtime_error("chmod " + options.milter_socket + ": " + std::strerror(errno));
}

int run_milter_loop() {
    return smfi_main();
}

}  // namespace boxwarden::milter
