#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "agent/builtin_components.h"
#include "config/agent_config.h"
#include "outputs/elasticsearch/elasticsearch_config.h"

namespace sluice {
namespace {

constexpr char kPem[] =
    "-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIU\n-----END CERTIFICATE-----\n";
constexpr char kSecret[] = "hunter2-key-password";

// `tls:` files must exist when the config loads, so each test gets a
// directory of small PEM files (their content is libcurl's business).
class ElasticsearchTlsConfigTest : public testing::Test {
 protected:
  ElasticsearchTlsConfigTest() {
    registerBuiltinComponents(registry_);
    std::string pattern = testing::TempDir() + "sluice-tls-XXXXXX";
    dir_ = ::mkdtemp(pattern.data()) != nullptr ? pattern : "";
    for (const char* name : {"ca.pem", "client.pem", "client.key"}) write(name, kPem);
    write("ca.der", std::string("\x30\x82\x01\xb3", 4));
  }
  ~ElasticsearchTlsConfigTest() override {
    std::error_code ignored;
    if (!dir_.empty()) std::filesystem::remove_all(dir_, ignored);
  }

  void write(const std::string& name, const std::string& content) {
    std::ofstream(file(name), std::ios::binary) << content;
  }
  std::string file(const std::string& name) const { return dir_ + "/" + name; }

  // A config whose only output has `tls` (one line, `tls: {...}`, line 6).
  std::string yaml(const std::string& tls, const std::string& host = "https://es:9200") const {
    return "inputs:\n  - {id: app, type: stdin}\noutputs:\n  - id: es\n    type: elasticsearch\n"
           "    tls: " +
           tls + "\n    hosts: [\"" + host + "\"]\n";
  }

  const ElasticsearchTls& tlsOf(const std::string& text) {
    config_ = parseConfig(text, "test.yml", registry_);
    return static_cast<const ElasticsearchConfig&>(*config_.outputs.at(0).config).tls;
  }

  std::vector<ConfigError> errorsOf(const std::string& text) {
    try {
      parseConfig(text, "test.yml", registry_);
    } catch (const ConfigException& e) {
      formatted_ = e.errors().format();
      return e.errors().all();
    }
    ADD_FAILURE() << "expected errors for:\n" << text;
    return {};
  }

  // The message of the one error about `key` (column checked when given).
  std::string errorFor(const std::vector<ConfigError>& errors, const std::string& key,
                       int column = 0) {
    std::string found;
    int count = 0;
    for (const ConfigError& e : errors) {
      if (e.key != key) continue;
      ++count;
      found = e.message;
      EXPECT_EQ(e.line, 6) << key << ": " << e.message;
      if (column > 0) {
        EXPECT_EQ(e.column, column) << key << ": " << e.message;
      }
    }
    EXPECT_EQ(count, 1) << "errors for " << key << " in:\n" << formatted_;
    return found;
  }

  Registry registry_;
  AgentConfig config_;
  std::string dir_;
  std::string formatted_;
};

TEST_F(ElasticsearchTlsConfigTest, EveryKeyIsRead) {
  const ElasticsearchTls& tls = tlsOf(yaml(
      "{ca: " + file("ca.pem") + ", cert: " + file("client.pem") + ", key: " + file("client.key") +
      ", key_password: " + kSecret + ", verify: false, server_name: es.internal}"));
  EXPECT_EQ(tls.ca, file("ca.pem"));
  EXPECT_EQ(tls.cert, file("client.pem"));
  EXPECT_EQ(tls.key, file("client.key"));
  EXPECT_EQ(tls.key_password, kSecret);
  EXPECT_EQ(tls.server_name, "es.internal");
  EXPECT_FALSE(tls.verify);
}

TEST_F(ElasticsearchTlsConfigTest, VerificationIsOnByDefault) {
  EXPECT_TRUE(tlsOf(yaml("{ca: " + file("ca.pem") + "}")).verify);
  // https:// without `tls`: libcurl's defaults, the system CA store, verified.
  const ElasticsearchTls& none = tlsOf(
      "inputs:\n  - {id: app, type: stdin}\noutputs:\n"
      "  - {id: es, type: elasticsearch, hosts: [\"https://es:9200\"]}\n");
  EXPECT_TRUE(none.verify);
  EXPECT_EQ(none.ca, "");
  EXPECT_EQ(none.cert, "");
}

TEST_F(ElasticsearchTlsConfigTest, FilesMustBeReadablePemFiles) {
  auto errors = errorsOf(
      yaml("{ca: " + file("missing.pem") + ", cert: " + dir_ + ", key: relative/client.key}"));
  const std::string ca = errorFor(errors, "outputs[0].tls.ca", 15);
  EXPECT_NE(ca.find("cannot read \"" + file("missing.pem") + "\": No such file or directory"),
            std::string::npos)
      << ca;
  EXPECT_NE(errorFor(errors, "outputs[0].tls.cert").find("is not a regular file"),
            std::string::npos);
  EXPECT_NE(errorFor(errors, "outputs[0].tls.key").find("absolute path"), std::string::npos);
  EXPECT_EQ(errors.size(), 3u) << formatted_;

  errors = errorsOf(yaml("{ca: " + file("ca.der") + "}"));
  EXPECT_NE(errorFor(errors, "outputs[0].tls.ca").find("not a PEM file"), std::string::npos);
}

TEST_F(ElasticsearchTlsConfigTest, UnreadableFileSaysWhy) {
  if (::geteuid() == 0) GTEST_SKIP() << "root reads files whatever their mode";
  ASSERT_EQ(::chmod(file("ca.pem").c_str(), 0), 0);
  auto errors = errorsOf(yaml("{ca: " + file("ca.pem") + "}"));
  EXPECT_NE(errorFor(errors, "outputs[0].tls.ca").find("Permission denied"), std::string::npos);
}

TEST_F(ElasticsearchTlsConfigTest, CertificateAndKeyGoTogether) {
  auto errors = errorsOf(yaml("{cert: " + file("client.pem") + "}"));
  EXPECT_NE(errorFor(errors, "outputs[0].tls.cert").find("needs a key"), std::string::npos);
  EXPECT_EQ(errors.size(), 1u) << formatted_;

  errors = errorsOf(yaml("{key: " + file("client.key") + ", key_password: x}"));
  EXPECT_NE(errorFor(errors, "outputs[0].tls.key").find("needs a certificate"), std::string::npos);
  EXPECT_EQ(errors.size(), 1u) << formatted_;

  errors = errorsOf(yaml("{ca: " + file("ca.pem") + ", key_password: x}"));
  EXPECT_NE(errorFor(errors, "outputs[0].tls.key_password").find("needs a key"), std::string::npos);
}

TEST_F(ElasticsearchTlsConfigTest, BadValuesAndUnknownKeys) {
  auto errors = errorsOf(yaml("{verify: maybe, server_name: \"es internal\", cafile: /x}"));
  EXPECT_NE(errorFor(errors, "outputs[0].tls.verify", 19).find("expected true or false"),
            std::string::npos);
  EXPECT_NE(errorFor(errors, "outputs[0].tls.server_name").find("host name"), std::string::npos);
  EXPECT_EQ(errorFor(errors, "outputs[0].tls.cafile"), "unknown key");
  EXPECT_EQ(errors.size(), 3u) << formatted_;
}

TEST_F(ElasticsearchTlsConfigTest, TlsNeedsAnHttpsHost) {
  auto errors = errorsOf(yaml("{ca: " + file("ca.pem") + "}", "http://es:9200"));
  EXPECT_NE(errorFor(errors, "outputs[0].tls", 10).find("https://"), std::string::npos);
}

TEST_F(ElasticsearchTlsConfigTest, KeyPasswordIsNeverInErrors) {
  auto errors = errorsOf(yaml("{cert: " + file("client.pem") + ", key: " + file("missing.key") +
                              ", key_password: " + kSecret + ", verify: nope}"));
  EXPECT_EQ(errors.size(), 2u) << formatted_;
  EXPECT_EQ(formatted_.find(kSecret), std::string::npos) << formatted_;
}

}  // namespace
}  // namespace sluice
