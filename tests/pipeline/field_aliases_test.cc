#include "pipeline/field_aliases.h"

#include <gtest/gtest.h>

#include <ostream>
#include <string>
#include <string_view>

namespace sluice {
namespace {

struct AliasCase {
  AliasGroup group;
  std::string_view key;
  Canonical field;
  AliasGroup object_group;
};
void PrintTo(const AliasCase& c, std::ostream* os) {
  *os << "group " << static_cast<int>(c.group) << " key \"" << c.key << '"';
}

class LookupAliasTest : public testing::TestWithParam<AliasCase> {};

TEST_P(LookupAliasTest, Finds) {
  const AliasCase& c = GetParam();
  Alias alias = lookupAlias(c.group, c.key);
  EXPECT_EQ(alias.field, c.field);
  EXPECT_EQ(alias.group, c.object_group);
  EXPECT_EQ(alias.known(), c.field != Canonical::kNone || c.object_group != AliasGroup::kTop);
}

using C = Canonical;
using G = AliasGroup;

INSTANTIATE_TEST_SUITE_P(
    SpellingInsensitive, LookupAliasTest,
    testing::Values(AliasCase{G::kTop, "trace_id", C::kTraceId, G::kTop},
                    AliasCase{G::kTop, "traceId", C::kTraceId, G::kTop},
                    AliasCase{G::kTop, "TraceID", C::kTraceId, G::kTop},
                    AliasCase{G::kTop, "trace-id", C::kTraceId, G::kTop},
                    AliasCase{G::kTop, "trace.id", C::kTraceId, G::kTop},
                    AliasCase{G::kTop, "TRACE_ID", C::kTraceId, G::kTop},
                    AliasCase{G::kTop, "otelTraceID", C::kTraceId, G::kTop},
                    AliasCase{G::kTop, "X-Correlation-ID", C::kCorrelationId, G::kTop},
                    AliasCase{G::kTop, "x_correlation_id", C::kCorrelationId, G::kTop},
                    AliasCase{G::kTop, "correlationId", C::kCorrelationId, G::kTop},
                    AliasCase{G::kTop, "correlation_id", C::kCorrelationId, G::kTop},
                    AliasCase{G::kTop, "@timestamp", C::kTimestamp, G::kTop},
                    AliasCase{G::kTop, "timestamp", C::kTimestamp, G::kTop},
                    AliasCase{G::kTop, "ts", C::kTimestamp, G::kTop},
                    AliasCase{G::kTop, "time", C::kTimestamp, G::kTop},
                    AliasCase{G::kTop, "Time", C::kTimestamp, G::kTop},
                    AliasCase{G::kTop, "levelname", C::kLevel, G::kTop},
                    AliasCase{G::kTop, "LEVEL", C::kLevel, G::kTop},
                    AliasCase{G::kTop, "lvl", C::kLevel, G::kTop},
                    AliasCase{G::kTop, "severity", C::kLevel, G::kTop},
                    AliasCase{G::kTop, "log.level", C::kLevel, G::kTop},
                    AliasCase{G::kTop, "msg", C::kMessage, G::kTop},
                    AliasCase{G::kTop, "Message", C::kMessage, G::kTop},
                    AliasCase{G::kTop, "event", C::kMessage, G::kEvent},
                    AliasCase{G::kTop, "service_name", C::kServiceName, G::kTop},
                    AliasCase{G::kTop, "service.name", C::kServiceName, G::kTop},
                    AliasCase{G::kTop, "app", C::kServiceName, G::kTop},
                    AliasCase{G::kTop, "http_method", C::kHttpMethod, G::kTop},
                    AliasCase{G::kTop, "status_code", C::kHttpStatus, G::kTop},
                    AliasCase{G::kTop, "http.response.status_code", C::kHttpStatus, G::kTop},
                    AliasCase{G::kTop, "duration_ms", C::kHttpDuration, G::kTop},
                    AliasCase{G::kTop, "user_id", C::kUserId, G::kTop},
                    AliasCase{G::kTop, "tenantId", C::kTenantId, G::kTop},
                    AliasCase{G::kTop, "traceparent", C::kTraceparent, G::kTop},
                    AliasCase{G::kTop, "span_id", C::kSpanId, G::kTop}));

INSTANTIATE_TEST_SUITE_P(Objects, LookupAliasTest,
                         testing::Values(
                             // Keys that name a documented object when their value is one.
                             AliasCase{G::kTop, "http", C::kNone, G::kHttp},
                             AliasCase{G::kTop, "HTTP", C::kNone, G::kHttp},
                             AliasCase{G::kTop, "log", C::kMessage, G::kLog},
                             AliasCase{G::kTop, "service", C::kServiceName, G::kService},
                             AliasCase{G::kTop, "trace", C::kTraceId, G::kTrace},
                             AliasCase{G::kTop, "span", C::kSpanId, G::kSpan},
                             AliasCase{G::kTop, "user", C::kUserId, G::kUser},
                             AliasCase{G::kTop, "tenant", C::kTenantId, G::kTenant},
                             AliasCase{G::kTop, "correlation", C::kCorrelationId,
                                       G::kCorrelation}));

INSTANTIATE_TEST_SUITE_P(
    GroupPrefixes, LookupAliasTest,
    testing::Values(AliasCase{G::kHttp, "method", C::kHttpMethod, G::kTop},
                    AliasCase{G::kHttp, "status_code", C::kHttpStatus, G::kTop},
                    AliasCase{G::kHttp, "statusCode", C::kHttpStatus, G::kTop},
                    AliasCase{G::kHttp, "status", C::kHttpStatus, G::kTop},
                    AliasCase{G::kHttp, "path", C::kHttpPath, G::kTop},
                    AliasCase{G::kHttp, "duration_ms", C::kHttpDuration, G::kTop},
                    AliasCase{G::kHttp, "request.method", C::kHttpMethod, G::kTop},
                    AliasCase{G::kService, "name", C::kServiceName, G::kTop},
                    AliasCase{G::kTop, "name", C::kLogger, G::kTop},
                    AliasCase{G::kLog, "logger", C::kLogger, G::kTop},
                    AliasCase{G::kTop, "request_id", C::kCorrelationId, G::kTop},
                    AliasCase{G::kTop, "@mt", C::kMessageTemplate, G::kTop},
                    AliasCase{G::kTop, "@t", C::kTimestamp, G::kTop},
                    AliasCase{G::kTop, "stack_trace", C::kErrorStack, G::kTop},
                    AliasCase{G::kTop, "err", C::kErrorMessage, G::kError},
                    AliasCase{G::kError, "name", C::kErrorType, G::kTop},
                    AliasCase{G::kHttpRequest, "url", C::kHttpPath, G::kTop},
                    AliasCase{G::kTop, "req", C::kNone, G::kHttpRequest},
                    AliasCase{G::kTop, "X-B3-TraceId", C::kTraceId, G::kTop},
                    AliasCase{G::kTop, "dd.trace_id", C::kTraceId, G::kTop},
                    AliasCase{G::kService, "tier", C::kServiceTier, G::kTop},
                    AliasCase{G::kTrace, "id", C::kTraceId, G::kTop},
                    AliasCase{G::kTrace, "span_id", C::kSpanId, G::kTop},
                    AliasCase{G::kSpan, "id", C::kSpanId, G::kTop},
                    AliasCase{G::kUser, "id", C::kUserId, G::kTop},
                    AliasCase{G::kTenant, "id", C::kTenantId, G::kTop},
                    AliasCase{G::kCorrelation, "id", C::kCorrelationId, G::kTop},
                    AliasCase{G::kLog, "level", C::kLevel, G::kTop},
                    AliasCase{G::kLog, "message", C::kMessage, G::kTop}));

INSTANTIATE_TEST_SUITE_P(
    Unknown, LookupAliasTest,
    testing::Values(
        AliasCase{G::kTop, "", C::kNone, G::kTop},
        AliasCase{G::kTop, "hostname", C::kNone, G::kTop},
        AliasCase{G::kTop, "id", C::kNone, G::kTop}, AliasCase{G::kTop, "pid", C::kNone, G::kTop},
        AliasCase{G::kTop, "traceids", C::kNone, G::kTop},
        AliasCase{G::kHttp, "user_agent", C::kNone, G::kTop},
        AliasCase{G::kService, "version", C::kNone, G::kTop},
        AliasCase{G::kUser, "name", C::kNone, G::kTop},
        // Too long to be any alias; must not overflow the lookup buffer.
        AliasCase{
            G::kCorrelation,
            "a_very_long_key_that_is_certainly_longer_than_any_alias_in_the_table_xxxxxxxxxxxx",
            C::kNone, G::kTop}));

}  // namespace
}  // namespace sluice
