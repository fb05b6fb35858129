#pragma once

#include <cstdint>
#include <string_view>

namespace sluice {

// Fields of the documented schema that the normalizer fills from the many
// names popular loggers give them.
enum class Canonical : uint8_t {
  kNone,
  kTimestamp,
  kLevel,
  kMessage,
  kServiceName,
  kServiceTier,
  kCorrelationId,
  kTraceId,
  kSpanId,
  kTraceparent,
  kHttpMethod,
  kHttpPath,
  kHttpStatus,
  kHttpDuration,
  kUserId,
  kTenantId,
};

// Objects whose members are looked up as aliases too ("http": {"method": ..}).
enum class AliasGroup : uint8_t {
  kTop,
  kLog,
  kService,
  kHttp,
  kTrace,
  kSpan,
  kUser,
  kTenant,
  kCorrelation,
  kEvent,
  kLabels,
};

struct Alias {
  Canonical field = Canonical::kNone;   // when the value is a scalar
  AliasGroup group = AliasGroup::kTop;  // when the value is an object (kTop: none)
  bool known() const { return field != Canonical::kNone || group != AliasGroup::kTop; }
};

// Keys are compared case-insensitively with `_`, `-`, `.` and `@` ignored, so
// that trace_id, traceId, TraceID, trace-id and trace.id are one name.
Alias lookupAlias(AliasGroup enclosing, std::string_view key);

// The object a group stands for in the documented schema ("http").
std::string_view aliasGroupName(AliasGroup group);

}  // namespace sluice
