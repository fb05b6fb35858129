#pragma once

#include <string>
#include <string_view>

namespace sluice {

// Appends `text` to `out` as the inside of a JSON string literal (no quotes).
// Bytes that are not valid UTF-8 are replaced by U+FFFD so that the output is
// always a document Elasticsearch accepts. Returns false when any byte had to
// be replaced, so callers can count and tag the event.
bool appendJsonEscaped(std::string& out, std::string_view text);

// Same, with the surrounding quotes.
bool appendJsonString(std::string& out, std::string_view text);

// Whether `text` is one JSON number as the grammar spells it (no leading
// zeros, no "+", at most 64 characters).
bool isJsonNumber(std::string_view text);

}  // namespace sluice
