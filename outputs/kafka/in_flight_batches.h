#pragma once

#include <cstdint>
#include <list>
#include <vector>

#include "outputs/queue/output_queue.h"

namespace sluice {

// The batches the producer has taken from its queue and not yet settled,
// with the state of each event's message. A batch is settled, and may be
// acknowledged, once every one of its messages is confirmed by Kafka or
// dead-lettered; batches settle in any order (the input's AckTracker puts
// acknowledgements back in order).
class InFlightBatches {
 public:
  struct Entry;
  enum class State : uint8_t {
    kUnsent,   // not produced yet, or to be produced again
    kInKafka,  // handed to librdkafka; its delivery report is awaited
    kSettled,  // confirmed by Kafka, or dead-lettered
  };
  // One event's message; its address is the message's opaque in librdkafka,
  // which the delivery report hands back.
  struct Message {
    Entry* entry = nullptr;
    uint32_t event = 0;
    State state = State::kUnsent;
  };
  struct Entry {
    OutputQueue::Taken taken;
    std::vector<Message> messages;  // one allocation per batch, none per event
    uint32_t unsettled = 0;
    bool dead_lettered = false;  // the dead-letter file must be synced first
    std::list<Entry>::iterator self;
  };

  // Tracks a batch; every message starts unsent. A batch without events is
  // settled at once (it is in settled()).
  Entry& add(OutputQueue::Taken taken);
  // Marks a message settled; its batch goes to settled() with its last one.
  void settle(Message& message);
  // Batches whose every message is settled, in the order they settled.
  std::vector<Entry*>& settled() { return settled_; }
  // Forgets a settled batch (after it was acknowledged) or, at shutdown, any.
  void remove(Entry& entry);
  // Forgets every batch (shutdown: they stay unacknowledged).
  void clear();
  // Every message not settled, batch by batch in the order they were taken
  // and event by event: the order to produce them again in, so that a key's
  // events keep their order within its partition.
  std::vector<Message*> unsettled();

  bool empty() const { return entries_.empty(); }
  size_t batches() const { return entries_.size(); }
  uint64_t unsettledMessages() const { return unsettled_; }

 private:
  std::list<Entry> entries_;  // stable addresses: messages point into them
  std::vector<Entry*> settled_;
  uint64_t unsettled_ = 0;
};

}  // namespace sluice
