#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string_view>

namespace sluice {

// "250ms", "2s", "1m", "1h", "7d"; a bare number is seconds.
std::optional<std::chrono::milliseconds> parseDuration(std::string_view text);

// "512", "64KiB", "5MiB", "2GiB" (powers of 1024), "10MB" (powers of 1000).
std::optional<uint64_t> parseByteSize(std::string_view text);

}  // namespace sluice
