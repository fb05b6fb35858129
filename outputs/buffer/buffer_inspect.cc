#include "outputs/buffer/buffer_inspect.h"

#include <fmt/format.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstring>

#include "outputs/buffer/ack_cursor.h"
#include "outputs/buffer/segment_format.h"
#include "outputs/buffer/segment_reader.h"
#include "pipeline/json_escape.h"

namespace sluice {
namespace {

bool exists(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0;
}

struct Totals {
  uint64_t size = 0, records = 0, events = 0, raw = 0, stored = 0;
  uint64_t unacknowledged_records = 0, unacknowledged_events = 0, damaged = 0;
};

Totals totalsOf(const BufferInspection& inspection) {
  Totals t;
  for (const SegmentInspection& s : inspection.segments) {
    t.size += s.size;
    t.records += s.records;
    t.events += s.events;
    t.raw += s.raw_bytes;
    t.stored += s.stored_bytes;
    t.unacknowledged_records += s.unacknowledged_records;
    t.unacknowledged_events += s.unacknowledged_events;
    if (s.problem && !s.problem->torn_tail) ++t.damaged;
  }
  return t;
}

}  // namespace

bool BufferInspection::damaged() const { return totalsOf(*this).damaged > 0; }

bool inspectBuffer(const std::string& path, BufferInspection& inspection, std::string& error) {
  inspection = {};
  inspection.path = path;
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    error = "cannot read " + path + ": " + std::strerror(errno);
    return false;
  }
  if (!S_ISDIR(st.st_mode)) {
    error = path + " is not a directory (give the buffer's directory)";
    return false;
  }
  std::vector<SegmentName> names;
  if (!listSegments(path, names, error)) return false;
  inspection.ack_cursor = readAckCursor(path, inspection.ack_problem);
  const uint64_t cursor = inspection.ack_cursor.value_or(0);
  RecordDecoder decoder;
  uint64_t lowest = 0;
  for (size_t i = 0; i < names.size(); ++i) {
    const bool newest = i + 1 == names.size();
    const std::string segment_path = path + "/" + names[i].name;
    SegmentScan scan =
        scanSegment(segment_path, names[i].first_record, lowest,
                    newest ? UINT64_MAX : names[i + 1].first_record, cursor, &decoder);
    // The agent deletes acknowledged segments while we look.
    if (scan.problem && scan.problem->io_error && !exists(segment_path)) continue;
    SegmentInspection& s = inspection.segments.emplace_back();
    s.name = names[i].name;
    s.size = scan.file_size;
    s.records = scan.records;
    s.events = scan.events;
    s.raw_bytes = scan.raw_bytes;
    s.stored_bytes = scan.stored_bytes;
    s.first_record = scan.first_number;
    s.last_record = scan.last_number;
    s.unacknowledged_records = scan.records_from;
    s.unacknowledged_events = scan.events_from;
    if (scan.problem) {
      const bool torn = newest && !scan.problem->valid_data_follows && !scan.problem->io_error;
      s.problem = SegmentInspection::Problem{scan.problem->offset, scan.problem->reason, torn};
    }
    if (scan.records > 0) lowest = scan.last_number + 1;
  }
  return true;
}

void printInspection(const BufferInspection& inspection, std::ostream& out) {
  out << "buffer " << inspection.path << "\n";
  if (inspection.ack_cursor) {
    out << "ack cursor: " << *inspection.ack_cursor << " (records below it were delivered)\n";
  } else if (!inspection.ack_problem.empty()) {
    out << "ack cursor: unusable (" << inspection.ack_problem
        << "); the agent replays every record\n";
  } else {
    out << "ack cursor: none (nothing acknowledged yet)\n";
  }
  out << fmt::format("{:<24} {:>12} {:>9} {:>10} {:>12} {:>12} {:>12} {:>12}\n", "SEGMENT", "SIZE",
                     "RECORDS", "EVENTS", "RAW_BYTES", "STORED", "FIRST", "LAST");
  for (const SegmentInspection& s : inspection.segments) {
    const std::string first = s.records > 0 ? std::to_string(s.first_record) : "-";
    const std::string last = s.records > 0 ? std::to_string(s.last_record) : "-";
    out << fmt::format("{:<24} {:>12} {:>9} {:>10} {:>12} {:>12} {:>12} {:>12}\n", s.name, s.size,
                       s.records, s.events, s.raw_bytes, s.stored_bytes, first, last);
    if (s.problem && s.problem->torn_tail) {
      out << "  incomplete record at offset " << s.problem->offset << " (" << s.problem->reason
          << "): a write in progress, or cut short by a crash; recovery removes it\n";
    } else if (s.problem) {
      out << "  DAMAGED at offset " << s.problem->offset << ": " << s.problem->reason << "; "
          << (s.size - s.problem->offset) << " bytes after it are unreadable\n";
    }
  }
  const Totals t = totalsOf(inspection);
  out << fmt::format(
      "total: {} segments, {} bytes; {} records ({} unacknowledged), {} events ({} "
      "unacknowledged); payload {} bytes stored as {}; {} damaged segments\n",
      inspection.segments.size(), t.size, t.records, t.unacknowledged_records, t.events,
      t.unacknowledged_events, t.raw, t.stored, t.damaged);
}

void printInspectionJson(const BufferInspection& inspection, std::ostream& out) {
  std::string json = "{\"path\":";
  appendJsonString(json, inspection.path);
  json += ",\"ack_cursor\":";
  json += inspection.ack_cursor ? std::to_string(*inspection.ack_cursor) : "null";
  if (!inspection.ack_problem.empty()) {
    json += ",\"ack_problem\":";
    appendJsonString(json, inspection.ack_problem);
  }
  json += ",\"segments\":[";
  for (const SegmentInspection& s : inspection.segments) {
    if (json.back() != '[') json += ',';
    json += "{\"name\":";
    appendJsonString(json, s.name);
    json += fmt::format(
        ",\"size\":{},\"records\":{},\"events\":{},\"raw_bytes\":{},\"stored_bytes\":{},"
        "\"unacknowledged_records\":{},\"unacknowledged_events\":{}",
        s.size, s.records, s.events, s.raw_bytes, s.stored_bytes, s.unacknowledged_records,
        s.unacknowledged_events);
    if (s.records > 0) {
      json += fmt::format(",\"first_record\":{},\"last_record\":{}", s.first_record, s.last_record);
    }
    if (s.problem) {
      json += fmt::format(",\"problem\":{{\"kind\":\"{}\",\"offset\":{},\"reason\":",
                          s.problem->torn_tail ? "torn_tail" : "damage", s.problem->offset);
      appendJsonString(json, s.problem->reason);
      json += '}';
    }
    json += '}';
  }
  const Totals t = totalsOf(inspection);
  json += fmt::format(
      "],\"totals\":{{\"segments\":{},\"size\":{},\"records\":{},\"unacknowledged_records\":{},"
      "\"events\":{},\"unacknowledged_events\":{},\"raw_bytes\":{},\"stored_bytes\":{},"
      "\"damaged_segments\":{}}},\"clean\":{}}}\n",
      inspection.segments.size(), t.size, t.records, t.unacknowledged_records, t.events,
      t.unacknowledged_events, t.raw, t.stored, t.damaged, t.damaged == 0 ? "true" : "false");
  out << json;
}

}  // namespace sluice
