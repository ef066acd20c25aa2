#include "endpoints.h"

#include "boxwarden/text_trim.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <filesystem>
#include <system_error>

namespace boxwarden::policyd {

namespace {

[[noreturn]] void fail(const std::string& what) {
    throw std::system_error(errno, std::generic_category(), what);
}

}  // namespace

std::string Endpoint::text() const {
    if (kind == Kind::Unix) return "unix:" + path;
    return "inet:" + host + ":" + std::to_string(port);
}

std::vector<Endpoint> parse_endpoints(std::string_view list) {
    std::vector<Endpoint> out;
    while (!list.empty()) {
        const std::size_t comma = list.find(',');
        const std::string_view item = trim(list.substr(0, comma));
        list = comma == std::string_view::npos ? std::string_view{} : list.substr(comma + 1);
        if (item.empty()) continue;
        Endpoint e;
        if (item.starts_with("unix:")) {
            e.path = std::string(item.substr(5));
            if (e.path.empty() || e.path.front() != '/')
                throw EndpointError("'" + std::string(item) +
                                    "': the socket path must be absolute");
            if (e.path.size() >= sizeof(sockaddr_un::sun_path))
                throw EndpointError("'" + std::string(item) + "': socket path too long");
        } else if (item.starts_with("inet:")) {
            e.kind = Endpoint::Kind::Inet;
            const std::string_view rest = item.substr(5);
            const std::size_t colon = rest.rfind(':');
            if (colon == std::string_view::npos)
                throw EndpointError("'" + std::string(item) + "': expected inet:127.0.0.1:PORT");
            e.host = std::string(rest.substr(0, colon));
            if (e.host == "localhost") e.host = "127.0.0.1";
            in_addr addr{};
            if (::inet_pton(AF_INET, e.host.c_str(), &addr) != 1 ||
                (ntohl(addr.s_addr) >> 24) != 127)
                throw EndpointError("'" + std::string(item) +
                                    "': only IPv4 loopback addresses (127.x.x.x) may be used");
            const std::string_view port = rest.substr(colon + 1);
            auto [p, ec] = std::from_chars(port.data(), port.data() + port.size(), e.port);
            if (ec != std::errc() || p != port.data() + port.size() || e.port < 1 || e.port > 65535)
                throw EndpointError("'" + std::string(item) + "': invalid port");
        } else {
            throw EndpointError("'" + std::string(item) +
                                "': expected unix:/path or inet:127.0.0.1:PORT");
        }
        out.push_back(std::move(e));
    }
    if (out.empty()) throw EndpointError("no endpoint given");
    return out;
}

int bind_endpoint(const Endpoint& e, mode_t mode, uid_t owner, gid_t group) {
    if (e.kind == Endpoint::Kind::Inet) {
        const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        if (fd < 0) fail("socket");
        const int one = 1;
        ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
        sockaddr_in sa{};
        sa.sin_family = AF_INET;
        sa.sin_port = htons(static_cast<std::uint16_t>(e.port));
        ::inet_pton(AF_INET, e.host.c_str(), &sa.sin_addr);
        if (::bind(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa) != 0 ||
            ::listen(fd, 1024) != 0) {
            const int err = errno;
            ::close(fd);
            errno = err;
            fail("cannot listen on " + e.text());
        }
        return fd;
    }
    sockaddr_un sa{};
    sa.sun_family = AF_UNIX;
    e.path.copy(sa.sun_path, sizeof sa.sun_path - 1);
    std::error_code ec;
    std::filesystem::create_directories(std::filesystem::path(e.path).parent_path(), ec);
    struct stat st {};
    if (::lstat(e.path.c_str(), &st) == 0) {
        if (!S_ISSOCK(st.st_mode)) {
            errno = EEXIST;
            fail(e.text() + " exists and is not a socket");
        }
        const int probe = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        const bool alive =
            probe >= 0 && ::connect(probe, reinterpret_cast<sockaddr*>(&sa), sizeof sa) == 0;
        if (probe >= 0) ::close(probe);
        if (alive) {
            errno = EADDRINUSE;
            fail(e.text() + " is in use by another process");
        }
        ::unlink(e.path.c_str());
    }
    const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) fail("socket");
    // Bind with a restrictive umask, then open up to the configured mode, so
    // the socket is never briefly more open than wanted.
    const mode_t old = ::umask(0177);
    const int rc = ::bind(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa);
    ::umask(old);
    if (rc != 0 || ::listen(fd, 1024) != 0) {
        const int err = errno;
        ::close(fd);
        errno = err;
        fail("cannot listen on " + e.text());
    }
    if ((owner != static_cast<uid_t>(-1) || group != static_cast<gid_t>(-1)) &&
        ::chown(e.path.c_str(), owner, group) != 0) {
        const int err = errno;
        ::close(fd);
        errno = err;
        fail("chown " + e.path);
    }
    if (::chmod(e.path.c_str(), mode) != 0) {
        const int err = errno;
        ::close(fd);
        errno = err;
        fail("chmod " + e.path);
    }
    return fd;
}

}  // namespace boxwarden::policyd
