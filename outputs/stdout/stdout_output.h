#pragma once

#include <thread>

#include "pipeline/bounded_queue.h"
#include "pipeline/component.h"
#include "pipeline/metrics.h"
#include "pipeline/registry.h"

namespace sluice {

struct StdoutConfig : ComponentConfig {
  static std::unique_ptr<ComponentConfig> parse(YamlReader&) {
    return std::make_unique<StdoutConfig>();
  }
};

// Writes events as NDJSON to standard output: for trying pipelines and for
// piping into other tools.
class StdoutOutput : public Output {
 public:
  StdoutOutput(const OutputSettings& settings, const StdoutConfig& config,
               const BuildContext& context);
  ~StdoutOutput() override;

  const std::string& id() const override { return id_; }
  void start() override;
  bool push(BatchPtr batch) override { return queue_.push(std::move(batch)); }
  void stop(Deadline deadline) override;

 private:
  void run();

  std::string id_;
  BoundedQueue<BatchPtr> queue_{1024};  // bytes are bounded by the in-flight budget
  std::thread thread_;
  Counter& sent_;
  Counter& failed_;
};

}  // namespace sluice
