#pragma once

#include <array>
#include <bitset>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "pipeline/pii/pii_kind.h"
#include "pipeline/pii/pii_settings.h"
#include "pipeline/pii/replacement.h"

namespace sluice {

// How many values were masked, per built-in detector and per custom detector
// (in the order of PiiSettings::custom). Custom detections are counted in
// by_custom only; by_kind[kCustom] stays zero.
struct PiiCounts {
  std::array<uint64_t, static_cast<size_t>(PiiKind::kCount)> by_kind{};
  std::vector<uint64_t> by_custom;
};

// Finds built-in PII in the inside of a JSON string literal as it stands,
// escapes included, appending ordered, non-overlapping matches.
class PiiTextScanner {
 public:
  virtual ~PiiTextScanner() = default;
  virtual void scan(std::string_view text, std::vector<PiiMatch>& out) const = 0;
};

// Masks personal data and secrets in normalized events. One per normalizer:
// not thread-safe (it keeps scratch buffers and an HMAC state); the settings
// are shared.
class PiiMasker {
 public:
  // Uses the built-in detectors of settings->detectors.
  explicit PiiMasker(std::shared_ptr<const PiiSettings> settings);
  // Uses `scanner` in place of the built-in detectors.
  PiiMasker(std::shared_ptr<const PiiSettings> settings,
            std::unique_ptr<const PiiTextScanner> scanner);
  ~PiiMasker();
  PiiMasker(const PiiMasker&) = delete;
  PiiMasker& operator=(const PiiMasker&) = delete;

  // Masks the string values of the JSON object doc[begin, doc.size()) in
  // place (the event is the tail of `doc`) and adds to `counts` one per
  // masked value piece. Returns true when anything changed. A document whose
  // structure is not one JSON object (unbalanced, truncated, unknown escapes,
  // bad literals, trailing bytes) is left as it is and false is returned;
  // string contents and number spelling are taken as the normalizer wrote
  // them.
  bool mask(std::string& doc, size_t begin, PiiCounts& counts);

  // Objects and arrays nested deeper than this are treated as malformed.
  static constexpr size_t kMaxDepth = 1024;

 private:
  // How a member's key relates to the sensitive key names.
  enum class KeyMatch : uint8_t { kNone, kContains, kEquals };

  // What the walk does with the value it is at.
  struct ValueContext {
    int32_t node = 0;  // in path_nodes_; -1: no skipped path below
    bool inert = false;
    KeyMatch sensitive = KeyMatch::kNone;
  };

  struct Frame {
    bool is_object;
    bool replace_whole;  // a sensitive key's object or array
    ValueContext context;
    size_t start;
  };

  // A level of the tree of skipped paths; a node that ends a path skips the
  // field and everything below it.
  struct PathNode {
    std::vector<std::pair<std::string, int32_t>> children;
    bool skip = false;
  };

  struct CustomSet;

  void buildPaths();
  void addSkippedPath(std::string_view path);
  int32_t childNode(int32_t node, std::string_view key) const;
  void buildSensitiveKeys();
  KeyMatch matchSensitiveKey(std::string_view key);
  void buildCustom();

  bool walk(std::string_view doc, size_t begin);
  ValueContext memberContext(const Frame& frame, std::string_view key);
  void maskString(std::string_view doc, size_t begin, size_t end, bool has_escape);
  void maskSensitiveString(std::string_view doc, size_t begin, size_t end, bool has_escape);
  void maskSensitiveToken(std::string_view doc, size_t begin, size_t end);
  void findCustom(std::string_view text);
  void settleMatches(std::string_view text, bool has_escape);
  void replace(std::string_view doc, size_t begin, size_t end, std::string_view replacement);
  void count(PiiKind kind, uint16_t custom_index);

  std::shared_ptr<const PiiSettings> settings_;
  std::unique_ptr<const PiiTextScanner> scanner_;
  PiiReplacer replacer_;
  bool sensitive_enabled_ = false;

  std::vector<PathNode> path_nodes_;          // [0] is the root
  std::vector<std::string> sensitive_names_;  // squashed
  size_t shortest_name_ = 0;
  std::bitset<65536> sensitive_bigrams_;   // the first two bytes of each name
  std::unique_ptr<CustomSet> custom_set_;  // null: run every custom pattern

  // Per event, reused.
  size_t copied_ = 0;  // doc bytes before this are in scratch_
  bool changed_ = false;
  std::string scratch_;
  std::string squashed_key_;
  std::string plain_;
  std::string replacement_;
  std::vector<Frame> stack_;
  std::vector<PiiMatch> matches_;
  std::vector<PiiMatch> merged_;
  std::vector<ProtectedSpan> protected_;
  std::vector<int> custom_hits_;
  PiiCounts event_counts_;
};

}  // namespace sluice
