#pragma once

#include <chrono>
#include <cstdint>
#include <string>

#include "config/yaml_reader.h"

namespace sluice {

// An output's `buffer:` — where batches wait between the inputs and the
// output's senders. `memory` (the default): in memory, bounded by the
// pipeline's in-flight budget; inputs are acknowledged once the output
// delivered. `disk`: appended to a crash-safe log of segment files; inputs
// are acknowledged once the batch is durably there, so their checkpoints
// move on while the destination is down, up to `max_size`.
struct BufferConfig {
  enum class Type { kMemory, kDisk };
  Type type = Type::kMemory;
  std::string path;
  uint64_t max_size = 1ULL << 30;
  enum class WhenFull { kBlock, kDropNewest };
  WhenFull when_full = WhenFull::kBlock;
  // `every_batch`: batches are synced to disk before their inputs are
  // acknowledged (one fdatasync per group of batches taken together);
  // `interval`: synced every fsync_interval, inputs acknowledged after.
  bool sync_every_batch = true;
  std::chrono::milliseconds fsync_interval{1000};
  int zstd_level = 1;  // 0: blocks are stored uncompressed

  // Reads the output's `buffer` key, if any; errors go to the reader.
  static BufferConfig parse(YamlReader& output);
};

}  // namespace sluice
