#include "setup_downloads.h"

#include <iostream>

namespace boxwarden::web {

std::optional<admin::ClientSetupFormat> setup_download_format(const std::string& file_name) {
    if (file_name == "autoconfig.xml") return admin::ClientSetupFormat::Mozilla;
    if (file_name == "autodiscover.xml") return admin::ClientSetupFormat::Autodiscover;
    if (file_name == "boxwarden.mobileconfig") return admin::ClientSetupFormat::Mobileconfig;
    return std::nullopt;
}

Response setup_download(db::Connection& db, const Config& config, admin::ClientSetupFormat format,
                        const std::string& address) {
    const std::string domain = address.substr(address.rfind('@') + 1);
    admin::ClientSetupDocument doc;
    try {
        doc = admin::client_setup_document(db, config, format, domain, address);
    } catch (const ConfigError& e) {
        std::cerr << "boxwarden-web: client set-up download: " << e.what() << std::endl;
        return Response::text(
            500, std::string("client settings are not configured: ") + e.what() + "\n");
    } catch (const admin::Refusal& e) {
        // e.g. a stored address a mail client cannot take (not a dot-atom)
        return Response::text(422, std::string(e.what()) + "\n");
    } catch (const std::invalid_argument& e) {
        return Response::text(422, std::string(e.what()) + "\n");
    }
    Response r;
    r.content_type = doc.content_type;
    r.body = std::move(doc.body);
    r.no_store = true;
    r.headers.emplace_back(
        "Content-Disposition",
        std::string("attachment; filename=\"").append(doc.file_name).append("\""));
    return r;
}

}  // namespace boxwarden::web
