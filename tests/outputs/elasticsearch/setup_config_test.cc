#include "outputs/elasticsearch/setup_config.h"

#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <chrono>
#include <memory>
#include <string>
#include <string_view>

#include "outputs/elasticsearch/elasticsearch_config.h"

namespace sluice {
namespace {

using std::chrono::hours;

constexpr hours kDay{24};

// An elasticsearch output's mapping, parsed as the registry does.
struct Parsed {
  ConfigErrors errors{"test.yml"};
  std::unique_ptr<ElasticsearchConfig> config;

  explicit Parsed(std::string_view yaml) {
    YamlReader r(YAML::Load(std::string(yaml)), "outputs[0]", &errors);
    auto parsed = ElasticsearchConfig::parse(r);
    r.rejectUnknownKeys();
    config.reset(static_cast<ElasticsearchConfig*>(parsed.release()));
  }
  const SetupConfig& setup() const { return config->setup; }
  std::string errorText() const { return errors.format(); }
  bool hasError(std::string_view key, std::string_view text) const {
    for (const ConfigError& e : errors.all()) {
      if (e.key == key && e.message.find(text) != std::string::npos) return true;
    }
    return false;
  }
};

TEST(SetupConfig, OnByDefaultWithTheSeedsRetention) {
  Parsed p(R"(hosts: ["http://localhost:9200"])");
  ASSERT_TRUE(p.errors.empty()) << p.errorText();
  const SetupConfig& s = p.setup();
  EXPECT_TRUE(s.enabled);
  EXPECT_TRUE(s.install_template);
  EXPECT_FALSE(s.overwrite);
  EXPECT_EQ(s.priority, 200);
  EXPECT_EQ(s.name, "sluice-logs");
  EXPECT_EQ(s.index_patterns, std::vector<std::string>{"logs-*-*"});
  EXPECT_FALSE(s.data_stream);
  ASSERT_TRUE(s.lifecycle.has_value());
  EXPECT_EQ(s.lifecycle->hot, kDay * 7);
  EXPECT_EQ(s.lifecycle->warm, kDay * 14);
  EXPECT_EQ(s.lifecycle->delete_after, kDay * 30);
}

TEST(SetupConfig, EveryKey) {
  Parsed p(R"(
hosts: ["http://localhost:9200"]
index: "app-{service.tier}-{+yyyy.MM}"
setup:
  template: true
  overwrite: true
  name: my-logs
  priority: 500
  lifecycle: {hot: 1d, warm: 3d, delete: 90d}
)");
  ASSERT_TRUE(p.errors.empty()) << p.errorText();
  const SetupConfig& s = p.setup();
  EXPECT_TRUE(s.enabled);
  EXPECT_TRUE(s.overwrite);
  EXPECT_EQ(s.name, "my-logs");
  EXPECT_EQ(s.priority, 500);
  EXPECT_EQ(s.index_patterns, std::vector<std::string>{"app-*-*"});
  EXPECT_EQ(s.lifecycle->hot, kDay);
  EXPECT_EQ(s.lifecycle->warm, kDay * 3);
  EXPECT_EQ(s.lifecycle->delete_after, kDay * 90);
}

TEST(SetupConfig, BooleanForms) {
  EXPECT_FALSE(Parsed("{hosts: [\"http://h:9200\"], setup: false}").setup().enabled);
  EXPECT_TRUE(Parsed("{hosts: [\"http://h:9200\"], setup: true}").setup().enabled);
  Parsed no_lifecycle("{hosts: [\"http://h:9200\"], setup: {lifecycle: false}}");
  EXPECT_TRUE(no_lifecycle.setup().enabled);
  EXPECT_FALSE(no_lifecycle.setup().lifecycle.has_value());
  Parsed nothing("{hosts: [\"http://h:9200\"], setup: {template: false, lifecycle: false}}");
  EXPECT_FALSE(nothing.setup().enabled);
  Parsed policy_only("{hosts: [\"http://h:9200\"], setup: {template: false}}");
  EXPECT_TRUE(policy_only.setup().enabled);
  EXPECT_FALSE(policy_only.setup().install_template);
}

TEST(SetupConfig, LeftOutAgesAreCappedAtTheNextPhase) {
  Parsed p("{hosts: [\"http://h:9200\"], setup: {lifecycle: {delete: 10d}}}");
  ASSERT_TRUE(p.errors.empty()) << p.errorText();
  EXPECT_EQ(p.setup().lifecycle->hot, kDay * 7);
  EXPECT_EQ(p.setup().lifecycle->warm, kDay * 10);
  EXPECT_EQ(p.setup().lifecycle->delete_after, kDay * 10);
  Parsed q("{hosts: [\"http://h:9200\"], setup: {lifecycle: {warm: 2d}}}");
  ASSERT_TRUE(q.errors.empty()) << q.errorText();
  EXPECT_EQ(q.setup().lifecycle->hot, kDay * 2);
}

TEST(SetupConfig, DataStreamPatternIsTheStream) {
  Parsed p("{hosts: [\"http://h:9200\"], data_stream: {dataset: nginx}}");
  ASSERT_TRUE(p.errors.empty()) << p.errorText();
  EXPECT_TRUE(p.setup().data_stream);
  EXPECT_EQ(p.setup().index_patterns, std::vector<std::string>{"logs-nginx-default"});
  EXPECT_EQ(p.setup().name, "sluice-logs-nginx-default");
}

TEST(SetupConfig, Errors) {
  const std::string h = "hosts: [\"http://h:9200\"]\n";
  EXPECT_TRUE(Parsed(h + "setup: {lifecycle: {hot: 0s}}")
                  .hasError("outputs[0].setup.lifecycle.hot", "positive"));
  EXPECT_TRUE(Parsed(h + "setup: {lifecycle: {hot: 5d, warm: 2d}}")
                  .hasError("outputs[0].setup.lifecycle.warm", "below hot"));
  EXPECT_TRUE(Parsed(h + "setup: {lifecycle: {warm: 20d, delete: 10d}}")
                  .hasError("outputs[0].setup.lifecycle.delete", "below warm"));
  EXPECT_TRUE(Parsed(h + "setup: {lifecycle: {cold: 20d}}")
                  .hasError("outputs[0].setup.lifecycle.cold", "unknown"));
  EXPECT_TRUE(Parsed(h + "setup: {name: Logs}").hasError("outputs[0].setup.name", "a-z"));
  EXPECT_TRUE(Parsed(h + "setup: {name: -x}").hasError("outputs[0].setup.name", "start"));
  EXPECT_TRUE(Parsed(h + "setup: {priority: -1}").hasError("outputs[0].setup.priority", "between"));
  EXPECT_TRUE(
      Parsed(h + "setup: {templates: true}").hasError("outputs[0].setup.templates", "unknown"));
  EXPECT_TRUE(Parsed(h + "setup: maybe").hasError("outputs[0].setup", "true or false"));
}

// A pattern that starts with `*` would take over every index (and ISM would
// delete them): refused when setup is asked for, quietly off by default.
TEST(SetupConfig, PatternWithoutPrefix) {
  Parsed by_default("{hosts: [\"http://h:9200\"], index: \"{service.name}-{+yyyy}\"}");
  ASSERT_TRUE(by_default.errors.empty()) << by_default.errorText();
  EXPECT_FALSE(by_default.setup().enabled);
  EXPECT_NE(by_default.setup().disabled_reason.find("*-*"), std::string::npos);

  Parsed asked("{hosts: [\"http://h:9200\"], index: \"{service.name}\", setup: {priority: 9}}");
  EXPECT_TRUE(asked.hasError("outputs[0].setup", "would match every index")) << asked.errorText();
  Parsed off("{hosts: [\"http://h:9200\"], index: \"{service.name}\", setup: false}");
  EXPECT_TRUE(off.errors.empty()) << off.errorText();
}

struct PatternCase {
  std::string_view index;
  std::string_view pattern;
  std::string_view name;
};

TEST(IndexPatternOf, ReplacesPlaceholdersAndNamesTheTemplate) {
  const PatternCase cases[] = {
      {"logs-{service.name}-{+yyyy.MM.dd}", "logs-*-*", "sluice-logs"},
      {"logs", "logs", "sluice-logs"},
      {"app-{a}{b}", "app-*", "sluice-app"},
      {"it-test-x1-{service.name}", "it-test-x1-*", "sluice-it-test-x1"},
      {"a.{+yyyy}.b_{x}", "a.*.b_*", "sluice-a.b"},
      {"{service.name}", "*", "sluice"},
  };
  for (const PatternCase& c : cases) {
    EXPECT_EQ(indexPatternOf(c.index), c.pattern) << c.index;
    EXPECT_EQ(defaultSetupName(c.pattern), c.name) << c.pattern;
  }
}

}  // namespace
}  // namespace sluice
