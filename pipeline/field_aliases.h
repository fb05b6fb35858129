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
  kLogger,
  kThread,
  kErrorMessage,
  kErrorType,
  kErrorStack,
  kB3,               // single b3 header: traceid-spanid[-sampled[-parentspanid]]
  kDurationNs,       // ECS event.duration
  kOtelSeverity,     // OpenTelemetry severityNumber (1..24)
  kEpochSecond,      // log4j2 instant.epochSecond
  kNanoOfSecond,     // log4j2 instant.nanoOfSecond
  kMessageTemplate,  // Serilog @mt: the message unless a rendered one comes
  kComponent,
  kAiCostUsd,
  kAiProvider,
  kAiModel,
  kDbDurationMs,
  kDbOperation,
  kDbTable,
  kCostCenter,
  kCostWeight,
  kCount,  // not a field: the number of entries
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
  kError,         // error, err, exception, thrown
  kHttpRequest,   // http.request, and pino's req
  kHttpResponse,  // http.response, and pino's res
  kUrl,
  kOrganization,
  kInstant,  // log4j2
  kBody,     // OpenTelemetry
  kFields,   // Rust tracing
  kContext,  // log4j2 contextMap
  kMdc,      // logback mdc
  kProcess,
  kProcessThread,
  kDatadog,  // dd
  kAi,
  kDb,
  kCost,
};

struct Alias {
  Canonical field = Canonical::kNone;   // when the value is a scalar
  AliasGroup group = AliasGroup::kTop;  // when the value is an object (kTop: none)
  bool known() const { return field != Canonical::kNone || group != AliasGroup::kTop; }
};

// Keys are compared case-insensitively with `_`, `-`, `.` and `@` ignored, so
// that trace_id, traceId, TraceID, trace-id and trace.id are one name.
// Serilog's short reserved names (@t, @m, @mt, @l, @x) are recognised only
// with their `@`.
Alias lookupAlias(AliasGroup enclosing, std::string_view key);

// The prefix a group's members are looked up with ("http"), also used to
// name its members when they move under labels.
std::string_view aliasGroupName(AliasGroup group);

// Where a group's other members go in the event: {"http", "request"} for
// both http.request and pino's req.
struct GroupPath {
  std::string_view parts[2];
  size_t size = 0;
};
GroupPath aliasGroupPath(AliasGroup group);

}  // namespace sluice
