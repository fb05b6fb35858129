#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "pipeline/timestamp.h"

namespace sluice {

// A value in an event under construction. Text is borrowed: from the line
// being parsed, from the normalizer's scratch space or from configuration.
struct FieldValue {
  enum class Kind : uint8_t {
    kNone,    // no value: the node is an object, or unset
    kRaw,     // JSON text copied to the output as it is
    kString,  // plain text, escaped on output
    kInt,
    kTimestamp,  // nanoseconds, written as an RFC 3339 string
  };
  Kind kind = Kind::kNone;
  std::string_view text;
  int64_t number = 0;

  static FieldValue raw(std::string_view json) { return {Kind::kRaw, json, 0}; }
  static FieldValue string(std::string_view s) { return {Kind::kString, s, 0}; }
  static FieldValue integer(int64_t v) { return {Kind::kInt, {}, v}; }
  static FieldValue timestamp(TimestampNs ns) { return {Kind::kTimestamp, {}, ns}; }
  bool empty() const { return kind == Kind::kNone; }
};

// The shape of one event as nested objects, rebuilt for every event without
// allocating once warm: nodes live in a vector that is reset, not freed.
// Documented fields are declared once, up front, so they come first in every
// event and in the documented order; fields found in the log are appended.
class DocumentTree {
 public:
  using NodeId = int32_t;
  static constexpr NodeId kRoot = 0;
  static constexpr NodeId kInvalid = -1;

  DocumentTree();

  // Declares a path at construction time; returns its leaf node.
  NodeId declare(std::initializer_list<std::string_view> path);
  // The same for a dotted path ("http.request.method"); the text must outlive
  // the tree.
  NodeId declareDotted(std::string_view dotted_path);
  // Ends declarations: reset() returns to this state.
  void sealSkeleton();
  void reset();

  // Keys are written as they are when `key_is_json_safe` (no quote,
  // backslash or control character: the documented names, or keys copied
  // from a JSON line without escapes), escaped otherwise.
  NodeId find(NodeId parent, std::string_view key) const;
  // Finds or creates the object child `key`; kInvalid when `parent` is a leaf
  // or `key` is a leaf already.
  NodeId objectChild(NodeId parent, std::string_view key, bool key_is_json_safe = true);
  // Finds or creates the leaf `key`; kInvalid when it exists as an object
  // (declared or with members). Without `overwrite`, also kInvalid when it
  // has a value or is a declared (documented) leaf: a log's own fields never
  // take the place of the documented ones.
  NodeId leaf(NodeId parent, std::string_view key, bool overwrite, bool key_is_json_safe = true);
  // Splits a dotted key ("http.method") into nested objects; a key with empty
  // segments ("a..b", ".x") is taken whole.
  NodeId leafPath(NodeId parent, std::string_view dotted_key, bool overwrite,
                  bool key_is_json_safe = true);

  const FieldValue& value(NodeId node) const { return nodes_[static_cast<size_t>(node)].value; }
  // Sets a leaf's value and marks the objects above it as having content,
  // so that writing skips the many documented objects an event leaves empty.
  void set(NodeId node, FieldValue value) {
    nodes_[static_cast<size_t>(node)].value = value;
    if (value.empty()) return;
    for (NodeId n = node; n >= 0 && !nodes_[static_cast<size_t>(n)].filled;
         n = nodes_[static_cast<size_t>(n)].parent) {
      nodes_[static_cast<size_t>(n)].filled = true;
    }
  }
  // Sets the member text written instead of key and value; cleared when the
  // value is overwritten through leaf().
  void setMember(NodeId node, std::string_view member) {
    nodes_[static_cast<size_t>(node)].member = member;
  }
  bool hasChildren(NodeId node) const { return nodes_[static_cast<size_t>(node)].first_child >= 0; }

  // Serializes the tree as one JSON object; unset leaves and empty objects
  // are left out. Returns false if a string had invalid UTF-8 (replaced).
  bool write(std::string& out) const;

 private:
  struct Node {
    std::string_view key;
    bool key_is_json_safe = true;
    bool declared = false;  // part of the documented layout
    bool filled = false;    // this node or one below it has a value
    FieldValue value;
    // The whole `"key":value` as it stood in the line, when it can be copied
    // to the output in one piece (most unknown fields).
    std::string_view member;
    // One bit per child key hash: most lookups of a new key end here.
    uint64_t child_keys = 0;
    NodeId parent = kInvalid;
    NodeId first_child = kInvalid;
    NodeId last_child = kInvalid;
    NodeId next_sibling = kInvalid;
  };
  static uint64_t keyBit(std::string_view key) {
    return key.empty()
               ? 1
               : uint64_t{1} << ((key.size() * 31 + static_cast<unsigned char>(key.front()) * 7 +
                                  static_cast<unsigned char>(key.back())) &
                                 63);
  }
  NodeId append(NodeId parent, std::string_view key, bool key_is_json_safe);
  bool writeObject(std::string& out, NodeId node, bool& utf8_ok) const;
  static void writeValue(std::string& out, const FieldValue& v, bool& utf8_ok);

  std::vector<Node> nodes_;
  std::vector<Node> skeleton_;
};

}  // namespace sluice
