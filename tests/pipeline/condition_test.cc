#include "pipeline/condition.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <cstdlib>
#include <optional>
#include <ostream>
#include <random>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

// The sanitizer runtime can report every allocation, including those inside
// RE2, without replacing the global allocator for the whole test binary.
// Declared weak so that the test still links, and skips, without it.
extern "C" int __sanitizer_install_malloc_and_free_hooks(void (*malloc_hook)(const volatile void*,
                                                                             std::size_t),
                                                         void (*free_hook)(const volatile void*))
    __attribute__((weak));

namespace sluice {
namespace {

std::atomic<bool> g_count_allocations{false};
std::atomic<int> g_allocations{0};

void countAllocation(const volatile void*, std::size_t) {
  if (g_count_allocations.load(std::memory_order_relaxed)) ++g_allocations;
}
void ignoreFree(const volatile void*) {}

// An event as a flat list of dotted paths. Lookups compare segments in place
// so that the fake itself never allocates.
class FakeEvent : public FieldSource {
 public:
  FakeEvent(std::initializer_list<std::pair<std::string_view, ConditionValue>> fields) {
    for (const auto& [path, value] : fields) {
      std::vector<std::string> segments;
      size_t start = 0;
      for (size_t dot = path.find('.'); dot != std::string_view::npos;
           dot = path.find('.', start)) {
        segments.emplace_back(path.substr(start, dot - start));
        start = dot + 1;
      }
      segments.emplace_back(path.substr(start));
      fields_.emplace_back(std::move(segments), value);
    }
  }

  ConditionValue field(std::span<const std::string_view> path) const override {
    ++lookups;
    for (const auto& [segments, value] : fields_) {
      if (std::equal(segments.begin(), segments.end(), path.begin(), path.end())) return value;
    }
    return ConditionValue::missing();
  }

  mutable int lookups = 0;

 private:
  std::vector<std::pair<std::vector<std::string>, ConditionValue>> fields_;
};

const FakeEvent& sampleEvent() {
  static const FakeEvent event{
      {"log.level", ConditionValue::ofString("DEBUG")},
      {"service.tier", ConditionValue::ofString("gateway")},
      {"service.name", ConditionValue::ofString("checkout")},
      {"http.status_code", ConditionValue::ofNumber(503)},
      {"http.duration_ms", ConditionValue::ofNumber(2500.5)},
      {"@timestamp", ConditionValue::ofString("2024-05-01T12:00:00Z")},
      {"kubernetes.labels.app", ConditionValue::ofString("web-frontend")},
      {"message", ConditionValue::ofString("GET /api/users 500 \"Internal\" error\tnow")},
      {"unicode", ConditionValue::ofString("café")},
      {"ok", ConditionValue::ofBool(true)},
      {"off", ConditionValue::ofBool(false)},
      {"nothing", ConditionValue::null()},
      {"zero", ConditionValue::ofNumber(0)},
      {"negative", ConditionValue::ofNumber(-2.5)},
      {"empty", ConditionValue::ofString("")},
      {"object", ConditionValue::other()},
      {"status_text", ConditionValue::ofString("500")},
      {"user-agent", ConditionValue::ofString("curl/8.0")},
  };
  return event;
}

Condition compileOrDie(std::string_view text) {
  std::string error;
  std::optional<Condition> condition = Condition::compile(text, error);
  EXPECT_TRUE(condition.has_value()) << text << ": " << error;
  if (!condition) return *Condition::compile("missing_field_never_set", error);
  return std::move(*condition);
}

struct MatchCase {
  std::string_view text;
  bool expected;
};
void PrintTo(const MatchCase& c, std::ostream* os) { *os << c.text; }

class ConditionMatchTest : public testing::TestWithParam<MatchCase> {};

TEST_P(ConditionMatchTest, Evaluates) {
  const MatchCase& c = GetParam();
  const Condition condition = compileOrDie(c.text);
  EXPECT_EQ(condition.matches(sampleEvent()), c.expected) << c.text;
  EXPECT_EQ(condition.text(), c.text);
}

INSTANTIATE_TEST_SUITE_P(
    Spec, ConditionMatchTest,
    testing::Values(MatchCase{R"(log.level == "DEBUG" && service.tier == "gateway")", true},
                    MatchCase{R"(log.level == "DEBUG" && service.tier == "backend")", false},
                    MatchCase{"http.status_code >= 500", true},
                    MatchCase{"http.duration_ms > 2000", true},
                    MatchCase{"http.duration_ms > 3000", false}));

INSTANTIATE_TEST_SUITE_P(
    Equality, ConditionMatchTest,
    testing::Values(
        MatchCase{R"(log.level == "DEBUG")", true}, MatchCase{R"(log.level == 'DEBUG')", true},
        MatchCase{R"(log.level == "debug")", false},  // case-sensitive
        MatchCase{R"(log.level != "DEBUG")", false}, MatchCase{R"(log.level != "INFO")", true},
        MatchCase{"http.status_code == 503", true}, MatchCase{"http.status_code == 503.0", true},
        MatchCase{"http.status_code == 5.03e2", true}, MatchCase{"http.status_code != 503", false},
        MatchCase{"negative == -2.5", true}, MatchCase{"zero == 0", true},
        MatchCase{"zero == -0", true}, MatchCase{"ok == true", true},
        MatchCase{"ok == false", false}, MatchCase{"off == false", true},
        MatchCase{"nothing == null", true}, MatchCase{"nothing != null", false},
        MatchCase{"@timestamp == \"2024-05-01T12:00:00Z\"", true},
        MatchCase{R"(kubernetes.labels.app == "web-frontend")", true},
        MatchCase{R"(user-agent == "curl/8.0")", true}, MatchCase{R"(unicode == "café")", true},
        MatchCase{R"(empty == "")", true},
        MatchCase{R"(message == "GET /api/users 500 \"Internal\" error\tnow")", true},
        MatchCase{R"(message == 'GET /api/users 500 "Internal" error\tnow')", true},
        MatchCase{R"(message == "GET /api/users 500 \"Internal\" error\\tnow")", false}));

INSTANTIATE_TEST_SUITE_P(
    Ordering, ConditionMatchTest,
    testing::Values(
        MatchCase{"http.status_code < 503", false}, MatchCase{"http.status_code <= 503", true},
        MatchCase{"http.status_code > 503", false}, MatchCase{"http.status_code >= 503", true},
        MatchCase{"http.status_code > 99", true},  // numeric, not "503" < "99"
        MatchCase{"negative < -2", true}, MatchCase{"negative > -3.5", true},
        MatchCase{R"(log.level < "INFO")", true}, MatchCase{R"(log.level > "INFO")", false},
        MatchCase{R"(log.level >= "DEBUG")", true}, MatchCase{R"(log.level <= "DEBU")", false},
        MatchCase{R"(status_text > "4")", true},   // bytewise: "500" > "4"
        MatchCase{R"(unicode > "cafz")", true}));  // UTF-8 bytes sort above ASCII

INSTANTIATE_TEST_SUITE_P(
    TypeMismatch, ConditionMatchTest,
    testing::Values(MatchCase{R"(http.status_code == "503")", false},
                    MatchCase{R"(http.status_code != "503")", true},
                    MatchCase{"status_text == 500", false}, MatchCase{"status_text != 500", true},
                    MatchCase{R"(http.status_code > "1")", false},
                    MatchCase{R"(http.status_code < "1")", false},
                    MatchCase{"status_text > 1", false}, MatchCase{"status_text <= 1000", false},
                    MatchCase{"ok == 1", false}, MatchCase{"zero == false", false},
                    MatchCase{"nothing == false", false}, MatchCase{"empty == null", false},
                    MatchCase{"object == null", false}, MatchCase{"object != null", true},
                    MatchCase{R"(object == "x")", false},
                    MatchCase{R"(http.status_code =~ "^5")", false},
                    MatchCase{R"(http.status_code !~ "^5")", true},
                    MatchCase{R"(http.status_code contains "5")", false},
                    MatchCase{"ok in [true]", true}, MatchCase{R"(ok in ["true", 1])", false}));

INSTANTIATE_TEST_SUITE_P(
    MissingField, ConditionMatchTest,
    testing::Values(MatchCase{R"(absent == "x")", false}, MatchCase{R"(absent != "x")", true},
                    MatchCase{"absent == null", false}, MatchCase{"absent != null", true},
                    MatchCase{"absent < 1", false}, MatchCase{"absent >= 1", false},
                    MatchCase{R"(absent < "z")", false}, MatchCase{R"(absent =~ "")", false},
                    MatchCase{R"(absent !~ "x")", true}, MatchCase{"absent in [null, 0]", false},
                    MatchCase{R"(absent contains "")", false},
                    MatchCase{R"(absent starts_with "")", false}, MatchCase{"absent", false},
                    MatchCase{"!absent", true}, MatchCase{"exists(absent)", false},
                    MatchCase{"log.level.deeper", false}, MatchCase{"log", false}));

INSTANTIATE_TEST_SUITE_P(
    Regex, ConditionMatchTest,
    testing::Values(MatchCase{R"(log.level =~ "DEB")", true},  // partial match
                    MatchCase{R"(log.level =~ "^DEB$")", false},
                    MatchCase{R"(log.level =~ "(?i)^debug$")", true},
                    MatchCase{R"(log.level =~ "^debug$")", false},
                    MatchCase{R"(log.level !~ "^(INFO|WARN)$")", true},
                    MatchCase{R"(log.level !~ "^(DEBUG|TRACE)$")", false},
                    MatchCase{R"(message =~ "\s5\d\d\s")", true},      // unknown escapes kept
                    MatchCase{R"(message =~ "\\s5\\d\\d\\s")", true},  // or written doubled
                    MatchCase{R"(message =~ "\"Internal\"")", true},
                    MatchCase{R"(message =~ "error\tnow")", true},
                    MatchCase{R"(@timestamp =~ '^2024-05-\d{2}T')", true},
                    MatchCase{R"(unicode =~ "^caf.$")", true},  // UTF-8 aware
                    MatchCase{R"(empty =~ "^$")", true}));

INSTANTIATE_TEST_SUITE_P(InAndStrings, ConditionMatchTest,
                         testing::Values(MatchCase{R"(log.level in ["INFO", "DEBUG"])", true},
                                         MatchCase{R"(log.level in ["INFO", "WARN"])", false},
                                         MatchCase{R"(log.level in [])", false},
                                         MatchCase{R"(log.level in ['DEBUG'])", true},
                                         MatchCase{"http.status_code in [500, 502, 503, 504]",
                                                   true},
                                         MatchCase{"http.status_code in [500,502]", false},
                                         MatchCase{R"(http.status_code in ["503"])", false},
                                         MatchCase{"nothing in [1, null]", true},
                                         MatchCase{R"(message contains "users")", true},
                                         MatchCase{R"(message contains "Users")", false},
                                         MatchCase{R"(message contains "")", true},
                                         MatchCase{R"(service.name starts_with "check")", true},
                                         MatchCase{R"(service.name starts_with "out")", false},
                                         MatchCase{R"(service.name ends_with "out")", true},
                                         MatchCase{R"(service.name ends_with "check")", false},
                                         MatchCase{R"(service.name contains"ecko")", true}));

INSTANTIATE_TEST_SUITE_P(
    ExistsAndTruthiness, ConditionMatchTest,
    testing::Values(MatchCase{"exists(log.level)", true}, MatchCase{"exists( nothing )", true},
                    MatchCase{"exists(object)", true}, MatchCase{"exists(absent)", false},
                    MatchCase{"ok", true}, MatchCase{"off", false}, MatchCase{"nothing", false},
                    MatchCase{"zero", false}, MatchCase{"negative", true},
                    MatchCase{"empty", false}, MatchCase{"object", true},
                    MatchCase{"log.level", true}, MatchCase{"exists == 1", false},
                    MatchCase{"!ok", false}, MatchCase{"!off", true}, MatchCase{"not empty", true},
                    MatchCase{"!!ok", true}, MatchCase{"ok&&!off", true},
                    MatchCase{"ok||off", true}, MatchCase{"(ok)", true}));

INSTANTIATE_TEST_SUITE_P(
    BooleanLogic, ConditionMatchTest,
    testing::Values(
        MatchCase{"ok && off", false}, MatchCase{"ok || off", true}, MatchCase{"off || off", false},
        MatchCase{"ok and ok", true}, MatchCase{"off or ok", true},
        MatchCase{"not off and not zero", true},
        // && binds tighter than ||.
        MatchCase{"ok || ok && off", true}, MatchCase{"(ok || ok) && off", false},
        MatchCase{"off && off || ok", true}, MatchCase{"off && (off || ok)", false},
        // ! binds tighter than && and ||.
        MatchCase{"!off && ok", true}, MatchCase{"!ok || ok", true},
        MatchCase{"!(ok || ok)", false}, MatchCase{"!ok && off || ok", true},
        MatchCase{"not (off or off) and ok", true},
        MatchCase{R"(!(log.level == "DEBUG") || service.tier == "gateway")", true},
        MatchCase{R"(log.level == "INFO" || log.level == "WARN" || log.level == "DEBUG")", true},
        MatchCase{R"(log.level == "INFO" || log.level == "WARN" || log.level == "ERROR")", false},
        MatchCase{"ok && ok && ok && negative && off", false}, MatchCase{"((((ok))))", true},
        MatchCase{"((ok) && (!off)) || (off)", true}, MatchCase{"  ok\n&&\tok  ", true},
        MatchCase{R"(log.level=="DEBUG"&&http.status_code>=500)", true}));

TEST(ConditionTest, ShortCircuits) {
  // Each case names the fields that must be read, in order.
  struct Case {
    std::string_view text;
    int expected_lookups;
  };
  for (const Case& c :
       {Case{"ok || off", 1}, Case{"off || ok", 2}, Case{"off && ok", 1}, Case{"ok && off", 2},
        Case{"off && ok || ok", 2}, Case{"ok || off && off", 1}, Case{"!ok && off", 1},
        Case{"(off && zero) || (ok && negative)", 3},
        Case{R"(log.level == "X" && a && b && c)", 1}}) {
    FakeEvent event{{"ok", ConditionValue::ofBool(true)},
                    {"off", ConditionValue::ofBool(false)},
                    {"negative", ConditionValue::ofNumber(-1)}};
    compileOrDie(c.text).matches(event);
    EXPECT_EQ(event.lookups, c.expected_lookups) << c.text;
  }
}

TEST(ConditionTest, ReportsFieldsOncePerPathInOrder) {
  const Condition condition = compileOrDie(
      R"(log.level == "DEBUG" && (service.tier == "x" || exists(@timestamp)) && log.level != "Y")"
      R"( || kubernetes.labels.app in ["a"])");
  const std::vector<std::vector<std::string>> expected{
      {"log", "level"}, {"service", "tier"}, {"@timestamp"}, {"kubernetes", "labels", "app"}};
  EXPECT_EQ(condition.fields(), expected);
}

TEST(ConditionTest, PassesParsedSegmentsToTheSource) {
  class Recorder : public FieldSource {
   public:
    ConditionValue field(std::span<const std::string_view> path) const override {
      seen.emplace_back(path.begin(), path.end());
      return ConditionValue::missing();
    }
    mutable std::vector<std::vector<std::string>> seen;
  };
  Recorder recorder;
  compileOrDie("kubernetes.labels.app || @timestamp || a-b_c.d@e").matches(recorder);
  const std::vector<std::vector<std::string>> expected{
      {"kubernetes", "labels", "app"}, {"@timestamp"}, {"a-b_c", "d@e"}};
  EXPECT_EQ(recorder.seen, expected);
}

TEST(ConditionTest, CopiesAndMovesOutliveTheOriginal) {
  std::optional<Condition> original = compileOrDie(R"(kubernetes.labels.app == "web-frontend")");
  const Condition copy = *original;
  Condition moved = std::move(*original);
  original.reset();
  EXPECT_TRUE(copy.matches(sampleEvent()));
  EXPECT_TRUE(moved.matches(sampleEvent()));
  moved = compileOrDie(R"(log.level =~ "^INFO$")");
  EXPECT_FALSE(moved.matches(sampleEvent()));
  EXPECT_TRUE(copy.matches(sampleEvent()));
  std::vector<Condition> many(100, copy);
  for (const Condition& c : many) EXPECT_TRUE(c.matches(sampleEvent()));
}

TEST(ConditionTest, MatchingDoesNotAllocate) {
  if (__sanitizer_install_malloc_and_free_hooks == nullptr) {
    GTEST_SKIP() << "needs a sanitizer runtime to observe allocations";
  }
  static const bool installed =
      __sanitizer_install_malloc_and_free_hooks(countAllocation, ignoreFree) != 0;
  ASSERT_TRUE(installed);
  const std::vector<Condition> conditions{
      compileOrDie(R"(log.level == "DEBUG" && service.tier == "gateway")"),
      compileOrDie(R"(log.level =~ "(?i)^debug$" || message =~ "\d{3}")"),
      compileOrDie(R"(http.status_code in [500, 503] && !(message contains "health"))"),
      compileOrDie("exists(kubernetes.labels.app) and http.duration_ms > 2000 and ok"),
      compileOrDie(R"(absent != "x" && service.name starts_with "check")"),
  };
  // RE2 builds its DFA lazily on first use; that is a one-off, not per event.
  for (const Condition& c : conditions) c.matches(sampleEvent());
  g_allocations = 0;
  g_count_allocations = true;
  // Proves the hook sees allocations at all; volatile so the pair is not elided.
  void* (*volatile allocate)(std::size_t) = std::malloc;
  std::free(allocate(64));
  ASSERT_EQ(g_allocations.exchange(0), 1);
  int matched = 0;
  for (int i = 0; i < 1000; ++i) {
    for (const Condition& c : conditions) matched += c.matches(sampleEvent()) ? 1 : 0;
  }
  g_count_allocations = false;
  EXPECT_EQ(g_allocations.load(), 0);
  EXPECT_EQ(matched, 5000);
}

struct ErrorCase {
  std::string_view name;
  std::string text;
  std::string_view expected_error;
};
void PrintTo(const ErrorCase& c, std::ostream* os) { *os << c.text; }

class ConditionErrorTest : public testing::TestWithParam<ErrorCase> {};

TEST_P(ConditionErrorTest, ReportsColumn) {
  const ErrorCase& c = GetParam();
  std::string error;
  EXPECT_FALSE(Condition::compile(c.text, error).has_value()) << c.text;
  EXPECT_EQ(error, c.expected_error) << c.text;
}

INSTANTIATE_TEST_SUITE_P(
    Malformed, ConditionErrorTest,
    testing::Values(
        ErrorCase{"Empty", "", "column 1: empty condition"},
        ErrorCase{"Blank", " \t\n", "column 1: empty condition"},
        ErrorCase{"UnterminatedString", R"(log.level == "DEBUG)", "column 14: unterminated string"},
        ErrorCase{"UnterminatedAfterEscape", R"(a == 'x\')", "column 6: unterminated string"},
        ErrorCase{"TrailingBackslash", R"(a == "x\)", "column 6: unterminated string"},
        ErrorCase{"MissingOperand", "log.level == ", "column 14: expected a value after '=='"},
        ErrorCase{"MissingOperandAtEnd", "a >=", "column 5: expected a value after '>='"},
        ErrorCase{"MissingOperandBeforeAnd", "a == && b",
                  "column 6: expected a value after '==', found '&&'"},
        ErrorCase{"UnquotedString", "log.level == DEBUG",
                  "column 14: expected a value after '==', found 'DEBUG'; strings need quotes"},
        ErrorCase{"UnclosedParen", "(a == 1", "column 8: expected ')' to close '(' at column 1"},
        ErrorCase{"UnclosedInnerParen", "a && (b || (c)",
                  "column 15: expected ')' to close '(' at column 6"},
        ErrorCase{"ExtraCloseParen", "a == 1)", "column 7: unbalanced ')'"},
        ErrorCase{"GarbageInParens", "(a b)", "column 4: unknown operator 'b'"},
        ErrorCase{"EmptyParens", "()", "column 2: expected a condition after '(', found ')'"},
        ErrorCase{"TripleEquals", "a === 1", "column 3: unknown operator '==='"},
        ErrorCase{"SingleEquals", "a = 1", "column 3: unknown operator '='; did you mean '=='?"},
        ErrorCase{"WordOperator", R"(a like "x")", "column 3: unknown operator 'like'"},
        ErrorCase{"BangOperator", "a ! b", "column 3: unknown operator '!'"},
        ErrorCase{"TrailingGarbage", "a == 1 b",
                  "column 8: expected '&&', '||' or the end, found 'b'"},
        ErrorCase{"TrailingString", R"(a == "x" "y")",
                  "column 10: expected '&&', '||' or the end, found a string"},
        ErrorCase{"SingleAmpersand", "a & b",
                  "column 3: expected an operator after 'a', found '&'"},
        ErrorCase{"DanglingAnd", "a && ", "column 6: expected a condition after '&&'"},
        ErrorCase{"DanglingOr", "a ||", "column 5: expected a condition after '||'"},
        ErrorCase{"DanglingNot", "!", "column 2: expected a condition after '!'"},
        ErrorCase{"DanglingWordNot", "a and not", "column 10: expected a condition after 'not'"},
        ErrorCase{"LeadingAnd", "&& a", "column 1: expected a condition, found '&&'"},
        ErrorCase{"OrWithoutRight", "(a || )",
                  "column 7: expected a condition after '||', found ')'"},
        ErrorCase{"KeywordAsField", "a and and",
                  "column 7: expected a field, found the keyword 'and'"},
        ErrorCase{"LiteralOnLeft", R"("DEBUG" == log.level)",
                  "column 1: expected a condition, found a string"},
        ErrorCase{"NumberOnLeft", "500 <= http.status_code",
                  "column 1: expected a field, found the number 500; the field goes on the left of "
                  "a comparison"},
        ErrorCase{"FieldOnRight", "a == b",
                  "column 6: expected a value after '==', found 'b'; "
                  "strings need quotes"},
        ErrorCase{"TrailingDot", "a. == 1", "column 3: empty segment in field path 'a.'"},
        ErrorCase{"DoubleDot", "a..b == 1", "column 3: empty segment in field path 'a..b'"},
        ErrorCase{"LeadingDot", ".a", "column 1: empty segment in field path '.a'"},
        ErrorCase{"BadNumber", "a == 5xx", "column 6: invalid number '5xx'"},
        ErrorCase{"LoneMinus", "a == -", "column 6: invalid number '-'"},
        ErrorCase{"TwoDots", "a == 1.2.3", "column 6: invalid number '1.2.3'"},
        ErrorCase{"NegativeInfinity", "a == -inf", "column 6: invalid number '-inf'"},
        ErrorCase{"HugeNumber", "a == 1e999", "column 6: number out of range '1e999'"},
        ErrorCase{"OrderByBool", "a < true", "column 5: '<' needs a number or a string"},
        ErrorCase{"OrderByNull", "a >= null", "column 6: '>=' needs a number or a string"},
        ErrorCase{"RegexNotString", "a =~ 5", "column 6: '=~' needs a string"},
        ErrorCase{"ContainsNotString", "a contains 5", "column 12: 'contains' needs a string"},
        ErrorCase{"StartsWithNull", "a starts_with null",
                  "column 15: 'starts_with' needs a string"},
        ErrorCase{"BadRegex", R"(msg =~ "(unclosed")",
                  "column 8: invalid regex: missing ): (unclosed"},
        ErrorCase{"BadRegexRange", R"(a && msg !~ "[z-a]")",
                  "column 13: invalid regex: invalid character class range: z-a"},
        ErrorCase{"InWithoutList", R"(a in "x")",
                  "column 6: expected '[' after 'in', found a string"},
        ErrorCase{"UnclosedList", R"(a in ["x", "y")",
                  "column 15: expected ']' to close '[' at column 6"},
        ErrorCase{"ListTrailingComma", "a in [1,]",
                  "column 9: expected a value after ',', found ']'"},
        ErrorCase{"ListMissingComma", "a in [1 2]",
                  "column 9: expected ',' or ']' in the list, found '2'"},
        ErrorCase{"ListOfFields", "a in [b]",
                  "column 7: expected a value after '[', found 'b'; strings need quotes"},
        ErrorCase{"ExistsUnclosed", "exists(a",
                  "column 9: expected ')' after the field in exists(), found the end"},
        ErrorCase{"ExistsEmpty", "exists()", "column 8: expected a field, found ')'"},
        ErrorCase{"ColumnCountsCharacters", R"(msg == "日本語" &&)",
                  "column 16: expected a condition after '&&'"},
        ErrorCase{"TooDeepParens", std::string(65, '(') + "a" + std::string(65, ')'),
                  "column 65: nesting deeper than 64 levels"},
        ErrorCase{"TooDeepNot", std::string(65, '!') + "a",
                  "column 65: nesting deeper than 64 levels"},
        ErrorCase{"TooDeepMixed", "a && (" + std::string(40, '!') + std::string(30, '(') + "b",
                  "column 70: nesting deeper than 64 levels"},
        ErrorCase{"VeryDeepIsNotACrash", std::string(4000, '('),
                  "column 65: nesting deeper than 64 levels"},
        ErrorCase{"TooLong", "a == \"" + std::string(4096, 'x') + "\"",
                  "column 4097: condition is longer than 4096 bytes"}),
    [](const testing::TestParamInfo<ErrorCase>& p) { return std::string(p.param.name); });

TEST(ConditionTest, AcceptsTheLimits) {
  std::string deepest = std::string(64, '(') + "ok" + std::string(64, ')');
  EXPECT_TRUE(compileOrDie(deepest).matches(sampleEvent()));
  EXPECT_FALSE(compileOrDie(std::string(63, '!') + "ok").matches(sampleEvent()));

  // Long chains are loops, not recursion, so only the length limits them.
  std::string chain = "ok";
  while (chain.size() + 6 <= Condition::kMaxLength) chain += " && ok";
  EXPECT_TRUE(compileOrDie(chain).matches(sampleEvent()));
  std::string alternatives = "off";
  while (alternatives.size() + 7 <= Condition::kMaxLength) alternatives += " || off";
  EXPECT_FALSE(compileOrDie(alternatives).matches(sampleEvent()));
}

constexpr std::string_view kFuzzFields[] = {
    "log.level", "service.tier", "http.status_code", "ok",      "off",        "nothing",
    "object",    "absent",       "message",          "unicode", "@timestamp", "a.b.c"};
constexpr std::string_view kFuzzOperators[] = {
    "==", "!=", "<", "<=", ">", ">=", "=~", "!~", "in", "contains", "starts_with", "ends_with"};
constexpr std::string_view kFuzzLiterals[] = {
    "\"DEBUG\"", "'gateway'", "\"\"", "\"(?i)deb\"", "\"\\d+\"", "\"(\"", "503",
    "-2.5",      "0",         "1e3",  "true",        "false",    "null",  "\"caf\xC3\xA9\""};
constexpr std::string_view kFuzzPieces[] = {
    "a",       "b.c", "==", "!=", "<",   ">=", "=~", "in",  "[",    "]",     ",", "contains",
    "exists(", "(",   ")",  "!",  "not", "&&", "||", "and", "or",   "\"x\"", "1", "-",
    "\"",      "'",   "\\", " ",  ".",   "=",  "&",  "|",   "\xC3", "\xFF",  "\n"};

template <typename T, size_t N>
std::string_view pick(std::mt19937& rng, const T (&items)[N]) {
  return items[rng() % N];
}

// A random expression that is valid more often than not, so that evaluation
// gets exercised as much as parsing.
std::string randomExpression(std::mt19937& rng, int depth) {
  switch (rng() % (depth > 4 ? 3 : 7)) {
    case 0: {
      std::string text(pick(rng, kFuzzFields));
      const std::string_view op = pick(rng, kFuzzOperators);
      text += " " + std::string(op) + " ";
      if (op != "in") return text + std::string(pick(rng, kFuzzLiterals));
      text += "[";
      for (unsigned i = rng() % 4; i > 0; --i) {
        text += std::string(pick(rng, kFuzzLiterals)) + (i > 1 ? ", " : "");
      }
      return text + "]";
    }
    case 1:
      return std::string(pick(rng, kFuzzFields));
    case 2:
      return "exists(" + std::string(pick(rng, kFuzzFields)) + ")";
    case 3:
      return "(" + randomExpression(rng, depth + 1) + ")";
    case 4:
      return (rng() % 2 ? "!" : "not ") + randomExpression(rng, depth + 1);
    default: {
      static constexpr std::string_view kJoins[] = {" && ", " || ", " and ", " or ", "&&", "||"};
      return randomExpression(rng, depth + 1) + std::string(pick(rng, kJoins)) +
             randomExpression(rng, depth + 1);
    }
  }
}

// Deletes, inserts or overwrites a few characters, to find near-valid input.
void mutate(std::mt19937& rng, std::string& text) {
  for (unsigned n = 1 + rng() % 3; n > 0; --n) {
    const size_t at = text.empty() ? 0 : rng() % (text.size() + 1);
    switch (rng() % 3) {
      case 0:
        if (at < text.size()) text.erase(at, 1);
        break;
      case 1:
        text.insert(at, pick(rng, kFuzzPieces));
        break;
      default:
        if (at < text.size()) text[at] = static_cast<char>(rng() % 256);
        break;
    }
  }
}

std::string randomText(std::mt19937& rng, int round) {
  std::string text;
  switch (round % 4) {
    case 0:  // arbitrary bytes
      for (unsigned n = rng() % 32; n > 0; --n) text.push_back(static_cast<char>(rng() % 256));
      return text;
    case 1:  // arbitrary tokens
      for (unsigned n = rng() % 24; n > 0; --n) {
        text += pick(rng, kFuzzPieces);
        if (rng() % 2) text += ' ';
      }
      return text;
    case 2:
      text = randomExpression(rng, 0);
      mutate(rng, text);
      return text;
    default:
      return randomExpression(rng, 0);
  }
}

// Random text must never crash the compiler or the evaluator; whatever
// compiles must also evaluate, and its negation must evaluate to the opposite.
TEST(ConditionTest, RandomInputNeverCrashes) {
  std::mt19937 rng(12345);
  int compiled = 0;
  for (int round = 0; round < 40000; ++round) {
    const std::string text = randomText(rng, round);
    std::string error;
    std::optional<Condition> condition = Condition::compile(text, error);
    if (!condition) {
      ASSERT_TRUE(error.starts_with("column ")) << text << " -> " << error;
      continue;
    }
    ++compiled;
    const bool result = condition->matches(sampleEvent());
    EXPECT_FALSE(condition->fields().empty()) << text;
    std::optional<Condition> negated = Condition::compile("!(" + text + ")", error);
    if (negated) {
      EXPECT_EQ(negated->matches(sampleEvent()), !result) << text;
    }
  }
  EXPECT_GT(compiled, 5000);  // the generator must exercise evaluation too
}

}  // namespace
}  // namespace sluice
