#pragma once
// Prometheus text exposition format 0.0.4 (docs/monitoring.md): # HELP and
// # TYPE once per metric family, then its samples. Pure string building.
#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>

#include "boxwarden/latency_histogram.h"

namespace boxwarden {

using MetricLabels = std::initializer_list<std::pair<std::string_view, std::string_view>>;

class PrometheusText {
  public:
    // The content type of the format.
    static constexpr std::string_view kContentType = "text/plain; version=0.0.4; charset=utf-8";

    // One family header; type is "counter", "gauge" or "histogram".
    void family(std::string_view name, std::string_view type, std::string_view help);
    void sample(std::string_view name, MetricLabels labels, std::uint64_t value);
    void sample(std::string_view name, MetricLabels labels, double value);
    // A whole family with one unlabelled sample.
    void counter(std::string_view name, std::string_view help, std::uint64_t value);
    void gauge(std::string_view name, std::string_view help, double value);
    // The _bucket (le="..." added to labels), _sum (seconds) and _count
    // samples of one histogram series.
    void histogram(std::string_view name, MetricLabels labels, const LatencyHistogram::Snapshot& s);

    const std::string& text() const { return out_; }
    std::string take() { return std::move(out_); }

  private:
    void labels(MetricLabels labels, std::string_view le = {});
    std::string out_;
};

// A float as the format writes it: shortest round-trip decimal, no exponent;
// NaN and infinities as NaN, +Inf, -Inf.
std::string prometheus_number(double v);

}  // namespace boxwarden
