// The log spool's record codec and file layer (policyd/src/spool*.h): no
// database; torn and damaged tails are made by hand on scratch files.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <random>
#include <thread>

#include "spool.h"
#include "spool_codec.h"

namespace boxwarden::policyd::spool {
namespace {

namespace fs = std::filesystem;

ActivityEvent sample_activity(int n) {
    ActivityEvent a;
    a.event_id = "ev-" + std::to_string(n);
    a.mailbox_address = "info@example.de";
    a.direction = "received";
    a.occurred_at = TimePoint(std::chrono::microseconds(1'790'000'000'123'456LL + n));
    a.message_id = "<m" + std::to_string(n) + "@example.org>";
    a.sender = "anna@example.org";
    a.recipients = "info@example.de, b@example.de";
    a.subject = std::string("Grüße \xF0\x9F\x98\x80 with\nnewline and \0 nul", 33);
    a.in_to_header = (n % 2) == 0;
    return a;
}

std::string payload_of(int n) {
    return encode_event(sample_activity(n));
}

TEST(SpoolCodec, Crc32MatchesTheStandardCheckValue) {
    EXPECT_EQ(crc32("123456789"), 0xCBF43926u);
    EXPECT_EQ(crc32(""), 0u);
    // Incremental equals one-shot.
    EXPECT_EQ(crc32("6789", crc32("12345")), 0xCBF43926u);
}

TEST(SpoolCodec, ActivityRoundTrips) {
    const ActivityEvent a = sample_activity(7);
    const auto decoded = decode_event(encode_event(a));
    ASSERT_TRUE(decoded);
    const auto& b = std::get<ActivityEvent>(*decoded);
    EXPECT_EQ(b.event_id, a.event_id);
    EXPECT_EQ(b.mailbox_address, a.mailbox_address);
    EXPECT_EQ(b.direction, a.direction);
    EXPECT_EQ(b.occurred_at, a.occurred_at);
    EXPECT_EQ(b.message_id, a.message_id);
    EXPECT_EQ(b.sender, a.sender);
    EXPECT_EQ(b.recipients, a.recipients);
    EXPECT_EQ(b.subject, a.subject);
    EXPECT_EQ(b.in_to_header, a.in_to_header);
}

TEST(SpoolCodec, AgentActionRoundTrips) {
    AgentActionEvent g{
        "ag-1", "info@example.de", "anna", "read", TimePoint(std::chrono::microseconds(42)),
        "<x@y>"};
    const auto decoded = decode_event(encode_event(g));
    ASSERT_TRUE(decoded);
    const auto& h = std::get<AgentActionEvent>(*decoded);
    EXPECT_EQ(h.event_id, "ag-1");
    EXPECT_EQ(h.login, "anna");
    EXPECT_EQ(h.action, "read");
    EXPECT_EQ(h.occurred_at, g.occurred_at);
    EXPECT_EQ(h.message_id, "<x@y>");
}

// issue #11: a move carries its target folder; entries without one keep
// the old 'G' encoding (a spool written before reads the same).
TEST(SpoolCodec, AgentMoveKeepsItsFolder) {
    AgentActionEvent g{
        "ag-2",  "info@example.de", "", "moved", TimePoint(std::chrono::microseconds(43)),
        "<x@y>", "Archiv/2026"};
    const auto decoded = decode_event(encode_event(g));
    ASSERT_TRUE(decoded);
    const auto& h = std::get<AgentActionEvent>(*decoded);
    EXPECT_EQ(h.folder, "Archiv/2026");
    EXPECT_EQ(h.login, "");
    AgentActionEvent plain{
        "ag-3", "info@example.de", "anna", "read", TimePoint(std::chrono::microseconds(44)),
        "<x@y>"};
    EXPECT_EQ(encode_event(plain)[1], 'G');
    EXPECT_EQ(std::get<AgentActionEvent>(*decode_event(encode_event(plain))).folder, "");
}

TEST(SpoolCodec, DecodeRefusesTruncatedOrTrailingPayloads) {
    const std::string p = payload_of(1);
    for (size_t n = 0; n < p.size(); ++n) EXPECT_FALSE(decode_event(p.substr(0, n))) << n;
    EXPECT_FALSE(decode_event(p + "x"));
    std::string wrong_kind = p;
    wrong_kind[1] = 'Z';
    EXPECT_FALSE(decode_event(wrong_kind));
}

TEST(SpoolCodec, FramedRecordParses) {
    std::string buf;
    append_record(buf, "hello");
    append_record(buf, "world!");
    const ParsedRecord r1 = parse_record(buf);
    ASSERT_EQ(r1.status, ParseStatus::Ok);
    EXPECT_EQ(r1.payload, "hello");
    EXPECT_EQ(r1.size, kRecordHeaderBytes + 5);
    const ParsedRecord r2 = parse_record(std::string_view(buf).substr(r1.size));
    ASSERT_EQ(r2.status, ParseStatus::Ok);
    EXPECT_EQ(r2.payload, "world!");
}

TEST(SpoolCodec, EveryTornPrefixIsIncompleteNeverARecord) {
    std::string buf;
    append_record(buf, payload_of(3));
    for (size_t n = 0; n < buf.size(); ++n)
        EXPECT_EQ(parse_record(std::string_view(buf).substr(0, n)).status, ParseStatus::Incomplete)
            << n;
}

TEST(SpoolCodec, AnyFlippedBitIsCorrupt) {
    std::string buf;
    append_record(buf, payload_of(4));
    for (size_t i = 0; i < buf.size(); ++i) {
        for (int bit = 0; bit < 8; ++bit) {
            std::string damaged = buf;
            damaged[i] = static_cast<char>(damaged[i] ^ (1 << bit));
            // A damaged length may also read as "incomplete"; never as Ok.
            EXPECT_NE(parse_record(damaged).status, ParseStatus::Ok) << i << ":" << bit;
        }
    }
}

TEST(SpoolCodec, ZeroFilledAndOversizedHeadersAreCorrupt) {
    EXPECT_EQ(parse_record(std::string(64, '\0')).status, ParseStatus::Corrupt);
    std::string huge("\xFF\xFF\xFF\x7F\0\0\0\0", 8);
    EXPECT_EQ(parse_record(huge).status, ParseStatus::Corrupt);
}

// ---- the files -----------------------------------------------------------

class SpoolFiles : public ::testing::Test {
  protected:
    void SetUp() override {
        dir = fs::temp_directory_path() /
              ("bw-spool-test-" + std::to_string(::getpid()) + "-" +
               ::testing::UnitTest::GetInstance()->current_test_info()->name());
        fs::remove_all(dir);
    }
    void TearDown() override { fs::remove_all(dir); }

    SpoolOptions options(std::uint64_t segment_bytes = 1 << 20) {
        SpoolOptions o;
        o.segment_max_bytes = segment_bytes;
        o.log = [this](const std::string& m) { messages.push_back(m); };
        return o;
    }

    std::vector<std::string> read_all(Spool& s, Position* end = nullptr) {
        Position e;
        std::vector<std::string> out;
        for (const auto& r : s.read(s.committed(), 1'000'000, &e)) out.push_back(r.payload);
        if (end) *end = e;
        return out;
    }

    std::vector<fs::path> segments() {
        std::vector<fs::path> out;
        for (const auto& e : fs::directory_iterator(dir))
            if (e.path().extension() == ".spool") out.push_back(e.path());
        std::sort(out.begin(), out.end());
        return out;
    }

    fs::path dir;
    std::vector<std::string> messages;
};

TEST_F(SpoolFiles, AppendedRecordsSurviveAReopenInOrder) {
    {
        Spool s(dir, options());
        for (int i = 0; i < 100; ++i) ASSERT_TRUE(s.append(payload_of(i)));
        EXPECT_EQ(s.pending(), 100u);
    }
    Spool s(dir, options());
    EXPECT_EQ(s.pending(), 100u);
    const auto got = read_all(s);
    ASSERT_EQ(got.size(), 100u);
    for (int i = 0; i < 100; ++i) EXPECT_EQ(got[i], payload_of(i));
}

// Pipelined log writes: several records durable together, in order, all
// or none (an oversized payload refuses the lot before anything is written).
TEST_F(SpoolFiles, AppendAllWritesTheRecordsTogetherInOrder) {
    {
        Spool s(dir, options());
        ASSERT_TRUE(s.append(payload_of(0)));
        ASSERT_TRUE(s.append_all({payload_of(1), payload_of(2), payload_of(3)}));
        EXPECT_EQ(s.pending(), 4u);
        EXPECT_FALSE(s.append_all({payload_of(4), std::string(kMaxPayloadBytes + 1, 'x')}));
        EXPECT_EQ(s.pending(), 4u);
        EXPECT_TRUE(s.append_all({}));
    }
    Spool s(dir, options());
    const auto got = read_all(s);
    ASSERT_EQ(got.size(), 4u);
    for (int i = 0; i < 4; ++i) EXPECT_EQ(got[i], payload_of(i));
}

TEST_F(SpoolFiles, FilesArePrivate) {
    Spool s(dir, options());
    ASSERT_TRUE(s.append(payload_of(1)));
    auto mode = [](const fs::path& p) {
        struct stat st {};
        EXPECT_EQ(::stat(p.c_str(), &st), 0) << p;
        return st.st_mode & 0777;
    };
    EXPECT_EQ(mode(dir), 0700u);
    EXPECT_EQ(mode(dir / "rejected"), 0700u);
    EXPECT_EQ(mode(dir / "position"), 0600u);
    for (const auto& seg : segments()) EXPECT_EQ(mode(seg), 0600u);
}

TEST_F(SpoolFiles, LooseDirectoryPermissionsAreTightened) {
    fs::create_directories(dir);
    ::chmod(dir.c_str(), 0755);
    Spool s(dir, options());
    struct stat st {};
    ASSERT_EQ(::stat(dir.c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0700u);
}

TEST_F(SpoolFiles, ASecondSpoolOnTheSameDirectoryIsRefused) {
    Spool s(dir, options());
    EXPECT_THROW(Spool(dir, options()), std::runtime_error);
}

TEST_F(SpoolFiles, TornTailIsTruncatedAndAppendsContinue) {
    for (const size_t cut : {1u, 4u, 7u, 8u, 20u}) {
        fs::remove_all(dir);
        {
            Spool s(dir, options());
            for (int i = 0; i < 10; ++i) ASSERT_TRUE(s.append(payload_of(i)));
        }
        // A crash in the middle of the 11th write: only `cut` bytes landed.
        const fs::path seg = segments().back();
        std::string rec;
        append_record(rec, payload_of(10));
        {
            std::ofstream f(seg, std::ios::binary | std::ios::app);
            f.write(rec.data(), static_cast<std::streamsize>(cut));
        }
        Spool s(dir, options());
        EXPECT_EQ(s.pending(), 10u) << cut;
        ASSERT_TRUE(s.append(payload_of(11)));
        const auto got = read_all(s);
        ASSERT_EQ(got.size(), 11u) << cut;
        EXPECT_EQ(got[9], payload_of(9));
        EXPECT_EQ(got[10], payload_of(11));
    }
}

TEST_F(SpoolFiles, ZeroFilledTailIsTruncated) {
    {
        Spool s(dir, options());
        for (int i = 0; i < 3; ++i) ASSERT_TRUE(s.append(payload_of(i)));
    }
    const fs::path seg = segments().back();
    const auto before = fs::file_size(seg);
    {
        std::ofstream f(seg, std::ios::binary | std::ios::app);
        const std::string zeros(4096, '\0');
        f.write(zeros.data(), static_cast<std::streamsize>(zeros.size()));
    }
    Spool s(dir, options());
    EXPECT_EQ(s.pending(), 3u);
    EXPECT_EQ(fs::file_size(seg), before);
    EXPECT_EQ(read_all(s).size(), 3u);
}

TEST_F(SpoolFiles, DamageInAnOlderSegmentIsQuarantinedNotDropped) {
    {
        Spool s(dir, options(100));  // one record per segment
        for (int i = 0; i < 6; ++i) ASSERT_TRUE(s.append(payload_of(i)));
    }
    auto segs = segments();
    ASSERT_GE(segs.size(), 3u);
    // Flip a byte in the middle of the first non-empty segment.
    fs::path victim;
    for (const auto& p : segs)
        if (fs::file_size(p) > 0) {
            victim = p;
            break;
        }
    {
        std::fstream f(victim, std::ios::binary | std::ios::in | std::ios::out);
        f.seekp(12);
        f.put('\x55');
    }
    Spool s(dir, options(100));
    EXPECT_EQ(s.pending(), 5u);
    size_t quarantined = 0;
    for (const auto& e : fs::directory_iterator(dir / "rejected"))
        if (e.path().filename().string().starts_with("damaged-")) ++quarantined;
    EXPECT_EQ(quarantined, 1u);
    const auto got = read_all(s);
    ASSERT_EQ(got.size(), 5u);
    EXPECT_EQ(got[0], payload_of(1));
}

TEST_F(SpoolFiles, RotatesBySizeReadsAcrossSegmentsAndDeletesShipped) {
    Spool s(dir, options(1000));
    for (int i = 0; i < 50; ++i) ASSERT_TRUE(s.append(payload_of(i)));
    EXPECT_GT(segments().size(), 5u);
    // Ship in batches of 7, as the log writer does.
    int next = 0;
    while (s.pending() > 0) {
        Position end;
        const auto batch = s.read(s.committed(), 7, &end);
        ASSERT_FALSE(batch.empty());
        for (const auto& r : batch) EXPECT_EQ(r.payload, payload_of(next++));
        s.commit(end, batch.size());
    }
    EXPECT_EQ(next, 50);
    EXPECT_LE(segments().size(), 2u);  // the one being written (and maybe its predecessor)
}

TEST_F(SpoolFiles, CommittedPositionSurvivesAReopen) {
    {
        Spool s(dir, options(1000));
        for (int i = 0; i < 30; ++i) ASSERT_TRUE(s.append(payload_of(i)));
        Position end;
        const auto batch = s.read(s.committed(), 12, &end);
        ASSERT_EQ(batch.size(), 12u);
        s.commit(end, batch.size());
    }
    Spool s(dir, options(1000));
    EXPECT_EQ(s.pending(), 18u);
    const auto got = read_all(s);
    ASSERT_EQ(got.size(), 18u);
    EXPECT_EQ(got.front(), payload_of(12));
}

TEST_F(SpoolFiles, ADamagedPositionSlotFallsBackToThePreviousOne) {
    {
        Spool s(dir, options());
        for (int i = 0; i < 10; ++i) ASSERT_TRUE(s.append(payload_of(i)));
        Position end;
        s.commit((s.read(s.committed(), 3, &end), end), 3);  // generation 1 -> slot 1
        s.commit((s.read(s.committed(), 2, &end), end), 2);  // generation 2 -> slot 0
    }
    {
        // Tear the newest slot (slot 0): the older position (after 3) wins,
        // so events 3 and 4 are shipped again (harmless: event_id).
        std::fstream f(dir / "position", std::ios::binary | std::ios::in | std::ios::out);
        f.seekp(20);
        f.put('\x7F');
    }
    Spool s(dir, options());
    const auto got = read_all(s);
    ASSERT_EQ(got.size(), 7u);
    EXPECT_EQ(got.front(), payload_of(3));
}

TEST_F(SpoolFiles, ConcurrentAppendsShareFsyncsAndLoseNothing) {
    Spool s(dir, options(64 * 1024));
    constexpr int kThreads = 8, kEach = 200;
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t)
        threads.emplace_back([&, t] {
            for (int i = 0; i < kEach; ++i) ASSERT_TRUE(s.append(payload_of(t * 10000 + i)));
        });
    for (auto& th : threads) th.join();
    EXPECT_EQ(s.pending(), static_cast<std::uint64_t>(kThreads * kEach));
    // Each thread's records appear in its own order.
    std::vector<int> last(kThreads, -1);
    for (const auto& p : read_all(s)) {
        const auto e = std::get<ActivityEvent>(*decode_event(p));
        const int n = std::stoi(e.event_id.substr(3));
        EXPECT_GT(n % 10000, last[n / 10000]);
        last[n / 10000] = n % 10000;
    }
    for (int t = 0; t < kThreads; ++t) EXPECT_EQ(last[t], kEach - 1);
}

TEST_F(SpoolFiles, RejectedFilesArePrivateAndDurable) {
    Spool s(dir, options());
    s.write_rejected("1-0.rejected", "reason=x\n");
    std::ifstream f(dir / "rejected" / "1-0.rejected");
    std::string line;
    std::getline(f, line);
    EXPECT_EQ(line, "reason=x");
    struct stat st {};
    ASSERT_EQ(::stat((dir / "rejected" / "1-0.rejected").c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0600u);
}

}  // namespace
}  // namespace boxwarden::policyd::spool
