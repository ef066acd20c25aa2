#pragma once
// What the request handlers need of the durable log-write path: LogWriter in
// the daemon, a recording fake in unit tests.
#include <vector>

#include "log_writer.h"

namespace boxwarden::policyd {

class LogSink {
  public:
    virtual ~LogSink() = default;
    // True once the event is durable (see LogWriter::submit).
    virtual bool submit(const LogEvent& event) = 0;
    // Several events, durable together where the sink can (one result each).
    virtual std::vector<bool> submit_all(const std::vector<LogEvent>& events) {
        std::vector<bool> out;
        for (const LogEvent& e : events) out.push_back(submit(e));
        return out;
    }
    virtual LogWriterStats stats() const = 0;
};

class LogWriterSink final : public LogSink {
  public:
    explicit LogWriterSink(LogWriter& writer) : writer_(writer) {}
    bool submit(const LogEvent& event) override { return writer_.submit(event); }
    std::vector<bool> submit_all(const std::vector<LogEvent>& events) override {
        return writer_.submit_all(events);
    }
    LogWriterStats stats() const override { return writer_.stats(); }

  private:
    LogWriter& writer_;
};

}  // namespace boxwarden::policyd
