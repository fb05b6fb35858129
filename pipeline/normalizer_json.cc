// JSON lines: one pass of simdjson on-demand over the object, mapping known
// names to documented fields and keeping the rest in place.

#include "pipeline/ascii.h"
#include "pipeline/json_escape.h"
#include "pipeline/normalizer.h"

namespace sluice {
namespace {

namespace od = simdjson::ondemand;
using NodeId = DocumentTree::NodeId;

constexpr int kMaxAliasDepth = 4;

}  // namespace

NodeId Normalizer::groupNode(AliasGroup group) {
  GroupPath path = aliasGroupPath(group);
  NodeId target = DocumentTree::kRoot;
  for (size_t i = 0; i < path.size && target >= 0; ++i) {
    target = tree_.objectChild(target, path.parts[i]);
  }
  return path.size == 0 ? DocumentTree::kInvalid : target;
}

bool Normalizer::keepUnderLabels(std::string_view key, bool key_is_json_safe, AliasGroup group,
                                 FieldValue value) {
  NodeId labels = tree_.objectChild(DocumentTree::kRoot, "labels");
  std::string_view prefix = aliasGroupName(group);
  std::string_view label = prefix.empty() ? key : scratchJoin(prefix, key);
  NodeId node = labels >= 0 && !label.empty() ? tree_.leaf(labels, label, false, key_is_json_safe)
                                              : DocumentTree::kInvalid;
  if (node < 0) return false;
  tree_.set(node, value);
  return true;
}

bool Normalizer::keepUnknown(NodeId parent, std::string_view key, bool key_is_json_safe,
                             od::value value, od::json_type type, AliasGroup group) {
  FieldValue kept;
  if (!validValue(value, type, kept)) return false;
  if (group == AliasGroup::kTop && key == "tags" &&
      (type == od::json_type::array || type == od::json_type::string) &&
      tree_.value(tags_node_).empty()) {
    tree_.set(tags_node_, kept);  // merged with sluice's own tags at the end
    return true;
  }
  NodeId node = tree_.leafPath(parent, key, /*overwrite=*/false, key_is_json_safe);
  if (node >= 0) {
    tree_.set(node, kept);
    // A key that was not split at dots stands in the output as in the line.
    if (key_is_json_safe && kept.kind == FieldValue::Kind::kRaw &&
        key.find('.') == std::string_view::npos) {
      // key points just past its opening quote, inside the line; the value
      // ends the member.
      const char* begin = key.data() - 1;
      const char* end = kept.text.data() + kept.text.size();
      tree_.setMember(node, std::string_view(begin, static_cast<size_t>(end - begin)));
    }
    return true;
  }
  // The name is taken by a documented field or a duplicate key: keep the
  // value under labels.* rather than produce a document Elasticsearch
  // rejects. An object where the schema has a value, or a value where it has
  // an object, is a type clash worth a tag.
  const NodeId taken = tree_.find(parent, key);
  const bool value_is_object = type == od::json_type::object || type == od::json_type::array;
  if (taken >= 0 && tree_.hasChildren(taken) != value_is_object) addTag("type_conflict");
  if (!keepUnderLabels(key, key_is_json_safe, group, kept)) conflict_ = true;
  return true;
}

bool Normalizer::validValue(od::value value, od::json_type type, FieldValue& out) {
  // On-demand parsing skips what it is not asked about, so a value copied
  // verbatim is checked first: one invalid byte would make Elasticsearch
  // reject the event. A line with an invalid value is not JSON (false).
  std::string_view raw;
  switch (type) {
    case od::json_type::object:
    case od::json_type::array: {
      if (type == od::json_type::object) {
        od::object object;
        if (value.get_object().get(object) || object.raw_json().get(raw)) return false;
      } else {
        od::array array;
        if (value.get_array().get(array) || array.raw_json().get(raw)) return false;
      }
      raw = trimRight(raw);
      // The span lies inside the padded line, so the parser may read past it.
      simdjson::dom::element ignored;
      out = FieldValue::raw(raw);
      return validator_.parse(raw.data(), raw.size(), false).get(ignored) == simdjson::SUCCESS;
    }
    case od::json_type::string: {
      raw = trimRight(value.raw_json_token());
      std::string_view text;
      Scalar s{raw, {}, true, false};
      if (!(raw.size() >= 2 && raw.back() == '"')) return false;
      FieldValue plain = stringValue(s);
      if (plain.kind == FieldValue::Kind::kRaw) {
        out = plain;
        return true;
      }
      if (value.get_string().get(text) != simdjson::SUCCESS) return false;
      out = FieldValue::string(text);
      return true;
    }
    case od::json_type::number:
      raw = trimRight(value.raw_json_token());
      out = FieldValue::raw(raw);
      return isJsonNumber(raw);
    case od::json_type::boolean:
    case od::json_type::null:
      raw = trimRight(value.raw_json_token());
      out = FieldValue::raw(raw);
      return raw == "true" || raw == "false" || raw == "null";
  }
  return false;
}

bool Normalizer::walkObject(od::object object, NodeId node, AliasGroup group, int depth) {
  for (auto member : object) {
    od::field field;
    od::json_type type;
    if (std::move(member).get(field)) return false;
    // Keys without escapes (nearly all) are used in place: no unescaping
    // now, no escaping on output.
    const char* raw_key = field.key().raw();
    const char* end = raw_key;
    while (*end != '"' && *end != '\\' && static_cast<unsigned char>(*end) >= 0x20) ++end;
    const bool key_is_json_safe = *end == '"';
    std::string_view key(raw_key, static_cast<size_t>(end - raw_key));
    if (!key_is_json_safe && field.unescaped_key().get(key)) return false;
    od::value value = field.value();
    if (value.type().get(type)) return false;
    Alias alias = lookupAlias(group, key);
    if (alias.group != AliasGroup::kTop && type == od::json_type::object &&
        depth < kMaxAliasDepth) {
      NodeId target = groupNode(alias.group);
      if (target >= 0) {
        od::object inner;
        if (value.get_object().get(inner) || !walkObject(inner, target, alias.group, depth + 1)) {
          return false;
        }
        continue;
      }
    }
    if (alias.field != Canonical::kNone && type != od::json_type::object &&
        type != od::json_type::array) {
      Scalar scalar;
      scalar.token = trimRight(value.raw_json_token());
      scalar.is_string = type == od::json_type::string;
      scalar.is_number = type == od::json_type::number;
      if (scalar.is_string) {
        if (value.get_string().get(scalar.text)) return false;
      } else {
        scalar.text = scalar.token;
      }
      if (group == AliasGroup::kTop && (key == "@t" || key == "@m" || key == "@mt"))
        serilog_ = true;
      if (takeCanonical(alias.field, scalar)) continue;
    }
    if (!keepUnknown(node, key, key_is_json_safe, value, type, group)) return false;
  }
  return true;
}

bool Normalizer::parseJson(std::string_view line) {
  od::document doc;
  if (parser_.iterate(line.data(), line.size(), line.size() + simdjson::SIMDJSON_PADDING)
          .get(doc)) {
    return false;
  }
  od::object object;
  if (doc.get_object().get(object)) return false;
  if (!walkObject(object, DocumentTree::kRoot, AliasGroup::kTop, 0)) return false;
  // Anything after the object means the line was not one JSON document.
  const char* trailing;
  return doc.current_location().get(trailing) != simdjson::SUCCESS;
}

}  // namespace sluice
