#include "inputs/stdin/stdin_input.h"

#include <poll.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <random>

#include "inputs/file/file_input_config.h"
#include "inputs/line_reader.h"
#include "pipeline/logger.h"

namespace sluice {

std::unique_ptr<ComponentConfig> StdinInputConfig::parse(YamlReader& r) {
  auto config = std::make_unique<StdinInputConfig>();
  config->max_line_bytes = readMaxLineBytes(r);
  return config;
}

StdinInput::StdinInput(const InputSettings& settings, const StdinInputConfig& config,
                       const BuildContext& context)
    : id_(settings.id),
      config_(config),
      normalizer_options_(context.normalizerOptions(settings)),
      limits_(context.batch),
      bytes_read_(metrics().counter("sluice_bytes_read_total", "Bytes read by an input",
                                    {{"input", settings.id}})) {
  // Two runs fed different data must not produce the same event ids: each
  // run's stdin is a source of its own.
  std::random_device random;
  source_ = SourceKey::fromParts("stdin:" + std::to_string(random()) + ":" +
                                 std::to_string(random()) + ":" + std::to_string(nowNs()));
}

StdinInput::~StdinInput() {
  requestStop();
  join();
}

void StdinInput::start(BatchSink& sink) {
  builder_ = std::make_unique<BatchBuilder>(id_, normalizer_options_, limits_, sink);
  thread_ = std::thread([this] { run(); });
}

void StdinInput::join() {
  if (thread_.joinable()) thread_.join();
}

bool StdinInput::finished() const {
  return end_of_input_.load() && builder_ && builder_->tracker()->outstanding() == 0;
}

void StdinInput::run() {
  LineReader reader(config_.max_line_bytes);
  bool sink_open = true;
  auto on_line = [&](const LineReader::Line& line) {
    if (!builder_->add(line.text, LineOrigin{source_, {}, line.offset, line.truncated}))
      sink_open = false;
  };
  while (!stop_.load() && sink_open) {
    pollfd pfd{STDIN_FILENO, POLLIN, 0};
    int timeout = static_cast<int>(std::min<int64_t>(builder_->timeUntilDue().count(), 200));
    int rc = ::poll(&pfd, 1, timeout);
    if (rc < 0 && errno != EINTR) break;
    if (rc > 0) {
      size_t n = 0;
      LineReader::Status status = reader.readLines(STDIN_FILENO, n, on_line);
      bytes_read_.add(n);
      if (status != LineReader::Status::kData) {
        if (status == LineReader::Status::kError) {
          logError("stdin", "reading standard input failed",
                   {{"input", id_}, {"error", std::strerror(errno)}});
        }
        reader.flushPartial(on_line);
        break;
      }
    }
    if (!builder_->flushIfDue()) sink_open = false;
  }
  builder_->flush();
  end_of_input_.store(!stop_.load());
}

void StdinInput::registerType(Registry& registry) {
  registry.addInput(
      {"stdin", StdinInputConfig::parse,
       [](const InputSettings& settings, const BuildContext& context) -> std::unique_ptr<Input> {
         return std::make_unique<StdinInput>(
             settings, static_cast<const StdinInputConfig&>(*settings.config), context);
       }});
}

}  // namespace sluice
