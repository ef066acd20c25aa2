// The loopback metrics responder (core/generic metrics_http): which
// addresses metrics_listen accepts, how requests are answered, and a real
// listener on 127.0.0.1 (port 0) answering GET, HEAD, POST and an
// oversized request.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "boxwarden/config.h"
#include "boxwarden/metrics_http.h"

namespace boxwarden {
namespace {

TEST(MetricsListen, LoopbackAddressesOnly) {
    EXPECT_EQ(parse_metrics_listen("metrics_listen", "127.0.0.1:9154").address.ss_family, AF_INET);
    EXPECT_EQ(parse_metrics_listen("metrics_listen", "127.0.0.2:9154").length, sizeof(sockaddr_in));
    EXPECT_EQ(parse_metrics_listen("metrics_listen", "[::1]:9154").address.ss_family, AF_INET6);
    EXPECT_EQ(parse_metrics_listen("metrics_listen", "localhost:9154").address.ss_family, AF_INET);
    for (const char* bad : {"0.0.0.0:9154", "192.168.1.5:9154", "[::]:9154", "[2001:db8::1]:80",
                            "127.0.0.1", "127.0.0.1:", "127.0.0.1:0", "127.0.0.1:65536",
                            "127.0.0.1:9x", "example.org:9154", ":9154", "[::1]9154"}) {
        EXPECT_THROW(parse_metrics_listen("metrics_listen", bad), ConfigError) << bad;
    }
    try {
        parse_metrics_listen("milter_metrics_listen", "0.0.0.0:9155");
        FAIL();
    } catch (const ConfigError& e) {
        EXPECT_EQ(std::string(e.what()),
                  "milter_metrics_listen: not a loopback address in '0.0.0.0:9155' (use "
                  "127.0.0.1:PORT or [::1]:PORT; loopback only)");
    }
}

TEST(MetricsRequest, Routes) {
    int renders = 0;
    auto render = [&] {
        ++renders;
        return std::string("x_total 1\n");
    };
    HttpResponse r = answer_metrics_request("GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n", render);
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(r.body, "x_total 1\n");
    EXPECT_EQ(r.content_type, "text/plain; version=0.0.4; charset=utf-8");
    EXPECT_EQ(answer_metrics_request("GET /metrics?x=1 HTTP/1.0\r\n\r\n", render).status, 200);
    EXPECT_EQ(renders, 2);
    r = answer_metrics_request("POST /metrics HTTP/1.1\r\n\r\n", render);
    EXPECT_EQ(r.status, 405);
    EXPECT_EQ(r.allow, "GET, HEAD");
    EXPECT_EQ(answer_metrics_request("GET /other HTTP/1.1\r\n\r\n", render).status, 404);
    EXPECT_EQ(answer_metrics_request("GET / HTTP/1.1\r\n\r\n", render).status, 200);
    EXPECT_EQ(answer_metrics_request("hello\r\n\r\n", render).status, 400);
    EXPECT_EQ(answer_metrics_request("GET /metrics SMTP/1.0\r\n\r\n", render).status, 400);
    EXPECT_EQ(renders, 2);  // only GET /metrics renders
}

TEST(MetricsRequest, ResponseBytes) {
    HttpResponse r;
    r.content_type = "text/plain";
    r.body = "abc";
    EXPECT_EQ(format_http_response(r, false),
              "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 3\r\nConnection: "
              "close\r\n\r\nabc");
    EXPECT_EQ(format_http_response(r, true),
              "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 3\r\nConnection: "
              "close\r\n\r\n");
}

// One request on a fresh connection; everything the server sent until it closed.
std::string exchange(int port, const std::string& request) {
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in sa{};
    sa.sin_family = AF_INET;
    sa.sin_port = htons(static_cast<uint16_t>(port));
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa) != 0) {
        ::close(fd);
        return "connect failed";
    }
    timeval tv{5, 0};
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    [[maybe_unused]] ssize_t n = ::send(fd, request.data(), request.size(), MSG_NOSIGNAL);
    std::string out;
    char buf[4096];
    while ((n = ::recv(fd, buf, sizeof buf, 0)) > 0) out.append(buf, static_cast<std::size_t>(n));
    ::close(fd);
    return out;
}

TEST(MetricsHttpServer, ServesOneRequestPerConnection) {
    MetricsEndpoint e = parse_metrics_listen("metrics_listen", "127.0.0.1:1");
    reinterpret_cast<sockaddr_in&>(e.address).sin_port = 0;  // any free port
    int n = 0;
    std::vector<std::string> logged;
    MetricsHttpServer server(
        e, [&] { return "x_total " + std::to_string(++n) + "\n"; },
        [&](const std::string& m) { logged.push_back(m); });
    server.serve();
    ASSERT_GT(server.port(), 0);
    std::string r = exchange(server.port(), "GET /metrics HTTP/1.1\r\nHost: a\r\n\r\n");
    EXPECT_EQ(r.substr(0, r.find("\r\n")), "HTTP/1.1 200 OK");
    EXPECT_NE(r.find("\r\nContent-Length: 10\r\n"), std::string::npos) << r;
    EXPECT_EQ(r.substr(r.find("\r\n\r\n") + 4), "x_total 1\n");
    // The next scrape renders afresh.
    r = exchange(server.port(), "GET /metrics HTTP/1.1\r\n\r\n");
    EXPECT_EQ(r.substr(r.find("\r\n\r\n") + 4), "x_total 2\n");
    r = exchange(server.port(), "HEAD /metrics HTTP/1.1\r\n\r\n");
    EXPECT_EQ(r.substr(r.find("\r\n\r\n") + 4), "");
    r = exchange(server.port(), "POST /metrics HTTP/1.1\r\nContent-Length: 0\r\n\r\n");
    EXPECT_EQ(r.substr(0, r.find("\r\n")), "HTTP/1.1 405 Method Not Allowed");
    r = exchange(server.port(),
                 "GET /metrics HTTP/1.1\r\nX: " + std::string(9000, 'a') + "\r\n\r\n");
    EXPECT_EQ(r.substr(0, r.find("\r\n")), "HTTP/1.1 431 Request Header Fields Too Large");
    server.stop();
    EXPECT_TRUE(logged.empty());
}

}  // namespace
}  // namespace boxwarden
