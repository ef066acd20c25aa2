// Mail client auto-setup documents built from the installation's
// MailClientHosts. Both put the full email address in as the login name.
#pragma once

#include <string>
#include <string_view>

#include "boxwarden/access_data.h"

namespace boxwarden {

// Thunderbird autoconfig (config-v1.1.xml, as served at
// https://autoconfig.<domain>/mail/config-v1.1.xml): clientConfig
// version="1.1" with one emailProvider id=<domain>; incomingServer "imap",
// "pop3" (only when pop3_host is set), outgoingServer "smtp"; socketType
// SSL | STARTTLS | plain; username %EMAILADDRESS%; authentication
// password-cleartext. `display_name` is sanitized like an email name; empty
// means the domain. Throws std::invalid_argument for an invalid domain and
// AccessDataError (an std::invalid_argument) for invalid hosts.
std::string mozilla_autoconfig_xml(std::string_view domain, const MailClientHosts& hosts,
                                   std::string_view display_name);

// Outlook POX Autodiscover response (responseschema 2006 with the
// outlook/responseschema/2006a Response): Account of AccountType email,
// Action settings, one Protocol each for IMAP, POP3 (only when pop3_host is
// set) and SMTP with Server, Port, DomainRequired off, LoginName = `email`,
// SPA off, SSL on|off, Encryption TLS for starttls, AuthRequired on.
// Throws std::invalid_argument for an invalid address and AccessDataError for
// invalid hosts.
std::string outlook_autodiscover_xml(std::string_view email, const MailClientHosts& hosts);

// XML 1.0 character data / attribute value escaping of & < > " '. Characters
// not allowed in XML 1.0 (C0 controls other than TAB/LF/CR, U+FFFE, U+FFFF)
// and ill-formed UTF-8 become U+FFFD.
std::string xml_escape(std::string_view text);

}  // namespace boxwarden
