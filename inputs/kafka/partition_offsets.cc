#include "inputs/kafka/partition_offsets.h"

#include <algorithm>

namespace sluice {

PartitionOffsets::Slot PartitionOffsets::slot(std::string_view topic, int32_t partition) {
  std::lock_guard lock(mutex_);
  auto key = std::make_pair(std::string(topic), partition);
  auto it = slots_.find(key);
  if (it != slots_.end()) return it->second;
  const Slot slot = static_cast<Slot>(partitions_.size());
  partitions_.push_back({key.first, partition});
  stored_.push_back(-1);
  slots_.emplace(std::move(key), slot);
  return slot;
}

const PartitionOffsets::TopicPartition& PartitionOffsets::partition(Slot slot) const {
  std::lock_guard lock(mutex_);
  return partitions_.at(slot);
}

void PartitionOffsets::extend(std::vector<Reach>& reach, Slot slot, int64_t offset) {
  // A batch holds messages of a few partitions, in runs: a short scan from
  // the back.
  for (auto it = reach.rbegin(); it != reach.rend(); ++it) {
    if (it->slot == slot) {
      it->next_offset = std::max(it->next_offset, offset + 1);
      return;
    }
  }
  reach.push_back({slot, offset + 1});
}

void PartitionOffsets::batchSent(uint64_t sequence, std::vector<Reach> reach) {
  std::lock_guard lock(mutex_);
  pending_.emplace_back(sequence, std::move(reach));
}

void PartitionOffsets::acknowledged(uint64_t sequence, const StoreFn& store) {
  std::lock_guard lock(mutex_);
  // Batches forgotten at a revoke are acknowledged too, later: they are
  // no longer here.
  while (!pending_.empty() && pending_.front().first < sequence) pending_.pop_front();
  if (pending_.empty() || pending_.front().first != sequence) return;
  scratch_.clear();
  for (const Reach& r : pending_.front().second) {
    if (r.next_offset <= stored_[r.slot]) continue;
    stored_[r.slot] = r.next_offset;
    scratch_.push_back({&partitions_[r.slot], r.next_offset});
  }
  pending_.pop_front();
  if (!scratch_.empty()) store(scratch_);
}

void PartitionOffsets::forgetPending() {
  std::lock_guard lock(mutex_);
  pending_.clear();
  std::fill(stored_.begin(), stored_.end(), -1);
}

int64_t PartitionOffsets::stored(Slot slot) const {
  std::lock_guard lock(mutex_);
  return slot < stored_.size() ? stored_[slot] : -1;
}

size_t PartitionOffsets::pendingBatches() const {
  std::lock_guard lock(mutex_);
  return pending_.size();
}

}  // namespace sluice
