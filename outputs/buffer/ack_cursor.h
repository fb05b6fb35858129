#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace sluice {

// The `ack` file of a buffer directory holds the lowest record number not
// yet acknowledged: "<number> <crc32c of the number's digits, hex>\n". The
// checksum turns a damaged file into "unknown" rather than into a wrong
// number that could skip records nobody delivered.

// nullopt when the file is missing (a new buffer) or not a valid cursor, the
// latter with the reason in `problem`.
std::optional<uint64_t> readAckCursor(const std::string& dir, std::string& problem);

// Replaces the file atomically; returns an error message, empty on success.
std::string writeAckCursor(const std::string& dir, uint64_t cursor);

}  // namespace sluice
