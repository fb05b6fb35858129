#include "outputs/queue/disk_queue.h"

#include <algorithm>
#include <stdexcept>

#include "outputs/buffer/batch_codec.h"

namespace sluice {
namespace {

// Batches written before one sync: enough to spread an fdatasync over many
// batches when inputs are fast, few enough to acknowledge promptly.
constexpr size_t kGroupBatches = 64;

DiskBufferOptions bufferOptions(const BufferConfig& c) {
  DiskBufferOptions o;
  o.path = c.path;
  o.max_size = c.max_size;
  o.when_full = c.when_full == BufferConfig::WhenFull::kBlock
                    ? DiskBufferOptions::WhenFull::kBlock
                    : DiskBufferOptions::WhenFull::kDropNewest;
  // The queue syncs itself, once per group of batches (every_batch) or on
  // the interval; the buffer never syncs on its own.
  o.fsync = DiskBufferOptions::Fsync::kInterval;
  o.fsync_interval = c.sync_every_batch ? std::chrono::hours(24) : c.fsync_interval;
  o.zstd_level = c.zstd_level;
  return o;
}

}  // namespace

DiskQueue::DiskQueue(const BufferConfig& config, const std::string& output_id)
    : config_(config),
      output_id_(output_id),
      inbound_(kGroupBatches),
      bytes_(metrics().gauge("sluice_buffer_bytes", "Bytes an output's disk buffer holds",
                             {{"output", output_id}})),
      events_(metrics().gauge("sluice_buffer_events",
                              "Events waiting in an output's buffer, not yet delivered",
                              {{"output", output_id}})),
      dropped_(metrics().counter("sluice_events_dropped_total", "Events not shipped, by reason",
                                 {{"output", output_id}, {"reason", "buffer_full"}})),
      errors_(metrics().counter("sluice_buffer_errors_total",
                                "Failed writes or syncs of an output's disk buffer (retried)",
                                {{"output", output_id}})),
      corrupt_events_(metrics().counter("sluice_events_dropped_total",
                                        "Events not shipped, by reason",
                                        {{"output", output_id}, {"reason", "buffer_corrupt"}})),
      quarantined_bytes_(metrics().counter(
          "sluice_buffer_quarantined_bytes_total",
          "Bytes of an output's disk buffer found damaged and moved to quarantine/",
          {{"output", output_id}})) {
  std::string error;
  buffer_ = DiskBuffer::open(bufferOptions(config_), error);
  if (!buffer_) throw std::runtime_error("buffer: " + error);
  const RecoveryReport& r = buffer_->recoveryReport();
  logInfo("buffer", "disk buffer opened",
          {{"output", output_id_},
           {"path", config_.path},
           {"records", static_cast<int64_t>(r.records)},
           {"events", static_cast<int64_t>(r.events)},
           {"bytes", static_cast<int64_t>(r.bytes)},
           {"torn_bytes", static_cast<int64_t>(r.torn_bytes)},
           {"quarantined_segments", static_cast<int64_t>(r.quarantined_segments)}});
  publishGauges();
}

DiskQueue::~DiskQueue() { abandon(); }

void DiskQueue::start() {
  writer_ = std::thread([this] { runWriter(); });
}

bool DiskQueue::push(BatchPtr batch) { return inbound_.push(std::move(batch)); }

void DiskQueue::runWriter() {
  std::vector<Written> written;
  for (;;) {
    auto first = inbound_.popUntil(Clock::now() + std::chrono::milliseconds(100));
    if (!first) {
      if (inbound_.closed()) break;
      settle(written, false);
      publishGauges();
      continue;
    }
    bool stopped = !write(*first, written);
    for (size_t n = 1; !stopped && n < kGroupBatches; ++n) {
      auto next = inbound_.tryPop();
      if (!next) break;
      stopped = !write(*next, written);
    }
    settle(written, config_.sync_every_batch);
    publishGauges();
    if (stopped) break;
  }
  settle(written, true);
  publishGauges();
  // Senders stop taking records: the rest stays on disk for the next start.
  buffer_->stop();
}

bool DiskQueue::write(const BatchPtr& batch, std::vector<Written>& written) {
  payload_.clear();
  encodeBatch(*batch, payload_);
  auto wait = std::chrono::milliseconds(100);
  for (;;) {
    std::string error;
    uint64_t number = 0;
    // The buffer keeps the batch itself in its memory cache: a sender that
    // keeps up takes it back without reading or decoding the record.
    switch (buffer_->append(payload_, static_cast<uint32_t>(batch->size()), error, &number, batch,
                            batch->memoryBytes())) {
      case AppendResult::kOk:
        written.emplace_back(batch, number);
        return true;
      case AppendResult::kDropped:
        // when_full: drop_newest — the user chose losing the newest events
        // over pausing the inputs; they are counted, and acknowledged so that
        // the inputs move on.
        dropped_.add(batch->size());
        batch->complete();
        return true;
      case AppendResult::kStopped:
        return false;  // shutdown while full: the inputs read these again
      case AppendResult::kError:
        errors_.add();
        trouble("cannot write the disk buffer: holding the batch", error);
        break;
    }
    if (abandoned_.load()) return false;
    std::this_thread::sleep_for(wait);
    wait = std::min(wait * 2, std::chrono::milliseconds(5000));
  }
}

void DiskQueue::settle(std::vector<Written>& written, bool force) {
  if (written.empty()) return;
  std::string error;
  bool ok = force ? buffer_->sync(error) : buffer_->syncIfDue(error);
  if (!ok) {
    // A failed sync may have lost pages the kernel already dropped: the
    // batches stay unacknowledged, so their inputs read them again after a
    // restart, and the buffer takes no more writes until then.
    errors_.add();
    trouble("cannot sync the disk buffer: inputs are not acknowledged; restart sluice", error);
    return;
  }
  const uint64_t durable = buffer_->durableEnd();
  auto end = std::partition_point(written.begin(), written.end(),
                                  [&](const Written& w) { return w.second < durable; });
  for (auto it = written.begin(); it != end; ++it) it->first->complete();
  written.erase(written.begin(), end);
}

std::optional<OutputQueue::Taken> DiskQueue::take(Clock::time_point deadline) {
  for (;;) {
    std::optional<BufferedRecord> record = buffer_->next(deadline);
    if (!record) return std::nullopt;
    if (record->decoded) {
      return Taken{std::static_pointer_cast<Batch>(std::move(record->decoded)), record->number};
    }
    std::string error;
    BatchPtr batch = decodeBatch(record->payload, error);
    if (batch) return Taken{std::move(batch), record->number};
    // The record passed its checksum yet does not decode: a bug or a
    // foreign writer. Counted and logged with what is lost, never fatal.
    corrupt_events_.add(record->events);
    logError("buffer", "a disk buffer record cannot be decoded: its events are lost",
             {{"output", output_id_},
              {"record", static_cast<int64_t>(record->number)},
              {"events", static_cast<int64_t>(record->events)},
              {"error", error}});
    buffer_->acknowledge(record->number);
  }
}

void DiskQueue::delivered(const Taken& taken) {
  buffer_->acknowledge(taken.record);
  events_.set(static_cast<int64_t>(buffer_->events()));
}

void DiskQueue::close() {
  // The writer ends once it wrote what is left, and then stops the buffer;
  // it is joined in the destructor, after the senders, since a full buffer
  // waits for them (or for abandon()).
  inbound_.close();
}

void DiskQueue::abandon() {
  abandoned_.store(true);
  inbound_.close();
  buffer_->stop();
  // Joined here, so that the batches it made durable are acknowledged before
  // the inputs save their checkpoints.
  std::lock_guard lock(join_mutex_);
  if (writer_.joinable() && writer_.get_id() != std::this_thread::get_id()) writer_.join();
}

void DiskQueue::publishGauges() {
  const DiskBufferStats s = buffer_->stats();
  bytes_.set(static_cast<int64_t>(s.bytes));
  events_.set(static_cast<int64_t>(s.events));
  if (s.quarantined_bytes > published_quarantined_) {
    quarantined_bytes_.add(s.quarantined_bytes - published_quarantined_);
    published_quarantined_ = s.quarantined_bytes;
  }
  // Events in records damage made unreadable: lost, and counted as such.
  if (s.events_lost > published_lost_) {
    corrupt_events_.add(s.events_lost - published_lost_);
    published_lost_ = s.events_lost;
  }
}

void DiskQueue::trouble(const char* message, const std::string& error) {
  uint64_t suppressed = 0;
  if (!trouble_log_.allow(suppressed)) return;
  logError("buffer", message,
           {{"output", output_id_},
            {"path", config_.path},
            {"error", error},
            {"suppressed", static_cast<int64_t>(suppressed)}});
}

}  // namespace sluice
