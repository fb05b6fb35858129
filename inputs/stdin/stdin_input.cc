#include "inputs/stdin/stdin_input.h"

#include <poll.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <optional>
#include <random>

#include "inputs/file/file_input_config.h"
#include "inputs/line_reader.h"
#include "inputs/multiline_stage.h"
#include "pipeline/logger.h"

namespace sluice {

std::unique_ptr<ComponentConfig> StdinInputConfig::parse(YamlReader& r) {
  auto config = std::make_unique<StdinInputConfig>();
  config->max_line_bytes = readMaxLineBytes(r);
  return config;
}

StdinInput::StdinInput(const InputSettings& settings, const StdinInputConfig& config,
                       const BuildContext& context)
    : ThreadedInput(settings, context),
      config_(config),
      bytes_read_(metrics().counter("sluice_bytes_read_total", "Bytes read by an input",
                                    {{"input", settings.id}})) {
  // Two runs fed different data must not produce the same event ids: each
  // run's stdin is a source of its own.
  std::random_device random;
  source_ = SourceKey::fromParts("stdin:" + std::to_string(random()) + ":" +
                                 std::to_string(random()) + ":" + std::to_string(nowNs()));
}

void StdinInput::run() {
  LineReader reader(config_.max_line_bytes);
  bool sink_open = true;
  auto ship = [&](std::string_view text, const LineOrigin& origin) {
    if (!builder().add(text, origin)) sink_open = false;
  };
  std::optional<MultilineStage> multiline;
  if (multilineRules()) multiline.emplace(multilineRules());
  auto on_line = [&](const LineReader::Line& line) {
    LineOrigin origin{source_, {}, line.offset, line.end_offset, line.truncated};
    if (multiline) {
      multiline->add(line.text, origin, MultilineStage::Clock::now(), ship);
    } else {
      ship(line.text, origin);
    }
  };
  while (!stopRequested() && sink_open) {
    pollfd pfd{STDIN_FILENO, POLLIN, 0};
    int timeout = static_cast<int>(std::min<int64_t>(builder().timeUntilDue().count(), 200));
    int rc = ::poll(&pfd, 1, timeout);
    if (rc < 0 && errno != EINTR) break;
    if (rc > 0) {
      size_t n = 0;
      LineReader::Status status = reader.readLines(STDIN_FILENO, n, on_line);
      bytes_read_.add(n);
      if (status != LineReader::Status::kData) {
        if (status == LineReader::Status::kError) {
          logError("stdin", "reading standard input failed",
                   {{"input", id()}, {"error", std::strerror(errno)}});
        }
        reader.flushPartial(on_line);
        break;
      }
    }
    if (multiline) multiline->flushIfStale(MultilineStage::Clock::now(), ship);
    if (!builder().flushIfDue()) sink_open = false;
  }
  if (multiline && sink_open) multiline->flush(ship);
  builder().flush();
  end_of_input_.store(!stopRequested());
}

}  // namespace sluice
