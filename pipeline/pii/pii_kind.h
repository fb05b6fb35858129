#pragma once

#include <bitset>
#include <cstdint>
#include <optional>
#include <string_view>

namespace sluice {

// What a piece of personal data or secret is. The names are the
// `pipeline.pii.detectors` names and the `detector` label of
// sluice_pii_masked_total.
enum class PiiKind : uint8_t {
  kEmail,
  kIpv4,
  kIpv6,
  kCreditCard,
  kIban,
  kPhone,
  kSsn,
  kJwt,
  kCredentials,     // Authorization: Bearer / Basic values
  kSecretToken,     // AWS keys, GitHub/GitLab/Slack tokens, private key blocks
  kSensitiveField,  // the value of a key named like a secret (password=..., "token": ...)
  kCustom,          // a pattern from configuration
  kCount,
};
using PiiKindSet = std::bitset<static_cast<size_t>(PiiKind::kCount)>;

std::string_view piiKindName(PiiKind kind);
std::optional<PiiKind> piiKindFromName(std::string_view name);

// One detection in a text: [begin, end) is the part to replace.
struct PiiMatch {
  PiiKind kind;
  uint32_t begin;
  uint32_t end;
  uint16_t custom_index = 0;  // which custom detector, for kCustom
};

}  // namespace sluice
