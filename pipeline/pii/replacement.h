#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "pipeline/pii/pii_kind.h"
#include "pipeline/pii/pii_settings.h"

typedef struct evp_mac_ctx_st EVP_MAC_CTX;

namespace re2 {
class RE2;
}

namespace sluice {

// Appends the value of the inside of a JSON string literal to `out` as UTF-8.
// Invalid escapes and lone surrogates become U+FFFD: a pseudonym must exist
// for any text, and the same text must always give the same one.
void appendJsonUnescaped(std::string& out, std::string_view escaped);

// The length of the character at text[i] of the inside of a JSON string
// literal as written: an escape (the two escapes of a surrogate pair count as
// one) or a UTF-8 sequence (1 for a byte that starts none). A replacement
// must start and end on these boundaries, or the JSON or its UTF-8 breaks.
size_t jsonCharLength(std::string_view text, size_t i);

// A part of a text: [begin, end).
struct ProtectedSpan {
  size_t begin;
  size_t end;
};

// Builds what stands in for a detected value, per the configured mode:
//   redact   [REDACTED:email]
//   hash     <email:3c106b2506>  (first 10 hex digits of HMAC-SHA256(hash_key, value))
//   partial  j***@example.com, **** **** **** 4242, 10.1.x.x, 2001:db8:x:x:x:x:x:x,
//            ***-***-**58, DE89****3000; other detectors fall back to redact.
// No replacement contains '"', '\\' or control characters, so it can be written
// inside a JSON string as it is. Not thread-safe (the HMAC state is reused).
class PiiReplacer {
 public:
  // Throws std::runtime_error when the HMAC cannot be set up.
  explicit PiiReplacer(const PiiSettings& settings);
  ~PiiReplacer();
  PiiReplacer(const PiiReplacer&) = delete;
  PiiReplacer& operator=(const PiiReplacer&) = delete;

  // Appends the replacement of `value` (unescaped) found by detector `kind`
  // (`custom_index` for kCustom).
  void append(std::string& out, PiiKind kind, uint16_t custom_index, std::string_view value);

  // Whether `text` is exactly a redact or hash replacement for `kind`, so
  // that masking a masked value again leaves it alone.
  bool isReplacement(PiiKind kind, uint16_t custom_index, std::string_view text) const;

  // Appends the spans of `text` that are replacements written by any masker
  // (of any mode and detector), in order. Detections overlapping them are
  // dropped: a custom pattern for digits must not eat the "4242" of a
  // partially masked card on the next pass.
  void findReplacements(std::string_view text, std::vector<ProtectedSpan>& out) const;

 private:
  struct MacCtxDeleter {
    void operator()(EVP_MAC_CTX* ctx) const;
  };

  PiiMode modeOf(PiiKind kind, uint16_t custom_index) const;
  std::string_view nameOf(PiiKind kind, uint16_t custom_index) const;
  void appendRedacted(std::string& out, std::string_view name) const;
  void appendHashed(std::string& out, std::string_view name, std::string_view value);
  bool appendPartial(std::string& out, PiiKind kind, std::string_view value) const;

  std::array<PiiMode, static_cast<size_t>(PiiKind::kCount)> modes_{};
  std::array<std::string, static_cast<size_t>(PiiKind::kCount)> kind_names_;
  std::vector<std::string> custom_names_;  // restricted to [A-Za-z0-9_.-]
  std::vector<PiiMode> custom_modes_;
  std::unique_ptr<EVP_MAC_CTX, MacCtxDeleter> mac_;  // keyed once; null when no hash mode
  std::unique_ptr<const re2::RE2> replacement_pattern_;
};

}  // namespace sluice
