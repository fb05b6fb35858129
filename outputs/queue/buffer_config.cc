#include "outputs/queue/buffer_config.h"

namespace sluice {

BufferConfig BufferConfig::parse(YamlReader& output) {
  BufferConfig c;
  auto buffer = output.object("buffer");
  if (!buffer) return c;
  if (buffer->oneOf("type", "memory", {"memory", "disk"}) == "memory") {
    buffer->rejectUnknownKeys();
    return c;
  }
  c.type = Type::kDisk;
  if (auto path = buffer->requiredString("path")) {
    if (path->empty() || path->front() != '/') {
      buffer->error("path", "must be an absolute path (a directory of its own for this output)");
    }
    c.path = *path;
  }
  c.max_size = buffer->byteSize("max_size", c.max_size);
  if (c.max_size < (1ULL << 20)) buffer->error("max_size", "must be at least 1MiB");
  c.when_full = buffer->oneOf("when_full", "block", {"block", "drop_newest"}) == "block"
                    ? WhenFull::kBlock
                    : WhenFull::kDropNewest;
  c.sync_every_batch =
      buffer->oneOf("fsync", "every_batch", {"every_batch", "interval"}) == "every_batch";
  c.fsync_interval = buffer->duration("fsync_interval", c.fsync_interval);
  if (c.fsync_interval < std::chrono::milliseconds(10)) {
    buffer->error("fsync_interval", "must be at least 10ms");
  }
  if (buffer->isMapping("compression")) {
    buffer->error("compression", "expected zstd or none");
  } else if (buffer->oneOf("compression", "zstd", {"zstd", "none"}) == "none") {
    c.zstd_level = 0;
  } else {
    c.zstd_level = static_cast<int>(buffer->integer("compression_level", 1, -7, 19));
  }
  buffer->rejectUnknownKeys();
  return c;
}

}  // namespace sluice
