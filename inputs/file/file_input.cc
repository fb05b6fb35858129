#include "inputs/file/file_input.h"

#include <fcntl.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstring>

#include "pipeline/json_escape.h"
#include "pipeline/logger.h"

namespace sluice {
namespace {

using Clock = std::chrono::steady_clock;

SourceKey fileSourceKey(const std::string& path, dev_t device, ino_t inode, uint64_t generation) {
  std::string parts = "file";
  parts += '\0';
  parts += path;
  parts += '\0';
  parts += std::to_string(device) + ":" + std::to_string(inode) + ":" + std::to_string(generation);
  return SourceKey::fromParts(parts);
}

}  // namespace

FileInput::FileInput(const InputSettings& settings, const FileInputConfig& config,
                     const BuildContext& context)
    : ThreadedInput(settings, context),
      config_(config),
      watcher_(config.paths, config.exclude),
      bytes_read_(metrics().counter("sluice_bytes_read_total", "Bytes read by an input",
                                    {{"input", settings.id}})),
      files_open_(metrics().gauge("sluice_files_open", "Files held open by file inputs")),
      lag_bytes_(metrics().gauge("sluice_input_lag_bytes",
                                 "Bytes between what an input read and the end of its files",
                                 {{"input", settings.id}})) {}

FileInput::~FileInput() {
  stopAndJoin();
  files_open_.add(-static_cast<int64_t>(files_.size()));
}

bool FileInput::openFile(const FoundFile& found, bool at_end) {
  int fd = ::open(found.path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) {
    logWarn("file", "cannot open file",
            {{"input", id()}, {"path", found.path}, {"error", std::strerror(errno)}});
    return false;
  }
  struct stat st {};
  if (::fstat(fd, &st) != 0 || st.st_dev != found.device || st.st_ino != found.inode) {
    ::close(fd);  // replaced between the scan and the open: the next scan sees it
    return false;
  }
  TailedFile& file = files_.emplace_back(TailedFile{found.path,
                                                    {},
                                                    found.device,
                                                    found.inode,
                                                    UniqueFd(fd),
                                                    LineReader(config_.max_line_bytes),
                                                    {},
                                                    0,
                                                    true});
  appendJsonString(file.path_json, file.path);
  file.source = fileSourceKey(file.path, file.device, file.inode, file.generation);
  if (at_end && st.st_size > 0) {
    ::lseek(fd, st.st_size, SEEK_SET);
    file.reader.reset(static_cast<uint64_t>(st.st_size));
  }
  files_open_.add(1);
  logInfo("file", "tailing file",
          {{"input", id()},
           {"path", file.path},
           {"offset", static_cast<int64_t>(file.reader.readOffset())}});
  return true;
}

void FileInput::rescan(bool initial) {
  for (TailedFile& f : files_) f.still_listed = false;
  for (const FoundFile& found : watcher_.scan()) {
    bool known = false;
    for (TailedFile& f : files_) {
      if (f.device == found.device && f.inode == found.inode) {
        f.still_listed = true;
        known = true;
      }
    }
    // Files that appear while running start at their beginning whatever
    // start_at says: their first lines were written after we started.
    if (!known) openFile(found, initial && config_.start_at_end);
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

void FileInput::checkTruncationOrDeletion(TailedFile& file, bool& keep) {
  struct stat st {};
  if (::fstat(file.fd.get(), &st) != 0) {
    keep = false;
    return;
  }
  if (static_cast<uint64_t>(st.st_size) < file.reader.readOffset()) {
    // Truncated in place (copytruncate): what follows is new content. A new
    // generation gives its lines new ids.
    logWarn("file", "file was truncated, reading it again from the start",
            {{"input", id()},
             {"path", file.path},
             {"offset", static_cast<int64_t>(file.reader.readOffset())},
             {"size", static_cast<int64_t>(st.st_size)}});
    ::lseek(file.fd.get(), 0, SEEK_SET);
    file.reader.reset(0);
    ++file.generation;
    file.source = fileSourceKey(file.path, file.device, file.inode, file.generation);
    return;
  }
  // Deleted or rotated away, and read to the end: release it.
  if (st.st_nlink == 0 || !file.still_listed) {
    logInfo("file", "closing file that was removed or rotated away",
            {{"input", id()}, {"path", file.path}});
    keep = false;
  }
}

bool FileInput::readTurn(TailedFile& file, bool& progressed) {
  size_t budget = config_.read_bytes_per_turn;
  auto on_line = [&](const LineReader::Line& line) {
    LineOrigin origin{file.source, file.path_json, line.offset, line.truncated};
    if (!builder().add(line.text, origin)) sink_closed_ = true;
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
    if (status == LineReader::Status::kEndOfFile) {
      bool keep = true;
      checkTruncationOrDeletion(file, keep);
      return keep;
    }
    progressed = true;
    budget -= std::min(budget, n);
  }
  return true;
}

void FileInput::run() {
  rescan(/*initial=*/true);
  auto next_scan = Clock::now() + config_.scan_interval;
  while (!stopRequested() && !sink_closed_) {
    bool progressed = false;
    for (auto it = files_.begin(); it != files_.end() && !sink_closed_;) {
      if (readTurn(*it, progressed)) {
        ++it;
      } else {
        it = files_.erase(it);
        files_open_.add(-1);
      }
    }
    if (!builder().flushIfDue()) break;
    bool rescan_now = Clock::now() >= next_scan;
    if (!progressed && !rescan_now) {
      auto until_scan =
          std::chrono::duration_cast<std::chrono::milliseconds>(next_scan - Clock::now());
      auto timeout =
          std::min({builder().timeUntilDue(), until_scan, std::chrono::milliseconds(1000)});
      rescan_now = watcher_.wait(std::max(timeout, std::chrono::milliseconds(1)));
    }
    if (rescan_now) {
      rescan(/*initial=*/false);
      next_scan = Clock::now() + config_.scan_interval;
    }
  }
  builder().flush();
}

}  // namespace sluice
