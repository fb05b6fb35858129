#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <string>

namespace sluice {

// The newest records' payloads, kept in memory so that readers that keep up
// with the writer never read or decompress a segment. Holds consecutive
// record numbers; when over its byte limit it forgets the oldest, and
// readers fall back to the segment files for those. Not thread-safe (the
// buffer's mutex guards it).
class RecordCache {
 public:
  struct Entry {
    uint64_t number = 0;
    uint32_t events = 0;
    std::string payload;
    // Or, instead of the payload, the caller's own decoded form of it (a
    // batch), which costs the reader neither a copy nor a decode.
    std::shared_ptr<void> decoded;
    uint64_t bytes = 0;  // what the entry holds in memory
    // Where the record ends on disk: a reader taking it from the cache moves
    // its disk position past it.
    uint64_t segment = 0;
    uint64_t end_offset = 0;
  };

  explicit RecordCache(uint64_t limit_bytes) : limit_bytes_(limit_bytes) {}

  void push(Entry entry) {
    if (limit_bytes_ == 0) return;
    bytes_ += entry.bytes;
    entries_.push_back(std::move(entry));
    while (bytes_ > limit_bytes_ && !entries_.empty()) popFront();
  }

  // The entry numbered `number`, removed from the cache, with every entry
  // before it (the reader is past them); nullopt if it is not cached.
  std::optional<Entry> take(uint64_t number) {
    dropBelow(number);
    if (entries_.empty() || entries_.front().number != number) return std::nullopt;
    bytes_ -= entries_.front().bytes;
    Entry entry = std::move(entries_.front());
    entries_.pop_front();
    return entry;
  }

  void dropBelow(uint64_t number) {
    while (!entries_.empty() && entries_.front().number < number) popFront();
  }

  uint64_t bytes() const { return bytes_; }
  size_t size() const { return entries_.size(); }

 private:
  void popFront() {
    bytes_ -= entries_.front().bytes;
    entries_.pop_front();
  }

  uint64_t limit_bytes_;
  uint64_t bytes_ = 0;
  std::deque<Entry> entries_;
};

}  // namespace sluice
