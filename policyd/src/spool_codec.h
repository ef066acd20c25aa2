#pragma once
// The on-disk record format of the log spool (docs/log-spool.md): framing
// with a length prefix and a CRC32, and the encoding of one LogEvent inside a
// record. Pure: no I/O, so torn and corrupt tails are unit tested.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "log_writer.h"

namespace boxwarden::policyd::spool {

// Header: payload length (u32 LE), then CRC32 (u32 LE) over the four length
// bytes and the payload, so a damaged length is caught too.
inline constexpr size_t kRecordHeaderBytes = 8;
// Larger records are refused when written and treated as damage when read
// (the internal protocol caps a request at 64 KiB, so this is generous).
inline constexpr size_t kMaxPayloadBytes = 4 * 1024 * 1024;

// CRC-32 (IEEE 802.3, reflected 0xEDB88320; the same value as zlib's crc32).
std::uint32_t crc32(std::string_view data, std::uint32_t crc = 0);

// Appends one framed record holding `payload` to `out`.
void append_record(std::string& out, std::string_view payload);

enum class ParseStatus {
    Ok,          // a whole, intact record
    Incomplete,  // the buffer ends inside a record (a torn tail at end of file)
    Corrupt,     // bad length or CRC mismatch
};

struct ParsedRecord {
    ParseStatus status = ParseStatus::Incomplete;
    std::string_view payload;  // points into the parsed buffer (Ok only)
    size_t size = 0;           // header + payload bytes (Ok only)
};

// Parses the record at the start of `buffer`.
ParsedRecord parse_record(std::string_view buffer);

// The payload form of an event: version byte, kind byte, then the fields
// (strings as u32 LE length + bytes, times as i64 LE microseconds since the
// epoch, booleans as one byte).
std::string encode_event(const LogEvent& event);
// nullopt when the payload is not exactly one well-formed event.
std::optional<LogEvent> decode_event(std::string_view payload);

// The event id of either kind.
const std::string& event_id_of(const LogEvent& event);

}  // namespace boxwarden::policyd::spool
