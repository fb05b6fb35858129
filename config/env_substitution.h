#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace sluice {

// Expands `${VAR}` and `${VAR:-default}` (default used when VAR is unset or
// empty); `$${` is a literal `${`. Returns nullopt and sets `error` for an
// unset variable without default or an unclosed `${`.
std::optional<std::string> substituteEnv(std::string_view text, std::string& error);

}  // namespace sluice
