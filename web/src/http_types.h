#pragma once
// One HTTP request as the page's handlers see it, and the answer they build.
// Kept free of Boost.Beast so the handlers and their tests need no sockets.
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace boxwarden::web {

struct Request {
    std::string method;  // GET, POST, ...
    std::string path;    // target without the query
    std::multimap<std::string, std::string> query;
    std::map<std::string, std::string> cookies;
    std::string accept_language;
    std::string content_type;
    std::string body;
    std::string client_address;  // the socket's peer (X-Forwarded-For only via a trusted proxy)

    // First value of a query parameter, or "".
    std::string param(const std::string& name) const;
};

struct Response {
    int status = 200;
    std::string content_type = "text/html; charset=utf-8";
    std::string body;
    std::vector<std::pair<std::string, std::string>> headers;  // extra fields
    bool no_store = false;  // Cache-Control: no-store (pages with secrets, all private pages)

    static Response redirect(const std::string& location);
    static Response text(int status, const std::string& body);
};

}  // namespace boxwarden::web
