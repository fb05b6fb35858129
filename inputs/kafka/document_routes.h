#pragma once

#include <simdjson.h>

#include <string>
#include <string_view>
#include <vector>

#include "pipeline/batch.h"

namespace sluice {

// Reads the values outputs route by (BuildContext::route_fields) out of an
// event that arrives as a finished document, and files them in a batch the
// way the normalizer does for events it builds: one span per route field,
// strings unescaped, numbers and booleans as text, anything else missing.
class DocumentRoutes {
 public:
  explicit DocumentRoutes(const std::vector<std::string>& route_fields);

  size_t fieldCount() const { return fields_.size(); }
  // A field "service.name" is looked up as nested objects first
  // ({"service":{"name":..}}), then as a flat key ({"service.name":..}).
  void capture(simdjson::dom::object document, Batch& batch) const;
  // An event without the fields (a message that was not a JSON object).
  void captureNone(Batch& batch) const;

 private:
  struct Field {
    std::string dotted;
    std::vector<std::string> parts;
  };
  static simdjson::dom::element find(simdjson::dom::object document, const Field& field,
                                     bool& found);

  std::vector<Field> fields_;
};

}  // namespace sluice
