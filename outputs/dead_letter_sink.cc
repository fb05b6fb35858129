#include "outputs/dead_letter_sink.h"

#include "pipeline/json_escape.h"
#include "pipeline/timestamp.h"

namespace sluice {

void appendDeadLetterJson(std::string& out, const DeadLetterSink::Record& r, bool event_as_text) {
  out += "{\"@timestamp\":\"";
  appendRfc3339(out, nowNs());
  out += "\",\"output\":";
  appendJsonString(out, r.output);
  out += ",\"index\":";
  appendJsonString(out, r.target);
  out += ",\"status\":" + std::to_string(r.status) + ",\"reason\":";
  appendJsonString(out, r.reason);
  out += ",\"detail\":";
  appendJsonString(out, r.detail);
  out += ",\"event_id\":";
  appendJsonString(out, r.event_id);
  out += ",\"event\":";
  if (event_as_text) {
    appendJsonString(out, r.event);
  } else {
    out += r.event;  // already a JSON document
  }
  out += '}';
}

}  // namespace sluice
