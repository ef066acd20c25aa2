#pragma once
// The client set-up downloads of a mailbox: GET /mailbox/ID/setup/FILE with
// FILE autoconfig.xml (Mozilla autoconfig), autodiscover.xml (Outlook
// Autodiscover) or boxwarden.mobileconfig (Apple configuration profile).
// The documents come from the admin library, the code `boxwardenctl
// autoconfig` runs; the caller has checked the mailbox is in the admin's
// domains.
#include <optional>
#include <string>

#include "boxwarden/admin_client_setup.h"
#include "http_types.h"

namespace boxwarden::web {

// The format served under a file name; nullopt for any other name.
std::optional<admin::ClientSetupFormat> setup_download_format(const std::string& file_name);

// The document of `format` for the mailbox `address` as an attachment
// (Content-Disposition), never cached. A configuration without valid client
// hosts (imap_*, smtp_*) is answered 500 with the reason; an address a mail
// client cannot take (not a dot-atom) 422.
Response setup_download(db::Connection& db, const Config& config, admin::ClientSetupFormat format,
                        const std::string& address);

}  // namespace boxwarden::web
