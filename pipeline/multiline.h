#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>

namespace re2 {
class RE2;
}

namespace sluice {

// How the lines of one source are grouped into events. Validated and
// compiled once per input, then shared read-only by that input's assemblers.
//
// Pattern mode follows Filebeat's `multiline.pattern / negate / match`
// exactly. The pattern is searched anywhere in the line, so anchor it with ^.
//
//   negate  match   lines...                                        e.g. pattern
//   false   after   that match join the non-matching line before    `^\s`: indented lines continue
//   false   before  that match join the non-matching line after     `\\$`: a trailing \ continues
//   true    after   that do not match join the matching line before `^\[`: a line not starting
//                                                                   with [ continues
//   true    before  that do not match join the matching line after  `;$`: a statement ends at ;
//
// Put differently, a line "continues" when it matches xor negate. With
// `after` a continuing line joins the pending event and any other line
// starts a new one; with `before` every line joins the pending event and a
// line that does not continue ends it, so the event is emitted at once.
// Either way an event pending when the source goes quiet for `timeout` is
// emitted as it stands.
//
// The other modes recognise stack traces with byte checks (see
// StackTraceClassifier) and need no pattern.
struct MultilineRules {
  enum class Mode {
    kPattern,
    kJava,
    kPython,
    kGo,
    kNode,
    kStack,  // java, python, go and node together, for sources that mix them
  };
  enum class Match { kAfter, kBefore };

  Mode mode = Mode::kPattern;
  std::string pattern;  // RE2 syntax, for kPattern
  bool negate = false;
  Match match = Match::kAfter;
  // An event that reaches either limit is emitted flagged `truncated`, and
  // the lines that would have continued it start a new event (also flagged
  // `truncated`, being the rest of a cut event) rather than being dropped.
  // Only a single line longer than max_bytes loses bytes: it is cut, on a
  // UTF-8 character boundary.
  size_t max_lines = 500;
  size_t max_bytes = 1 << 20;  // of the joined text, newlines included
  std::chrono::milliseconds timeout{2000};
  // `pattern`, compiled by make(). Without it pattern mode joins nothing.
  std::shared_ptr<const re2::RE2> regex;

  static constexpr std::chrono::milliseconds kMaxTimeout = std::chrono::hours(24);

  // Validates the settings and compiles the pattern (RE2: matching time is
  // linear in the line, whatever the pattern). On error returns nullopt and
  // sets `error`.
  static std::optional<MultilineRules> make(Mode mode, std::string pattern, bool negate,
                                            Match match, size_t max_lines, size_t max_bytes,
                                            std::chrono::milliseconds timeout, std::string& error);
  // "pattern", "java", "python", "go", "node" or "stack".
  static std::optional<Mode> modeFromName(std::string_view name);
  static std::string_view modeName(Mode mode);
};

// One physical line as the reader handed it out.
struct LinePiece {
  std::string_view text;    // without the newline
  uint64_t offset = 0;      // of its first byte in the source
  uint64_t end_offset = 0;  // where reading resumes after it
  bool truncated = false;
};

struct AssembledEvent {
  std::string_view text;    // lines joined with '\n'; valid until the next call on the assembler
  uint64_t offset = 0;      // of the first line
  uint64_t end_offset = 0;  // of the last line
  size_t lines = 0;
  // A piece was truncated, max_lines / max_bytes cut the event, or the event
  // is the rest of one they cut.
  bool truncated = false;
  // Length of the first line within `text`, so that a caller can keep the
  // message apart from the stack trace under it.
  size_t first_line_length = 0;
};

// Tells, line by line, whether a line continues the stack trace or exception
// report before it, for the built-in modes. Byte checks rather than regexes,
// since every line of a source goes through them. It cannot look ahead, so
// each rule decides from the line and from what the lines before it were:
//
// java (also what Kotlin, Scala and logback write):
//  - an indented `at ...` or `... N more` / `... N common frames omitted`;
//  - `Caused by: ` or `Suppressed: `, indented or not;
//  - any indented line after such lines;
//  - an exception header right after an ordinary line: a dotted class name
//    whose last part starts with a capital letter, alone or followed by
//    `: message` (`java.lang.IllegalStateException: boom`), which is how
//    logback writes the exception under the logged message. After a trace
//    such a header starts a new event instead (a second printStackTrace()).
// python:
//  - `Traceback (most recent call last):` (or an exception group's
//    `+ Exception Group Traceback ...`) after an ordinary line or a chaining
//    sentence, as logging.exception() writes the traceback under the message;
//  - inside a traceback, indented lines (`  File "x.py", line 3, in f`, the
//    code, the ^^^ markers) and the final `ValueError: msg` / `pkg.Error` line,
//    which ends the traceback;
//  - `During handling of the above exception, another exception occurred:`
//    and `The above exception was the direct cause of the following
//    exception:`, which chain the next traceback to this one.
// go:
//  - `goroutine N [state]:` anywhere;
//  - after `panic: `, `fatal error: `, `SIGxxx: ` or a goroutine header:
//    indented lines, function lines (`main.main()`, `main.(*T).m(0x1)`),
//    `created by ...`, `[signal ...`, `PC=...`, `runtime stack:`,
//    `...additional frames elided...` and `exit status N`.
//    A `panic: ` line itself starts an event.
// node:
//  - an indented `at ...`, and after one, any indented line (the properties
//    of a system error) and a closing `}` or `Node.js vN`;
//  - after a `/path/file.js:12` source location (an uncaught exception):
//    the indented code and caret lines, then the `Error: msg` header.
//    An `Error: msg` / `TypeError: msg` header otherwise starts an event.
//
// Known limits: an exception message that spans lines does not join (only
// its first line does), and a traceback printed straight after an unrelated
// line (an uncaught exception on stderr) joins that line.
class StackTraceClassifier {
 public:
  explicit StackTraceClassifier(MultilineRules::Mode mode);

  // Whether `line` continues what the lines before it started. Remembers the
  // line for the next call either way.
  bool continues(std::string_view line);
  // A new stream: forgets the lines seen so far.
  void reset() { context_ = Context::kNone; }

 private:
  // What the latest line was part of.
  enum class Context : uint8_t {
    kNone,         // an ordinary line
    kTrace,        // a java or node trace (`at` frames)
    kPyTraceback,  // python frames
    kPyException,  // the final line of a python traceback
    kPyChain,      // "During handling of the above exception..."
    kGoCrash,      // a go panic or goroutine dump
    kNodeSource,   // the source excerpt above an uncaught node exception
  };
  enum Family : unsigned { kJava = 1, kPython = 2, kGo = 4, kNode = 8 };

  static std::optional<Context> javaContinues(Context context, std::string_view line);
  static std::optional<Context> pythonContinues(Context context, std::string_view line);
  static std::optional<Context> goContinues(Context context, std::string_view line);
  static std::optional<Context> nodeContinues(Context context, std::string_view line);
  static std::optional<Context> familyContinues(unsigned family, Context context,
                                                std::string_view line);
  static unsigned owner(Context context);
  Context startContext(std::string_view line) const;

  unsigned families_ = 0;
  Context context_ = Context::kNone;
};

// Joins the lines of one source into events. One per tailed file or
// container stream, used from one thread; the rules may be shared.
//
// The pending event is copied into one buffer that is reused from event to
// event, so once warm the assembler does not allocate.
class MultilineAssembler {
 public:
  // A borrowed callable, called synchronously with each event, so that
  // push() costs no allocation whatever the caller's lambda captures.
  class Emit {
   public:
    template <class F>
    requires(!std::is_same_v<std::remove_cvref_t<F>, Emit> &&
             std::is_object_v<std::remove_reference_t<F>> &&
             std::is_invocable_v<F&, const AssembledEvent&>)
        Emit(F&& f)  // NOLINT(google-explicit-constructor): passed as a lambda
        : object_(const_cast<void*>(static_cast<const void*>(std::addressof(f)))),
          call_([](void* object, const AssembledEvent& event) {
            (*static_cast<std::remove_reference_t<F>*>(object))(event);
          }) {}

    void operator()(const AssembledEvent& event) const { call_(object_, event); }

   private:
    void* object_;
    void (*call_)(void*, const AssembledEvent&);
  };

  // Bytes kept readable past an event's text: the normalizer's JSON parser
  // reads ahead of the end (simdjson's padding).
  static constexpr size_t kTextPadding = 64;

  explicit MultilineAssembler(std::shared_ptr<const MultilineRules> rules);

  // Adds a line; emits the pending event when the line does not continue it
  // (or ends it, with match=before).
  void push(const LinePiece& line, std::chrono::steady_clock::time_point now, Emit emit);
  // Emits the pending event if `now` has reached deadline().
  void flushIfStale(std::chrono::steady_clock::time_point now, Emit emit);
  // End of input, shutdown, or a switch to a new file: emits the pending
  // event and forgets the stream's context.
  void flush(Emit emit);

  bool pending() const { return pending_; }
  // Offset of the pending event's first line, which a checkpoint must not
  // pass; UINT64_MAX when nothing is pending, so that callers can take the
  // minimum with their own position.
  uint64_t pendingOffset() const {
    return pending_ ? offset_ : std::numeric_limits<uint64_t>::max();
  }
  // When the pending event goes stale: its last line's arrival plus the
  // timeout. time_point::max() when nothing is pending.
  std::chrono::steady_clock::time_point deadline() const;

 private:
  bool patternMarks(std::string_view line) const;
  void add(const LinePiece& line, std::chrono::steady_clock::time_point now, Emit emit);
  void start(const LinePiece& line, std::chrono::steady_clock::time_point now, bool rest_of_cut);
  void emitPending(Emit emit);

  std::shared_ptr<const MultilineRules> rules_;
  StackTraceClassifier classifier_;
  std::string text_;
  bool pending_ = false;
  bool truncated_ = false;
  uint64_t offset_ = 0;
  uint64_t end_offset_ = 0;
  size_t lines_ = 0;
  size_t first_line_length_ = 0;
  std::chrono::steady_clock::time_point last_line_{};
};

}  // namespace sluice
