#include "boxwarden/prometheus_text.h"

#include <charconv>
#include <cmath>

namespace boxwarden {

namespace {

// HELP text: backslash and line feed escaped; label values also '"'.
void append_escaped(std::string& out, std::string_view s, bool quote) {
    for (char c : s) {
        if (c == '\\')
            out += "\\\\";
        else if (c == '\n')
            out += "\\n";
        else if (quote && c == '"')
            out += "\\\"";
        else
            out += c;
    }
}

void append_uint(std::string& out, std::uint64_t v) {
    char buf[24];
    const auto r = std::to_chars(buf, buf + sizeof buf, v);
    out.append(buf, r.ptr);
}

}  // namespace

std::string prometheus_number(double v) {
    if (std::isnan(v)) return "NaN";
    if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
    char buf[400];
    const auto r = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::fixed);
    return std::string(buf, r.ptr);
}

void PrometheusText::family(std::string_view name, std::string_view type, std::string_view help) {
    out_ += "# HELP ";
    out_ += name;
    out_ += ' ';
    append_escaped(out_, help, false);
    out_ += "\n# TYPE ";
    out_ += name;
    out_ += ' ';
    out_ += type;
    out_ += '\n';
}

void PrometheusText::labels(MetricLabels labels, std::string_view le) {
    if (labels.size() == 0 && le.empty()) return;
    out_ += '{';
    bool first = true;
    for (const auto& [k, v] : labels) {
        if (!first) out_ += ',';
        first = false;
        out_ += k;
        out_ += "=\"";
        append_escaped(out_, v, true);
        out_ += '"';
    }
    if (!le.empty()) {
        if (!first) out_ += ',';
        out_ += "le=\"";
        out_ += le;
        out_ += '"';
    }
    out_ += '}';
}

void PrometheusText::sample(std::string_view name, MetricLabels l, std::uint64_t value) {
    out_ += name;
    labels(l);
    out_ += ' ';
    append_uint(out_, value);
    out_ += '\n';
}

void PrometheusText::sample(std::string_view name, MetricLabels l, double value) {
    out_ += name;
    labels(l);
    out_ += ' ';
    out_ += prometheus_number(value);
    out_ += '\n';
}

void PrometheusText::counter(std::string_view name, std::string_view help, std::uint64_t value) {
    family(name, "counter", help);
    sample(name, {}, value);
}

void PrometheusText::gauge(std::string_view name, std::string_view help, double value) {
    family(name, "gauge", help);
    sample(name, {}, value);
}

void PrometheusText::histogram(std::string_view name, MetricLabels l,
                               const LatencyHistogram::Snapshot& s) {
    const std::string bucket = std::string(name) + "_bucket";
    for (std::size_t i = 0; i < LatencyHistogram::kBuckets; ++i) {
        out_ += bucket;
        labels(l, prometheus_number(static_cast<double>(LatencyHistogram::kBoundsUs[i]) / 1e6));
        out_ += ' ';
        append_uint(out_, s.cumulative[i]);
        out_ += '\n';
    }
    out_ += bucket;
    labels(l, "+Inf");
    out_ += ' ';
    append_uint(out_, s.count);
    out_ += '\n';
    out_ += name;
    out_ += "_sum";
    labels(l);
    out_ += ' ';
    out_ += prometheus_number(static_cast<double>(s.sum_us) / 1e6);
    out_ += '\n';
    out_ += name;
    out_ += "_count";
    labels(l);
    out_ += ' ';
    append_uint(out_, s.count);
    out_ += '\n';
}

}  // namespace boxwarden
