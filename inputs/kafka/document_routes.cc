#include "inputs/kafka/document_routes.h"

#include <fmt/format.h>

#include <iterator>

namespace sluice {

DocumentRoutes::DocumentRoutes(const std::vector<std::string>& route_fields) {
  for (const std::string& dotted : route_fields) {
    Field field{dotted, {}};
    std::string_view rest = dotted;
    for (size_t dot; (dot = rest.find('.')) != std::string_view::npos;) {
      field.parts.emplace_back(rest.substr(0, dot));
      rest.remove_prefix(dot + 1);
    }
    field.parts.emplace_back(rest);
    fields_.push_back(std::move(field));
  }
}

simdjson::dom::element DocumentRoutes::find(simdjson::dom::object document, const Field& field,
                                            bool& found) {
  simdjson::dom::element element;
  simdjson::dom::object object = document;
  found = true;
  for (size_t i = 0; i < field.parts.size(); ++i) {
    if (object.at_key(field.parts[i]).get(element)) break;
    if (i + 1 == field.parts.size()) return element;
    if (element.get_object().get(object)) break;
  }
  if (field.parts.size() > 1 && !document.at_key(field.dotted).get(element)) return element;
  found = false;
  return element;
}

void DocumentRoutes::capture(simdjson::dom::object document, Batch& batch) const {
  for (const Field& field : fields_) {
    bool found = false;
    simdjson::dom::element value = find(document, field, found);
    TextSpan span;
    if (found) {
      const size_t begin = batch.route_text.size();
      bool kept = true;
      switch (value.type()) {
        case simdjson::dom::element_type::STRING:
          batch.route_text += value.get_string().value_unsafe();
          break;
        case simdjson::dom::element_type::INT64:
          fmt::format_to(std::back_inserter(batch.route_text), "{}",
                         value.get_int64().value_unsafe());
          break;
        case simdjson::dom::element_type::UINT64:
          fmt::format_to(std::back_inserter(batch.route_text), "{}",
                         value.get_uint64().value_unsafe());
          break;
        case simdjson::dom::element_type::DOUBLE:
          fmt::format_to(std::back_inserter(batch.route_text), "{}",
                         value.get_double().value_unsafe());
          break;
        case simdjson::dom::element_type::BOOL:
          batch.route_text += value.get_bool().value_unsafe() ? "true" : "false";
          break;
        default:  // null, objects and arrays name no index
          kept = false;
          break;
      }
      if (kept) {
        span.offset = static_cast<uint32_t>(begin);
        span.length = static_cast<uint32_t>(batch.route_text.size() - begin);
      }
    }
    batch.routes.push_back(span);
  }
}

void DocumentRoutes::captureNone(Batch& batch) const {
  batch.routes.insert(batch.routes.end(), fields_.size(), TextSpan{});
}

}  // namespace sluice
