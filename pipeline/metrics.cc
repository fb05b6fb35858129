#include "pipeline/metrics.h"

#include <fmt/format.h>

#include <map>

namespace sluice {
namespace {

void appendLabels(std::string& out, const MetricLabels& labels, std::string_view extra_key = {},
                  std::string_view extra_value = {}) {
  if (labels.empty() && extra_key.empty()) return;
  out += '{';
  bool first = true;
  auto add = [&](std::string_view k, std::string_view v) {
    if (!first) out += ',';
    first = false;
    out += k;
    out += "=\"";
    for (char c : v) {
      if (c == '\\' || c == '"') out += '\\';
      if (c == '\n') {
        out += "\\n";
        continue;
      }
      out += c;
    }
    out += '"';
  };
  for (const auto& [k, v] : labels) add(k, v);
  if (!extra_key.empty()) add(extra_key, extra_value);
  out += '}';
}

}  // namespace

void Histogram::observe(double seconds) {
  for (size_t i = 0; i < kBounds.size(); ++i) {
    if (seconds <= kBounds[i]) {
      buckets_[i].fetch_add(1, std::memory_order_relaxed);
      break;
    }
  }
  count_.fetch_add(1, std::memory_order_relaxed);
  sum_micros_.fetch_add(static_cast<uint64_t>(seconds * 1e6), std::memory_order_relaxed);
}

MetricsRegistry::Series& MetricsRegistry::find(std::string_view name, std::string_view help,
                                               Kind kind, MetricLabels labels) {
  std::lock_guard lock(mutex_);
  for (auto& s : series_) {
    if (s.name == name && s.labels == labels) return s;
  }
  Series& s = series_.emplace_back();
  s.name = name;
  s.help = help;
  s.kind = kind;
  s.labels = std::move(labels);
  return s;
}

Counter& MetricsRegistry::counter(std::string_view name, std::string_view help, MetricLabels labels,
                                  double scale) {
  Series& s = find(name, help, Kind::kCounter, std::move(labels));
  s.scale = scale;
  return s.counter;
}

Gauge& MetricsRegistry::gauge(std::string_view name, std::string_view help, MetricLabels labels) {
  return find(name, help, Kind::kGauge, std::move(labels)).gauge;
}

Histogram& MetricsRegistry::histogram(std::string_view name, std::string_view help,
                                      MetricLabels labels) {
  return find(name, help, Kind::kHistogram, std::move(labels)).histogram;
}

std::string MetricsRegistry::render() const {
  std::lock_guard lock(mutex_);
  // Prometheus wants all series of one metric together, under one HELP/TYPE.
  std::map<std::string_view, std::vector<const Series*>> by_name;
  for (const auto& s : series_) by_name[s.name].push_back(&s);
  std::string out;
  for (const auto& [name, list] : by_name) {
    const Series& head = *list.front();
    static constexpr const char* kTypes[] = {"counter", "gauge", "histogram"};
    out += fmt::format("# HELP {} {}\n# TYPE {} {}\n", name, head.help, name,
                       kTypes[static_cast<int>(head.kind)]);
    for (const Series* s : list) {
      switch (s->kind) {
        case Kind::kCounter:
        case Kind::kGauge: {
          out += name;
          appendLabels(out, s->labels);
          if (s->kind == Kind::kGauge) {
            out += fmt::format(" {}\n", s->gauge.value());
          } else if (s->scale == 1.0) {
            out += fmt::format(" {}\n", s->counter.value());
          } else {
            out += fmt::format(" {}\n", static_cast<double>(s->counter.value()) * s->scale);
          }
          break;
        }
        case Kind::kHistogram: {
          uint64_t cumulative = 0;
          for (size_t i = 0; i < Histogram::kBounds.size(); ++i) {
            cumulative += s->histogram.buckets_[i].load(std::memory_order_relaxed);
            out += fmt::format("{}_bucket", name);
            appendLabels(out, s->labels, "le", fmt::format("{}", Histogram::kBounds[i]));
            out += fmt::format(" {}\n", cumulative);
          }
          uint64_t count = s->histogram.count();
          out += fmt::format("{}_bucket", name);
          appendLabels(out, s->labels, "le", "+Inf");
          out += fmt::format(" {}\n{}_sum", count, name);
          appendLabels(out, s->labels);
          out += fmt::format(" {}\n{}_count", s->histogram.sum_micros_.load() / 1e6, name);
          appendLabels(out, s->labels);
          out += fmt::format(" {}\n", count);
          break;
        }
      }
    }
  }
  return out;
}

MetricsRegistry& metrics() {
  static MetricsRegistry registry;
  return registry;
}

}  // namespace sluice
