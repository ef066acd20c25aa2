#include "client_address.h"

#include <algorithm>
#include <boost/asio/ip/address.hpp>
#include <optional>
#include <stdexcept>

namespace boxwarden::web {

namespace {

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
}

// The canonical text of an address ("[2001:db8::1]" and IPv4-mapped IPv6
// included), or nullopt.
std::optional<std::string> canonical(std::string_view text) {
    text = trim(text);
    if (text.size() > 2 && text.front() == '[' && text.back() == ']')
        text = text.substr(1, text.size() - 2);
    if (text.empty() || text.size() > 64) return std::nullopt;
    boost::system::error_code ec;
    const auto a = boost::asio::ip::make_address(std::string(text), ec);
    if (ec) return std::nullopt;
    if (a.is_v6() && a.to_v6().is_v4_mapped())
        return boost::asio::ip::make_address_v4(boost::asio::ip::v4_mapped, a.to_v6()).to_string();
    return a.to_string();
}

}  // namespace

std::vector<std::string> parse_trusted_proxies(std::string_view list) {
    std::vector<std::string> out;
    size_t start = 0;
    while (start <= list.size()) {
        size_t end = list.find(',', start);
        if (end == std::string_view::npos) end = list.size();
        const std::string_view item = trim(list.substr(start, end - start));
        if (!item.empty()) {
            const auto a = canonical(item);
            if (!a) {
                std::string message = "'";
                message.append(item).append("' is not an IPv4 or IPv6 address");
                throw std::invalid_argument(message);
            }
            out.push_back(*a);
        }
        start = end + 1;
    }
    return out;
}

std::string client_address(const std::string& peer, const std::vector<std::string>& forwarded_for,
                           const std::vector<std::string>& trusted) {
    const std::string peer_address = canonical(peer).value_or(peer);
    if (forwarded_for.empty() ||
        std::find(trusted.begin(), trusted.end(), peer_address) == trusted.end())
        return peer_address;
    // The last field's last comma-separated entry: what the proxy appended.
    const std::string& last_field = forwarded_for.back();
    const size_t comma = last_field.rfind(',');
    const std::string_view hop =
        std::string_view(last_field).substr(comma == std::string::npos ? 0 : comma + 1);
    return canonical(hop).value_or(peer_address);
}

}  // namespace boxwarden::web
