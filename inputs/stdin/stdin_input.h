#pragma once

#include <atomic>
#include <memory>

#include "inputs/threaded_input.h"

namespace sluice {

struct StdinInputConfig : ComponentConfig {
  uint64_t max_line_bytes = 1024 * 1024;
  static std::unique_ptr<ComponentConfig> parse(YamlReader& r);
};

// Reads lines from standard input until it is closed. A run whose inputs are
// all finished (stdin closed, everything acknowledged) ends by itself.
class StdinInput : public ThreadedInput {
 public:
  StdinInput(const InputSettings& settings, const StdinInputConfig& config,
             const BuildContext& context);
  ~StdinInput() override { stopAndJoin(); }

  bool finished() const override { return end_of_input_.load() && pendingBatches() == 0; }

 private:
  void run() override;

  StdinInputConfig config_;
  SourceKey source_;
  std::atomic<bool> end_of_input_{false};
  Counter& bytes_read_;
};

}  // namespace sluice
