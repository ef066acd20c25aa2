// CPU cost of turning one event into a spool record and back (Google
// Benchmark): the part of LogWriter::submit that is not the fsync.
#include <benchmark/benchmark.h>

#include "spool_codec.h"

namespace {

using namespace boxwarden::policyd;

ActivityEvent event() {
    ActivityEvent e;
    e.event_id = "0f4c2a51-6f7e-4a3c-9d0e-6c1b2a3d4e5f";
    e.mailbox_address = "info@example.de";
    e.direction = "received";
    e.occurred_at = boxwarden::wall_clock_now();
    e.message_id = "<20261127.1234.abcdef@mail.example.org>";
    e.sender = "someone@example.org";
    e.recipients = "info@example.de, sales@example.de";
    e.subject = "Angebot für Ihre Immobilie in München";
    return e;
}

void BM_EncodeAndFrame(benchmark::State& state) {
    const ActivityEvent e = event();
    std::string out;
    for (auto _ : state) {
        out.clear();
        spool::append_record(out, spool::encode_event(e));
        benchmark::DoNotOptimize(out.data());
    }
}
BENCHMARK(BM_EncodeAndFrame);

void BM_ParseAndDecode(benchmark::State& state) {
    std::string rec;
    spool::append_record(rec, spool::encode_event(event()));
    for (auto _ : state) {
        const auto r = spool::parse_record(rec);
        auto e = spool::decode_event(r.payload);
        benchmark::DoNotOptimize(e);
    }
}
BENCHMARK(BM_ParseAndDecode);

}  // namespace
