#include "pipeline/multiline.h"

#include <re2/re2.h>

#include <algorithm>
#include <utility>

namespace sluice {

namespace {

bool isBlank(char c) { return c == ' ' || c == '\t'; }
bool isDigit(char c) { return c >= '0' && c <= '9'; }
bool isUpper(char c) { return c >= 'A' && c <= 'Z'; }
bool isLetter(char c) { return (c >= 'a' && c <= 'z') || isUpper(c); }
bool isIdentStart(char c) { return isLetter(c) || c == '_' || c == '$'; }
bool isIdentChar(char c) { return isIdentStart(c) || isDigit(c); }

bool startsWith(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}
bool indented(std::string_view line) { return !line.empty() && isBlank(line[0]); }
std::string_view trimLeft(std::string_view line) {
  size_t i = 0;
  while (i < line.size() && isBlank(line[i])) ++i;
  return line.substr(i);
}

// Skips one identifier at `i`; returns where it ends, or `i` if there is none.
size_t skipIdentifier(std::string_view s, size_t i) {
  if (i >= s.size() || !isIdentStart(s[i])) return i;
  ++i;
  while (i < s.size() && isIdentChar(s[i])) ++i;
  return i;
}

// `Name` or `Name: message` (a bare colon too), where Name is `a.b.C`:
// identifiers joined by dots. Returns nullopt for anything else, or the
// number of dots and where the last part starts.
struct DottedName {
  size_t dots = 0;
  size_t last_part = 0;
};
std::optional<DottedName> exceptionLine(std::string_view line) {
  DottedName name;
  size_t i = skipIdentifier(line, 0);
  if (i == 0) return std::nullopt;
  while (i < line.size() && line[i] == '.') {
    const size_t next = skipIdentifier(line, i + 1);
    if (next == i + 1) return std::nullopt;
    ++name.dots;
    name.last_part = i + 1;
    i = next;
  }
  if (i == line.size()) return name;
  if (line[i] != ':') return std::nullopt;
  if (i + 1 == line.size() || line[i + 1] == ' ') return name;
  return std::nullopt;
}

// java.lang.IllegalStateException: boom / com.example.Outer$Failure
bool isJavaHeader(std::string_view line) {
  const std::optional<DottedName> name = exceptionLine(line);
  return name && name->dots > 0 && isUpper(line[name->last_part]);
}

// `... 5 more`, `... 12 common frames omitted`
bool isElidedFrames(std::string_view trimmed) {
  return startsWith(trimmed, "... ") && trimmed.size() > 4 && isDigit(trimmed[4]);
}

bool isPythonTracebackHeader(std::string_view line) {
  return line == "Traceback (most recent call last):" ||
         trimLeft(line) == "+ Exception Group Traceback (most recent call last):";
}

bool isPythonChainSentence(std::string_view line) {
  return line == "During handling of the above exception, another exception occurred:" ||
         line == "The above exception was the direct cause of the following exception:";
}

// goroutine 1 [running]:
bool isGoroutineHeader(std::string_view line) {
  constexpr std::string_view kPrefix = "goroutine ";
  if (!startsWith(line, kPrefix)) return false;
  size_t i = kPrefix.size();
  if (i >= line.size() || !isDigit(line[i])) return false;
  while (i < line.size() && isDigit(line[i])) ++i;
  return line.substr(i, 2) == " [";
}

// main.main(), main.(*Server).serve(0xc000010000, {0x4b0b00?, 0x1}),
// net/http.HandlerFunc.ServeHTTP(...): no space in the function's name and
// arguments in parentheses at the end.
bool isGoFrame(std::string_view line) {
  if (line.empty() || line.back() != ')' || isBlank(line[0])) return false;
  const size_t paren = line.find('(');
  return paren != 0 && paren != std::string_view::npos &&
         line.substr(0, paren).find(' ') == std::string_view::npos;
}

// SIGQUIT: quit, SIGSEGV: segmentation violation (a Go runtime crash dump)
bool isSignalHeader(std::string_view line) {
  if (!startsWith(line, "SIG")) return false;
  size_t i = 3;
  while (i < line.size() && isUpper(line[i])) ++i;
  return i > 3 && line.substr(i, 2) == ": ";
}

bool isGoCrashStart(std::string_view line) {
  return startsWith(line, "panic: ") || startsWith(line, "fatal error: ") ||
         isGoroutineHeader(line) || isSignalHeader(line);
}

bool isGoCrashLine(std::string_view line) {
  return indented(line) || isGoFrame(line) || startsWith(line, "created by ") ||
         startsWith(line, "[signal ") || startsWith(line, "PC=") ||
         startsWith(line, "exit status ") || line == "runtime stack:" ||
         startsWith(line, "...additional frames elided...");
}

// Error: boom, TypeError: x is not a function, Uncaught RangeError: ...,
// Error [ERR_MODULE_NOT_FOUND]: Cannot find package 'x'
bool isNodeErrorHeader(std::string_view line) {
  if (startsWith(line, "Uncaught ")) line.remove_prefix(9);
  const size_t end = skipIdentifier(line, 0);
  if (end == 0) return false;
  const std::string_view name = line.substr(0, end);
  if (!name.ends_with("Error") && !name.ends_with("Exception")) return false;
  std::string_view rest = line.substr(end);
  if (startsWith(rest, " [")) {
    const size_t close = rest.find(']');
    if (close == std::string_view::npos) return false;
    rest.remove_prefix(close + 1);
  }
  return rest.empty() || rest == ":" || startsWith(rest, ": ");
}

// /app/server.js:10 or file:///app/index.mjs:3, printed above the code of an
// uncaught exception.
bool isNodeSourceLocation(std::string_view line) {
  if (line.find(' ') != std::string_view::npos || line.find('/') == std::string_view::npos) {
    return false;
  }
  size_t i = line.size();
  while (i > 0 && isDigit(line[i - 1])) --i;
  return i < line.size() && i > 1 && line[i - 1] == ':';
}

// Cuts `text` to at most `limit` bytes without splitting a UTF-8 sequence.
std::string_view cutUtf8(std::string_view text, size_t limit) {
  if (text.size() <= limit) return text;
  size_t n = limit;
  for (int back = 0; back < 3 && n > 0 && (static_cast<unsigned char>(text[n]) & 0xC0) == 0x80;
       ++back) {
    --n;
  }
  return text.substr(0, n);
}

}  // namespace

std::optional<MultilineRules> MultilineRules::make(Mode mode, std::string pattern, bool negate,
                                                   Match match, size_t max_lines, size_t max_bytes,
                                                   std::chrono::milliseconds timeout,
                                                   std::string& error) {
  if (max_lines == 0) {
    error = "multiline max_lines must be at least 1";
    return std::nullopt;
  }
  if (max_bytes == 0) {
    error = "multiline max_bytes must be at least 1";
    return std::nullopt;
  }
  if (timeout < std::chrono::milliseconds::zero() || timeout > kMaxTimeout) {
    error = "multiline timeout must be between 0 and 24h";
    return std::nullopt;
  }
  MultilineRules rules;
  rules.mode = mode;
  rules.max_lines = max_lines;
  rules.max_bytes = max_bytes;
  rules.timeout = timeout;
  if (mode != Mode::kPattern) {
    // Settings that would be ignored are a mistake in the config.
    if (!pattern.empty() || negate || match != Match::kAfter) {
      error = "multiline pattern, negate and match apply only to mode 'pattern', not '" +
              std::string(modeName(mode)) + "'";
      return std::nullopt;
    }
    return rules;
  }
  if (pattern.empty()) {
    error = "multiline mode 'pattern' needs a pattern";
    return std::nullopt;
  }
  RE2::Options options;
  options.set_log_errors(false);
  options.set_never_capture(true);
  auto regex = std::make_shared<const RE2>(pattern, options);
  if (!regex->ok()) {
    error = "invalid multiline pattern '" + pattern + "': " + regex->error();
    return std::nullopt;
  }
  rules.pattern = std::move(pattern);
  rules.negate = negate;
  rules.match = match;
  rules.regex = std::move(regex);
  return rules;
}

std::optional<MultilineRules::Mode> MultilineRules::modeFromName(std::string_view name) {
  for (Mode mode :
       {Mode::kPattern, Mode::kJava, Mode::kPython, Mode::kGo, Mode::kNode, Mode::kStack}) {
    if (name == modeName(mode)) return mode;
  }
  return std::nullopt;
}

std::string_view MultilineRules::modeName(Mode mode) {
  switch (mode) {
    case Mode::kPattern:
      return "pattern";
    case Mode::kJava:
      return "java";
    case Mode::kPython:
      return "python";
    case Mode::kGo:
      return "go";
    case Mode::kNode:
      return "node";
    case Mode::kStack:
      return "stack";
  }
  return "unknown";
}

StackTraceClassifier::StackTraceClassifier(MultilineRules::Mode mode) {
  switch (mode) {
    case MultilineRules::Mode::kJava:
      families_ = kJava;
      break;
    case MultilineRules::Mode::kPython:
      families_ = kPython;
      break;
    case MultilineRules::Mode::kGo:
      families_ = kGo;
      break;
    case MultilineRules::Mode::kNode:
      families_ = kNode;
      break;
    case MultilineRules::Mode::kStack:
      families_ = kJava | kPython | kGo | kNode;
      break;
    case MultilineRules::Mode::kPattern:
      families_ = 0;
      break;
  }
}

std::optional<StackTraceClassifier::Context> StackTraceClassifier::javaContinues(
    Context context, std::string_view line) {
  const std::string_view trimmed = trimLeft(line);
  const bool is_indented = trimmed.size() < line.size();
  if (is_indented && (startsWith(trimmed, "at ") || isElidedFrames(trimmed)))
    return Context::kTrace;
  if (startsWith(trimmed, "Caused by: ") || startsWith(trimmed, "Suppressed: ")) {
    return Context::kTrace;
  }
  if (is_indented && context == Context::kTrace) return Context::kTrace;
  if (context == Context::kNone && isJavaHeader(line)) return Context::kTrace;
  return std::nullopt;
}

std::optional<StackTraceClassifier::Context> StackTraceClassifier::pythonContinues(
    Context context, std::string_view line) {
  if (isPythonTracebackHeader(line)) {
    // After a finished traceback with no chaining sentence, a new traceback
    // is a new exception.
    if (context == Context::kNone || context == Context::kPyChain) return Context::kPyTraceback;
    return std::nullopt;
  }
  if (context == Context::kPyTraceback) {
    if (indented(line)) return Context::kPyTraceback;
    if (exceptionLine(line)) return Context::kPyException;
  }
  if (isPythonChainSentence(line)) return Context::kPyChain;
  return std::nullopt;
}

std::optional<StackTraceClassifier::Context> StackTraceClassifier::goContinues(
    Context context, std::string_view line) {
  if (isGoroutineHeader(line)) return Context::kGoCrash;
  if (context == Context::kGoCrash && isGoCrashLine(line)) return Context::kGoCrash;
  return std::nullopt;
}

std::optional<StackTraceClassifier::Context> StackTraceClassifier::nodeContinues(
    Context context, std::string_view line) {
  if (indented(line) && startsWith(trimLeft(line), "at ")) return Context::kTrace;
  if (context == Context::kTrace &&
      (indented(line) || line == "}" || startsWith(line, "Node.js v"))) {
    return Context::kTrace;
  }
  if (context == Context::kNodeSource) {
    if (indented(line)) return Context::kNodeSource;
    if (isNodeErrorHeader(line)) return Context::kTrace;
  }
  return std::nullopt;
}

std::optional<StackTraceClassifier::Context> StackTraceClassifier::familyContinues(
    unsigned family, Context context, std::string_view line) {
  switch (family) {
    case kJava:
      return javaContinues(context, line);
    case kPython:
      return pythonContinues(context, line);
    case kGo:
      return goContinues(context, line);
    case kNode:
      return nodeContinues(context, line);
  }
  return std::nullopt;
}

unsigned StackTraceClassifier::owner(Context context) {
  switch (context) {
    case Context::kNone:
      return 0;
    case Context::kTrace:
      return kJava | kNode;
    case Context::kPyTraceback:
    case Context::kPyException:
    case Context::kPyChain:
      return kPython;
    case Context::kGoCrash:
      return kGo;
    case Context::kNodeSource:
      return kNode;
  }
  return 0;
}

StackTraceClassifier::Context StackTraceClassifier::startContext(std::string_view line) const {
  if ((families_ & kJava) && (isJavaHeader(line) || startsWith(line, "Exception in thread "))) {
    return Context::kTrace;
  }
  if ((families_ & kPython) && isPythonTracebackHeader(line)) return Context::kPyTraceback;
  if ((families_ & kGo) && isGoCrashStart(line)) return Context::kGoCrash;
  if (families_ & kNode) {
    if (isNodeErrorHeader(line)) return Context::kTrace;
    if (isNodeSourceLocation(line)) return Context::kNodeSource;
  }
  return Context::kNone;
}

bool StackTraceClassifier::continues(std::string_view line) {
  // The family that produced the latest line judges first, so that, say, a
  // python code line reading `at = 1` stays in the traceback instead of
  // being taken for a java frame.
  const unsigned first = owner(context_) & families_;
  for (unsigned pass = 0; pass < 2; ++pass) {
    for (unsigned family : {kJava, kPython, kGo, kNode}) {
      const bool in_pass = pass == 0 ? (first & family) != 0 : (first & family) == 0;
      if (!in_pass || !(families_ & family)) continue;
      if (std::optional<Context> next = familyContinues(family, context_, line)) {
        context_ = *next;
        return true;
      }
    }
  }
  context_ = startContext(line);
  return false;
}

MultilineAssembler::MultilineAssembler(std::shared_ptr<const MultilineRules> rules)
    : rules_(std::move(rules)), classifier_(rules_->mode) {}

bool MultilineAssembler::patternMarks(std::string_view line) const {
  if (!rules_->regex) return false;
  const bool matches = RE2::PartialMatch(line, *rules_->regex);
  return matches != rules_->negate;
}

void MultilineAssembler::push(const LinePiece& line, std::chrono::steady_clock::time_point now,
                              Emit emit) {
  const MultilineRules& rules = *rules_;
  if (rules.mode == MultilineRules::Mode::kPattern &&
      rules.match == MultilineRules::Match::kBefore) {
    add(line, now, emit);
    if (!patternMarks(line.text)) emitPending(emit);
    return;
  }
  const bool continues = rules.mode == MultilineRules::Mode::kPattern
                             ? patternMarks(line.text)
                             : classifier_.continues(line.text);
  if (!continues) emitPending(emit);
  add(line, now, emit);
}

// Appends to the pending event if there is one and the line fits in it;
// otherwise emits what is pending and starts an event with the line.
void MultilineAssembler::add(const LinePiece& line, std::chrono::steady_clock::time_point now,
                             Emit emit) {
  if (!pending_) {
    start(line, now, false);
    return;
  }
  const MultilineRules& rules = *rules_;
  if (lines_ >= rules.max_lines || text_.size() + 1 + line.text.size() > rules.max_bytes) {
    truncated_ = true;
    emitPending(emit);
    start(line, now, true);
    return;
  }
  text_.reserve(text_.size() + 1 + line.text.size() + kTextPadding);
  text_.push_back('\n');
  text_.append(line.text);
  ++lines_;
  end_offset_ = line.end_offset;
  truncated_ = truncated_ || line.truncated;
  last_line_ = now;
}

void MultilineAssembler::start(const LinePiece& line, std::chrono::steady_clock::time_point now,
                               bool rest_of_cut) {
  const std::string_view text = cutUtf8(line.text, rules_->max_bytes);
  text_.reserve(text.size() + kTextPadding);
  text_.assign(text);
  pending_ = true;
  truncated_ = rest_of_cut || line.truncated || text.size() < line.text.size();
  offset_ = line.offset;
  end_offset_ = line.end_offset;
  lines_ = 1;
  first_line_length_ = text.size();
  last_line_ = now;
}

void MultilineAssembler::emitPending(Emit emit) {
  if (!pending_) return;
  pending_ = false;
  AssembledEvent event;
  event.text = text_;
  event.offset = offset_;
  event.end_offset = end_offset_;
  event.lines = lines_;
  event.truncated = truncated_;
  event.first_line_length = first_line_length_;
  emit(event);
}

void MultilineAssembler::flushIfStale(std::chrono::steady_clock::time_point now, Emit emit) {
  if (pending_ && now >= deadline()) emitPending(emit);
}

void MultilineAssembler::flush(Emit emit) {
  emitPending(emit);
  classifier_.reset();
}

std::chrono::steady_clock::time_point MultilineAssembler::deadline() const {
  if (!pending_) return std::chrono::steady_clock::time_point::max();
  // Rules built by hand rather than by make() could overflow the clock.
  return last_line_ + std::min(rules_->timeout, MultilineRules::kMaxTimeout);
}

}  // namespace sluice
