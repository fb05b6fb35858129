#pragma once

#include <simdjson.h>

#include <array>
#include <string>
#include <string_view>
#include <vector>

#include "pipeline/batch.h"
#include "pipeline/document_tree.h"
#include "pipeline/field_aliases.h"

namespace sluice {

// A field set by configuration (`fields:` of an input), already JSON.
struct StaticField {
  std::string path;  // dotted
  std::string json;
};

struct NormalizerOptions {
  std::string host_name;
  std::string agent_version;
  std::vector<StaticField> fields;        // override what the log says
  std::vector<std::string> route_fields;  // dotted paths outputs route by
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
};

struct NormalizeStats {
  uint64_t unparsed = 0;      // plain text shipped as the message
  uint64_t json_errors = 0;   // looked like JSON, was not
  uint64_t invalid_utf8 = 0;  // bytes replaced by U+FFFD
};

// Turns one line into one event of the documented schema and appends it to a
// batch. JSON lines are walked once with simdjson on-demand; values are
// borrowed from the line and copied only into the batch's serialized form.
// Not thread-safe: each input owns one.
class Normalizer {
 public:
  explicit Normalizer(NormalizerOptions options);

  // `line` must stay readable for SIMDJSON_PADDING bytes past its end.
  void normalize(std::string_view line, const LineOrigin& origin, TimestampNs ingest_time,
                 Batch& batch);
  const NormalizeStats& stats() const { return stats_; }

 private:
  bool parseJson(std::string_view line);
  bool walkObject(simdjson::ondemand::object object, DocumentTree::NodeId node, AliasGroup group,
                  int depth);
  bool takeCanonical(Canonical field, simdjson::ondemand::value value,
                     simdjson::ondemand::json_type type);
  bool keepUnknown(DocumentTree::NodeId parent, std::string_view key, bool key_is_json_safe,
                   simdjson::ondemand::value value, simdjson::ondemand::json_type type,
                   AliasGroup group);
  void setCanonical(Canonical field, FieldValue value);
  // Sets configured or per-file fields, over what the log says.
  void applyFields(const std::vector<StaticField>& fields);
  // A JSON value, checked: false when it is not valid JSON.
  bool validValue(simdjson::ondemand::value value, simdjson::ondemand::json_type type,
                  FieldValue& out);
  static FieldValue stringValue(std::string_view token, std::string_view unescaped);
  enum class CaseChange { kNone, kUpper, kLower };
  std::string_view scratchCopy(std::string_view text, CaseChange change = CaseChange::kNone);
  // "prefix_key", for labels of members of documented objects.
  std::string_view scratchJoin(std::string_view prefix, std::string_view key);
  void addTag(std::string_view tag);
  void captureRoutes(Batch& batch);

  NormalizerOptions options_;
  simdjson::ondemand::parser parser_;
  simdjson::dom::parser validator_;
  DocumentTree tree_;
  std::array<DocumentTree::NodeId, 16> canonical_nodes_{};
  DocumentTree::NodeId file_path_node_, offset_node_, iostream_node_, tags_node_, original_node_;
  std::vector<std::vector<std::string_view>> route_paths_;
  std::vector<std::string> route_path_storage_;
  std::string agent_json_;
  std::string host_json_;
  // Small transformed values (upper-cased levels, lower-cased ids). Fixed
  // size so views into it stay valid for the whole event.
  std::array<char, 4096> scratch_;
  size_t scratch_used_ = 0;
  std::array<std::string_view, 4> tags_;
  size_t tag_count_ = 0;
  bool conflict_ = false;
  std::string tags_json_;
  NormalizeStats stats_;
};

}  // namespace sluice
