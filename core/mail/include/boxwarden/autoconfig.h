// Mail client auto-setup documents built from the installation's
// MailClientHosts. All put the full email address in as the login name.
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

// Apple configuration profile (.mobileconfig, an unsigned XML property
// list) with one com.apple.mail.managed payload for `email`: IMAP account
// (EmailTypeIMAP), incoming and outgoing servers from `hosts` (POP3 is not
// offered to Apple Mail), user name = the full address on both, password
// authentication (EmailAuthPassword), UseSSL true for ssl and starttls.
// The password is never in it: the device asks for it once
// (OutgoingPasswordSameAsIncomingPassword). EmailAccountName is
// `email_name` sanitized like an email name, left out when empty.
// PayloadIdentifier and PayloadUUID (profile and payload) are derived from
// the lowercased address (uuid_v5), so a second download replaces the first.
// Throws std::invalid_argument for an invalid address and AccessDataError
// for invalid hosts.
std::string apple_mobileconfig(std::string_view email, std::string_view email_name,
                               const MailClientHosts& hosts);

// XML 1.0 character data / attribute value escaping of & < > " '. Characters
// not allowed in XML 1.0 (C0 controls other than TAB/LF/CR, U+FFFE, U+FFFF)
// and ill-formed UTF-8 become U+FFFD.
std::string xml_escape(std::string_view text);

}  // namespace boxwarden
