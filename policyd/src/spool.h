#pragma once
// The durable log spool: append-only segment files with group-committed
// fsync, a durably recorded "shipped up to here" position, crash recovery
// (torn tails truncated) and the rejected/ folder. Layout and guarantees:
// docs/log-spool.md. One Spool per directory (an flock enforces it); any
// number of threads may append, one thread reads and commits.
#include <condition_variable>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace boxwarden::policyd::spool {

// Where the next unshipped record starts: segment number and byte offset.
struct Position {
    std::uint64_t segment = 0;
    std::uint64_t offset = 0;
    auto operator<=>(const Position&) const = default;
};

struct SpoolRecord {
    Position at;          // where the record starts
    std::string payload;  // the record's payload (see spool_codec.h)
};

struct SpoolOptions {
    std::uint64_t segment_max_bytes = 16 * 1024 * 1024;  // rotate past this size
    std::function<void(const std::string&)> log;
    std::function<void()> on_durable;  // called (unlocked) after records became durable
};

class Spool {
  public:
    // Creates/locks/recovers the spool under `dir`; throws std::runtime_error
    // (with the path and errno text) when that is impossible.
    Spool(std::filesystem::path dir, SpoolOptions options);
    ~Spool();
    Spool(const Spool&) = delete;
    Spool& operator=(const Spool&) = delete;

    // Appends one record and returns once it is on disk (write + fdatasync;
    // concurrent callers share one fdatasync). False on an I/O error.
    bool append(std::string_view payload);
    // Appends several records that become durable together (one write, one
    // fdatasync, shared with concurrent callers as above). All or none.
    bool append_all(const std::vector<std::string>& payloads);

    // Reads up to `max` durable records starting at `from`. `*end` becomes the
    // position after the last record returned, moved on to the next segment
    // when `from` is at the end of a finished one. Reader thread only.
    std::vector<SpoolRecord> read(Position from, size_t max, Position* end);

    // Records durably that everything before `to` is shipped (`records` of
    // them since the last commit) and deletes segments wholly before it.
    // Throws std::runtime_error when the position cannot be written.
    void commit(Position to, std::uint64_t records);

    // Writes rejected/NAME (0600) with `content`, fsync'd. Throws on failure.
    void write_rejected(const std::string& name, std::string_view content);

    Position committed() const;
    std::uint64_t pending() const;  // durable records not yet committed
    const std::filesystem::path& dir() const { return dir_; }

    static std::string segment_name(std::uint64_t segment);

  private:
    struct Segment {
        std::uint64_t durable_size = 0;  // bytes readers may read
        bool sealed = false;             // no more appends (a later segment exists)
    };
    struct Batch;

    void lock_directory();
    void load_position();
    void recover_segments();
    std::uint64_t scan_segment(std::uint64_t seq, std::uint64_t from, bool last);
    void quarantine_tail(std::uint64_t seq, std::uint64_t from, std::uint64_t size);
    void open_new_segment();  // caller is the only writer
    void write_position(Position p);
    bool flush(const std::string& bytes);
    int read_fd(std::uint64_t seq);
    void log(const std::string& message) const;

    std::filesystem::path dir_;
    SpoolOptions options_;
    int dir_fd_ = -1;
    int lock_fd_ = -1;
    int position_fd_ = -1;
    std::uint64_t position_generation_ = 0;

    mutable std::mutex mu_;
    std::condition_variable cv_;
    std::map<std::uint64_t, Segment> segments_;
    Position committed_;
    std::uint64_t durable_records_ = 0;
    std::uint64_t committed_records_ = 0;
    std::shared_ptr<Batch> open_batch_;  // collecting appends
    bool flushing_ = false;

    // Owned by the flushing thread (one at a time).
    int write_fd_ = -1;
    std::uint64_t write_seq_ = 0;
    std::uint64_t write_size_ = 0;
    bool rotate_next_ = false;

    // Owned by the reader thread.
    int read_fd_ = -1;
    std::uint64_t read_fd_seq_ = 0;
};

}  // namespace boxwarden::policyd::spool
