#include "pipeline/batch.h"

#include "pipeline/acknowledgement.h"

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

void Batch::complete() {
  if (pending_.fetch_sub(1, std::memory_order_acq_rel) == 1 && tracker_) {
    tracker_->acknowledge(sequence_);
  }
}

}  // namespace sluice
