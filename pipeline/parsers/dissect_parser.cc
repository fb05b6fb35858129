#include "pipeline/parsers/dissect_parser.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <optional>

namespace sluice {
namespace {

struct Key {
  char modifier = 0;  // 0, '+', '?', '*' or '&'
  std::string name;
  unsigned order = 0;
  bool skip_padding = false;
  std::string delimiter;  // the literal after the field
};

std::optional<Key> parseKey(std::string_view body, std::string& error) {
  Key key;
  const std::string shown = "%{" + std::string(body) + "}";
  if (!body.empty() && std::string_view("+?*&").find(body.front()) != std::string_view::npos) {
    key.modifier = body.front();
    body.remove_prefix(1);
  }
  if (body.ends_with("->")) {
    key.skip_padding = true;
    body.remove_suffix(2);
  }
  if (size_t slash = body.rfind('/'); slash != std::string_view::npos && key.modifier == '+') {
    std::string_view digits = body.substr(slash + 1);
    auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), key.order);
    if (digits.empty() || ec != std::errc() || end != digits.data() + digits.size()) {
      error = "dissect field " + shown + ": the order after '/' must be a number";
      return std::nullopt;
    }
    body = body.substr(0, slash);
  }
  key.name = std::string(body);
  if (key.name.empty() && key.modifier != 0 && key.modifier != '?') {
    error = "dissect field " + shown + " needs a name";
    return std::nullopt;
  }
  return key;
}

bool isSkipped(const Key& key) {
  return key.modifier == '?' || (key.modifier == 0 && key.name.empty());
}

// The literal before the first field into `prefix`, then each field with
// the literal after it.
bool splitPattern(std::string_view pattern, std::string& prefix, std::vector<Key>& keys,
                  std::string& error) {
  if (pattern.empty()) {
    error = "dissect pattern is empty";
    return false;
  }
  size_t open = pattern.find("%{");
  if (open == std::string_view::npos) {
    error = "dissect pattern has no %{...} field";
    return false;
  }
  prefix = std::string(pattern.substr(0, open));
  while (open != std::string_view::npos) {
    const size_t close = pattern.find('}', open + 2);
    std::string_view body = close == std::string_view::npos
                                ? std::string_view()
                                : pattern.substr(open + 2, close - open - 2);
    if (close == std::string_view::npos || body.find("%{") != std::string_view::npos) {
      error = "dissect pattern: '%{' at offset " + std::to_string(open) + " is not closed";
      return false;
    }
    std::optional<Key> key = parseKey(body, error);
    if (!key) return false;
    const size_t next = pattern.find("%{", close + 1);
    const size_t literal_end = next == std::string_view::npos ? pattern.size() : next;
    key->delimiter = std::string(pattern.substr(close + 1, literal_end - close - 1));
    if (key->delimiter.empty() && next != std::string_view::npos) {
      error = "dissect pattern: fields at offsets " + std::to_string(open) + " and " +
              std::to_string(next) + " need a literal between them";
      return false;
    }
    if (keys.size() == DissectParser::kMaxFields) {
      error =
          "dissect pattern has more than " + std::to_string(DissectParser::kMaxFields) + " fields";
      return false;
    }
    keys.push_back(std::move(*key));
    open = next;
  }
  return true;
}

}  // namespace

std::unique_ptr<DissectParser> DissectParser::compile(std::string_view pattern,
                                                      std::string& error) {
  std::unique_ptr<DissectParser> parser(new DissectParser());
  std::vector<Key> keys;
  if (!splitPattern(pattern, parser->prefix_, keys, error)) return nullptr;
  for (const Key& key : keys) parser->fields_.push_back({key.delimiter, key.skip_padding});

  auto find_output = [&](std::string_view name, OutputKind kind) -> Output* {
    for (Output& o : parser->outputs_) {
      const bool same = kind == OutputKind::kReference
                            ? o.kind == kind && o.key == name
                            : o.kind != OutputKind::kReference && o.key == name;
      if (same) return &o;
    }
    return nullptr;
  };
  for (size_t i = 0; i < keys.size(); ++i) {
    const Key& key = keys[i];
    if (isSkipped(key)) continue;
    if (key.modifier == '*' || key.modifier == '&') {
      Output* o = find_output(key.name, OutputKind::kReference);
      if (o == nullptr) {
        parser->outputs_.push_back({OutputKind::kReference, key.name, {keys.size(), keys.size()}});
        o = &parser->outputs_.back();
      }
      size_t& slot = o->fields[key.modifier == '*' ? 0 : 1];
      if (slot != keys.size()) {
        error = "dissect pattern: %{" + std::string(1, key.modifier) + key.name + "} appears twice";
        return nullptr;
      }
      slot = i;
      continue;
    }
    const bool appended = std::any_of(keys.begin(), keys.end(), [&](const Key& k) {
      return k.modifier == '+' && k.name == key.name;
    });
    Output* o = find_output(key.name, OutputKind::kSingle);
    if (o != nullptr && !appended) {
      error = "dissect pattern: field '" + key.name + "' appears twice; use %{+" + key.name +
              "} to append";
      return nullptr;
    }
    if (o == nullptr) {
      parser->outputs_.push_back(
          {appended ? OutputKind::kJoined : OutputKind::kSingle, key.name, {}});
      o = &parser->outputs_.back();
    }
    o->fields.push_back(i);
  }
  for (Output& o : parser->outputs_) {
    if (o.kind == OutputKind::kReference) {
      if (o.fields[0] == keys.size() || o.fields[1] == keys.size()) {
        error = "dissect pattern: %{*" + o.key + "} and %{&" + o.key + "} must come in pairs";
        return nullptr;
      }
    } else if (o.kind == OutputKind::kJoined) {
      std::stable_sort(o.fields.begin(), o.fields.end(),
                       [&](size_t a, size_t b) { return keys[a].order < keys[b].order; });
    }
  }
  if (parser->outputs_.empty()) {
    error = "dissect pattern keeps no field: every field is skipped";
    return nullptr;
  }
  return parser;
}

bool DissectParser::parse(std::string_view line, ParsedLine& out) const {
  if (line.empty() || !line.starts_with(prefix_)) return false;
  std::array<std::string_view, kMaxFields> captured;
  size_t pos = prefix_.size();
  for (size_t i = 0; i < fields_.size(); ++i) {
    const std::string& delimiter = fields_[i].delimiter;
    if (delimiter.empty()) {
      captured[i] = line.substr(pos);
      pos = line.size();
      continue;
    }
    const size_t at = line.find(delimiter, pos);
    if (at == std::string_view::npos) return false;
    captured[i] = line.substr(pos, at - pos);
    pos = at + delimiter.size();
    if (fields_[i].skip_padding) {
      while (line.substr(pos).starts_with(delimiter)) pos += delimiter.size();
    }
  }
  for (const Output& o : outputs_) {
    switch (o.kind) {
      case OutputKind::kSingle:
        out.add(o.key, captured[o.fields[0]]);
        break;
      case OutputKind::kReference:
        // A document cannot usefully hold an empty key.
        if (!captured[o.fields[0]].empty()) out.add(captured[o.fields[0]], captured[o.fields[1]]);
        break;
      case OutputKind::kJoined: {
        if (o.fields.size() == 1) {
          out.add(o.key, captured[o.fields[0]]);
          break;
        }
        // One buffer per thread keeps its capacity, so joining allocates
        // only while it grows to the longest joined value.
        thread_local std::string scratch;
        scratch.clear();
        for (size_t k = 0; k < o.fields.size(); ++k) {
          if (k > 0) scratch.push_back(' ');
          scratch.append(captured[o.fields[k]]);
        }
        out.add(o.key, out.store(scratch));
        break;
      }
    }
  }
  return true;
}

}  // namespace sluice
