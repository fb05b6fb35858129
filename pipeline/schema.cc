#include "pipeline/schema.h"

namespace sluice {

std::string_view canonicalPath(Schema schema, Canonical field) {
  const bool ecs = schema == Schema::kEcs;
  switch (field) {
    case Canonical::kTimestamp:
      return "@timestamp";
    case Canonical::kLevel:
      return "log.level";
    case Canonical::kMessage:
      return ecs ? "message" : "log.message";
    case Canonical::kServiceName:
      return "service.name";
    case Canonical::kServiceTier:
      return "service.tier";
    case Canonical::kCorrelationId:
      return "correlation.id";
    case Canonical::kTraceId:
      return "trace.id";
    case Canonical::kSpanId:
      return ecs ? "span.id" : "trace.span_id";
    case Canonical::kHttpMethod:
      return ecs ? "http.request.method" : "http.method";
    case Canonical::kHttpPath:
      return ecs ? "url.path" : "http.path";
    case Canonical::kHttpStatus:
      return ecs ? "http.response.status_code" : "http.status_code";
    case Canonical::kHttpDuration:
    case Canonical::kDurationNs:
      return ecs ? "event.duration" : "http.duration_ms";
    case Canonical::kUserId:
      return "user.id";
    case Canonical::kTenantId:
      return ecs ? "organization.id" : "tenant.id";
    case Canonical::kLogger:
      return "log.logger";
    case Canonical::kThread:
      return "process.thread.name";
    case Canonical::kErrorType:
      return "error.type";
    case Canonical::kErrorMessage:
      return "error.message";
    case Canonical::kErrorStack:
      return "error.stack_trace";
    case Canonical::kComponent:
      return "component";
    case Canonical::kAiCostUsd:
      return "ai.cost_usd";
    case Canonical::kAiProvider:
      return "ai.provider";
    case Canonical::kAiModel:
      return "ai.model";
    case Canonical::kDbDurationMs:
      return "db.duration_ms";
    case Canonical::kDbOperation:
      return "db.operation";
    case Canonical::kDbTable:
      return "db.table";
    case Canonical::kCostCenter:
      return "cost.center";
    case Canonical::kCostWeight:
      return "cost.weight";
    case Canonical::kNone:
    case Canonical::kTraceparent:
    case Canonical::kB3:
    case Canonical::kOtelSeverity:
    case Canonical::kEpochSecond:
    case Canonical::kNanoOfSecond:
    case Canonical::kMessageTemplate:
    case Canonical::kCount:
      break;
  }
  return {};
}

}  // namespace sluice
