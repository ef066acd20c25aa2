// The Prometheus text exposition (core/generic prometheus_text, latency_histogram):
// family headers, labels and their escapes, histogram buckets (cumulative,
// +Inf = count, sum in seconds).
#include <gtest/gtest.h>

#include <thread>
#include <vector>

#include "boxwarden/latency_histogram.h"
#include "boxwarden/prometheus_text.h"

namespace boxwarden {
namespace {

using namespace std::chrono_literals;

TEST(PrometheusText, CounterAndGaugeFamilies) {
    PrometheusText t;
    t.counter("x_requests_total", "requests served", 42);
    t.gauge("x_age_seconds", "age", 0.128);
    EXPECT_EQ(t.text(),
              "# HELP x_requests_total requests served\n"
              "# TYPE x_requests_total counter\n"
              "x_requests_total 42\n"
              "# HELP x_age_seconds age\n"
              "# TYPE x_age_seconds gauge\n"
              "x_age_seconds 0.128\n");
}

TEST(PrometheusText, LabelValuesAndHelpAreEscaped) {
    PrometheusText t;
    t.family("x_total", "counter", "a \\ back\nslash");
    t.sample("x_total", {{"result", "a\"b\\c\nd"}, {"k", "v"}}, std::uint64_t{1});
    EXPECT_EQ(t.text(),
              "# HELP x_total a \\\\ back\\nslash\n"
              "# TYPE x_total counter\n"
              "x_total{result=\"a\\\"b\\\\c\\nd\",k=\"v\"} 1\n");
}

TEST(PrometheusText, NumbersWithoutExponent) {
    EXPECT_EQ(prometheus_number(0.0001), "0.0001");
    EXPECT_EQ(prometheus_number(1), "1");
    EXPECT_EQ(prometheus_number(2.5), "2.5");
    EXPECT_EQ(prometheus_number(1e7), "10000000");
    EXPECT_EQ(prometheus_number(1.0 / 0.0), "+Inf");
    EXPECT_EQ(prometheus_number(0.0 / 0.0), "NaN");
}

TEST(LatencyHistogram, BucketsAreCumulativeAndInfIsTheCount) {
    LatencyHistogram h;
    h.observe(50us);   // <= 100 µs
    h.observe(100us);  // <= 100 µs (le is inclusive)
    h.observe(101us);  // <= 250 µs
    h.observe(3ms);    // <= 5 ms
    h.observe(20s);    // above every bound
    const auto s = h.snapshot();
    EXPECT_EQ(s.count, 5u);
    EXPECT_EQ(s.cumulative[0], 2u);                               // le 0.0001
    EXPECT_EQ(s.cumulative[1], 3u);                               // le 0.00025
    EXPECT_EQ(s.cumulative[4], 3u);                               // le 0.0025
    EXPECT_EQ(s.cumulative[5], 4u);                               // le 0.005
    EXPECT_EQ(s.cumulative[LatencyHistogram::kBuckets - 1], 4u);  // le 10
    EXPECT_EQ(s.sum_us, 50u + 100u + 101u + 3000u + 20'000'000u);
}

TEST(LatencyHistogram, ExpositionOfOneSeries) {
    LatencyHistogram h;
    h.observe(200us);
    h.observe(2s);
    PrometheusText t;
    t.histogram("x_duration_seconds", {{"protocol", "policy"}}, h.snapshot());
    const std::string& text = t.text();
    EXPECT_NE(text.find("x_duration_seconds_bucket{protocol=\"policy\",le=\"0.0001\"} 0\n"),
              std::string::npos)
        << text;
    EXPECT_NE(text.find("x_duration_seconds_bucket{protocol=\"policy\",le=\"0.00025\"} 1\n"),
              std::string::npos);
    EXPECT_NE(text.find("x_duration_seconds_bucket{protocol=\"policy\",le=\"1\"} 1\n"),
              std::string::npos);
    EXPECT_NE(text.find("x_duration_seconds_bucket{protocol=\"policy\",le=\"10\"} 2\n"),
              std::string::npos);
    EXPECT_NE(text.find("x_duration_seconds_bucket{protocol=\"policy\",le=\"+Inf\"} 2\n"),
              std::string::npos);
    EXPECT_NE(text.find("x_duration_seconds_sum{protocol=\"policy\"} 2.0002\n"), std::string::npos);
    EXPECT_NE(text.find("x_duration_seconds_count{protocol=\"policy\"} 2\n"), std::string::npos);
    // The buckets in ascending order, one line each, +Inf last.
    std::size_t lines = 0;
    for (char c : text) lines += c == '\n';
    EXPECT_EQ(lines, LatencyHistogram::kBuckets + 1 + 2);
}

TEST(LatencyHistogram, ObservationsFromManyThreadsAreAllCounted) {
    LatencyHistogram h;
    std::vector<std::thread> threads;
    for (int i = 0; i < 4; ++i)
        threads.emplace_back([&] {
            for (int j = 0; j < 10000; ++j) h.observe(std::chrono::microseconds(j % 3000));
        });
    for (auto& t : threads) t.join();
    EXPECT_EQ(h.snapshot().count, 40000u);
}

}  // namespace
}  // namespace boxwarden
