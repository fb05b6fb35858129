#include "pipeline/field_aliases.h"

#include <array>
#include <cstdint>
#include <string_view>

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
    {"event", {C::kMessage, G::kEvent}},
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
    // A log's own labels merge with those sluice files clashing fields under.
    {"labels", {C::kNone, G::kLabels}},
};

}  // namespace

std::string_view aliasGroupName(G group) {
  switch (group) {
    case G::kTop:
      return "";
    case G::kLog:
      return "log";
    case G::kService:
      return "service";
    case G::kHttp:
      return "http";
    case G::kTrace:
      return "trace";
    case G::kSpan:
      return "span";
    case G::kUser:
      return "user";
    case G::kTenant:
      return "tenant";
    case G::kCorrelation:
      return "correlation";
    case G::kEvent:
      return "event";
    case G::kLabels:
      return "labels";
  }
  return "";
}

namespace {

// Open addressing over a small power-of-two table; the hash is computed while
// the key is squashed, so a lookup costs one pass over the key.
constexpr size_t kSlots = 256;

constexpr uint32_t mix(uint32_t h, char c) {
  return (h ^ static_cast<unsigned char>(c)) * 16777619u;
}

struct Slot {
  std::string_view squashed;
  Alias alias;
};

const std::array<Slot, kSlots>& table() {
  static const std::array<Slot, kSlots> slots = [] {
    std::array<Slot, kSlots> t{};
    for (const Entry& e : kEntries) {
      uint32_t h = 2166136261u;
      for (char c : e.squashed) h = mix(h, c);
      size_t i = h & (kSlots - 1);
      while (!t[i].squashed.empty()) i = (i + 1) & (kSlots - 1);
      t[i] = {e.squashed, e.alias};
    }
    return t;
  }();
  return slots;
}

}  // namespace

Alias lookupAlias(AliasGroup enclosing, std::string_view key) {
  char buf[48];
  std::string_view prefix = aliasGroupName(enclosing);
  if (prefix.size() + key.size() > sizeof buf) return {};
  uint32_t h = 2166136261u;
  size_t n = 0;
  for (char c : prefix) {
    buf[n++] = c;
    h = mix(h, c);
  }
  for (char c : key) {
    if (c == '_' || c == '-' || c == '.' || c == '@') continue;
    c = (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c;
    buf[n++] = c;
    h = mix(h, c);
  }
  const std::string_view squashed(buf, n);
  const auto& t = table();
  for (size_t i = h & (kSlots - 1);; i = (i + 1) & (kSlots - 1)) {
    if (t[i].squashed.empty()) return {};
    if (t[i].squashed == squashed) return t[i].alias;
  }
}

}  // namespace sluice
