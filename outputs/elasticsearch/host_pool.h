#pragma once

#include <chrono>
#include <mutex>
#include <string>
#include <vector>

#include "pipeline/metrics.h"

namespace sluice {

// Which node of the cluster the next request goes to. Requests rotate over
// the hosts that are up, spreading the load over coordinating nodes. A host
// that fails (no connection, timeout, or 5xx for the whole request) is set
// aside for a pause that doubles with each failure in a row (1 s up to
// 60 s); after the pause the next request tries it again, and one success
// brings it back. When every host is set aside, the one whose pause ends
// first is used: the output's own backoff paces those attempts.
class HostPool {
 public:
  using Clock = std::chrono::steady_clock;

  HostPool(std::vector<std::string> hosts, const std::string& output_id);

  // Thread-safe; `now` is a parameter for tests.
  std::string pick(Clock::time_point now = Clock::now());
  void succeeded(const std::string& host);
  void failed(const std::string& host, const std::string& reason,
              Clock::time_point now = Clock::now());
  size_t up() const;
  size_t size() const { return hosts_.size(); }

 private:
  struct Host {
    std::string url;
    int failures = 0;  // in a row
    Clock::time_point retry_at{};
    Gauge* up_gauge = nullptr;
  };
  Host* find(const std::string& url);

  std::string output_id_;
  mutable std::mutex mutex_;
  std::vector<Host> hosts_;
  size_t next_ = 0;
};

}  // namespace sluice
