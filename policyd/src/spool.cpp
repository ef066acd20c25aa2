#include "spool.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <stdexcept>

#include "spool_codec.h"

namespace boxwarden::policyd::spool {

namespace fs = std::filesystem;

namespace {

constexpr std::string_view kSegmentPrefix = "seg-";
constexpr std::string_view kSegmentSuffix = ".spool";
constexpr std::string_view kPositionMagic = "BWSPOS01";
constexpr size_t kPositionSlotBytes = 64;
constexpr size_t kReadChunkBytes = 1024 * 1024;

std::string errno_text(const std::string& what, const fs::path& path) {
    return what + " " + path.string() + ": " + std::strerror(errno);
}

[[noreturn]] void fail(const std::string& what, const fs::path& path) {
    throw std::runtime_error("spool: " + errno_text(what, path));
}

bool write_all(int fd, std::string_view bytes) {
    while (!bytes.empty()) {
        const ssize_t n = ::write(fd, bytes.data(), bytes.size());
        if (n < 0) {
            if (errno == EINTR) continue;
            return false;
        }
        bytes.remove_prefix(static_cast<size_t>(n));
    }
    return true;
}

bool pread_all(int fd, std::string& out, size_t size, std::uint64_t offset) {
    out.resize(size);
    size_t done = 0;
    while (done < size) {
        const ssize_t n =
            ::pread(fd, out.data() + done, size - done, static_cast<off_t>(offset + done));
        if (n < 0) {
            if (errno == EINTR) continue;
            return false;
        }
        if (n == 0) break;
        done += static_cast<size_t>(n);
    }
    out.resize(done);
    return true;
}

void put_u64(char* p, std::uint64_t v) {
    for (int i = 0; i < 8; ++i) p[i] = static_cast<char>((v >> (8 * i)) & 0xFF);
}

std::uint64_t get_u64(const char* p) {
    std::uint64_t v = 0;
    for (int i = 7; i >= 0; --i) v = (v << 8) | static_cast<unsigned char>(p[i]);
    return v;
}

// "seg-0000000000000042.spool" -> 42; 0 when the name is not a segment.
std::uint64_t parse_segment_name(const std::string& name) {
    if (name.size() != kSegmentPrefix.size() + 16 + kSegmentSuffix.size() ||
        !name.starts_with(kSegmentPrefix) || !name.ends_with(kSegmentSuffix))
        return 0;
    std::uint64_t v = 0;
    for (size_t i = kSegmentPrefix.size(); i < kSegmentPrefix.size() + 16; ++i) {
        if (name[i] < '0' || name[i] > '9') return 0;
        v = v * 10 + static_cast<std::uint64_t>(name[i] - '0');
    }
    return v;
}

}  // namespace

// Appends collected while another thread's fdatasync is running; they are
// written and synced together by whichever of them flushes next.
struct Spool::Batch {
    std::string bytes;
    std::uint64_t records = 0;
    bool done = false;
    bool ok = false;
};

std::string Spool::segment_name(std::uint64_t segment) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "seg-%016llu.spool", static_cast<unsigned long long>(segment));
    return buf;
}

Spool::Spool(fs::path dir, SpoolOptions options)
    : dir_(std::move(dir)), options_(std::move(options)) {
    try {
        std::error_code ec;
        if (dir_.has_parent_path()) fs::create_directories(dir_.parent_path(), ec);
        if (ec)
            throw std::runtime_error("spool: cannot create " + dir_.string() + ": " + ec.message());
        if (::mkdir(dir_.c_str(), 0700) != 0 && errno != EEXIST) fail("cannot create", dir_);
        struct stat st {};
        if (::stat(dir_.c_str(), &st) != 0) fail("cannot stat", dir_);
        // Events hold addresses and subjects: nobody else may read them.
        if ((st.st_mode & 077) != 0) {
            if (::chmod(dir_.c_str(), 0700) != 0) fail("cannot chmod 0700", dir_);
            log("spool: tightened permissions of " + dir_.string() + " to 0700");
        }
        dir_fd_ = ::open(dir_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dir_fd_ < 0) fail("cannot open", dir_);
        lock_directory();
        const fs::path rejected = dir_ / "rejected";
        if (::mkdir(rejected.c_str(), 0700) != 0 && errno != EEXIST)
            fail("cannot create", rejected);
        load_position();
        recover_segments();
        open_new_segment();
    } catch (...) {
        for (int fd : {write_fd_, position_fd_, lock_fd_, dir_fd_})
            if (fd >= 0) ::close(fd);
        throw;
    }
}

Spool::~Spool() {
    for (int fd : {write_fd_, read_fd_, position_fd_, lock_fd_, dir_fd_})
        if (fd >= 0) ::close(fd);
}

void Spool::log(const std::string& message) const {
    if (options_.log) options_.log(message);
}

void Spool::lock_directory() {
    const fs::path path = dir_ / "lock";
    lock_fd_ = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (lock_fd_ < 0) fail("cannot open", path);
    // Two writers on one spool would interleave and ship each other's events.
    if (::flock(lock_fd_, LOCK_EX | LOCK_NB) != 0)
        fail("is in use by another process (flock)", path);
}

void Spool::load_position() {
    const fs::path path = dir_ / "position";
    position_fd_ = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (position_fd_ < 0) fail("cannot open", path);
    std::string buf;
    if (!pread_all(position_fd_, buf, 2 * kPositionSlotBytes, 0)) fail("cannot read", path);
    // Two slots written alternately: a torn write damages at most the one
    // being written, and the other still holds the previous position.
    bool found = false;
    for (size_t slot = 0; slot < 2; ++slot) {
        if (buf.size() < (slot + 1) * kPositionSlotBytes) break;
        const char* p = buf.data() + slot * kPositionSlotBytes;
        if (std::string_view(p, 8) != kPositionMagic) continue;
        const auto stored = static_cast<std::uint32_t>(get_u64(p + 32));
        if (crc32(std::string_view(p, 32)) != stored) continue;
        const std::uint64_t gen = get_u64(p + 8);
        if (!found || gen > position_generation_) {
            found = true;
            position_generation_ = gen;
            committed_ = Position{get_u64(p + 16), get_u64(p + 24)};
        }
    }
    if (!found && ::fsync(dir_fd_) != 0) fail("cannot fsync", dir_);
}

void Spool::write_position(Position p) {
    const std::uint64_t gen = position_generation_ + 1;
    char slot[kPositionSlotBytes] = {};
    std::memcpy(slot, kPositionMagic.data(), 8);
    put_u64(slot + 8, gen);
    put_u64(slot + 16, p.segment);
    put_u64(slot + 24, p.offset);
    put_u64(slot + 32, crc32(std::string_view(slot, 32)));
    const off_t where = static_cast<off_t>((gen % 2) * kPositionSlotBytes);
    if (::pwrite(position_fd_, slot, sizeof slot, where) != static_cast<ssize_t>(sizeof slot) ||
        ::fdatasync(position_fd_) != 0)
        fail("cannot write", dir_ / "position");
    position_generation_ = gen;
}

void Spool::recover_segments() {
    std::vector<std::uint64_t> found;
    for (const auto& entry : fs::directory_iterator(dir_)) {
        const std::uint64_t seq = parse_segment_name(entry.path().filename().string());
        if (seq != 0) found.push_back(seq);
    }
    std::sort(found.begin(), found.end());
    std::uint64_t records = 0;
    for (size_t i = 0; i < found.size(); ++i) {
        const std::uint64_t seq = found[i];
        if (seq < committed_.segment) {
            // Shipped before a crash that came before its deletion.
            ::unlink((dir_ / segment_name(seq)).c_str());
            continue;
        }
        const std::uint64_t from = seq == committed_.segment ? committed_.offset : 0;
        records += scan_segment(seq, from, i + 1 == found.size());
        write_seq_ = seq;
    }
    if (!found.empty()) write_seq_ = std::max(write_seq_, found.back());
    write_seq_ = std::max(write_seq_, committed_.segment);
    durable_records_ = records;
    if (records > 0)
        log("spool: " + std::to_string(records) + " unshipped event(s) found in " + dir_.string());
}

// Validates a segment from `from` to its end, truncating a damaged tail;
// returns the number of intact records and registers the segment.
std::uint64_t Spool::scan_segment(std::uint64_t seq, std::uint64_t from, bool last) {
    const fs::path path = dir_ / segment_name(seq);
    const int fd = ::open(path.c_str(), O_RDWR | O_CLOEXEC);
    if (fd < 0) fail("cannot open", path);
    struct stat st {};
    if (::fstat(fd, &st) != 0) {
        ::close(fd);
        fail("cannot stat", path);
    }
    const auto size = static_cast<std::uint64_t>(st.st_size);
    std::uint64_t records = 0;
    std::uint64_t offset = from;
    if (from > size) {
        log("spool: position " + std::to_string(from) + " lies past the end of " + path.string() +
            "; treating it as shipped");
        offset = size;
    }
    std::string buf;
    if (!pread_all(fd, buf, size - offset, offset)) {
        ::close(fd);
        fail("cannot read", path);
    }
    std::string_view rest(buf);
    while (!rest.empty()) {
        const ParsedRecord r = parse_record(rest);
        if (r.status != ParseStatus::Ok) break;
        ++records;
        offset += r.size;
        rest.remove_prefix(r.size);
    }
    if (offset < size) {
        if (last) {
            // The write in flight when the process died: never acknowledged.
            log("spool: truncating a torn tail of " + std::to_string(size - offset) +
                " byte(s) at " + path.string() + ":" + std::to_string(offset));
        } else {
            quarantine_tail(seq, offset, size);
        }
        if (::ftruncate(fd, static_cast<off_t>(offset)) != 0 || ::fsync(fd) != 0) {
            ::close(fd);
            fail("cannot truncate", path);
        }
    }
    ::close(fd);
    segments_[seq] = Segment{offset, true};
    return records;
}

// Damage inside a finished segment is not a torn write: keep the bytes for
// an operator instead of dropping them silently.
void Spool::quarantine_tail(std::uint64_t seq, std::uint64_t from, std::uint64_t size) {
    const fs::path path = dir_ / segment_name(seq);
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    std::string bytes;
    if (fd < 0 || !pread_all(fd, bytes, size - from, from)) {
        if (fd >= 0) ::close(fd);
        fail("cannot read", path);
    }
    ::close(fd);
    const std::string name = "damaged-" + std::to_string(seq) + "-" + std::to_string(from) + ".bin";
    write_rejected(name, bytes);
    log("spool: " + std::to_string(size - from) + " damaged byte(s) in " + path.string() + " at " +
        std::to_string(from) + " moved to rejected/" + name);
}

void Spool::open_new_segment() {
    const std::uint64_t seq = write_seq_ + 1;
    const fs::path path = dir_ / segment_name(seq);
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_APPEND | O_CLOEXEC, 0600);
    if (fd < 0) fail("cannot create", path);
    // The new name must be durable before records in it are acknowledged.
    if (::fsync(dir_fd_) != 0) {
        ::close(fd);
        fail("cannot fsync", dir_);
    }
    {
        std::lock_guard lock(mu_);
        if (auto it = segments_.find(write_seq_); it != segments_.end()) it->second.sealed = true;
        segments_[seq] = Segment{};
    }
    if (write_fd_ >= 0) ::close(write_fd_);
    write_fd_ = fd;
    write_seq_ = seq;
    write_size_ = 0;
    rotate_next_ = false;
}

bool Spool::flush(const std::string& bytes) {
    try {
        if (write_fd_ < 0 || rotate_next_ || write_size_ >= options_.segment_max_bytes)
            open_new_segment();
    } catch (const std::exception& e) {
        log(e.what());
        return false;
    }
    if (!write_all(write_fd_, bytes)) {
        log("spool: " + errno_text("cannot write", dir_ / segment_name(write_seq_)));
        // Drop the partial write; if that fails too, readers still stop at
        // the durable size and the next append starts a fresh segment.
        if (::ftruncate(write_fd_, static_cast<off_t>(write_size_)) != 0)
            log("spool: " + errno_text("cannot truncate", dir_ / segment_name(write_seq_)));
        rotate_next_ = true;
        return false;
    }
    if (::fdatasync(write_fd_) != 0) {
        // After a failed fsync the page cache state is unknown: never trust
        // this segment again.
        log("spool: " + errno_text("cannot fdatasync", dir_ / segment_name(write_seq_)));
        rotate_next_ = true;
        return false;
    }
    write_size_ += bytes.size();
    return true;
}

bool Spool::append(std::string_view payload) {
    return append_all({std::string(payload)});
}

bool Spool::append_all(const std::vector<std::string>& payloads) {
    std::string records;
    for (const std::string& payload : payloads) {
        if (payload.empty() || payload.size() > kMaxPayloadBytes) return false;
        append_record(records, payload);
    }
    if (payloads.empty()) return true;

    std::unique_lock lock(mu_);
    if (!open_batch_) open_batch_ = std::make_shared<Batch>();
    const std::shared_ptr<Batch> mine = open_batch_;
    mine->bytes += records;
    mine->records += payloads.size();
    for (;;) {
        if (mine->done) return mine->ok;
        if (flushing_) {
            cv_.wait(lock);
            continue;
        }
        // Group commit: the first waiter to find no flush running writes and
        // syncs everything collected so far, its own record included.
        const std::shared_ptr<Batch> batch = std::move(open_batch_);
        open_batch_.reset();
        flushing_ = true;
        lock.unlock();
        const bool ok = flush(batch->bytes);
        lock.lock();
        if (ok) {
            segments_[write_seq_].durable_size = write_size_;
            durable_records_ += batch->records;
        }
        batch->done = true;
        batch->ok = ok;
        flushing_ = false;
        cv_.notify_all();
        if (ok && options_.on_durable) {
            lock.unlock();
            options_.on_durable();
            lock.lock();
        }
    }
}

int Spool::read_fd(std::uint64_t seq) {
    if (read_fd_ >= 0 && read_fd_seq_ == seq) return read_fd_;
    if (read_fd_ >= 0) ::close(read_fd_);
    read_fd_ = -1;
    const fs::path path = dir_ / segment_name(seq);
    read_fd_ = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (read_fd_ < 0) fail("cannot open", path);
    read_fd_seq_ = seq;
    return read_fd_;
}

std::vector<SpoolRecord> Spool::read(Position from, size_t max, Position* end) {
    std::vector<SpoolRecord> out;
    Position pos = from;
    std::string buf;
    size_t chunk = kReadChunkBytes;
    while (out.size() < max) {
        Segment seg;
        bool has_next = false;
        std::uint64_t next_seq = 0;
        {
            std::lock_guard lock(mu_);
            auto it = segments_.lower_bound(pos.segment);
            if (it == segments_.end()) break;
            if (it->first != pos.segment) pos = Position{it->first, 0};
            seg = it->second;
            if (auto nx = std::next(it); nx != segments_.end()) {
                has_next = true;
                next_seq = nx->first;
            }
        }
        if (pos.offset >= seg.durable_size) {
            if (seg.sealed && has_next) {
                pos = Position{next_seq, 0};
                continue;
            }
            break;
        }
        const std::uint64_t available = seg.durable_size - pos.offset;
        const size_t want = static_cast<size_t>(std::min<std::uint64_t>(available, chunk));
        if (!pread_all(read_fd(pos.segment), buf, want, pos.offset) || buf.size() != want)
            fail("cannot read", dir_ / segment_name(pos.segment));
        std::string_view rest(buf);
        bool damaged = false;
        while (out.size() < max && !rest.empty()) {
            const ParsedRecord r = parse_record(rest);
            if (r.status == ParseStatus::Ok) {
                out.push_back(SpoolRecord{pos, std::string(r.payload)});
                pos.offset += r.size;
                rest.remove_prefix(r.size);
                continue;
            }
            if (r.status == ParseStatus::Incomplete && want < available) {
                // A record larger than what was read: read again, bigger.
                chunk = kMaxPayloadBytes + kRecordHeaderBytes;
                break;
            }
            damaged = true;
            break;
        }
        if (damaged) {
            // Only possible if the file was changed behind our back.
            quarantine_tail(pos.segment, pos.offset, seg.durable_size);
            pos.offset = seg.durable_size;
        }
    }
    *end = pos;
    return out;
}

void Spool::commit(Position to, std::uint64_t records) {
    write_position(to);
    std::vector<std::uint64_t> gone;
    {
        std::lock_guard lock(mu_);
        committed_ = to;
        committed_records_ += records;
        for (auto it = segments_.begin(); it != segments_.end() && it->first < to.segment;) {
            gone.push_back(it->first);
            it = segments_.erase(it);
        }
    }
    for (const std::uint64_t seq : gone) {
        if (read_fd_ >= 0 && read_fd_seq_ == seq) {
            ::close(read_fd_);
            read_fd_ = -1;
        }
        // The position already says these were shipped; a failed unlink only
        // leaves a file that the next start removes.
        if (::unlink((dir_ / segment_name(seq)).c_str()) != 0)
            log("spool: " + errno_text("cannot remove", dir_ / segment_name(seq)));
    }
}

void Spool::write_rejected(const std::string& name, std::string_view content) {
    const fs::path dir = dir_ / "rejected";
    const fs::path path = dir / name;
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0) fail("cannot create", path);
    const bool ok = write_all(fd, content) && ::fsync(fd) == 0;
    ::close(fd);
    if (!ok) fail("cannot write", path);
    const int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd < 0) fail("cannot open", dir);
    const bool synced = ::fsync(dfd) == 0;
    ::close(dfd);
    if (!synced) fail("cannot fsync", dir);
}

Position Spool::committed() const {
    std::lock_guard lock(mu_);
    return committed_;
}

std::uint64_t Spool::pending() const {
    std::lock_guard lock(mu_);
    return durable_records_ - committed_records_;
}

}  // namespace boxwarden::policyd::spool
