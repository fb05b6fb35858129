#pragma once

#include <list>

#include "inputs/file/file_input_config.h"
#include "inputs/file/file_watcher.h"
#include "inputs/line_reader.h"
#include "inputs/threaded_input.h"
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

 private:
  struct TailedFile {
    std::string path;
    std::string path_json;
    dev_t device;
    ino_t inode;
    UniqueFd fd;
    LineReader reader;
    SourceKey source;
    uint64_t generation = 0;
    bool still_listed = true;
  };

  void run() override;
  void rescan(bool initial);
  bool openFile(const FoundFile& found, bool at_end);
  // Reads one turn of `file`; false when the file is done with and closed.
  bool readTurn(TailedFile& file, bool& progressed);
  void checkTruncationOrDeletion(TailedFile& file, bool& keep);
  void updateLag();

  FileInputConfig config_;
  FileWatcher watcher_;
  std::list<TailedFile> files_;
  bool sink_closed_ = false;
  Counter& bytes_read_;
  Gauge& files_open_;
  Gauge& lag_bytes_;
};

}  // namespace sluice
