#include "pipeline/metrics.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

namespace sluice {
namespace {

size_t countOccurrences(std::string_view text, std::string_view needle) {
  size_t n = 0;
  for (size_t pos = text.find(needle); pos != std::string_view::npos;
       pos = text.find(needle, pos + 1)) {
    ++n;
  }
  return n;
}

std::vector<std::string> lines(const std::string& text) {
  std::vector<std::string> out;
  size_t start = 0;
  for (size_t nl; (nl = text.find('\n', start)) != std::string::npos; start = nl + 1) {
    out.push_back(text.substr(start, nl - start));
  }
  EXPECT_EQ(start, text.size()) << "output must end with a newline";
  return out;
}

TEST(MetricsRender, EmptyRegistryRendersNothing) {
  MetricsRegistry registry;
  EXPECT_EQ(registry.render(), "");
}

TEST(MetricsRender, CountersAndGaugesGroupedUnderOneHelpAndType) {
  MetricsRegistry registry;
  registry.counter("sluice_events_received_total", "Events read", {{"input", "app"}}).add(3);
  registry.gauge("sluice_files_open", "Files open").set(7);
  registry.counter("sluice_events_received_total", "Events read", {{"input", "k8s"}}).add(5);
  registry.gauge("sluice_buffer_bytes", "Buffered", {{"output", "es"}}).set(-2);
  // Looking a series up again returns the same one.
  registry.counter("sluice_events_received_total", "Events read", {{"input", "app"}}).add(1);

  EXPECT_EQ(registry.render(),
            "# HELP sluice_buffer_bytes Buffered\n"
            "# TYPE sluice_buffer_bytes gauge\n"
            "sluice_buffer_bytes{output=\"es\"} -2\n"
            "# HELP sluice_events_received_total Events read\n"
            "# TYPE sluice_events_received_total counter\n"
            "sluice_events_received_total{input=\"app\"} 4\n"
            "sluice_events_received_total{input=\"k8s\"} 5\n"
            "# HELP sluice_files_open Files open\n"
            "# TYPE sluice_files_open gauge\n"
            "sluice_files_open 7\n");
}

TEST(MetricsRender, SeveralLabelsKeepTheirOrder) {
  MetricsRegistry registry;
  registry
      .counter("sluice_events_failed_total", "Failed", {{"output", "es"}, {"reason", "mapping"}})
      .add(2);
  EXPECT_NE(
      registry.render().find("sluice_events_failed_total{output=\"es\",reason=\"mapping\"} 2\n"),
      std::string::npos);
}

TEST(MetricsRender, LabelValuesAreEscaped) {
  MetricsRegistry registry;
  registry.counter("c_total", "h", {{"path", "C:\\logs\\\"app\"\nx"}}).add(1);
  EXPECT_NE(registry.render().find("c_total{path=\"C:\\\\logs\\\\\\\"app\\\"\\nx\"} 1\n"),
            std::string::npos)
      << registry.render();
}

TEST(MetricsRender, HistogramBucketsAreCumulativeWithInfSumAndCount) {
  MetricsRegistry registry;
  Histogram& h = registry.histogram("sluice_output_request_duration_seconds", "Request latency",
                                    {{"output", "es"}});
  for (double s : {0.0005, 0.003, 0.02, 0.02, 5.0, 100.0}) h.observe(s);
  EXPECT_EQ(h.count(), 6u);

  std::vector<std::string> out = lines(registry.render());
  const std::string n = "sluice_output_request_duration_seconds";
  std::vector<std::string> expected = {
      "# HELP " + n + " Request latency",          "# TYPE " + n + " histogram",
      n + "_bucket{output=\"es\",le=\"0.001\"} 1", n + "_bucket{output=\"es\",le=\"0.005\"} 2",
      n + "_bucket{output=\"es\",le=\"0.01\"} 2",  n + "_bucket{output=\"es\",le=\"0.025\"} 4",
      n + "_bucket{output=\"es\",le=\"0.05\"} 4",  n + "_bucket{output=\"es\",le=\"0.1\"} 4",
      n + "_bucket{output=\"es\",le=\"0.25\"} 4",  n + "_bucket{output=\"es\",le=\"0.5\"} 4",
      n + "_bucket{output=\"es\",le=\"1\"} 4",     n + "_bucket{output=\"es\",le=\"2.5\"} 4",
      n + "_bucket{output=\"es\",le=\"10\"} 5",    n + "_bucket{output=\"es\",le=\"60\"} 5",
      n + "_bucket{output=\"es\",le=\"+Inf\"} 6",
  };
  ASSERT_EQ(out.size(), expected.size() + 2) << registry.render();
  for (size_t i = 0; i < expected.size(); ++i) EXPECT_EQ(out[i], expected[i]);
  const std::string sum_prefix = n + "_sum{output=\"es\"} ";
  ASSERT_EQ(out[expected.size()].rfind(sum_prefix, 0), 0u) << out[expected.size()];
  EXPECT_NEAR(std::strtod(out[expected.size()].c_str() + sum_prefix.size(), nullptr), 105.0435,
              1e-5);
  EXPECT_EQ(out[expected.size() + 1], n + "_count{output=\"es\"} 6");
}

TEST(MetricsRender, HistogramWithoutLabels) {
  MetricsRegistry registry;
  registry.histogram("h_seconds", "H").observe(0.5);
  std::string text = registry.render();
  EXPECT_NE(text.find("h_seconds_bucket{le=\"0.25\"} 0\n"), std::string::npos) << text;
  EXPECT_NE(text.find("h_seconds_bucket{le=\"0.5\"} 1\n"), std::string::npos) << text;
  EXPECT_NE(text.find("h_seconds_bucket{le=\"+Inf\"} 1\n"), std::string::npos) << text;
  EXPECT_NE(text.find("h_seconds_sum 0.5\n"), std::string::npos) << text;
  EXPECT_NE(text.find("h_seconds_count 1\n"), std::string::npos) << text;
}

TEST(MetricsRender, ScaledCounterIsExposedInItsUnit) {
  MetricsRegistry registry;
  registry.counter("sluice_backpressure_seconds_total", "Time paused", {{"input", "app"}}, 1e-6)
      .add(2'500'000);  // microseconds
  std::string text = registry.render();
  const std::string prefix = "sluice_backpressure_seconds_total{input=\"app\"} ";
  size_t at = text.find(prefix);
  ASSERT_NE(at, std::string::npos) << text;
  EXPECT_NEAR(std::strtod(text.c_str() + at + prefix.size(), nullptr), 2.5, 1e-9);
}

TEST(MetricsRender, HelpAndTypeOncePerNameWithManySeries) {
  MetricsRegistry registry;
  for (int i = 0; i < 10; ++i) {
    registry.counter("sluice_bytes_read_total", "Bytes", {{"input", "in" + std::to_string(i)}})
        .add(1);
    registry.histogram("lat_seconds", "Lat", {{"output", "o" + std::to_string(i)}}).observe(0.01);
  }
  std::string text = registry.render();
  EXPECT_EQ(countOccurrences(text, "# HELP sluice_bytes_read_total "), 1u);
  EXPECT_EQ(countOccurrences(text, "# TYPE sluice_bytes_read_total counter\n"), 1u);
  EXPECT_EQ(countOccurrences(text, "# HELP lat_seconds "), 1u);
  EXPECT_EQ(countOccurrences(text, "# TYPE lat_seconds histogram\n"), 1u);
  EXPECT_EQ(countOccurrences(text, "lat_seconds_count{"), 10u);
  EXPECT_EQ(countOccurrences(text, "\nsluice_bytes_read_total{input="), 10u);
}

TEST(MetricsRender, GlobalRegistryIsASingleton) { EXPECT_EQ(&metrics(), &metrics()); }

}  // namespace
}  // namespace sluice
