// Lines as popular loggers write them, with no configuration, and the event of
// the documented schema each must become. The samples follow each project's
// documented output (README examples, default encoders and layouts), so a
// change in the normalizer that breaks a real logger shows up here by name.

#include <gtest/gtest.h>
#include <simdjson.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <initializer_list>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "pipeline/batch.h"
#include "pipeline/event_id.h"
#include "pipeline/normalizer.h"
#include "pipeline/timestamp.h"

namespace sluice {
namespace {

// 2024-01-15T10:30:00.123Z: the time of lines that carry none.
constexpr TimestampNs kIngest = 1'705'314'600'123'000'000;

// Expected values are minified JSON text, or one of these markers.
constexpr std::string_view kAbsent = "<absent>";
// "<contains>" + JSON: the value is an array holding that element.
constexpr std::string_view kContains = "<contains>";
// "<ends-with>" + text: the value's JSON text ends so. For stamps whose year
// the line does not carry (klog, RFC 3164), which depends on the clock.
constexpr std::string_view kEndsWith = "<ends-with>";

constexpr char kTrace[] = R"("4bf92f3577b34da6a3ce929d0e0e4736")";
constexpr char kSpan[] = R"("00f067aa0ba902b7")";

struct Sample {
  const char* name;
  std::string line;
  // Dotted path in the event -> expected minified JSON, kAbsent, or a marker.
  std::vector<std::pair<std::string, std::string>> expect;
};

void PrintTo(const Sample& s, std::ostream* os) {
  *os << s.name << ": " << (s.line.size() > 300 ? s.line.substr(0, 300) + "..." : s.line);
}

// A JSON string for `text`, escaped the way simdjson writes strings back.
std::string q(std::string_view text) {
  std::string out = "\"";
  for (char ch : text) {
    const auto c = static_cast<unsigned char>(ch);
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\b':
        out += "\\b";
        break;
      case '\f':
        out += "\\f";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (c < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", c);
          out += buf;
        } else {
          out += ch;
        }
    }
  }
  out += '"';
  return out;
}

std::string contains(std::string_view element_json) {
  return std::string(kContains) + std::string(element_json);
}
std::string endsWith(std::string_view text) { return std::string(kEndsWith) + std::string(text); }

std::string cat(std::initializer_list<std::string_view> parts) {
  std::string out;
  for (std::string_view p : parts) out += p;
  return out;
}

// One normalized event, parsed back.
class Doc {
 public:
  explicit Doc(std::string json)
      : json_(std::move(json)), parser_(std::make_unique<simdjson::dom::parser>()) {
    valid_ = parser_->parse(json_).get(root_) == simdjson::SUCCESS && root_.is_object();
  }
  bool valid() const { return valid_; }
  const std::string& json() const { return json_; }

  std::optional<simdjson::dom::element> find(std::string_view dotted) const {
    if (!valid_) return std::nullopt;
    simdjson::dom::element e = root_;
    while (true) {
      const size_t dot = dotted.find('.');
      simdjson::dom::object object;
      if (e.get_object().get(object) || object.at_key(dotted.substr(0, dot)).get(e)) {
        return std::nullopt;
      }
      if (dot == std::string_view::npos) return e;
      dotted.remove_prefix(dot + 1);
    }
  }
  // Minified JSON of the value at a dotted path, or kAbsent.
  std::string text(std::string_view dotted) const {
    std::optional<simdjson::dom::element> e = find(dotted);
    return e ? simdjson::minify(*e) : std::string(kAbsent);
  }
  bool hasTag(std::string_view tag) const {
    std::optional<simdjson::dom::element> tags = find("tags");
    simdjson::dom::array array;
    if (!tags || tags->get_array().get(array)) return false;
    for (simdjson::dom::element t : array) {
      std::string_view s;
      if (!t.get_string().get(s) && s == tag) return true;
    }
    return false;
  }

 private:
  std::string json_;
  std::unique_ptr<simdjson::dom::parser> parser_;
  simdjson::dom::element root_;
  bool valid_ = false;
};

std::ostream& operator<<(std::ostream& os, const Doc& d) { return os << d.json(); }

NormalizerOptions shapeOptions() {
  NormalizerOptions o;
  o.host_name = "test-host";
  o.agent_version = "0.0.0";
  return o;
}

// Feeds lines as an input does: each in a buffer with SIMDJSON_PADDING
// readable bytes after it.
class Harness {
 public:
  Harness() : normalizer_(shapeOptions()), batch_(0) {}

  // The event the line became; nullopt (and a failure) unless exactly one.
  std::optional<Doc> run(std::string_view line, std::string_view source = "logger-shapes",
                         uint64_t offset = 0) {
    std::string buffer(line);
    buffer.append(simdjson::SIMDJSON_PADDING, '\0');
    const size_t before = batch_.events.size();
    normalizer_.normalize(
        std::string_view(buffer.data(), line.size()),
        LineOrigin{SourceKey::fromParts(source), {}, offset, offset + line.size() + 1, false},
        kIngest, batch_);
    const size_t appended = batch_.events.size() - before;
    EXPECT_EQ(appended, 1u) << "every line must become exactly one event";
    if (appended != 1) return std::nullopt;
    return Doc(std::string(batch_.document(batch_.events.back())));
  }

 private:
  Normalizer normalizer_;
  Batch batch_;
};

void expectValue(const Doc& doc, const std::string& path, const std::string& want) {
  const std::string got = doc.text(path);
  if (std::string_view(want).starts_with(kContains)) {
    const std::string element = want.substr(kContains.size());
    std::optional<simdjson::dom::element> e = doc.find(path);
    simdjson::dom::array array;
    bool found = false;
    if (e && !e->get_array().get(array)) {
      for (simdjson::dom::element item : array) found = found || simdjson::minify(item) == element;
    }
    EXPECT_TRUE(found) << path << " should contain " << element << ", is " << got << "\n" << doc;
  } else if (std::string_view(want).starts_with(kEndsWith)) {
    const std::string suffix = want.substr(kEndsWith.size());
    EXPECT_TRUE(got != kAbsent && std::string_view(got).ends_with(suffix))
        << path << " should end with " << suffix << ", is " << got << "\n"
        << doc;
  } else {
    EXPECT_EQ(got, want) << "at " << path << " in " << doc;
  }
}

// What every event satisfies, whatever the line.
void expectWellFormed(const Doc& doc) {
  ASSERT_TRUE(doc.valid()) << "not a JSON object: " << doc;
  EXPECT_TRUE(simdjson::validate_utf8(doc.json().data(), doc.json().size())) << doc;
  std::optional<simdjson::dom::element> ts = doc.find("@timestamp");
  std::string_view stamp;
  ASSERT_TRUE(ts && !ts->get_string().get(stamp)) << "@timestamp must be a string: " << doc;
  EXPECT_TRUE(parseIsoTimestamp(stamp)) << "@timestamp is not RFC 3339: " << stamp;
  EXPECT_TRUE(stamp.ends_with('Z')) << "@timestamp must be UTC: " << stamp;
  EXPECT_EQ(doc.text("host.name"), q("test-host")) << doc;
}

void expectSample(const Sample& s, const Doc& doc) {
  expectWellFormed(doc);
  bool tags_expected = false;
  for (const auto& [path, want] : s.expect) {
    expectValue(doc, path, want);
    tags_expected = tags_expected || path == "tags";
  }
  if (!tags_expected) {
    // A recognised shape is not shipped as a failure.
    EXPECT_FALSE(doc.hasTag("unparsed")) << doc;
    EXPECT_FALSE(doc.hasTag("json_error")) << doc;
  }
}

// Expectations of a line shipped whole because nothing recognised it.
std::vector<std::pair<std::string, std::string>> shippedWhole(std::string_view line,
                                                              std::string_view tag) {
  return {{"log.message", q(line)}, {"tags", contains(q(tag))}};
}

constexpr std::string_view kZapStack =
    R"json("github.com/acme/orders/http.(*Handler).Get\n\t/src/http/handler.go:42\nnet/http.HandlerFunc.ServeHTTP\n\t/usr/local/go/src/net/http/server.go:2136")json";

std::vector<Sample> zapSamples() {
  return {
      {"ProductionInfo",
       R"json({"level":"info","ts":1705314600.123456,"caller":"server/main.go:87","msg":"starting HTTP server","addr":":8080"})json",
       {{"@timestamp", q("2024-01-15T10:30:00.123456Z")},
        {"log.level", q("INFO")},
        {"log.message", q("starting HTTP server")},
        {"caller", q("server/main.go:87")},
        {"addr", q(":8080")},
        {"ts", std::string(kAbsent)},
        {"msg", std::string(kAbsent)}}},
      {"ProductionErrorWithStacktrace",
       cat({R"json({"level":"error","ts":1705314600.5,"logger":"orders.http","caller":"http/handler.go:42","msg":"failed to load order","order_id":"o-1842","error":"context deadline exceeded","stacktrace":)json",
            kZapStack, "}"}),
       {{"@timestamp", q("2024-01-15T10:30:00.500Z")},
        {"log.level", q("ERROR")},
        {"log.logger", q("orders.http")},
        {"log.message", q("failed to load order")},
        {"error.message", q("context deadline exceeded")},
        {"error.stack_trace", std::string(kZapStack)},
        {"caller", q("http/handler.go:42")},
        {"order_id", q("o-1842")}}},
      {"WarnWithUpperCaseTraceIds",
       R"json({"level":"warn","ts":1705314601.25,"caller":"payments/client.go:118","msg":"retrying payment provider","attempt":2,"trace_id":"4BF92F3577B34DA6A3CE929D0E0E4736","span_id":"00F067AA0BA902B7"})json",
       {{"@timestamp", q("2024-01-15T10:30:01.250Z")},
        {"log.level", q("WARN")},
        {"trace.id", kTrace},
        {"trace.span_id", kSpan},
        {"correlation.id", kTrace},
        {"attempt", "2"}}},
      {"DPanicIsError",
       R"json({"level":"dpanic","ts":1705314600.001,"caller":"cache/lru.go:77","msg":"evicting pinned entry","key":"session:42"})json",
       {{"@timestamp", q("2024-01-15T10:30:00.001Z")},
        {"log.level", q("ERROR")},
        {"log.message", q("evicting pinned entry")}}},
      {"PanicIsFatal",
       R"json({"level":"panic","ts":1705314600.25,"caller":"main.go:31","msg":"config has no listeners"})json",
       {{"log.level", q("FATAL")}, {"log.message", q("config has no listeners")}}},
      {"FatalWithCorrelation",
       R"json({"level":"fatal","ts":1705314600.75,"caller":"main.go:40","msg":"cannot bind :8080","correlation_id":"boot-1"})json",
       {{"log.level", q("FATAL")}, {"correlation.id", q("boot-1")}}},
      {"Iso8601TimeEncoder",
       R"json({"level":"debug","ts":"2024-01-15T11:30:00.123+0100","caller":"config/load.go:20","msg":"config loaded","file":"config.yaml"})json",
       {{"@timestamp", q("2024-01-15T10:30:00.123Z")},
        {"log.level", q("DEBUG")},
        {"file", q("config.yaml")}}},
  };
}

std::vector<Sample> logrusSamples() {
  // JSONFormatter sorts keys; the first two lines are logrus's README example.
  return {
      {"ReadmeInfo",
       R"json({"animal":"walrus","level":"info","msg":"A group of walrus emerges from the ocean","size":10,"time":"2014-03-10T19:57:38-07:00"})json",
       {{"@timestamp", q("2014-03-11T02:57:38.000Z")},
        {"log.level", q("INFO")},
        {"log.message", q("A group of walrus emerges from the ocean")},
        {"animal", q("walrus")},
        {"size", "10"},
        {"time", std::string(kAbsent)}}},
      {"ReadmeWarning",
       R"json({"level":"warning","msg":"The group's number increased tremendously!","number":122,"omg":true,"time":"2014-03-10T19:57:38-07:00"})json",
       {{"log.level", q("WARN")},
        {"log.message", q("The group's number increased tremendously!")},
        {"number", "122"},
        {"omg", "true"}}},
      {"WithError",
       R"json({"error":"dial tcp 10.0.0.5:5432: connect: connection refused","level":"error","msg":"database unavailable","time":"2024-01-15T11:30:00+01:00","user_id":42})json",
       {{"@timestamp", q("2024-01-15T10:30:00.000Z")},
        {"log.level", q("ERROR")},
        {"error.message", q("dial tcp 10.0.0.5:5432: connect: connection refused")},
        {"user.id", q("42")}}},
      {"Fatal",
       R"json({"level":"fatal","msg":"The ice breaks!","number":100,"omg":true,"time":"2014-03-10T19:57:38-07:00"})json",
       {{"log.level", q("FATAL")}, {"log.message", q("The ice breaks!")}}},
      {"PanicIsFatal",
       R"json({"level":"panic","msg":"unrecoverable state","time":"2024-01-15T10:30:00Z"})json",
       {{"log.level", q("FATAL")}}},
      {"RequestFields",
       R"json({"duration_ms":2345.7,"level":"info","method":"get","msg":"request handled","path":"/api/v1/reports","request_id":"req-7f3a","status":200,"time":"2024-01-15T10:30:00Z"})json",
       {{"http.method", q("GET")},
        {"http.path", q("/api/v1/reports")},
        {"http.status_code", "200"},
        {"http.duration_ms", "2345.7"},
        {"correlation.id", q("req-7f3a")}}},
  };
}

std::vector<Sample> slogSamples() {
  return {
      {"JsonHandlerInfo",
       R"json({"time":"2024-01-15T11:30:00.123456789+01:00","level":"INFO","msg":"server started","addr":":8080"})json",
       {{"@timestamp", q("2024-01-15T10:30:00.123456789Z")},
        {"log.level", q("INFO")},
        {"log.message", q("server started")},
        {"addr", q(":8080")}}},
      {"AddSource",
       R"json({"time":"2024-01-15T10:30:00.5Z","level":"DEBUG","source":{"function":"main.loadConfig","file":"/app/main.go","line":31},"msg":"config loaded"})json",
       {{"@timestamp", q("2024-01-15T10:30:00.500Z")},
        {"log.level", q("DEBUG")},
        {"source", R"({"function":"main.loadConfig","file":"/app/main.go","line":31})"}}},
      {"ErrorAttr",
       R"json({"time":"2024-01-15T10:30:01.000000001Z","level":"ERROR","msg":"charge failed","err":"stripe: card_declined","order":{"id":"o-1","amount":1999}})json",
       {{"@timestamp", q("2024-01-15T10:30:01.000000001Z")},
        {"log.level", q("ERROR")},
        {"error.message", q("stripe: card_declined")},
        {"order", R"({"id":"o-1","amount":1999})"}}},
      // slog names levels between its four as the one below plus an offset.
      {"LevelWithOffset",
       R"json({"time":"2024-01-15T10:30:00Z","level":"ERROR+4","msg":"invariant violated"})json",
       {{"log.level", q("ERROR")}}},
      {"FlatRequestAttrs",
       R"json({"time":"2024-01-15T10:30:02Z","level":"WARN","msg":"slow upstream","method":"POST","path":"/checkout","status":502,"duration_ms":2310.4})json",
       {{"log.level", q("WARN")},
        {"http.method", q("POST")},
        {"http.path", q("/checkout")},
        {"http.status_code", "502"},
        {"http.duration_ms", "2310.4"}}},
  };
}

constexpr std::string_view kPyTraceback =
    R"json("Traceback (most recent call last):\n  File \"/app/myapp/db.py\", line 42, in run\n    cursor.execute(sql)\npsycopg2.OperationalError: server closed the connection unexpectedly")json";

std::vector<Sample> pythonJsonLoggerSamples() {
  // json.dumps separators: ", " and ": ".
  return {
      {"Info",
       R"json({"asctime": "2024-01-15 10:30:00,123", "levelname": "INFO", "name": "myapp.api", "message": "user logged in", "user_id": "u-42"})json",
       {{"@timestamp", q("2024-01-15T10:30:00.123Z")},
        {"log.level", q("INFO")},
        {"log.logger", q("myapp.api")},
        {"log.message", q("user logged in")},
        {"user.id", q("u-42")},
        {"asctime", std::string(kAbsent)},
        {"levelname", std::string(kAbsent)}}},
      {"ExcInfo",
       cat({R"json({"asctime": "2024-01-15 10:30:01,456", "levelname": "ERROR", "name": "myapp.db", "message": "query failed", "exc_info": )json",
            kPyTraceback, R"json(, "taskName": null})json"}),
       {{"@timestamp", q("2024-01-15T10:30:01.456Z")},
        {"log.level", q("ERROR")},
        {"log.logger", q("myapp.db")},
        {"error.stack_trace", std::string(kPyTraceback)},
        {"taskName", "null"}}},
      {"Critical",
       R"json({"asctime": "2024-01-15 10:30:02,000", "levelname": "CRITICAL", "name": "myapp", "message": "out of disk"})json",
       {{"log.level", q("FATAL")}, {"@timestamp", q("2024-01-15T10:30:02.000Z")}}},
      {"OpenTelemetryLoggingInstrumentation",
       R"json({"asctime": "2024-01-15 10:30:03,250", "levelname": "WARNING", "name": "checkout", "message": "inventory low", "otelSpanID": "00f067aa0ba902b7", "otelTraceID": "4bf92f3577b34da6a3ce929d0e0e4736", "otelTraceSampled": true, "otelServiceName": "checkout-svc"})json",
       {{"log.level", q("WARN")},
        {"trace.id", kTrace},
        {"trace.span_id", kSpan},
        {"correlation.id", kTrace},
        {"service.name", q("checkout-svc")},
        {"otelTraceSampled", "true"}}},
      {"TimestampTrue",
       R"json({"message": "cache warmed", "timestamp": "2024-01-15T10:30:00.123456+00:00", "levelname": "DEBUG", "name": "myapp.cache", "entries": 1200})json",
       {{"@timestamp", q("2024-01-15T10:30:00.123456Z")},
        {"log.level", q("DEBUG")},
        {"entries", "1200"}}},
  };
}

constexpr std::string_view kStructlogException =
    R"json("Traceback (most recent call last):\n  File \"/app/billing.py\", line 88, in charge\n    raise CardDeclined(code)\nbilling.CardDeclined: insufficient_funds")json";

std::vector<Sample> structlogSamples() {
  return {
      {"Info",
       R"json({"event": "user logged in", "user_id": "u-7", "level": "info", "timestamp": "2024-01-15T10:30:00.123456Z"})json",
       {{"@timestamp", q("2024-01-15T10:30:00.123456Z")},
        {"log.level", q("INFO")},
        {"log.message", q("user logged in")},
        {"user.id", q("u-7")},
        {"event", std::string(kAbsent)}}},
      {"FormatExcInfo",
       cat({R"json({"event": "payment failed", "order_id": 1842, "level": "error", "logger": "billing", "timestamp": "2024-01-15T10:30:01.234567Z", "exception": )json",
            kStructlogException, "}"}),
       {{"@timestamp", q("2024-01-15T10:30:01.234567Z")},
        {"log.level", q("ERROR")},
        {"log.logger", q("billing")},
        {"log.message", q("payment failed")},
        {"error.stack_trace", std::string(kStructlogException)},
        {"order_id", "1842"}}},
      // dict_tracebacks: the exception is structured; it is not a stack
      // trace string and stays as the logger wrote it.
      {"DictTracebacksStay",
       R"json({"event": "retrying", "level": "warning", "timestamp": "2024-01-15T10:30:02Z", "exception": [{"exc_type": "TimeoutError", "exc_value": "read timed out", "syntax_error": null, "is_cause": false, "frames": [{"filename": "/app/client.py", "lineno": 12, "name": "fetch"}]}]})json",
       {{"log.level", q("WARN")},
        {"error.stack_trace", std::string(kAbsent)},
        {"exception",
         R"([{"exc_type":"TimeoutError","exc_value":"read timed out","syntax_error":null,"is_cause":false,"frames":[{"filename":"/app/client.py","lineno":12,"name":"fetch"}]}])"}}},
      {"Critical",
       R"json({"event": "shutting down", "level": "critical", "logger": "worker", "timestamp": "2024-01-15T10:30:03Z"})json",
       {{"log.level", q("FATAL")}, {"log.logger", q("worker")}}},
      {"CallsiteParameters",
       R"json({"event": "cache miss", "key": "user:42", "level": "debug", "timestamp": "2024-01-15T10:30:04Z", "filename": "cache.py", "func_name": "get", "lineno": 31})json",
       {{"log.level", q("DEBUG")},
        {"log.message", q("cache miss")},
        {"filename", q("cache.py")},
        {"lineno", "31"}}},
  };
}

constexpr std::string_view kNodeStack =
    R"json("Error: connect ECONNREFUSED 127.0.0.1:5432\n    at TCPConnectWrap.afterConnect [as oncomplete] (node:net:1555:16)")json";

std::vector<Sample> pinoSamples() {
  return {
      {"Info",
       R"json({"level":30,"time":1705314600123,"pid":4711,"hostname":"api-7d9f","msg":"server listening","port":3000})json",
       {{"@timestamp", q("2024-01-15T10:30:00.123Z")},
        {"log.level", q("INFO")},
        {"log.message", q("server listening")},
        {"pid", "4711"},
        {"hostname", q("api-7d9f")}}},
      {"ErrSerializer",
       cat({R"json({"level":50,"time":1705314600456,"pid":4711,"hostname":"api-7d9f","err":{"type":"Error","message":"connect ECONNREFUSED 127.0.0.1:5432","stack":)json",
            kNodeStack,
            R"json(,"errno":-111,"code":"ECONNREFUSED","syscall":"connect"},"msg":"connect ECONNREFUSED 127.0.0.1:5432"})json"}),
       {{"log.level", q("ERROR")},
        {"error.type", q("Error")},
        {"error.message", q("connect ECONNREFUSED 127.0.0.1:5432")},
        {"error.stack_trace", std::string(kNodeStack)}}},
      {"HttpRequestCompleted",
       R"json({"level":30,"time":1705314600789,"pid":4711,"hostname":"api-7d9f","req":{"id":1,"method":"GET","url":"/api/users?page=2","query":{"page":"2"},"params":{},"headers":{"host":"localhost:3000","user-agent":"curl/8.4.0","accept":"*/*"},"remoteAddress":"::1","remotePort":54321},"res":{"statusCode":200,"headers":{"content-type":"application/json; charset=utf-8","content-length":"17"}},"responseTime":12,"msg":"request completed"})json",
       {{"log.level", q("INFO")},
        {"log.message", q("request completed")},
        {"http.method", q("GET")},
        {"http.path", q("/api/users")},
        {"http.status_code", "200"},
        {"http.duration_ms", "12"}}},
      {"HttpRequestErrored",
       R"json({"level":50,"time":1705314601000,"pid":4711,"hostname":"api-7d9f","req":{"id":2,"method":"POST","url":"/api/orders","headers":{"host":"localhost:3000"},"remoteAddress":"::1","remotePort":54322},"res":{"statusCode":504,"headers":{}},"err":{"type":"Error","message":"failed with status code 504","stack":"Error: failed with status code 504\n    at onResFinished (/app/node_modules/pino-http/logger.js:115:39)"},"responseTime":2345,"msg":"request errored"})json",
       {{"log.level", q("ERROR")},
        {"http.method", q("POST")},
        {"http.path", q("/api/orders")},
        {"http.status_code", "504"},
        {"http.duration_ms", "2345"},
        {"error.message", q("failed with status code 504")}}},
      {"Trace10",
       R"json({"level":10,"time":1705314600000,"pid":4711,"hostname":"api-7d9f","msg":"entering handler"})json",
       {{"log.level", q("TRACE")}, {"@timestamp", q("2024-01-15T10:30:00.000Z")}}},
      {"Warn40",
       R"json({"level":40,"time":1705314600000,"pid":4711,"hostname":"api-7d9f","msg":"pool nearly exhausted"})json",
       {{"log.level", q("WARN")}}},
      {"Fatal60",
       R"json({"level":60,"time":1705314600000,"pid":4711,"hostname":"api-7d9f","msg":"uncaught exception, shutting down"})json",
       {{"log.level", q("FATAL")}}},
      {"LabelLevelIsoTime",
       R"json({"level":"warn","time":"2024-01-15T10:30:00.123Z","pid":4711,"hostname":"api-7d9f","msg":"deprecated option used"})json",
       {{"log.level", q("WARN")}, {"@timestamp", q("2024-01-15T10:30:00.123Z")}}},
      // Fastify's request logging: reqId names the request.
      {"FastifyIncomingRequest",
       R"json({"level":30,"time":1705314600789,"pid":1,"hostname":"api-7d9f","reqId":"req-1","req":{"method":"GET","url":"/health","hostname":"localhost:3000","remoteAddress":"127.0.0.1","remotePort":51234},"msg":"incoming request"})json",
       {{"correlation.id", q("req-1")},
        {"http.method", q("GET")},
        {"http.path", q("/health")},
        {"log.message", q("incoming request")}}},
  };
}

constexpr std::string_view kBunyanStack =
    R"json("TypeError: boom\n    at Object.<anonymous> (/app/server.js:12:9)\n    at Module._compile (node:internal/modules/cjs/loader:1256:14)")json";

std::vector<Sample> bunyanSamples() {
  return {
      {"ReadmeInfo",
       R"json({"name":"myapp","hostname":"banana.local","pid":40161,"level":30,"msg":"hi","time":"2013-01-04T18:46:23.851Z","v":0})json",
       {{"@timestamp", q("2013-01-04T18:46:23.851Z")},
        {"log.level", q("INFO")},
        {"log.logger", q("myapp")},
        {"log.message", q("hi")},
        {"v", "0"},
        {"hostname", q("banana.local")}}},
      {"ErrSerializer",
       cat({R"json({"name":"myapp","hostname":"banana.local","pid":40161,"level":50,"err":{"message":"boom","name":"TypeError","stack":)json",
            kBunyanStack, R"json(},"msg":"boom","time":"2013-01-04T18:46:23.853Z","v":0})json"}),
       {{"log.level", q("ERROR")},
        {"error.type", q("TypeError")},
        {"error.message", q("boom")},
        {"error.stack_trace", std::string(kBunyanStack)}}},
      {"ReqResSerializers",
       R"json({"name":"api","hostname":"web-2","pid":123,"level":30,"req":{"method":"PUT","url":"/users/42?notify=true","headers":{"host":"api.example.com"},"remoteAddress":"10.0.0.9","remotePort":50412},"res":{"statusCode":204,"header":"HTTP/1.1 204 No Content\r\nDate: Mon, 15 Jan 2024 10:30:00 GMT\r\n\r\n"},"msg":"handled: 204","time":"2024-01-15T10:30:00.321Z","v":0})json",
       {{"http.method", q("PUT")},
        {"http.path", q("/users/42")},
        {"http.status_code", "204"},
        {"log.logger", q("api")}}},
      {"ChildWarn",
       R"json({"name":"myapp","hostname":"banana.local","pid":40161,"widget_type":"wuzzle","level":40,"msg":"rendering slow","time":"2024-01-15T10:30:00.000Z","v":0})json",
       {{"log.level", q("WARN")}, {"widget_type", q("wuzzle")}}},
      {"Fatal",
       R"json({"name":"myapp","hostname":"banana.local","pid":40161,"level":60,"msg":"cannot open database","time":"2024-01-15T10:30:00.000Z","v":0})json",
       {{"log.level", q("FATAL")}}},
  };
}

constexpr std::string_view kWinstonStack =
    R"json("MongoNetworkError: connect ECONNREFUSED 127.0.0.1:27017\n    at connectionFailureError (/app/node_modules/mongodb/lib/cmap/connect.js:387:20)")json";

std::vector<Sample> winstonSamples() {
  // format.json() writes keys sorted (safe-stable-stringify).
  return {
      {"JsonWithTimestamp",
       R"json({"level":"info","message":"Server listening on port 3000","service":"user-service","timestamp":"2024-01-15T10:30:00.123Z"})json",
       {{"@timestamp", q("2024-01-15T10:30:00.123Z")},
        {"log.level", q("INFO")},
        {"log.message", q("Server listening on port 3000")},
        {"service.name", q("user-service")}}},
      {"ErrorsFormatStack",
       cat({R"json({"level":"error","message":"Database connection failed: connect ECONNREFUSED 127.0.0.1:27017","service":"user-service","stack":)json",
            kWinstonStack, R"json(,"timestamp":"2024-01-15T10:30:01.456Z"})json"}),
       {{"log.level", q("ERROR")},
        {"error.stack_trace", std::string(kWinstonStack)},
        {"log.message", q("Database connection failed: connect ECONNREFUSED 127.0.0.1:27017")}}},
      {"WarnWithMeta",
       R"json({"level":"warn","message":"Rate limit approaching","remaining":12,"timestamp":"2024-01-15T10:30:02.000Z","userId":"u-77"})json",
       {{"log.level", q("WARN")}, {"user.id", q("u-77")}, {"remaining", "12"}}},
      {"DebugWithLabel",
       R"json({"label":"auth","level":"debug","message":"token refreshed","timestamp":"2024-01-15T10:30:03.000Z"})json",
       {{"log.level", q("DEBUG")}, {"label", q("auth")}}},
      {"CustomTimestampFormat",
       R"json({"level":"info","message":"job scheduled","timestamp":"2024-01-15 10:30:00"})json",
       {{"@timestamp", q("2024-01-15T10:30:00.000Z")}}},
  };
}

constexpr std::string_view kLogstashStack =
    R"json("java.net.ConnectException: Connection refused\n\tat java.base/sun.nio.ch.Net.pollConnect(Native Method)\n\tat java.base/sun.nio.ch.Net.pollConnectNow(Net.java:672)\n\tat com.example.payments.ProviderClient.charge(ProviderClient.java:88)\n")json";

std::vector<Sample> logstashEncoderSamples() {
  return {
      {"Info",
       R"json({"@timestamp":"2024-01-15T11:30:00.123+01:00","@version":"1","message":"Started OrderServiceApplication in 3.456 seconds (process running for 4.1)","logger_name":"com.example.orders.OrderServiceApplication","thread_name":"main","level":"INFO","level_value":20000})json",
       {{"@timestamp", q("2024-01-15T10:30:00.123Z")},
        {"log.level", q("INFO")},
        {"log.message",
         q("Started OrderServiceApplication in 3.456 seconds (process running for 4.1)")},
        {"log.logger", q("com.example.orders.OrderServiceApplication")},
        {"process.thread.name", q("main")},
        {"level_value", "20000"},
        {"@version", q("1")}}},
      {"ErrorWithStackTraceAndMdc",
       cat({R"json({"@timestamp":"2024-01-15T10:30:01.456Z","@version":"1","message":"Payment provider call failed","logger_name":"com.example.payments.ProviderClient","thread_name":"http-nio-8080-exec-7","level":"ERROR","level_value":40000,"stack_trace":)json",
            kLogstashStack,
            R"json(,"traceId":"65a50a4c3f0e8b1d2c3a4b5c6d7e8f90","spanId":"2c3a4b5c6d7e8f90"})json"}),
       {{"log.level", q("ERROR")},
        {"process.thread.name", q("http-nio-8080-exec-7")},
        {"error.stack_trace", std::string(kLogstashStack)},
        {"trace.id", q("65a50a4c3f0e8b1d2c3a4b5c6d7e8f90")},
        {"trace.span_id", q("2c3a4b5c6d7e8f90")},
        {"correlation.id", q("65a50a4c3f0e8b1d2c3a4b5c6d7e8f90")}}},
      {"SleuthB3Mdc",
       R"json({"@timestamp":"2024-01-15T10:30:02.000Z","@version":"1","message":"Calling inventory","logger_name":"com.example.orders.InventoryClient","thread_name":"http-nio-8080-exec-2","level":"WARN","level_value":30000,"X-B3-TraceId":"463AC35C9F6413AD48485A3953BB6124","X-B3-SpanId":"A2FB4A1D1A96D312","X-Span-Export":"true"})json",
       {{"log.level", q("WARN")},
        {"trace.id", q("463ac35c9f6413ad48485a3953bb6124")},
        {"trace.span_id", q("a2fb4a1d1a96d312")}}},
      {"StructuredArguments",
       R"json({"@timestamp":"2024-01-15T10:30:03.000Z","@version":"1","message":"GET /api/orders completed","logger_name":"com.example.web.AccessLog","thread_name":"http-nio-8080-exec-2","level":"INFO","level_value":20000,"http_method":"GET","http_path":"/api/orders","status":200,"duration_ms":2345,"correlationId":"corr-77","tenantId":"acme"})json",
       {{"http.method", q("GET")},
        {"http.path", q("/api/orders")},
        {"http.status_code", "200"},
        {"http.duration_ms", "2345"},
        {"correlation.id", q("corr-77")},
        {"tenant.id", q("acme")}}},
      {"CallerData",
       R"json({"@timestamp":"2024-01-15T10:30:04.000Z","@version":"1","message":"cache refreshed","logger_name":"com.example.Cache","thread_name":"scheduling-1","level":"DEBUG","level_value":10000,"caller_class_name":"com.example.Cache","caller_method_name":"refresh","caller_file_name":"Cache.java","caller_line_number":55})json",
       {{"log.level", q("DEBUG")},
        {"process.thread.name", q("scheduling-1")},
        {"caller_line_number", "55"}}},
      {"Trace",
       R"json({"@timestamp":"2024-01-15T10:30:05.000Z","@version":"1","message":"row mapped","logger_name":"com.example.Dao","thread_name":"main","level":"TRACE","level_value":5000})json",
       {{"log.level", q("TRACE")}}},
  };
}

constexpr std::string_view kLog4j2Stack =
    R"json("java.net.ConnectException: Connection refused\n\tat sun.nio.ch.Net.connect0(Native Method) ~[?:?]\n\tat com.example.Db.open(Db.java:31) ~[app.jar:1.4.2]\n")json";

std::vector<Sample> log4j2JsonSamples() {
  return {
      {"JsonLayoutInstant",
       R"json({"instant":{"epochSecond":1705314600,"nanoOfSecond":123456789},"thread":"main","level":"INFO","loggerName":"com.example.App","message":"Application started","endOfBatch":false,"loggerFqcn":"org.apache.logging.log4j.spi.AbstractLogger","threadId":1,"threadPriority":5})json",
       {{"@timestamp", q("2024-01-15T10:30:00.123456789Z")},
        {"process.thread.name", q("main")},
        {"log.level", q("INFO")},
        {"log.logger", q("com.example.App")},
        {"log.message", q("Application started")},
        {"endOfBatch", "false"},
        {"threadId", "1"},
        {"instant", std::string(kAbsent)}}},
      {"ThrownStackTraceAsString",
       cat({R"json({"instant":{"epochSecond":1705314601,"nanoOfSecond":456000000},"thread":"pool-2-thread-1","level":"ERROR","loggerName":"com.example.Db","message":"Cannot open connection","thrown":{"commonElementCount":0,"localizedMessage":"Connection refused","message":"Connection refused","name":"java.net.ConnectException","extendedStackTrace":)json",
            kLog4j2Stack,
            R"json(},"endOfBatch":false,"loggerFqcn":"org.apache.logging.log4j.spi.AbstractLogger","threadId":23,"threadPriority":5})json"}),
       {{"@timestamp", q("2024-01-15T10:30:01.456Z")},
        {"log.level", q("ERROR")},
        {"error.type", q("java.net.ConnectException")},
        {"error.message", q("Connection refused")},
        {"error.stack_trace", std::string(kLog4j2Stack)}}},
      // The default: frames as objects, which are not a stack trace string.
      {"ThrownStackTraceAsArray",
       R"json({"instant":{"epochSecond":1705314602,"nanoOfSecond":0},"thread":"main","level":"ERROR","loggerName":"com.example.Db","message":"Cannot open connection","thrown":{"commonElementCount":0,"localizedMessage":"Connection refused","message":"Connection refused","name":"java.net.ConnectException","extendedStackTrace":[{"class":"sun.nio.ch.Net","method":"connect0","file":"Net.java","line":-2,"exact":false,"location":"?","version":"?"},{"class":"com.example.Db","method":"open","file":"Db.java","line":31,"exact":true,"location":"app.jar","version":"1.4.2"}]},"endOfBatch":false,"loggerFqcn":"org.apache.logging.log4j.spi.AbstractLogger","threadId":1,"threadPriority":5})json",
       {{"@timestamp", q("2024-01-15T10:30:02.000Z")},
        {"error.type", q("java.net.ConnectException")},
        {"error.message", q("Connection refused")},
        {"error.stack_trace", std::string(kAbsent)}}},
      {"JsonTemplateLayoutJsonLayoutTemplate",
       R"json({"instant":{"epochSecond":1705314603,"nanoOfSecond":789000000},"thread":"worker-3","level":"WARN","loggerName":"com.example.Retry","message":"retrying in 2s","thrown":{"message":"Read timed out","name":"java.net.SocketTimeoutException","extendedStackTrace":"java.net.SocketTimeoutException: Read timed out\n\tat java.base/sun.nio.ch.NioSocketImpl.timedRead(NioSocketImpl.java:288)\n"},"endOfBatch":false,"loggerFqcn":"org.apache.logging.log4j.spi.AbstractLogger","threadId":42,"threadPriority":5})json",
       {{"@timestamp", q("2024-01-15T10:30:03.789Z")},
        {"log.level", q("WARN")},
        {"process.thread.name", q("worker-3")},
        {"error.type", q("java.net.SocketTimeoutException")},
        {"error.stack_trace",
         q("java.net.SocketTimeoutException: Read timed out\n\tat "
           "java.base/sun.nio.ch.NioSocketImpl.timedRead(NioSocketImpl.java:288)\n")}}},
      {"TimeMillis",
       R"json({"timeMillis":1705314600123,"thread":"main","level":"DEBUG","loggerName":"com.example.Cfg","message":"loaded 12 properties","endOfBatch":false,"loggerFqcn":"org.apache.logging.log4j.spi.AbstractLogger","threadId":1,"threadPriority":5})json",
       {{"@timestamp", q("2024-01-15T10:30:00.123Z")}, {"log.level", q("DEBUG")}}},
      // properties="true": the MDC as contextMap.
      {"ContextMapTraceIds",
       R"json({"instant":{"epochSecond":1705314604,"nanoOfSecond":0},"thread":"http-nio-8080-exec-1","level":"FATAL","loggerName":"com.example.Main","message":"Out of memory","contextMap":{"traceId":"4bf92f3577b34da6a3ce929d0e0e4736","spanId":"00f067aa0ba902b7"},"endOfBatch":false,"loggerFqcn":"org.apache.logging.log4j.spi.AbstractLogger","threadId":31,"threadPriority":5})json",
       {{"log.level", q("FATAL")}, {"trace.id", kTrace}, {"trace.span_id", kSpan}}},
  };
}

constexpr std::string_view kEcsStack =
    R"json("java.lang.IllegalStateException: card declined\n\tat com.example.payments.PaymentService.charge(PaymentService.java:57)\n")json";

std::vector<Sample> ecsSamples() {
  return {
      {"Log4j2EcsLayoutInfo",
       R"json({"@timestamp":"2024-01-15T10:30:00.123Z","log.level":"INFO","message":"Order 1842 placed","ecs.version":"1.2.0","service.name":"orders","service.version":"1.4.2","event.dataset":"orders","process.thread.name":"http-nio-8080-exec-1","log.logger":"com.example.orders.OrderController","trace.id":"4bf92f3577b34da6a3ce929d0e0e4736","transaction.id":"00f067aa0ba902b7"})json",
       {{"@timestamp", q("2024-01-15T10:30:00.123Z")},
        {"log.level", q("INFO")},
        {"log.message", q("Order 1842 placed")},
        {"service.name", q("orders")},
        {"process.thread.name", q("http-nio-8080-exec-1")},
        {"log.logger", q("com.example.orders.OrderController")},
        {"trace.id", kTrace},
        {"correlation.id", kTrace},
        {"message", std::string(kAbsent)}}},
      {"Log4j2EcsLayoutError",
       cat({R"json({"@timestamp":"2024-01-15T10:30:01.000Z","log.level":"ERROR","message":"Payment failed","ecs.version":"1.2.0","service.name":"payments","process.thread.name":"main","log.logger":"com.example.payments.PaymentService","trace.id":"4BF92F3577B34DA6A3CE929D0E0E4736","span.id":"00F067AA0BA902B7","error.type":"java.lang.IllegalStateException","error.message":"card declined","error.stack_trace":)json",
            kEcsStack, "}"}),
       {{"log.level", q("ERROR")},
        {"error.type", q("java.lang.IllegalStateException")},
        {"error.message", q("card declined")},
        {"error.stack_trace", std::string(kEcsStack)},
        {"trace.id", kTrace},
        {"trace.span_id", kSpan}}},
      // ecs-logging-python: dotted keys first, then nested objects, which
      // merge with them.
      {"PythonNestedObjects",
       R"json({"@timestamp":"2024-01-15T10:30:02.123Z","log.level":"warning","message":"disk usage high","ecs":{"version":"1.6.0"},"log":{"logger":"app.monitor","origin":{"file":{"line":42,"name":"monitor.py"},"function":"check"},"original":"disk usage high"},"process":{"name":"MainProcess","pid":1,"thread":{"id":140245,"name":"MainThread"}}})json",
       {{"log.level", q("WARN")},
        {"log.logger", q("app.monitor")},
        {"log.message", q("disk usage high")},
        {"process.thread.name", q("MainThread")}}},
      {"NodeNestedErrorHttp",
       R"json({"@timestamp":"2024-01-15T10:30:03.456Z","log.level":"error","message":"upstream failed","ecs.version":"8.10.0","service.name":"gateway","error":{"type":"Error","message":"socket hang up","stack_trace":"Error: socket hang up\n    at connResetException (node:internal/errors:720:14)"},"http":{"request":{"method":"get"},"response":{"status_code":502}},"url":{"path":"/api/cart"},"trace":{"id":"4bf92f3577b34da6a3ce929d0e0e4736"},"span":{"id":"00f067aa0ba902b7"}})json",
       {{"log.level", q("ERROR")},
        {"service.name", q("gateway")},
        {"error.type", q("Error")},
        {"error.message", q("socket hang up")},
        {"error.stack_trace",
         q("Error: socket hang up\n    at connResetException (node:internal/errors:720:14)")},
        {"http.method", q("GET")},
        {"http.status_code", "502"},
        {"http.path", q("/api/cart")},
        {"trace.id", kTrace},
        {"trace.span_id", kSpan}}},
      {"GoEcszap",
       R"json({"log.level":"info","@timestamp":"2024-01-15T10:30:04.123Z","log.origin":{"file.name":"main.go","file.line":42},"message":"listening","ecs.version":"1.6.0","log.logger":"server"})json",
       {{"log.level", q("INFO")},
        {"log.logger", q("server")},
        {"@timestamp", q("2024-01-15T10:30:04.123Z")}}},
  };
}

constexpr std::string_view kSerilogException =
    R"json("System.InvalidOperationException: Sequence contains no elements\n   at System.Linq.ThrowHelper.ThrowNoElementsException()\n   at Orders.OrderService.Process(Int32 orderId) in /src/Orders/OrderService.cs:line 42")json";

std::vector<Sample> serilogSamples() {
  return {
      // CompactJsonFormatter: the template, no rendered message, and no @l
      // for Information.
      {"CompactTemplateOnly",
       R"json({"@t":"2024-01-15T10:30:00.1234567Z","@mt":"Processed {@Position} in {Elapsed:000} ms.","Position":{"Latitude":25,"Longitude":134},"Elapsed":34})json",
       {{"@timestamp", q("2024-01-15T10:30:00.123456700Z")},
        {"log.level", q("INFO")},
        {"log.message", q("Processed {@Position} in {Elapsed:000} ms.")},
        {"Position", R"({"Latitude":25,"Longitude":134})"},
        {"Elapsed", "34"}}},
      {"CompactError",
       cat({R"json({"@t":"2024-01-15T10:30:01.0000001Z","@mt":"Failed to process order {OrderId}","@l":"Error","@x":)json",
            kSerilogException,
            R"json(,"OrderId":1842,"SourceContext":"Orders.OrderService"})json"}),
       {{"@timestamp", q("2024-01-15T10:30:01.000000100Z")},
        {"log.level", q("ERROR")},
        {"error.stack_trace", std::string(kSerilogException)},
        {"log.logger", q("Orders.OrderService")},
        {"OrderId", "1842"}}},
      {"RenderedWarning",
       R"json({"@t":"2024-01-15T10:30:02.5000000Z","@m":"Cache hit ratio 0.42 below 0.8","@i":"8b2f1a3c","@l":"Warning","Ratio":0.42,"Threshold":0.8})json",
       {{"@timestamp", q("2024-01-15T10:30:02.500Z")},
        {"log.level", q("WARN")},
        {"log.message", q("Cache hit ratio 0.42 below 0.8")},
        {"@i", q("8b2f1a3c")}}},
      // The rendered message is the message even when the template comes first.
      {"RenderedWinsOverTemplate",
       R"json({"@t":"2024-01-15T10:30:03.0000000Z","@mt":"User {UserId} signed in","@m":"User \"u-42\" signed in","@l":"Verbose","UserId":"u-42"})json",
       {{"log.level", q("TRACE")},
        {"log.message", q("User \"u-42\" signed in")},
        {"user.id", q("u-42")}}},
      {"FatalWithTraceAndSpan",
       R"json({"@t":"2024-01-15T10:30:04.0000000Z","@mt":"Host terminated unexpectedly","@l":"Fatal","@x":"System.Exception: boom\n   at Program.<Main>$(String[] args) in /src/Program.cs:line 12","@tr":"4bf92f3577b34da6a3ce929d0e0e4736","@sp":"00f067aa0ba902b7"})json",
       {{"log.level", q("FATAL")},
        {"error.stack_trace", q("System.Exception: boom\n   at Program.<Main>$(String[] args) in "
                                "/src/Program.cs:line 12")},
        {"trace.id", kTrace},
        {"trace.span_id", kSpan}}},
      {"OffsetTimestamp",
       R"json({"@t":"2024-01-15T11:30:00.1234567+01:00","@mt":"Heartbeat","@l":"Debug"})json",
       {{"@timestamp", q("2024-01-15T10:30:00.123456700Z")}, {"log.level", q("DEBUG")}}},
      // Serilog.AspNetCore's request logging.
      {"RequestLogging",
       R"json({"@t":"2024-01-15T10:30:05.2000000Z","@mt":"HTTP {RequestMethod} {RequestPath} responded {StatusCode} in {Elapsed:0.0000} ms","RequestMethod":"GET","RequestPath":"/api/orders","StatusCode":200,"Elapsed":2345.6789,"SourceContext":"Serilog.AspNetCore.RequestLoggingMiddleware","RequestId":"0HN0ABCDEF:00000001","ConnectionId":"0HN0ABCDEF"})json",
       {{"http.method", q("GET")},
        {"http.path", q("/api/orders")},
        {"http.status_code", "200"},
        {"correlation.id", q("0HN0ABCDEF:00000001")},
        {"log.logger", q("Serilog.AspNetCore.RequestLoggingMiddleware")},
        {"Elapsed", "2345.6789"}}},
  };
}

std::vector<Sample> dotnetJsonSamples() {
  return {
      {"Information",
       R"json({"Timestamp":"2024-01-15T10:30:00.123Z","EventId":14,"LogLevel":"Information","Category":"Microsoft.Hosting.Lifetime","Message":"Now listening on: http://[::]:8080","State":{"Message":"Now listening on: http://[::]:8080","address":"http://[::]:8080","{OriginalFormat}":"Now listening on: {address}"}})json",
       {{"@timestamp", q("2024-01-15T10:30:00.123Z")},
        {"log.level", q("INFO")},
        {"log.logger", q("Microsoft.Hosting.Lifetime")},
        {"log.message", q("Now listening on: http://[::]:8080")},
        {"EventId", "14"},
        {"State.address", q("http://[::]:8080")}}},
      {"ErrorWithException",
       R"json({"Timestamp":"2024-01-15 10:30:01.456","EventId":0,"LogLevel":"Error","Category":"Orders.Api.OrdersController","Message":"Failed to load order 1842","Exception":"System.Net.Http.HttpRequestException: Connection refused (db:5432)\n ---> System.Net.Sockets.SocketException (111): Connection refused\n   --- End of inner exception stack trace ---\n   at Orders.Api.OrdersController.Get(Int32 id) in /src/Orders.Api/OrdersController.cs:line 31","State":{"Message":"Failed to load order 1842","OrderId":1842,"{OriginalFormat}":"Failed to load order {OrderId}"}})json",
       {{"@timestamp", q("2024-01-15T10:30:01.456Z")},
        {"log.level", q("ERROR")},
        {"log.logger", q("Orders.Api.OrdersController")},
        {"error.stack_trace",
         q("System.Net.Http.HttpRequestException: Connection refused (db:5432)\n ---> "
           "System.Net.Sockets.SocketException (111): Connection refused\n   --- End of inner "
           "exception stack trace ---\n   at Orders.Api.OrdersController.Get(Int32 id) in "
           "/src/Orders.Api/OrdersController.cs:line 31")}}},
      {"WarningWithScopes",
       R"json({"Timestamp":"2024-01-15T10:30:02.000Z","EventId":0,"LogLevel":"Warning","Category":"Orders.Worker","Message":"Queue depth 1200 exceeds 1000","State":{"Message":"Queue depth 1200 exceeds 1000","Depth":1200,"{OriginalFormat}":"Queue depth {Depth} exceeds 1000"},"Scopes":[{"Message":"SpanId:00f067aa0ba902b7, TraceId:4bf92f3577b34da6a3ce929d0e0e4736, ParentId:0000000000000000","SpanId":"00f067aa0ba902b7","TraceId":"4bf92f3577b34da6a3ce929d0e0e4736","ParentId":"0000000000000000"}]})json",
       {{"log.level", q("WARN")}, {"log.message", q("Queue depth 1200 exceeds 1000")}}},
      {"Critical",
       R"json({"Timestamp":"2024-01-15T10:30:03.000Z","EventId":0,"LogLevel":"Critical","Category":"Program","Message":"Host terminated unexpectedly","State":{"Message":"Host terminated unexpectedly","{OriginalFormat}":"Host terminated unexpectedly"}})json",
       {{"log.level", q("FATAL")}, {"log.logger", q("Program")}}},
      {"Trace",
       R"json({"Timestamp":"2024-01-15T10:30:04.000Z","EventId":1,"LogLevel":"Trace","Category":"Orders.Cache","Message":"Cache lookup for order 1842","State":{"Message":"Cache lookup for order 1842","{OriginalFormat}":"Cache lookup for order 1842"}})json",
       {{"log.level", q("TRACE")}}},
  };
}

std::vector<Sample> rustTracingSamples() {
  return {
      {"Info",
       R"json({"timestamp":"2024-01-15T10:30:00.123456Z","level":"INFO","fields":{"message":"listening","addr":"0.0.0.0:3000"},"target":"my_app::server"})json",
       {{"@timestamp", q("2024-01-15T10:30:00.123456Z")},
        {"log.level", q("INFO")},
        {"log.message", q("listening")},
        {"log.logger", q("my_app::server")}}},
      // A span object describes the span the event happened in; it has no id.
      {"ErrorInSpan",
       R"json({"timestamp":"2024-01-15T10:30:01.000001Z","level":"ERROR","fields":{"message":"request failed","error":"connection reset by peer"},"target":"my_app::handlers","span":{"method":"GET","uri":"/api/orders","name":"request"},"spans":[{"method":"GET","uri":"/api/orders","name":"request"}]})json",
       {{"log.level", q("ERROR")},
        {"log.message", q("request failed")},
        {"log.logger", q("my_app::handlers")},
        {"error.message", q("connection reset by peer")},
        {"trace.span_id", std::string(kAbsent)}}},
      {"ThreadNamesFileAndLine",
       R"json({"timestamp":"2024-01-15T10:30:02.5Z","level":"WARN","fields":{"message":"slow query","table":"orders"},"target":"my_app::db","filename":"src/db.rs","line_number":88,"threadName":"tokio-runtime-worker","threadId":"ThreadId(7)"})json",
       {{"log.level", q("WARN")},
        {"process.thread.name", q("tokio-runtime-worker")},
        {"log.logger", q("my_app::db")},
        {"line_number", "88"}}},
      {"FlattenEvent",
       R"json({"timestamp":"2024-01-15T10:30:03Z","level":"DEBUG","message":"cache refreshed","entries":512,"target":"my_app::cache"})json",
       {{"log.level", q("DEBUG")}, {"log.message", q("cache refreshed")}, {"entries", "512"}}},
      {"Trace",
       R"json({"timestamp":"2024-01-15T10:30:04Z","level":"TRACE","fields":{"message":"poll"},"target":"tokio::runtime"})json",
       {{"log.level", q("TRACE")}, {"log.logger", q("tokio::runtime")}}},
  };
}

// An OTLP JSON log record at a severity number and no severity text.
Sample otelSeverity(const char* name, int number, std::string_view level) {
  return {
      name,
      cat({R"json({"timeUnixNano":"1705314600000000000","observedTimeUnixNano":"1705314600000000000","severityNumber":)json",
           std::to_string(number), R"json(,"body":{"stringValue":"severity check"}})json"}),
      {{"log.level", q(level)}, {"log.message", q("severity check")}}};
}

std::vector<Sample> otelSamples() {
  return {
      {"LogRecordError",
       R"json({"timeUnixNano":"1705314600123456789","observedTimeUnixNano":"1705314600200000000","severityNumber":17,"severityText":"ERROR","body":{"stringValue":"payment declined"},"attributes":[{"key":"order.id","value":{"stringValue":"o-1842"}}],"droppedAttributesCount":0,"flags":1,"traceId":"5B8EFFF798038103D269B633813FC60C","spanId":"EEE19B7EC3C1B174"})json",
       {{"@timestamp", q("2024-01-15T10:30:00.123456789Z")},
        {"log.level", q("ERROR")},
        {"log.message", q("payment declined")},
        {"trace.id", q("5b8efff798038103d269b633813fc60c")},
        {"trace.span_id", q("eee19b7ec3c1b174")},
        {"correlation.id", q("5b8efff798038103d269b633813fc60c")}}},
      {"SeverityTextInformationStringBody",
       R"json({"timeUnixNano":"1705314600123000000","severityText":"Information","body":"cache warmed","traceId":"","spanId":""})json",
       {{"@timestamp", q("2024-01-15T10:30:00.123Z")},
        {"log.level", q("INFO")},
        {"log.message", q("cache warmed")},
        {"trace", std::string(kAbsent)},
        {"correlation.id", std::string(kAbsent)}}},
      // The spec: the observed time stands in when the record has no time.
      {"ObservedTimeOnly",
       R"json({"observedTimeUnixNano":"1705314600456000000","severityNumber":5,"body":{"stringValue":"no source time"}})json",
       {{"@timestamp", q("2024-01-15T10:30:00.456Z")}, {"log.level", q("DEBUG")}}},
      otelSeverity("Severity1", 1, "TRACE"),
      otelSeverity("Severity4", 4, "TRACE"),
      otelSeverity("Severity5", 5, "DEBUG"),
      otelSeverity("Severity8", 8, "DEBUG"),
      otelSeverity("Severity9", 9, "INFO"),
      otelSeverity("Severity12", 12, "INFO"),
      otelSeverity("Severity13", 13, "WARN"),
      otelSeverity("Severity16", 16, "WARN"),
      otelSeverity("Severity17", 17, "ERROR"),
      otelSeverity("Severity20", 20, "ERROR"),
      otelSeverity("Severity21", 21, "FATAL"),
      otelSeverity("Severity24", 24, "FATAL"),
  };
}

std::vector<Sample> datadogSamples() {
  return {
      {"DottedMdc",
       R"json({"@timestamp":"2024-01-15T10:30:00.123Z","message":"charging card","logger_name":"com.example.Billing","thread_name":"main","level":"INFO","dd.trace_id":"1234567890123456789","dd.span_id":"987654321098765432","dd.service":"billing","dd.env":"prod","dd.version":"1.4.2"})json",
       {{"trace.id", q("1234567890123456789")},
        {"trace.span_id", q("987654321098765432")},
        {"correlation.id", q("1234567890123456789")}}},
      {"NestedDdObject",
       R"json({"level":30,"time":1705314600123,"pid":1,"hostname":"cart-5c9d","dd":{"trace_id":"6536213012378948021","span_id":"2918637282733463127","service":"cart","version":"2.1.0","env":"prod"},"msg":"cart updated"})json",
       {{"trace.id", q("6536213012378948021")},
        {"trace.span_id", q("2918637282733463127")},
        {"log.message", q("cart updated")}}},
      // ddtrace writes 0 when no span is active: no trace to link to.
      {"ZeroIdsWithoutActiveSpan",
       R"json({"asctime": "2024-01-15 10:30:00,123", "levelname": "INFO", "name": "app", "message": "startup", "dd.trace_id": "0", "dd.span_id": "0", "dd.service": "app"})json",
       {{"trace", std::string(kAbsent)}, {"correlation.id", std::string(kAbsent)}}},
  };
}

std::vector<Sample> traceContextSamples() {
  return {
      {"SnakeCaseUpperHex",
       R"json({"level":"info","trace_id":"4BF92F3577B34DA6A3CE929D0E0E4736","span_id":"00F067AA0BA902B7","time":"2024-01-15T10:30:00Z","message":"handled"})json",
       {{"trace.id", kTrace},
        {"trace.span_id", kSpan},
        {"correlation.id", kTrace},
        {"trace_id", std::string(kAbsent)}}},
      {"Traceparent",
       R"json({"level":"info","msg":"outbound call","traceparent":"00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"})json",
       {{"trace.id", kTrace}, {"trace.span_id", kSpan}, {"correlation.id", kTrace}}},
      {"B3Single",
       R"json({"level":"info","msg":"proxied","b3":"80f198ee56343ba864fe8b2a57d3eff7-e457b5a2e4d86bd1-1"})json",
       {{"trace.id", q("80f198ee56343ba864fe8b2a57d3eff7")},
        {"trace.span_id", q("e457b5a2e4d86bd1")}}},
      {"B3SingleWithParent",
       R"json({"level":"info","msg":"proxied","b3":"80F198EE56343BA864FE8B2A57D3EFF7-E457B5A2E4D86BD1-d-05e3ac9a4f6e3b90"})json",
       {{"trace.id", q("80f198ee56343ba864fe8b2a57d3eff7")},
        {"trace.span_id", q("e457b5a2e4d86bd1")}}},
      {"B3SingleSixtyFourBitTrace",
       R"json({"level":"info","msg":"proxied","b3":"a3ce929d0e0e4736-00f067aa0ba902b7-1"})json",
       {{"trace.id", q("a3ce929d0e0e4736")}, {"trace.span_id", kSpan}}},
      {"B3DenyOnlyKept",
       R"json({"level":"info","msg":"not sampled","b3":"0"})json",
       {{"trace", std::string(kAbsent)}, {"b3", q("0")}}},
      {"AllZeroTraceIdNotSet",
       R"json({"level":"info","msg":"no active span","trace_id":"00000000000000000000000000000000","span_id":"0000000000000000"})json",
       {{"trace", std::string(kAbsent)},
        {"correlation.id", std::string(kAbsent)},
        {"trace_id", q("00000000000000000000000000000000")}}},
      {"AllZeroTraceparentNotSet",
       R"json({"level":"info","msg":"no active span","traceparent":"00-00000000000000000000000000000000-00f067aa0ba902b7-01"})json",
       {{"trace", std::string(kAbsent)}, {"correlation.id", std::string(kAbsent)}}},
      {"XRequestId",
       R"json({"level":"info","msg":"GET /","x-request-id":"9f2c1a7e-3b4d-4c5e-8f6a-7b8c9d0e1f2a"})json",
       {{"correlation.id", q("9f2c1a7e-3b4d-4c5e-8f6a-7b8c9d0e1f2a")}}},
      {"RequestIdSnake",
       R"json({"level":"info","msg":"GET /","request_id":"req-42"})json",
       {{"correlation.id", q("req-42")}}},
      {"CorrelationHeaderCase",
       R"json({"level":"info","msg":"GET /","X-Correlation-ID":"c-9"})json",
       {{"correlation.id", q("c-9")}}},
      {"OwnCorrelationWinsOverTrace",
       R"json({"level":"info","msg":"x","correlation_id":"order-1842","trace_id":"4bf92f3577b34da6a3ce929d0e0e4736"})json",
       {{"correlation.id", q("order-1842")}, {"trace.id", kTrace}}},
  };
}

// A level word as some logger writes it, in an otherwise plain JSON line.
Sample levelWord(const char* name, std::string_view word, std::string_view level) {
  return {name,
          cat({R"json({"time":"2024-01-15T10:30:00Z","level":")json", word,
               R"json(","msg":"level check"})json"}),
          {{"log.level", q(level)}}};
}

// A syslog severity under `key`; `value` is the JSON value as written.
Sample syslogSeverity(const char* name, std::string_view key, std::string_view value,
                      std::string_view level) {
  return {name,
          cat({R"json({"time":"2024-01-15T10:30:00Z",")json", key, R"json(":)json", value,
               R"json(,"message":"severity check"})json"}),
          {{"log.level", q(level)}}};
}

std::vector<Sample> levelSamples() {
  return {
      levelWord("Wrn", "WRN", "WARN"),
      levelWord("Err", "ERR", "ERROR"),
      levelWord("Dbg", "DBG", "DEBUG"),
      levelWord("Inf", "INF", "INFO"),
      levelWord("Trc", "TRC", "TRACE"),
      levelWord("Crit", "crit", "FATAL"),
      levelWord("Emerg", "emerg", "FATAL"),
      levelWord("Alert", "alert", "FATAL"),
      levelWord("Notice", "notice", "INFO"),
      levelWord("Information", "Information", "INFO"),
      levelWord("Verbose", "Verbose", "TRACE"),
      levelWord("FatalTitleCase", "Fatal", "FATAL"),
      levelWord("Critical", "critical", "FATAL"),
      levelWord("Severe", "SEVERE", "ERROR"),
      levelWord("Fine", "FINE", "DEBUG"),
      levelWord("Finest", "FINEST", "TRACE"),
      levelWord("WarnMixedCase", "Warn", "WARN"),
      syslogSeverity("SeverityString3", "severity", R"("3")", "ERROR"),
      syslogSeverity("SeverityNumber0", "severity", "0", "FATAL"),
      syslogSeverity("SeverityString4", "severity", R"("4")", "WARN"),
      syslogSeverity("SeverityNumber7", "severity", "7", "DEBUG"),
      syslogSeverity("SyslogSeverityNumber2", "syslog.severity", "2", "FATAL"),
      syslogSeverity("SyslogSeverityString5", "syslog.severity", R"("5")", "INFO"),
      syslogSeverity("SyslogSeverityNumber1", "syslog.severity", "1", "FATAL"),
  };
}

std::vector<Sample> keySpellingSamples() {
  return {
      {"ScreamingSnake",
       R"json({"LOG_LEVEL":"warn","MESSAGE":"disk low","TRACE_ID":"4BF92F3577B34DA6A3CE929D0E0E4736"})json",
       {{"log.level", q("WARN")}, {"log.message", q("disk low")}, {"trace.id", kTrace}}},
      {"KebabCase",
       R"json({"log-level":"error","message":"x","trace-id":"4bf92f3577b34da6a3ce929d0e0e4736","x-correlation-id":"c-5"})json",
       {{"log.level", q("ERROR")}, {"trace.id", kTrace}, {"correlation.id", q("c-5")}}},
  };
}

std::vector<Sample> logfmtSamples() {
  return {
      {"GoKitRequest",
       "time=2024-01-15T10:30:00.123Z level=info msg=\"request served\" method=GET "
       "path=/api/orders status=200 duration_ms=12 trace_id=4bf92f3577b34da6a3ce929d0e0e4736",
       {{"@timestamp", q("2024-01-15T10:30:00.123Z")},
        {"log.level", q("INFO")},
        {"log.message", q("request served")},
        {"http.method", q("GET")},
        {"http.path", q("/api/orders")},
        {"http.status_code", "200"},
        {"http.duration_ms", "12"},
        {"trace.id", kTrace},
        {"correlation.id", kTrace}}},
      {"GoKitError",
       "ts=2024-01-15T10:30:00.123456Z caller=db.go:57 level=error msg=\"query failed\" "
       "err=\"pq: canceling statement due to statement timeout\" correlation_id=corr-9",
       {{"@timestamp", q("2024-01-15T10:30:00.123456Z")},
        {"log.level", q("ERROR")},
        {"log.message", q("query failed")},
        {"error.message", q("pq: canceling statement due to statement timeout")},
        {"correlation.id", q("corr-9")},
        {"caller", q("db.go:57")}}},
      {"SlogTextHandler",
       "time=2024-01-15T11:30:00.123+01:00 level=WARN msg=\"disk almost full\" "
       "mount=/var/lib/data used_pct=93",
       {{"@timestamp", q("2024-01-15T10:30:00.123Z")},
        {"log.level", q("WARN")},
        {"log.message", q("disk almost full")},
        {"mount", q("/var/lib/data")}}},
      {"LogrusTextFormatter",
       "time=\"2024-01-15T10:30:00Z\" level=warning msg=\"The group's number increased "
       "tremendously!\" number=122 omg=true",
       {{"@timestamp", q("2024-01-15T10:30:00.000Z")},
        {"log.level", q("WARN")},
        {"log.message", q("The group's number increased tremendously!")}}},
      {"LogrusTextError",
       "time=\"2024-01-15T11:30:00+01:00\" level=error msg=\"failed to send email\" "
       "error=\"smtp: 421 service not available\" user_id=42",
       {{"@timestamp", q("2024-01-15T10:30:00.000Z")},
        {"log.level", q("ERROR")},
        {"error.message", q("smtp: 421 service not available")},
        {"user.id", q("42")}}},
      {"EscapedQuotes",
       R"(level=info msg="user said \"hi\"" user_id=u-1)",
       {{"log.level", q("INFO")}, {"log.message", q("user said \"hi\"")}, {"user.id", q("u-1")}}},
      {"SlowRequest",
       "time=2024-01-15T10:30:05Z level=warn msg=\"slow request\" method=post "
       "path=/api/reports/export status=200 duration_ms=2345.6 request_id=r-17",
       {{"http.method", q("POST")}, {"http.duration_ms", "2345.6"}, {"correlation.id", q("r-17")}}},
  };
}

std::vector<Sample> javaPatternSamples() {
  return {
      {"Log4jConversionPattern",
       "2016-09-28 04:30:30,123 ERROR [main] com.example.Foo - Connection refused",
       {{"@timestamp", q("2016-09-28T04:30:30.123Z")},
        {"log.level", q("ERROR")},
        {"process.thread.name", q("main")},
        {"log.logger", q("com.example.Foo")},
        {"log.message", q("Connection refused")}}},
      {"PaddedLevelPooledThread",
       "2024-01-15 10:30:00,123 INFO  [http-nio-8080-exec-1] c.e.orders.OrderController - "
       "GET /orders took 12 ms",
       {{"log.level", q("INFO")},
        {"process.thread.name", q("http-nio-8080-exec-1")},
        {"log.logger", q("c.e.orders.OrderController")},
        {"log.message", q("GET /orders took 12 ms")}}},
      // `%d [%thread] %-5level %logger - %msg`: the thread before the level.
      {"LogbackThreadBeforeLevel",
       "2024-01-15 10:30:00.123 [pool-1-thread-3] WARN  com.example.cache.CacheLoader - cache "
       "miss ratio high: 0.42",
       {{"@timestamp", q("2024-01-15T10:30:00.123Z")},
        {"log.level", q("WARN")},
        {"process.thread.name", q("pool-1-thread-3")},
        {"log.logger", q("com.example.cache.CacheLoader")},
        {"log.message", q("cache miss ratio high: 0.42")}}},
      {"MessageWithDashes",
       "2024-01-15 10:30:00,123 DEBUG [main] com.example.Foo - a - b - c",
       {{"log.logger", q("com.example.Foo")}, {"log.message", q("a - b - c")}}},
  };
}

std::vector<Sample> springBootSamples() {
  return {
      {"Boot32WithApplicationName",
       "2024-01-15T10:30:00.123Z  INFO 12345 --- [orders] [           main] "
       "c.e.orders.OrderServiceApplication       : Started OrderServiceApplication in 2.345 "
       "seconds (process running for 2.9)",
       {{"@timestamp", q("2024-01-15T10:30:00.123Z")},
        {"log.level", q("INFO")},
        {"process.thread.name", q("main")},
        {"log.logger", q("c.e.orders.OrderServiceApplication")},
        {"log.message",
         q("Started OrderServiceApplication in 2.345 seconds (process running for 2.9)")},
        {"service.name", q("orders")}}},
      {"Boot30BracketedLogger",
       "2024-01-15T11:30:00.123+01:00 ERROR 12345 --- [nio-8080-exec-1] "
       "o.a.c.c.C.[.[.[/].[dispatcherServlet]    : Servlet.service() for servlet "
       "[dispatcherServlet] in context with path [] threw exception",
       {{"@timestamp", q("2024-01-15T10:30:00.123Z")},
        {"log.level", q("ERROR")},
        {"process.thread.name", q("nio-8080-exec-1")},
        {"log.logger", q("o.a.c.c.C.[.[.[/].[dispatcherServlet]")},
        {"log.message",
         q("Servlet.service() for servlet [dispatcherServlet] in context with path [] threw "
           "exception")}}},
      {"Boot2ZoneLess",
       "2024-01-15 10:30:00.123  WARN 12345 --- [           main] "
       "o.s.b.a.orm.jpa.DatabaseLookup           : Unable to determine jdbc url from datasource",
       {{"@timestamp", q("2024-01-15T10:30:00.123Z")},
        {"log.level", q("WARN")},
        {"process.thread.name", q("main")},
        {"log.logger", q("o.s.b.a.orm.jpa.DatabaseLookup")},
        {"log.message", q("Unable to determine jdbc url from datasource")}}},
  };
}

std::vector<Sample> pythonTextSamples() {
  return {
      {"BasicConfigDefault",
       "WARNING:myapp.db:slow query",
       {{"log.level", q("WARN")}, {"log.logger", q("myapp.db")}, {"log.message", q("slow query")}}},
      {"BasicConfigCriticalRoot",
       "CRITICAL:root:disk full: /var/lib/postgresql",
       {{"log.level", q("FATAL")},
        {"log.logger", q("root")},
        {"log.message", q("disk full: /var/lib/postgresql")}}},
      {"CookbookFormat",
       "2024-01-15 10:30:00,123 - myapp.db - ERROR - connection lost",
       {{"@timestamp", q("2024-01-15T10:30:00.123Z")},
        {"log.logger", q("myapp.db")},
        {"log.level", q("ERROR")},
        {"log.message", q("connection lost")}}},
      // uvicorn's default: the level, a colon and padding; no logger name.
      {"UvicornAccess",
       R"(INFO:     127.0.0.1:54321 - "GET /health HTTP/1.1" 200 OK)",
       {{"log.level", q("INFO")},
        {"log.logger", std::string(kAbsent)},
        {"log.message", q(R"(127.0.0.1:54321 - "GET /health HTTP/1.1" 200 OK)")}}},
  };
}

std::vector<Sample> goLogSamples() {
  return {
      // A panic's first line: the level word and a colon.
      {"Panic",
       "panic: runtime error: index out of range [5] with length 3",
       {{"log.level", q("FATAL")},
        {"log.message", q("runtime error: index out of range [5] with length 3")}}},
      {"StdFlags",
       "2009/11/10 23:00:00 hello",
       {{"@timestamp", q("2009-11-10T23:00:00.000Z")},
        {"log.message", q("hello")},
        {"log.level", std::string(kAbsent)}}},
      {"Microseconds",
       "2024/01/15 10:30:00.123456 listening on :8080",
       {{"@timestamp", q("2024-01-15T10:30:00.123456Z")},
        {"log.message", q("listening on :8080")}}},
      // slog's default handler writes through the log package.
      {"SlogDefaultHandler",
       "2024/01/15 10:30:00 ERROR payment failed order=1842",
       {{"@timestamp", q("2024-01-15T10:30:00.000Z")},
        {"log.level", q("ERROR")},
        {"log.message", q("payment failed order=1842")}}},
  };
}

std::vector<Sample> klogSamples() {
  return {
      {"Info",
       "I0115 10:30:00.123456       1 main.go:42] Starting",
       {{"log.level", q("INFO")},
        {"log.message", q("Starting")},
        {"@timestamp", endsWith(R"(-01-15T10:30:00.123456Z")")}}},
      {"Error",
       "E0115 10:30:01.000002    4711 reflector.go:138] "
       "k8s.io/client-go/informers/factory.go:150: Failed to watch *v1.Pod: unknown (get pods)",
       {{"log.level", q("ERROR")},
        {"log.message",
         q("k8s.io/client-go/informers/factory.go:150: Failed to watch *v1.Pod: unknown (get "
           "pods)")},
        {"@timestamp", endsWith(R"(-01-15T10:30:01.000002Z")")}}},
      {"Warning",
       "W0115 10:30:02.500000      12 warnings.go:70] v1 ComponentStatus is deprecated in v1.19+",
       {{"log.level", q("WARN")},
        {"log.message", q("v1 ComponentStatus is deprecated in v1.19+")}}},
      {"Fatal",
       "F0115 10:30:03.000000       1 server.go:210] failed to listen on 0.0.0.0:6443",
       {{"log.level", q("FATAL")}, {"log.message", q("failed to listen on 0.0.0.0:6443")}}},
  };
}

std::vector<Sample> rubyLoggerSamples() {
  return {
      {"Info",
       R"(I, [2024-01-15T10:30:00.123456 #12345]  INFO -- : Started GET "/" for 127.0.0.1 at 2024-01-15 10:30:00 +0000)",
       {{"@timestamp", q("2024-01-15T10:30:00.123456Z")},
        {"log.level", q("INFO")},
        {"log.message", q(R"(Started GET "/" for 127.0.0.1 at 2024-01-15 10:30:00 +0000)")}}},
      {"ErrorWithProgname",
       "E, [2024-01-15T10:30:01.000001 #12345] ERROR -- billing: Payment gateway timeout after "
       "30s",
       {{"@timestamp", q("2024-01-15T10:30:01.000001Z")},
        {"log.level", q("ERROR")},
        {"log.logger", q("billing")},
        {"log.message", q("Payment gateway timeout after 30s")}}},
      {"Warn",
       "W, [2024-01-15T10:30:02.000000 #12345]  WARN -- : Deprecated API used by client 17",
       {{"log.level", q("WARN")}, {"log.message", q("Deprecated API used by client 17")}}},
      {"Fatal",
       "F, [2024-01-15T10:30:03.000000 #12345] FATAL -- : Errno::ENOSPC: No space left on device",
       {{"log.level", q("FATAL")}, {"log.message", q("Errno::ENOSPC: No space left on device")}}},
  };
}

std::vector<Sample> syslogSamples() {
  return {
      // RFC 5424 section 6.5, examples 1 to 3.
      {"Rfc5424Su",
       "<34>1 2003-10-11T22:14:15.003Z mymachine.example.com su - ID47 - 'su root' failed for "
       "lonvick on /dev/pts/8",
       {{"@timestamp", q("2003-10-11T22:14:15.003Z")},
        {"log.level", q("FATAL")},
        {"log.message", q("'su root' failed for lonvick on /dev/pts/8")}}},
      {"Rfc5424Microseconds",
       "<165>1 2003-08-24T05:14:15.000003-07:00 192.0.2.1 myproc 8710 - - %% It's time to make "
       "the do-nuts.",
       {{"@timestamp", q("2003-08-24T12:14:15.000003Z")},
        {"log.level", q("INFO")},
        {"log.message", q("%% It's time to make the do-nuts.")}}},
      {"Rfc5424StructuredDataAndBom",
       cat({"<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog - ID47 "
            "[exampleSDID@32473 iut=\"3\" eventSource=\"Application\" eventID=\"1011\"] ",
            "\xEF\xBB\xBF", "An application event log entry..."}),
       {{"log.level", q("INFO")}, {"log.message", q("An application event log entry...")}}},
      {"Rfc3164Su",
       "<34>Oct 11 22:14:15 mymachine su: 'su root' failed for lonvick on /dev/pts/8",
       {{"log.level", q("FATAL")},
        {"log.message", q("'su root' failed for lonvick on /dev/pts/8")},
        {"@timestamp", endsWith(R"(-10-11T22:14:15.000Z")")}}},
      {"Rfc3164PaddedDayAndPid",
       "<13>Feb  5 17:32:18 10.0.0.99 myproc[8710]: Use the BFG!",
       {{"log.level", q("INFO")},
        {"log.message", q("Use the BFG!")},
        {"@timestamp", endsWith(R"(-02-05T17:32:18.000Z")")}}},
      {"Rfc3164Error",
       "<27>Jan 15 10:30:00 web-1 nginx: 2024/01/15 10:30:00 [error] 1234#1234: *5 connect() "
       "failed (111: Connection refused) while connecting to upstream",
       {{"log.level", q("ERROR")},
        {"log.message",
         q("2024/01/15 10:30:00 [error] 1234#1234: *5 connect() failed (111: Connection "
           "refused) while connecting to upstream")}}},
      {"VarLogSyslogWithoutPri",
       "Jan 15 10:30:00 web-1 sshd[1234]: Accepted publickey for deploy from 10.0.0.5 port 52144 "
       "ssh2: ED25519 SHA256:Qm9vYmFy",
       {{"log.message", q("Accepted publickey for deploy from 10.0.0.5 port 52144 ssh2: ED25519 "
                          "SHA256:Qm9vYmFy")},
        {"log.level", std::string(kAbsent)},
        {"@timestamp", endsWith(R"(-01-15T10:30:00.000Z")")}}},
      {"VarLogSyslogHighPrecision",
       "2024-01-15T10:30:00.123456+00:00 web-1 systemd[1]: Started session-42.scope - Session 42 "
       "of User deploy.",
       {{"@timestamp", q("2024-01-15T10:30:00.123456Z")},
        {"log.message", q("Started session-42.scope - Session 42 of User deploy.")}}},
      {"VarLogKernel",
       "Jan 15 10:30:00 web-1 kernel: [12345.678901] Out of memory: Killed process 4321 (java) "
       "total-vm:8123456kB",
       {{"log.message",
         q("[12345.678901] Out of memory: Killed process 4321 (java) total-vm:8123456kB")}}},
  };
}

std::vector<Sample> accessLogSamples() {
  const std::string common =
      R"(127.0.0.1 - frank [10/Oct/2000:13:55:36 -0700] "GET /apache_pb.gif HTTP/1.0" 200 2326)";
  const std::string combined =
      R"line(127.0.0.1 - - [10/Oct/2000:13:55:36 -0700] "GET /apache_pb.gif?utm_source=x HTTP/1.0" 200 2326 "http://www.example.com/start.html" "Mozilla/4.08 [en] (Win98; I ;Nav)")line";
  const std::string nginx =
      R"(203.0.113.7 - - [15/Jan/2024:10:30:00 +0000] "POST /api/v1/orders HTTP/1.1" 502 157 "-" "python-requests/2.31.0")";
  const std::string empty_request =
      R"(198.51.100.23 - - [15/Jan/2024:10:30:01 +0000] "-" 400 0 "-" "-")";
  const std::string ipv6 =
      R"(2001:db8::1 - - [15/Jan/2024:10:30:00 +0100] "HEAD /healthz HTTP/2.0" 200 0 "-" "kube-probe/1.29")";
  return {
      {"ApacheCommon",
       common,
       {{"@timestamp", q("2000-10-10T20:55:36.000Z")},
        {"http.method", q("GET")},
        {"http.path", q("/apache_pb.gif")},
        {"http.status_code", "200"},
        {"log.message", q(common)},
        {"user.name", q("frank")}}},
      {"ApacheCombinedQueryDropped",
       combined,
       {{"@timestamp", q("2000-10-10T20:55:36.000Z")},
        {"http.method", q("GET")},
        {"http.path", q("/apache_pb.gif")},
        {"http.status_code", "200"},
        {"log.message", q(combined)},
        {"user.id", std::string(kAbsent)}}},
      {"NginxCombined502",
       nginx,
       {{"@timestamp", q("2024-01-15T10:30:00.000Z")},
        {"http.method", q("POST")},
        {"http.path", q("/api/v1/orders")},
        {"http.status_code", "502"},
        {"log.message", q(nginx)}}},
      // What nginx logs when a client connects and sends nothing.
      {"NginxEmptyRequest",
       empty_request,
       {{"http.status_code", "400"},
        {"http.method", std::string(kAbsent)},
        {"log.message", q(empty_request)}}},
      {"NginxIpv6Client",
       ipv6,
       {{"@timestamp", q("2024-01-15T09:30:00.000Z")},
        {"http.method", q("HEAD")},
        {"http.path", q("/healthz")},
        {"log.message", q(ipv6)}}},
  };
}

std::vector<Sample> unparsedSamples() {
  const char* lines[][2] = {
      {"Sentence", "Starting worker pool with 8 threads"},
      {"JavaStackFrame", "\tat com.example.orders.OrderService.place(OrderService.java:42)"},
      {"JavaCausedBy", "Caused by: java.net.ConnectException: Connection refused"},
      {"PythonTracebackHeader", "Traceback (most recent call last):"},
      {"GoGoroutineHeader", "goroutine 1 [running]:"},
      {"Separator", "----------------------------------------"},
      {"SpringBanner", "  .   ____          _            __ _ _"},
      {"JsonArray", R"(["not","an","event"])"},
  };
  std::vector<Sample> out;
  for (const auto& [name, line] : lines)
    out.push_back({name, line, shippedWhole(line, "unparsed")});
  return out;
}

std::vector<Sample> malformedJsonSamples() {
  const char* lines[][2] = {
      {"TruncatedMidString",
       R"({"level":"info","ts":1705314600.1,"caller":"http/server.go:88","msg":"request compl)"},
      {"ExtraClosingBrace", R"({"level":30,"time":1705314600123,"msg":"ok"}})"},
      {"InterleavedWriters", R"({"level":"info","msg":"a{"level":"error","msg":"b"})"},
      {"LoneBrace", "{"},
      {"TruncatedAfterKey", R"({"level":"error","msg":)"},
      {"PythonNaN",
       R"({"asctime": "2024-01-15 10:30:00,123", "levelname": "INFO", "name": "metrics", "message": "ratio computed", "ratio": NaN})"},
      {"PythonDictRepr", R"({'event': 'user_login', 'level': 'info', 'user_id': 'u-42'})"},
      {"TrailingGarbage", R"({"level":"info","msg":"done"} extra)"},
      {"MissingValue", R"({"level":"info","msg":"x","status":})"},
      {"UnclosedArray", R"({"msg":"x","tags":[)"},
  };
  std::vector<Sample> out;
  for (const auto& [name, line] : lines) {
    out.push_back({name, line, shippedWhole(line, "json_error")});
  }
  // Latin-1 bytes in a UTF-8 log: the line is shipped with U+FFFD for them.
  out.push_back({"Latin1Byte",
                 "{\"msg\":\"caf\xE9 au lait\"}",
                 {{"log.message", q("{\"msg\":\"caf\xEF\xBF\xBD au lait\"}")},
                  {"tags", contains(q("json_error"))},
                  {"tags", contains(q("invalid_utf8"))}}});
  const std::string nul("{\"msg\":\"a\0b\"}", 13);
  out.push_back({"NulByteInString", nul, shippedWhole(nul, "json_error")});
  return out;
}

class LoggerShapeTest : public testing::TestWithParam<Sample> {};

TEST_P(LoggerShapeTest, BecomesTheDocumentedEvent) {
  const Sample& s = GetParam();
  Harness harness;
  std::optional<Doc> doc = harness.run(s.line);
  ASSERT_TRUE(doc);
  expectSample(s, *doc);
}

std::string sampleName(const testing::TestParamInfo<Sample>& info) { return info.param.name; }

INSTANTIATE_TEST_SUITE_P(Zap, LoggerShapeTest, testing::ValuesIn(zapSamples()), sampleName);
INSTANTIATE_TEST_SUITE_P(Logrus, LoggerShapeTest, testing::ValuesIn(logrusSamples()), sampleName);
INSTANTIATE_TEST_SUITE_P(Slog, LoggerShapeTest, testing::ValuesIn(slogSamples()), sampleName);
INSTANTIATE_TEST_SUITE_P(PythonJsonLogger, LoggerShapeTest,
                         testing::ValuesIn(pythonJsonLoggerSamples()), sampleName);
INSTANTIATE_TEST_SUITE_P(Structlog, LoggerShapeTest, testing::ValuesIn(structlogSamples()),
                         sampleName);
INSTANTIATE_TEST_SUITE_P(Pino, LoggerShapeTest, testing::ValuesIn(pinoSamples()), sampleName);
INSTANTIATE_TEST_SUITE_P(Bunyan, LoggerShapeTest, testing::ValuesIn(bunyanSamples()), sampleName);
INSTANTIATE_TEST_SUITE_P(Winston, LoggerShapeTest, testing::ValuesIn(winstonSamples()), sampleName);
INSTANTIATE_TEST_SUITE_P(LogstashLogbackEncoder, LoggerShapeTest,
                         testing::ValuesIn(logstashEncoderSamples()), sampleName);
INSTANTIATE_TEST_SUITE_P(Log4j2Json, LoggerShapeTest, testing::ValuesIn(log4j2JsonSamples()),
                         sampleName);
INSTANTIATE_TEST_SUITE_P(Ecs, LoggerShapeTest, testing::ValuesIn(ecsSamples()), sampleName);
INSTANTIATE_TEST_SUITE_P(Serilog, LoggerShapeTest, testing::ValuesIn(serilogSamples()), sampleName);
INSTANTIATE_TEST_SUITE_P(DotnetJsonConsole, LoggerShapeTest, testing::ValuesIn(dotnetJsonSamples()),
                         sampleName);
INSTANTIATE_TEST_SUITE_P(RustTracing, LoggerShapeTest, testing::ValuesIn(rustTracingSamples()),
                         sampleName);
INSTANTIATE_TEST_SUITE_P(OpenTelemetry, LoggerShapeTest, testing::ValuesIn(otelSamples()),
                         sampleName);
INSTANTIATE_TEST_SUITE_P(Datadog, LoggerShapeTest, testing::ValuesIn(datadogSamples()), sampleName);
INSTANTIATE_TEST_SUITE_P(TraceContext, LoggerShapeTest, testing::ValuesIn(traceContextSamples()),
                         sampleName);
INSTANTIATE_TEST_SUITE_P(Levels, LoggerShapeTest, testing::ValuesIn(levelSamples()), sampleName);
INSTANTIATE_TEST_SUITE_P(KeySpelling, LoggerShapeTest, testing::ValuesIn(keySpellingSamples()),
                         sampleName);
INSTANTIATE_TEST_SUITE_P(Logfmt, LoggerShapeTest, testing::ValuesIn(logfmtSamples()), sampleName);
INSTANTIATE_TEST_SUITE_P(JavaPattern, LoggerShapeTest, testing::ValuesIn(javaPatternSamples()),
                         sampleName);
INSTANTIATE_TEST_SUITE_P(SpringBoot, LoggerShapeTest, testing::ValuesIn(springBootSamples()),
                         sampleName);
INSTANTIATE_TEST_SUITE_P(PythonText, LoggerShapeTest, testing::ValuesIn(pythonTextSamples()),
                         sampleName);
INSTANTIATE_TEST_SUITE_P(GoLog, LoggerShapeTest, testing::ValuesIn(goLogSamples()), sampleName);
INSTANTIATE_TEST_SUITE_P(Klog, LoggerShapeTest, testing::ValuesIn(klogSamples()), sampleName);
INSTANTIATE_TEST_SUITE_P(RubyLogger, LoggerShapeTest, testing::ValuesIn(rubyLoggerSamples()),
                         sampleName);
INSTANTIATE_TEST_SUITE_P(Syslog, LoggerShapeTest, testing::ValuesIn(syslogSamples()), sampleName);
INSTANTIATE_TEST_SUITE_P(AccessLog, LoggerShapeTest, testing::ValuesIn(accessLogSamples()),
                         sampleName);
INSTANTIATE_TEST_SUITE_P(Unparsed, LoggerShapeTest, testing::ValuesIn(unparsedSamples()),
                         sampleName);
INSTANTIATE_TEST_SUITE_P(MalformedJson, LoggerShapeTest, testing::ValuesIn(malformedJsonSamples()),
                         sampleName);

std::vector<Sample> allSamples() {
  std::vector<Sample> all;
  for (auto table : {zapSamples,
                     logrusSamples,
                     slogSamples,
                     pythonJsonLoggerSamples,
                     structlogSamples,
                     pinoSamples,
                     bunyanSamples,
                     winstonSamples,
                     logstashEncoderSamples,
                     log4j2JsonSamples,
                     ecsSamples,
                     serilogSamples,
                     dotnetJsonSamples,
                     rustTracingSamples,
                     otelSamples,
                     datadogSamples,
                     traceContextSamples,
                     levelSamples,
                     keySpellingSamples,
                     logfmtSamples,
                     javaPatternSamples,
                     springBootSamples,
                     pythonTextSamples,
                     goLogSamples,
                     klogSamples,
                     rubyLoggerSamples,
                     syslogSamples,
                     accessLogSamples,
                     unparsedSamples,
                     malformedJsonSamples}) {
    for (Sample& s : table()) all.push_back(std::move(s));
  }
  return all;
}

// An input's normalizer sees line after line: nothing of one event may show
// in the next. Each sample comes from its own source, as lines of different
// shapes do.
TEST(LoggerShapes, OneNormalizerForAllSamplesGivesTheSameEvents) {
  const std::vector<Sample> all = allSamples();
  Harness shared;
  for (const Sample& s : all) {
    Harness alone;
    std::optional<Doc> expected = alone.run(s.line, s.name);
    std::optional<Doc> got = shared.run(s.line, s.name);
    ASSERT_TRUE(expected && got) << s.name;
    EXPECT_EQ(got->json(), expected->json()) << s.name;
  }
}

std::string nested(int depth, std::string_view leaf, bool close) {
  std::string out;
  for (int i = 0; i < depth; ++i) out += R"({"a":)";
  out += leaf;
  if (close) out.append(depth, '}');
  return out;
}

// Elasticsearch refuses objects deeper than index.mapping.depth.limit (20 by
// default) and would reject the whole event: a line nested that deep is
// shipped whole, and walking it must not exhaust the stack.
TEST(LoggerShapes, HundredLevelsOfNestingIsShippedWhole) {
  const std::vector<std::string> lines = {
      cat({R"({"level":"info","msg":"deep","ctx":)", nested(100, R"("leaf")", true), "}"}),
      nested(100, R"({"msg":"innermost"})", true),
      cat({R"({"level":"info","msg":"deep list","ctx":)", std::string(100, '['), "1",
           std::string(100, ']'), "}"}),
      nested(100, R"("leaf")", false),
  };
  for (const std::string& line : lines) {
    Harness h;
    std::optional<Doc> doc = h.run(line);
    ASSERT_TRUE(doc) << line;
    expectWellFormed(*doc);
    EXPECT_EQ(doc->text("log.message"), q(line)) << *doc;
    EXPECT_TRUE(doc->hasTag("json_error")) << *doc;
    EXPECT_EQ(doc->text("log.level"), kAbsent) << *doc;
  }
}

TEST(LoggerShapes, ModestNestingIsKept) {
  const std::string ctx = nested(8, R"("leaf")", true);
  const std::string line = cat({R"({"level":"info","msg":"shallow","ctx":)", ctx, "}"});
  Harness h;
  std::optional<Doc> doc = h.run(line);
  ASSERT_TRUE(doc);
  expectWellFormed(*doc);
  EXPECT_EQ(doc->text("log.message"), q("shallow")) << *doc;
  EXPECT_EQ(doc->text("ctx"), ctx) << *doc;
  EXPECT_FALSE(doc->hasTag("json_error")) << *doc;
}

struct SampleFile {
  const char* file;
  bool json;         // every line is one JSON object
  bool leveled;      // the format has levels, and the file an ERROR line
  bool correlation;  // corr-<name>-1 is a field the normalizer maps
  bool duration;     // a line has http.duration_ms above 2000
};

constexpr SampleFile kSampleFiles[] = {
    {"zap.log", true, true, true, true},
    {"logrus.log", true, true, true, true},
    {"slog.log", true, true, true, true},
    {"python-json.log", true, true, true, true},
    {"structlog.log", true, true, true, true},
    {"pino.log", true, true, true, true},
    {"bunyan.log", true, true, true, true},
    {"winston.log", true, true, true, true},
    {"logback-logstash.log", true, true, true, true},
    {"log4j2-json.log", true, true, true, true},
    {"log4j2-ecs.log", true, true, true, true},
    {"serilog.log", true, true, true, false},
    {"dotnet-json.log", true, true, false, false},
    {"rust-tracing.log", true, true, true, true},
    {"otel.log", true, true, false, false},
    {"logfmt.log", false, true, true, true},
    {"log4j-pattern.log", false, true, false, false},
    {"spring-boot.log", false, true, false, false},
    {"python-text.log", false, true, false, false},
    {"go-log.log", false, true, false, false},
    {"klog.log", false, true, false, false},
    {"syslog-3164.log", false, true, false, false},
    {"syslog-5424.log", false, true, false, false},
    {"nginx-access.log", false, false, false, false},
    {"apache-combined.log", false, false, false, false},
    {"plain.log", false, false, false, false},
};

std::filesystem::path formatsDir() {
  if (const char* root = std::getenv("SLUICE_SOURCE_DIR")) {
    return std::filesystem::path(root) / "tests" / "data" / "formats";
  }
  return std::filesystem::path(__FILE__).parent_path().parent_path() / "data" / "formats";
}

std::vector<std::string> readLines(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

double numberAt(const Doc& doc, std::string_view path) {
  std::optional<simdjson::dom::element> e = doc.find(path);
  double value = 0;
  if (!e || e->get_double().get(value)) return 0;
  return value;
}

// The files an end-to-end run ships: each line one event, the JSON ones
// recognised whole, and the lines the file promises in its README present.
TEST(LoggerShapes, SampleFilesNormalize) {
  const std::filesystem::path dir = formatsDir();
  ASSERT_TRUE(std::filesystem::is_directory(dir)) << dir << " (set SLUICE_SOURCE_DIR)";
  for (const SampleFile& f : kSampleFiles) {
    SCOPED_TRACE(f.file);
    const std::vector<std::string> lines = readLines(dir / f.file);
    EXPECT_GE(lines.size(), 5u);
    EXPECT_LE(lines.size(), 20u);
    const std::string stem = std::filesystem::path(f.file).stem().string();
    const std::string corr = "corr-" + stem + "-1";
    Harness h;
    bool saw_error = false, saw_corr_text = false, saw_corr_field = false, saw_slow = false;
    uint64_t offset = 0;
    for (const std::string& line : lines) {
      std::optional<Doc> doc = h.run(line, f.file, offset);
      offset += line.size() + 1;
      ASSERT_TRUE(doc) << line;
      expectWellFormed(*doc);
      if (f.json) {
        EXPECT_FALSE(doc->hasTag("json_error") || doc->hasTag("unparsed")) << *doc;
      }
      saw_error = saw_error || doc->text("log.level") == q("ERROR");
      saw_corr_text = saw_corr_text || line.find(corr) != std::string::npos;
      saw_corr_field = saw_corr_field || doc->text("correlation.id") == q(corr);
      saw_slow = saw_slow || numberAt(*doc, "http.duration_ms") > 2000;
    }
    EXPECT_TRUE(saw_corr_text) << "no line mentions " << corr;
    EXPECT_TRUE(saw_error || !f.leveled) << "no event at ERROR";
    EXPECT_TRUE(saw_corr_field || !f.correlation) << "no event with correlation.id " << corr;
    EXPECT_TRUE(saw_slow || !f.duration) << "no event with http.duration_ms > 2000";
  }
}

}  // namespace
}  // namespace sluice
