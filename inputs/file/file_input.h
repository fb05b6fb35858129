#pragma once

#include <atomic>
#include <list>
#include <memory>
#include <thread>

#include "inputs/file/file_input_config.h"
#include "inputs/file/file_watcher.h"
#include "inputs/line_reader.h"
#include "pipeline/batch_builder.h"
#include "pipeline/registry.h"
#include "pipeline/unique_fd.h"

namespace sluice {

// Tails the files matching an input's patterns, on one thread: discovers
// them, reads each in bounded turns so one busy file cannot starve the
// others, and turns lines into batches.
class FileInput : public Input {
 public:
  FileInput(const InputSettings& settings, const FileInputConfig& config,
            const BuildContext& context);
  ~FileInput() override;

  const std::string& id() const override { return id_; }
  void start(BatchSink& sink) override;
  void requestStop() override { stop_.store(true); }
  void join() override;
  uint64_t pendingBatches() const override {
    return builder_ ? builder_->tracker()->outstanding() : 0;
  }

  static void registerType(Registry& registry);

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

  void run();
  void rescan(bool initial);
  bool openFile(const FoundFile& found, bool at_end);
  // Reads one turn of `file`; false when the file is done with and closed.
  bool readTurn(TailedFile& file, bool& progressed);
  void checkTruncationOrDeletion(TailedFile& file, bool& keep);
  void updateLag();

  std::string id_;
  FileInputConfig config_;
  NormalizerOptions normalizer_options_;
  BatchLimits limits_;
  FileWatcher watcher_;
  std::unique_ptr<BatchBuilder> builder_;
  std::list<TailedFile> files_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
  bool sink_closed_ = false;
  Counter& bytes_read_;
  Gauge& files_open_;
  Gauge& lag_bytes_;
};

}  // namespace sluice
