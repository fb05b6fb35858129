#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include "pipeline/acknowledgement.h"
#include "pipeline/component.h"
#include "pipeline/logger.h"
#include "pipeline/metrics.h"
#include "pipeline/normalizer.h"

namespace sluice {

struct BatchLimits {
  size_t max_events = 2048;
  size_t max_bytes = 2 * 1024 * 1024;
  std::chrono::milliseconds linger{200};  // longest a partial batch waits
};

// An input's side of the pipeline: normalizes lines into the open batch and
// sends it downstream when full or when it has waited long enough.
class BatchBuilder {
 public:
  BatchBuilder(const std::string& input_id, NormalizerOptions options, BatchLimits limits,
               BatchSink& sink, AckTracker::Callback on_acknowledged = {});

  // False once the pipeline stopped taking batches.
  bool add(std::string_view line, const LineOrigin& origin);
  bool flush();
  bool flushIfDue();
  // How long until the open batch must go out (a large value when empty).
  std::chrono::milliseconds timeUntilDue() const;

  const std::shared_ptr<AckTracker>& tracker() const { return tracker_; }

  // How far a batch reaches into one source: once the batch and all before
  // it are acknowledged, reading that source may resume at end_offset.
  struct SourcePosition {
    SourceKey source;
    uint64_t end_offset;
  };
  // Runs just before each batch is handed over, with its sequence number and
  // the positions it reaches, so inputs can checkpoint once it is acknowledged.
  using SentCallback = std::function<void(uint64_t sequence, std::vector<SourcePosition>&&)>;
  void onSent(SentCallback fn) { on_sent_ = std::move(fn); }
  // Runs on the input's thread about every 100 ms while send() waits for
  // room downstream.
  void onWaiting(std::function<void()> fn) { wait_.tick = std::move(fn); }

 private:
  void openBatch();
  void reportBadLine(const LineOrigin& origin);
  void publishStats();

  std::string input_id_;
  uint32_t route_field_count_;
  Normalizer normalizer_;
  BatchLimits limits_;
  BatchSink& sink_;
  std::shared_ptr<AckTracker> tracker_;
  SentCallback on_sent_;
  std::vector<SourcePosition> positions_;
  BatchPtr batch_;
  std::chrono::steady_clock::time_point opened_at_;
  NormalizeStats published_;
  Counter& received_;
  Counter& backpressure_micros_;
  Counter& parsed_json_;
  Counter& parsed_text_;
  Counter& unparsed_;
  Counter& json_errors_;
  Counter& dropped_;
  Counter& foreign_ids_;
  Counter& zero_ids_;
  std::vector<Counter*> pii_masked_;         // by PiiKind; null for detectors not on
  std::vector<Counter*> pii_custom_masked_;  // by custom detector
  Counter& truncated_;
  Counter& invalid_utf8_;
  LogRateLimiter bad_line_log_;
  WaitReport wait_{backpressure_micros_, {}};
};

}  // namespace sluice
