#include "pipeline/pii/pii_kind.h"

#include <array>

namespace sluice {
namespace {

// Indexed by PiiKind: configuration and metrics labels spell them this way.
constexpr std::array<std::string_view, static_cast<size_t>(PiiKind::kCount)> kNames = {
    "email", "ipv4",        "ipv6",         "credit_card",     "iban",   "phone", "ssn",
    "jwt",   "credentials", "secret_token", "sensitive_field", "custom",
};

}  // namespace

std::string_view piiKindName(PiiKind kind) {
  const auto index = static_cast<size_t>(kind);
  return index < kNames.size() ? kNames[index] : std::string_view();
}

std::optional<PiiKind> piiKindFromName(std::string_view name) {
  for (size_t i = 0; i < kNames.size(); ++i) {
    if (kNames[i] == name) return static_cast<PiiKind>(i);
  }
  return std::nullopt;
}

}  // namespace sluice
