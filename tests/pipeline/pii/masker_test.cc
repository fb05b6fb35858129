#include "pipeline/pii/masker.h"

#include <gtest/gtest.h>
#include <re2/re2.h>
#include <simdjson.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <functional>
#include <memory>
#include <ostream>
#include <random>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "pipeline/pii/pii_kind.h"
#include "pipeline/pii/pii_settings.h"
#include "pipeline/pii/replacement.h"

namespace sluice {
namespace {

constexpr size_t kind(PiiKind k) { return static_cast<size_t>(k); }

// What the fake scanner finds: exact texts, so that a test says precisely
// where the matches are and the masker alone is under test.
struct PiiSample {
  std::string_view text;  // as it stands inside a JSON string literal
  PiiKind kind;
};

constexpr PiiSample kPii[] = {
    {"bob@example.com", PiiKind::kEmail},
    {"alice.smith@corp.example.org", PiiKind::kEmail},
    {"10.1.2.3", PiiKind::kIpv4},
    {"192.168.100.200", PiiKind::kIpv4},
    {"2001:db8:85a3::8a2e:370:7334", PiiKind::kIpv6},
    {"fe80::1", PiiKind::kIpv6},
    {"4111 1111 1111 1111", PiiKind::kCreditCard},
    {"5500-0000-0000-0004", PiiKind::kCreditCard},
    {"DE89 3704 0044 0532 0130 00", PiiKind::kIban},
    {"GB82WEST12345698765432", PiiKind::kIban},
    {"+1 415 555 0158", PiiKind::kPhone},
    {"123-45-6789", PiiKind::kSsn},
    {"eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.sig", PiiKind::kJwt},
    {"abc123def456", PiiKind::kCredentials},
    {"AKIAIOSFODNN7EXAMPLE", PiiKind::kSecretToken},
    {"bob\\u0040example.com", PiiKind::kEmail},
};

// Finds the texts of kPii, leftmost first, the longest at one position.
class FakeScanner final : public PiiTextScanner {
 public:
  void scan(std::string_view text, std::vector<PiiMatch>& out) const override {
    size_t pos = 0;
    for (;;) {
      size_t best = std::string_view::npos;
      const PiiSample* found = nullptr;
      for (const PiiSample& sample : kPii) {
        size_t at = text.find(sample.text, pos);
        if (at < best || (at == best && found && sample.text.size() > found->text.size())) {
          best = at;
          found = &sample;
        }
      }
      if (found == nullptr) return;
      pos = best + found->text.size();
      out.push_back({found->kind, static_cast<uint32_t>(best), static_cast<uint32_t>(pos)});
    }
  }
};

// Reports whatever the test says, for boundaries the fake cannot produce.
class ScriptedScanner final : public PiiTextScanner {
 public:
  using Script = std::function<void(std::string_view, std::vector<PiiMatch>&)>;
  explicit ScriptedScanner(Script script) : script_(std::move(script)) {}
  void scan(std::string_view text, std::vector<PiiMatch>& out) const override {
    script_(text, out);
  }

 private:
  Script script_;
};

std::shared_ptr<PiiSettings> makeSettings(PiiMode mode = PiiMode::kRedact) {
  auto settings = std::make_shared<PiiSettings>();
  settings->detectors.set();
  settings->detectors.reset(kind(PiiKind::kCustom));
  settings->modes.fill(mode);
  settings->hash_key = "k";
  settings->sensitive_keys = {"password", "secret", "token", "api_key", "authorization"};
  return settings;
}

std::shared_ptr<const re2::RE2> pattern(std::string_view text) {
  return std::make_shared<const re2::RE2>(re2::StringPiece(text.data(), text.size()));
}

std::unique_ptr<PiiMasker> fakeMasker(std::shared_ptr<const PiiSettings> settings) {
  return std::make_unique<PiiMasker>(std::move(settings), std::make_unique<FakeScanner>());
}

// The event after masking; `changed` receives mask()'s result.
std::string masked(PiiMasker& masker, std::string doc, PiiCounts* counts = nullptr,
                   bool* changed = nullptr) {
  PiiCounts local;
  bool result = masker.mask(doc, 0, counts ? *counts : local);
  if (changed) *changed = result;
  return doc;
}

bool isValidJson(const std::string& doc) {
  simdjson::dom::parser parser;
  simdjson::padded_string padded(doc);
  simdjson::dom::element root;
  return parser.parse(padded).get(root) == simdjson::SUCCESS;
}

struct MaskCase {
  std::string_view name;
  std::string input;
  std::string expected;
};

void PrintTo(const MaskCase& c, std::ostream* os) { *os << c.name; }

class PiiMaskerCaseTest : public testing::TestWithParam<MaskCase> {};

TEST_P(PiiMaskerCaseTest, MasksExactly) {
  const MaskCase& c = GetParam();
  auto masker = fakeMasker(makeSettings());
  bool changed = false;
  std::string out = masked(*masker, c.input, nullptr, &changed);
  EXPECT_EQ(out, c.expected);
  EXPECT_EQ(changed, c.input != c.expected);
  EXPECT_TRUE(isValidJson(out)) << out;
  EXPECT_EQ(masked(*masker, out), out) << "masking again changed it";
}

INSTANTIATE_TEST_SUITE_P(
    Documents, PiiMaskerCaseTest,
    testing::Values(
        MaskCase{"LogMessage",
                 R"({"@timestamp":"2024-01-15T10:30:00.000Z","log":{"level":"INFO",)"
                 R"("message":"login by bob@example.com from 10.1.2.3"},"service":{"name":"api"}})",
                 R"({"@timestamp":"2024-01-15T10:30:00.000Z","log":{"level":"INFO",)"
                 R"("message":"login by [REDACTED:email] from [REDACTED:ipv4]"},)"
                 R"("service":{"name":"api"}})"},
        MaskCase{"WholeValue", R"({"user":{"email":"bob@example.com"}})",
                 R"({"user":{"email":"[REDACTED:email]"}})"},
        MaskCase{"NoPii", R"({"log":{"message":"GET /health 200"},"n":1.5e3,"ok":true})",
                 R"({"log":{"message":"GET /health 200"},"n":1.5e3,"ok":true})"},
        MaskCase{"NestedAndArrays",
                 R"({"user":{"contacts":["bob@example.com",{"ip":"10.1.2.3","ok":true}],)"
                 R"("n":[1,[2,"fe80::1"]]}})",
                 R"({"user":{"contacts":["[REDACTED:email]",{"ip":"[REDACTED:ipv4]","ok":true}],)"
                 R"("n":[1,[2,"[REDACTED:ipv6]"]]}})"},
        MaskCase{"RawNestedWithWhitespace",
                 "{\"log\":{\"message\":\"x\"},\"payload\":{ \"a\" : [ \"bob@example.com\" ,\n"
                 " 1 ] ,\t\"b\" : { } , \"password\" : { \"x\" : 1 } , \"c\" : [ ] }}",
                 "{\"log\":{\"message\":\"x\"},\"payload\":{ \"a\" : [ \"[REDACTED:email]\" ,\n"
                 " 1 ] ,\t\"b\" : { } , \"password\" : \"[REDACTED:sensitive_field]\" , "
                 "\"c\" : [ ] }}"},
        MaskCase{"WhitespaceAroundTheEvent", " {\"a\":\"10.1.2.3\"}\n",
                 " {\"a\":\"[REDACTED:ipv4]\"}\n"},
        MaskCase{
            "EscapedStrings",
            R"({"log":{"message":"said \"bob@example.com\"\n\u00e9 \\ ok 10.1.2.3\t"}})",
            R"({"log":{"message":"said \"[REDACTED:email]\"\n\u00e9 \\ ok [REDACTED:ipv4]\t"}})"},
        MaskCase{"EscapedMatch", R"({"m":"to bob\u0040example.com"})",
                 R"({"m":"to [REDACTED:email]"})"},
        MaskCase{"KeysAreNotMasked", R"({"bob@example.com":"x","10.1.2.3":{"k":"v"}})",
                 R"({"bob@example.com":"x","10.1.2.3":{"k":"v"}})"},
        MaskCase{"EventOriginalIsMasked",
                 R"({"event":{"original":"{\"user\":\"bob@example.com\"}"}})",
                 R"({"event":{"original":"{\"user\":\"[REDACTED:email]\"}"}})"},
        MaskCase{
            "SensitiveKeysAtAllDepths",
            R"({"password":"hunter2","http":{"request":{"headers":{)"
            R"("Authorization":"Basic dXNlcjpwYXNz","X-Api-Key":"abc"}}},)"
            R"("db":{"Password":12345,"secret_flag":true,"api_key":null,"token":{"a":1},)"
            R"("tokens":[],"max_tokens":1000,"tokens_used":42.5,"user_token":[1,"",null,false],)"
            R"("auth_token_ok":false,"pwd":"x","secret":"","TOKEN":-1e5,)"
            R"("token_valid":true,"api_key_id":"k-1","AUTHORIZATION":false}})",
            R"({"password":"[REDACTED:sensitive_field]","http":{"request":{"headers":{)"
            R"("Authorization":"[REDACTED:sensitive_field]",)"
            R"("X-Api-Key":"[REDACTED:sensitive_field]"}}},)"
            R"("db":{"Password":"[REDACTED:sensitive_field]","secret_flag":true,)"
            R"("api_key":null,"token":"[REDACTED:sensitive_field]","tokens":[],)"
            R"("max_tokens":1000,"tokens_used":42.5,"user_token":[1,"",null,false],)"
            R"("auth_token_ok":false,"pwd":"x","secret":"",)"
            R"("TOKEN":"[REDACTED:sensitive_field]","token_valid":true,)"
            R"("api_key_id":"[REDACTED:sensitive_field]",)"
            R"("AUTHORIZATION":"[REDACTED:sensitive_field]"}})"},
        MaskCase{"SensitiveValueHidesItsPii", R"({"user":{"password":"bob@example.com"}})",
                 R"({"user":{"password":"[REDACTED:sensitive_field]"}})"},
        // Under a name that only contains a secret's, an array's strings are
        // secrets like the name's own string would be, at any depth of nested
        // arrays, while its numbers and flags stay; an object inside it is
        // walked like any other, its members' keys matched again and its
        // plain strings given to the detectors. Under a secret's own name the
        // array goes whole.
        MaskCase{"SensitiveArrayOfObjects",
                 R"({"secrets":[{"a":"bob@example.com","token":"t1"},"x",[7,"y"]],)"
                 R"("secret":[{"a":"bob@example.com"},"x"],"after":"10.1.2.3"})",
                 R"({"secrets":[{"a":"[REDACTED:email]","token":"[REDACTED:sensitive_field]"},)"
                 R"("[REDACTED:sensitive_field]",[7,"[REDACTED:sensitive_field]"]],)"
                 R"("secret":"[REDACTED:sensitive_field]","after":"[REDACTED:ipv4]"})"},
        MaskCase{"ArrayUnderContainedNameKeepsItsStringsSecret",
                 R"({"user_tokens":["abc123",7,true,{"note":"x","token":"t"},["def"]]})",
                 R"({"user_tokens":["[REDACTED:sensitive_field]",7,true,)"
                 R"({"note":"x","token":"[REDACTED:sensitive_field]"},)"
                 R"(["[REDACTED:sensitive_field]"]]})"},
        MaskCase{"ObjectUnderContainedNameIsWalked",
                 R"({"token_usage":{"prompt":12,"note":"mail bob@example.com","ok":true,)"
                 R"("password":"hunter2","user_token":"abc","secret":{"k":1}},)"
                 R"("password":{"prompt":12,"note":"mail bob@example.com","ok":true},)"
                 R"("token_valid":true,"token_note":"mail bob@example.com"})",
                 R"({"token_usage":{"prompt":12,"note":"mail [REDACTED:email]","ok":true,)"
                 R"("password":"[REDACTED:sensitive_field]",)"
                 R"("user_token":"[REDACTED:sensitive_field]",)"
                 R"("secret":"[REDACTED:sensitive_field]"},)"
                 R"("password":"[REDACTED:sensitive_field]","token_valid":true,)"
                 R"("token_note":"[REDACTED:sensitive_field]"})"},
        MaskCase{"SkippedFields",
                 R"({"@timestamp":"10.1.2.3","log":{"level":"bob@example.com",)"
                 R"("offset":"10.1.2.3","file":{"path":"/home/bob@example.com/app.log"},)"
                 R"("message":"bob@example.com"},"trace":{"id":"AKIAIOSFODNN7EXAMPLE",)"
                 R"("span_id":"10.1.2.3","state":"10.1.2.3"},"span":{"id":"10.1.2.3"},)"
                 R"("host":{"name":"10.1.2.3","ip":["10.1.2.3"],"token":"t"},)"
                 R"("agent":{"name":"bob@example.com"},"ecs":{"version":"10.1.2.3"},)"
                 R"("tags":["10.1.2.3"],"kubernetes":{"pod":{"name":"bob@example.com"}},)"
                 R"("container":{"id":"10.1.2.3"},"event":{"original":"bob@example.com"},)"
                 R"("log.level":"10.1.2.3","hostname":"10.1.2.3","user":{"host":"10.1.2.3"}})",
                 R"({"@timestamp":"10.1.2.3","log":{"level":"bob@example.com",)"
                 R"("offset":"10.1.2.3","file":{"path":"/home/bob@example.com/app.log"},)"
                 R"("message":"[REDACTED:email]"},"trace":{"id":"AKIAIOSFODNN7EXAMPLE",)"
                 R"("span_id":"10.1.2.3","state":"[REDACTED:ipv4]"},"span":{"id":"10.1.2.3"},)"
                 R"("host":{"name":"10.1.2.3","ip":["10.1.2.3"],"token":"t"},)"
                 R"("agent":{"name":"bob@example.com"},"ecs":{"version":"10.1.2.3"},)"
                 R"("tags":["10.1.2.3"],"kubernetes":{"pod":{"name":"bob@example.com"}},)"
                 R"("container":{"id":"10.1.2.3"},"event":{"original":"[REDACTED:email]"},)"
                 R"("log.level":"10.1.2.3","hostname":"[REDACTED:ipv4]",)"
                 R"("user":{"host":"[REDACTED:ipv4]"}})"}),
    [](const testing::TestParamInfo<MaskCase>& param) { return std::string(param.param.name); });

TEST(PiiMaskerTest, KeepPathsCoverTheFieldAndEverythingBelow) {
  auto settings = makeSettings();
  settings->keep = {"client.ip", "user.email", "audit"};
  auto masker = fakeMasker(settings);
  EXPECT_EQ(masked(*masker, R"({"client":{"ip":"10.1.2.3","geo":"10.1.2.3"},)"
                            R"("user":{"email":"bob@example.com","name":"bob@example.com",)"
                            R"("email2":"bob@example.com"},"client.ip":"192.168.100.200",)"
                            R"("audit":{"password":"x","who":["bob@example.com"]},)"
                            R"("auditor":"bob@example.com"})"),
            R"({"client":{"ip":"10.1.2.3","geo":"[REDACTED:ipv4]"},)"
            R"("user":{"email":"bob@example.com","name":"[REDACTED:email]",)"
            R"("email2":"[REDACTED:email]"},"client.ip":"192.168.100.200",)"
            R"("audit":{"password":"x","who":["bob@example.com"]},)"
            R"("auditor":"[REDACTED:email]"})");
}

TEST(PiiMaskerTest, SensitiveKeysNeedTheirDetector) {
  auto settings = makeSettings();
  settings->detectors.reset(kind(PiiKind::kSensitiveField));
  auto masker = fakeMasker(settings);
  EXPECT_EQ(masked(*masker, R"({"password":"hunter2","token":{"a":"10.1.2.3"},)"
                            R"("user_tokens":["10.1.2.3"]})"),
            R"({"password":"hunter2","token":{"a":"[REDACTED:ipv4]"},)"
            R"("user_tokens":["[REDACTED:ipv4]"]})");
}

TEST(PiiMaskerTest, MasksOnlyTheEventAtTheTail) {
  auto masker = fakeMasker(makeSettings());
  std::string doc = "{\"a\":\"bob@example.com\"}\n{\"b\":\"bob@example.com\"}";
  PiiCounts counts;
  EXPECT_TRUE(masker->mask(doc, doc.find('\n') + 1, counts));
  EXPECT_EQ(doc, "{\"a\":\"bob@example.com\"}\n{\"b\":\"[REDACTED:email]\"}");
  EXPECT_FALSE(masker->mask(doc, doc.size(), counts));
}

TEST(PiiMaskerTest, DocumentWithoutPiiIsNotTouched) {
  auto masker = fakeMasker(makeSettings());
  std::string doc = R"({"log":{"message":"nothing to see \"here\""},"password":""})";
  doc.reserve(1000);
  const std::string before = doc;
  const char* data = doc.data();
  PiiCounts counts;
  EXPECT_FALSE(masker->mask(doc, 0, counts));
  EXPECT_EQ(doc, before);
  EXPECT_EQ(doc.data(), data);
  EXPECT_EQ(counts.by_kind, PiiCounts{}.by_kind);
}

TEST(PiiMaskerTest, MatchesAreWidenedToWholeEscapesAndCharacters) {
  // Offsets into a\u00e9b\"c: \u00e9 is [1, 7), \" is [8, 10).
  auto settings = makeSettings();
  PiiMasker masker(settings, std::make_unique<ScriptedScanner>(
                                 [](std::string_view text, std::vector<PiiMatch>& out) {
                                   if (text == R"(a\u00e9b\"c)")
                                     out.push_back({PiiKind::kEmail, 3, 9});
                                   if (text ==
                                       "a\xC3\xA9"
                                       "b")
                                     out.push_back({PiiKind::kEmail, 2, 4});
                                   if (text == R"(x\ud83d\ude00y)")
                                     out.push_back({PiiKind::kEmail, 8, 13});
                                   if (text == R"(\\n)") out.push_back({PiiKind::kEmail, 1, 3});
                                 }));
  EXPECT_EQ(masked(masker, R"({"m":"a\u00e9b\"c"})"), R"({"m":"a[REDACTED:email]c"})");
  EXPECT_EQ(masked(masker,
                   "{\"m\":\"a\xC3\xA9"
                   "b\"}"),
            R"({"m":"a[REDACTED:email]"})");
  EXPECT_EQ(masked(masker, R"({"m":"x\ud83d\ude00y"})"), R"({"m":"x[REDACTED:email]y"})");
  EXPECT_EQ(masked(masker, R"({"m":"\\n"})"), R"({"m":"[REDACTED:email]"})");
}

TEST(PiiMaskerTest, FindsStringEndsAtEveryOffset) {
  auto masker = fakeMasker(makeSettings());
  for (size_t length = 0; length < 40; ++length) {
    for (size_t at = 0; at <= length; ++at) {
      std::string before(at, 'a');
      std::string after(length - at, 'b');
      for (std::string_view escape : {"", "\\\"", "\\\\", "\\u00e9"}) {
        std::string text = before + std::string(escape) + after;
        EXPECT_EQ(masked(*masker, R"({")" + text + R"(":")" + text + R"( 10.1.2.3","k":1})"),
                  R"({")" + text + R"(":")" + text + R"( [REDACTED:ipv4]","k":1})");
      }
    }
  }
}

TEST(PiiMaskerTest, BadScannerMatchesAreIgnored) {
  auto settings = makeSettings();
  PiiMasker masker(settings, std::make_unique<ScriptedScanner>(
                                 [](std::string_view text, std::vector<PiiMatch>& out) {
                                   const auto n = static_cast<uint32_t>(text.size());
                                   out.push_back({PiiKind::kEmail, 0, 0});          // empty
                                   out.push_back({PiiKind::kEmail, 1, 2});          // kept
                                   out.push_back({PiiKind::kEmail, 1, 3});          // overlaps
                                   out.push_back({PiiKind::kEmail, 5, 4});          // reversed
                                   out.push_back({PiiKind::kEmail, n - 1, n + 5});  // past the end
                                   out.push_back({PiiKind::kCustom, 4, 5});         // not built in
                                   out.push_back({PiiKind::kCount, 5, 6});          // not a kind
                                 }));
  EXPECT_EQ(masked(masker, R"({"m":"abcdefg"})"), R"({"m":"a[REDACTED:email]cdefg"})");
}

TEST(PiiMaskerTest, CountsOnePerMaskedPiece) {
  auto settings = makeSettings();
  settings->custom.push_back({"employee_id", pattern("EMP-[0-9]{6}"), PiiMode::kRedact});
  settings->custom.push_back({"ticket", pattern("TKT-[0-9]+"), PiiMode::kRedact});
  auto masker = fakeMasker(settings);
  PiiCounts counts;
  std::string doc = R"({"m":"bob@example.com and bob@example.com at 10.1.2.3 EMP-123456",)"
                    R"("password":"x","n":{"token":7},"t":"TKT-1 TKT-2"})";
  masked(*masker, doc, &counts);
  EXPECT_EQ(counts.by_kind[kind(PiiKind::kEmail)], 2u);
  EXPECT_EQ(counts.by_kind[kind(PiiKind::kIpv4)], 1u);
  EXPECT_EQ(counts.by_kind[kind(PiiKind::kSensitiveField)], 2u);
  EXPECT_EQ(counts.by_kind[kind(PiiKind::kCustom)], 0u);
  EXPECT_EQ(counts.by_custom, (std::vector<uint64_t>{1, 2}));

  masked(*masker, doc, &counts);
  EXPECT_EQ(counts.by_kind[kind(PiiKind::kEmail)], 4u);
  EXPECT_EQ(counts.by_custom, (std::vector<uint64_t>{2, 4}));

  // Nothing is counted for what is already masked or for a malformed event.
  masked(*masker, masked(*masker, doc), &counts);
  masked(*masker, R"({"m":"bob@example.com")", &counts);
  EXPECT_EQ(counts.by_kind[kind(PiiKind::kEmail)], 4u);
  EXPECT_EQ(counts.by_custom, (std::vector<uint64_t>{2, 4}));
}

// ---- modes ------------------------------------------------------------------

constexpr std::string_view kAllPii =
    "bob@example.com alice.smith@corp.example.org 10.1.2.3 192.168.100.200 "
    "2001:db8:85a3::8a2e:370:7334 fe80::1 4111 1111 1111 1111 5500-0000-0000-0004 "
    "DE89 3704 0044 0532 0130 00 GB82WEST12345698765432 +1 415 555 0158 123-45-6789 "
    "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.sig Bearer abc123def456 AKIAIOSFODNN7EXAMPLE";

std::string messageDoc(std::string_view message, std::string_view password = "hunter2") {
  return R"({"log":{"message":")" + std::string(message) + R"("},"password":")" +
         std::string(password) + R"("})";
}

TEST(PiiMaskerTest, RedactMode) {
  auto masker = fakeMasker(makeSettings(PiiMode::kRedact));
  EXPECT_EQ(masked(*masker, messageDoc(kAllPii)),
            messageDoc("[REDACTED:email] [REDACTED:email] [REDACTED:ipv4] [REDACTED:ipv4] "
                       "[REDACTED:ipv6] [REDACTED:ipv6] [REDACTED:credit_card] "
                       "[REDACTED:credit_card] [REDACTED:iban] [REDACTED:iban] "
                       "[REDACTED:phone] [REDACTED:ssn] [REDACTED:jwt] "
                       "Bearer [REDACTED:credentials] [REDACTED:secret_token]",
                       "[REDACTED:sensitive_field]"));
}

TEST(PiiMaskerTest, PartialMode) {
  auto masker = fakeMasker(makeSettings(PiiMode::kPartial));
  EXPECT_EQ(masked(*masker, messageDoc(kAllPii)),
            messageDoc("b***@example.com a***@corp.example.org 10.1.x.x 192.168.x.x "
                       "2001:db8:x:x:x:x:x:x fe80:0:x:x:x:x:x:x **** **** **** 1111 "
                       "**** **** **** 0004 DE89****3000 GB82****5432 ***-***-**58 "
                       "[REDACTED:ssn] [REDACTED:jwt] Bearer [REDACTED:credentials] "
                       "[REDACTED:secret_token]",
                       "[REDACTED:sensitive_field]"));
}

TEST(PiiMaskerTest, HashMode) {
  auto masker = fakeMasker(makeSettings(PiiMode::kHash));
  // The first 10 hex digits of HMAC-SHA256("k", value) for each value,
  // computed independently with Python's hmac module.
  EXPECT_EQ(masked(*masker, messageDoc(kAllPii)),
            messageDoc("<email:3c106b2506> <email:374b6aed58> <ipv4:4c56f914d3> "
                       "<ipv4:4330d9ae71> <ipv6:9150ac6a8c> <ipv6:06f4650386> "
                       "<credit_card:759b46c845> <credit_card:e014a037f2> <iban:b1ee6ab8a3> "
                       "<iban:24ac51da71> <phone:945e256e47> <ssn:8dabe59758> "
                       "<jwt:e40b5e7e9e> Bearer <credentials:c9a44af6c8> "
                       "<secret_token:64a9a09626>",
                       "<sensitive_field:0cd9cde64b>"));
}

TEST(PiiMaskerTest, ModesPerDetector) {
  auto settings = makeSettings(PiiMode::kRedact);
  settings->modes[kind(PiiKind::kEmail)] = PiiMode::kPartial;
  settings->modes[kind(PiiKind::kIpv4)] = PiiMode::kHash;
  settings->modes[kind(PiiKind::kSsn)] = PiiMode::kPartial;  // no partial form: redacted
  auto masker = fakeMasker(settings);
  // HMAC-SHA256("k", "10.1.2.3") = 4c56f914d3...
  EXPECT_EQ(masked(*masker, messageDoc("bob@example.com 10.1.2.3 123-45-6789 fe80::1")),
            messageDoc("b***@example.com <ipv4:4c56f914d3> [REDACTED:ssn] [REDACTED:ipv6]",
                       "[REDACTED:sensitive_field]"));
}

TEST(PiiMaskerTest, HashIsStableAndKeyed) {
  auto settings = makeSettings(PiiMode::kHash);
  auto other_key = makeSettings(PiiMode::kHash);
  other_key->hash_key = "k2";
  auto first = fakeMasker(settings);
  auto second = fakeMasker(settings);
  auto keyed = fakeMasker(other_key);
  // The escaped form is hashed as the text it stands for.
  const std::string doc =
      R"({"a":"bob@example.com","b":["bob@example.com"],"c":"bob\u0040example.com"})";
  const std::string expected =
      R"({"a":"<email:3c106b2506>","b":["<email:3c106b2506>"],"c":"<email:3c106b2506>"})";
  EXPECT_EQ(masked(*first, doc), expected);
  EXPECT_EQ(masked(*first, doc), expected) << "the reused HMAC state must start afresh";
  EXPECT_EQ(masked(*second, doc), expected);
  // HMAC-SHA256("k2", "bob@example.com") = c966daedcb...
  EXPECT_EQ(masked(*keyed, doc),
            R"({"a":"<email:c966daedcb>","b":["<email:c966daedcb>"],"c":"<email:c966daedcb>"})");
  // A sensitive number is hashed as it is written: HMAC-SHA256("k", "12345").
  EXPECT_EQ(masked(*first, R"({"password":12345})"),
            R"({"password":"<sensitive_field:3f54295409>"})");
}

TEST(PiiMaskerTest, MaskingIsIdempotentInEveryMode) {
  for (PiiMode mode : {PiiMode::kRedact, PiiMode::kHash, PiiMode::kPartial}) {
    auto settings = makeSettings(mode);
    // Patterns that would eat parts of earlier replacements.
    settings->custom.push_back({"digits", pattern("[0-9]{2,}"), mode});
    settings->custom.push_back({"hex", pattern("[0-9a-f]{6,}"), mode});
    settings->custom.push_back({"mail", pattern(R"([a-z*]+@[a-z.]+)"), mode});
    auto masker = fakeMasker(settings);
    const std::string once =
        masked(*masker, messageDoc(std::string(kAllPii) + " 12345 deadbeef x@y.z"));
    bool changed = true;
    EXPECT_EQ(masked(*masker, once, nullptr, &changed), once) << once;
    EXPECT_FALSE(changed);
  }
}

// ---- custom detectors -------------------------------------------------------

TEST(PiiMaskerTest, CustomDetectors) {
  auto settings = makeSettings();
  settings->custom.push_back({"employee_id", pattern("EMP-[0-9]{6}"), PiiMode::kRedact});
  settings->custom.push_back({"ticket", pattern("(?i)tkt-[0-9]+"), PiiMode::kHash});
  settings->custom.push_back({"my id!", pattern("ID:[0-9]+"), PiiMode::kPartial});
  settings->custom.push_back({"domain", pattern(R"(example\.com)"), PiiMode::kRedact});
  auto masker = fakeMasker(settings);
  PiiCounts counts;
  std::string out =
      masked(*masker,
             R"({"m":"EMP-123456 opened TKT-42, tkt-42 and TKT-42 for ID:7 bob@example.com)"
             R"( on example.com"})",
             &counts);
  // The domain inside the address belongs to the earlier built-in match.
  // HMAC-SHA256("k", "TKT-42") = b9cee9fddb..., of "tkt-42" 462feded5c...
  EXPECT_EQ(out,
            R"({"m":"[REDACTED:employee_id] opened <ticket:b9cee9fddb>, <ticket:462feded5c> and )"
            R"(<ticket:b9cee9fddb> for [REDACTED:my_id_] [REDACTED:email] on [REDACTED:domain]"})");
  EXPECT_EQ(counts.by_custom, (std::vector<uint64_t>{1, 3, 1, 1}));
}

TEST(PiiMaskerTest, EarlierCustomDetectorsWin) {
  auto settings = makeSettings();
  settings->custom.push_back({"a", pattern("AB[0-9]+"), PiiMode::kRedact});
  settings->custom.push_back({"b", pattern("[0-9]+CD"), PiiMode::kRedact});
  auto masker = fakeMasker(settings);
  EXPECT_EQ(masked(*masker, R"({"m":"AB12CD 34CD AB5"})"),
            R"({"m":"[REDACTED:a]CD [REDACTED:b] [REDACTED:a]"})");
}

TEST(PiiMaskerTest, CustomPatternsCompiledDifferentlyRunOneByOne) {
  auto settings = makeSettings();
  re2::RE2::Options caseless;
  caseless.set_case_sensitive(false);
  settings->custom.push_back(
      {"a", std::make_shared<const re2::RE2>("secret-[0-9]+", caseless), PiiMode::kRedact});
  settings->custom.push_back({"b", pattern("key-[0-9]+"), PiiMode::kRedact});
  settings->custom.push_back({"empty", pattern("x*"), PiiMode::kRedact});
  auto masker = fakeMasker(settings);
  EXPECT_EQ(masked(*masker, R"({"m":"SECRET-1 key-2 KEY-3 xx"})"),
            R"({"m":"[REDACTED:a] [REDACTED:b] KEY-3 [REDACTED:empty]"})");
}

// ---- malformed input --------------------------------------------------------

TEST(PiiMaskerTest, MalformedDocumentsAreLeftAlone) {
  auto masker = fakeMasker(makeSettings());
  const std::string cases[] = {
      "",
      " ",
      R"(["bob@example.com"])",
      R"("bob@example.com")",
      R"({"a":"bob@example.com")",
      R"({"a":"bob@example.com"}x)",
      R"({"a":"bob@example.com"}})",
      R"({"a":"bob@example.com",})",
      R"({"a" "bob@example.com"})",
      R"({"a":"bob@example.com" "b":1})",
      R"({"a":tru,"b":"bob@example.com"})",
      R"({"a":"bob@example.com","b":nul})",
      R"({"a":"bob@example.com","b":+1})",
      R"({"a":"bob@example.com","b":[1,2})",
      R"({"a":"bob@example.com","b":{"c":1]})",
      R"({"a":"bob@example.com","b":"\q"})",
      R"({"a":"bob@example.com","b":"\u12"})",
      R"({"a":"bob@example.com","b":"x\)",
      R"({"a":"bob@example.com",1:2})",
      R"({"password":{"a":1,"b":}})",
      R"({"a":"bob@example.com","b":[,]})",
      R"({,"a":"bob@example.com"})",
      R"({"a":"bob@example.com"},{"b":1})",
      std::string(5000, '[') + "\"bob@example.com\"" + std::string(5000, ']'),
      "{\"a\":" + std::string(PiiMasker::kMaxDepth + 1, '[') + "\"bob@example.com\"" +
          std::string(PiiMasker::kMaxDepth + 1, ']') + "}",
  };
  for (const std::string& doc : cases) {
    PiiCounts counts;
    std::string copy = doc;
    EXPECT_FALSE(masker->mask(copy, 0, counts)) << doc;
    EXPECT_EQ(copy, doc);
    EXPECT_EQ(counts.by_kind, PiiCounts{}.by_kind) << doc;
  }
  // As deep as allowed is fine.
  const size_t depth = PiiMasker::kMaxDepth - 1;
  EXPECT_EQ(
      masked(*masker, "{\"a\":" + std::string(depth, '[') + "\"bob@example.com\"" +
                          std::string(depth, ']') + "}"),
      "{\"a\":" + std::string(depth, '[') + "\"[REDACTED:email]\"" + std::string(depth, ']') + "}");
}

// ---- replacements -----------------------------------------------------------

struct PartialCase {
  PiiKind kind;
  std::string_view value;
  std::string_view expected;
};

TEST(PiiReplacerTest, PartialForms) {
  auto settings = makeSettings(PiiMode::kPartial);
  settings->custom.push_back({"emp", pattern("x"), PiiMode::kPartial});
  PiiReplacer replacer(*settings);
  const PartialCase cases[] = {
      {PiiKind::kEmail, "bob@example.com", "b***@example.com"},
      {PiiKind::kEmail, "\xC3\xA9lise@example.fr", "\xC3\xA9***@example.fr"},
      {PiiKind::kEmail, "a.b+c@sub.example.co.uk", "a***@sub.example.co.uk"},
      {PiiKind::kEmail, "noat", "[REDACTED:email]"},
      {PiiKind::kEmail, "@example.com", "[REDACTED:email]"},
      {PiiKind::kEmail, "bob@", "[REDACTED:email]"},
      {PiiKind::kEmail, "\"q@example.com", "[REDACTED:email]"},
      {PiiKind::kEmail, "q@exa\"mple.com", "[REDACTED:email]"},
      {PiiKind::kEmail, "q@ex\\ample.com", "[REDACTED:email]"},
      {PiiKind::kCreditCard, "4242424242424242", "**** **** **** 4242"},
      {PiiKind::kCreditCard, "3782-822463-10005", "**** **** **** 0005"},
      {PiiKind::kCreditCard, "123", "[REDACTED:credit_card]"},
      {PiiKind::kIpv4, "10.1.2.3", "10.1.x.x"},
      {PiiKind::kIpv4, "255.255.0.1", "255.255.x.x"},
      {PiiKind::kIpv4, "1234.1.2.3", "[REDACTED:ipv4]"},
      {PiiKind::kIpv4, "10", "[REDACTED:ipv4]"},
      {PiiKind::kIpv6, "2001:db8:85a3::8a2e:370:7334", "2001:db8:x:x:x:x:x:x"},
      {PiiKind::kIpv6, "FE80:0:0:0:0:0:0:1", "FE80:0:x:x:x:x:x:x"},
      {PiiKind::kIpv6, "fe80::1", "fe80:0:x:x:x:x:x:x"},
      {PiiKind::kIpv6, "::1", "0:0:x:x:x:x:x:x"},
      {PiiKind::kIpv6, "::ffff:10.1.2.3", "0:0:x:x:x:x:x:x"},
      {PiiKind::kIpv6, "zz::1", "[REDACTED:ipv6]"},
      {PiiKind::kIpv6, "2001", "[REDACTED:ipv6]"},
      {PiiKind::kPhone, "+44 20 7946 0958", "***-***-**58"},
      {PiiKind::kPhone, "(555) 123-4567", "***-***-**67"},
      {PiiKind::kPhone, "5", "[REDACTED:phone]"},
      {PiiKind::kIban, "DE89 3704 0044 0532 0130 00", "DE89****3000"},
      {PiiKind::kIban, "GB82WEST12345698765432", "GB82****5432"},
      {PiiKind::kIban, "DE89", "[REDACTED:iban]"},
      {PiiKind::kIban, "DE89-3704-0044-0532", "[REDACTED:iban]"},
      {PiiKind::kSsn, "123-45-6789", "[REDACTED:ssn]"},
      {PiiKind::kJwt, "eyJ.eyJ.x", "[REDACTED:jwt]"},
      {PiiKind::kCredentials, "abc", "[REDACTED:credentials]"},
      {PiiKind::kSecretToken, "AKIA", "[REDACTED:secret_token]"},
      {PiiKind::kSensitiveField, "hunter2", "[REDACTED:sensitive_field]"},
      {PiiKind::kCustom, "x", "[REDACTED:emp]"},
  };
  for (const PartialCase& c : cases) {
    std::string out = "=";
    replacer.append(out, c.kind, 0, c.value);
    EXPECT_EQ(out, "=" + std::string(c.expected)) << piiKindName(c.kind) << " " << c.value;
  }
}

TEST(PiiReplacerTest, EmptyHashKeyIsAKeyToo) {
  auto settings = makeSettings(PiiMode::kHash);
  settings->hash_key.clear();
  PiiReplacer replacer(*settings);
  std::string out;
  replacer.append(out, PiiKind::kEmail, 0, "bob@example.com");
  // HMAC-SHA256("", "bob@example.com") = bf768bfdaa...
  EXPECT_EQ(out, "<email:bf768bfdaa>");
}

TEST(PiiReplacerTest, RecognisesItsOwnOutput) {
  auto settings = makeSettings();
  settings->custom.push_back({"emp id", pattern("x"), PiiMode::kRedact});
  PiiReplacer replacer(*settings);
  EXPECT_TRUE(replacer.isReplacement(PiiKind::kSensitiveField, 0, "[REDACTED:sensitive_field]"));
  EXPECT_TRUE(replacer.isReplacement(PiiKind::kSensitiveField, 0, "<sensitive_field:0123456789>"));
  EXPECT_TRUE(replacer.isReplacement(PiiKind::kCustom, 0, "[REDACTED:emp_id]"));
  EXPECT_FALSE(replacer.isReplacement(PiiKind::kSensitiveField, 0, "[REDACTED:email]"));
  EXPECT_FALSE(replacer.isReplacement(PiiKind::kSensitiveField, 0, "<sensitive_field:012345678>"));
  EXPECT_FALSE(
      replacer.isReplacement(PiiKind::kSensitiveField, 0, "<sensitive_field:0123456789A>"));
  EXPECT_FALSE(replacer.isReplacement(PiiKind::kSensitiveField, 0, "<sensitive_field:012345678G>"));
  EXPECT_FALSE(replacer.isReplacement(PiiKind::kSensitiveField, 0, "hunter2"));

  std::vector<ProtectedSpan> spans;
  const std::string_view text =
      "a [REDACTED:email] <ip:0123456789> **** **** **** 4242 ***-***-**58 10.1.x.x "
      "2001:db8:x:x:x:x:x:x DE89****3000 j***@example.com <ip:xyz> [REDACTED:]";
  replacer.findReplacements(text, spans);
  std::vector<std::string_view> found;
  for (const ProtectedSpan& span : spans)
    found.push_back(text.substr(span.begin, span.end - span.begin));
  EXPECT_EQ(found, (std::vector<std::string_view>{
                       "[REDACTED:email]", "<ip:0123456789>", "**** **** **** 4242", "***-***-**58",
                       "10.1.x.x", "2001:db8:x:x:x:x:x:x", "DE89****3000", "j***@example.com"}));
}

TEST(PiiReplacerTest, UnescapesJsonText) {
  auto unescaped = [](std::string_view text) {
    std::string out;
    appendJsonUnescaped(out, text);
    return out;
  };
  EXPECT_EQ(unescaped("plain"), "plain");
  EXPECT_EQ(unescaped(R"(a\"b\\c\/d\n\t\r\b\f)"), "a\"b\\c/d\n\t\r\b\f");
  EXPECT_EQ(unescaped(R"(bob\u0040example.com)"), "bob@example.com");
  EXPECT_EQ(unescaped(R"(\u00e9\u20AC)"), "\xC3\xA9\xE2\x82\xAC");
  EXPECT_EQ(unescaped(R"(\ud83d\ude00)"), "\xF0\x9F\x98\x80");
  EXPECT_EQ(unescaped(R"(\ud83dx)"), "\xEF\xBF\xBDx");
  EXPECT_EQ(unescaped(R"(\ude00)"), "\xEF\xBF\xBD");
  EXPECT_EQ(unescaped(R"(\q)"), "\xEF\xBF\xBD");
  EXPECT_EQ(unescaped(R"(\u12)"),
            "\xEF\xBF\xBD"
            "12");
  EXPECT_EQ(unescaped("x\\"), "x\xEF\xBF\xBD");
}

// ---- generated documents ----------------------------------------------------

// The skipped paths as the masker documents them, for the model below.
constexpr std::string_view kModelSkipped[] = {
    "@timestamp",    "log.level",  "log.offset", "log.file.path", "trace.id",
    "trace.span_id", "span.id",    "host",       "agent",         "ecs",
    "tags",          "kubernetes", "container",  "audit.who",
};

// A piece of PII and what redact mode makes of it.
struct GenPii {
  std::string_view text;
  std::string_view redacted;
};

constexpr GenPii kFakePii[] = {
    {"bob@example.com", "[REDACTED:email]"},
    {"alice.smith@corp.example.org", "[REDACTED:email]"},
    {"10.1.2.3", "[REDACTED:ipv4]"},
    {"192.168.100.200", "[REDACTED:ipv4]"},
    {"2001:db8:85a3::8a2e:370:7334", "[REDACTED:ipv6]"},
    {"fe80::1", "[REDACTED:ipv6]"},
    {"4111 1111 1111 1111", "[REDACTED:credit_card]"},
    {"5500-0000-0000-0004", "[REDACTED:credit_card]"},
    {"DE89 3704 0044 0532 0130 00", "[REDACTED:iban]"},
    {"GB82WEST12345698765432", "[REDACTED:iban]"},
    {"+1 415 555 0158", "[REDACTED:phone]"},
    {"123-45-6789", "[REDACTED:ssn]"},
    {"eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.sig", "[REDACTED:jwt]"},
    {"Bearer abc123def456", "Bearer [REDACTED:credentials]"},
    {"AKIAIOSFODNN7EXAMPLE", "[REDACTED:secret_token]"},
    {"bob\\u0040example.com", "[REDACTED:email]"},
    {"EMP-123456", "[REDACTED:employee_id]"},
};

// What both the fake and the built-in detectors find exactly so.
constexpr GenPii kRealPii[] = {
    {"bob@example.com", "[REDACTED:email]"},
    {"alice.smith@corp.example.org", "[REDACTED:email]"},
    {"10.1.2.3", "[REDACTED:ipv4]"},
    {"192.168.100.200", "[REDACTED:ipv4]"},
    {"2001:db8:85a3::8a2e:370:7334", "[REDACTED:ipv6]"},
    {"fe80::1", "[REDACTED:ipv6]"},
    {"4111 1111 1111 1111", "[REDACTED:credit_card]"},
    {"5500-0000-0000-0004", "[REDACTED:credit_card]"},
    {"DE89 3704 0044 0532 0130 00", "[REDACTED:iban]"},
    {"GB82WEST12345698765432", "[REDACTED:iban]"},
    {"+1 415 555 0158", "[REDACTED:phone]"},
    {"123-45-6789", "[REDACTED:ssn]"},
    {"eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.sig", "[REDACTED:jwt]"},
    {"Bearer abc123def456", "Bearer [REDACTED:credentials]"},
    {"AKIAIOSFODNN7EXAMPLE", "[REDACTED:secret_token]"},
    {"EMP-123456", "[REDACTED:employee_id]"},
};

// Text no detector finds anything in, escapes and non-ASCII included.
constexpr std::string_view kFiller[] = {
    "alpha",          "login ok", "caf\xC3\xA9",  "\\n",   "\\\"quoted\\\"",
    "\\u00e9",        "\\\\",     "path/to/file", "id=42", "x@y",
    "10.1",           "v1.2",     "AB",           "-",     "\xF0\x9F\x98\x80",
    "\\ud83d\\ude00", "\\t",
};

constexpr std::string_view kKeys[] = {
    "message",  "user",      "items",    "note",    "data",        "id",         "name",
    "host",     "trace",     "span",     "log",     "level",       "file",       "path",
    "audit",    "who",       "password", "Api-Key", "db_password", "max_tokens", "authToken",
    "x.secret", "client.ip", "tags",     "event",   "original",
};

void squash(std::string_view key, std::string& out) {
  out.clear();
  for (char c : key) {
    if (c == '_' || c == '-' || c == '.') continue;
    out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
}

enum class Sens { kNone, kContains, kEquals };

// Random events and, by an independent model of the rules, what redact mode
// must make of them.
class DocGenerator {
 public:
  DocGenerator(uint32_t seed, std::span<const GenPii> pii) : rng_(seed), pii_(pii) {}

  void document(std::string& in, std::string& out) {
    raw_ = pick(2) == 0;
    object("", false, 0, in, out);
  }

  // How many non-empty objects stood under a key that only contains a
  // sensitive name, or in an array that did, so that a run can show it tried
  // that rule.
  size_t walkedUnderContainedName() const { return walked_under_contained_name_; }

  // How many non-empty strings were elements of an array under a key that
  // only contains a sensitive name, for the same reason.
  size_t stringsInContainedArrays() const { return strings_in_contained_arrays_; }

 private:
  size_t pick(size_t n) { return std::uniform_int_distribution<size_t>(0, n - 1)(rng_); }

  void space(std::string& in, std::string& out) {
    if (!raw_ || pick(3) != 0) return;
    std::string_view ws = pick(2) ? " " : "\n\t ";
    in += ws;
    out += ws;
  }

  static bool skipped(std::string_view path) {
    for (std::string_view rule : kModelSkipped) {
      if (path == rule ||
          (path.starts_with(rule) && path.size() > rule.size() && path[rule.size()] == '.'))
        return true;
    }
    return false;
  }

  static Sens sensitivity(std::string_view key) {
    std::string squashed, name;
    squash(key, squashed);
    Sens found = Sens::kNone;
    for (std::string_view sensitive : {"password", "secret", "token", "api_key", "authorization"}) {
      squash(sensitive, name);
      if (squashed == name) return Sens::kEquals;
      if (squashed.find(name) != std::string::npos) found = Sens::kContains;
    }
    return found;
  }

  void value(const std::string& path, Sens sens, bool inert, int depth, std::string& in,
             std::string& out) {
    const size_t choice = pick(depth >= 4 ? 6 : 10);
    if (choice >= 8) {
      std::string inner_in, inner_out;
      // Only a secret's own name hides a whole container. Under a name that
      // merely contains one, each member of an object is judged by its own
      // key, while an array's elements stand where the name's own value
      // would: its strings are secrets, its numbers and flags are not.
      const bool whole = !inert && sens == Sens::kEquals;
      const bool empty = choice == 8 ? object(path, inert || whole, depth + 1, inner_in, inner_out)
                                     : array(path, whole ? Sens::kNone : sens, inert || whole,
                                             depth + 1, inner_in, inner_out);
      in += inner_in;
      out += whole && !empty ? "\"[REDACTED:sensitive_field]\"" : inner_out;
      walked_under_contained_name_ += choice == 8 && !inert && sens == Sens::kContains && !empty;
      return;
    }
    if (choice == 5) {
      std::string_view number = std::array{"0", "-12", "3.5e2", "1000", "42.0"}[pick(5)];
      in += number;
      if (!inert && sens == Sens::kEquals) {
        out += "\"[REDACTED:sensitive_field]\"";
      } else {
        out += number;
      }
      return;
    }
    if (choice == 6 || choice == 7) {
      std::string_view literal = std::array{"true", "false", "null"}[pick(3)];
      in += literal;
      // Like numbers, replaced only under a secret's own name: a flag such
      // as token_valid hides nothing.
      out += !inert && sens == Sens::kEquals && literal != "null" ? "\"[REDACTED:sensitive_field]\""
                                                                  : literal;
      return;
    }
    text(sens, inert, in, out);
  }

  void text(Sens sens, bool inert, std::string& in, std::string& out) {
    std::string s, masked;
    const size_t pieces = pick(7);
    for (size_t i = 0; i < pieces; ++i) {
      if (i > 0) {
        s += ", ";
        masked += ", ";
      }
      if (pick(3) == 0) {
        const GenPii& p = pii_[pick(pii_.size())];
        s += p.text;
        masked += p.redacted;
      } else {
        std::string_view filler = kFiller[pick(std::size(kFiller))];
        s += filler;
        masked += filler;
      }
    }
    in += '"' + s + '"';
    if (inert) {
      out += '"' + s + '"';
    } else if (sens != Sens::kNone) {
      out += s.empty() ? "\"\"" : "\"[REDACTED:sensitive_field]\"";
    } else {
      out += '"' + masked + '"';
    }
  }

  // Returns whether the object is empty.
  bool object(const std::string& path, bool inert, int depth, std::string& in, std::string& out) {
    in += '{';
    out += '{';
    space(in, out);
    const size_t members = depth == 0 ? 1 + pick(8) : pick(5);
    std::vector<std::string_view> used;
    for (size_t i = 0; i < members; ++i) {
      std::string_view key = kKeys[pick(std::size(kKeys))];
      if (std::find(used.begin(), used.end(), key) != used.end()) continue;
      if (!used.empty()) {
        in += ',';
        out += ',';
        space(in, out);
      }
      used.push_back(key);
      in += '"' + std::string(key) + '"';
      out += '"' + std::string(key) + '"';
      space(in, out);
      in += ':';
      out += ':';
      space(in, out);
      std::string child = path.empty() ? std::string(key) : path + "." + std::string(key);
      bool child_inert = inert || skipped(child);
      value(child, child_inert ? Sens::kNone : sensitivity(key), child_inert, depth, in, out);
      space(in, out);
    }
    in += '}';
    out += '}';
    return used.empty();
  }

  // `sens` is that of the key the array stands under, which its elements keep.
  bool array(const std::string& path, Sens sens, bool inert, int depth, std::string& in,
             std::string& out) {
    in += '[';
    out += '[';
    space(in, out);
    const size_t elements = pick(4);
    for (size_t i = 0; i < elements; ++i) {
      if (i > 0) {
        in += ',';
        out += ',';
        space(in, out);
      }
      const size_t before = in.size();
      value(path, sens, inert, depth, in, out);
      strings_in_contained_arrays_ +=
          !inert && sens == Sens::kContains && in[before] == '"' && in.size() - before > 2;
      space(in, out);
    }
    in += ']';
    out += ']';
    return elements == 0;
  }

  std::mt19937 rng_;
  std::span<const GenPii> pii_;
  bool raw_ = false;
  size_t walked_under_contained_name_ = 0;
  size_t strings_in_contained_arrays_ = 0;
};

std::shared_ptr<PiiSettings> generatorSettings(PiiMode mode) {
  auto settings = makeSettings(mode);
  settings->keep = {"audit.who"};
  settings->custom.push_back({"employee_id", pattern("EMP-[0-9]{6}"), mode});
  return settings;
}

void checkGenerated(std::span<const GenPii> pii, bool real_scanner) {
  auto makeMasker = [&](PiiMode mode) {
    auto settings = generatorSettings(mode);
    return real_scanner ? std::make_unique<PiiMasker>(settings) : fakeMasker(settings);
  };
  auto redact = makeMasker(PiiMode::kRedact);
  auto hash = makeMasker(PiiMode::kHash);
  auto partial = makeMasker(PiiMode::kPartial);
  re2::RE2 pseudonym(R"(<([a-z0-9_]+):[0-9a-f]{10}>)");
  size_t changed_docs = 0;
  size_t walked_under_contained_name = 0;
  size_t strings_in_contained_arrays = 0;
  for (uint32_t seed = 0; seed < 400; ++seed) {
    DocGenerator generator(seed, pii);
    std::string in, expected;
    generator.document(in, expected);
    walked_under_contained_name += generator.walkedUnderContainedName();
    strings_in_contained_arrays += generator.stringsInContainedArrays();
    ASSERT_TRUE(isValidJson(in)) << in;

    bool changed = false;
    std::string out = masked(*redact, in, nullptr, &changed);
    ASSERT_EQ(out, expected) << "seed " << seed << "\n" << in;
    EXPECT_EQ(changed, in != expected);
    changed_docs += changed;

    std::string hashed = masked(*hash, in);
    std::string parts = masked(*partial, in);
    for (auto [masker, once] : {std::pair{redact.get(), &out}, std::pair{hash.get(), &hashed},
                                std::pair{partial.get(), &parts}}) {
      EXPECT_TRUE(isValidJson(*once)) << "seed " << seed << "\n" << *once;
      EXPECT_LE(once->size(), 4 * in.size() + 64) << in;
      bool again = true;
      EXPECT_EQ(masked(*masker, *once, nullptr, &again), *once) << "seed " << seed;
      EXPECT_FALSE(again);
    }
    // Pseudonyms stand exactly where redactions do.
    re2::RE2::GlobalReplace(&hashed, pseudonym, R"([REDACTED:\1])");
    EXPECT_EQ(hashed, expected) << "seed " << seed;
  }
  EXPECT_GT(changed_docs, 200u);
  EXPECT_GT(walked_under_contained_name, 20u);
  EXPECT_GT(strings_in_contained_arrays, 20u);
}

TEST(PiiMaskerPropertyTest, GeneratedDocumentsWithFakeScanner) { checkGenerated(kFakePii, false); }

TEST(PiiMaskerPropertyTest, GeneratedDocumentsWithBuiltInDetectors) {
  checkGenerated(kRealPii, true);
}

TEST(PiiMaskerPropertyTest, MalformedInputNeverBreaksIt) {
  auto settings = generatorSettings(PiiMode::kPartial);
  auto fake = fakeMasker(settings);
  PiiMasker real(settings);
  std::mt19937 rng(7);
  auto pick = [&](size_t n) { return std::uniform_int_distribution<size_t>(0, n - 1)(rng); };
  constexpr std::string_view kNasty = "{}[]\",:\\ u0x\n\xC3\xFF";
  size_t valid_changed = 0;
  for (uint32_t i = 0; i < 3000; ++i) {
    std::string doc;
    if (i % 10 == 0) {
      doc.resize(pick(64));
      for (char& c : doc) c = static_cast<char>(pick(256));
    } else {
      std::string expected;
      DocGenerator(i, kFakePii).document(doc, expected);
      for (size_t m = 1 + pick(3); m > 0 && !doc.empty(); --m) {
        const size_t at = pick(doc.size());
        switch (pick(4)) {
          case 0:
            doc.resize(at);
            break;
          case 1:
            doc[at] = kNasty[pick(kNasty.size())];
            break;
          case 2:
            doc.insert(at, 1, kNasty[pick(kNasty.size())]);
            break;
          default:
            doc.erase(at, pick(8));
        }
      }
    }
    const bool valid = isValidJson(doc);
    for (PiiMasker* masker : {fake.get(), &real}) {
      std::string copy = doc;
      PiiCounts counts;
      if (!masker->mask(copy, 0, counts)) {
        EXPECT_EQ(copy, doc);
        continue;
      }
      if (valid) {
        EXPECT_TRUE(isValidJson(copy)) << doc << "\n" << copy;
        ++valid_changed;
      }
    }
  }
  EXPECT_GT(valid_changed, 100u);
}

// ---- with the built-in detectors ---------------------------------------------

TEST(PiiMaskerBuiltInTest, MasksAnEvent) {
  PiiMasker masker(makeSettings());
  PiiCounts counts;
  EXPECT_EQ(
      masked(masker,
             R"({"@timestamp":"2024-01-15T10:30:00.000Z","log":{"level":"INFO",)"
             R"("message":"user bob@example.com logged in from 10.1.2.3 with password=hunter2"},)"
             R"("trace":{"id":"4bf92f3577b34da6a3ce929d0e0e4736"},"http":{"request":{"headers":)"
             R"({"authorization":"Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.sig"}}},)"
             R"("event":{"original":"{\"card\":\"4111 1111 1111 1111\",\"token\":\"abc\"}"}})",
             &counts),
      R"({"@timestamp":"2024-01-15T10:30:00.000Z","log":{"level":"INFO",)"
      R"("message":"user [REDACTED:email] logged in from [REDACTED:ipv4] with )"
      R"(password=[REDACTED:sensitive_field]"},)"
      R"("trace":{"id":"4bf92f3577b34da6a3ce929d0e0e4736"},"http":{"request":{"headers":)"
      R"({"authorization":"[REDACTED:sensitive_field]"}}},)"
      R"("event":{"original":"{\"card\":\"[REDACTED:credit_card]\",)"
      R"(\"token\":\"[REDACTED:sensitive_field]\"}"}})");
  EXPECT_EQ(counts.by_kind[kind(PiiKind::kEmail)], 1u);
  EXPECT_EQ(counts.by_kind[kind(PiiKind::kIpv4)], 1u);
  EXPECT_EQ(counts.by_kind[kind(PiiKind::kCreditCard)], 1u);
  EXPECT_EQ(counts.by_kind[kind(PiiKind::kSensitiveField)], 3u);
}

TEST(PiiMaskerBuiltInTest, MaskedOutputIsNotMaskedAgain) {
  // Separated by commas: a phone number followed by more digit groups (an
  // SSN) is not one the built-in detector takes.
  std::string message;
  for (const GenPii& pii : kRealPii) message += std::string(pii.text) + ", ";
  message += R"(password=hunter2, api_key: 'x y', {\"token\": \"abc\"} )"
             "Authorization: Basic dXNlcjpwYXNz";
  for (PiiMode mode : {PiiMode::kRedact, PiiMode::kHash, PiiMode::kPartial}) {
    auto settings = generatorSettings(mode);
    PiiMasker masker(settings);
    PiiCounts counts;
    const std::string once = masked(masker, messageDoc(message), &counts);
    uint64_t total = 0;
    for (uint64_t n : counts.by_kind) total += n;
    EXPECT_EQ(total, std::size(kRealPii) - 1 + 5)
        << once;  // + password, api_key, token, Basic, field
    EXPECT_EQ(counts.by_custom, std::vector<uint64_t>{1});
    bool changed = true;
    EXPECT_EQ(masked(masker, once, nullptr, &changed), once);
    EXPECT_FALSE(changed) << once;
  }
}

}  // namespace
}  // namespace sluice
