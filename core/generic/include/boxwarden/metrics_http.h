#pragma once
// The tiny loopback HTTP responder behind metrics_listen and
// milter_metrics_listen (docs/monitoring.md): GET only, one request per
// connection, one connection at a time, bounded request size and time, no
// TLS and no authentication, so it listens on loopback addresses only.
#include <netinet/in.h>
#include <sys/socket.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <string>
#include <string_view>
#include <thread>

namespace boxwarden {

struct MetricsEndpoint {
    sockaddr_storage address{};
    socklen_t length = 0;
    std::string text;  // as configured, for logs
};

// "127.0.0.1:9154", "[::1]:9154" or "localhost:9154" (= 127.0.0.1). Any
// other address, a missing or bad port: ConfigError naming `key`.
MetricsEndpoint parse_metrics_listen(std::string_view key, std::string_view text);

struct HttpResponse {
    int status = 200;
    std::string reason = "OK";
    std::string content_type;
    std::string body;
    std::string allow;  // the Allow header of a 405
};

// The answer to one request head (request line and headers, without the
// body): GET /metrics -> render(); GET / -> a short pointer to /metrics;
// HEAD is answered like GET without the body by the caller; other methods
// 405, other paths 404, a malformed request line 400. Pure.
HttpResponse answer_metrics_request(std::string_view head,
                                    const std::function<std::string()>& render);

// The bytes of a response (Content-Length, Connection: close).
std::string format_http_response(const HttpResponse& r, bool head_only);

class MetricsHttpServer {
  public:
    using Render = std::function<std::string()>;
    using Log = std::function<void(const std::string&)>;

    // Binds and listens now (throws std::runtime_error); serve() starts the thread.
    MetricsHttpServer(const MetricsEndpoint& endpoint, Render render, Log log);
    ~MetricsHttpServer();
    MetricsHttpServer(const MetricsHttpServer&) = delete;
    MetricsHttpServer& operator=(const MetricsHttpServer&) = delete;

    void serve();
    void stop();
    int port() const { return port_; }  // the bound port (useful with port 0)

    // A request head larger than this gets 431; slower than this, closed.
    static constexpr std::size_t kMaxRequestBytes = 8192;
    static constexpr std::chrono::milliseconds kRequestTimeout{2000};

  private:
    void loop();
    void handle(int fd);

    int listen_fd_ = -1;
    int wake_[2] = {-1, -1};
    int port_ = 0;
    Render render_;
    Log log_;
    std::thread thread_;
    std::atomic<bool> stopping_{false};
};

}  // namespace boxwarden
