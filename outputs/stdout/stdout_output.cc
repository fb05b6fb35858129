#include "outputs/stdout/stdout_output.h"

#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "pipeline/logger.h"

namespace sluice {
namespace {

bool writeAll(int fd, const std::string& data) {
  size_t done = 0;
  while (done < data.size()) {
    ssize_t n = ::write(fd, data.data() + done, data.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    done += static_cast<size_t>(n);
  }
  return true;
}

}  // namespace

StdoutOutput::StdoutOutput(const OutputSettings& settings, const StdoutConfig&, const BuildContext&)
    : id_(settings.id),
      sent_(metrics().counter("sluice_events_sent_total", "Events an output delivered",
                              {{"output", id_}})),
      failed_(metrics().counter("sluice_events_failed_total",
                                "Events an output could not deliver, by reason",
                                {{"output", id_}, {"reason", "write_error"}})) {}

StdoutOutput::~StdoutOutput() { stop(Deadline::clock::now()); }

void StdoutOutput::start() {
  thread_ = std::thread([this] { run(); });
}

void StdoutOutput::stop(Deadline) {
  queue_.close();
  if (thread_.joinable()) thread_.join();
}

void StdoutOutput::run() {
  std::string out;
  bool broken = false;
  while (auto batch = queue_.popUntil(Deadline::max())) {
    out.clear();
    for (const EventRecord& e : (*batch)->events) {
      out += (*batch)->document(e);
      out += '\n';
    }
    if (!broken && !writeAll(STDOUT_FILENO, out)) {
      // A closed pipe will not come back: say so once, count every event.
      logError("stdout", "cannot write to standard output",
               {{"output", id_}, {"error", std::strerror(errno)}});
      broken = true;
    }
    if (broken) {
      failed_.add((*batch)->size());
    } else {
      sent_.add((*batch)->size());
    }
    (*batch)->complete();
  }
}

}  // namespace sluice
