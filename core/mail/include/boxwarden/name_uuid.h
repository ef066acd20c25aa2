// Name-based UUIDs (RFC 9562 version 5, SHA-1): the same namespace and name
// always give the same UUID, so a document that carries one (an Apple
// configuration profile) replaces its earlier download instead of being
// added a second time.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace boxwarden {

using Uuid = std::array<std::uint8_t, 16>;

// The RFC 9562 namespace for URLs (6ba7b811-9dad-11d1-80b4-00c04fd430c8).
inline constexpr Uuid kUuidNamespaceUrl = {0x6b, 0xa7, 0xb8, 0x11, 0x9d, 0xad, 0x11, 0xd1,
                                           0x80, 0xb4, 0x00, 0xc0, 0x4f, 0xd4, 0x30, 0xc8};

// SHA-1 of `data` (20 bytes). Only for name-based UUIDs, never for secrets.
std::array<std::uint8_t, 20> sha1(std::string_view data);

// Version 5 UUID of `name` in `name_space`: SHA-1(namespace bytes || name),
// first 16 bytes, version nibble 5, variant bits 10.
Uuid uuid_v5(const Uuid& name_space, std::string_view name);

// "6BA7B811-9DAD-11D1-80B4-00C04FD430C8" (upper-case hex, as Apple's uuidgen).
std::string uuid_text(const Uuid& uuid);

}  // namespace boxwarden
