#include "pipeline/condition.h"

#include <re2/re2.h>

#include <algorithm>
#include <charconv>
#include <span>
#include <system_error>
#include <utility>

namespace sluice {

namespace {

enum class Op : uint8_t {
  kTruthy,
  kExists,
  kEq,
  kNe,
  kLt,
  kLe,
  kGt,
  kGe,
  kMatch,
  kNotMatch,
  kIn,
  kContains,
  kStartsWith,
  kEndsWith
};

struct Literal {
  ConditionValue value;
  std::string storage;  // the text of a string literal; value.text points here once linked
};

// One test of one field. Literals of a test are consecutive in the program.
struct Test {
  Op op = Op::kTruthy;
  uint32_t path = 0;
  uint32_t first_literal = 0;
  uint32_t literal_count = 0;
  const RE2* regex = nullptr;
};

// Evaluation runs over a flat list of instructions with one boolean
// register, so matches() needs no recursion and no stack whatever the shape
// of the expression; `&&` and `||` short-circuit by jumping past the rest of
// their operands.
struct Instruction {
  enum class Code : uint8_t { kTest, kNot, kJumpIfTrue, kJumpIfFalse };
  Code code = Code::kTest;
  uint32_t arg = 0;  // kTest: index into tests; jumps: target instruction
};

struct PathRef {
  uint32_t first = 0;  // into ConditionProgram::segments
  uint32_t count = 0;
};

bool isDigit(char c) { return c >= '0' && c <= '9'; }
bool isIdentChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || isDigit(c) || c == '_' || c == '@' ||
         c == '-';
}
bool isPathChar(char c) { return isIdentChar(c) || c == '.'; }
bool isOperatorChar(char c) { return std::string_view("=!<>~").find(c) != std::string_view::npos; }
// A digit, or a minus and a digit: from_chars alone would also take "inf".
bool startsLikeNumber(std::string_view word) {
  const size_t sign = word.starts_with('-') ? 1 : 0;
  return word.size() > sign && isDigit(word[sign]);
}
bool isSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

// Words that are never field names, so that `a == 1 and and` or
// `true == x` fail with a clear message instead of reading a field.
bool isKeyword(std::string_view word) {
  for (std::string_view k : {"and", "or", "not", "in", "contains", "starts_with", "ends_with",
                             "true", "false", "null"}) {
    if (word == k) return true;
  }
  return false;
}

}  // namespace

// Immutable once compiled and shared by copies of a Condition. String views
// in it point into strings owned by the same object, which never moves
// (it lives behind a shared_ptr), so copying a Condition never invalidates
// them.
struct ConditionProgram {
  ConditionProgram() = default;
  ConditionProgram(const ConditionProgram&) = delete;
  ConditionProgram& operator=(const ConditionProgram&) = delete;

  // Points the views at their storage; called once nothing is added any more.
  void link() {
    for (Literal& literal : literals) {
      if (literal.value.kind == ConditionValue::Kind::kString) literal.value.text = literal.storage;
    }
    segments.clear();
    path_refs.clear();
    for (const std::vector<std::string>& path : paths) {
      path_refs.push_back(
          {static_cast<uint32_t>(segments.size()), static_cast<uint32_t>(path.size())});
      segments.insert(segments.end(), path.begin(), path.end());
    }
  }

  std::string text;
  std::vector<Instruction> code;
  std::vector<Test> tests;
  std::vector<Literal> literals;
  std::vector<std::unique_ptr<RE2>> regexes;
  std::vector<std::vector<std::string>> paths;
  std::vector<PathRef> path_refs;
  std::vector<std::string_view> segments;
};

namespace {

bool truthy(const ConditionValue& v) {
  switch (v.kind) {
    case ConditionValue::Kind::kMissing:
    case ConditionValue::Kind::kNull:
      return false;
    case ConditionValue::Kind::kBool:
      return v.boolean;
    case ConditionValue::Kind::kNumber:
      return v.number != 0;
    case ConditionValue::Kind::kString:
      return !v.text.empty();
    case ConditionValue::Kind::kOther:
      return true;
  }
  return false;
}

// A literal's kind is never kMissing or kOther, so a missing field or an
// object equals nothing.
bool equal(const ConditionValue& v, const ConditionValue& literal) {
  if (v.kind != literal.kind) return false;
  switch (v.kind) {
    case ConditionValue::Kind::kNull:
      return true;
    case ConditionValue::Kind::kBool:
      return v.boolean == literal.boolean;
    case ConditionValue::Kind::kNumber:
      return v.number == literal.number;
    case ConditionValue::Kind::kString:
      return v.text == literal.text;
    default:
      return false;
  }
}

template <typename T>
bool ordered(Op op, const T& a, const T& b) {
  switch (op) {
    case Op::kLt:
      return a < b;
    case Op::kLe:
      return a <= b;
    case Op::kGt:
      return a > b;
    case Op::kGe:
      return a >= b;
    default:
      return false;
  }
}

bool order(Op op, const ConditionValue& v, const ConditionValue& literal) {
  if (v.kind != literal.kind) return false;
  if (v.kind == ConditionValue::Kind::kNumber) return ordered(op, v.number, literal.number);
  if (v.kind == ConditionValue::Kind::kString) return ordered(op, v.text, literal.text);
  return false;
}

bool isString(const ConditionValue& v) { return v.kind == ConditionValue::Kind::kString; }

bool evaluate(const ConditionProgram& program, const Test& test, const FieldSource& event) {
  const PathRef& ref = program.path_refs[test.path];
  const ConditionValue v = event.field(
      std::span<const std::string_view>(program.segments.data() + ref.first, ref.count));
  const ConditionValue& literal = program.literals[test.first_literal].value;
  switch (test.op) {
    case Op::kTruthy:
      return truthy(v);
    case Op::kExists:
      return v.kind != ConditionValue::Kind::kMissing;
    case Op::kEq:
      return equal(v, literal);
    case Op::kNe:
      return !equal(v, literal);
    case Op::kLt:
    case Op::kLe:
    case Op::kGt:
    case Op::kGe:
      return order(test.op, v, literal);
    case Op::kMatch:
      return isString(v) && RE2::PartialMatch(v.text, *test.regex);
    case Op::kNotMatch:
      return !(isString(v) && RE2::PartialMatch(v.text, *test.regex));
    case Op::kIn:
      for (uint32_t i = 0; i < test.literal_count; ++i) {
        if (equal(v, program.literals[test.first_literal + i].value)) return true;
      }
      return false;
    case Op::kContains:
      return isString(v) && v.text.find(literal.text) != std::string_view::npos;
    case Op::kStartsWith:
      return isString(v) && v.text.starts_with(literal.text);
    case Op::kEndsWith:
      return isString(v) && v.text.ends_with(literal.text);
  }
  return false;
}

// What may follow an operator; checked at compile time so that evaluation
// never meets an operand it cannot use.
enum class Operand : uint8_t { kAny, kOrderable, kString, kList };

struct OperatorSpec {
  std::string_view name;
  Op op;
  Operand operand;
};
constexpr OperatorSpec kOperators[] = {
    {"==", Op::kEq, Operand::kAny},
    {"!=", Op::kNe, Operand::kAny},
    {"<", Op::kLt, Operand::kOrderable},
    {"<=", Op::kLe, Operand::kOrderable},
    {">", Op::kGt, Operand::kOrderable},
    {">=", Op::kGe, Operand::kOrderable},
    {"=~", Op::kMatch, Operand::kString},
    {"!~", Op::kNotMatch, Operand::kString},
    {"in", Op::kIn, Operand::kList},
    {"contains", Op::kContains, Operand::kString},
    {"starts_with", Op::kStartsWith, Operand::kString},
    {"ends_with", Op::kEndsWith, Operand::kString},
};

// Recursive descent over the text, emitting instructions as it goes.
// Recursion is bounded by kMaxDepth: only '(' and '!' nest, and chains of
// `&&` and `||` are loops.
class Parser {
 public:
  Parser(std::string_view text, ConditionProgram& out) : text_(text), out_(out) {}

  // On failure sets `message` to the error, prefixed with its column.
  bool parse(std::string& message) {
    if (!parseAll()) {
      message = "column " + std::to_string(column(error_pos_)) + ": " + error_;
      return false;
    }
    return true;
  }

 private:
  bool parseAll() {
    skipSpace();
    if (atEnd()) return fail(0, "empty condition");
    if (!parseOr(0)) return false;
    skipSpace();
    if (atEnd()) return true;
    if (peek() == ')') return fail(pos_, "unbalanced ')'");
    return fail(pos_, "expected '&&', '||' or the end, found " + describe(pos_));
  }

  // Records the error; always returns false so callers can `return fail(...)`.
  bool fail(size_t pos, std::string message) {
    error_pos_ = pos;
    error_ = std::move(message);
    return false;
  }

  bool tooDeep() {
    return fail(pos_, "nesting deeper than " + std::to_string(Condition::kMaxDepth) + " levels");
  }

  // Columns count characters, not bytes, so that UTF-8 text before an error
  // does not shift it.
  size_t column(size_t pos) const {
    size_t col = 1;
    for (size_t i = 0; i < pos && i < text_.size(); ++i) {
      if ((static_cast<unsigned char>(text_[i]) & 0xC0) != 0x80) ++col;
    }
    return col;
  }

  bool atEnd() const { return pos_ >= text_.size(); }
  char peek(size_t ahead = 0) const {
    return pos_ + ahead < text_.size() ? text_[pos_ + ahead] : '\0';
  }
  void skipSpace() {
    while (!atEnd() && isSpace(text_[pos_])) ++pos_;
  }
  bool startsWith(std::string_view s) const { return text_.substr(pos_).starts_with(s); }
  std::string_view wordAt(size_t pos) const {
    size_t end = pos;
    while (end < text_.size() && isPathChar(text_[end])) ++end;
    return text_.substr(pos, end - pos);
  }

  // Names what the parser found at `pos`, for error messages.
  std::string describe(size_t pos) const {
    if (pos >= text_.size()) return "the end";
    const char c = text_[pos];
    if (c == '"' || c == '\'') return "a string";
    size_t end = pos + 1;
    if (isPathChar(c)) {
      end = pos + wordAt(pos).size();
    } else if (isOperatorChar(c) || c == '&' || c == '|') {
      while (end < text_.size() &&
             (isOperatorChar(text_[end]) || text_[end] == '&' || text_[end] == '|')) {
        ++end;
      }
    } else {
      while (end < text_.size() && (static_cast<unsigned char>(text_[end]) & 0xC0) == 0x80) ++end;
    }
    constexpr size_t kShown = 32;
    std::string shown(text_.substr(pos, std::min(end - pos, kShown)));
    return "'" + shown + (end - pos > kShown ? "...'" : "'");
  }

  // Consumes `symbol` or `word` (a whole word) if either comes next.
  bool acceptBoolean(std::string_view symbol, std::string_view word) {
    skipSpace();
    if (startsWith(symbol)) {
      after_ = symbol;
      pos_ += symbol.size();
      return true;
    }
    if (wordAt(pos_) == word) {
      after_ = word;
      pos_ += word.size();
      return true;
    }
    return false;
  }

  void emit(Instruction::Code code, uint32_t arg = 0) { out_.code.push_back({code, arg}); }
  void patch(const std::vector<size_t>& jumps) {
    for (size_t j : jumps) out_.code[j].arg = static_cast<uint32_t>(out_.code.size());
  }

  bool parseOr(int depth) {
    std::vector<size_t> jumps;
    if (!parseAnd(depth)) return false;
    while (acceptBoolean("||", "or")) {
      jumps.push_back(out_.code.size());
      emit(Instruction::Code::kJumpIfTrue);
      if (!parseAnd(depth)) return false;
    }
    patch(jumps);
    return true;
  }

  bool parseAnd(int depth) {
    std::vector<size_t> jumps;
    if (!parseUnary(depth)) return false;
    while (acceptBoolean("&&", "and")) {
      jumps.push_back(out_.code.size());
      emit(Instruction::Code::kJumpIfFalse);
      if (!parseUnary(depth)) return false;
    }
    patch(jumps);
    return true;
  }

  bool parseUnary(int depth) {
    skipSpace();
    const bool bang = peek() == '!' && peek(1) != '=' && peek(1) != '~';
    if (!bang && wordAt(pos_) != "not") return parsePrimary(depth);
    if (depth >= Condition::kMaxDepth) return tooDeep();
    after_ = bang ? "!" : "not";
    pos_ += after_.size();
    if (!parseUnary(depth + 1)) return false;
    emit(Instruction::Code::kNot);
    return true;
  }

  bool parsePrimary(int depth) {
    skipSpace();
    const size_t start = pos_;
    if (atEnd()) return fail(pos_, "expected a condition after '" + std::string(after_) + "'");
    if (peek() == '(') {
      if (depth >= Condition::kMaxDepth) return tooDeep();
      ++pos_;
      after_ = "(";
      if (!parseOr(depth + 1)) return false;
      skipSpace();
      if (peek() == ')') {
        ++pos_;
        return true;
      }
      if (atEnd()) {
        return fail(pos_, "expected ')' to close '(' at column " + std::to_string(column(start)));
      }
      return fail(pos_, "expected '&&', '||' or ')', found " + describe(pos_));
    }
    const std::string_view word = wordAt(pos_);
    if (word.empty()) {
      const std::string after = after_.empty() ? "" : " after '" + std::string(after_) + "'";
      return fail(pos_, "expected a condition" + after + ", found " + describe(pos_));
    }
    if (word == "exists") {
      size_t after_word = pos_ + word.size();
      while (after_word < text_.size() && isSpace(text_[after_word])) ++after_word;
      if (after_word < text_.size() && text_[after_word] == '(') {
        pos_ = after_word + 1;
        return parseExists();
      }
    }
    uint32_t path = 0;
    if (!parsePath(path)) return false;
    return parseComparison(path, word);
  }

  bool parseExists() {
    skipSpace();
    uint32_t path = 0;
    if (!parsePath(path)) return false;
    skipSpace();
    if (peek() != ')') {
      return fail(pos_, "expected ')' after the field in exists(), found " + describe(pos_));
    }
    ++pos_;
    return addTest({Op::kExists, path, 0, 0, nullptr});
  }

  // Reads a field path at pos_ and interns it.
  bool parsePath(uint32_t& index) {
    const size_t start = pos_;
    const std::string_view word = wordAt(pos_);
    if (word.empty()) return fail(pos_, "expected a field, found " + describe(pos_));
    double number = 0;
    const auto [end, ec] = std::from_chars(word.data(), word.data() + word.size(), number);
    if (startsLikeNumber(word) && end == word.data() + word.size()) {
      return fail(start, "expected a field, found the number " + std::string(word) +
                             "; the field goes on the left of a comparison");
    }
    if (isKeyword(word)) {
      return fail(start, "expected a field, found the keyword '" + std::string(word) + "'");
    }
    std::vector<std::string> segments;
    size_t segment_start = 0;
    for (size_t i = 0; i <= word.size(); ++i) {
      if (i < word.size() && word[i] != '.') continue;
      if (i == segment_start) {
        return fail(start + i, "empty segment in field path '" + std::string(word) + "'");
      }
      segments.emplace_back(word.substr(segment_start, i - segment_start));
      segment_start = i + 1;
    }
    pos_ += word.size();
    for (size_t i = 0; i < out_.paths.size(); ++i) {
      if (out_.paths[i] == segments) {
        index = static_cast<uint32_t>(i);
        return true;
      }
    }
    index = static_cast<uint32_t>(out_.paths.size());
    out_.paths.push_back(std::move(segments));
    return true;
  }

  bool addTest(Test test) {
    if (test.literal_count == 0) {
      // Every test reads its first literal unconditionally; give it one.
      test.first_literal = static_cast<uint32_t>(out_.literals.size());
      out_.literals.push_back({ConditionValue::null(), {}});
    }
    emit(Instruction::Code::kTest, static_cast<uint32_t>(out_.tests.size()));
    out_.tests.push_back(test);
    return true;
  }

  // After a field: an operator and its operand, or nothing (truthiness).
  bool parseComparison(uint32_t path, std::string_view field) {
    skipSpace();
    const size_t op_pos = pos_;
    std::string_view name;
    if (isOperatorChar(peek())) {
      size_t end = pos_;
      while (end < text_.size() && isOperatorChar(text_[end])) ++end;
      name = text_.substr(pos_, end - pos_);
    } else if (isIdentChar(peek())) {
      name = wordAt(pos_);
      if (name == "and" || name == "or") return addTest({Op::kTruthy, path, 0, 0, nullptr});
    } else if (atEnd() || peek() == ')' || startsWith("&&") || startsWith("||")) {
      return addTest({Op::kTruthy, path, 0, 0, nullptr});
    } else {
      return fail(
          pos_, "expected an operator after '" + std::string(field) + "', found " + describe(pos_));
    }
    const OperatorSpec* op = nullptr;
    for (const OperatorSpec& candidate : kOperators) {
      if (candidate.name == name) op = &candidate;
    }
    if (op == nullptr) {
      std::string message = "unknown operator '" + std::string(name) + "'";
      if (name == "=") message += "; did you mean '=='?";
      return fail(op_pos, std::move(message));
    }
    pos_ += name.size();
    after_ = op->name;
    Test test{op->op, path, static_cast<uint32_t>(out_.literals.size()), 1, nullptr};
    if (op->operand == Operand::kList) {
      if (!parseList(test.literal_count)) return false;
      return addTest(test);
    }
    skipSpace();
    const size_t literal_pos = pos_;
    if (!parseLiteral()) return false;
    const ConditionValue::Kind kind = out_.literals.back().value.kind;
    const bool is_string = kind == ConditionValue::Kind::kString;
    if (op->operand == Operand::kOrderable && !is_string && kind != ConditionValue::Kind::kNumber) {
      return fail(literal_pos, "'" + std::string(op->name) + "' needs a number or a string");
    }
    if (op->operand == Operand::kString && !is_string) {
      return fail(literal_pos, "'" + std::string(op->name) + "' needs a string");
    }
    if (op->op == Op::kMatch || op->op == Op::kNotMatch) {
      RE2::Options options;
      options.set_log_errors(false);
      auto regex = std::make_unique<RE2>(out_.literals.back().storage, options);
      if (!regex->ok()) return fail(literal_pos, "invalid regex: " + regex->error());
      test.regex = regex.get();
      out_.regexes.push_back(std::move(regex));
    }
    return addTest(test);
  }

  bool parseList(uint32_t& count) {
    skipSpace();
    const size_t open = pos_;
    if (peek() != '[') return fail(pos_, "expected '[' after 'in', found " + describe(pos_));
    ++pos_;
    count = 0;
    skipSpace();
    if (peek() == ']') {
      ++pos_;
      return true;
    }
    after_ = "[";
    for (;;) {
      skipSpace();
      if (!parseLiteral()) return false;
      ++count;
      skipSpace();
      if (peek() == ']') {
        ++pos_;
        return true;
      }
      if (peek() != ',') {
        if (atEnd()) {
          return fail(pos_, "expected ']' to close '[' at column " + std::to_string(column(open)));
        }
        return fail(pos_, "expected ',' or ']' in the list, found " + describe(pos_));
      }
      ++pos_;
      after_ = ",";
    }
  }

  // Appends the literal at pos_ to out_.literals.
  bool parseLiteral() {
    const size_t start = pos_;
    if (atEnd()) return fail(pos_, "expected a value after '" + std::string(after_) + "'");
    Literal literal;
    const char c = peek();
    if (c == '"' || c == '\'') {
      if (!parseString(literal.storage)) return false;
      literal.value.kind = ConditionValue::Kind::kString;
    } else if (c == '-' || isDigit(c)) {
      if (!parseNumber(literal.value.number)) return false;
      literal.value.kind = ConditionValue::Kind::kNumber;
    } else {
      const std::string_view word = wordAt(pos_);
      if (word == "true" || word == "false") {
        literal.value = ConditionValue::ofBool(word == "true");
      } else if (word == "null") {
        literal.value = ConditionValue::null();
      } else if (!word.empty()) {
        return fail(start, "expected a value after '" + std::string(after_) + "', found '" +
                               std::string(word) + "'; strings need quotes");
      } else {
        return fail(
            start, "expected a value after '" + std::string(after_) + "', found " + describe(pos_));
      }
      pos_ += word.size();
    }
    out_.literals.push_back(std::move(literal));
    return true;
  }

  bool parseNumber(double& number) {
    const size_t start = pos_;
    const std::string_view word = wordAt(pos_);
    const auto [end, ec] = std::from_chars(word.data(), word.data() + word.size(), number);
    if (!startsLikeNumber(word) || ec == std::errc::invalid_argument ||
        end != word.data() + word.size()) {
      return fail(start, "invalid number '" + std::string(word) + "'");
    }
    if (ec == std::errc::result_out_of_range) {
      return fail(start, "number out of range '" + std::string(word) + "'");
    }
    pos_ += word.size();
    return true;
  }

  // Backslash escapes \" \' \\ \n \t \r; any other backslash is kept, so
  // that regexes such as "\d+" read as written.
  bool parseString(std::string& out) {
    const size_t start = pos_;
    const char quote = text_[pos_++];
    while (!atEnd()) {
      const char c = text_[pos_++];
      if (c == quote) return true;
      if (c != '\\') {
        out.push_back(c);
        continue;
      }
      if (atEnd()) break;
      // Pairs of escape letter and the character it stands for.
      static constexpr std::string_view kEscapes = "n\nt\tr\r\"\"''\\\\";
      const char e = text_[pos_++];
      size_t i = 0;
      while (i < kEscapes.size() && kEscapes[i] != e) i += 2;
      if (i < kEscapes.size()) {
        out.push_back(kEscapes[i + 1]);
      } else {
        out.push_back('\\');
        out.push_back(e);
      }
    }
    return fail(start, "unterminated string");
  }

  std::string_view text_;
  ConditionProgram& out_;
  size_t pos_ = 0;
  std::string_view after_;  // the last operator consumed, for "expected ... after" messages
  size_t error_pos_ = 0;
  std::string error_;
};

}  // namespace

Condition::Condition(std::shared_ptr<const ConditionProgram> program)
    : program_(std::move(program)) {}

std::optional<Condition> Condition::compile(std::string_view text, std::string& error) {
  if (text.size() > kMaxLength) {
    error = "column " + std::to_string(kMaxLength + 1) + ": condition is longer than " +
            std::to_string(kMaxLength) + " bytes";
    return std::nullopt;
  }
  auto program = std::make_unique<ConditionProgram>();
  program->text = std::string(text);
  Parser parser(program->text, *program);
  if (!parser.parse(error)) return std::nullopt;
  program->link();
  return Condition(std::shared_ptr<const ConditionProgram>(std::move(program)));
}

bool Condition::matches(const FieldSource& event) const {
  const ConditionProgram& program = *program_;
  bool result = false;
  size_t pc = 0;
  while (pc < program.code.size()) {
    const Instruction& instruction = program.code[pc];
    switch (instruction.code) {
      case Instruction::Code::kTest:
        result = evaluate(program, program.tests[instruction.arg], event);
        ++pc;
        break;
      case Instruction::Code::kNot:
        result = !result;
        ++pc;
        break;
      case Instruction::Code::kJumpIfTrue:
        pc = result ? instruction.arg : pc + 1;
        break;
      case Instruction::Code::kJumpIfFalse:
        pc = result ? pc + 1 : instruction.arg;
        break;
    }
  }
  return result;
}

const std::string& Condition::text() const { return program_->text; }

std::vector<std::vector<std::string>> Condition::fields() const { return program_->paths; }

}  // namespace sluice
