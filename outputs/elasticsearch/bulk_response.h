#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sluice {

enum class ItemOutcome {
  kDelivered,  // 2xx, or 409: an event with this id is already indexed
  kRetry,      // 429, 5xx: Elasticsearch is overloaded or a shard is unavailable
  kReject,     // any other 4xx: the event itself is wrong (mapping, parsing)
};

ItemOutcome classifyItem(int status);

struct BulkItemResult {
  int status = 0;
  std::string error_type;    // only for failed items
  std::string error_reason;  // only for failed items, cut to 512 bytes
};

struct BulkResponse {
  bool errors = false;
  std::vector<BulkItemResult> items;  // filled only when `errors` is true
};

// Parses a _bulk answer. `body` must have SIMDJSON_PADDING bytes of capacity
// past its size. Fails (with `error`) on anything but a JSON object whose
// items, when errors is true, number exactly `expected_items`.
std::optional<BulkResponse> parseBulkResponse(const std::string& body, size_t expected_items,
                                              std::string& error);

}  // namespace sluice
