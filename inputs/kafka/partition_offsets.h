#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sluice {

// Which Kafka offsets a consumer may store (and so commit): an offset is
// stored only once every message before it in its partition was delivered.
// Batches are acknowledged in sequence order (AckTracker completes the
// contiguous prefix only), so when a batch completes, the furthest offset it
// reached in each partition is safe.
//
// Thread-safe: batches are recorded on the input's thread and acknowledged
// on output threads.
class PartitionOffsets {
 public:
  using Slot = uint32_t;
  struct TopicPartition {
    std::string topic;
    int32_t partition = 0;
  };
  // How far a batch reaches into one partition: its last offset there + 1.
  struct Reach {
    Slot slot;
    int64_t next_offset;
  };
  // Offsets that may be stored now, given to the store function.
  struct Stored {
    const TopicPartition* partition;
    int64_t next_offset;
  };
  using StoreFn = std::function<void(std::span<const Stored>)>;

  // A stable small number for a partition; the same one every time.
  Slot slot(std::string_view topic, int32_t partition);
  const TopicPartition& partition(Slot slot) const;

  // Extends a batch's reach with one message (the input's thread, per message).
  static void extend(std::vector<Reach>& reach, Slot slot, int64_t offset);

  void batchSent(uint64_t sequence, std::vector<Reach> reach);
  // Called for batch `sequence` once it and every batch before it are
  // acknowledged. `store` runs under this object's lock, so that it cannot
  // race forgetPending(): after that returns, nothing of the old assignment
  // is stored.
  void acknowledged(uint64_t sequence, const StoreFn& store);
  // The partitions were revoked: batches not acknowledged yet store nothing
  // when they are (the partitions' next owner reads their messages again),
  // and what was stored is no longer this consumer's to report.
  void forgetPending();

  // The next offset last stored for the partition in the current
  // assignment, or -1.
  int64_t stored(Slot slot) const;
  size_t pendingBatches() const;

 private:
  mutable std::mutex mutex_;
  std::deque<TopicPartition> partitions_;  // by slot; a deque keeps references stable
  std::map<std::pair<std::string, int32_t>, Slot, std::less<>> slots_;
  std::deque<std::pair<uint64_t, std::vector<Reach>>> pending_;  // by sequence
  std::vector<int64_t> stored_;                                  // by slot
  std::vector<Stored> scratch_;
};

}  // namespace sluice
