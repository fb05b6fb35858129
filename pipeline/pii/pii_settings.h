#pragma once

#include <array>
#include <memory>
#include <string>
#include <vector>

#include "pipeline/pii/pii_kind.h"

namespace re2 {
class RE2;
}

namespace sluice {

// How a detected value is replaced.
enum class PiiMode : uint8_t {
  kRedact,   // [REDACTED:email]
  kHash,     // <email:3f9a1c0b7e>: keyed HMAC-SHA256, stable for the same key
  kPartial,  // j***@example.com, **** **** **** 4242, 10.1.x.x
};

// A detector from configuration: a name and an RE2 pattern.
struct CustomPiiDetector {
  std::string name;
  std::shared_ptr<const re2::RE2> pattern;
  PiiMode mode = PiiMode::kRedact;
};

// `pipeline.pii`, validated.
struct PiiSettings {
  PiiKindSet detectors;                                               // built-in detectors that run
  std::array<PiiMode, static_cast<size_t>(PiiKind::kCount)> modes{};  // per detector
  std::string hash_key;                                               // for kHash; never logged
  // Key names whose values are masked whole, wherever they are (lower case).
  std::vector<std::string> sensitive_keys;
  // Dotted paths of fields never masked ("client.ip").
  std::vector<std::string> keep;
  std::vector<CustomPiiDetector> custom;
};

}  // namespace sluice
