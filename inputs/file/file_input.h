#pragma once

#include <chrono>
#include <list>
#include <optional>
#include <unordered_map>
#include <utility>

#include "inputs/container/container_line.h"
#include "inputs/container/partial_joiner.h"
#include "inputs/file/checkpoint_tracker.h"
#include "inputs/file/file_identity.h"
#include "inputs/file/file_input_config.h"
#include "inputs/file/file_watcher.h"
#include "inputs/line_reader.h"
#include "inputs/multiline_stage.h"
#include "inputs/threaded_input.h"
#include "pipeline/logger.h"
#include "pipeline/unique_fd.h"

namespace sluice {

// Tails the files matching an input's patterns, on one thread: discovers
// them, reads each in bounded turns so one busy file cannot starve the
// others, and turns lines into batches.
class FileInput : public ThreadedInput {
 public:
  FileInput(const InputSettings& settings, const FileInputConfig& config,
            const BuildContext& context);
  ~FileInput() override;

  void saveState() override;

 private:
  using Clock = std::chrono::steady_clock;
  struct TailedFile {
    TailedFile(std::string file_path, dev_t dev, ino_t ino, UniqueFd file_fd, uint64_t max_line)
        : path(std::move(file_path)),
          device(dev),
          inode(ino),
          fd(std::move(file_fd)),
          reader(max_line),
          last_data(Clock::now()) {}

    std::string path;
    std::string path_json;
    dev_t device;
    ino_t inode;
    UniqueFd fd;
    LineReader reader;
    std::optional<Fingerprint> fingerprint;  // none until the first line is complete
    SourceKey source;
    // The identity of the content this file held before it was truncated.
    std::optional<SourceKey> replaced;
    bool still_listed = true;
    bool verify_before_read = false;  // data after an end of file: truncated meanwhile?
    Clock::time_point last_data;
    // Container logs only.
    ContainerFormat format = ContainerFormat::kUnknown;
    std::unique_ptr<PartialJoiner> joiner;
    std::vector<StaticField> kubernetes_fields;
    // With multiline rules: one stage per stream (plain files use the first).
    std::unique_ptr<MultilineStage> multiline[2];
  };

  void run() override;
  void onBatchSent(uint64_t sequence,
                   std::vector<BatchBuilder::SourcePosition>&& positions) override {
    checkpoints_.batchSent(sequence, std::move(positions));
  }
  void onAcknowledged(uint64_t sequence) override { checkpoints_.acknowledged(sequence); }
  // Files keep growing while the input waits: the lag stays current.
  void onWaiting() override { updateLag(); }

  void rescan(bool initial);
  void openFile(const FoundFile& found, bool at_end);
  // Fingerprints a file whose first line is complete; false while it is not.
  bool identify(TailedFile& file);
  // Starts a file over when it was truncated or rewritten since it was read.
  void restartIfReplaced(TailedFile& file);
  // Reads one turn of `file`; false when the file is done with and closed.
  bool readTurn(TailedFile& file, bool& progressed);
  bool keepAtEndOfFile(TailedFile& file);
  void ship(std::string_view text, const LineOrigin& origin);
  // Through the file's multiline stage for the line's stream, if it has one.
  void shipLine(TailedFile& file, std::string_view text, const LineOrigin& origin);
  void flushMultiline(TailedFile& file, bool only_stale);
  // A container event may not move the checkpoint past the first line of an
  // event still being assembled on the other stream.
  static uint64_t clampToPending(const TailedFile& file, uint64_t end_offset);
  static uint64_t clampToOtherStream(const TailedFile& file, size_t stream, uint64_t end_offset);
  void onContainerLine(TailedFile& file, const LineReader::Line& line);
  LineOrigin containerOrigin(const TailedFile& file, const JoinedLine& joined,
                             uint64_t read_end) const;
  // Ships what a container left unterminated (it exited, or the file rotated).
  void flushPartialLines(TailedFile& file);
  void saveCheckpoints();
  void updateLag();

  FileInputConfig config_;
  FileWatcher watcher_;
  CheckpointTracker checkpoints_;
  ContainerLineDecoder container_decoder_;
  std::string container_buffer_;
  std::list<TailedFile> files_;
  // The same files by device and inode: a rescan of many files stays linear.
  std::unordered_map<std::pair<uint64_t, uint64_t>, std::list<TailedFile>::iterator,
                     CheckpointTracker::DeviceInodeHash>
      open_files_;
  bool sink_closed_ = false;
  Clock::time_point next_save_;
  LogRateLimiter save_errors_;
  Counter& bytes_read_;
  Gauge& files_open_;
  Gauge& lag_bytes_;
  Gauge& files_waiting_;
  Counter& container_errors_;
  Counter& truncations_;
  LogRateLimiter open_limit_log_;
  // Files closed for inactivity: their size and modification time then.
  std::unordered_map<CheckpointTracker::DeviceInode, std::pair<int64_t, int64_t>,
                     CheckpointTracker::DeviceInodeHash>
      inactive_;
  // Files of the first scan that waited for an open slot, and their size
  // then: with start_at: end they start there.
  std::unordered_map<CheckpointTracker::DeviceInode, uint64_t, CheckpointTracker::DeviceInodeHash>
      initial_sizes_;
};

}  // namespace sluice
