#pragma once

#include <string_view>

namespace sluice {

// How an id value compares with the hex ids of W3C trace context.
enum class IdShape {
  kHex,      // 32 hex digits (W3C trace id) or 16 (span id, Jaeger-style trace id)
  kZero,     // hex of the right length but all zeros: invalid, never set
  kForeign,  // anything else (Datadog decimal ids, UUIDs, ...): kept as given
};
IdShape traceIdShape(std::string_view id);
IdShape spanIdShape(std::string_view id);

struct TraceIds {
  std::string_view trace_id;  // as in the text (not lower-cased)
  std::string_view span_id;
};
// `00-<32 hex trace id>-<16 hex parent id>-<2 hex flags>`; false when the
// value is not one (or has an all-zero id).
bool parseTraceparent(std::string_view value, TraceIds& out);
// B3 single header: `<trace id>-<span id>[-<sampled>[-<parent span id>]]`.
bool parseB3(std::string_view value, TraceIds& out);

// Calls `on_pair(key, value)` for each `key=value` or `key: value` in free
// text, so trace and correlation ids written into a message
// (`... trace_id=4bf9... span_id=00f0...`, `traceparent: 00-...`) can be
// found. Values end at whitespace, a comma, a semicolon, a closing bracket
// or quote; quoted values lose their quotes. `on_pair` returns false to stop.
template <class OnPair>
void forEachTextPair(std::string_view text, OnPair&& on_pair);
// Only `key=value` pairs: colons in prose ("Caused by: x") are not keys.
template <class OnPair>
void forEachAssignment(std::string_view text, OnPair&& on_pair);
// The same, skipping the values of keys `want_key(key)` turns down.
template <class WantKey, class OnPair>
void forEachTextPair(std::string_view text, WantKey&& want_key, OnPair&& on_pair);

}  // namespace sluice

#include "pipeline/trace_context_inl.h"
