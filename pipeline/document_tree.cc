#include "pipeline/document_tree.h"

#include <fmt/format.h>

#include "pipeline/json_escape.h"

namespace sluice {

DocumentTree::DocumentTree() { nodes_.emplace_back(); }

DocumentTree::NodeId DocumentTree::declare(std::initializer_list<std::string_view> path) {
  NodeId node = kRoot;
  for (std::string_view key : path) {
    NodeId child = find(node, key);
    node = child >= 0 ? child : append(node, key, true);
    nodes_[static_cast<size_t>(node)].declared = true;
  }
  return node;
}

DocumentTree::NodeId DocumentTree::declareDotted(std::string_view dotted_path) {
  NodeId node = kRoot;
  while (!dotted_path.empty()) {
    const size_t dot = dotted_path.find('.');
    const std::string_view key = dotted_path.substr(0, dot);
    NodeId child = find(node, key);
    node = child >= 0 ? child : append(node, key, true);
    nodes_[static_cast<size_t>(node)].declared = true;
    dotted_path.remove_prefix(dot == std::string_view::npos ? dotted_path.size() : dot + 1);
  }
  return node;
}

void DocumentTree::sealSkeleton() { skeleton_ = nodes_; }

void DocumentTree::reset() { nodes_.assign(skeleton_.begin(), skeleton_.end()); }

DocumentTree::NodeId DocumentTree::append(NodeId parent, std::string_view key,
                                          bool key_is_json_safe) {
  NodeId id = static_cast<NodeId>(nodes_.size());
  Node& node = nodes_.emplace_back();
  node.key = key;
  node.key_is_json_safe = key_is_json_safe;
  node.parent = parent;
  Node& p = nodes_[static_cast<size_t>(parent)];
  p.child_keys |= keyBit(key);
  if (p.last_child >= 0) {
    nodes_[static_cast<size_t>(p.last_child)].next_sibling = id;
  } else {
    p.first_child = id;
  }
  p.last_child = id;
  return id;
}

DocumentTree::NodeId DocumentTree::find(NodeId parent, std::string_view key) const {
  if ((nodes_[static_cast<size_t>(parent)].child_keys & keyBit(key)) == 0) return kInvalid;
  for (NodeId c = nodes_[static_cast<size_t>(parent)].first_child; c >= 0;
       c = nodes_[static_cast<size_t>(c)].next_sibling) {
    if (nodes_[static_cast<size_t>(c)].key == key) return c;
  }
  return kInvalid;
}

DocumentTree::NodeId DocumentTree::objectChild(NodeId parent, std::string_view key,
                                               bool key_is_json_safe) {
  if (!nodes_[static_cast<size_t>(parent)].value.empty()) return kInvalid;
  NodeId child = find(parent, key);
  if (child < 0) return append(parent, key, key_is_json_safe);
  const Node& n = nodes_[static_cast<size_t>(child)];
  const bool declared_leaf = n.declared && n.first_child < 0;
  return n.value.empty() && !declared_leaf ? child : kInvalid;
}

DocumentTree::NodeId DocumentTree::leaf(NodeId parent, std::string_view key, bool overwrite,
                                        bool key_is_json_safe) {
  if (!nodes_[static_cast<size_t>(parent)].value.empty()) return kInvalid;
  NodeId child = find(parent, key);
  if (child < 0) return append(parent, key, key_is_json_safe);
  const Node& n = nodes_[static_cast<size_t>(child)];
  // Documented objects (even while empty) and objects with members never
  // turn into leaves: the caller files the value elsewhere.
  if (n.first_child >= 0) return kInvalid;
  if (!overwrite && (!n.value.empty() || n.declared)) return kInvalid;
  nodes_[static_cast<size_t>(child)].member = {};
  return child;
}

DocumentTree::NodeId DocumentTree::leafPath(NodeId parent, std::string_view key, bool overwrite,
                                            bool safe) {
  size_t dot = key.find('.');
  if (dot == std::string_view::npos) return leaf(parent, key, overwrite, safe);
  // A key with empty segments is not a path.
  if (key.front() == '.' || key.back() == '.' || key.find("..") != std::string_view::npos) {
    return leaf(parent, key, overwrite, safe);
  }
  NodeId node = parent;
  size_t start = 0;
  while (dot != std::string_view::npos) {
    node = objectChild(node, key.substr(start, dot - start), safe);
    if (node < 0) return kInvalid;
    start = dot + 1;
    dot = key.find('.', start);
  }
  return leaf(node, key.substr(start), overwrite, safe);
}

void DocumentTree::writeValue(std::string& out, const FieldValue& v, bool& utf8_ok) {
  switch (v.kind) {
    case FieldValue::Kind::kRaw:
      out += v.text;
      break;
    case FieldValue::Kind::kString:
      if (!appendJsonString(out, v.text)) utf8_ok = false;
      break;
    case FieldValue::Kind::kInt:
      fmt::format_to(std::back_inserter(out), "{}", v.number);
      break;
    case FieldValue::Kind::kTimestamp:
      out += '"';
      appendRfc3339(out, v.number);
      out += '"';
      break;
    case FieldValue::Kind::kNone:
      break;
  }
}

bool DocumentTree::writeObject(std::string& out, NodeId id, bool& utf8_ok) const {
  out += '{';
  bool wrote_any = false;
  for (NodeId c = nodes_[static_cast<size_t>(id)].first_child; c >= 0;
       c = nodes_[static_cast<size_t>(c)].next_sibling) {
    const Node& child = nodes_[static_cast<size_t>(c)];
    if (!child.filled) continue;
    if (!child.member.empty()) {
      if (wrote_any) out += ',';
      out += child.member;
      wrote_any = true;
      continue;
    }
    size_t mark = out.size();
    if (wrote_any) out += ',';
    if (child.key_is_json_safe) {
      out += '"';
      out += child.key;
      out += "\":";
    } else {
      if (!appendJsonString(out, child.key)) utf8_ok = false;
      out += ':';
    }
    if (!child.value.empty()) {
      writeValue(out, child.value, utf8_ok);
    } else if (!writeObject(out, c, utf8_ok)) {
      out.resize(mark);  // an object whose members are all unset
      continue;
    }
    wrote_any = true;
  }
  out += '}';
  return wrote_any;
}

bool DocumentTree::write(std::string& out) const {
  bool utf8_ok = true;
  writeObject(out, kRoot, utf8_ok);
  return utf8_ok;
}

}  // namespace sluice
