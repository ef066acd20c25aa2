#pragma once
// The client address the page logs, throttles and audits. It is the
// socket's peer, unless that peer is one of web_trusted_proxies: then it is
// the LAST hop of X-Forwarded-For, the address the trusted proxy itself
// appended (nginx: $proxy_add_x_forwarded_for). Hops before it were written
// by the client and are never believed. Pure: no sockets, no configuration.
#include <string>
#include <string_view>
#include <vector>

namespace boxwarden::web {

// "192.0.2.1, 2001:db8::1" -> canonical addresses. std::invalid_argument
// naming the entry for anything that is not an IPv4 or IPv6 address.
std::vector<std::string> parse_trusted_proxies(std::string_view list);

// `peer` as the socket gave it; `forwarded_for` every X-Forwarded-For field
// of the request in order (several fields count as one list); `trusted` from
// parse_trusted_proxies. An untrusted peer, a missing header or a last hop
// that is no address give the peer (canonical, IPv4-mapped IPv6 as IPv4).
std::string client_address(const std::string& peer, const std::vector<std::string>& forwarded_for,
                           const std::vector<std::string>& trusted);

}  // namespace boxwarden::web
