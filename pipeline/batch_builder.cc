#include "pipeline/batch_builder.h"

#include <algorithm>

namespace sluice {
namespace {

using Clock = std::chrono::steady_clock;

Counter& piiCounter(const std::string& input_id, std::string_view detector) {
  return metrics().counter("sluice_pii_masked_total",
                           "Values masked as personal data or secrets, by detector",
                           {{"input", input_id}, {"detector", std::string(detector)}});
}

Counter& parseCounter(const std::string& input_id, std::string_view result) {
  return metrics().counter("sluice_parse_events_total", "Events by how their line was parsed",
                           {{"input", input_id}, {"result", std::string(result)}});
}

}  // namespace

BatchBuilder::BatchBuilder(const std::string& input_id, NormalizerOptions options,
                           BatchLimits limits, BatchSink& sink,
                           AckTracker::Callback on_acknowledged)
    : input_id_(input_id),
      route_field_count_(static_cast<uint32_t>(options.route_fields.size())),
      normalizer_(std::move(options)),
      limits_(limits),
      sink_(sink),
      tracker_(std::make_shared<AckTracker>(std::move(on_acknowledged))),
      received_(metrics().counter("sluice_events_received_total",
                                  "Events read and normalized by an input", {{"input", input_id}})),
      backpressure_micros_(metrics().counter("sluice_backpressure_seconds_total",
                                             "Time an input waited for outputs to take its batches",
                                             {{"input", input_id}}, 1e-6)),
      parsed_json_(parseCounter(input_id, "json")),
      parsed_text_(parseCounter(input_id, "text")),
      unparsed_(parseCounter(input_id, "unparsed")),
      json_errors_(parseCounter(input_id, "json_error")),
      dropped_(metrics().counter("sluice_events_dropped_total",
                                 "Events left out on purpose, by reason",
                                 {{"input", input_id}, {"reason", "drop_rule"}})),
      foreign_ids_(metrics().counter(
          "sluice_trace_ids_total",
          "Trace and span ids by shape: W3C hex ids are not counted; foreign ones (decimal, "
          "UUID) are kept as given, all-zero ones are not set",
          {{"input", input_id}, {"shape", "foreign"}})),
      zero_ids_(metrics().counter(
          "sluice_trace_ids_total",
          "Trace and span ids by shape: W3C hex ids are not counted; foreign ones (decimal, "
          "UUID) are kept as given, all-zero ones are not set",
          {{"input", input_id}, {"shape", "zero"}})),
      truncated_(metrics().counter("sluice_lines_truncated_total",
                                   "Lines longer than max_line_bytes, shipped cut",
                                   {{"input", input_id}})),
      invalid_utf8_(metrics().counter("sluice_invalid_utf8_total",
                                      "Events whose text had bytes that are not UTF-8 (replaced)",
                                      {{"input", input_id}})) {
  if (const auto& pii = normalizer_.options().pii) {
    pii_masked_.assign(static_cast<size_t>(PiiKind::kCount), nullptr);
    for (size_t kind = 0; kind < pii_masked_.size(); ++kind) {
      if (!pii->detectors.test(kind) || kind == static_cast<size_t>(PiiKind::kCustom)) continue;
      pii_masked_[kind] = &piiCounter(input_id, piiKindName(static_cast<PiiKind>(kind)));
    }
    for (const CustomPiiDetector& custom : pii->custom) {
      pii_custom_masked_.push_back(&piiCounter(input_id, custom.name));
    }
  }
  openBatch();
}

void BatchBuilder::openBatch() {
  batch_ = std::make_shared<Batch>(route_field_count_);
  // Growing the text by doubling would copy it about twice over.
  batch_->documents.reserve(limits_.max_bytes + 64 * 1024);
  batch_->events.reserve(limits_.max_events);
  opened_at_ = Clock::now();
}

bool BatchBuilder::add(std::string_view line, const LineOrigin& origin) {
  if (batch_->empty()) opened_at_ = Clock::now();
  const uint64_t json_errors_before = normalizer_.stats().json_errors;
  normalizer_.normalize(line, origin, ingestTimeNow(), *batch_);
  if (origin.truncated || normalizer_.stats().json_errors != json_errors_before) {
    reportBadLine(origin);
  }
  // A batch usually holds lines of one or a few sources: a short scan.
  auto it = std::find_if(positions_.rbegin(), positions_.rend(),
                         [&](const SourcePosition& p) { return p.source == origin.source; });
  if (it != positions_.rend()) {
    it->end_offset = std::max(it->end_offset, origin.end_offset);
  } else {
    positions_.push_back({origin.source, origin.end_offset});
  }
  if (batch_->size() >= limits_.max_events || batch_->bytes() >= limits_.max_bytes) return flush();
  return true;
}

void BatchBuilder::publishStats() {
  const NormalizeStats& now = normalizer_.stats();
  parsed_json_.add(now.json - published_.json);
  parsed_text_.add(now.text - published_.text);
  unparsed_.add(now.unparsed - published_.unparsed);
  json_errors_.add(now.json_errors - published_.json_errors);
  dropped_.add(now.dropped - published_.dropped);
  foreign_ids_.add(now.foreign_ids - published_.foreign_ids);
  zero_ids_.add(now.zero_ids - published_.zero_ids);
  for (size_t kind = 0; kind < pii_masked_.size(); ++kind) {
    if (pii_masked_[kind] == nullptr) continue;
    pii_masked_[kind]->add(now.pii.by_kind[kind] - published_.pii.by_kind[kind]);
  }
  for (size_t i = 0; i < pii_custom_masked_.size(); ++i) {
    const uint64_t before = i < published_.pii.by_custom.size() ? published_.pii.by_custom[i] : 0;
    pii_custom_masked_[i]->add(now.pii.by_custom[i] - before);
  }
  invalid_utf8_.add(now.invalid_utf8 - published_.invalid_utf8);
  published_ = now;
}

void BatchBuilder::reportBadLine(const LineOrigin& origin) {
  if (origin.truncated) truncated_.add();
  uint64_t suppressed = 0;
  if (!bad_line_log_.allow(suppressed)) return;
  logWarn("input",
          !origin.truncated ? "line is not valid JSON: shipped whole, tagged json_error"
          : origin.multiline
              ? "multiline event longer than max_lines or max_bytes: shipped cut, tagged truncated"
              : "line longer than max_line_bytes: shipped cut, tagged truncated",
          {{"input", input_id_},
           {"offset", static_cast<int64_t>(origin.offset)},
           {"path", origin.file_path_json.size() >= 2
                        ? origin.file_path_json.substr(1, origin.file_path_json.size() - 2)
                        : origin.file_path_json},
           {"suppressed", static_cast<int64_t>(suppressed)}});
}

bool BatchBuilder::flush() {
  publishStats();
  // Positions of dropped events ride with the next batch that has events.
  if (batch_->empty()) return true;
  received_.add(batch_->size());
  uint64_t sequence = tracker_->open();
  batch_->setAcknowledgement(tracker_, sequence);
  if (on_sent_) on_sent_(sequence, std::move(positions_));
  positions_.clear();
  bool ok = sink_.send(std::move(batch_), wait_);
  openBatch();
  return ok;
}

bool BatchBuilder::flushIfDue() {
  if (batch_->empty()) {
    publishStats();
    return true;
  }
  if (Clock::now() - opened_at_ < limits_.linger) return true;
  return flush();
}

std::chrono::milliseconds BatchBuilder::timeUntilDue() const {
  if (batch_->empty()) return std::chrono::milliseconds(60'000);
  auto left = limits_.linger -
              std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - opened_at_);
  return std::max(left, std::chrono::milliseconds(0));
}

}  // namespace sluice
