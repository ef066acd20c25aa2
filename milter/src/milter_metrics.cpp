#include "milter_metrics.h"

#include "boxwarden/prometheus_text.h"

namespace boxwarden::milter {

std::string render_milter_metrics(const MilterMetrics& m) {
    PrometheusText t;
    t.family("boxwarden_milter_messages_total", "counter",
             "messages by outcome: unauthenticated (passed untouched), accepted, rejected (550), "
             "tempfailed (451)");
    t.sample("boxwarden_milter_messages_total", {{"result", "unauthenticated"}},
             m.unauthenticated.load());
    t.sample("boxwarden_milter_messages_total", {{"result", "accepted"}}, m.accepted.load());
    t.sample("boxwarden_milter_messages_total", {{"result", "rejected"}}, m.rejected.load());
    t.sample("boxwarden_milter_messages_total", {{"result", "tempfailed"}}, m.tempfailed.load());
    t.counter("boxwarden_milter_from_rewritten_total",
              "accepted messages whose From display name was set", m.rewritten.load());
    t.family("boxwarden_milter_lookup_cache_total", "counter",
             "submission look-ups answered from the look-up cache (hit) or by policyd (miss)");
    t.sample("boxwarden_milter_lookup_cache_total", {{"result", "hit"}}, m.cache_hits.load());
    t.sample("boxwarden_milter_lookup_cache_total", {{"result", "miss"}}, m.cache_misses.load());
    t.family("boxwarden_milter_policyd_request_duration_seconds", "histogram",
             "time of the milter's requests to policyd, from call to answer");
    t.histogram("boxwarden_milter_policyd_request_duration_seconds", {{"request", "lookup"}},
                m.lookup.snapshot());
    t.histogram("boxwarden_milter_policyd_request_duration_seconds", {{"request", "mailbox"}},
                m.mailbox.snapshot());
    t.histogram("boxwarden_milter_policyd_request_duration_seconds",
                {{"request", "record_activity"}}, m.record_activity.snapshot());
    t.family("boxwarden_milter_end_of_message_duration_seconds", "histogram",
             "time of the end-of-message callback (checks, policyd requests, From change)");
    t.histogram("boxwarden_milter_end_of_message_duration_seconds", {},
                m.end_of_message.snapshot());
    return t.take();
}

}  // namespace boxwarden::milter
