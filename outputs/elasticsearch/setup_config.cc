#include "outputs/elasticsearch/setup_config.h"

#include <algorithm>
#include <string>
#include <string_view>

namespace sluice {
namespace {

using std::chrono::milliseconds;

bool isSeparator(char c) { return c == '-' || c == '_' || c == '.'; }

// Template and policy names go into URLs unescaped: the characters of index
// names that need no escaping.
std::string nameError(std::string_view name) {
  if (name.empty() || name.size() > 255) return "must be 1 to 255 characters";
  for (char c : name) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || isSeparator(c))) {
      return "may hold only a-z, 0-9, '-', '_' and '.'";
    }
  }
  if (isSeparator(name.front())) return "must start with a letter or a digit";
  return {};
}

// Keys left out take their default, capped at the next phase's age, so that
// `{delete: 10d}` alone is a valid, shorter retention.
LifecycleConfig parseLifecycle(YamlReader& r) {
  LifecycleConfig d;
  LifecycleConfig c;
  c.delete_after = r.duration("delete", d.delete_after);
  c.warm = r.duration("warm", std::min(d.warm, c.delete_after));
  c.hot = r.duration("hot", std::min(d.hot, c.warm));
  if (c.hot <= milliseconds(0)) r.error("hot", "must be positive");
  if (c.warm < c.hot) r.error("warm", "must not be below hot (ages since the index was created)");
  if (c.delete_after < c.warm) r.error("delete", "must not be below warm");
  r.rejectUnknownKeys();
  return c;
}

void parseMapping(YamlReader& r, SetupConfig& s) {
  s.install_template = r.boolean("template", true);
  s.overwrite = r.boolean("overwrite", false);
  s.priority = static_cast<int>(r.integer("priority", s.priority, 0, 2'147'483'647));
  s.name = r.string("name", s.name);
  if (std::string problem = nameError(s.name); !problem.empty()) r.error("name", problem);
  if (r.isMapping("lifecycle")) {
    if (auto lifecycle = r.object("lifecycle")) s.lifecycle = parseLifecycle(*lifecycle);
  } else if (!r.boolean("lifecycle", true)) {
    s.lifecycle.reset();
  }
  r.rejectUnknownKeys();
}

}  // namespace

std::string indexPatternOf(std::string_view index) {
  std::string pattern;
  for (size_t i = 0; i < index.size(); ++i) {
    if (index[i] != '{') {
      pattern += index[i];
      continue;
    }
    size_t close = index.find('}', i);
    if (close == std::string_view::npos) close = index.size() - 1;
    if (pattern.empty() || pattern.back() != '*') pattern += '*';
    i = close;
  }
  return pattern;
}

std::string defaultSetupName(std::string_view pattern) {
  std::string name;
  for (char c : pattern) {
    if (c == '*') continue;
    if (isSeparator(c) && (name.empty() || isSeparator(name.back()))) continue;
    name += c;
  }
  while (!name.empty() && isSeparator(name.back())) name.pop_back();
  return name.empty() ? "sluice" : "sluice-" + name;
}

SetupConfig SetupConfig::parse(YamlReader& output, std::string_view index, bool data_stream) {
  SetupConfig s;
  s.data_stream = data_stream;
  const std::string pattern = data_stream ? std::string(index) : indexPatternOf(index);
  s.index_patterns = {pattern};
  s.name = defaultSetupName(pattern);
  const bool configured = output.has("setup");
  if (output.isMapping("setup")) {
    if (auto setup = output.object("setup")) parseMapping(*setup, s);
  } else {
    s.enabled = output.boolean("setup", true);
  }
  if (!s.install_template && !s.lifecycle) s.enabled = false;
  // A template or ISM policy for `*-...` would take over every new index,
  // system indices included, and delete them after the retention.
  if (s.enabled && !pattern.empty() && pattern.front() == '*') {
    const std::string problem = "the index pattern \"" + pattern +
                                "\" does not start with literal text and would match every index";
    if (configured) {
      output.error("setup", problem +
                                ": start index with a prefix (logs-{service.name}) or "
                                "set setup: false");
    } else {
      s.enabled = false;
      s.disabled_reason = problem;
    }
  }
  return s;
}

}  // namespace sluice
