#include "pipeline/normalizer.h"

#include <gtest/gtest.h>
#include <simdjson.h>

#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "pipeline/condition.h"
#include "pipeline/event_id.h"
#include "pipeline/timestamp.h"

namespace sluice {
namespace {

// 2024-01-15T10:30:00.123Z: what a line without a timestamp of its own gets.
constexpr TimestampNs kIngest = 1'705'314'600'123'000'000;
constexpr std::string_view kIngestText = "\"2024-01-15T10:30:00.123Z\"";
constexpr std::string_view kAbsent = "<absent>";

NormalizerOptions defaultOptions() {
  NormalizerOptions o;
  o.host_name = "node-1";
  o.agent_version = "0.1.0";
  return o;
}

// One normalized event, parsed back.
class Doc {
 public:
  explicit Doc(std::string json)
      : json_(std::move(json)), parser_(std::make_unique<simdjson::dom::parser>()) {
    auto error = parser_->parse(json_).get(root_);
    valid_ = error == simdjson::SUCCESS;
  }
  bool valid() const { return valid_; }
  const std::string& json() const { return json_; }
  // The value at a JSON pointer, minified, or kAbsent.
  std::string at(std::string_view pointer) const {
    if (!valid_) return "<invalid document>";
    simdjson::dom::element e;
    if (root_.at_pointer(pointer).get(e)) return std::string(kAbsent);
    return simdjson::to_string(e);
  }
  std::optional<std::string> string(std::string_view pointer) const {
    std::string_view s;
    if (!valid_ || root_.at_pointer(pointer).get_string().get(s)) return std::nullopt;
    return std::string(s);
  }

 private:
  std::string json_;
  std::unique_ptr<simdjson::dom::parser> parser_;
  simdjson::dom::element root_;
  bool valid_ = false;
};

std::ostream& operator<<(std::ostream& os, const Doc& d) { return os << d.json(); }

// Feeds lines to one Normalizer as an input does: each line in a buffer with
// SIMDJSON_PADDING readable bytes after it.
class Harness {
 public:
  explicit Harness(NormalizerOptions options = defaultOptions())
      : route_count_(static_cast<uint32_t>(options.route_fields.size())),
        normalizer_(std::move(options)),
        batch_(route_count_) {}

  Doc run(std::string_view line, uint64_t offset = 0, bool truncated = false,
          SourceKey source = SourceKey::fromParts("test"), std::string_view path_json = {}) {
    return runWith(line, LineOrigin{source, path_json, offset, offset, truncated});
  }
  // A multiline event: the lines joined with newlines.
  Doc runJoined(std::string_view text) {
    LineOrigin origin{SourceKey::fromParts("test"), {}, 0, text.size(), false};
    origin.multiline = true;
    return runWith(text, origin);
  }
  // False when a drop rule took the line.
  bool kept(std::string_view line) {
    std::string buffer(line);
    buffer.append(simdjson::SIMDJSON_PADDING, '\0');
    return normalizer_.normalize(std::string_view(buffer.data(), line.size()),
                                 LineOrigin{SourceKey::fromParts("test"), {}, 0, 0, false}, kIngest,
                                 batch_);
  }

  Doc runWith(std::string_view line, const LineOrigin& origin) {
    std::string buffer(line);
    buffer.append(simdjson::SIMDJSON_PADDING, '\0');
    const size_t before = batch_.events.size();
    normalizer_.normalize(std::string_view(buffer.data(), line.size()), origin, kIngest, batch_);
    EXPECT_EQ(batch_.events.size(), before + 1);
    EXPECT_EQ(batch_.routes.size(), batch_.events.size() * route_count_);
    return Doc(std::string(batch_.document(batch_.events.back())));
  }

  const Batch& batch() const { return batch_; }
  const Normalizer& normalizer() const { return normalizer_; }

 private:
  uint32_t route_count_;
  Normalizer normalizer_;
  Batch batch_;
};

// What every event must satisfy, whatever the line.
void expectInvariants(const Doc& doc, uint64_t offset = 0) {
  ASSERT_TRUE(doc.valid()) << "not JSON: " << doc;
  EXPECT_TRUE(simdjson::validate_utf8(doc.json().data(), doc.json().size())) << doc;
  std::optional<std::string> ts = doc.string("/@timestamp");
  ASSERT_TRUE(ts) << "@timestamp must be a string: " << doc;
  EXPECT_TRUE(parseIsoTimestamp(*ts)) << "@timestamp is not RFC 3339: " << *ts;
  EXPECT_EQ(doc.at("/host/name"), "\"node-1\"") << doc;
  EXPECT_EQ(doc.at("/agent/type"), "\"sluice\"") << doc;
  EXPECT_EQ(doc.at("/agent/version"), "\"0.1.0\"") << doc;
  EXPECT_EQ(doc.at("/ecs/version"), "\"8.11.0\"") << doc;
  EXPECT_EQ(doc.at("/log/offset"), std::to_string(offset)) << doc;
}

struct Field {
  std::string_view pointer;
  std::string_view json;  // minified, or kAbsent
};

struct NormalizeCase {
  std::string name;
  std::string line;
  std::vector<Field> fields;
  std::string_view tags = kAbsent;
};
void PrintTo(const NormalizeCase& c, std::ostream* os) { *os << c.line; }

class NormalizeTest : public testing::TestWithParam<NormalizeCase> {};

TEST_P(NormalizeTest, Fields) {
  const NormalizeCase& c = GetParam();
  Harness harness;
  Doc doc = harness.run(c.line);
  expectInvariants(doc);
  for (const Field& f : c.fields) {
    EXPECT_EQ(doc.at(f.pointer), f.json) << "at " << f.pointer << " in " << doc;
  }
  EXPECT_EQ(doc.at("/tags"), c.tags) << doc;
}

std::string caseName(const testing::TestParamInfo<NormalizeCase>& p) { return p.param.name; }

INSTANTIATE_TEST_SUITE_P(
    Messages, NormalizeTest,
    testing::Values(
        NormalizeCase{
            "Msg", R"({"msg":"hello"})", {{"/log/message", R"("hello")"}, {"/msg", kAbsent}}},
        NormalizeCase{"Message",
                      R"({"message":"GET /health 200"})",
                      {{"/log/message", R"("GET /health 200")"}, {"/message", kAbsent}}},
        NormalizeCase{"EventStructlog",
                      R"({"event":"user_login","user_id":"u-17"})",
                      {{"/log/message", R"("user_login")"}, {"/user/id", R"("u-17")"}}},
        NormalizeCase{"LogAsStringDocker",
                      R"({"log":"plain text\n","stream":"stdout"})",
                      {{"/log/message", R"("plain text\n")"}, {"/stream", R"("stdout")"}}},
        NormalizeCase{
            "EscapesKept",
            R"({"msg":"quote \" tab \t unicode \u00e9 \ud83d\ude80"})",
            {{"/log/message", "\"quote \\\" tab \\t unicode \xC3\xA9 \xF0\x9F\x9A\x80\""}}},
        NormalizeCase{"FirstMessageWins",
                      R"({"message":"a","msg":"b"})",
                      {{"/log/message", R"("a")"}, {"/msg", R"("b")"}}},
        NormalizeCase{"NonStringMessageKept",
                      R"({"message":42})",
                      {{"/log/message", kAbsent}, {"/message", "42"}}},
        NormalizeCase{"LogObject",
                      R"({"log":{"level":"warn","logger":"com.acme.Api","message":"m"}})",
                      {{"/log/level", R"("WARN")"},
                       {"/log/logger", R"("com.acme.Api")"},
                       {"/log/message", R"("m")"}}},
        NormalizeCase{
            "EmptyObject", "{}", {{"/log/message", kAbsent}, {"/@timestamp", kIngestText}}},
        NormalizeCase{"WhitespaceAround", "  {\"msg\":\"x\"} \t\r", {{"/log/message", R"("x")"}}}),
    caseName);

INSTANTIATE_TEST_SUITE_P(
    Levels, NormalizeTest,
    testing::Values(
        NormalizeCase{
            "LevelInfo", R"({"level":"info"})", {{"/log/level", R"("INFO")"}, {"/level", kAbsent}}},
        NormalizeCase{"LevelUpper", R"({"level":"ERROR"})", {{"/log/level", R"("ERROR")"}}},
        NormalizeCase{"LevelWarning", R"({"level":"warning"})", {{"/log/level", R"("WARN")"}}},
        NormalizeCase{"LevelErr", R"({"level":"err"})", {{"/log/level", R"("ERROR")"}}},
        NormalizeCase{"LevelCritical", R"({"level":"CRITICAL"})", {{"/log/level", R"("FATAL")"}}},
        NormalizeCase{"LevelNotice", R"({"level":"notice"})", {{"/log/level", R"("INFO")"}}},
        NormalizeCase{"LevelTrace", R"({"level":"trace"})", {{"/log/level", R"("TRACE")"}}},
        NormalizeCase{"LevelUnknownWordKeptUnderItsOwnName",
                      R"({"level":"custom"})",
                      {{"/log/level", kAbsent}, {"/level", R"("custom")"}}},
        NormalizeCase{
            "SeverityGcp", R"({"severity":"ERROR","message":"x"})", {{"/log/level", R"("ERROR")"}}},
        NormalizeCase{
            "LevelnamePython", R"({"levelname":"WARNING"})", {{"/log/level", R"("WARN")"}}},
        NormalizeCase{"Lvl", R"({"lvl":"dbg"})", {{"/log/level", R"("DEBUG")"}}},
        NormalizeCase{
            "EcsDottedLogLevel", R"({"log.level":"info"})", {{"/log/level", R"("INFO")"}}},
        NormalizeCase{"Pino10", R"({"level":10})", {{"/log/level", R"("TRACE")"}}},
        NormalizeCase{"Pino20", R"({"level":20})", {{"/log/level", R"("DEBUG")"}}},
        NormalizeCase{"Pino30", R"({"level":30})", {{"/log/level", R"("INFO")"}}},
        NormalizeCase{"Pino40", R"({"level":40})", {{"/log/level", R"("WARN")"}}},
        NormalizeCase{"Pino50", R"({"level":50})", {{"/log/level", R"("ERROR")"}}},
        NormalizeCase{"Pino60", R"({"level":60})", {{"/log/level", R"("FATAL")"}}},
        NormalizeCase{"Syslog0", R"({"severity":0})", {{"/log/level", R"("FATAL")"}}},
        NormalizeCase{"Syslog3", R"({"severity":3})", {{"/log/level", R"("ERROR")"}}},
        NormalizeCase{"Syslog4", R"({"severity":4})", {{"/log/level", R"("WARN")"}}},
        NormalizeCase{"Syslog6", R"({"severity":6})", {{"/log/level", R"("INFO")"}}},
        NormalizeCase{"Syslog7", R"({"severity":7})", {{"/log/level", R"("DEBUG")"}}},
        NormalizeCase{"FirstLevelWins",
                      R"({"level":"info","severity":"ERROR"})",
                      {{"/log/level", R"("INFO")"}, {"/severity", R"("ERROR")"}}}),
    caseName);

INSTANTIATE_TEST_SUITE_P(
    Timestamps, NormalizeTest,
    testing::Values(
        NormalizeCase{"TimeRfc3339",
                      R"({"time":"2024-01-15T10:30:00.456Z"})",
                      {{"/@timestamp", R"("2024-01-15T10:30:00.456Z")"}, {"/time", kAbsent}}},
        NormalizeCase{"AtTimestampWithOffset",
                      R"({"@timestamp":"2024-01-15T12:30:00+02:00"})",
                      {{"/@timestamp", R"("2024-01-15T10:30:00.000Z")"}}},
        NormalizeCase{"TimestampPythonComma",
                      R"({"timestamp":"2024-01-15 10:30:00,789"})",
                      {{"/@timestamp", R"("2024-01-15T10:30:00.789Z")"}, {"/timestamp", kAbsent}}},
        NormalizeCase{"TsZapFloatSeconds",
                      R"({"ts":1705314600.456789,"msg":"x"})",
                      {{"/@timestamp", R"("2024-01-15T10:30:00.456789Z")"}, {"/ts", kAbsent}}},
        NormalizeCase{"TimePinoMillis",
                      R"({"level":30,"time":1705314600456,"msg":"x"})",
                      {{"/@timestamp", R"("2024-01-15T10:30:00.456Z")"}}},
        NormalizeCase{"TimeEpochSeconds",
                      R"({"time":1705314600})",
                      {{"/@timestamp", R"("2024-01-15T10:30:00.000Z")"}}},
        NormalizeCase{"TimestampNanosString",
                      R"({"timestamp":"1705314600456789012"})",
                      {{"/@timestamp", R"("2024-01-15T10:30:00.456789012Z")"}}},
        NormalizeCase{
            "GoSlogNanos",
            R"({"time":"2024-01-15T11:30:00.123456789+01:00","level":"INFO","msg":"m"})",
            {{"/@timestamp", R"("2024-01-15T10:30:00.123456789Z")"}, {"/log/level", R"("INFO")"}}},
        NormalizeCase{"NoTimestampIsIngestTime", R"({"msg":"x"})", {{"/@timestamp", kIngestText}}},
        NormalizeCase{"UnparsableTimeKeptUnderItsName",
                      R"({"time":"yesterday"})",
                      {{"/@timestamp", kIngestText}, {"/time", R"("yesterday")"}}},
        NormalizeCase{"FirstTimestampWins",
                      R"({"timestamp":"2024-01-15T10:30:00Z","@timestamp":"2024-01-16T00:00:00Z"})",
                      {{"/@timestamp", R"("2024-01-15T10:30:00.000Z")"},
                       {"/labels/@timestamp", R"("2024-01-16T00:00:00Z")"}}},
        // The documented @timestamp is a date: a value that is not one must
        // not land there (Elasticsearch would reject the whole event).
        NormalizeCase{"UnparsableAtTimestampDoesNotReplaceTheDate",
                      R"({"@timestamp":"not a date","msg":"x"})",
                      {{"/@timestamp", kIngestText}}}),
    caseName);

constexpr std::string_view kTraceUpper = "4BF92F3577B34DA6A3CE929D0E0E4736";
constexpr std::string_view kTraceLower = "\"4bf92f3577b34da6a3ce929d0e0e4736\"";
constexpr std::string_view kSpanLower = "\"00f067aa0ba902b7\"";

INSTANTIATE_TEST_SUITE_P(
    ServiceAndContext, NormalizeTest,
    testing::Values(
        NormalizeCase{"ServiceString",
                      R"({"service":"checkout"})",
                      {{"/service/name", R"("checkout")"}, {"/service", R"({"name":"checkout"})"}}},
        NormalizeCase{
            "ServiceName", R"({"service_name":"checkout"})", {{"/service/name", R"("checkout")"}}},
        NormalizeCase{"App",
                      R"({"app":"checkout"})",
                      {{"/service/name", R"("checkout")"}, {"/app", kAbsent}}},
        NormalizeCase{"ServiceObject",
                      R"({"service":{"name":"api","tier":"gateway","version":"1.4.2"}})",
                      {{"/service", R"({"name":"api","tier":"gateway","version":"1.4.2"})"}}},
        NormalizeCase{"EcsDottedService",
                      R"({"service.name":"api","service.version":"2"})",
                      {{"/service/name", R"("api")"}, {"/service/version", R"("2")"}}},
        NormalizeCase{
            "CorrelationSnake", R"({"correlation_id":"c-1"})", {{"/correlation/id", R"("c-1")"}}},
        NormalizeCase{"CorrelationHeader",
                      R"({"X-Correlation-ID":"c-2"})",
                      {{"/correlation/id", R"("c-2")"}, {"/X-Correlation-ID", kAbsent}}},
        NormalizeCase{
            "CorrelationCamel", R"({"correlationId":"c-3"})", {{"/correlation/id", R"("c-3")"}}},
        NormalizeCase{"CorrelationObject",
                      R"({"correlation":{"id":"c-4"}})",
                      {{"/correlation/id", R"("c-4")"}}},
        NormalizeCase{"TraceIdUpperToLower",
                      R"({"trace_id":"4BF92F3577B34DA6A3CE929D0E0E4736"})",
                      {{"/trace/id", kTraceLower}, {"/trace_id", kAbsent}}},
        NormalizeCase{
            "TraceIdCamel",
            R"({"traceId":"4bf92f3577b34da6a3ce929d0e0e4736","spanId":"00F067AA0BA902B7"})",
            {{"/trace/id", kTraceLower}, {"/trace/span_id", kSpanLower}}},
        NormalizeCase{"SpanObject",
                      R"({"span":{"id":"00F067AA0BA902B7"}})",
                      {{"/trace/span_id", kSpanLower}, {"/span", kAbsent}}},
        NormalizeCase{
            "TraceObject",
            R"({"trace":{"id":"4BF92F3577B34DA6A3CE929D0E0E4736","span_id":"00f067aa0ba902b7"}})",
            {{"/trace/id", kTraceLower}, {"/trace/span_id", kSpanLower}}},
        NormalizeCase{
            "Traceparent",
            R"({"traceparent":"00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"})",
            {{"/trace/id", kTraceLower},
             {"/trace/span_id", kSpanLower},
             {"/traceparent", R"("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")"}}},
        NormalizeCase{
            "TraceparentUpper",
            R"({"traceparent":"00-4BF92F3577B34DA6A3CE929D0E0E4736-00F067AA0BA902B7-01"})",
            {{"/trace/id", kTraceLower}, {"/trace/span_id", kSpanLower}}},
        NormalizeCase{
            "TraceIdBeforeTraceparentWins",
            R"({"trace_id":"aaaa","traceparent":"00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"})",
            {{"/trace/id", R"("aaaa")"}, {"/trace/span_id", kSpanLower}}},
        NormalizeCase{"MalformedTraceparentKept",
                      R"({"traceparent":"garbage"})",
                      {{"/trace", kAbsent}, {"/traceparent", R"("garbage")"}}},
        NormalizeCase{"UserAndTenant",
                      R"({"user_id":42,"tenant_id":"acme"})",
                      {{"/user/id", R"("42")"}, {"/tenant/id", R"("acme")"}}},
        NormalizeCase{"UserObject",
                      R"({"user":{"id":"u1","name":"bob"},"tenantId":"t-9"})",
                      {{"/user", R"({"id":"u1","name":"bob"})"}, {"/tenant/id", R"("t-9")"}}}),
    caseName);

INSTANTIATE_TEST_SUITE_P(
    Http, NormalizeTest,
    testing::Values(
        NormalizeCase{
            "NestedHttp",
            R"({"http":{"method":"get","path":"/api/v1/users","status_code":200,"duration_ms":12.5,"user_agent":"curl/8.4.0"}})",
            {{"/http",
              R"({"method":"GET","path":"/api/v1/users","status_code":200,"duration_ms":12.5,"user_agent":"curl/8.4.0"})"}}},
        NormalizeCase{
            "FlatHttp",
            R"({"http_method":"POST","http_path":"/orders","status_code":"404","duration_ms":"3.25"})",
            {{"/http",
              R"({"method":"POST","path":"/orders","status_code":404,"duration_ms":3.25})"},
             {"/status_code", kAbsent}}},
        NormalizeCase{
            "ShortNames",
            R"({"method":"DELETE","path":"/items/1","status":503,"latency_ms":7})",
            {{"/http",
              R"({"method":"DELETE","path":"/items/1","status_code":503,"duration_ms":7})"}}},
        NormalizeCase{
            "EcsDottedHttp",
            R"({"http.request.method":"PUT","http.response.status_code":201,"url.path":"/x"})",
            {{"/http/method", R"("PUT")"},
             {"/http/status_code", "201"},
             {"/http/path", R"("/x")"}}},
        NormalizeCase{
            "StatusWordKept", R"({"status":"ok"})", {{"/http", kAbsent}, {"/status", R"("ok")"}}},
        NormalizeCase{"StatusOutOfRangeKept",
                      R"({"status_code":999})",
                      {{"/http", kAbsent}, {"/status_code", "999"}}},
        NormalizeCase{"RelativePathKept",
                      R"({"path":"relative/file.txt"})",
                      {{"/http", kAbsent}, {"/path", R"("relative/file.txt")"}}},
        NormalizeCase{"NotAMethodKept",
                      R"({"method":"handleRequest"})",
                      {{"/http", kAbsent}, {"/method", R"("handleRequest")"}}},
        NormalizeCase{"FirstMethodWinsNested",
                      R"({"http":{"method":"GET"},"http_method":"POST"})",
                      {{"/http/method", R"("GET")"}, {"/http_method", R"("POST")"}}},
        NormalizeCase{"SecondMethodInsideHttpGoesToLabels",
                      R"({"http_method":"GET","http":{"method":"POST"}})",
                      {{"/http/method", R"("GET")"}, {"/labels/http_method", R"("POST")"}}},
        // http.status_code is an integer in the mapping: a value that is not
        // one must not be written there.
        NormalizeCase{"NonNumericStatusInsideHttpDoesNotBreakTheMapping",
                      R"({"http":{"method":"GET","status_code":"-"}})",
                      {{"/http/method", R"("GET")"}, {"/http/status_code", kAbsent}}},
        NormalizeCase{"NonNumericDurationInsideHttpDoesNotBreakTheMapping",
                      R"({"http":{"duration_ms":"fast"}})",
                      {{"/http/duration_ms", kAbsent}}}),
    caseName);

INSTANTIATE_TEST_SUITE_P(
    UnknownFieldsAndCollisions, NormalizeTest,
    testing::Values(
        NormalizeCase{
            "UnknownKeptVerbatim",
            R"({"pid":123,"hostname":"web-1","ok":true,"none":null,"ratio":0.25,"context":{"a":{"b":[1,{"c":"d"}]}},"list":[1,2]})",
            {{"/pid", "123"},
             {"/hostname", R"("web-1")"},
             {"/ok", "true"},
             {"/none", "null"},
             {"/ratio", "0.25"},
             {"/context", R"({"a":{"b":[1,{"c":"d"}]}})"},
             {"/list", "[1,2]"}}},
        NormalizeCase{"DottedKeysNested",
                      R"({"kubernetes.pod.name":"api-7d9f","kubernetes.namespace":"prod"})",
                      {{"/kubernetes", R"({"pod":{"name":"api-7d9f"},"namespace":"prod"})"}}},
        NormalizeCase{
            "EmptySegmentsNotSplit", R"({"a..b":1,".x":2})", {{"/a..b", "1"}, {"/.x", "2"}}},
        NormalizeCase{"HostStringToLabels",
                      R"({"host":"x","msg":"m"})",
                      {{"/labels/host", R"("x")"}, {"/host", R"({"name":"node-1"})"}},
                      R"(["type_conflict"])"},
        NormalizeCase{"HostObjectToLabels",
                      R"({"host":{"name":"other","ip":"10.0.0.1"}})",
                      {{"/labels/host", R"({"name":"other","ip":"10.0.0.1"})"}}},
        NormalizeCase{"AgentToLabels",
                      R"({"agent":"y"})",
                      {{"/labels/agent", R"("y")"}, {"/agent/name", R"("node-1")"}}},
        NormalizeCase{"HttpStringToLabels",
                      R"({"http":"GET /"})",
                      {{"/labels/http", R"("GET /")"}},
                      R"(["type_conflict"])"},
        NormalizeCase{"EcsToLabels",
                      R"({"ecs":{"version":"1.6.0"}})",
                      {{"/labels/ecs", R"({"version":"1.6.0"})"}}},
        // ECS loggers write their own `labels` object; collisions join it.
        NormalizeCase{"EcsLabelsThenCollision",
                      R"({"labels":{"team":"payments"},"host":"web-1"})",
                      {{"/labels", R"({"team":"payments","host":"web-1"})"}},
                      R"(["type_conflict"])"},
        NormalizeCase{"CollisionThenEcsLabels",
                      R"({"host":"web-1","labels":{"team":"payments"}})",
                      {{"/labels", R"({"host":"web-1","team":"payments"})"}},
                      R"(["type_conflict"])"},
        NormalizeCase{
            "DuplicateKeyToLabels", R"({"a":1,"a":2})", {{"/a", "1"}, {"/labels/a", "2"}}},
        NormalizeCase{"DottedThenObjectClash",
                      R"({"x.y":1,"x":"flat"})",
                      {{"/x", R"({"y":1})"}, {"/labels/x", R"("flat")"}},
                      R"(["type_conflict"])"},
        NormalizeCase{"ThirdDuplicateIsAConflict",
                      R"({"a":1,"a":2,"a":3})",
                      {{"/a", "1"},
                       {"/labels/a", "2"},
                       {"/event/original", R"("{\"a\":1,\"a\":2,\"a\":3}")"}},
                      R"(["field_conflict"])"},
        NormalizeCase{"EscapedKeys",
                      R"({"we\"ird":1,"caf\u00e9":2,"tab\tkey":3})",
                      {{"/we\"ird", "1"}, {"/caf\xC3\xA9", "2"}, {"/tab\tkey", "3"}}},
        NormalizeCase{"ExistingTagsKept",
                      R"({"tags":["billing","eu"]})",
                      {{"/tags", R"(["billing","eu"])"}},
                      R"(["billing","eu"])"}),
    caseName);

INSTANTIATE_TEST_SUITE_P(
    BadInput, NormalizeTest,
    testing::Values(
        NormalizeCase{"PlainText",
                      "payment failed for order 1234: card declined",
                      {{"/log/message", R"("payment failed for order 1234: card declined")"}},
                      R"(["unparsed"])"},
        NormalizeCase{"JsonArrayIsNotAnEvent",
                      "[1,2,3]",
                      {{"/log/message", R"("[1,2,3]")"}},
                      R"(["unparsed"])"},
        NormalizeCase{"Unterminated",
                      R"({"msg":"x")",
                      {{"/log/message", R"("{\"msg\":\"x\"")"}, {"/msg", kAbsent}},
                      R"(["json_error"])"},
        NormalizeCase{"TrailingComma",
                      R"({"msg":"x",})",
                      {{"/log/message", R"("{\"msg\":\"x\",}")"}},
                      R"(["json_error"])"},
        NormalizeCase{"SingleQuotes",
                      R"({'msg':'x'})",
                      {{"/log/message", R"("{'msg':'x'}")"}},
                      R"(["json_error"])"},
        NormalizeCase{"TrailingGarbage",
                      R"({"msg":"x"} trailing)",
                      {{"/log/message", R"("{\"msg\":\"x\"} trailing")"}, {"/msg", kAbsent}},
                      R"(["json_error"])"},
        NormalizeCase{"TwoObjects",
                      R"({"a":1}{"b":2})",
                      {{"/log/message", R"("{\"a\":1}{\"b\":2}")"}, {"/a", kAbsent}},
                      R"(["json_error"])"},
        NormalizeCase{"BrokenAfterKnownFields",
                      R"({"level":"error","msg":"x","n":01})",
                      {{"/log/message", R"("{\"level\":\"error\",\"msg\":\"x\",\"n\":01}")"},
                       {"/log/level", kAbsent}},
                      R"(["json_error"])"},
        // simdjson on-demand does not validate what it skips or copies raw:
        // the normalizer must not emit these values as they are.
        NormalizeCase{"LeadingZeroNumber",
                      R"({"msg":"x","n":01})",
                      {{"/log/message", R"("{\"msg\":\"x\",\"n\":01}")"}, {"/n", kAbsent}},
                      R"(["json_error"])"},
        NormalizeCase{"TruncatedLiteral", R"({"ok":tru})", {{"/ok", kAbsent}}, R"(["json_error"])"},
        NormalizeCase{"BadNumberInNestedObject",
                      R"({"ctx":{"a":1.2.3}})",
                      {{"/ctx", kAbsent}},
                      R"(["json_error"])"},
        NormalizeCase{"BadEscapeInUnknownString",
                      R"({"note":"C:\x\y"})",
                      {{"/note", kAbsent}},
                      R"(["json_error"])"},
        NormalizeCase{"BadEscapeInMessage",
                      R"({"msg":"bad \q escape"})",
                      {{"/msg", kAbsent}},
                      R"(["json_error"])"},
        NormalizeCase{
            "RawTabInString", "{\"msg\":\"a\tb\"}", {{"/msg", kAbsent}}, R"(["json_error"])"},
        NormalizeCase{"InvalidUtf8PlainLine",
                      "caf\xE9 latte \xFF",
                      {{"/log/message", "\"caf\xEF\xBF\xBD latte \xEF\xBF\xBD\""}},
                      R"(["unparsed","invalid_utf8"])"},
        NormalizeCase{"InvalidUtf8InJson",
                      "{\"msg\":\"caf\xE9\"}",
                      {{"/log/message", "\"{\\\"msg\\\":\\\"caf\xEF\xBF\xBD\\\"}\""}},
                      R"(["json_error","invalid_utf8"])"},
        NormalizeCase{"ControlCharactersInPlainLine",
                      std::string("bell\x07 nul\x00 end", 14),
                      {{"/log/message", R"("bell\u0007 nul\u0000 end")"}},
                      R"(["unparsed"])"}),
    caseName);

class NormalizerTest : public testing::Test {};

TEST_F(NormalizerTest, TruncatedLineIsTagged) {
  Harness h;
  Doc doc = h.run(R"({"msg":"cut here)", 7, /*truncated=*/true);
  expectInvariants(doc, 7);
  EXPECT_EQ(doc.at("/tags"), R"(["json_error","truncated"])") << doc;
  Doc plain = h.run("x", 8, true);
  EXPECT_EQ(plain.at("/tags"), R"(["unparsed","truncated"])") << plain;
}

TEST_F(NormalizerTest, TagsMergeWithTheEventsOwnTags) {
  struct Case {
    std::string_view line;
    std::string_view tags;
  };
  const Case cases[] = {
      {R"({"tags":["billing","eu"]})", R"(["billing","eu","truncated"])"},
      {R"({"tags":[]})", R"(["truncated"])"},
      {R"({"tags":[ ]})", R"(["truncated"])"},
      {R"({"tags":"single"})", R"(["single","truncated"])"},
  };
  for (const Case& c : cases) {
    Harness h;
    Doc doc = h.run(c.line, 0, /*truncated=*/true);
    expectInvariants(doc);
    EXPECT_EQ(doc.at("/tags"), c.tags) << c.line << " -> " << doc;
  }
}

TEST_F(NormalizerTest, SourceMetadata) {
  Harness h;
  Doc doc = h.run(R"({"msg":"x"})", 123456, false, SourceKey::fromParts("f"),
                  R"("/var/log/app/api.json")");
  expectInvariants(doc, 123456);
  EXPECT_EQ(doc.at("/log/file/path"), R"("/var/log/app/api.json")");
  EXPECT_EQ(doc.at("/agent"), R"({"type":"sluice","version":"0.1.0","name":"node-1"})");
  Doc no_path = h.run(R"({"msg":"x"})", 1);
  EXPECT_EQ(no_path.at("/log/file"), kAbsent);
}

TEST_F(NormalizerTest, DocumentedFieldsComeFirstInDocumentedOrder) {
  Harness h;
  Doc doc =
      h.run(R"({"zzz":1,"msg":"m","level":"info","time":"2024-01-15T10:30:00Z","service":"api"})");
  expectInvariants(doc);
  EXPECT_EQ(doc.json().rfind(R"({"@timestamp":"2024-01-15T10:30:00.000Z","service":{"name":"api"},)"
                             R"("log":{"level":"INFO","message":"m","offset":0},)",
                             0),
            0u)
      << doc;
}

TEST_F(NormalizerTest, StaticFieldsOverrideTheLog) {
  NormalizerOptions o = defaultOptions();
  o.fields = {{"service.name", R"("api-gateway")"},
              {"service.tier", R"("gateway")"},
              {"env", R"("prod")"},
              {"cost.weight", "2"}};
  Harness h(o);
  Doc doc = h.run(R"({"service":"from-log","tier":"from-log","msg":"x"})");
  expectInvariants(doc);
  EXPECT_EQ(doc.at("/service"), R"({"name":"api-gateway","tier":"gateway"})") << doc;
  EXPECT_EQ(doc.at("/env"), R"("prod")");
  EXPECT_EQ(doc.at("/cost/weight"), "2");
  // Lines that are not JSON get them too.
  Doc plain = h.run("plain line");
  EXPECT_EQ(plain.at("/service/name"), R"("api-gateway")") << plain;
  EXPECT_EQ(plain.at("/env"), R"("prod")") << plain;
}

TEST_F(NormalizerTest, RouteFieldsAreCaptured) {
  NormalizerOptions o = defaultOptions();
  o.route_fields = {"service.name", "service.tier", "http.status_code", "kubernetes.namespace"};
  o.fields = {{"service.tier", R"("gateway")"}};
  Harness h(o);
  h.run(R"({"service":"Checkout","http":{"status_code":503},"kubernetes.namespace":"prod"})");
  h.run("not json");
  h.run(R"({"service":"with \"quote\""})");
  h.run(R"({"service":"caf\u00e9"})");  // Python's json.dumps escapes non-ASCII
  const Batch& b = h.batch();
  ASSERT_EQ(b.size(), 4u);
  EXPECT_EQ(b.routeFieldCount(), 4u);
  EXPECT_EQ(b.route(0, 0), "Checkout");
  EXPECT_EQ(b.route(0, 1), "gateway");
  EXPECT_EQ(b.route(0, 2), "503");
  EXPECT_EQ(b.route(0, 3), "prod");
  EXPECT_EQ(b.route(1, 0), std::nullopt);
  EXPECT_EQ(b.route(1, 1), "gateway");
  EXPECT_EQ(b.route(1, 2), std::nullopt);
  EXPECT_EQ(b.route(1, 3), std::nullopt);
  // The route value is the field's value, not its JSON text.
  EXPECT_EQ(b.route(2, 0), std::optional<std::string_view>("with \"quote\""));
  EXPECT_EQ(b.route(3, 0), std::optional<std::string_view>("caf\xC3\xA9"));
}

TEST_F(NormalizerTest, EventsAccumulateInOneBatch) {
  Harness h;
  const std::vector<std::string> lines = {R"({"msg":"a","time":1705314600})", "plain",
                                          R"({"msg":"c")", "{}"};
  std::vector<uint64_t> offsets;
  uint64_t offset = 0;
  for (const std::string& l : lines) {
    offsets.push_back(offset);
    h.run(l, offset);
    offset += l.size() + 1;
  }
  const Batch& b = h.batch();
  ASSERT_EQ(b.size(), 4u);
  size_t doc_offset = 0;
  for (size_t i = 0; i < b.size(); ++i) {
    const EventRecord& e = b.events[i];
    EXPECT_EQ(e.doc_offset, doc_offset);
    doc_offset += e.doc_length;
    expectInvariants(Doc(std::string(b.document(e))), offsets[i]);
  }
  EXPECT_EQ(doc_offset, b.documents.size());
  EXPECT_EQ(b.events[0].timestamp, 1'705'314'600'000'000'000);
  EXPECT_EQ(b.events[1].timestamp, kIngest);
}

TEST_F(NormalizerTest, EventIdsAreDeterministicPerSourceAndOffset) {
  const SourceKey a = SourceKey::fromParts("file:dev=1,ino=2");
  const SourceKey b = SourceKey::fromParts("file:dev=1,ino=3");
  Harness h1, h2;
  h1.run(R"({"msg":"x"})", 100, false, a);
  h1.run(R"({"msg":"x"})", 200, false, a);
  h1.run(R"({"msg":"x"})", 100, false, b);
  // The same line read again (a replay) gets the same id, whatever its content.
  h2.run(R"({"msg":"changed"})", 100, false, a);
  const auto& e1 = h1.batch().events;
  const auto& e2 = h2.batch().events;
  EXPECT_EQ(e1[0].id, EventId::forOffset(a, 100));
  EXPECT_EQ(e1[0].id, e2[0].id);
  EXPECT_NE(e1[0].id, e1[1].id);
  EXPECT_NE(e1[0].id, e1[2].id);
  EXPECT_NE(e1[1].id, e1[2].id);
}

TEST_F(NormalizerTest, StatsCountBadInput) {
  Harness h;
  h.run(R"({"msg":"fine"})");
  h.run("plain");
  h.run("plain \xFF");
  h.run(R"({"broken")");
  h.run("{\"msg\":\"\xC0\xAF\"}");
  const NormalizeStats& s = h.normalizer().stats();
  EXPECT_EQ(s.unparsed, 2u);
  EXPECT_EQ(s.json_errors, 2u);
  EXPECT_EQ(s.invalid_utf8, 2u);
}

TEST_F(NormalizerTest, StateDoesNotLeakBetweenEvents) {
  Harness h;
  h.run(
      R"({"level":"error","trace_id":"ABC","http":{"method":"GET"},"custom":1,"host":"x","tags":["t"]})");
  Doc next = h.run(R"({"msg":"second"})");
  expectInvariants(next);
  EXPECT_EQ(next.at("/log/level"), kAbsent) << next;
  EXPECT_EQ(next.at("/trace"), kAbsent) << next;
  EXPECT_EQ(next.at("/http"), kAbsent) << next;
  EXPECT_EQ(next.at("/custom"), kAbsent) << next;
  EXPECT_EQ(next.at("/labels"), kAbsent) << next;
  EXPECT_EQ(next.at("/tags"), kAbsent) << next;
  Doc after_error = h.run(R"({"msg":"third","trace_id":"A3CE929D0E0E4736"})");
  EXPECT_EQ(after_error.at("/trace/id"), R"("a3ce929d0e0e4736")");
}

TEST_F(NormalizerTest, MultilineJsonKeepsItsFieldsAndTheTraceAfterIt) {
  Harness h;
  Doc doc = h.runJoined(
      "{\"level\":\"error\",\"msg\":\"failed\"}\njava.lang.IllegalStateException: boom\n\tat "
      "a.B.c(B.java:1)");
  EXPECT_EQ(doc.at("/log/level"), R"("ERROR")") << doc;
  EXPECT_EQ(doc.at("/log/message"), R"("failed")") << doc;
  EXPECT_EQ(doc.at("/error/stack_trace"),
            R"x("java.lang.IllegalStateException: boom\n\tat a.B.c(B.java:1)")x")
      << doc;
  EXPECT_EQ(doc.at("/tags"), kAbsent) << doc;
}

TEST_F(NormalizerTest, MultilineTextSplitsMessageFromTrace) {
  Harness h;
  Doc parsed = h.runJoined(
      "2024-01-15 10:30:00,123 ERROR [main] c.e.App - Failed\n\tat c.e.App.run(App.java:42)");
  EXPECT_EQ(parsed.at("/log/message"), R"("Failed")") << parsed;
  EXPECT_EQ(parsed.at("/error/stack_trace"), R"x("\tat c.e.App.run(App.java:42)")x") << parsed;
  Doc unparsed = h.runJoined("worker crashed\nTraceback (most recent call last):\nValueError: x");
  EXPECT_EQ(unparsed.at("/log/message"), R"("worker crashed")") << unparsed;
  EXPECT_EQ(unparsed.at("/error/stack_trace"),
            R"x("Traceback (most recent call last):\nValueError: x")x")
      << unparsed;
  EXPECT_EQ(unparsed.at("/tags"), R"(["unparsed"])") << unparsed;
}

TEST_F(NormalizerTest, PairsInAnApplicationLineBecomeFields) {
  Harness h;
  Doc doc = h.run(
      "2025-11-25 10:00:00,604 INFO [platform-services] component=database db.operation=SELECT "
      "db.table=users db.duration_ms=309 rows=40 method=get path=/api/x status=503 "
      "user_agent=\"Go-http-client/1.1\"");
  EXPECT_EQ(doc.at("/log/level"), R"("INFO")") << doc;
  EXPECT_EQ(doc.at("/component"), R"("database")") << doc;
  EXPECT_EQ(doc.at("/db"), R"({"operation":"SELECT","table":"users","duration_ms":309})") << doc;
  EXPECT_EQ(doc.at("/http"), R"({"method":"GET","path":"/api/x","status_code":503})") << doc;
  // Keys the schema does not know go under labels, as keywords.
  EXPECT_EQ(doc.at("/labels"), R"({"rows":"40","user_agent":"Go-http-client/1.1"})") << doc;
  EXPECT_EQ(doc.at("/rows"), kAbsent) << doc;
  Doc dotted = h.run("2025-11-25 10:00:00,604 INFO done order.id=o-1 order.total=19.99");
  EXPECT_EQ(dotted.at("/labels"), R"({"order_id":"o-1","order_total":"19.99"})") << dotted;
  // One stray '=' in prose is not a pattern of pairs.
  Doc prose = h.run("2025-11-25 10:00:00,604 WARN retry with timeout=30 after failure");
  EXPECT_EQ(prose.at("/timeout"), kAbsent) << prose;
  EXPECT_EQ(prose.at("/log/message"), R"("retry with timeout=30 after failure")") << prose;
}

TEST_F(NormalizerTest, MaskedFieldsAreMaskedInRoutesToo) {
  NormalizerOptions options = defaultOptions();
  options.route_fields = {"user.email", "service.name"};
  auto pii = std::make_shared<PiiSettings>();
  pii->detectors.set(static_cast<size_t>(PiiKind::kEmail));
  options.pii = pii;
  Harness h(options);
  Doc doc =
      h.run(R"({"msg":"hi bob@example.com","user":{"email":"bob@example.com"},"service":"api"})");
  EXPECT_EQ(doc.at("/user/email"), R"("[REDACTED:email]")") << doc;
  EXPECT_EQ(doc.at("/log/message"), R"("hi [REDACTED:email]")") << doc;
  const Batch& batch = h.batch();
  ASSERT_EQ(batch.routes.size(), 2u);
  EXPECT_EQ(batch.route(0, 0), std::optional<std::string_view>("[REDACTED:email]"));
  EXPECT_EQ(batch.route(0, 1), std::optional<std::string_view>("api"));
  EXPECT_EQ(h.normalizer().stats().pii.by_kind[static_cast<size_t>(PiiKind::kEmail)], 2u);

  // Key-name rules reach routes too: the value sits at its own path.
  NormalizerOptions keyed = defaultOptions();
  keyed.route_fields = {"client_secret", "service.name"};
  auto by_key = std::make_shared<PiiSettings>();
  by_key->detectors.set(static_cast<size_t>(PiiKind::kSensitiveField));
  by_key->sensitive_keys = {"secret"};
  keyed.pii = by_key;
  Harness k(keyed);
  k.run(R"({"msg":"x","client_secret":"acme \"corp\"","service":"api"})");
  EXPECT_EQ(k.batch().route(0, 0), std::optional<std::string_view>("[REDACTED:sensitive_field]"));
  EXPECT_EQ(k.batch().route(0, 1), std::optional<std::string_view>("api"));
}

TEST_F(NormalizerTest, DropRulesSeeFieldsAndTags) {
  NormalizerOptions options = defaultOptions();
  std::string error;
  auto rules = std::make_shared<std::vector<Condition>>();
  for (const char* text : {R"(log.level == "DEBUG" && service.tier == "gateway")",
                           R"(tags contains "x" || exists(tags) && log.message == "plain")"}) {
    auto rule = Condition::compile(text, error);
    ASSERT_TRUE(rule) << error;
    rules->push_back(*rule);
  }
  options.drop = rules;
  options.fields = {{"service.tier", R"("gateway")"}};
  Harness h(options);
  EXPECT_FALSE(h.kept(R"({"level":"debug","msg":"noise"})"));
  EXPECT_TRUE(h.kept(R"({"level":"info","msg":"kept"})"));
  EXPECT_FALSE(h.kept("plain"));  // tagged unparsed by sluice: the rule sees the tag
  EXPECT_TRUE(h.kept("other text"));
  EXPECT_EQ(h.normalizer().stats().dropped, 2u);
  EXPECT_EQ(h.batch().events.size(), 2u);
}

TEST_F(NormalizerTest, CostCentersFollowTheTier) {
  NormalizerOptions options = defaultOptions();
  options.cost_centers = {{"gateway", R"("gw")", "2"}, {"ai-ml", R"("ai")", ""}};
  Harness h(options);
  Doc gateway = h.run(R"({"msg":"a","service":{"tier":"gateway"}})");
  EXPECT_EQ(gateway.at("/cost"), R"({"center":"gw","weight":2})") << gateway;
  Doc ai = h.run(R"({"msg":"b","tier":"ai-ml","cost":{"weight":9}})");
  EXPECT_EQ(ai.at("/cost"), R"({"center":"ai","weight":9})") << ai;
  Doc own = h.run(R"({"msg":"c","tier":"gateway","cost":{"center":"mine"}})");
  EXPECT_EQ(own.at("/cost"), R"({"center":"mine"})") << own;
  Doc none = h.run(R"({"msg":"d","tier":"backend"})");
  EXPECT_EQ(none.at("/cost"), kAbsent) << none;
}

TEST_F(NormalizerTest, EcsSchemaUsesStrictNames) {
  NormalizerOptions options = defaultOptions();
  options.schema = Schema::kEcs;
  Harness h(options);
  Doc doc = h.run(
      R"({"msg":"m","method":"get","path":"/a?b=1","status":503,"duration_ms":2.5,"span_id":"00f067aa0ba902b7","tenant_id":"t1"})");
  EXPECT_EQ(doc.at("/message"), R"("m")") << doc;
  EXPECT_EQ(doc.at("/http"), R"({"request":{"method":"GET"},"response":{"status_code":503}})")
      << doc;
  EXPECT_EQ(doc.at("/url/path"), R"("/a")") << doc;
  EXPECT_EQ(doc.at("/event/duration"), "2500000") << doc;
  EXPECT_EQ(doc.at("/span/id"), R"("00f067aa0ba902b7")") << doc;
  EXPECT_EQ(doc.at("/organization/id"), R"("t1")") << doc;
  EXPECT_EQ(doc.at("/log/message"), kAbsent) << doc;
  Harness documented;
  Doc back = documented.run(R"({"msg":"m","event":{"duration":1500000}})");
  EXPECT_EQ(back.at("/http/duration_ms"), "1.5") << back;
}

TEST_F(NormalizerTest, RealWorldLoggers) {
  struct Case {
    std::string_view name;
    std::string_view line;
    std::vector<Field> fields;
  };
  const std::vector<Case> cases = {
      {"pino",
       R"({"level":30,"time":1705314600123,"pid":4711,"hostname":"api-7d9f","reqId":"req-1","msg":"request completed","res":{"statusCode":200},"responseTime":12})",
       {{"/log/level", R"("INFO")"},
        {"/@timestamp", R"("2024-01-15T10:30:00.123Z")"},
        {"/log/message", R"("request completed")"},
        {"/pid", "4711"},
        {"/http/status_code", "200"}}},
      {"zap",
       R"({"level":"error","ts":1705314600.5,"caller":"api/handler.go:42","msg":"db timeout","trace_id":"4BF92F3577B34DA6A3CE929D0E0E4736","stacktrace":"main.handle\n\t/app/main.go:42"})",
       {{"/log/level", R"("ERROR")"},
        {"/@timestamp", R"("2024-01-15T10:30:00.500Z")"},
        {"/trace/id", kTraceLower},
        {"/caller", R"("api/handler.go:42")"}}},
      {"logrus",
       R"({"level":"warning","msg":"slow query","time":"2024-01-15T11:30:00+01:00","db.table":"orders","db.duration_ms":812})",
       {{"/log/level", R"("WARN")"},
        {"/@timestamp", R"("2024-01-15T10:30:00.000Z")"},
        {"/db", R"({"table":"orders","duration_ms":812})"}}},
      {"python-json-logger",
       R"({"asctime":"2024-01-15 10:30:00,123","levelname":"ERROR","name":"billing","message":"charge failed","correlation_id":"c-77","user_id":"u-5"})",
       {{"/log/level", R"("ERROR")"},
        {"/log/message", R"("charge failed")"},
        {"/correlation/id", R"("c-77")"},
        {"/user/id", R"("u-5")"},
        {"/log/logger", R"("billing")"}}},
      {"ecs-logging",
       R"({"@timestamp":"2024-01-15T10:30:00.123Z","log.level":"info","message":"ok","ecs.version":"1.6.0","service.name":"cart","trace.id":"4bf92f3577b34da6a3ce929d0e0e4736","transaction.id":"t1"})",
       {{"/log/level", R"("INFO")"},
        {"/service/name", R"("cart")"},
        {"/trace/id", kTraceLower},
        {"/ecs/version", R"("8.11.0")"},
        {"/transaction/id", R"("t1")"}}},
      {"seed-gateway",
       R"({"timestamp":"2024-01-15T10:30:00.123Z","service":{"name":"api-gateway","tier":"gateway"},"level":"INFO","message":"request","correlation_id":"abc-123","trace_id":"4bf92f3577b34da6a3ce929d0e0e4736","span_id":"00f067aa0ba902b7","http":{"method":"POST","path":"/api/v1/chat","status_code":200,"duration_ms":245},"user_id":"user-42","tenant_id":"tenant-7","ai":{"provider":"openai","model":"gpt-4","cost_usd":0.0123}})",
       {{"/service", R"({"name":"api-gateway","tier":"gateway"})"},
        {"/correlation/id", R"("abc-123")"},
        {"/http", R"({"method":"POST","path":"/api/v1/chat","status_code":200,"duration_ms":245})"},
        {"/user/id", R"("user-42")"},
        {"/tenant/id", R"("tenant-7")"},
        {"/ai", R"({"provider":"openai","model":"gpt-4","cost_usd":0.0123})"}}},
  };
  for (const Case& c : cases) {
    Harness h;
    Doc doc = h.run(c.line);
    expectInvariants(doc);
    for (const Field& f : c.fields) {
      EXPECT_EQ(doc.at(f.pointer), f.json) << c.name << " at " << f.pointer << ": " << doc;
    }
    EXPECT_EQ(doc.at("/tags"), kAbsent) << c.name << ": " << doc;
  }
}

}  // namespace
}  // namespace sluice
