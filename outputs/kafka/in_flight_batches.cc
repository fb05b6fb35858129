#include "outputs/kafka/in_flight_batches.h"

namespace sluice {

InFlightBatches::Entry& InFlightBatches::add(OutputQueue::Taken taken) {
  Entry& entry = entries_.emplace_back();
  entry.self = std::prev(entries_.end());
  const auto events = static_cast<uint32_t>(taken.batch->size());
  entry.taken = std::move(taken);
  entry.messages.resize(events);
  for (uint32_t i = 0; i < events; ++i) entry.messages[i] = {&entry, i, State::kUnsent};
  entry.unsettled = events;
  unsettled_ += events;
  if (events == 0) settled_.push_back(&entry);
  return entry;
}

void InFlightBatches::settle(Message& message) {
  if (message.state == State::kSettled) return;
  message.state = State::kSettled;
  --unsettled_;
  if (--message.entry->unsettled == 0) settled_.push_back(message.entry);
}

void InFlightBatches::remove(Entry& entry) {
  unsettled_ -= entry.unsettled;
  entries_.erase(entry.self);
}

void InFlightBatches::clear() {
  settled_.clear();
  entries_.clear();
  unsettled_ = 0;
}

std::vector<InFlightBatches::Message*> InFlightBatches::unsettled() {
  std::vector<Message*> out;
  out.reserve(unsettled_);
  for (Entry& entry : entries_) {
    for (Message& m : entry.messages) {
      if (m.state != State::kSettled) out.push_back(&m);
    }
  }
  return out;
}

}  // namespace sluice
