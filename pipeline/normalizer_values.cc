// How the values of documented fields are read and checked, whatever the
// line's format: the canonical fields of the alias table.

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <cstring>

#include "pipeline/ascii.h"
#include "pipeline/json_escape.h"
#include "pipeline/log_level.h"
#include "pipeline/normalizer.h"
#include "pipeline/trace_context.h"

namespace sluice {
namespace {

bool isHttpMethod(std::string_view m) {
  static constexpr std::string_view kMethods[] = {"get",  "post",    "put",   "delete", "patch",
                                                  "head", "options", "trace", "connect"};
  return std::any_of(std::begin(kMethods), std::end(kMethods),
                     [&](std::string_view k) { return equalsIgnoreCase(m, k); });
}

bool parseSmallInt(std::string_view s, int64_t& out) {
  if (s.empty() || s.size() > 18) return false;
  int64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    v = v * 10 + (c - '0');
  }
  out = v;
  return true;
}

// Raw JSON string tokens are copied to the output as they are only when
// plainly valid: no escape to check and no raw control character.
bool rawStringIsPlain(std::string_view token) {
  if (token.size() < 2 || token.back() != '"') return false;
  constexpr uint64_t kOnes = 0x0101010101010101ULL;
  constexpr uint64_t kHigh = 0x8080808080808080ULL;
  size_t i = 0;
  for (; i + 8 <= token.size(); i += 8) {
    uint64_t w;
    std::memcpy(&w, token.data() + i, 8);
    // Bytes below 0x20 (only exact for ASCII bytes, so high bytes are
    // masked out), and backslashes.
    uint64_t below_space = (w - kOnes * 0x20) & ~w & kHigh;
    uint64_t b = w ^ (kOnes * '\\');
    uint64_t backslash = (b - kOnes) & ~b & kHigh;
    if (below_space | backslash) return false;
  }
  for (; i < token.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(token[i]);
    if (c == '\\' || c < 0x20) return false;
  }
  return true;
}

}  // namespace

FieldValue Normalizer::stringValue(const Scalar& value) {
  return !value.token.empty() && rawStringIsPlain(value.token) ? FieldValue::raw(value.token)
                                                               : FieldValue::string(value.text);
}

std::string_view Normalizer::scratchJoin(std::string_view prefix, std::string_view key) {
  if (prefix.size() + 1 + key.size() > scratch_.size() - scratch_used_) return {};
  char* dst = scratch_.data() + scratch_used_;
  std::copy(prefix.begin(), prefix.end(), dst);
  dst[prefix.size()] = '_';
  std::copy(key.begin(), key.end(), dst + prefix.size() + 1);
  scratch_used_ += prefix.size() + 1 + key.size();
  return {dst, prefix.size() + 1 + key.size()};
}

std::string_view Normalizer::scratchCopy(std::string_view text, CaseChange change) {
  if (change != CaseChange::kNone) {
    const unsigned char lo = change == CaseChange::kUpper ? 'a' : 'A';
    bool needs_change = false;
    for (char c : text)
      needs_change |= static_cast<unsigned char>(static_cast<unsigned char>(c) - lo) < 26;
    if (!needs_change) return text;  // already in the wanted case: no copy
  }
  if (text.size() > scratch_.size() - scratch_used_) return {};
  char* dst = scratch_.data() + scratch_used_;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (change == CaseChange::kUpper && c >= 'a' && c <= 'z') c = static_cast<char>(c - 32);
    if (change == CaseChange::kLower && c >= 'A' && c <= 'Z') c = static_cast<char>(c + 32);
    dst[i] = c;
  }
  scratch_used_ += text.size();
  return {dst, text.size()};
}

std::string_view Normalizer::scratchNumber(double value) {
  if (!std::isfinite(value)) return {};
  const size_t room = scratch_.size() - scratch_used_;
  if (room < 32) return {};
  char* dst = scratch_.data() + scratch_used_;
  // Whole numbers print without a fraction, others in the shortest form that
  // reads back the same.
  auto result = std::abs(value) < 1e15 && value == std::floor(value)
                    ? fmt::format_to_n(dst, room, "{}", static_cast<int64_t>(value))
                    : fmt::format_to_n(dst, room, "{}", value);
  std::string_view text(dst, result.size);
  if (result.size > room || !isJsonNumber(text)) return {};
  scratch_used_ += result.size;
  return text;
}

void Normalizer::setCanonical(Canonical field, FieldValue value) { tree_.set(node(field), value); }

bool Normalizer::takeKeyword(Canonical field, const Scalar& value) {
  if (value.is_string) {
    setCanonical(field, stringValue(value));
  } else if (value.is_number && isJsonNumber(value.text)) {
    // Keep the mapping a keyword even when a logger writes numeric ids.
    setCanonical(field, FieldValue::string(value.text));
  } else {
    return false;
  }
  return true;
}

bool Normalizer::takeNumber(Canonical field, const Scalar& value, double scale) {
  std::string_view text = value.text;
  if (!(value.is_number || value.is_string) || !isJsonNumber(text)) return false;
  if (scale != 1) {
    double number = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), number);
    if (ec != std::errc() || end != text.data() + text.size()) return false;
    text = scratchNumber(number * scale);
    if (text.empty()) return false;
  }
  setCanonical(field, FieldValue::raw(text));
  return true;
}

bool Normalizer::takeId(Canonical field, const Scalar& value) {
  std::string_view text = value.text;
  if (!(value.is_string || (value.is_number && isJsonNumber(text))) || text.empty() ||
      text.size() > 128) {
    return false;
  }
  IdShape shape = field == Canonical::kTraceId ? traceIdShape(text) : spanIdShape(text);
  if (shape == IdShape::kZero) {
    ++stats_.zero_ids;
    return false;  // stays under its own name: an all-zero id names no trace
  }
  if (shape == IdShape::kForeign) {
    ++stats_.foreign_ids;
    return takeKeyword(field, value);
  }
  std::string_view lower = scratchCopy(text, CaseChange::kLower);
  if (lower.empty()) return false;
  setCanonical(field, FieldValue::string(lower));
  return true;
}

bool Normalizer::takeTraceHeader(Canonical field, const Scalar& value) {
  TraceIds ids;
  if (!value.is_string || !(field == Canonical::kTraceparent ? parseTraceparent(value.text, ids)
                                                             : parseB3(value.text, ids))) {
    return false;
  }
  if (!isSet(Canonical::kTraceId)) {
    std::string_view lower = scratchCopy(ids.trace_id, CaseChange::kLower);
    if (!lower.empty()) setCanonical(Canonical::kTraceId, FieldValue::string(lower));
  }
  if (!isSet(Canonical::kSpanId)) {
    std::string_view lower = scratchCopy(ids.span_id, CaseChange::kLower);
    if (!lower.empty()) setCanonical(Canonical::kSpanId, FieldValue::string(lower));
  }
  return false;  // the header itself stays too: it carries the sampling flags
}

bool Normalizer::takeCanonical(Canonical field, const Scalar& value) {
  const bool headers = field == Canonical::kTraceparent || field == Canonical::kB3;
  const bool parts = field == Canonical::kEpochSecond || field == Canonical::kNanoOfSecond ||
                     field == Canonical::kOtelSeverity;
  // A rendered message replaces a template taken before it.
  const bool replaces_template = field == Canonical::kMessage && message_is_template_;
  if (!headers && !parts && !replaces_template && field != Canonical::kMessageTemplate &&
      isSet(field)) {
    return false;  // the first alias wins; later ones keep their own names
  }
  const bool is_string = value.is_string;
  const std::string_view text = value.text;

  switch (field) {
    case Canonical::kTimestamp: {
      std::optional<TimestampNs> ts;
      if (is_string) {
        ts = klog_time_ ? parseKlogTimestamp(text, time_context_)
                        : parseTimestamp(text, time_context_);
      } else if (value.is_number) {
        ts = parseEpochTimestamp(text);
      }
      if (!ts) return false;
      setCanonical(field, FieldValue::timestamp(*ts));
      return true;
    }
    case Canonical::kEpochSecond:
    case Canonical::kNanoOfSecond: {
      int64_t n;
      if (!value.is_number || !parseSmallInt(text, n)) return false;
      (field == Canonical::kEpochSecond ? epoch_second_ : nano_of_second_) = n;
      return true;
    }
    case Canonical::kLevel: {
      // Numbers (pino, syslog) and known words only: the documented field
      // holds one of six values; anything else keeps its own name.
      int64_t n;
      std::string_view level = parseSmallInt(text, n) && (value.is_number || is_string)
                                   ? levelFromNumber(n)
                                   : (is_string ? levelFromWord(text) : std::string_view{});
      if (level.empty()) return false;
      setCanonical(field, FieldValue::string(level));
      return true;
    }
    case Canonical::kOtelSeverity: {
      int64_t n;
      std::string_view level = parseSmallInt(text, n) ? levelFromOtelSeverity(n) : "";
      if (level.empty()) return false;
      if (!isSet(Canonical::kLevel)) setCanonical(Canonical::kLevel, FieldValue::string(level));
      return true;
    }
    case Canonical::kMessageTemplate:
      if (!is_string || isSet(Canonical::kMessage)) return false;
      setCanonical(Canonical::kMessage, stringValue(value));
      message_is_template_ = true;
      return true;
    case Canonical::kMessage:
      if (!is_string) return false;
      setCanonical(field, stringValue(value));
      message_is_template_ = false;
      return true;
    case Canonical::kErrorMessage:
    case Canonical::kErrorStack:
      if (!is_string) return false;
      setCanonical(field, stringValue(value));
      return true;
    case Canonical::kServiceName:
    case Canonical::kServiceTier:
    case Canonical::kCorrelationId:
    case Canonical::kUserId:
    case Canonical::kTenantId:
    case Canonical::kLogger:
    case Canonical::kThread:
    case Canonical::kErrorType:
    case Canonical::kComponent:
    case Canonical::kAiProvider:
    case Canonical::kAiModel:
    case Canonical::kDbOperation:
    case Canonical::kDbTable:
    case Canonical::kCostCenter:
      return takeKeyword(field, value);
    case Canonical::kTraceId:
    case Canonical::kSpanId:
      return takeId(field, value);
    case Canonical::kTraceparent:
    case Canonical::kB3:
      return takeTraceHeader(field, value);
    case Canonical::kHttpMethod: {
      if (!is_string || !isHttpMethod(text)) return false;
      std::string_view upper = scratchCopy(text, CaseChange::kUpper);
      if (upper.empty()) return false;
      setCanonical(field, FieldValue::string(upper));
      return true;
    }
    case Canonical::kHttpPath: {
      if (!is_string || text.empty() || text.front() != '/') return false;
      const size_t query = text.find('?');
      if (query == std::string_view::npos) {
        setCanonical(field, stringValue(value));
      } else {
        setCanonical(field, FieldValue::string(text.substr(0, query)));
      }
      return true;
    }
    case Canonical::kHttpStatus: {
      int64_t status;
      if (!parseSmallInt(text, status) || status < 100 || status > 599) return false;
      setCanonical(field, FieldValue::integer(status));
      return true;
    }
    case Canonical::kHttpDuration:
      return takeNumber(field, value, options_.schema == Schema::kEcs ? 1e6 : 1);
    case Canonical::kDurationNs:
      return takeNumber(field, value, options_.schema == Schema::kEcs ? 1 : 1e-6);
    case Canonical::kAiCostUsd:
    case Canonical::kDbDurationMs:
    case Canonical::kCostWeight:
      return takeNumber(field, value, 1);
    case Canonical::kNone:
    case Canonical::kCount:
      break;
  }
  return false;
}

void Normalizer::keepParsed(const ParsedField& field) {
  FieldValue value = field.number && isJsonNumber(field.value) ? FieldValue::raw(field.value)
                                                               : FieldValue::string(field.value);
  DocumentTree::NodeId target =
      tree_.leafPath(DocumentTree::kRoot, field.key, /*overwrite=*/false, /*safe=*/false);
  if (target >= 0) {
    tree_.set(target, value);
  } else if (!keepUnderLabels(field.key, false, AliasGroup::kTop, value)) {
    conflict_ = true;
  }
}

bool Normalizer::applyParsed(std::string_view line) {
  klog_time_ = false;
  for (const ParsedField& f : parsed_.fields) {
    if (f.key == "@timestamp_format") klog_time_ = f.value == "klog";
  }
  for (const ParsedField& f : parsed_.fields) {
    if (f.key == "@timestamp_format") continue;
    Alias alias = lookupAlias(AliasGroup::kTop, f.key);
    if (alias.field != Canonical::kNone &&
        takeCanonical(alias.field, Scalar{{}, f.value, !f.number, f.number})) {
      continue;
    }
    keepParsed(f);
  }
  klog_time_ = false;
  // Formats without free text (access logs) keep the whole line as the message.
  if (!isSet(Canonical::kMessage)) setCanonical(Canonical::kMessage, FieldValue::string(line));
  return true;
}

namespace {

// Whether a key in free text could name a trace or correlation id: they all
// end in "id" or are one of a few short names. Most keys are passed over
// without an alias lookup.
bool mayNameContext(std::string_view key) {
  if (key.size() < 2 || key.size() > 24) return false;
  const char i = key[key.size() - 2], d = key.back();
  if ((i == 'i' || i == 'I') && (d == 'd' || d == 'D')) return true;
  switch (key.front()) {
    case 't':
    case 'T':
    case 's':
    case 'S':
    case 'c':
    case 'C':
    case 'b':
    case 'B':
      return key.size() <= 11;
    default:
      return false;
  }
}

}  // namespace

void Normalizer::extractMessagePairs() {
  const FieldValue& message = tree_.value(node(Canonical::kMessage));
  if (message.kind != FieldValue::Kind::kString) return;  // parsed text is never raw JSON
  // Prose has a stray '=' now and then; two pairs make a pattern.
  std::array<ParsedField, 64> pairs;
  size_t count = 0;
  forEachAssignment(message.text, [&](std::string_view key, std::string_view value) {
    pairs[count++] = {key, value, isJsonNumber(value)};
    return count < pairs.size();
  });
  if (count < 2) return;
  for (size_t i = 0; i < count; ++i) {
    const ParsedField& f = pairs[i];
    Alias alias = lookupAlias(AliasGroup::kTop, f.key);
    if (alias.field != Canonical::kNone &&
        takeCanonical(alias.field, Scalar{{}, f.value, !f.number, f.number})) {
      continue;
    }
    // Other pairs of free text go under labels, as keywords: any message may
    // name any key, and a key typed differently by two services (order=1842
    // here, "order": {...} there) must not make Elasticsearch refuse events.
    std::string_view label = scratchCopy(f.key);
    if (label.empty()) continue;
    std::replace(const_cast<char*>(label.data()), const_cast<char*>(label.data()) + label.size(),
                 '.', '_');
    if (!keepUnderLabels(label, false, AliasGroup::kTop, FieldValue::string(f.value))) {
      conflict_ = true;
    }
  }
}

void Normalizer::findContextInText(std::string_view text) {
  forEachTextPair(text, mayNameContext, [&](std::string_view key, std::string_view value) {
    Alias alias = lookupAlias(AliasGroup::kTop, key);
    switch (alias.field) {
      case Canonical::kTraceId:
      case Canonical::kSpanId:
      case Canonical::kCorrelationId:
      case Canonical::kTraceparent:
      case Canonical::kB3:
        takeCanonical(alias.field, Scalar{{}, value, true, false});
        break;
      default:
        break;
    }
    return !(isSet(Canonical::kTraceId) && isSet(Canonical::kCorrelationId) &&
             isSet(Canonical::kSpanId));
  });
}

}  // namespace sluice
