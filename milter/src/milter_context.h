#pragma once
// What the session needs from libmilter, behind an interface so the glue is
// unit tested with a fake (libmilter_glue.cpp implements it with smfi_*).
#include <optional>
#include <string>
#include <string_view>

namespace boxwarden::milter {

class MilterContext {
  public:
    virtual ~MilterContext() = default;
    // A macro's value ("{auth_authen}", "i"), or nullopt when not sent.
    virtual std::optional<std::string> macro(std::string_view name) = 0;
    // smfi_chgheader: index 1 is the first header of that name. The value is
    // written verbatim after "Name:" (HDR_LEADSPC: it brings its own space).
    virtual bool change_header(std::string_view name, int index, std::string_view value) = 0;
    // smfi_setreply; text must be printable ASCII.
    virtual bool set_reply(std::string_view code, std::string_view enhanced,
                           std::string_view text) = 0;
};

// What a callback answers (mapped to SMFIS_* by the glue).
enum class Status { Continue, Accept, Reject, Tempfail };

}  // namespace boxwarden::milter
