#include "pipeline/field_aliases.h"

#include <string_view>
#include <unordered_map>

namespace sluice {
namespace {

using C = Canonical;
using G = AliasGroup;

struct Entry {
  std::string_view squashed;  // group prefix + squashed key
  Alias alias;
};

// Keys inside a group are looked up with the group's name in front, so one
// table serves "http_method" at the top level and "method" inside "http".
constexpr Entry kEntries[] = {
    {"time", {C::kTimestamp}},
    {"ts", {C::kTimestamp}},
    {"timestamp", {C::kTimestamp}},
    {"datetime", {C::kTimestamp}},
    {"eventtime", {C::kTimestamp}},
    {"level", {C::kLevel}},
    {"lvl", {C::kLevel}},
    {"severity", {C::kLevel}},
    {"severitytext", {C::kLevel}},
    {"levelname", {C::kLevel}},
    {"loglevel", {C::kLevel}},
    {"msg", {C::kMessage}},
    {"message", {C::kMessage}},
    {"event", {C::kMessage}},
    {"logmessage", {C::kMessage}},
    {"logmsg", {C::kMessage}},
    {"log", {C::kMessage, G::kLog}},
    {"service", {C::kServiceName, G::kService}},
    {"servicename", {C::kServiceName}},
    {"app", {C::kServiceName}},
    {"appname", {C::kServiceName}},
    {"application", {C::kServiceName}},
    {"tier", {C::kServiceTier}},
    {"servicetier", {C::kServiceTier}},
    {"correlation", {C::kCorrelationId, G::kCorrelation}},
    {"correlationid", {C::kCorrelationId}},
    {"xcorrelationid", {C::kCorrelationId}},
    {"trace", {C::kTraceId, G::kTrace}},
    {"traceid", {C::kTraceId}},
    {"oteltraceid", {C::kTraceId}},
    {"xtraceid", {C::kTraceId}},
    {"tracespanid", {C::kSpanId}},
    {"span", {C::kSpanId, G::kSpan}},
    {"spanid", {C::kSpanId}},
    {"otelspanid", {C::kSpanId}},
    {"xspanid", {C::kSpanId}},
    {"traceparent", {C::kTraceparent}},
    {"http", {C::kNone, G::kHttp}},
    {"method", {C::kHttpMethod}},
    {"httpmethod", {C::kHttpMethod}},
    {"httprequestmethod", {C::kHttpMethod}},
    {"path", {C::kHttpPath}},
    {"httppath", {C::kHttpPath}},
    {"httpurlpath", {C::kHttpPath}},
    {"status", {C::kHttpStatus}},
    {"statuscode", {C::kHttpStatus}},
    {"httpstatus", {C::kHttpStatus}},
    {"httpstatuscode", {C::kHttpStatus}},
    {"httpresponsestatuscode", {C::kHttpStatus}},
    {"durationms", {C::kHttpDuration}},
    {"latencyms", {C::kHttpDuration}},
    {"httpdurationms", {C::kHttpDuration}},
    {"httplatencyms", {C::kHttpDuration}},
    {"user", {C::kUserId, G::kUser}},
    {"userid", {C::kUserId}},
    {"tenant", {C::kTenantId, G::kTenant}},
    {"tenantid", {C::kTenantId}},
};

std::string_view groupPrefix(G group) {
  switch (group) {
    case G::kTop: return "";
    case G::kLog: return "log";
    case G::kService: return "service";
    case G::kHttp: return "http";
    case G::kTrace: return "trace";
    case G::kSpan: return "span";
    case G::kUser: return "user";
    case G::kTenant: return "tenant";
    case G::kCorrelation: return "correlation";
  }
  return "";
}

const std::unordered_map<std::string_view, Alias>& table() {
  static const auto* map = [] {
    auto* m = new std::unordered_map<std::string_view, Alias>();
    for (const Entry& e : kEntries) m->emplace(e.squashed, e.alias);
    return m;
  }();
  return *map;
}

}  // namespace

Alias lookupAlias(AliasGroup enclosing, std::string_view key) {
  char buf[48];
  std::string_view prefix = groupPrefix(enclosing);
  if (prefix.size() + key.size() > sizeof buf) return {};
  size_t n = prefix.size();
  std::copy(prefix.begin(), prefix.end(), buf);
  for (char c : key) {
    if (c == '_' || c == '-' || c == '.' || c == '@') continue;
    buf[n++] = (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c;
  }
  const auto& t = table();
  auto it = t.find(std::string_view(buf, n));
  return it == t.end() ? Alias{} : it->second;
}

}  // namespace sluice
