#pragma once

#include <string>

#include "outputs/elasticsearch/index_template.h"
#include "pipeline/batch.h"

namespace sluice {

// Appends one event as a `create` action of the _bulk API:
//   {"create":{"_index":"...","_id":"..."}}\n{...event...}\n
// `create` with a deterministic _id makes a replayed event a 409, not a
// duplicate. Without `with_id`, Elasticsearch picks the id.
void appendBulkItem(std::string& body, const IndexTemplate& index, const Batch& batch,
                    size_t event_index, bool with_id = true);

}  // namespace sluice
