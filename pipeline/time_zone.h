#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace sluice {

// The zone that zone-less timestamps ("Dec 10 06:55:46", "2024-01-15 10:30:00")
// were written in: UTC, a fixed offset, or an IANA zone with its daylight-saving
// history from the OS tz database (/usr/share/zoneinfo).
//
// Copies are cheap and share the loaded rules; const calls are safe from any
// number of threads.
class TimeZone {
 public:
  // UTC.
  TimeZone() = default;

  // "UTC" or "Z"; a fixed offset "+02:00", "-0530" or "+02"; an IANA name
  // such as "Europe/Paris"; or "Local", the host's zone as the C library sees
  // it: TZ when set (a zone name, a path into /usr/share/zoneinfo, or a POSIX
  // rule such as "CET-1CEST,M3.5.0,M10.5.0/3"), else /etc/localtime. Reads the
  // tz database, so call it while loading the configuration, not per event.
  // On failure, says why in `error`.
  static std::optional<TimeZone> load(std::string_view name, std::string& error);

  // "UTC", "+02:00", the IANA name, or the POSIX rule; "Local" gives the
  // name of the zone it found.
  const std::string& name() const { return name_; }

  // UTC seconds for wall-clock seconds read in this zone (local seconds count
  // from 1970-01-01T00:00 on the wall clock, as if it were UTC).
  //
  // A wall-clock time a transition repeats (autumn, clocks go back) is read
  // as the earlier of its two instants, in the offset before the transition.
  // One a transition skips (spring, clocks go forward) is also read in the
  // offset before the transition, so 02:30 in a 02:00->03:00 gap is 03:30
  // after it, as java.time and Python's fold=0 read it. Outside the years 1
  // to 9999 the offset at the nearer end holds.
  //
  // Cheap per event: each thread remembers, for a few zones, the span of
  // wall-clock time around its last lookup in which the offset stays the
  // same, so the tz database is consulted only when a thread's timestamps
  // leave that span (about twice a year of log time for zones with daylight
  // saving). Past the last transition a zone file lists (2037 in Debian's
  // files), the file's POSIX rule continues the seasons.
  int64_t utcFromLocal(int64_t local_seconds) const {
    if (!rules_) return local_seconds - fixed_offset_;
    return local_seconds - rulesOffset(local_seconds);
  }

 private:
  // The loaded zone data; opaque outside time_zone.cc.
  class Rules;

  TimeZone(std::string name, int64_t fixed_offset, std::shared_ptr<const Rules> rules)
      : name_(std::move(name)), fixed_offset_(fixed_offset), rules_(std::move(rules)) {}

  static std::optional<TimeZone> loadLocal(std::string& error);
  static std::optional<TimeZone> loadNamed(std::string_view name, std::string& error);
  static std::optional<TimeZone> loadPosix(std::string_view rule, std::string& error);
  int64_t rulesOffset(int64_t local_seconds) const;

  std::string name_ = "UTC";
  int64_t fixed_offset_ = 0;            // seconds east of UTC, when rules_ is null
  std::shared_ptr<const Rules> rules_;  // null for UTC and fixed offsets
};

}  // namespace sluice
