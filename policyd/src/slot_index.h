#pragma once
// A compact open-addressing hash index from keys to slot numbers of a record
// vector. The records hold the keys, so the index stores only 8 bytes per
// bucket (slot + 32 bits of hash); a std::unordered_map would cost ~5x that
// per entry, which matters at a million mailboxes.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

namespace boxwarden::policyd {

class SlotIndex {
  public:
    // Returns the slot whose record matches (eq(slot) == true), if any.
    template <typename Eq>
    std::optional<std::uint32_t> find(std::size_t hash, const Eq& eq) const {
        if (buckets_.empty()) return std::nullopt;
        const std::uint32_t h = fold(hash);
        for (std::size_t i = h & mask_;; i = (i + 1) & mask_) {
            const Bucket& b = buckets_[i];
            if (b.slot == kEmpty) return std::nullopt;
            if (b.slot != kTombstone && b.hash == h && eq(b.slot)) return b.slot;
        }
    }

    // Adds slot (the caller made sure its key is not present yet).
    // hash_of(slot) recomputes a stored slot's hash when the table grows.
    template <typename HashOf>
    void insert(std::size_t hash, std::uint32_t slot, const HashOf& hash_of) {
        if ((used_ + tombstones_ + 1) * 2 > buckets_.size()) rebuild(hash_of);
        const std::uint32_t h = fold(hash);
        for (std::size_t i = h & mask_;; i = (i + 1) & mask_) {
            Bucket& b = buckets_[i];
            if (b.slot == kEmpty || b.slot == kTombstone) {
                if (b.slot == kTombstone) --tombstones_;
                b = Bucket{slot, h};
                ++used_;
                return;
            }
        }
    }

    // Removes slot if present under this hash.
    void erase(std::size_t hash, std::uint32_t slot) {
        if (buckets_.empty()) return;
        const std::uint32_t h = fold(hash);
        for (std::size_t i = h & mask_;; i = (i + 1) & mask_) {
            Bucket& b = buckets_[i];
            if (b.slot == kEmpty) return;
            if (b.slot == slot) {
                b.slot = kTombstone;
                --used_;
                ++tombstones_;
                return;
            }
        }
    }

    std::size_t size() const { return used_; }
    std::size_t memory_bytes() const { return buckets_.capacity() * sizeof(Bucket); }

    // Pre-sizes for n entries (avoids repeated growth during a full load).
    template <typename HashOf>
    void reserve(std::size_t n, const HashOf& hash_of) {
        if (n * 2 > buckets_.size()) rebuild(hash_of, n);
    }

  private:
    static constexpr std::uint32_t kEmpty = 0xffffffffu;
    static constexpr std::uint32_t kTombstone = 0xfffffffeu;
    struct Bucket {
        std::uint32_t slot = kEmpty;
        std::uint32_t hash = 0;
    };

    static std::uint32_t fold(std::size_t h) {
        // Mix so that weak hashes (e.g. identity on integers) spread.
        std::uint64_t x = static_cast<std::uint64_t>(h) * 0x9E3779B97F4A7C15ull;
        return static_cast<std::uint32_t>(x >> 32);
    }

    template <typename HashOf>
    void rebuild(const HashOf& hash_of, std::size_t want = 0) {
        std::size_t cap = 16;
        const std::size_t need = std::max(want, used_ + 1) * 2;
        while (cap < need) cap *= 2;
        std::vector<Bucket> old;
        old.swap(buckets_);
        buckets_.assign(cap, Bucket{});
        mask_ = cap - 1;
        used_ = 0;
        tombstones_ = 0;
        for (const Bucket& b : old) {
            if (b.slot == kEmpty || b.slot == kTombstone) continue;
            const std::uint32_t h = fold(hash_of(b.slot));
            for (std::size_t i = h & mask_;; i = (i + 1) & mask_) {
                if (buckets_[i].slot == kEmpty) {
                    buckets_[i] = Bucket{b.slot, h};
                    ++used_;
                    break;
                }
            }
        }
    }

    std::vector<Bucket> buckets_;
    std::size_t mask_ = 0;
    std::size_t used_ = 0;
    std::size_t tombstones_ = 0;
};

}  // namespace boxwarden::policyd
