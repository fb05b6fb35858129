#pragma once

#include <atomic>
#include <memory>
#include <string>
#include <thread>

#include "pipeline/batch_builder.h"
#include "pipeline/component.h"
#include "pipeline/registry.h"

namespace sluice {

// An input that reads on a thread of its own and turns lines into batches:
// the part file and stdin inputs share. Derived classes implement run() and
// must call stopAndJoin() in their destructor, before their members go.
class ThreadedInput : public Input {
 public:
  ThreadedInput(const InputSettings& settings, const BuildContext& context)
      : id_(settings.id),
        normalizer_options_(context.normalizerOptions(settings)),
        multiline_(settings.multiline),
        limits_(context.batch) {}

  const std::string& id() const override { return id_; }
  void start(BatchSink& sink) override {
    builder_ = std::make_unique<BatchBuilder>(id_, normalizer_options_, limits_, sink,
                                              [this](uint64_t seq) { onAcknowledged(seq); });
    builder_->onSent([this](uint64_t seq, std::vector<BatchBuilder::SourcePosition>&& positions) {
      onBatchSent(seq, std::move(positions));
    });
    builder_->onWaiting([this] { onWaiting(); });
    thread_ = std::thread([this] { run(); });
  }
  void requestStop() override { stop_.store(true); }
  void join() override {
    if (thread_.joinable()) thread_.join();
  }
  uint64_t pendingBatches() const override {
    return builder_ ? builder_->tracker()->outstanding() : 0;
  }

 protected:
  virtual void run() = 0;
  // On the input's thread, before a batch goes downstream.
  virtual void onBatchSent(uint64_t, std::vector<BatchBuilder::SourcePosition>&&) {}
  // On an output's thread, in sequence order: every batch up to `sequence`
  // is delivered. Keep it short (it holds the acknowledgement lock).
  virtual void onAcknowledged(uint64_t) {}
  // On the input's thread, about every 100 ms while it waits for room
  // downstream (backpressure).
  virtual void onWaiting() {}
  void stopAndJoin() {
    requestStop();
    join();
  }
  bool stopRequested() const { return stop_.load(); }
  BatchBuilder& builder() { return *builder_; }
  // Null when each line is an event of its own.
  const std::shared_ptr<const MultilineRules>& multilineRules() const { return multiline_; }

 private:
  std::string id_;
  NormalizerOptions normalizer_options_;
  std::shared_ptr<const MultilineRules> multiline_;
  BatchLimits limits_;
  std::unique_ptr<BatchBuilder> builder_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

}  // namespace sluice
