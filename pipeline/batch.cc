#include "pipeline/batch.h"

#include "pipeline/acknowledgement.h"
#include "pipeline/memory_budget.h"

namespace sluice {

std::optional<std::string_view> Batch::route(size_t event_index, size_t field) const {
  const TextSpan& span = routes[event_index * route_field_count_ + field];
  if (span.length == TextSpan::kMissing) return std::nullopt;
  return std::string_view(route_text.data() + span.offset, span.length);
}

void Batch::clear() {
  documents.clear();
  events.clear();
  route_text.clear();
  routes.clear();
}

void Batch::setAcknowledgement(std::shared_ptr<AckTracker> tracker, uint64_t sequence) {
  tracker_ = std::move(tracker);
  sequence_ = sequence;
}

Batch::~Batch() { releaseBudget(); }

void Batch::releaseSpareRoom() {
  if (documents.capacity() <= 2 * documents.size() + 4096) return;
  documents.shrink_to_fit();
  events.shrink_to_fit();
  route_text.shrink_to_fit();
  routes.shrink_to_fit();
}

void Batch::complete() {
  if (pending_.fetch_sub(1, std::memory_order_acq_rel) != 1) return;
  releaseBudget();
  if (tracker_) tracker_->acknowledge(sequence_);
}

void Batch::holdBudget(std::shared_ptr<MemoryBudget> budget, uint64_t bytes) {
  budget_ = std::move(budget);
  budget_bytes_.store(bytes, std::memory_order_release);
}

void Batch::releaseBudget() {
  uint64_t bytes = budget_bytes_.exchange(0, std::memory_order_acq_rel);
  if (bytes > 0) budget_->release(bytes);
}

}  // namespace sluice
