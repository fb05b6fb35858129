#include "outputs/elasticsearch/bulk_response.h"

#include <simdjson.h>

namespace sluice {
namespace {

namespace od = simdjson::ondemand;

bool parseItem(od::object wrapper, BulkItemResult& item) {
  // Each item is {"<action>": {... "status": N, "error": {...}}}.
  for (auto action : wrapper) {
    od::object body;
    if (action.value().get_object().get(body)) return false;
    for (auto field : body) {
      std::string_view key;
      if (field.unescaped_key().get(key)) return false;
      if (key == "status") {
        int64_t status;
        if (field.value().get_int64().get(status)) return false;
        item.status = static_cast<int>(status);
      } else if (key == "error") {
        od::value err = field.value();
        od::object err_object;
        if (err.get_object().get(err_object) == simdjson::SUCCESS) {
          for (auto ef : err_object) {
            std::string_view ek, ev;
            if (ef.unescaped_key().get(ek)) return false;
            if ((ek == "type" || ek == "reason") &&
                ef.value().get_string().get(ev) == simdjson::SUCCESS) {
              std::string& target = ek == "type" ? item.error_type : item.error_reason;
              target.assign(ev.substr(0, 512));
            }
          }
        }
      }
    }
    return item.status != 0;
  }
  return false;
}

}  // namespace

ItemOutcome classifyItem(int status) {
  if ((status >= 200 && status < 300) || status == 409) return ItemOutcome::kDelivered;
  if (status == 429 || status >= 500) return ItemOutcome::kRetry;
  return ItemOutcome::kReject;
}

std::optional<BulkResponse> parseBulkResponse(const std::string& body, size_t expected_items,
                                              std::string& error) {
  od::parser parser;
  od::document doc;
  if (body.capacity() < body.size() + simdjson::SIMDJSON_PADDING) {
    error = "internal: response buffer without padding";
    return std::nullopt;
  }
  if (parser.iterate(body.data(), body.size(), body.capacity()).get(doc)) {
    error = "response is not JSON";
    return std::nullopt;
  }
  od::object root;
  if (doc.get_object().get(root)) {
    error = "response is not a JSON object";
    return std::nullopt;
  }
  BulkResponse response;
  bool saw_errors = false;
  bool saw_items = false;
  for (auto field : root) {
    std::string_view key;
    if (field.unescaped_key().get(key)) break;
    if (key == "errors") {
      if (field.value().get_bool().get(response.errors)) {
        error = "\"errors\" is not a boolean";
        return std::nullopt;
      }
      saw_errors = true;
      if (!response.errors) return response;  // the common case: nothing to look at
    } else if (key == "items") {
      if (!saw_errors) {
        error = "\"items\" before \"errors\"";
        return std::nullopt;
      }
      od::array items;
      if (field.value().get_array().get(items)) {
        error = "\"items\" is not an array";
        return std::nullopt;
      }
      for (auto entry : items) {
        od::object wrapper;
        BulkItemResult item;
        if (entry.get_object().get(wrapper) || !parseItem(wrapper, item)) {
          error = "malformed item in \"items\"";
          return std::nullopt;
        }
        response.items.push_back(std::move(item));
      }
      saw_items = true;
    }
  }
  if (!saw_errors) {
    error = "response has no \"errors\" field";
    return std::nullopt;
  }
  if (!saw_items || response.items.size() != expected_items) {
    error = "response has " + std::to_string(response.items.size()) + " items for " +
            std::to_string(expected_items) + " events";
    return std::nullopt;
  }
  return response;
}

}  // namespace sluice
