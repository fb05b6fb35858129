#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <deque>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sluice {

using MetricLabels = std::vector<std::pair<std::string, std::string>>;

class Counter {
 public:
  void add(uint64_t n = 1) { value_.fetch_add(n, std::memory_order_relaxed); }
  uint64_t value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<uint64_t> value_{0};
};

class Gauge {
 public:
  void set(int64_t v) { value_.store(v, std::memory_order_relaxed); }
  void add(int64_t n) { value_.fetch_add(n, std::memory_order_relaxed); }
  int64_t value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<int64_t> value_{0};
};

// Fixed buckets suited to request latencies, 1 ms to 60 s.
class Histogram {
 public:
  static constexpr std::array<double, 12> kBounds = {0.001, 0.005, 0.01, 0.025, 0.05, 0.1,
                                                     0.25,  0.5,   1,    2.5,   10,   60};
  void observe(double seconds);
  uint64_t count() const { return count_.load(std::memory_order_relaxed); }

 private:
  friend class MetricsRegistry;
  std::array<std::atomic<uint64_t>, kBounds.size()> buckets_{};
  std::atomic<uint64_t> count_{0};
  std::atomic<uint64_t> sum_micros_{0};
};

// Process-wide metrics. Components look their series up once, when built,
// and keep the reference: the hot path only touches atomics.
class MetricsRegistry {
 public:
  // `scale` converts the stored integer to the exposed unit (1e-6 for a
  // counter of microseconds exposed as seconds).
  Counter& counter(std::string_view name, std::string_view help, MetricLabels labels = {},
                   double scale = 1.0);
  Gauge& gauge(std::string_view name, std::string_view help, MetricLabels labels = {});
  Histogram& histogram(std::string_view name, std::string_view help, MetricLabels labels = {});

  // Prometheus text exposition format 0.0.4.
  std::string render() const;

 private:
  enum class Kind { kCounter, kGauge, kHistogram };
  struct Series {
    std::string name;
    std::string help;
    Kind kind;
    MetricLabels labels;
    double scale = 1.0;
    Counter counter;
    Gauge gauge;
    Histogram histogram;
  };
  Series& find(std::string_view name, std::string_view help, Kind kind, MetricLabels labels);

  mutable std::mutex mutex_;
  std::deque<Series> series_;  // deque: references stay valid as it grows
};

MetricsRegistry& metrics();

}  // namespace sluice
