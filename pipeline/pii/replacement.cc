#include "pipeline/pii/replacement.h"

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <re2/re2.h>

#include <algorithm>
#include <stdexcept>

namespace sluice {
namespace {

constexpr std::string_view kReplacementChar = "\xEF\xBF\xBD";
constexpr size_t kHashHexDigits = 10;

int hexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// The code unit of the \uXXXX escape at `text[i]`, or -1.
int32_t unicodeEscapeAt(std::string_view text, size_t i) {
  if (i + 6 > text.size() || text[i] != '\\' || text[i + 1] != 'u') return -1;
  int32_t unit = 0;
  for (size_t k = i + 2; k < i + 6; ++k) {
    int v = hexValue(text[k]);
    if (v < 0) return -1;
    unit = unit * 16 + v;
  }
  return unit;
}

void appendUtf8(std::string& out, uint32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

bool isAsciiDigit(char c) { return c >= '0' && c <= '9'; }
bool isAsciiAlpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool isAsciiAlnum(char c) { return isAsciiDigit(c) || isAsciiAlpha(c); }

// Characters a replacement may take from the detected value itself.
bool isDomainChar(char c) { return isAsciiAlnum(c) || c == '.' || c == '-'; }

size_t utf8LeadLength(unsigned char c) {
  if (c < 0x80) return 1;
  if (c >= 0xF0) return 4;
  if (c >= 0xE0) return 3;
  if (c >= 0xC0) return 2;
  return 1;
}

bool partialEmail(std::string& out, std::string_view value) {
  size_t at = value.rfind('@');
  if (at == std::string_view::npos || at == 0 || at + 1 == value.size()) return false;
  unsigned char first = static_cast<unsigned char>(value[0]);
  if (first <= 0x20 || first == 0x7F || first == '"' || first == '\\' || first == '*' ||
      first == '@')
    return false;
  size_t first_len = utf8LeadLength(first);
  if (first_len > at) return false;
  std::string_view domain = value.substr(at + 1);
  for (char c : domain) {
    if (!isDomainChar(c)) return false;
  }
  out.append(value.substr(0, first_len));
  out += "***@";
  out.append(domain);
  return true;
}

// The last `n` digits of `value`, or empty when it has fewer.
std::string_view lastDigits(std::string_view value, size_t n, char (&buf)[4]) {
  size_t found = 0;
  for (size_t i = value.size(); i > 0 && found < n; --i) {
    if (isAsciiDigit(value[i - 1])) buf[n - 1 - found++] = value[i - 1];
  }
  if (found < n) return {};
  return {buf, n};
}

bool partialCard(std::string& out, std::string_view value) {
  char buf[4];
  std::string_view last = lastDigits(value, 4, buf);
  if (last.empty()) return false;
  out += "**** **** **** ";
  out.append(last);
  return true;
}

bool partialPhone(std::string& out, std::string_view value) {
  char buf[4];
  std::string_view last = lastDigits(value, 2, buf);
  if (last.empty()) return false;
  out += "***-***-**";
  out.append(last);
  return true;
}

// The digits of one IPv4 octet at `value[i]`, followed by a '.'.
std::string_view octetAt(std::string_view value, size_t& i) {
  size_t start = i;
  while (i < value.size() && i - start < 3 && isAsciiDigit(value[i])) ++i;
  if (i == start || i >= value.size() || value[i] != '.') return {};
  return value.substr(start, i++ - start);
}

bool partialIpv4(std::string& out, std::string_view value) {
  size_t i = 0;
  std::string_view a = octetAt(value, i);
  if (a.empty()) return false;
  std::string_view b = octetAt(value, i);
  if (b.empty()) return false;
  out.append(a);
  out += '.';
  out.append(b);
  out += ".x.x";
  return true;
}

// One group of hex digits at `value[i]`; "0" for the empty group of a "::".
std::string_view hexGroupAt(std::string_view value, size_t& i) {
  size_t start = i;
  while (i < value.size() && i - start < 4 && hexValue(value[i]) >= 0) ++i;
  if (i == start) return "0";
  return value.substr(start, i - start);
}

bool partialIpv6(std::string& out, std::string_view value) {
  std::string_view first = "0";
  std::string_view second = "0";
  if (value.starts_with("::")) {
    // ::1, ::ffff:10.1.2.3: the first groups are zero.
  } else {
    size_t i = 0;
    first = hexGroupAt(value, i);
    if (i == 0 || i >= value.size() || value[i] != ':') return false;
    ++i;
    if (i < value.size() && value[i] != ':') {
      second = hexGroupAt(value, i);
      if (i < value.size() && value[i] != ':') return false;
    }
  }
  out.append(first);
  out += ':';
  out.append(second);
  out += ":x:x:x:x:x:x";
  return true;
}

bool partialIban(std::string& out, std::string_view value) {
  char compact[40];
  size_t n = 0;
  for (char c : value) {
    if (c == ' ') continue;
    if (!isAsciiAlnum(c) || n == sizeof compact) return false;
    compact[n++] = c;
  }
  if (n < 8 || !isAsciiAlpha(compact[0]) || !isAsciiAlpha(compact[1]) ||
      !isAsciiDigit(compact[2]) || !isAsciiDigit(compact[3]))
    return false;
  out.append(compact, 4);
  out += "****";
  out.append(compact + n - 4, 4);
  return true;
}

std::string sanitizedName(std::string_view name) {
  std::string out;
  for (char c : name) out += isDomainChar(c) || c == '_' ? c : '_';
  if (out.empty()) out = "custom";
  return out;
}

bool isLowerHex(std::string_view text) {
  for (char c : text) {
    if (!isAsciiDigit(c) && !(c >= 'a' && c <= 'f')) return false;
  }
  return true;
}

// Everything a masker writes, so that a second pass can recognise it. Names
// are restricted to the characters sanitizedName() keeps.
constexpr const char* kReplacementPattern = R"(\[REDACTED:[A-Za-z0-9_.\-]+\])"
                                            R"(|<[A-Za-z0-9_.\-]+:[0-9a-f]{10}>)"
                                            R"(|\*{4} \*{4} \*{4} [0-9]{4})"
                                            R"(|\*{3}-\*{3}-\*{2}[0-9]{2})"
                                            R"(|[0-9]{1,3}\.[0-9]{1,3}\.x\.x)"
                                            R"(|[0-9A-Fa-f]{1,4}:[0-9A-Fa-f]{1,4}(?::x){6})"
                                            R"(|[A-Za-z]{2}[0-9]{2}\*{4}[A-Za-z0-9]{4})"
                                            R"(|[^\s*@"\\]\*{3}@[A-Za-z0-9.\-]+)";

}  // namespace

void appendJsonUnescaped(std::string& out, std::string_view escaped) {
  size_t i = 0;
  while (i < escaped.size()) {
    size_t backslash = escaped.find('\\', i);
    if (backslash == std::string_view::npos) backslash = escaped.size();
    out.append(escaped.substr(i, backslash - i));
    i = backslash;
    if (i >= escaped.size()) break;
    if (i + 1 >= escaped.size()) {
      out += kReplacementChar;
      break;
    }
    char e = escaped[i + 1];
    i += 2;
    switch (e) {
      case '"':
      case '\\':
      case '/':
        out += e;
        continue;
      case 'b':
        out += '\b';
        continue;
      case 'f':
        out += '\f';
        continue;
      case 'n':
        out += '\n';
        continue;
      case 'r':
        out += '\r';
        continue;
      case 't':
        out += '\t';
        continue;
      case 'u':
        break;
      default:
        out += kReplacementChar;
        continue;
    }
    int32_t unit = unicodeEscapeAt(escaped, i - 2);
    if (unit < 0) {
      out += kReplacementChar;
      continue;
    }
    i += 4;
    if (unit >= 0xD800 && unit <= 0xDBFF) {
      int32_t low = unicodeEscapeAt(escaped, i);
      if (low >= 0xDC00 && low <= 0xDFFF) {
        appendUtf8(out, 0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00));
        i += 6;
      } else {
        out += kReplacementChar;
      }
    } else if (unit >= 0xDC00 && unit <= 0xDFFF) {
      out += kReplacementChar;
    } else {
      appendUtf8(out, static_cast<uint32_t>(unit));
    }
  }
}

size_t jsonCharLength(std::string_view text, size_t i) {
  const size_t left = text.size() - i;
  const auto c = static_cast<unsigned char>(text[i]);
  if (c == '\\') {
    const int32_t unit = unicodeEscapeAt(text, i);
    if (unit < 0) return std::min<size_t>(2, left);
    if (unit >= 0xD800 && unit <= 0xDBFF) {
      const int32_t low = unicodeEscapeAt(text, i + 6);
      if (low >= 0xDC00 && low <= 0xDFFF) return 12;
    }
    return 6;
  }
  const size_t len = utf8LeadLength(c);
  if (len == 1 || c < 0xC0 || len > left) return 1;
  for (size_t k = 1; k < len; ++k) {
    if ((static_cast<unsigned char>(text[i + k]) & 0xC0) != 0x80) return 1;
  }
  return len;
}

void PiiReplacer::MacCtxDeleter::operator()(EVP_MAC_CTX* ctx) const { EVP_MAC_CTX_free(ctx); }

PiiReplacer::PiiReplacer(const PiiSettings& settings) : modes_(settings.modes) {
  for (size_t k = 0; k < kind_names_.size(); ++k) {
    kind_names_[k] = std::string(piiKindName(static_cast<PiiKind>(k)));
  }
  bool any_hash = false;
  for (size_t k = 0; k < modes_.size(); ++k) {
    any_hash |= settings.detectors.test(k) && modes_[k] == PiiMode::kHash;
  }
  for (const CustomPiiDetector& custom : settings.custom) {
    custom_names_.push_back(sanitizedName(custom.name));
    custom_modes_.push_back(custom.mode);
    any_hash |= custom.mode == PiiMode::kHash;
  }
  if (any_hash) {
    std::unique_ptr<EVP_MAC, decltype(&EVP_MAC_free)> mac(EVP_MAC_fetch(nullptr, "HMAC", nullptr),
                                                          &EVP_MAC_free);
    if (!mac) throw std::runtime_error("pii: OpenSSL has no HMAC");
    mac_.reset(EVP_MAC_CTX_new(mac.get()));
    if (!mac_) throw std::runtime_error("pii: cannot create an HMAC context");
    char digest[] = "SHA256";
    OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0),
                           OSSL_PARAM_construct_end()};
    // A non-null key pointer even when the key is empty: null means "keep the
    // previous key" to EVP_MAC_init.
    static const unsigned char kNoKey = 0;
    const auto* key = settings.hash_key.empty()
                          ? &kNoKey
                          : reinterpret_cast<const unsigned char*>(settings.hash_key.data());
    if (EVP_MAC_init(mac_.get(), key, settings.hash_key.size(), params) != 1) {
      throw std::runtime_error("pii: cannot key HMAC-SHA256");
    }
  }
  RE2::Options options;
  options.set_log_errors(false);
  replacement_pattern_ = std::make_unique<const RE2>(kReplacementPattern, options);
  if (!replacement_pattern_->ok()) throw std::runtime_error("pii: bad replacement pattern");
}

PiiReplacer::~PiiReplacer() = default;

PiiMode PiiReplacer::modeOf(PiiKind kind, uint16_t custom_index) const {
  if (kind == PiiKind::kCustom) {
    return custom_index < custom_modes_.size() ? custom_modes_[custom_index] : PiiMode::kRedact;
  }
  return modes_[static_cast<size_t>(kind)];
}

std::string_view PiiReplacer::nameOf(PiiKind kind, uint16_t custom_index) const {
  if (kind == PiiKind::kCustom && custom_index < custom_names_.size()) {
    return custom_names_[custom_index];
  }
  return kind_names_[static_cast<size_t>(kind)];
}

void PiiReplacer::append(std::string& out, PiiKind kind, uint16_t custom_index,
                         std::string_view value) {
  std::string_view name = nameOf(kind, custom_index);
  switch (modeOf(kind, custom_index)) {
    case PiiMode::kHash:
      if (mac_) {
        appendHashed(out, name, value);
        return;
      }
      break;
    case PiiMode::kPartial:
      if (appendPartial(out, kind, value)) return;
      break;
    case PiiMode::kRedact:
      break;
  }
  appendRedacted(out, name);
}

void PiiReplacer::appendRedacted(std::string& out, std::string_view name) const {
  out += "[REDACTED:";
  out.append(name);
  out += ']';
}

void PiiReplacer::appendHashed(std::string& out, std::string_view name, std::string_view value) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  size_t digest_len = 0;
  // A null key re-initialises the context with the key it already holds.
  if (EVP_MAC_init(mac_.get(), nullptr, 0, nullptr) != 1 ||
      EVP_MAC_update(mac_.get(), reinterpret_cast<const unsigned char*>(value.data()),
                     value.size()) != 1 ||
      EVP_MAC_final(mac_.get(), digest, &digest_len, sizeof digest) != 1 ||
      digest_len * 2 < kHashHexDigits) {
    // Never fall back to the value itself: a redaction loses the pseudonym,
    // not the secret.
    appendRedacted(out, name);
    return;
  }
  static constexpr char kHex[] = "0123456789abcdef";
  out += '<';
  out.append(name);
  out += ':';
  for (size_t i = 0; i < kHashHexDigits / 2; ++i) {
    out += kHex[digest[i] >> 4];
    out += kHex[digest[i] & 15];
  }
  out += '>';
}

bool PiiReplacer::appendPartial(std::string& out, PiiKind kind, std::string_view value) const {
  switch (kind) {
    case PiiKind::kEmail:
      return partialEmail(out, value);
    case PiiKind::kCreditCard:
      return partialCard(out, value);
    case PiiKind::kIpv4:
      return partialIpv4(out, value);
    case PiiKind::kIpv6:
      return partialIpv6(out, value);
    case PiiKind::kPhone:
      return partialPhone(out, value);
    case PiiKind::kIban:
      return partialIban(out, value);
    default:
      return false;
  }
}

bool PiiReplacer::isReplacement(PiiKind kind, uint16_t custom_index, std::string_view text) const {
  std::string_view name = nameOf(kind, custom_index);
  if (text.size() == name.size() + 11 && text.starts_with("[REDACTED:") && text.ends_with(']')) {
    return text.substr(10, name.size()) == name;
  }
  if (text.size() == name.size() + 3 + kHashHexDigits && text.front() == '<' &&
      text.back() == '>' && text.substr(1, name.size()) == name && text[name.size() + 1] == ':') {
    return isLowerHex(text.substr(name.size() + 2, kHashHexDigits));
  }
  return false;
}

void PiiReplacer::findReplacements(std::string_view text, std::vector<ProtectedSpan>& out) const {
  if (text.find_first_of("[<*x") == std::string_view::npos) return;
  re2::StringPiece input(text.data(), text.size());
  re2::StringPiece found;
  size_t pos = 0;
  while (pos < text.size() &&
         replacement_pattern_->Match(input, pos, text.size(), RE2::UNANCHORED, &found, 1)) {
    size_t begin = static_cast<size_t>(found.data() - text.data());
    size_t end = begin + found.size();
    if (end == begin) break;  // the pattern has no empty alternative
    out.push_back({begin, end});
    pos = end;
  }
}

}  // namespace sluice
