#include "outputs/elasticsearch/bulk_encoder.h"

namespace sluice {

void appendBulkItem(std::string& body, const IndexTemplate& index, const Batch& batch,
                    size_t event_index, bool with_id) {
  const EventRecord& event = batch.events[event_index];
  body += "{\"create\":{\"_index\":\"";
  index.render(body, batch, event_index);
  if (with_id) {
    body += "\",\"_id\":\"";
    event.id.appendTo(body);
  }
  body += "\"}}\n";
  body += batch.document(event);
  body += '\n';
}

}  // namespace sluice
