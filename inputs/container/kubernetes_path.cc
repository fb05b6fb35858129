#include "inputs/container/kubernetes_path.h"

#include <algorithm>
#include <string>
#include <utility>

#include "pipeline/json_escape.h"

namespace sluice {
namespace {

constexpr size_t kContainerIdLength = 64;

bool isDigit(char c) { return c >= '0' && c <= '9'; }
bool isLowerAlnum(char c) { return (c >= 'a' && c <= 'z') || isDigit(c); }
bool isLowerHex(char c) { return (c >= 'a' && c <= 'f') || isDigit(c); }

template <class Pred>
bool allOf(std::string_view s, Pred pred) {
  return std::all_of(s.begin(), s.end(), pred);
}

// [a-z0-9]([-a-z0-9]*[a-z0-9])?
bool isLabelShaped(std::string_view s) {
  return !s.empty() && isLowerAlnum(s.front()) && isLowerAlnum(s.back()) &&
         allOf(s, [](char c) { return isLowerAlnum(c) || c == '-'; });
}

// RFC 1123 label: namespaces, container names.
bool isDnsLabel(std::string_view s) { return s.size() <= 63 && isLabelShaped(s); }

// RFC 1123 subdomain: pod names (`web-7d4b9c-x2x4q`, `etcd-node1.example`).
bool isDnsSubdomain(std::string_view s) {
  if (s.size() > 253) return false;
  while (true) {
    const size_t dot = s.find('.');
    if (!isLabelShaped(s.substr(0, dot))) return false;
    if (dot == std::string_view::npos) return true;
    s.remove_prefix(dot + 1);
  }
}

// A UUID for API pods; the 32 hex digits of a config hash for static pods.
bool isPodUid(std::string_view s) {
  return !s.empty() && s.size() <= 64 && allOf(s, [](char c) { return isLowerHex(c) || c == '-'; });
}

// `<restart count>.log`, or `.log.20240115-103000` once the kubelet rotated it.
bool isPodLogFileName(std::string_view name) {
  size_t digits = 0;
  while (digits < name.size() && isDigit(name[digits])) ++digits;
  if (digits == 0) return false;
  name.remove_prefix(digits);
  if (!name.starts_with(".log")) return false;
  name.remove_prefix(4);
  if (name.empty()) return true;
  return name.size() > 1 && name[0] == '.' &&
         allOf(name.substr(1), [](char c) { return isDigit(c) || c == '-'; });
}

// Removes the last component from `path` and returns it.
std::string_view popComponent(std::string_view& path) {
  const size_t slash = path.rfind('/');
  if (slash == std::string_view::npos) {
    std::string_view last = path;
    path = {};
    return last;
  }
  std::string_view last = path.substr(slash + 1);
  path = path.substr(0, slash);
  return last;
}

// `a_b_c`: exactly three parts. Kubernetes names cannot hold `_`.
bool splitThree(std::string_view s, std::string_view& a, std::string_view& b, std::string_view& c) {
  const size_t first = s.find('_');
  if (first == std::string_view::npos) return false;
  const size_t second = s.find('_', first + 1);
  if (second == std::string_view::npos || s.find('_', second + 1) != std::string_view::npos) {
    return false;
  }
  a = s.substr(0, first);
  b = s.substr(first + 1, second - first - 1);
  c = s.substr(second + 1);
  return true;
}

std::optional<KubernetesPathInfo> parseContainersForm(std::string_view path) {
  std::string_view file = popComponent(path);
  if (popComponent(path) != "containers" || !file.ends_with(".log")) return std::nullopt;
  std::string_view stem = file.substr(0, file.size() - 4);
  if (stem.size() <= kContainerIdLength + 1) return std::nullopt;
  const std::string_view id = stem.substr(stem.size() - kContainerIdLength);
  if (stem[stem.size() - kContainerIdLength - 1] != '-' || !allOf(id, isLowerHex)) {
    return std::nullopt;
  }
  KubernetesPathInfo info;
  if (!splitThree(stem.substr(0, stem.size() - kContainerIdLength - 1), info.pod_name,
                  info.namespace_name, info.container_name) ||
      !isDnsSubdomain(info.pod_name) || !isDnsLabel(info.namespace_name) ||
      !isDnsLabel(info.container_name)) {
    return std::nullopt;
  }
  info.container_id = id;
  return info;
}

std::optional<KubernetesPathInfo> parsePodsForm(std::string_view path) {
  std::string_view file = popComponent(path);
  KubernetesPathInfo info;
  info.container_name = popComponent(path);
  std::string_view pod_dir = popComponent(path);
  if (popComponent(path) != "pods" || !isPodLogFileName(file) || !isDnsLabel(info.container_name) ||
      !splitThree(pod_dir, info.namespace_name, info.pod_name, info.pod_uid) ||
      !isDnsLabel(info.namespace_name) || !isDnsSubdomain(info.pod_name) ||
      !isPodUid(info.pod_uid)) {
    return std::nullopt;
  }
  return info;
}

void addField(std::vector<StaticField>& fields, std::string_view path, std::string_view value) {
  StaticField field{std::string(path), {}};
  appendJsonString(field.json, value);
  fields.push_back(std::move(field));
}

}  // namespace

std::optional<KubernetesPathInfo> parseKubernetesPath(std::string_view path) {
  if (auto info = parseContainersForm(path)) return info;
  return parsePodsForm(path);
}

void appendKubernetesFields(const KubernetesPathInfo& info, std::vector<StaticField>& fields) {
  addField(fields, "kubernetes.namespace", info.namespace_name);
  addField(fields, "kubernetes.pod.name", info.pod_name);
  if (!info.pod_uid.empty()) addField(fields, "kubernetes.pod.uid", info.pod_uid);
  addField(fields, "kubernetes.container.name", info.container_name);
  addField(fields, "container.name", info.container_name);
  if (!info.container_id.empty()) addField(fields, "container.id", info.container_id);
}

}  // namespace sluice
