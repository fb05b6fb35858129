#include "pipeline/multiline.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <cstring>
#include <functional>
#include <iterator>
#include <limits>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sluice {
namespace {

using Clock = std::chrono::steady_clock;
using Mode = MultilineRules::Mode;
using Match = MultilineRules::Match;
using std::chrono::milliseconds;

const Clock::time_point kStart = Clock::time_point{} + std::chrono::hours(1);

struct Event {
  std::string text;
  uint64_t offset = 0;
  uint64_t end_offset = 0;
  size_t lines = 0;
  bool truncated = false;
  size_t first_line_length = 0;
};

Event copyOf(const AssembledEvent& e) {
  return {std::string(e.text), e.offset, e.end_offset, e.lines, e.truncated, e.first_line_length};
}

struct Settings {
  Mode mode = Mode::kPattern;
  std::string pattern;
  bool negate = false;
  Match match = Match::kAfter;
  size_t max_lines = 500;
  size_t max_bytes = 1 << 20;
  milliseconds timeout{2000};
};

std::shared_ptr<const MultilineRules> rulesFor(const Settings& s) {
  std::string error;
  std::optional<MultilineRules> rules = MultilineRules::make(
      s.mode, s.pattern, s.negate, s.match, s.max_lines, s.max_bytes, s.timeout, error);
  EXPECT_TRUE(rules.has_value()) << error;
  if (!rules) return std::make_shared<const MultilineRules>();
  return std::make_shared<const MultilineRules>(std::move(*rules));
}

std::shared_ptr<const MultilineRules> rulesFor(Mode mode) {
  Settings s;
  s.mode = mode;
  return rulesFor(s);
}

struct SourceLine {
  std::string text;
  uint64_t offset = 0;
  uint64_t end_offset = 0;
};

// Splits `input` as the line reader does: on '\n', dropping blank lines but
// counting them in offsets.
std::vector<SourceLine> splitSource(std::string_view input) {
  std::vector<SourceLine> lines;
  uint64_t offset = 0;
  while (offset < input.size()) {
    size_t nl = input.find('\n', offset);
    if (nl == std::string_view::npos) nl = input.size();
    std::string_view text = input.substr(offset, nl - offset);
    const uint64_t end = nl < input.size() ? nl + 1 : input.size();
    if (text.find_first_not_of(" \t") != std::string_view::npos) {
      lines.push_back({std::string(text), offset, end});
    }
    offset = nl + 1;
  }
  return lines;
}

// Pushes `line` from a buffer that is freed right after the call, as the
// reader reuses its own: an assembler that kept a view would read freed
// memory under ASan.
void pushCopy(MultilineAssembler& assembler, const SourceLine& line, bool truncated,
              Clock::time_point now, std::vector<Event>& out) {
  auto buffer = std::make_unique<char[]>(line.text.size() + 1);
  std::memcpy(buffer.get(), line.text.data(), line.text.size());
  LinePiece piece{{buffer.get(), line.text.size()}, line.offset, line.end_offset, truncated};
  assembler.push(piece, now, [&](const AssembledEvent& e) { out.push_back(copyOf(e)); });
}

std::vector<Event> assemble(const std::shared_ptr<const MultilineRules>& rules,
                            std::string_view input) {
  MultilineAssembler assembler(rules);
  std::vector<Event> out;
  Clock::time_point now = kStart;
  for (const SourceLine& line : splitSource(input)) {
    pushCopy(assembler, line, false, now, out);
    now += milliseconds(1);
  }
  assembler.flush([&](const AssembledEvent& e) { out.push_back(copyOf(e)); });
  EXPECT_FALSE(assembler.pending());
  return out;
}

// The events `input` should give when its non-blank lines are grouped in
// runs of the given lengths.
std::vector<std::string> grouped(std::string_view input, const std::vector<size_t>& runs) {
  std::vector<SourceLine> lines = splitSource(input);
  std::vector<std::string> events;
  size_t next = 0;
  for (size_t run : runs) {
    std::string text;
    for (size_t i = 0; i < run && next < lines.size(); ++i, ++next) {
      if (i > 0) text += '\n';
      text += lines[next].text;
    }
    events.push_back(text);
  }
  EXPECT_EQ(next, lines.size()) << "the runs do not cover the input";
  return events;
}

std::vector<std::string> texts(const std::vector<Event>& events) {
  std::vector<std::string> out;
  for (const Event& e : events) out.push_back(e.text);
  return out;
}

struct Case {
  std::string_view name;
  std::vector<Mode> modes;
  std::string_view input;
  std::vector<size_t> runs;  // lines per expected event
};

void runCases(const std::vector<Case>& cases) {
  for (const Case& c : cases) {
    for (Mode mode : c.modes) {
      SCOPED_TRACE(std::string(c.name) + " / " + std::string(MultilineRules::modeName(mode)));
      const std::vector<Event> events = assemble(rulesFor(mode), c.input);
      EXPECT_EQ(texts(events), grouped(c.input, c.runs));
      for (const Event& e : events) {
        EXPECT_FALSE(e.truncated);
        EXPECT_EQ(e.first_line_length,
                  e.text.find('\n') == std::string::npos ? e.text.size() : e.text.find('\n'));
      }
    }
  }
}

constexpr std::string_view kLogbackTrace =
    "2024-01-15 10:30:00,123 ERROR [main] c.e.App - Failed to process order 42\n"
    "java.lang.IllegalStateException: boom\n"
    "\tat com.example.App.run(App.java:42)\n"
    "\tat com.example.App.main(App.java:10)\n"
    "Caused by: java.io.IOException: disk full\n"
    "\tat com.example.Store.write(Store.java:88)\n"
    "\t... 5 more\n"
    "2024-01-15 10:30:01,000 INFO  [main] c.e.App - Recovered\n";

TEST(MultilineJava, StackTraces) {
  const std::vector<Mode> modes = {Mode::kJava, Mode::kStack};
  runCases({
      {"logback with Caused by and ... N more", modes, kLogbackTrace, {7, 1}},
      {"spring, nested causes, suppressed, common frames omitted",
       modes,
       "2024-01-15 10:30:00.123 [http-nio-8080-exec-1] ERROR o.a.c.c.C.[.[.[/].[dispatcherServlet] "
       "- Servlet.service() threw exception\n"
       "org.springframework.web.util.NestedServletException: Request processing failed; nested "
       "exception is java.lang.NullPointerException\n"
       "\tat org.springframework.web.servlet.FrameworkServlet.processRequest(FrameworkServlet.java:"
       "1014)\n"
       "\tat javax.servlet.http.HttpServlet.service(HttpServlet.java:655)\n"
       "Caused by: java.lang.NullPointerException: null\n"
       "\tat com.example.web.OrderController.create(OrderController.java:57)\n"
       "\t... 48 common frames omitted\n"
       "\tSuppressed: java.lang.IllegalArgumentException: cleanup\n"
       "\t\tat com.example.web.OrderController.close(OrderController.java:80)\n"
       "\t\t... 49 more\n"
       "2024-01-15 10:30:00.200 [main] INFO  c.e.App - next\n",
       {10, 1}},
      {"header without message, inner class",
       modes,
       "10:30:00.123 [worker-3] WARN  c.e.Jobs - job failed\n"
       "com.example.Jobs$RetryExhausted\n"
       "    at com.example.Jobs.run(Jobs.java:12)\n"
       "10:30:00.124 [worker-3] INFO  c.e.Jobs - next\n",
       {3, 1}},
      {"uncaught exception on stderr",
       modes,
       "Exception in thread \"main\" java.lang.IllegalArgumentException: bad\n"
       "\tat Main.main(Main.java:5)\n"
       "Caused by: java.lang.NumberFormatException: For input string: \"x\"\n"
       "\tat java.base/java.lang.NumberFormatException.forInputString(NumberFormatException."
       "java:67)\n"
       "\t... 1 more\n",
       {5}},
      {"two printStackTrace() in a row",
       modes,
       "java.lang.RuntimeException: first\n"
       "\tat A.main(A.java:3)\n"
       "java.lang.RuntimeException: second\n"
       "\tat A.main(A.java:4)\n",
       {2, 2}},
      {"ordinary lines stay apart",
       modes,
       "2024-01-15 10:30:00,123 INFO  [main] c.e.App - Connected to example.com: ok\n"
       "example.com: up\n"
       "2024-01-15 10:30:00,124 INFO  [main] c.e.App - Caused by nothing\n"
       "some.package.name\n"
       "some.package.name: lowercase\n",
       {1, 1, 1, 1, 1}},
  });
}

TEST(MultilinePython, Tracebacks) {
  const std::vector<Mode> modes = {Mode::kPython, Mode::kStack};
  runCases({
      {"logging.exception",
       modes,
       "2024-01-15 10:30:00,123 ERROR app: Failed to handle request\n"
       "Traceback (most recent call last):\n"
       "  File \"/app/handler.py\", line 42, in handle\n"
       "    result = process(payload)\n"
       "  File \"/app/handler.py\", line 17, in process\n"
       "    return int(payload[\"count\"])\n"
       "           ~~~^^^^^^^^^^^^^^^^^^\n"
       "ValueError: invalid literal for int() with base 10: 'abc'\n"
       "2024-01-15 10:30:01,000 INFO app: next\n",
       {8, 1}},
      {"chained during handling",
       modes,
       "ERROR:root:Lookup failed\n"
       "Traceback (most recent call last):\n"
       "  File \"/app/main.py\", line 5, in lookup\n"
       "    return table[key]\n"
       "KeyError: 'missing'\n"
       "\n"
       "During handling of the above exception, another exception occurred:\n"
       "\n"
       "Traceback (most recent call last):\n"
       "  File \"/app/main.py\", line 12, in <module>\n"
       "    lookup(\"missing\")\n"
       "LookupError: no missing\n"
       "INFO:root:continuing\n",
       {10, 1}},
      {"direct cause, dotted exception name",
       modes,
       "Traceback (most recent call last):\n"
       "  File \"/app/config.py\", line 3, in load\n"
       "    open(path)\n"
       "FileNotFoundError: [Errno 2] No such file or directory: 'app.yaml'\n"
       "\n"
       "The above exception was the direct cause of the following exception:\n"
       "\n"
       "Traceback (most recent call last):\n"
       "  File \"/app/main.py\", line 9, in <module>\n"
       "    load()\n"
       "myapp.errors.ConfigError: cannot load app.yaml\n",
       {9}},
      {"two uncaught tracebacks, exception without message",
       modes,
       "Traceback (most recent call last):\n"
       "  File \"a.py\", line 1, in <module>\n"
       "KeyboardInterrupt\n"
       "Traceback (most recent call last):\n"
       "  File \"b.py\", line 1, in <module>\n"
       "StopIteration\n",
       {3, 3}},
      {"exception group",
       modes,
       "ERROR:root:batch failed\n"
       "  + Exception Group Traceback (most recent call last):\n"
       "  |   File \"/app/batch.py\", line 9, in <module>\n"
       "  |     raise ExceptionGroup(\"many\", [ValueError(1), TypeError(2)])\n"
       "  | ExceptionGroup: many (2 sub-exceptions)\n"
       "  +-+---------------- 1 ----------------\n"
       "    | ValueError: 1\n"
       "    +------------------------------------\n"
       "INFO:root:next\n",
       {8, 1}},
      {"a traceback cut short ends at the next log line",
       modes,
       "ERROR:root:failed\n"
       "Traceback (most recent call last):\n"
       "  File \"/app/main.py\", line 5, in run\n"
       "2024-01-15 10:30:01,000 INFO app: restarted\n"
       "ERROR:root:again\n",
       {3, 1, 1}},
  });
}

TEST(MultilineGo, Panics) {
  const std::vector<Mode> modes = {Mode::kGo, Mode::kStack};
  runCases({
      {"panic with several goroutines",
       modes,
       "2024/01/15 10:30:00 starting worker pool\n"
       "panic: runtime error: index out of range [5] with length 3\n"
       "\n"
       "goroutine 7 [running]:\n"
       "main.worker(0x5, 0xc000012345)\n"
       "\t/app/main.go:21 +0x1d\n"
       "created by main.main in goroutine 1\n"
       "\t/app/main.go:14 +0x4f\n"
       "\n"
       "goroutine 1 [chan receive]:\n"
       "main.main()\n"
       "\t/app/main.go:16 +0x8a\n"
       "\n"
       "goroutine 8 [runnable]:\n"
       "main.worker.func1({0x4b0b00?, 0xc000010000?})\n"
       "\t/app/main.go:25 +0x25\n"
       "exit status 2\n"
       "2024/01/15 10:30:05 restarted\n",
       {1, 13, 1}},
      {"nil pointer with signal line and method frames",
       modes,
       "panic: runtime error: invalid memory address or nil pointer dereference\n"
       "[signal SIGSEGV: segmentation violation code=0x1 addr=0x0 pc=0x48f4a6]\n"
       "\n"
       "goroutine 1 [running]:\n"
       "main.(*Server).handle(0x0, {0x4d2b60, 0xc0000a4000})\n"
       "\t/app/server.go:33 +0x26\n"
       "net/http.HandlerFunc.ServeHTTP(0xc000120000?, {0x6c5a38?, 0xc00014c000?}, 0x0?)\n"
       "\t/usr/local/go/src/net/http/server.go:2136 +0x29\n"
       "main.main()\n"
       "\t/app/server.go:40 +0x45\n"
       "{\"level\":\"info\",\"msg\":\"supervisor restarted app\"}\n",
       {9, 1}},
      {"repanic and deadlock",
       modes,
       "panic: first [recovered]\n"
       "\tpanic: second\n"
       "\n"
       "goroutine 1 [running]:\n"
       "main.main()\n"
       "\t/app/main.go:8 +0x2d\n"
       "fatal error: all goroutines are asleep - deadlock!\n"
       "\n"
       "goroutine 1 [chan receive]:\n"
       "main.main()\n"
       "\t/app/main.go:8 +0x2d\n"
       "exit status 2\n",
       {5, 5}},
      {"SIGQUIT goroutine dump",
       modes,
       "SIGQUIT: quit\n"
       "PC=0x46a3e1 m=0 sigcode=0\n"
       "\n"
       "goroutine 0 [idle]:\n"
       "runtime.futex(0x5f8e68, 0x80, 0x0, 0x0, 0x0, 0x0)\n"
       "\t/usr/local/go/src/runtime/sys_linux_amd64.s:579 +0x21\n"
       "...additional frames elided...\n",
       {6}},
      {"frames outside a crash are ordinary lines",
       modes,
       "main.main()\n"
       "created by hand\n",
       {1, 1}},
  });
}

TEST(MultilineNode, Errors) {
  const std::vector<Mode> modes = {Mode::kNode, Mode::kStack};
  runCases({
      {"console.error(err) between log lines",
       modes,
       "2024-01-15T10:30:00.123Z info: server listening on 3000\n"
       "TypeError: Cannot read properties of undefined (reading 'id')\n"
       "    at getUser (/app/src/users.js:14:22)\n"
       "    at async Promise.all (index 0)\n"
       "    at async /app/src/routes.js:30:5\n"
       "2024-01-15T10:30:01.000Z info: request done\n",
       {1, 4, 1}},
      {"system error with properties",
       modes,
       "Error: connect ECONNREFUSED 127.0.0.1:5432\n"
       "    at TCPConnectWrap.afterConnect [as oncomplete] (node:net:1555:16) {\n"
       "  errno: -111,\n"
       "  code: 'ECONNREFUSED',\n"
       "  syscall: 'connect',\n"
       "  address: '127.0.0.1',\n"
       "  port: 5432\n"
       "}\n"
       "next line\n",
       {8, 1}},
      {"uncaught exception with source excerpt",
       modes,
       "/app/server.js:10\n"
       "    throw new Error('boom');\n"
       "    ^\n"
       "\n"
       "Error: boom\n"
       "    at Object.<anonymous> (/app/server.js:10:11)\n"
       "    at node:internal/main/run_main_module:23:47\n"
       "\n"
       "Node.js v18.17.0\n",
       {7}},
      {"error with a code",
       modes,
       "node:internal/errors:496\n"
       "    ErrorCaptureStackTrace(err);\n"
       "    ^\n"
       "Error [ERR_MODULE_NOT_FOUND]: Cannot find package 'express' imported from /app/index.mjs\n"
       "    at new NodeError (node:internal/errors:405:5)\n"
       "Node.js v20.5.0\n",
       {6}},
      {"two errors in a row",
       modes,
       "RangeError: Invalid array length\n"
       "    at f (/app/a.js:1:1)\n"
       "Error: second\n"
       "    at g (/app/a.js:2:1)\n",
       {2, 2}},
  });
}

TEST(MultilineStack, MixedSourceKeepsEachTraceWhole) {
  const std::string input = std::string(kLogbackTrace) +
                            "ERROR:root:failed\n"
                            "Traceback (most recent call last):\n"
                            "  File \"x.py\", line 3, in f\n"
                            "ValueError: bad\n"
                            "panic: boom\n"
                            "goroutine 1 [running]:\n"
                            "main.main()\n"
                            "\t/app/main.go:3 +0x1\n"
                            "TypeError: x is not a function\n"
                            "    at f (/app/a.js:1:1)\n"
                            "plain line\n";
  EXPECT_EQ(texts(assemble(rulesFor(Mode::kStack), input)), grouped(input, {7, 1, 4, 4, 2, 1}));
}

TEST(MultilineStack, SingleLinesPassThrough) {
  const std::string_view input = "one\ntwo\n  three\nfour\n";
  for (Mode mode : {Mode::kJava, Mode::kPython, Mode::kGo, Mode::kNode, Mode::kStack}) {
    const std::vector<Event> events = assemble(rulesFor(mode), input);
    ASSERT_EQ(events.size(), 4u) << MultilineRules::modeName(mode);
    EXPECT_EQ(events[2].text, "  three");
    for (const Event& e : events) EXPECT_EQ(e.lines, 1u);
  }
}

struct PatternCase {
  std::string_view name;
  std::string pattern;
  bool negate;
  Match match;
  std::string_view input;
  std::vector<size_t> runs;
};

// The examples of Filebeat's multiline documentation, one per combination.
TEST(MultilinePattern, FilebeatCombinations) {
  const PatternCase cases[] = {
      {"negate=false after: indented lines continue",
       "^[[:space:]]",
       false,
       Match::kAfter,
       "Exception in thread \"main\" java.lang.NullPointerException\n"
       "        at com.example.myproject.Book.getTitle(Book.java:16)\n"
       "        at com.example.myproject.Author.getBookTitles(Author.java:25)\n"
       "        at com.example.myproject.Bootstrap.main(Bootstrap.java:14)\n"
       "next event\n",
       {4, 1}},
      {"negate=false after: frames and Caused by",
       R"(^[[:space:]]+(at|\.{3})[[:space:]]+\b|^Caused by:)",
       false,
       Match::kAfter,
       "Exception in thread \"main\" java.lang.IllegalStateException: A book has a null property\n"
       "       at com.example.myproject.Author.getBookIds(Author.java:38)\n"
       "       at com.example.myproject.Bootstrap.main(Bootstrap.java:14)\n"
       "Caused by: java.lang.NullPointerException\n"
       "       at com.example.myproject.Book.getId(Book.java:22)\n"
       "       ... 1 more\n"
       "next event\n",
       {6, 1}},
      {"negate=false after: a first continuing line starts an event",
       "^\\s",
       false,
       Match::kAfter,
       "  orphan\n"
       "  orphan 2\n"
       "head\n",
       {2, 1}},
      {"negate=false before: trailing backslash continues",
       R"(\\$)",
       false,
       Match::kBefore,
       "printf (\"%10.10ld  \\t %10.10ld \\t %s\\\n"
       "  %f\", w, x, y, z );\n"
       "single\n"
       "a \\\n"
       "b \\\n"
       "c\n",
       {2, 1, 3}},
      {"negate=true after: lines not starting with [ continue",
       R"(^\[)",
       true,
       Match::kAfter,
       "[beat-logstash-some-name-832-2015.11.28] IndexNotFoundException[no such index]\n"
       "    at org.elasticsearch.cluster.metadata.IndexNameExpressionResolver.resolve("
       "IndexNameExpressionResolver.java:566)\n"
       "    at org.elasticsearch.cluster.metadata.IndexNameExpressionResolver.concreteIndices("
       "IndexNameExpressionResolver.java:133)\n"
       "[2015-08-24 11:49:14,389][INFO ][env] [Letha] using [1] data paths\n"
       "no bracket\n",
       {3, 2}},
      {"negate=true after: timestamps start events",
       "^\\[[0-9]{4}-[0-9]{2}-[0-9]{2}",
       true,
       Match::kAfter,
       "[2015-08-24 11:49:14,389][INFO ][env] [Letha] using [1] data paths, mounts [[/ "
       "(/dev/disk1)]]\n"
       "net usable_space [34.5gb]\n"
       "[2015-08-24 11:49:14,390][INFO ][env] [Letha] second\n",
       {2, 1}},
      {"negate=true before: a statement ends at ;",
       ";$",
       true,
       Match::kBefore,
       "SELECT *\n"
       "FROM orders\n"
       "WHERE id = 1;\n"
       "COMMIT;\n"
       "UPDATE t\n",
       {3, 1, 1}},
  };
  for (const PatternCase& c : cases) {
    SCOPED_TRACE(c.name);
    Settings s;
    s.pattern = c.pattern;
    s.negate = c.negate;
    s.match = c.match;
    EXPECT_EQ(texts(assemble(rulesFor(s), c.input)), grouped(c.input, c.runs));
  }
}

TEST(MultilinePattern, BeforeEmitsAsSoonAsTheEventEnds) {
  Settings s;
  s.pattern = R"(\\$)";
  s.match = Match::kBefore;
  MultilineAssembler assembler(rulesFor(s));
  std::vector<Event> out;
  pushCopy(assembler, {"a \\", 0, 4}, false, kStart, out);
  EXPECT_TRUE(assembler.pending());
  pushCopy(assembler, {"b", 4, 6}, false, kStart, out);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_FALSE(assembler.pending());
  EXPECT_EQ(out[0].text, "a \\\nb");
  EXPECT_EQ(out[0].offset, 0u);
  EXPECT_EQ(out[0].end_offset, 6u);
  EXPECT_EQ(out[0].first_line_length, 3u);
}

TEST(Multiline, OffsetsSpanDroppedBlankLines) {
  const std::string_view input =
      "first\n"
      "panic: boom\n"
      "\n"
      "goroutine 1 [running]:\n"
      "main.main()\n"
      "\t/app/main.go:3 +0x1\n"
      "exit status 2\n"
      "last";
  const std::vector<Event> events = assemble(rulesFor(Mode::kGo), input);
  ASSERT_EQ(events.size(), 3u);
  EXPECT_EQ(events[0].offset, 0u);
  EXPECT_EQ(events[0].end_offset, 6u);
  EXPECT_EQ(events[1].offset, 6u);
  EXPECT_EQ(events[1].end_offset, input.find("last"));
  EXPECT_EQ(events[1].lines, 5u);
  EXPECT_EQ(events[1].first_line_length, std::string_view("panic: boom").size());
  EXPECT_EQ(events[2].offset, input.find("last"));
  EXPECT_EQ(events[2].end_offset, input.size());
}

TEST(Multiline, PendingOffsetHoldsBackCheckpoints) {
  MultilineAssembler assembler(rulesFor(Mode::kJava));
  std::vector<Event> out;
  EXPECT_EQ(assembler.pendingOffset(), std::numeric_limits<uint64_t>::max());
  EXPECT_EQ(assembler.deadline(), Clock::time_point::max());
  pushCopy(assembler, {"ERROR failed", 100, 113}, false, kStart, out);
  pushCopy(assembler, {"\tat A.b(A.java:1)", 113, 131}, false, kStart, out);
  EXPECT_TRUE(assembler.pending());
  EXPECT_EQ(assembler.pendingOffset(), 100u);
  pushCopy(assembler, {"INFO next", 131, 141}, false, kStart, out);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].end_offset, 131u);
  EXPECT_EQ(assembler.pendingOffset(), 131u);
}

TEST(Multiline, TimeoutFlushesAStaleEvent) {
  MultilineAssembler assembler(rulesFor(Mode::kJava));
  std::vector<Event> out;
  auto collect = [&](const AssembledEvent& e) { out.push_back(copyOf(e)); };
  pushCopy(assembler, {"ERROR failed", 0, 13}, false, kStart, out);
  pushCopy(assembler, {"\tat A.b(A.java:1)", 13, 31}, false, kStart + milliseconds(1500), out);
  EXPECT_EQ(assembler.deadline(), kStart + milliseconds(3500));
  assembler.flushIfStale(kStart + milliseconds(3499), collect);
  EXPECT_TRUE(out.empty());
  assembler.flushIfStale(kStart + milliseconds(3500), collect);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].lines, 2u);
  EXPECT_FALSE(out[0].truncated);
  EXPECT_FALSE(assembler.pending());
  EXPECT_EQ(assembler.deadline(), Clock::time_point::max());
  assembler.flushIfStale(kStart + milliseconds(9000), collect);
  EXPECT_EQ(out.size(), 1u);

  // A late frame starts an event of its own, and the trace's context is
  // kept: the indented line after it still belongs with it.
  pushCopy(assembler, {"\tat A.c(A.java:2)", 31, 49}, false, kStart + milliseconds(9000), out);
  pushCopy(assembler, {"\t  more detail", 49, 64}, false, kStart + milliseconds(9001), out);
  assembler.flush(collect);
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[1].text, "\tat A.c(A.java:2)\n\t  more detail");
  EXPECT_FALSE(out[1].truncated);
}

TEST(Multiline, FlushForgetsTheStreamContext) {
  MultilineAssembler assembler(rulesFor(Mode::kPython));
  std::vector<Event> out;
  auto collect = [&](const AssembledEvent& e) { out.push_back(copyOf(e)); };
  pushCopy(assembler, {"Traceback (most recent call last):", 0, 35}, false, kStart, out);
  pushCopy(assembler, {"  File \"a.py\", line 1", 35, 57}, false, kStart, out);
  assembler.flush(collect);
  pushCopy(assembler, {"ValueError: x", 57, 71}, false, kStart, out);
  pushCopy(assembler, {"  indented", 71, 82}, false, kStart, out);
  assembler.flush(collect);
  EXPECT_EQ(texts(out),
            (std::vector<std::string>{"Traceback (most recent call last):\n  File \"a.py\", line 1",
                                      "ValueError: x", "  indented"}));
}

std::vector<SourceLine> javaTraceLines(size_t frames) {
  std::vector<SourceLine> lines;
  uint64_t offset = 0;
  auto add = [&](std::string text) {
    const uint64_t size = text.size();
    lines.push_back({std::move(text), offset, offset + size + 1});
    offset += size + 1;
  };
  add("ERROR failed");
  add("java.lang.IllegalStateException: boom");
  for (size_t i = 0; i < frames; ++i) add("\tat A.f" + std::to_string(i) + "(A.java:1)");
  add("INFO next");
  return lines;
}

TEST(Multiline, MaxLinesCutsAndTheRestStartsANewEvent) {
  Settings s;
  s.mode = Mode::kJava;
  s.max_lines = 3;
  MultilineAssembler assembler(rulesFor(s));
  std::vector<Event> out;
  const std::vector<SourceLine> lines = javaTraceLines(5);
  for (const SourceLine& line : lines) pushCopy(assembler, line, false, kStart, out);
  assembler.flush([&](const AssembledEvent& e) { out.push_back(copyOf(e)); });
  ASSERT_EQ(out.size(), 4u);
  EXPECT_EQ(out[0].lines, 3u);
  EXPECT_TRUE(out[0].truncated);
  EXPECT_EQ(out[0].offset, lines[0].offset);
  EXPECT_EQ(out[0].end_offset, lines[2].end_offset);
  EXPECT_EQ(out[1].lines, 3u);
  EXPECT_TRUE(out[1].truncated);
  EXPECT_EQ(out[1].offset, lines[3].offset);
  EXPECT_EQ(out[1].text, lines[3].text + "\n" + lines[4].text + "\n" + lines[5].text);
  EXPECT_EQ(out[2].lines, 1u);
  EXPECT_TRUE(out[2].truncated);
  EXPECT_EQ(out[2].text, lines[6].text);
  EXPECT_EQ(out[3].text, "INFO next");
  EXPECT_FALSE(out[3].truncated);
}

TEST(Multiline, MaxBytesCountsNewlinesAndCutsBeforeTheLineThatDoesNotFit) {
  Settings s;
  s.pattern = "^\\s";
  s.max_bytes = 20;
  MultilineAssembler assembler(rulesFor(s));
  std::vector<Event> out;
  pushCopy(assembler, {"aaaaaaaaaa", 0, 11}, false, kStart, out);  // 10 bytes
  pushCopy(assembler, {" bbbbbbbb", 11, 21}, false, kStart, out);  // 10 + 1 + 9 = 20
  EXPECT_TRUE(out.empty());
  pushCopy(assembler, {" c", 21, 24}, false, kStart, out);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].text, "aaaaaaaaaa\n bbbbbbbb");
  EXPECT_TRUE(out[0].truncated);
  EXPECT_EQ(out[0].end_offset, 21u);
  pushCopy(assembler, {"next", 24, 29}, false, kStart, out);
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[1].text, " c");
  EXPECT_TRUE(out[1].truncated);
  EXPECT_EQ(out[1].offset, 21u);
}

TEST(Multiline, MaxBytesCutsALongFirstLineOnACharacterBoundary) {
  Settings s;
  s.mode = Mode::kStack;
  s.max_bytes = 5;
  MultilineAssembler assembler(rulesFor(s));
  std::vector<Event> out;
  pushCopy(assembler, {"ab\xC3\xA9\xC3\xA9", 0, 7}, false, kStart, out);  // "abéé"
  pushCopy(assembler, {"abc", 7, 11}, false, kStart, out);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].text, "ab\xC3\xA9");
  EXPECT_EQ(out[0].first_line_length, 4u);
  EXPECT_TRUE(out[0].truncated);
  EXPECT_EQ(out[0].end_offset, 7u);
}

TEST(Multiline, TruncatedPieceFlagsItsEvent) {
  MultilineAssembler assembler(rulesFor(Mode::kNode));
  std::vector<Event> out;
  pushCopy(assembler, {"Error: boom", 0, 12}, false, kStart, out);
  pushCopy(assembler, {"    at f (/app/a.js:1:1)", 12, 20}, true, kStart, out);
  pushCopy(assembler, {"done", 20, 25}, false, kStart, out);
  assembler.flush([&](const AssembledEvent& e) { out.push_back(copyOf(e)); });
  ASSERT_EQ(out.size(), 2u);
  EXPECT_TRUE(out[0].truncated);
  EXPECT_EQ(out[0].lines, 2u);
  EXPECT_FALSE(out[1].truncated);
}

TEST(Multiline, EmitAcceptsStdFunctionAndReusesItsBuffer) {
  MultilineAssembler assembler(rulesFor(Mode::kJava));
  std::vector<std::string> seen;
  std::vector<const char*> storage;
  std::function<void(const AssembledEvent&)> emit = [&](const AssembledEvent& e) {
    seen.emplace_back(e.text);
    storage.push_back(e.text.data());
  };
  const std::vector<SourceLine> lines = javaTraceLines(40);
  for (int round = 0; round < 3; ++round) {
    for (const SourceLine& line : lines) {
      assembler.push({line.text, line.offset, line.end_offset, false}, kStart, emit);
    }
  }
  assembler.flush(emit);
  ASSERT_EQ(seen.size(), 6u);
  EXPECT_EQ(seen[0], seen[2]);
  EXPECT_EQ(seen[5], "INFO next");
  // Once grown by the first trace, the buffer serves every later event.
  for (const char* data : storage) EXPECT_EQ(data, storage[0]);
}

TEST(MultilineRules, ValidatesSettings) {
  std::string error;
  auto make = [&](Mode mode, std::string pattern, bool negate = false, Match match = Match::kAfter,
                  size_t max_lines = 500, size_t max_bytes = 1000,
                  milliseconds timeout = milliseconds(2000)) {
    error.clear();
    return MultilineRules::make(mode, std::move(pattern), negate, match, max_lines, max_bytes,
                                timeout, error);
  };
  EXPECT_TRUE(make(Mode::kPattern, "^\\s"));
  EXPECT_TRUE(make(Mode::kStack, ""));
  EXPECT_TRUE(make(Mode::kPattern, "x", false, Match::kAfter, 1, 1, milliseconds(0)));

  EXPECT_FALSE(make(Mode::kPattern, "(unclosed"));
  EXPECT_NE(error.find("invalid multiline pattern"), std::string::npos) << error;
  EXPECT_FALSE(make(Mode::kPattern, ""));
  EXPECT_NE(error.find("needs a pattern"), std::string::npos) << error;
  EXPECT_FALSE(make(Mode::kJava, "^\\s"));
  EXPECT_NE(error.find("'java'"), std::string::npos) << error;
  EXPECT_FALSE(make(Mode::kGo, "", true));
  EXPECT_FALSE(make(Mode::kNode, "", false, Match::kBefore));
  EXPECT_FALSE(make(Mode::kPattern, "x", false, Match::kAfter, 0));
  EXPECT_NE(error.find("max_lines"), std::string::npos) << error;
  EXPECT_FALSE(make(Mode::kPattern, "x", false, Match::kAfter, 1, 0));
  EXPECT_NE(error.find("max_bytes"), std::string::npos) << error;
  EXPECT_FALSE(make(Mode::kPattern, "x", false, Match::kAfter, 1, 1, milliseconds(-1)));
  EXPECT_FALSE(make(Mode::kPattern, "x", false, Match::kAfter, 1, 1, std::chrono::hours(25)));
  EXPECT_NE(error.find("timeout"), std::string::npos) << error;
}

TEST(MultilineRules, ModeNames) {
  for (Mode mode :
       {Mode::kPattern, Mode::kJava, Mode::kPython, Mode::kGo, Mode::kNode, Mode::kStack}) {
    EXPECT_EQ(MultilineRules::modeFromName(MultilineRules::modeName(mode)), mode);
  }
  EXPECT_EQ(MultilineRules::modeFromName("stack"), Mode::kStack);
  EXPECT_FALSE(MultilineRules::modeFromName("Java"));
  EXPECT_FALSE(MultilineRules::modeFromName(""));
}

// Random lines built from stack-trace fragments and stray bytes, under
// random limits: every line must end up in exactly one event, in order, with
// the limits and offsets kept.
TEST(Multiline, RandomInputKeepsEveryLine) {
  const std::string_view fragments[] = {
      "\tat A.b(A.java:1)",
      "Caused by: x.Y: z",
      "java.lang.Error: e",
      "Traceback (most recent call last):",
      "  File \"a.py\"",
      "ValueError: v",
      "panic: p",
      "goroutine 1 [running]:",
      "main.main()",
      "Error: n",
      "    at f (/a.js:1:1)",
      "/a.js:1",
      "}",
      "plain",
      " ",
      "[",
      ";",
      "\\",
      "\xC3\xA9",
      "\xE2\x82\xAC",
      "\xFF",
      "... 3 more",
      "During handling of the above exception, another exception occurred:"};
  std::mt19937 rng(12345);
  auto pick = [&](size_t n) { return static_cast<size_t>(rng() % n); };
  const Mode modes[] = {Mode::kPattern, Mode::kJava, Mode::kPython,
                        Mode::kGo,      Mode::kNode, Mode::kStack};
  for (int round = 0; round < 3000; ++round) {
    Settings s;
    s.mode = modes[pick(6)];
    if (s.mode == Mode::kPattern) {
      const char* patterns[] = {"^\\s", "^\\[", ";$", "\\\\$", "a"};
      s.pattern = patterns[pick(5)];
      s.negate = pick(2) == 1;
      s.match = pick(2) == 1 ? Match::kBefore : Match::kAfter;
    }
    s.max_lines = 1 + pick(6);
    s.max_bytes = 1 + pick(120);
    s.timeout = milliseconds(pick(5));
    MultilineAssembler assembler(rulesFor(s));
    std::vector<Event> out;
    std::vector<SourceLine> lines;
    Clock::time_point now = kStart;
    const size_t count = pick(60);
    for (size_t i = 0; i < count; ++i) {
      std::string text;
      for (size_t parts = 1 + pick(3); parts > 0; --parts)
        text += fragments[pick(std::size(fragments))];
      lines.push_back({text, i, i + 1});
      pushCopy(assembler, lines.back(), pick(10) == 0, now, out);
      if (assembler.pending()) {
        EXPECT_LE(assembler.pendingOffset(), i);
      }
      now += milliseconds(pick(3));
      if (pick(4) == 0) {
        assembler.flushIfStale(now, [&](const AssembledEvent& e) { out.push_back(copyOf(e)); });
      }
    }
    assembler.flush([&](const AssembledEvent& e) { out.push_back(copyOf(e)); });

    uint64_t next = 0;
    for (const Event& e : out) {
      ASSERT_EQ(e.offset, next);
      ASSERT_GE(e.lines, 1u);
      ASSERT_LE(e.lines, s.max_lines);
      ASSERT_EQ(e.end_offset, e.offset + e.lines);
      ASSERT_LE(e.text.size(), s.max_bytes);
      ASSERT_LE(e.first_line_length, e.text.size());
      const std::string& first = lines[e.offset].text;
      if (e.lines == 1) {
        ASSERT_EQ(first.compare(0, e.text.size(), e.text), 0);
        if (e.text.size() < first.size()) {
          ASSERT_TRUE(e.truncated);
        }
      } else {
        std::string joined = first;
        for (size_t i = 1; i < e.lines; ++i) joined += "\n" + lines[e.offset + i].text;
        ASSERT_EQ(e.text, joined);
        ASSERT_EQ(e.first_line_length, first.size());
      }
      next = e.end_offset;
    }
    ASSERT_EQ(next, count);
  }
}

}  // namespace
}  // namespace sluice
