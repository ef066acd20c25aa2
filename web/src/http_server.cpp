#include "http_server.h"

#include <atomic>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <iostream>
#include <memory>
#include <optional>
#include <thread>
#include <vector>

#include "client_address.h"
#include "form.h"
#include "security.h"

namespace boxwarden::web {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;

namespace {

struct Shared {
    ServerLimits limits;
    const RequestHandler& handler;
    std::atomic<size_t> open{0};
};

http::response<http::string_body> to_beast(const Response& r, unsigned version, bool keep_alive) {
    http::response<http::string_body> res{static_cast<http::status>(r.status), version};
    res.set(http::field::server, "boxwarden-web");
    res.set(http::field::content_type, r.content_type);
    for (const auto& [k, v] : security_headers()) res.set(k, v);
    if (r.no_store) res.set(http::field::cache_control, "no-store");
    for (const auto& [k, v] : r.headers) res.insert(k, v);
    res.body() = r.body;
    res.keep_alive(keep_alive);
    res.prepare_payload();
    return res;
}

class Connection : public std::enable_shared_from_this<Connection> {
  public:
    Connection(tcp::socket socket, Shared& shared) : stream_(std::move(socket)), shared_(shared) {
        boost::system::error_code ec;
        const auto peer = stream_.socket().remote_endpoint(ec);
        if (!ec) peer_ = peer.address().to_string();
    }
    ~Connection() { --shared_.open; }

    void start() { read(true); }

  private:
    void read(bool first) {
        parser_.emplace();
        parser_->body_limit(shared_.limits.max_body_bytes);
        parser_->header_limit(static_cast<std::uint32_t>(shared_.limits.max_header_bytes));
        // The whole request must arrive within request_timeout; between
        // requests a connection may idle for keepalive_timeout.
        stream_.expires_after(first ? shared_.limits.request_timeout
                                    : shared_.limits.keepalive_timeout);
        http::async_read_header(
            stream_, buffer_, *parser_,
            [self = shared_from_this()](beast::error_code ec, size_t) { self->on_header(ec); });
    }

    void on_header(beast::error_code ec) {
        if (ec) return fail_read(ec);
        size_t fields = 0;
        for (auto it = parser_->get().begin(); it != parser_->get().end(); ++it) ++fields;
        if (fields > shared_.limits.max_header_fields)
            return reply_and_close(Response::text(431, "too many header fields\n"));
        stream_.expires_after(shared_.limits.request_timeout);
        http::async_read(
            stream_, buffer_, *parser_,
            [self = shared_from_this()](beast::error_code e, size_t) { self->on_body(e); });
    }

    void fail_read(beast::error_code ec) {
        if (ec == http::error::body_limit)
            return reply_and_close(Response::text(413, "request body too large\n"));
        if (ec == http::error::header_limit)
            return reply_and_close(Response::text(431, "request header too large\n"));
        if (ec == http::error::end_of_stream || ec == beast::error::timeout ||
            ec == net::error::operation_aborted || ec == net::error::connection_reset ||
            ec == net::error::eof)
            return close();
        // Malformed request.
        return reply_and_close(Response::text(400, "bad request\n"));
    }

    void on_body(beast::error_code ec) {
        if (ec) return fail_read(ec);
        auto& req = parser_->get();
        Request r;
        r.method = std::string(req.method_string());
        const std::string target(req.target());
        const size_t q = target.find('?');
        r.path = target.substr(0, q);
        if (q != std::string::npos) r.query = parse_form(std::string_view(target).substr(q + 1));
        const auto cookie = req[http::field::cookie];
        r.cookies = parse_cookies(std::string_view(cookie.data(), cookie.size()));
        r.accept_language = std::string(req[http::field::accept_language]);
        r.content_type = std::string(req[http::field::content_type]);
        r.body = std::move(req.body());
        std::vector<std::string> forwarded_for;
        const auto xff = req.equal_range("X-Forwarded-For");
        for (auto it = xff.first; it != xff.second; ++it) forwarded_for.emplace_back(it->value());
        r.client_address = client_address(peer_, forwarded_for, shared_.limits.trusted_proxies);
        Response res;
        try {
            res = shared_.handler(r);
        } catch (const std::exception& e) {
            std::cerr << "boxwarden-web: request " << r.method << " " << r.path
                      << " failed: " << e.what() << std::endl;
            res = Response::text(500, "internal error\n");
        }
        write(to_beast(res, req.version(), req.keep_alive()));
    }

    void write(http::response<http::string_body> res) {
        auto msg = std::make_shared<http::response<http::string_body>>(std::move(res));
        stream_.expires_after(shared_.limits.request_timeout);
        http::async_write(stream_, *msg,
                          [self = shared_from_this(), msg](beast::error_code ec, size_t) {
                              if (ec || !msg->keep_alive()) return self->close();
                              self->read(false);
                          });
    }

    void reply_and_close(const Response& r) {
        auto msg = std::make_shared<http::response<http::string_body>>(to_beast(r, 11, false));
        stream_.expires_after(std::chrono::seconds(5));
        http::async_write(
            stream_, *msg,
            [self = shared_from_this(), msg](beast::error_code, size_t) { self->close(); });
    }

    void close() {
        beast::error_code ec;
        stream_.socket().shutdown(tcp::socket::shutdown_both, ec);
        stream_.socket().close(ec);
    }

    beast::tcp_stream stream_;
    Shared& shared_;
    beast::flat_buffer buffer_;
    std::optional<http::request_parser<http::string_body>> parser_;
    std::string peer_;
};

class Listener {
  public:
    Listener(net::io_context& ioc, tcp::endpoint ep, Shared& shared)
        : ioc_(ioc), acceptor_(ioc), shared_(shared) {
        acceptor_.open(ep.protocol());
        acceptor_.set_option(net::socket_base::reuse_address(true));
        acceptor_.bind(ep);
        acceptor_.listen(net::socket_base::max_listen_connections);
    }
    void accept() {
        acceptor_.async_accept(net::make_strand(ioc_), [this](beast::error_code ec, tcp::socket s) {
            if (ec == net::error::operation_aborted) return;
            if (!ec) {
                if (shared_.open.load() >= shared_.limits.max_connections) {
                    // Over the cap: closed at once, the others keep being served.
                    beast::error_code ignored;
                    s.close(ignored);
                } else {
                    ++shared_.open;
                    std::make_shared<Connection>(std::move(s), shared_)->start();
                }
            }
            accept();
        });
    }
    void stop() {
        beast::error_code ec;
        acceptor_.close(ec);
    }

  private:
    net::io_context& ioc_;
    tcp::acceptor acceptor_;
    Shared& shared_;
};

}  // namespace

void serve_http(const std::string& host, int port, const ServerLimits& limits,
                const RequestHandler& handler, const std::function<void()>& on_ready) {
    net::io_context ioc{limits.threads};
    Shared shared{limits, handler, {}};
    std::optional<Listener> listener;
    try {
        listener.emplace(
            ioc, tcp::endpoint(net::ip::make_address(host), static_cast<unsigned short>(port)),
            shared);
    } catch (const std::exception& e) {
        throw std::runtime_error("cannot listen on " + host + ":" + std::to_string(port) + ": " +
                                 e.what());
    }
    listener->accept();
    net::signal_set signals(ioc, SIGINT, SIGTERM);
    signals.async_wait([&](beast::error_code, int) {
        listener->stop();
        ioc.stop();
    });
    if (on_ready) on_ready();
    std::vector<std::thread> threads;
    for (int i = 1; i < limits.threads; ++i) threads.emplace_back([&] { ioc.run(); });
    ioc.run();
    for (auto& t : threads) t.join();
}

}  // namespace boxwarden::web
