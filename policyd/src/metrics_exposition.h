#pragma once
// policyd's metrics in the Prometheus text format (docs/monitoring.md): the
// numbers of request=status, under fixed metric names, plus the request
// latency histograms of ServerStats. Pure: the status reply in, text out.
#include <string>

#include "boxwarden/attr_codec.h"
#include "server_stats.h"

namespace boxwarden::policyd {

// status: the attributes of a request=status reply (unknown attributes and
// empty values, e.g. cache_age_ms before the first sync, are left out).
std::string policyd_metrics_text(const AttrList& status, const ServerStats& stats);

}  // namespace boxwarden::policyd
