#pragma once

#include <vector>

#include "pipeline/component.h"

namespace sluice {

// Hands every batch to every output; the batch is acknowledged to its input
// once all of them completed it.
class Fanout : public BatchSink {
 public:
  explicit Fanout(std::vector<Output*> outputs) : outputs_(std::move(outputs)) {}

  bool send(BatchPtr batch) override {
    batch->setConsumers(static_cast<int>(outputs_.size()));
    bool taken = true;
    for (Output* output : outputs_) {
      if (!output->push(batch)) taken = false;
    }
    return taken;
  }

 private:
  std::vector<Output*> outputs_;
};

}  // namespace sluice
