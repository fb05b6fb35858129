#include "outputs/dead_letter_sink.h"

#include "pipeline/json_escape.h"
#include "pipeline/metrics.h"
#include "pipeline/timestamp.h"

namespace sluice {

bool DeadLetterSink::write(const Record& record, std::string& error) {
  if (!append(record, error)) return false;
  metrics()
      .counter("sluice_dead_letter_events_total",
               "Events written to an output's dead-letter destination, by reason",
               {{"output", std::string(record.output)}, {"reason", std::string(record.reason)}})
      .add();
  return true;
}

void appendDeadLetterJson(std::string& out, const DeadLetterSink::Record& r, bool for_index) {
  out += "{\"@timestamp\":\"";
  appendRfc3339(out, nowNs());
  // In an index everything goes under `dead_letter`: an index template for
  // the events (whose pattern may match the dead-letter index) maps `event`
  // and friends as the schema's objects.
  out += for_index ? "\",\"dead_letter\":{\"output\":" : "\",\"output\":";
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
  if (for_index) {
    appendJsonString(out, r.event);
    out += '}';
  } else {
    out += r.event;  // already a JSON document
  }
  out += '}';
}

}  // namespace sluice
