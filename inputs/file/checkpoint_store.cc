#include "inputs/file/checkpoint_store.h"

#include <fmt/format.h>
#include <simdjson.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "pipeline/atomic_file.h"
#include "pipeline/json_escape.h"

namespace sluice {
namespace {

namespace od = simdjson::ondemand;

bool parseHex(std::string_view text, uint64_t& value) {
  if (text.empty() || text.size() > 16) return false;
  value = 0;
  for (char c : text) {
    int digit = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
    if (digit < 0) return false;
    value = value << 4 | static_cast<uint64_t>(digit);
  }
  return true;
}

bool parseEntry(od::document& doc, FileCheckpoint& entry) {
  std::string_view source_high, source_low, fingerprint, path;
  uint64_t fingerprint_length = 0;
  int64_t last_seen = 0;
  if (doc["source_high"].get_string().get(source_high) ||
      doc["source_low"].get_string().get(source_low) ||
      doc["device"].get_uint64().get(entry.device) || doc["inode"].get_uint64().get(entry.inode) ||
      doc["fingerprint"].get_string().get(fingerprint) ||
      doc["fingerprint_length"].get_uint64().get(fingerprint_length) ||
      doc["offset"].get_uint64().get(entry.offset) || doc["last_seen"].get_int64().get(last_seen) ||
      doc["path"].get_string().get(path)) {
    return false;
  }
  entry.last_seen = last_seen;
  entry.path = path;
  entry.fingerprint.length = static_cast<uint32_t>(fingerprint_length);
  return fingerprint_length > 0 && fingerprint_length <= (1u << 20) &&
         parseHex(source_high, entry.source.high) && parseHex(source_low, entry.source.low) &&
         parseHex(fingerprint, entry.fingerprint.hash);
}

}  // namespace

std::vector<FileCheckpoint> CheckpointStore::load(std::string& error) const {
  std::vector<FileCheckpoint> entries;
  simdjson::padded_string text;
  if (simdjson::padded_string::load(path_).get(text) != simdjson::SUCCESS) {
    FILE* probe = std::fopen(path_.c_str(), "r");
    if (probe != nullptr) {
      std::fclose(probe);
      error = "cannot read " + path_;
    }
    return entries;  // no file yet: a first start
  }
  od::parser parser;
  bool damaged = false;
  size_t start = 0;
  std::string_view all(text.data(), text.size());
  while (start < all.size()) {
    size_t end = all.find('\n', start);
    if (end == std::string_view::npos) end = all.size();
    std::string_view line = all.substr(start, end - start);
    start = end + 1;
    if (line.empty()) continue;
    od::document doc;
    FileCheckpoint entry;
    // The line lies inside the padded file contents.
    if (parser.iterate(line.data(), line.size(), line.size() + simdjson::SIMDJSON_PADDING)
            .get(doc) ||
        !parseEntry(doc, entry)) {
      damaged = true;
      continue;
    }
    entries.push_back(std::move(entry));
  }
  if (damaged) {
    std::string aside = path_ + ".damaged";
    std::rename(path_.c_str(), aside.c_str());
    error = "damaged lines in " + path_ + " (moved to " + aside +
            "); files without a valid entry are read again";
  }
  return entries;
}

std::string CheckpointStore::save(const std::vector<FileCheckpoint>& entries) const {
  std::string text;
  text.reserve(entries.size() * 200);
  for (const FileCheckpoint& e : entries) {
    fmt::format_to(std::back_inserter(text),
                   "{{\"source_high\":\"{:x}\",\"source_low\":\"{:x}\",\"device\":{},\"inode\":{},"
                   "\"fingerprint\":\"{:x}\",\"fingerprint_length\":{},\"offset\":{},"
                   "\"last_seen\":{},\"path\":",
                   e.source.high, e.source.low, e.device, e.inode, e.fingerprint.hash,
                   e.fingerprint.length, e.offset, e.last_seen);
    appendJsonString(text, e.path);
    text += "}\n";
  }
  return writeFileAtomically(path_, text);
}

}  // namespace sluice
