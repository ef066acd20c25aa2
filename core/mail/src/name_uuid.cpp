#include "boxwarden/name_uuid.h"

#include <cstring>

namespace boxwarden {

namespace {

std::uint32_t rotate_left(std::uint32_t x, int n) {
    return (x << n) | (x >> (32 - n));
}

// One 64-byte block of FIPS 180-4 SHA-1.
void sha1_block(std::uint32_t h[5], const std::uint8_t* block) {
    std::uint32_t w[80];
    for (int t = 0; t < 16; ++t)
        w[t] = (std::uint32_t{block[4 * t]} << 24) | (std::uint32_t{block[4 * t + 1]} << 16) |
               (std::uint32_t{block[4 * t + 2]} << 8) | std::uint32_t{block[4 * t + 3]};
    for (int t = 16; t < 80; ++t)
        w[t] = rotate_left(w[t - 3] ^ w[t - 8] ^ w[t - 14] ^ w[t - 16], 1);
    std::uint32_t a = h[0], b = h[1], c = h[2], d = h[3], e = h[4];
    for (int t = 0; t < 80; ++t) {
        std::uint32_t f, k;
        if (t < 20) {
            f = (b & c) | (~b & d);
            k = 0x5A827999;
        } else if (t < 40) {
            f = b ^ c ^ d;
            k = 0x6ED9EBA1;
        } else if (t < 60) {
            f = (b & c) | (b & d) | (c & d);
            k = 0x8F1BBCDC;
        } else {
            f = b ^ c ^ d;
            k = 0xCA62C1D6;
        }
        const std::uint32_t temp = rotate_left(a, 5) + f + e + k + w[t];
        e = d;
        d = c;
        c = rotate_left(b, 30);
        b = a;
        a = temp;
    }
    h[0] += a;
    h[1] += b;
    h[2] += c;
    h[3] += d;
    h[4] += e;
}

}  // namespace

std::array<std::uint8_t, 20> sha1(std::string_view data) {
    std::uint32_t h[5] = {0x67452301, 0xEFCDAB89, 0x98BADCFE, 0x10325476, 0xC3D2E1F0};
    const std::uint64_t bit_length = static_cast<std::uint64_t>(data.size()) * 8;
    size_t pos = 0;
    for (; pos + 64 <= data.size(); pos += 64)
        sha1_block(h, reinterpret_cast<const std::uint8_t*>(data.data() + pos));
    // The tail, 0x80, zeros, and the 64-bit big-endian length: one or two blocks.
    std::uint8_t tail[128] = {};
    const size_t rest = data.size() - pos;
    if (rest > 0) std::memcpy(tail, data.data() + pos, rest);
    tail[rest] = 0x80;
    const size_t blocks = rest + 1 + 8 <= 64 ? 1 : 2;
    for (int i = 0; i < 8; ++i)
        tail[blocks * 64 - 1 - i] = static_cast<std::uint8_t>(bit_length >> (8 * i));
    for (size_t i = 0; i < blocks; ++i) sha1_block(h, tail + 64 * i);
    std::array<std::uint8_t, 20> out{};
    for (int i = 0; i < 5; ++i)
        for (int j = 0; j < 4; ++j)
            out[4 * i + j] = static_cast<std::uint8_t>(h[i] >> (24 - 8 * j));
    return out;
}

Uuid uuid_v5(const Uuid& name_space, std::string_view name) {
    std::string input(reinterpret_cast<const char*>(name_space.data()), name_space.size());
    input.append(name);
    const auto digest = sha1(input);
    Uuid u{};
    for (size_t i = 0; i < u.size(); ++i) u[i] = digest[i];
    u[6] = static_cast<std::uint8_t>((u[6] & 0x0F) | 0x50);  // version 5
    u[8] = static_cast<std::uint8_t>((u[8] & 0x3F) | 0x80);  // variant 10
    return u;
}

std::string uuid_text(const Uuid& uuid) {
    static const char kHex[] = "0123456789ABCDEF";
    std::string out;
    out.reserve(36);
    for (size_t i = 0; i < uuid.size(); ++i) {
        if (i == 4 || i == 6 || i == 8 || i == 10) out += '-';
        out += kHex[uuid[i] >> 4];
        out += kHex[uuid[i] & 0x0F];
    }
    return out;
}

}  // namespace boxwarden
