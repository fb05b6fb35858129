#pragma once

#include <simdjson.h>

#include <array>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "pipeline/batch.h"
#include "pipeline/condition.h"
#include "pipeline/document_tree.h"
#include "pipeline/field_aliases.h"
#include "pipeline/parsers/line_formats.h"
#include "pipeline/pii/masker.h"
#include "pipeline/schema.h"
#include "pipeline/time_zone.h"

namespace sluice {

// A field set by configuration (`fields:` of an input), already JSON.
struct StaticField {
  std::string path;  // dotted
  std::string json;
};

// `pipeline.cost_centers`: what events of a service tier cost.
struct CostCenter {
  std::string tier;
  std::string center_json;
  std::string weight_json;
};

struct NormalizerOptions {
  std::string host_name;
  std::string agent_version;
  std::vector<StaticField> fields;        // override what the log says
  std::vector<std::string> route_fields;  // dotted paths outputs route by
  Schema schema = Schema::kDocumented;
  ParserSettings parser;
  std::shared_ptr<const TimeZone> time_zone;  // for stamps without a zone; null: UTC
  bool fill_correlation_from_trace = true;
  std::vector<CostCenter> cost_centers;
  std::shared_ptr<const std::vector<Condition>> drop;  // events matching any are dropped
  std::shared_ptr<const PiiSettings> pii;              // null: no masking
};

// Where a line came from.
struct LineOrigin {
  LineOrigin() = default;
  LineOrigin(SourceKey source_key, std::string_view path_json, uint64_t line_offset,
             uint64_t line_end_offset, bool line_truncated)
      : source(source_key),
        file_path_json(path_json),
        offset(line_offset),
        end_offset(line_end_offset),
        truncated(line_truncated) {}

  SourceKey source;
  std::string_view file_path_json;  // the path as a JSON string, escaped once per file
  uint64_t offset = 0;              // of the line's first byte
  uint64_t end_offset = 0;          // where reading resumes after this line
  bool truncated = false;           // cut at max_line_bytes
  // Container logs: the runtime's stream and time, metadata of the file
  // (Kubernetes fields from its path), and a tag for lines the runtime's
  // framing could not be read from.
  std::string_view stream;
  TimestampNs runtime_time = 0;  // @timestamp when the log itself has none
  const std::vector<StaticField>* file_fields = nullptr;
  std::string_view tag;
  // Lines joined by multiline rules: the text holds several lines; the
  // first is the event's message and the rest its stack trace.
  bool multiline = false;
};

struct NormalizeStats {
  uint64_t json = 0;          // JSON objects
  uint64_t text = 0;          // plain text a parser recognised
  uint64_t unparsed = 0;      // plain text shipped as the message
  uint64_t json_errors = 0;   // looked like JSON, was not
  uint64_t invalid_utf8 = 0;  // bytes replaced by U+FFFD
  uint64_t dropped = 0;       // matched a drop rule
  uint64_t foreign_ids = 0;   // trace or span ids that are not W3C hex, kept as given
  uint64_t zero_ids = 0;      // all-zero trace or span ids, not set
  PiiCounts pii;              // values masked, by detector
};

// Turns one line into one event of the documented schema and appends it to a
// batch. JSON lines are walked once with simdjson on-demand; values are
// borrowed from the line and copied only into the batch's serialized form.
// Not thread-safe: each input owns one.
class Normalizer {
 public:
  explicit Normalizer(NormalizerOptions options);

  // `line` must stay readable for SIMDJSON_PADDING bytes past its end.
  // Returns false when a drop rule matched: nothing was appended.
  bool normalize(std::string_view line, const LineOrigin& origin, TimestampNs ingest_time,
                 Batch& batch);
  const NormalizeStats& stats() const { return stats_; }
  const NormalizerOptions& options() const { return options_; }

  static constexpr size_t kMaxValueDepth = 20;

 private:
  // A scalar from a JSON line or a plaintext parser.
  struct Scalar {
    std::string_view token;  // the raw JSON token; empty for parsed text
    std::string_view text;   // unescaped text, or the number as written
    bool is_string = false;
    bool is_number = false;
  };
  class EventFields;

  void declareSkeleton();
  void resetEvent();
  void parsePlaintext(std::string_view line, const LineOrigin& origin);
  bool applyParsed(std::string_view line);
  void keepParsed(const ParsedField& field);
  // `key=value` pairs in the free text of an application or syslog line
  // become fields, as a logfmt line's would.
  void extractMessagePairs();
  bool parseJson(std::string_view line);
  bool walkObject(simdjson::ondemand::object object, DocumentTree::NodeId node, AliasGroup group,
                  int depth);
  bool takeCanonical(Canonical field, const Scalar& value);
  bool takeId(Canonical field, const Scalar& value);
  bool takeTraceHeader(Canonical field, const Scalar& value);
  bool takeNumber(Canonical field, const Scalar& value, double scale);
  bool takeKeyword(Canonical field, const Scalar& value);
  bool keepUnknown(DocumentTree::NodeId parent, std::string_view key, bool key_is_json_safe,
                   simdjson::ondemand::value value, simdjson::ondemand::json_type type,
                   AliasGroup group);
  // Files a value whose name is taken under labels; false when even that fails.
  bool keepUnderLabels(std::string_view key, bool key_is_json_safe, AliasGroup group,
                       FieldValue value);
  DocumentTree::NodeId groupNode(AliasGroup group);
  DocumentTree::NodeId node(Canonical field) const {
    return canonical_nodes_[static_cast<size_t>(field)];
  }
  bool isSet(Canonical field) const { return !tree_.value(node(field)).empty(); }
  void setCanonical(Canonical field, FieldValue value);
  void findContextInText(std::string_view text);
  void completeEvent(const LineOrigin& origin, TimestampNs ingest_time);
  void applyCostCenter();
  bool dropped();
  void writeTags();
  // Sets configured or per-file fields, over what the log says.
  void applyFields(const std::vector<StaticField>& fields);
  // A JSON value, checked: false when it is not valid JSON.
  bool validValue(simdjson::ondemand::value value, simdjson::ondemand::json_type type,
                  FieldValue& out);
  static FieldValue stringValue(const Scalar& value);
  enum class CaseChange { kNone, kUpper, kLower };
  std::string_view scratchCopy(std::string_view text, CaseChange change = CaseChange::kNone);
  // "prefix_key", for labels of members of documented objects.
  std::string_view scratchJoin(std::string_view prefix, std::string_view key);
  std::string_view scratchNumber(double value);
  void addTag(std::string_view tag);
  void captureRoutes(Batch& batch);
  void maskRoute(const std::vector<std::string_view>& path, std::string& route_text, size_t begin);

  NormalizerOptions options_;
  TimeContext time_context_;
  simdjson::ondemand::parser parser_;
  simdjson::dom::parser validator_;
  LineFormats formats_;
  std::unique_ptr<PiiMasker> masker_;
  std::string route_doc_;
  PiiCounts route_counts_;  // not reported: the event's own field is counted
  ParsedLine parsed_;
  DocumentTree tree_;
  std::array<DocumentTree::NodeId, static_cast<size_t>(Canonical::kCount)> canonical_nodes_{};
  DocumentTree::NodeId file_path_node_, offset_node_, iostream_node_, tags_node_, original_node_;
  std::vector<std::vector<std::string_view>> route_paths_;
  std::vector<std::string> route_path_storage_;
  std::string agent_json_;
  std::string host_json_;
  // Small transformed values (upper-cased levels, lower-cased ids). Fixed
  // size so views into it stay valid for the whole event.
  std::array<char, 4096> scratch_;
  size_t scratch_used_ = 0;
  std::array<std::string_view, 6> tags_;
  size_t tag_count_ = 0;
  bool conflict_ = false;
  // Per event: log4j2's instant in two parts, Serilog's implied level and
  // message template, klog's year-less stamps.
  int64_t epoch_second_ = -1;
  int64_t nano_of_second_ = 0;
  bool serilog_ = false;
  bool message_is_template_ = false;
  bool klog_time_ = false;
  std::string tags_json_;
  std::string condition_scratch_;
  NormalizeStats stats_;
};

}  // namespace sluice
