#include "inputs/file/file_input.h"

#include <fcntl.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstring>

#include "inputs/container/kubernetes_path.h"
#include "pipeline/atomic_file.h"
#include "pipeline/json_escape.h"
#include "pipeline/logger.h"

namespace sluice {
namespace {

SourceKey nextGenerationKey(const SourceKey& previous, const Fingerprint& fingerprint) {
  const uint64_t parts[5] = {previous.high, previous.low, fingerprint.hash, fingerprint.length,
                             0x7472756e63617465ULL /* "truncate" */};
  return SourceKey::fromParts(std::string_view(reinterpret_cast<const char*>(parts), sizeof parts));
}

std::string checkpointPath(const BuildContext& context, const std::string& input_id) {
  std::string dir = context.state_dir + "/checkpoints";
  std::string error = makeDirectories(dir);
  if (!error.empty()) throw std::runtime_error("state_dir: " + error);
  return dir + "/" + input_id + ".ndjson";
}

}  // namespace

FileInput::FileInput(const InputSettings& settings, const FileInputConfig& config,
                     const BuildContext& context)
    : ThreadedInput(settings, context),
      config_(config),
      watcher_(config.paths, config.exclude),
      checkpoints_(CheckpointStore(checkpointPath(context, settings.id)),
                   config.clean_removed_after),
      bytes_read_(metrics().counter("sluice_bytes_read_total", "Bytes read by an input",
                                    {{"input", settings.id}})),
      files_open_(metrics().gauge("sluice_files_open", "Files held open by file inputs")),
      lag_bytes_(metrics().gauge("sluice_input_lag_bytes",
                                 "Bytes between what an input read and the end of its files",
                                 {{"input", settings.id}})),
      files_waiting_(metrics().gauge("sluice_files_waiting",
                                     "Files found but not opened: max_open_files reached",
                                     {{"input", settings.id}})),
      container_errors_(metrics().counter(
          "sluice_container_parse_errors_total",
          "Container log records that could not be decoded, shipped whole and tagged",
          {{"input", settings.id}})),
      truncations_(metrics().counter("sluice_file_truncations_total",
                                     "Files read again from the start: truncated or rewritten",
                                     {{"input", settings.id}})) {
  std::string problem = checkpoints_.load();
  if (!problem.empty())
    logError("file", "checkpoints could not all be read", {{"input", id()}, {"error", problem}});
}

FileInput::~FileInput() {
  stopAndJoin();
  files_open_.add(-static_cast<int64_t>(files_.size()));
}

void FileInput::openFile(const FoundFile& found, bool at_end) {
  int fd = ::open(found.path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) {
    logWarn("file", "cannot open file",
            {{"input", id()}, {"path", found.path}, {"error", std::strerror(errno)}});
    return;
  }
  struct stat st {};
  if (::fstat(fd, &st) != 0 || st.st_dev != found.device || st.st_ino != found.inode) {
    ::close(fd);  // replaced between the scan and the open: the next scan sees it
    return;
  }
  // Container records wrap the application's line (escaped, for Docker):
  // the physical line may be longer than the logical one.
  const uint64_t physical_max = config_.container
                                    ? std::max<uint64_t>(config_.max_line_bytes * 2, 256 * 1024)
                                    : config_.max_line_bytes;
  TailedFile& file =
      files_.emplace_back(found.path, found.device, found.inode, UniqueFd(fd), physical_max);
  if (config_.container) {
    file.joiner = std::make_unique<PartialJoiner>(config_.max_line_bytes);
    if (auto info = parseKubernetesPath(file.path))
      appendKubernetesFields(*info, file.kubernetes_fields);
  }
  if (multilineRules()) {
    for (auto& stage : file.multiline) {
      stage = std::make_unique<MultilineStage>(multilineRules());
      if (!config_.container) break;  // plain files have one stream
    }
  }
  appendJsonString(file.path_json, file.path);
  open_files_[{static_cast<uint64_t>(file.device), static_cast<uint64_t>(file.inode)}] =
      std::prev(files_.end());
  uint64_t start = 0;
  const char* how = "from the start";
  auto resumed = checkpoints_.resumePoint(found.device, found.inode, fd);
  if (resumed && resumed->offset > static_cast<uint64_t>(st.st_size)) {
    // Shorter than what was delivered: truncated while we were not running.
    logWarn("file", "file was truncated while sluice was stopped, reading it from the start",
            {{"input", id()},
             {"path", found.path},
             {"offset", static_cast<int64_t>(resumed->offset)},
             {"size", static_cast<int64_t>(st.st_size)}});
    truncations_.add();
    file.replaced = resumed->source;
    how = "from the start (truncated)";
  } else if (resumed) {
    start = resumed->offset;
    file.fingerprint = resumed->fingerprint;
    file.source = resumed->source;
    how = "from its checkpoint";
  } else if (auto previous = checkpoints_.predecessor(found.device, found.inode)) {
    // Its device and inode had other content (truncated and rewritten while
    // sluice was down, before its new first line was saved, or a recycled
    // inode): derive the identity as a running sluice would have.
    file.replaced = *previous;
    how = "from the start (new content)";
  } else if (at_end) {
    start = static_cast<uint64_t>(st.st_size);
    how = "from its end";
  } else if (auto initial = initial_sizes_.find({found.device, found.inode});
             config_.start_at_end && initial != initial_sizes_.end()) {
    // Found by the first scan but opened later (max_open_files): it starts
    // where its end was then.
    start = std::min<uint64_t>(initial->second, static_cast<uint64_t>(st.st_size));
    how = "from its end when first found";
  }
  initial_sizes_.erase({found.device, found.inode});
  if (start > 0) {
    ::lseek(fd, static_cast<off_t>(start), SEEK_SET);
    file.reader.reset(start);
  }
  if (file.fingerprint) {
    checkpoints_.track(
        {file.source, file.device, file.inode, *file.fingerprint, start, 0, file.path});
  }
  files_open_.add(1);
  logInfo("file", "tailing file",
          {{"input", id()},
           {"path", file.path},
           {"offset", static_cast<int64_t>(start)},
           {"resuming", how}});
}

bool FileInput::identify(TailedFile& file) {
  if (file.fingerprint) return true;
  file.fingerprint = readFingerprint(file.fd.get(), config_.fingerprint_bytes);
  if (!file.fingerprint) return false;
  file.source = fileSourceKey(*file.fingerprint, file.device, file.inode);
  if (file.replaced) {
    // Rewritten in place: even with the same first line, it is new content,
    // and its events need ids the old content did not use. The old entry
    // goes, so that a restart before the next save derives the same key.
    file.source = nextGenerationKey(*file.replaced, *file.fingerprint);
    checkpoints_.forget(*file.replaced);
    file.replaced.reset();
  }
  checkpoints_.track({file.source, file.device, file.inode, *file.fingerprint,
                      file.reader.readOffset(), 0, file.path});
  return true;
}

void FileInput::restartIfReplaced(TailedFile& file) {
  file.verify_before_read = false;
  struct stat st {};
  if (::fstat(file.fd.get(), &st) != 0) return;
  const bool shrunk = static_cast<uint64_t>(st.st_size) < file.reader.readOffset();
  // A file that grew past our offset again before we looked is caught by its
  // first line, which an append-only file never changes.
  const bool rewritten =
      !shrunk && file.fingerprint && !fingerprintMatches(file.fd.get(), *file.fingerprint);
  if (!shrunk && !rewritten) return;
  logWarn("file", "file was truncated or rewritten, reading it again from the start",
          {{"input", id()},
           {"path", file.path},
           {"offset", static_cast<int64_t>(file.reader.readOffset())},
           {"size", static_cast<int64_t>(st.st_size)}});
  truncations_.add();
  // An event still open belongs to the old content: it ships under the old
  // identity, before the new content is read.
  flushMultiline(file, /*only_stale=*/false);
  ::lseek(file.fd.get(), 0, SEEK_SET);
  file.reader.reset(0);
  if (file.fingerprint) file.replaced = file.source;
  file.fingerprint.reset();  // a new identity, derived from the old one
  file.format = ContainerFormat::kUnknown;
  if (file.joiner) file.joiner->reset();
}

void FileInput::rescan(bool initial) {
  for (TailedFile& f : files_) f.still_listed = false;
  size_t waiting = 0;
  for (const FoundFile& found : watcher_.scan()) {
    const CheckpointTracker::DeviceInode key{found.device, found.inode};
    checkpoints_.markSeen(found.device, found.inode);
    auto known = open_files_.find(key);
    if (known != open_files_.end()) {
      known->second->still_listed = true;
      continue;
    }
    auto idle = inactive_.find(key);
    if (idle != inactive_.end()) {
      if (idle->second == std::pair<int64_t, int64_t>(found.size, found.modified)) continue;
      inactive_.erase(idle);  // written since it was closed: open it again
    }
    if (config_.ignore_older.count() > 0 &&
        unixSeconds() - found.modified > config_.ignore_older.count() &&
        !checkpoints_.knows(found.device, found.inode)) {
      continue;
    }
    if (files_.size() >= config_.max_open_files) {
      if (initial) initial_sizes_[key] = static_cast<uint64_t>(found.size);
      ++waiting;
      continue;
    }
    // Files that appear while running start at their beginning whatever
    // start_at says: their first lines were written after we started.
    openFile(found, initial && config_.start_at_end);
  }
  files_waiting_.set(static_cast<int64_t>(waiting));
  uint64_t suppressed = 0;
  if (waiting > 0 && open_limit_log_.allow(suppressed)) {
    logWarn("file", "max_open_files reached: files wait until others are closed",
            {{"input", id()},
             {"waiting", static_cast<int64_t>(waiting)},
             {"max_open_files", static_cast<int64_t>(config_.max_open_files)}});
  }
  updateLag();
}

void FileInput::updateLag() {
  int64_t lag = 0;
  for (TailedFile& f : files_) {
    struct stat st {};
    if (::fstat(f.fd.get(), &st) == 0 &&
        static_cast<uint64_t>(st.st_size) > f.reader.readOffset()) {
      lag += static_cast<int64_t>(static_cast<uint64_t>(st.st_size) - f.reader.readOffset());
    }
  }
  lag_bytes_.set(lag);
}

bool FileInput::keepAtEndOfFile(TailedFile& file) {
  file.verify_before_read = true;
  struct stat st {};
  if (::fstat(file.fd.get(), &st) != 0) return false;
  if (static_cast<uint64_t>(st.st_size) < file.reader.readOffset())
    return true;  // truncated: next turn
  // Renamed away or deleted: writers may still append for a moment, so the
  // file is released only once it has been idle for rotate_wait.
  const bool gone = st.st_nlink == 0 || !file.still_listed;
  const auto idle_for = Clock::now() - file.last_data;
  if (file.joiner && idle_for >= config_.rotate_wait) flushPartialLines(file);
  if (gone && idle_for >= config_.rotate_wait) {
    logInfo("file", "closing file that was removed or rotated away",
            {{"input", id()}, {"path", file.path}});
    return false;
  }
  if (!gone && idle_for >= config_.close_inactive) {
    // Its descriptor is better spent elsewhere; a rescan that sees it grow
    // opens it again at its checkpoint.
    inactive_[{file.device, file.inode}] = {st.st_size, st.st_mtim.tv_sec};
    logInfo("file", "closing inactive file", {{"input", id()}, {"path", file.path}});
    return false;
  }
  return true;
}

bool FileInput::readTurn(TailedFile& file, bool& progressed) {
  if (file.verify_before_read) restartIfReplaced(file);
  if (!identify(file)) return keepAtEndOfFile(file);
  size_t budget = config_.read_bytes_per_turn;
  auto on_line = [&](const LineReader::Line& line) {
    if (file.joiner) {
      onContainerLine(file, line);
    } else {
      shipLine(file, line.text,
               {file.source, file.path_json, line.offset, line.end_offset, line.truncated});
    }
  };
  while (budget > 0 && !sink_closed_) {
    size_t n = 0;
    LineReader::Status status = file.reader.readLines(file.fd.get(), n, on_line);
    bytes_read_.add(n);
    if (status == LineReader::Status::kError) {
      if (errno == EAGAIN) return true;
      logWarn("file", "read failed, closing file",
              {{"input", id()}, {"path", file.path}, {"error", std::strerror(errno)}});
      return false;
    }
    if (status == LineReader::Status::kEndOfFile) return keepAtEndOfFile(file);
    progressed = true;
    file.last_data = Clock::now();
    budget -= std::min(budget, n);
  }
  return true;
}

void FileInput::ship(std::string_view text, const LineOrigin& origin) {
  if (!builder().add(text, origin)) sink_closed_ = true;
}

uint64_t FileInput::clampToPending(const TailedFile& file, uint64_t end_offset) {
  for (const auto& stage : file.multiline) {
    if (stage) end_offset = std::min(end_offset, stage->pendingOffset());
  }
  return end_offset;
}

uint64_t FileInput::clampToOtherStream(const TailedFile& file, size_t stream, uint64_t end_offset) {
  const auto& other = file.multiline[1 - stream];
  return other ? std::min(end_offset, other->pendingOffset()) : end_offset;
}

void FileInput::shipLine(TailedFile& file, std::string_view text, const LineOrigin& origin) {
  const size_t stream = origin.stream == kStderrStream ? 1 : 0;
  auto& stage = file.multiline[stream];
  if (!stage) {
    ship(text, origin);
    return;
  }
  // An event leaves its stage while that stage still holds it (or the line
  // after it): only the other stream's open event may hold its end back.
  auto to_builder = [&](std::string_view event_text, const LineOrigin& event_origin) {
    LineOrigin clamped = event_origin;
    if (file.joiner) clamped.end_offset = clampToOtherStream(file, stream, event_origin.end_offset);
    ship(event_text, clamped);
  };
  stage->add(text, origin, Clock::now(), to_builder);
}

void FileInput::flushMultiline(TailedFile& file, bool only_stale) {
  const auto now = Clock::now();
  // The stream whose open event started first goes first: the other's event
  // then ships with nothing open before it, and the checkpoint reaches as far
  // as it can.
  size_t order[2] = {0, 1};
  if (file.multiline[0] && file.multiline[1] &&
      file.multiline[1]->pendingOffset() < file.multiline[0]->pendingOffset()) {
    std::swap(order[0], order[1]);
  }
  for (size_t stream : order) {
    auto& stage = file.multiline[stream];
    if (!stage) continue;
    auto to_builder = [&](std::string_view text, const LineOrigin& origin) {
      LineOrigin clamped = origin;
      if (file.joiner) clamped.end_offset = clampToOtherStream(file, stream, origin.end_offset);
      ship(text, clamped);
    };
    if (only_stale) {
      stage->flushIfStale(now, to_builder);
    } else {
      stage->flush(to_builder);
    }
  }
}

namespace {

// Where reading may resume once a line ending at `end` is delivered: not past
// the first piece of a line still being joined on the other stream, or a
// restart would lose its head.
uint64_t resumeOffset(const PartialJoiner& joiner, uint64_t end) {
  auto pending = joiner.pendingOffset();
  return pending ? std::min(end, *pending) : end;
}

}  // namespace

LineOrigin FileInput::containerOrigin(const TailedFile& file, const JoinedLine& joined,
                                      uint64_t read_end) const {
  // Only the other stream's open event holds this line's end back: the line's
  // own stage clamps again when it ships the event the line belongs to.
  // With multiline rules, the other stream's open event is taken into account
  // when the event this line belongs to ships (shipLine), not now.
  LineOrigin origin{file.source, file.path_json, joined.offset,
                    resumeOffset(*file.joiner, read_end), joined.truncated};
  origin.file_fields = &file.kubernetes_fields;
  origin.stream = joined.stream;
  origin.runtime_time = joined.time;
  return origin;
}

void FileInput::onContainerLine(TailedFile& file, const LineReader::Line& line) {
  if (file.format == ContainerFormat::kUnknown) file.format = detectFormat(line.text);
  ContainerLine piece;
  ContainerLineError error =
      file.format == ContainerFormat::kUnknown
          ? ContainerLineError::kUnknownFormat
          : container_decoder_.decode(file.format, line.text, container_buffer_, piece);
  if (error != ContainerLineError::kNone) {
    LineOrigin origin{file.source, file.path_json, line.offset,
                      resumeOffset(*file.joiner, line.end_offset), line.truncated};
    origin.file_fields = &file.kubernetes_fields;
    origin.tag = kContainerParseErrorTag;  // shipped whole, never dropped
    origin.end_offset = clampToPending(file, origin.end_offset);
    container_errors_.add();
    ship(line.text, origin);
    return;
  }
  auto joined = file.joiner->add(piece, line.offset, line.truncated);
  if (joined && !joined->content.empty()) {
    shipLine(file, joined->content, containerOrigin(file, *joined, line.end_offset));
  }
}

void FileInput::flushPartialLines(TailedFile& file) {
  for (std::string_view stream : {kStdoutStream, kStderrStream}) {
    auto joined = file.joiner->flush(stream);
    if (joined && !joined->content.empty()) {
      shipLine(file, joined->content,
               containerOrigin(file, *joined, file.reader.committedOffset()));
    }
  }
}

void FileInput::saveCheckpoints() {
  std::vector<SourceKey> open_sources;
  for (const TailedFile& f : files_) {
    if (f.fingerprint) open_sources.push_back(f.source);
  }
  std::string error = checkpoints_.save(open_sources);
  uint64_t suppressed = 0;
  if (!error.empty() && save_errors_.allow(suppressed)) {
    // Reading goes on; a restart would read again what is not checkpointed.
    logError("file", "cannot save checkpoints",
             {{"input", id()}, {"error", error}, {"suppressed", static_cast<int64_t>(suppressed)}});
  }
}

void FileInput::saveState() { saveCheckpoints(); }

void FileInput::run() {
  rescan(/*initial=*/true);
  auto next_scan = Clock::now() + config_.scan_interval;
  next_save_ = Clock::now() + std::chrono::seconds(1);
  while (!stopRequested() && !sink_closed_) {
    bool progressed = false;
    for (auto it = files_.begin(); it != files_.end() && !sink_closed_;) {
      if (readTurn(*it, progressed)) {
        flushMultiline(*it, /*only_stale=*/true);
        ++it;
      } else {
        flushMultiline(*it, /*only_stale=*/false);
        open_files_.erase({static_cast<uint64_t>(it->device), static_cast<uint64_t>(it->inode)});
        it = files_.erase(it);
        files_open_.add(-1);
      }
    }
    if (!builder().flushIfDue()) break;
    if (Clock::now() >= next_save_) {
      saveCheckpoints();
      next_save_ = Clock::now() + std::chrono::seconds(1);
    }
    bool rescan_now = Clock::now() >= next_scan;
    if (!progressed && !rescan_now) {
      auto until_scan =
          std::chrono::duration_cast<std::chrono::milliseconds>(next_scan - Clock::now());
      auto timeout =
          std::min({builder().timeUntilDue(), until_scan, std::chrono::milliseconds(500)});
      if (multilineRules()) timeout = std::min(timeout, multilineRules()->timeout);
      rescan_now = watcher_.wait(std::max(timeout, std::chrono::milliseconds(1)));
    }
    if (rescan_now) {
      rescan(/*initial=*/false);
      next_scan = Clock::now() + config_.scan_interval;
    }
  }
  if (!sink_closed_) {
    for (TailedFile& file : files_) flushMultiline(file, /*only_stale=*/false);
  }
  builder().flush();
}

}  // namespace sluice
