#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "pipeline/pii/pii_kind.h"

namespace sluice {

class PiiScan;

// The built-in detectors (every kind but kCustom), hand-written so that one
// pass over a string costs little more than reading it: this runs on every
// string value of every event, and most strings hold nothing to mask. The
// pass classifies 64 bytes at a time (SSE2 or AVX2 where the build targets
// them) and stops only at word starts whose first two bytes can begin a
// match and at the punctuation some detector keys on ('@', ':', '=', '+',
// '(', "--", escapes).
//
// Conventions shared by the detectors:
// - A match is not glued to a letter, digit or '_' on either side (bytes of
//   non-ASCII characters count as letters), except where a detector says so.
// - The text is the inside of a JSON string literal as it stands, escapes
//   (\n, \", \\, \uXXXX) included. An escape is a boundary between words; a
//   match never starts or ends inside one and contains none, except a private
//   key block (which spans its \n escapes), a Slack webhook path (slashes may
//   be written \/) and the value of a sensitive pair (which may contain \\, \/
//   and \uXXXX of printable characters, or anything inside its quotes).
//   "bob\u0040example.com" is therefore not an address.
// - Already masked output ([REDACTED:email], <email:3f9a1c0b7e>,
//   j***@example.com, **** **** **** 4242, 10.1.x.x, password=********)
//   matches nothing, so masking twice changes nothing.
// The exact rules of each detector are next to its code in detectors.cc.
//
// A scanner is immutable once built (about 17 KB of tables) and scan() may
// run on many threads at once.
class PiiScanner {
 public:
  // `sensitive_keys`: lower-case key names ("password", "api_key", "cookie").
  // A pair in free text, `key=value`, `key = value`, `key: value`,
  // `key:value`, `"key": "value"` (quotes raw or escaped as \") or
  // `key='quoted value'`, whose key, lower-cased without '_', '-' and '.',
  // contains one of them (compared the same way) has its value masked as
  // kSensitiveField.
  PiiScanner(PiiKindSet enabled, std::vector<std::string> sensitive_keys);

  // Appends the matches in `text` to `out` after what it holds, ordered by
  // position and not overlapping: of two overlapping candidates the one that
  // starts first wins, and at the same start the longer (for the very same
  // span, the pair's value or the credential over what it contains:
  // `token=eyJ...` is a sensitive_field). Texts of 4 GiB and more are scanned
  // over their first 4 GiB only (PiiMatch offsets are 32-bit).
  void scan(std::string_view text, std::vector<PiiMatch>& out) const;

 private:
  friend class PiiScan;

  bool on(PiiKind kind) const { return enabled_.test(static_cast<size_t>(kind)); }
  bool startsMatch(char c, char next) const;
  void setKeyPair(char c, char next);
  // `key` as it stands in the text (any case, with separators).
  bool keyIsSensitive(std::string_view key) const;
  // The key, squashed, is one of the names (not just contains one).
  bool keyIsExactlySensitive(std::string_view key) const;

  PiiKindSet enabled_;
  // Per byte: kWord / kTrigger bits (detectors.cc); triggers only for the
  // detectors that are on, so bytes of disabled detectors cost nothing.
  std::array<uint8_t, 256> byte_class_{};
  // Bit (c << 8 | next): a word starting with bytes c, next can be a match.
  std::array<uint64_t, 1024> start_pairs_{};
  // Squashed keys, sorted; those starting with byte c are
  // keys_[key_from_[c], key_to_[c]). key_pairs_ has bit (c << 8 | next) for
  // the first two bytes of each.
  std::vector<std::string> keys_;
  std::array<uint16_t, 256> key_from_{};
  std::array<uint16_t, 256> key_to_{};
  std::array<uint64_t, 1024> key_pairs_{};
  size_t shortest_key_ = 0;
};

}  // namespace sluice
