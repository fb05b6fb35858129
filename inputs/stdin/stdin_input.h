#pragma once

#include <atomic>
#include <memory>
#include <thread>

#include "pipeline/batch_builder.h"
#include "pipeline/registry.h"

namespace sluice {

struct StdinInputConfig : ComponentConfig {
  uint64_t max_line_bytes = 1024 * 1024;
  static std::unique_ptr<ComponentConfig> parse(YamlReader& r);
};

// Reads lines from standard input until it is closed. A run whose inputs are
// all finished (stdin closed, everything acknowledged) ends by itself.
class StdinInput : public Input {
 public:
  StdinInput(const InputSettings& settings, const StdinInputConfig& config,
             const BuildContext& context);
  ~StdinInput() override;

  const std::string& id() const override { return id_; }
  void start(BatchSink& sink) override;
  void requestStop() override { stop_.store(true); }
  void join() override;
  uint64_t pendingBatches() const override {
    return builder_ ? builder_->tracker()->outstanding() : 0;
  }
  bool finished() const override;

  static void registerType(Registry& registry);

 private:
  void run();

  std::string id_;
  StdinInputConfig config_;
  NormalizerOptions normalizer_options_;
  BatchLimits limits_;
  SourceKey source_;
  std::unique_ptr<BatchBuilder> builder_;
  std::atomic<bool> stop_{false};
  std::atomic<bool> end_of_input_{false};
  std::thread thread_;
  Counter& bytes_read_;
};

}  // namespace sluice
