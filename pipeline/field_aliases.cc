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
    {"asctime", {C::kTimestamp}},
    {"timemillis", {C::kTimestamp}},
    {"timeunixnano", {C::kTimestamp}},
    {"observedtimeunixnano", {C::kTimestamp}},
    {"instant", {C::kNone, G::kInstant}},
    {"instantepochsecond", {C::kEpochSecond}},
    {"instantnanoofsecond", {C::kNanoOfSecond}},
    {"level", {C::kLevel}},
    {"lvl", {C::kLevel}},
    {"severity", {C::kLevel}},
    {"severitytext", {C::kLevel}},
    {"syslogseverity", {C::kLevel}},
    {"levelname", {C::kLevel}},
    {"loglevel", {C::kLevel}},
    {"severitynumber", {C::kOtelSeverity}},
    {"msg", {C::kMessage}},
    {"message", {C::kMessage}},
    {"event", {C::kMessage, G::kEvent}},
    {"logmessage", {C::kMessage}},
    {"logmsg", {C::kMessage}},
    {"log", {C::kMessage, G::kLog}},
    {"body", {C::kMessage, G::kBody}},
    {"bodystringvalue", {C::kMessage}},
    {"fields", {C::kNone, G::kFields}},
    {"contextmap", {C::kNone, G::kContext}},
    {"mdc", {C::kNone, G::kMdc}},
    {"process", {C::kNone, G::kProcess}},
    {"processthread", {C::kNone, G::kProcessThread}},
    {"logger", {C::kLogger}},
    {"loggername", {C::kLogger}},
    {"loglogger", {C::kLogger}},
    {"name", {C::kLogger}},
    {"category", {C::kLogger}},
    {"target", {C::kLogger}},
    {"sourcecontext", {C::kLogger}},
    {"thread", {C::kThread}},
    {"threadname", {C::kThread}},
    {"processthreadname", {C::kThread}},
    {"error", {C::kErrorMessage, G::kError}},
    {"err", {C::kErrorMessage, G::kError}},
    {"exception", {C::kErrorStack, G::kError}},
    {"thrown", {C::kNone, G::kError}},
    {"errormessage", {C::kErrorMessage}},
    {"errortype", {C::kErrorType}},
    {"errorkind", {C::kErrorType}},
    {"errorname", {C::kErrorType}},
    {"errorclass", {C::kErrorType}},
    {"errorstack", {C::kErrorStack}},
    {"errorstacktrace", {C::kErrorStack}},
    {"errorextendedstacktrace", {C::kErrorStack}},
    {"exceptiontype", {C::kErrorType}},
    {"exceptionmessage", {C::kErrorMessage}},
    {"exceptionstacktrace", {C::kErrorStack}},
    {"stack", {C::kErrorStack}},
    {"stacktrace", {C::kErrorStack}},
    {"excinfo", {C::kErrorStack}},
    {"service", {C::kServiceName, G::kService}},
    {"servicename", {C::kServiceName}},
    {"otelservicename", {C::kServiceName}},
    {"app", {C::kServiceName}},
    {"appname", {C::kServiceName}},
    {"application", {C::kServiceName}},
    {"tier", {C::kServiceTier}},
    {"servicetier", {C::kServiceTier}},
    {"correlation", {C::kCorrelationId, G::kCorrelation}},
    {"correlationid", {C::kCorrelationId}},
    {"xcorrelationid", {C::kCorrelationId}},
    {"requestid", {C::kCorrelationId}},
    {"xrequestid", {C::kCorrelationId}},
    {"reqid", {C::kCorrelationId}},
    {"trace", {C::kTraceId, G::kTrace}},
    {"traceid", {C::kTraceId}},
    {"oteltraceid", {C::kTraceId}},
    {"xtraceid", {C::kTraceId}},
    {"xb3traceid", {C::kTraceId}},
    {"dd", {C::kNone, G::kDatadog}},
    {"ddtraceid", {C::kTraceId}},
    {"ddspanid", {C::kSpanId}},
    {"tracespanid", {C::kSpanId}},
    {"span", {C::kSpanId, G::kSpan}},
    {"spanid", {C::kSpanId}},
    {"otelspanid", {C::kSpanId}},
    {"xspanid", {C::kSpanId}},
    {"xb3spanid", {C::kSpanId}},
    {"traceparent", {C::kTraceparent}},
    {"b3", {C::kB3}},
    {"http", {C::kNone, G::kHttp}},
    {"method", {C::kHttpMethod}},
    {"httpmethod", {C::kHttpMethod}},
    {"httprequest", {C::kNone, G::kHttpRequest}},
    {"req", {C::kNone, G::kHttpRequest}},
    {"httprequestmethod", {C::kHttpMethod}},
    {"httprequesturl", {C::kHttpPath}},
    {"requestmethod", {C::kHttpMethod}},
    {"requestpath", {C::kHttpPath}},
    {"httpresponse", {C::kNone, G::kHttpResponse}},
    {"res", {C::kNone, G::kHttpResponse}},
    {"path", {C::kHttpPath}},
    {"httppath", {C::kHttpPath}},
    {"url", {C::kHttpPath, G::kUrl}},
    {"urlpath", {C::kHttpPath}},
    {"httpurlpath", {C::kHttpPath}},
    {"status", {C::kHttpStatus}},
    {"statuscode", {C::kHttpStatus}},
    {"httpstatus", {C::kHttpStatus}},
    {"httpstatuscode", {C::kHttpStatus}},
    {"httpresponsestatuscode", {C::kHttpStatus}},
    {"durationms", {C::kHttpDuration}},
    {"latencyms", {C::kHttpDuration}},
    {"responsetime", {C::kHttpDuration}},
    {"httpdurationms", {C::kHttpDuration}},
    {"httplatencyms", {C::kHttpDuration}},
    {"eventduration", {C::kDurationNs}},
    {"user", {C::kUserId, G::kUser}},
    {"userid", {C::kUserId}},
    {"tenant", {C::kTenantId, G::kTenant}},
    {"tenantid", {C::kTenantId}},
    {"organization", {C::kNone, G::kOrganization}},
    {"organizationid", {C::kTenantId}},
    {"component", {C::kComponent}},
    {"ai", {C::kNone, G::kAi}},
    {"aicostusd", {C::kAiCostUsd}},
    {"aiprovider", {C::kAiProvider}},
    {"aimodel", {C::kAiModel}},
    {"db", {C::kNone, G::kDb}},
    {"dbdurationms", {C::kDbDurationMs}},
    {"dboperation", {C::kDbOperation}},
    {"dbtable", {C::kDbTable}},
    {"cost", {C::kNone, G::kCost}},
    {"costcenter", {C::kCostCenter}},
    {"costweight", {C::kCostWeight}},
    // A log's own labels merge with those sluice files clashing fields under.
    {"labels", {C::kNone, G::kLabels}},
};

}  // namespace

namespace {

struct GroupInfo {
  std::string_view prefix;
  GroupPath path;
};

GroupInfo groupInfo(G group) {
  switch (group) {
    case G::kTop:
      return {"", {}};
    case G::kLog:
      return {"log", {{"log"}, 1}};
    case G::kService:
      return {"service", {{"service"}, 1}};
    case G::kHttp:
      return {"http", {{"http"}, 1}};
    case G::kTrace:
      return {"trace", {{"trace"}, 1}};
    case G::kSpan:
      return {"span", {{"span"}, 1}};
    case G::kUser:
      return {"user", {{"user"}, 1}};
    case G::kTenant:
      return {"tenant", {{"tenant"}, 1}};
    case G::kCorrelation:
      return {"correlation", {{"correlation"}, 1}};
    case G::kEvent:
      return {"event", {{"event"}, 1}};
    case G::kLabels:
      return {"labels", {{"labels"}, 1}};
    case G::kError:
      return {"error", {{"error"}, 1}};
    case G::kHttpRequest:
      return {"httprequest", {{"http", "request"}, 2}};
    case G::kHttpResponse:
      return {"httpresponse", {{"http", "response"}, 2}};
    case G::kUrl:
      return {"url", {{"url"}, 1}};
    case G::kOrganization:
      return {"organization", {{"organization"}, 1}};
    case G::kInstant:
      return {"instant", {{"instant"}, 1}};
    case G::kBody:
      return {"body", {{"body"}, 1}};
    // Objects whose members name top-level things: looked up without a prefix.
    case G::kFields:
      return {"", {{"fields"}, 1}};
    case G::kContext:
      return {"", {{"contextMap"}, 1}};
    case G::kMdc:
      return {"", {{"mdc"}, 1}};
    case G::kProcess:
      return {"process", {{"process"}, 1}};
    case G::kProcessThread:
      return {"processthread", {{"process", "thread"}, 2}};
    case G::kDatadog:
      return {"dd", {{"dd"}, 1}};
    case G::kAi:
      return {"ai", {{"ai"}, 1}};
    case G::kDb:
      return {"db", {{"db"}, 1}};
    case G::kCost:
      return {"cost", {{"cost"}, 1}};
  }
  return {"", {}};
}

}  // namespace

std::string_view aliasGroupName(G group) { return groupInfo(group).prefix; }

GroupPath aliasGroupPath(G group) { return groupInfo(group).path; }

namespace {

// Open addressing over a small power-of-two table; the hash is computed while
// the key is squashed, so a lookup costs one pass over the key.
constexpr size_t kSlots = 512;

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

// Serilog's compact JSON reserves a few one- and two-letter names; they are
// aliases only with their `@`, where no other logger would use them.
Alias serilogAlias(std::string_view key) {
  if (key == "@t") return {C::kTimestamp};
  if (key == "@m") return {C::kMessage};
  if (key == "@mt") return {C::kMessageTemplate};
  if (key == "@tr") return {C::kTraceId};
  if (key == "@sp") return {C::kSpanId};
  if (key == "@l") return {C::kLevel};
  if (key == "@x") return {C::kErrorStack};
  return {};
}

}  // namespace

Alias lookupAlias(AliasGroup enclosing, std::string_view key) {
  if (key.size() <= 3 && !key.empty() && key.front() == '@' && enclosing == G::kTop) {
    if (Alias alias = serilogAlias(key); alias.known()) return alias;
  }
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
