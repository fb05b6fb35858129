#include "pipeline/pii/masker.h"

#include <re2/re2.h>
#include <re2/set.h>

#include <algorithm>
#include <bit>
#include <cstring>
#include <limits>
#include <utility>

#include "pipeline/pii/detectors.h"

namespace sluice {
namespace {

constexpr size_t kNpos = std::string_view::npos;

// Fields that never hold personal data and that a replacement would damage:
// the event's time, ids and the agent's own metadata. Kubernetes and
// container names are chosen by operators, not users.
constexpr std::string_view kSkippedPaths[] = {
    "@timestamp",    "log.level",  "log.offset", "log.file.path", "trace.id",
    "trace.span_id", "span.id",    "host",       "agent",         "ecs",
    "tags",          "kubernetes", "container",
};

class BuiltInScanner final : public PiiTextScanner {
 public:
  explicit BuiltInScanner(const PiiSettings& settings)
      : scanner_(settings.detectors, settings.sensitive_keys) {}
  void scan(std::string_view text, std::vector<PiiMatch>& out) const override {
    scanner_.scan(text, out);
  }

 private:
  PiiScanner scanner_;
};

bool isSpace(char c) { return c == ' ' || c == '\n' || c == '\r' || c == '\t'; }

size_t skipSpace(std::string_view doc, size_t p) {
  while (p < doc.size() && isSpace(doc[p])) ++p;
  return p;
}

bool isHex(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

constexpr uint64_t kOnes = 0x0101010101010101ULL;

// Bit 7 of each byte of `word` that equals the byte in every lane of
// `pattern`; exact for the lowest such byte, which is all the callers use.
uint64_t bytesEqual(uint64_t word, uint64_t pattern) {
  uint64_t x = word ^ pattern;
  return (x - kOnes) & ~x & (kOnes * 0x80);
}

// The first '"' or '\\' in data[i, n), or n. Eight bytes at a time: string
// contents are most of a document's bytes.
size_t findQuoteOrBackslash(const char* data, size_t i, size_t n) {
  if constexpr (std::endian::native == std::endian::little) {
    for (; i + 8 <= n; i += 8) {
      uint64_t word;
      std::memcpy(&word, data + i, 8);
      uint64_t hits = bytesEqual(word, kOnes * '"') | bytesEqual(word, kOnes * '\\');
      if (hits != 0) return i + static_cast<size_t>(std::countr_zero(hits)) / 8;
    }
  }
  while (i < n && data[i] != '"' && data[i] != '\\') ++i;
  return i;
}

// The length of the escape whose backslash is at data[i], or 0 when JSON
// does not know it.
size_t escapeLength(const char* data, size_t i, size_t n) {
  if (i + 1 >= n) return 0;
  switch (data[i + 1]) {
    case '"':
    case '\\':
    case '/':
    case 'b':
    case 'f':
    case 'n':
    case 'r':
    case 't':
      return 2;
    case 'u':
      return i + 6 <= n && isHex(data[i + 2]) && isHex(data[i + 3]) && isHex(data[i + 4]) &&
                     isHex(data[i + 5])
                 ? 6
                 : 0;
    default:
      return 0;
  }
}

// The closing quote of the string whose opening quote is at `open`, or kNpos
// when the string is unterminated or has an escape JSON does not know.
size_t stringEnd(std::string_view doc, size_t open, bool& has_escape) {
  const char* data = doc.data();
  const size_t n = doc.size();
  size_t i = open + 1;
  for (;;) {
    i = findQuoteOrBackslash(data, i, n);
    if (i >= n) return kNpos;
    if (data[i] == '"') return i;
    has_escape = true;
    const size_t len = escapeLength(data, i, n);
    if (len == 0) return kNpos;
    i += len;
  }
}

// The end of the number or literal at `p`, or kNpos.
size_t scalarEnd(std::string_view doc, size_t p) {
  auto literal = [&](std::string_view word) {
    return doc.substr(p, word.size()) == word ? p + word.size() : kNpos;
  };
  switch (doc[p]) {
    case 't':
      return literal("true");
    case 'f':
      return literal("false");
    case 'n':
      return literal("null");
    default:
      break;
  }
  if (doc[p] != '-' && (doc[p] < '0' || doc[p] > '9')) return kNpos;
  size_t i = p + 1;
  while (i < doc.size() && ((doc[i] >= '0' && doc[i] <= '9') || doc[i] == '.' || doc[i] == 'e' ||
                            doc[i] == 'E' || doc[i] == '+' || doc[i] == '-'))
    ++i;
  return i;
}

bool overlaps(const PiiMatch& a, const PiiMatch& b) { return a.begin < b.end && b.begin < a.end; }

}  // namespace

struct PiiMasker::CustomSet {
  explicit CustomSet(const RE2::Options& options) : set(options, RE2::UNANCHORED) {}
  RE2::Set set;
};

PiiMasker::PiiMasker(std::shared_ptr<const PiiSettings> settings)
    : PiiMasker(settings, std::make_unique<BuiltInScanner>(*settings)) {}

PiiMasker::PiiMasker(std::shared_ptr<const PiiSettings> settings,
                     std::unique_ptr<const PiiTextScanner> scanner)
    : settings_(std::move(settings)), scanner_(std::move(scanner)), replacer_(*settings_) {
  sensitive_enabled_ = settings_->detectors.test(static_cast<size_t>(PiiKind::kSensitiveField));
  buildPaths();
  buildSensitiveKeys();
  buildCustom();
  event_counts_.by_custom.assign(settings_->custom.size(), 0);
}

PiiMasker::~PiiMasker() = default;

void PiiMasker::buildPaths() {
  path_nodes_.emplace_back();
  for (std::string_view path : kSkippedPaths) addSkippedPath(path);
  for (const std::string& path : settings_->keep) addSkippedPath(path);
}

void PiiMasker::addSkippedPath(std::string_view path) {
  int32_t node = 0;
  size_t start = 0;
  while (start <= path.size()) {
    size_t dot = std::min(path.find('.', start), path.size());
    std::string_view segment = path.substr(start, dot - start);
    start = dot + 1;
    if (segment.empty()) continue;
    if (path_nodes_[node].skip) return;  // a shorter path already covers it
    auto& children = path_nodes_[node].children;
    auto it = std::find_if(children.begin(), children.end(),
                           [&](const auto& child) { return child.first == segment; });
    if (it != children.end()) {
      node = it->second;
      continue;
    }
    int32_t child = static_cast<int32_t>(path_nodes_.size());
    path_nodes_[node].children.emplace_back(std::string(segment), child);
    path_nodes_.emplace_back();
    node = child;
  }
  if (node != 0) path_nodes_[node].skip = true;
}

int32_t PiiMasker::childNode(int32_t node, std::string_view key) const {
  // A key may hold dots itself ({"log.level": ...}); its path is the same.
  size_t start = 0;
  while (node >= 0 && start <= key.size()) {
    if (path_nodes_[node].children.empty()) return -1;
    size_t dot = key.find('.', start);
    if (dot == kNpos) dot = key.size();
    std::string_view segment = key.substr(start, dot - start);
    start = dot + 1;
    const auto& children = path_nodes_[node].children;
    auto it = std::find_if(children.begin(), children.end(),
                           [&](const auto& child) { return child.first == segment; });
    node = it == children.end() ? -1 : it->second;
    if (node >= 0 && path_nodes_[node].skip) return node;
  }
  return node;
}

namespace {

// Lower case, with '_', '-' and '.' mapped to 0 (dropped): "X-Api-Key",
// "api_key" and "apiKey" compare equal.
constexpr std::array<char, 256> kSquash = [] {
  std::array<char, 256> table{};
  for (int c = 0; c < 256; ++c) table[c] = static_cast<char>(c);
  for (int c = 'A'; c <= 'Z'; ++c) table[c] = static_cast<char>(c - 'A' + 'a');
  table['_'] = table['-'] = table['.'] = 0;
  return table;
}();

size_t squashKey(std::string_view key, char* out) {
  size_t n = 0;
  for (char c : key) {
    out[n] = kSquash[static_cast<unsigned char>(c)];
    n += out[n] != 0;
  }
  return n;
}

uint16_t bigramAt(const char* p) {
  return static_cast<uint16_t>(static_cast<unsigned char>(p[0]) | static_cast<unsigned char>(p[1])
                                                                      << 8);
}

}  // namespace

void PiiMasker::buildSensitiveKeys() {
  std::string squashed;
  for (const std::string& name : settings_->sensitive_keys) {
    squashed.resize(name.size());
    squashed.resize(squashKey(name, squashed.data()));
    if (squashed.empty() || std::find(sensitive_names_.begin(), sensitive_names_.end(), squashed) !=
                                sensitive_names_.end())
      continue;
    sensitive_names_.push_back(squashed);
  }
  shortest_name_ = sensitive_names_.empty() ? 0 : std::string::npos;
  for (const std::string& name : sensitive_names_) {
    shortest_name_ = std::min(shortest_name_, name.size());
    if (name.size() >= 2) sensitive_bigrams_.set(bigramAt(name.data()));
  }
}

PiiMasker::KeyMatch PiiMasker::matchSensitiveKey(std::string_view key) {
  if (key.size() < shortest_name_) return KeyMatch::kNone;
  squashed_key_.resize(key.size());
  const size_t n = squashKey(key, squashed_key_.data());
  const std::string_view squashed(squashed_key_.data(), n);
  KeyMatch found = KeyMatch::kNone;
  for (size_t i = 0; i + shortest_name_ <= n; ++i) {
    if (shortest_name_ >= 2 && !sensitive_bigrams_[bigramAt(squashed.data() + i)]) continue;
    for (const std::string& name : sensitive_names_) {
      if (name[0] != squashed[i] || squashed.compare(i, name.size(), name) != 0) continue;
      if (name.size() == n) return KeyMatch::kEquals;
      found = KeyMatch::kContains;
    }
  }
  return found;
}

void PiiMasker::buildCustom() {
  const auto& custom = settings_->custom;
  if (custom.empty()) return;
  for (const CustomPiiDetector& detector : custom) {
    if (!detector.pattern || !detector.pattern->ok()) return;
  }
  // One set can only hold patterns compiled alike; otherwise each pattern
  // runs on its own.
  const RE2::Options& first = custom[0].pattern->options();
  for (const CustomPiiDetector& detector : custom) {
    const RE2::Options& o = detector.pattern->options();
    if (o.encoding() != first.encoding() || o.posix_syntax() != first.posix_syntax() ||
        o.longest_match() != first.longest_match() || o.literal() != first.literal() ||
        o.never_nl() != first.never_nl() || o.dot_nl() != first.dot_nl() ||
        o.case_sensitive() != first.case_sensitive() || o.perl_classes() != first.perl_classes() ||
        o.word_boundary() != first.word_boundary() || o.one_line() != first.one_line())
      return;
  }
  auto set = std::make_unique<CustomSet>(first);
  for (const CustomPiiDetector& detector : custom) {
    if (set->set.Add(detector.pattern->pattern(), nullptr) < 0) return;
  }
  if (!set->set.Compile()) return;
  custom_set_ = std::move(set);
}

bool PiiMasker::mask(std::string& doc, size_t begin, PiiCounts& counts) {
  if (begin >= doc.size()) return false;
  copied_ = begin;
  changed_ = false;
  event_counts_.by_kind.fill(0);
  std::fill(event_counts_.by_custom.begin(), event_counts_.by_custom.end(), 0);
  if (!walk(doc, begin) || !changed_) return false;

  scratch_.append(doc, copied_);
  doc.resize(begin);
  doc.append(scratch_);
  for (size_t k = 0; k < counts.by_kind.size(); ++k) counts.by_kind[k] += event_counts_.by_kind[k];
  if (counts.by_custom.size() < event_counts_.by_custom.size()) {
    counts.by_custom.resize(event_counts_.by_custom.size());
  }
  for (size_t k = 0; k < event_counts_.by_custom.size(); ++k) {
    counts.by_custom[k] += event_counts_.by_custom[k];
  }
  return true;
}

bool PiiMasker::walk(std::string_view doc, size_t begin) {
  enum class Expect { kValue, kFirstMember, kMember, kFirstElement, kNext };
  const size_t n = doc.size();
  size_t p = skipSpace(doc, begin);
  if (p >= n || doc[p] != '{') return false;
  // stack_ only grows: frames [0, depth) are the open containers.
  size_t depth = 0;
  ValueContext context;
  Expect expect = Expect::kValue;

  // Pops the container closed at `p`; false when the document is malformed.
  auto close = [&](bool empty, bool& done) {
    const Frame& frame = stack_[--depth];
    ++p;
    if (frame.replace_whole && !empty) maskSensitiveToken(doc, frame.start, p);
    if (depth == 0) {
      done = true;
      return skipSpace(doc, p) == n;
    }
    expect = Expect::kNext;
    return true;
  };

  for (;;) {
    p = skipSpace(doc, p);
    if (p >= n) return false;
    const char c = doc[p];
    bool done = false;
    switch (expect) {
      case Expect::kValue: {
        if (c == '{' || c == '[') {
          if (depth >= kMaxDepth) return false;
          Frame frame{c == '{', false, context, p};
          // An object under a secret's own name (password: {...}) goes
          // whole; under a name that only contains one (token_usage: {...})
          // its members are looked at one by one, so that the document keeps
          // the shape its index mapping expects. An array under such a name
          // (user_tokens: [...]) keeps its strings masked whole.
          if (!context.inert && context.sensitive == KeyMatch::kEquals) {
            frame.replace_whole = true;
            frame.context.inert = true;
          } else if (context.sensitive == KeyMatch::kContains && c == '{') {
            frame.context.sensitive = KeyMatch::kNone;  // an array's strings stay secret
          }
          if (depth == stack_.size()) stack_.emplace_back();
          stack_[depth++] = frame;
          ++p;
          expect = c == '{' ? Expect::kFirstMember : Expect::kFirstElement;
          continue;
        }
        if (depth == 0) return false;
        size_t end;
        if (c == '"') {
          bool has_escape = false;
          end = stringEnd(doc, p, has_escape);
          if (end == kNpos) return false;
          if (!context.inert) {
            if (context.sensitive != KeyMatch::kNone) {
              maskSensitiveString(doc, p + 1, end, has_escape);
            } else {
              maskString(doc, p + 1, end, has_escape);
            }
          }
          ++end;
        } else {
          end = scalarEnd(doc, p);
          if (end == kNpos) return false;
          // Numbers and booleans under a key that only contains a sensitive
          // name are metrics and flags (max_tokens, token_valid), not secrets;
          // replacing them with text would clash with the index mapping.
          if (!context.inert && c != 'n' && context.sensitive == KeyMatch::kEquals)
            maskSensitiveToken(doc, p, end);
        }
        p = end;
        expect = Expect::kNext;
        continue;
      }
      case Expect::kFirstMember:
        if (c == '}') {
          if (!close(true, done)) return false;
          if (done) return true;
          continue;
        }
        [[fallthrough]];
      case Expect::kMember: {
        if (c != '"') return false;
        bool has_escape = false;
        size_t end = stringEnd(doc, p, has_escape);
        if (end == kNpos) return false;
        std::string_view key = doc.substr(p + 1, end - p - 1);
        p = skipSpace(doc, end + 1);
        if (p >= n || doc[p] != ':') return false;
        ++p;
        context = memberContext(stack_[depth - 1], key);
        expect = Expect::kValue;
        continue;
      }
      case Expect::kFirstElement:
        if (c == ']') {
          if (!close(true, done)) return false;
          if (done) return true;
          continue;
        }
        context = stack_[depth - 1].context;
        expect = Expect::kValue;
        continue;
      case Expect::kNext: {
        const Frame& frame = stack_[depth - 1];
        if (c == ',') {
          ++p;
          if (frame.is_object) {
            expect = Expect::kMember;
          } else {
            context = frame.context;
            expect = Expect::kValue;
          }
          continue;
        }
        if (c != (frame.is_object ? '}' : ']')) return false;
        if (!close(false, done)) return false;
        if (done) return true;
        continue;
      }
    }
  }
}

PiiMasker::ValueContext PiiMasker::memberContext(const Frame& frame, std::string_view key) {
  ValueContext context;
  if (frame.context.inert) {
    context.inert = true;
    return context;
  }
  context.node = frame.context.node < 0 ? -1 : childNode(frame.context.node, key);
  if (context.node >= 0 && path_nodes_[context.node].skip) {
    context.inert = true;
    return context;
  }
  if (sensitive_enabled_ && !sensitive_names_.empty()) context.sensitive = matchSensitiveKey(key);
  return context;
}

void PiiMasker::maskSensitiveString(std::string_view doc, size_t begin, size_t end,
                                    bool has_escape) {
  std::string_view raw = doc.substr(begin, end - begin);
  // An empty value hides nothing; a replacement is already masked.
  if (raw.empty() || replacer_.isReplacement(PiiKind::kSensitiveField, 0, raw)) return;
  std::string_view value = raw;
  if (has_escape) {
    plain_.clear();
    appendJsonUnescaped(plain_, raw);
    value = plain_;
  }
  replacement_.clear();
  replacer_.append(replacement_, PiiKind::kSensitiveField, 0, value);
  replace(doc, begin, end, replacement_);
  count(PiiKind::kSensitiveField, 0);
}

void PiiMasker::maskSensitiveToken(std::string_view doc, size_t begin, size_t end) {
  replacement_.clear();
  replacement_ += '"';
  replacer_.append(replacement_, PiiKind::kSensitiveField, 0, doc.substr(begin, end - begin));
  replacement_ += '"';
  replace(doc, begin, end, replacement_);
  count(PiiKind::kSensitiveField, 0);
}

void PiiMasker::maskString(std::string_view doc, size_t begin, size_t end, bool has_escape) {
  std::string_view text = doc.substr(begin, end - begin);
  if (text.empty() || text.size() > std::numeric_limits<uint32_t>::max()) return;
  matches_.clear();
  scanner_->scan(text, matches_);
  // The scanner's promise of ordered, disjoint matches inside the text is
  // checked: a bad match must not corrupt the document.
  uint32_t last_end = 0;
  size_t kept = 0;
  for (const PiiMatch& match : matches_) {
    if (match.begin < last_end || match.begin >= match.end || match.end > text.size() ||
        match.kind >= PiiKind::kCustom)
      continue;
    matches_[kept++] = match;
    last_end = match.end;
  }
  matches_.resize(kept);
  if (!settings_->custom.empty()) findCustom(text);
  if (matches_.empty()) return;
  settleMatches(text, has_escape);

  for (const PiiMatch& match : matches_) {
    std::string_view raw = text.substr(match.begin, match.end - match.begin);
    std::string_view value = raw;
    if (has_escape && raw.find('\\') != kNpos) {
      plain_.clear();
      appendJsonUnescaped(plain_, raw);
      value = plain_;
    }
    replacement_.clear();
    replacer_.append(replacement_, match.kind, match.custom_index, value);
    if (replacement_ == raw) continue;
    replace(doc, begin + match.begin, begin + match.end, replacement_);
    count(match.kind, match.custom_index);
  }
}

void PiiMasker::findCustom(std::string_view text) {
  const auto& custom = settings_->custom;
  custom_hits_.clear();
  bool run_all = custom_set_ == nullptr;
  if (!run_all) {
    const re2::StringPiece input(text.data(), text.size());
    RE2::Set::ErrorInfo error{};
    // Asking which patterns match costs an allocation; whether any does,
    // which is the common "no", does not.
    bool any = custom_set_->set.Match(input, nullptr, &error);
    if (any) any = custom_set_->set.Match(input, &custom_hits_, &error);
    // When the set's automaton runs out of memory it cannot say which
    // patterns match; every pattern is tried.
    if (!any && error.kind != RE2::Set::kNoError) {
      run_all = true;
    } else if (!any) {
      return;
    }
  }
  if (run_all) {
    custom_hits_.clear();
    for (size_t i = 0; i < custom.size(); ++i) custom_hits_.push_back(static_cast<int>(i));
  }
  std::sort(custom_hits_.begin(), custom_hits_.end());

  re2::StringPiece input(text.data(), text.size());
  for (int index : custom_hits_) {
    const auto& pattern = custom[static_cast<size_t>(index)].pattern;
    if (!pattern || !pattern->ok()) continue;
    // Matches of earlier detectors win; merged_ gets this detector's matches
    // that overlap none of them, in order.
    merged_.clear();
    size_t previous = 0;
    size_t pos = 0;
    re2::StringPiece found;
    while (pos <= text.size() &&
           pattern->Match(input, pos, text.size(), RE2::UNANCHORED, &found, 1)) {
      size_t b = static_cast<size_t>(found.data() - text.data());
      size_t e = b + found.size();
      if (e == b) {
        pos = b + 1;
        continue;
      }
      pos = e;
      PiiMatch match{PiiKind::kCustom, static_cast<uint32_t>(b), static_cast<uint32_t>(e),
                     static_cast<uint16_t>(index)};
      while (previous < matches_.size() && matches_[previous].end <= match.begin) {
        merged_.push_back(matches_[previous++]);
      }
      if (previous < matches_.size() && overlaps(matches_[previous], match)) continue;
      merged_.push_back(match);
    }
    merged_.insert(merged_.end(), matches_.begin() + static_cast<ptrdiff_t>(previous),
                   matches_.end());
    matches_.swap(merged_);
  }
}

void PiiMasker::settleMatches(std::string_view text, bool has_escape) {
  // Widen each match to whole escapes and UTF-8 sequences; drop any that
  // then overlaps the previous one.
  size_t kept = 0;
  size_t i = 0;
  size_t last_end = 0;
  for (const PiiMatch& original : matches_) {
    PiiMatch match = original;
    if (match.begin < last_end) continue;
    if (has_escape || (text[match.begin] & 0xC0) == 0x80 ||
        (match.end < text.size() && (text[match.end] & 0xC0) == 0x80)) {
      // The previous match ended on a boundary, so walking on from there
      // stays on boundaries.
      i = std::max(i, last_end);
      while (i < text.size()) {
        size_t len = jsonCharLength(text, i);
        if (i + len > match.begin) break;
        i += len;
      }
      match.begin = static_cast<uint32_t>(i);
      while (i < match.end) i += jsonCharLength(text, i);
      match.end = static_cast<uint32_t>(i);
    }
    matches_[kept++] = match;
    last_end = match.end;
  }
  matches_.resize(kept);

  protected_.clear();
  replacer_.findReplacements(text, protected_);
  if (protected_.empty()) return;
  kept = 0;
  size_t span = 0;
  for (const PiiMatch& match : matches_) {
    while (span < protected_.size() && protected_[span].end <= match.begin) ++span;
    if (span < protected_.size() && protected_[span].begin < match.end) continue;
    matches_[kept++] = match;
  }
  matches_.resize(kept);
}

void PiiMasker::replace(std::string_view doc, size_t begin, size_t end,
                        std::string_view replacement) {
  if (!changed_) {
    scratch_.clear();
    changed_ = true;
  }
  scratch_.append(doc.data() + copied_, begin - copied_);
  scratch_.append(replacement);
  copied_ = end;
}

void PiiMasker::count(PiiKind kind, uint16_t custom_index) {
  if (kind == PiiKind::kCustom) {
    if (custom_index < event_counts_.by_custom.size()) ++event_counts_.by_custom[custom_index];
    return;
  }
  ++event_counts_.by_kind[static_cast<size_t>(kind)];
}

}  // namespace sluice
