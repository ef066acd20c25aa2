#include "libmilter_glue.h"

#include <grp.h>
#include <libmilter/mfapi.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <stdexcept>

#include "milter_session.h"

namespace boxwarden::milter {

namespace {

const MilterOptions* g_options = nullptr;

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

// The connection's session, created at its first MAIL FROM.
MilterSession& session_of(SMFICTX* ctx) {
    if (auto* s = static_cast<MilterSession*>(smfi_getpriv(ctx))) return *s;
    SessionSettings settings{g_options->enforce_header_from, g_options->recipient_delimiter};
    const std::string target = g_options->query_socket;
    const auto timeout = g_options->query_timeout;
    auto* s = new MilterSession(
        settings,
        [target, timeout] { return std::make_unique<PolicydClientQueries>(target, timeout); },
        log_line);
    smfi_setpriv(ctx, s);
    return *s;
}

// Each callback: translate, call the session; an exception (only
// std::bad_alloc is expected) tempfails the message, the daemon serves on.
template <class F>
sfsistat guarded(SMFICTX* ctx, const char* step, F&& f) {
    try {
        return to_smfis(f(session_of(ctx)));
    } catch (const std::exception& e) {
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

sfsistat mlfi_envrcpt(SMFICTX* ctx, char** argv) {
    return guarded(ctx, "RCPT",
                   [&](MilterSession& s) { return s.on_rcpt(argv && argv[0] ? argv[0] : ""); });
}

sfsistat mlfi_header(SMFICTX* ctx, char* name, char* value) {
    return guarded(ctx, "header", [&](MilterSession& s) {
        return s.on_header(name ? name : "", value ? value : "");
    });
}

sfsistat mlfi_eom(SMFICTX* ctx) {
    return guarded(ctx, "end of message", [&](MilterSession& s) {
        LibmilterContext c(ctx);
        return s.on_eom(c, wall_clock_now());
    });
}

sfsistat mlfi_close(SMFICTX* ctx) {
    delete static_cast<MilterSession*>(smfi_getpriv(ctx));
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

void open_milter_socket(const MilterOptions& options) {
    g_options = &options;
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
