#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "pipeline/event_id.h"
#include "pipeline/timestamp.h"

namespace sluice {

class AckTracker;
class MemoryBudget;

// A slice of a batch's text.
struct TextSpan {
  static constexpr uint32_t kMissing = UINT32_MAX;
  uint32_t offset = 0;
  uint32_t length = kMissing;
};

// One normalized event inside a batch. The event itself is serialized JSON in
// Batch::documents; outputs copy it to the wire without re-encoding it.
struct EventRecord {
  uint32_t doc_offset = 0;
  uint32_t doc_length = 0;
  TimestampNs timestamp = 0;
  EventId id;
};

// Events normalized by one input, shipped and acknowledged as a unit. Outputs
// share a batch (fan-out); the input learns it is delivered once every output
// called complete().
class Batch {
 public:
  explicit Batch(uint32_t route_field_count) : route_field_count_(route_field_count) {}
  ~Batch();
  Batch(const Batch&) = delete;
  Batch& operator=(const Batch&) = delete;

  std::string documents;
  std::vector<EventRecord> events;
  // Values of the fields outputs route by (index names, topics), captured at
  // normalization so outputs need not parse documents again:
  // route_field_count() spans per event, into route_text.
  std::string route_text;
  std::vector<TextSpan> routes;

  std::string_view document(const EventRecord& e) const {
    return {documents.data() + e.doc_offset, e.doc_length};
  }
  std::optional<std::string_view> route(size_t event_index, size_t field) const;
  uint32_t routeFieldCount() const { return route_field_count_; }
  size_t bytes() const { return documents.size(); }
  // A batch sent far from full (linger, a trickle) gives back the room its
  // builder reserved.
  void releaseSpareRoom();
  // What the batch holds in memory, reserved room included, as the
  // in-flight budget and the disk buffer's cache count it.
  size_t memoryBytes() const {
    return documents.capacity() + route_text.capacity() + events.capacity() * sizeof(EventRecord) +
           routes.capacity() * sizeof(TextSpan);
  }
  size_t size() const { return events.size(); }
  bool empty() const { return events.empty(); }
  void clear();

  // Acknowledgement: the input names its tracker and the batch's place in
  // it; the fan-out says how many outputs took the batch, and each of them
  // calls complete() once.
  void setAcknowledgement(std::shared_ptr<AckTracker> tracker, uint64_t sequence);
  void setConsumers(int consumers) { pending_.store(consumers, std::memory_order_relaxed); }
  void complete();
  uint64_t sequence() const { return sequence_; }
  // The batch's bytes were taken from `budget`; they return to it once every
  // output completed the batch (or when an abandoned batch is destroyed).
  void holdBudget(std::shared_ptr<MemoryBudget> budget, uint64_t bytes);

 private:
  uint32_t route_field_count_;
  std::shared_ptr<AckTracker> tracker_;
  uint64_t sequence_ = 0;
  std::atomic<int> pending_{0};
  std::shared_ptr<MemoryBudget> budget_;
  std::atomic<uint64_t> budget_bytes_{0};

  void releaseBudget();
};

using BatchPtr = std::shared_ptr<Batch>;

}  // namespace sluice
