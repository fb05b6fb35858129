#include "agent/runner.h"

#include <unistd.h>

#include <condition_variable>
#include <csignal>
#include <ctime>
#include <memory>
#include <mutex>
#include <thread>

#include "agent/http_endpoint.h"
#include "pipeline/fanout.h"
#include "pipeline/logger.h"

namespace sluice {
namespace {

using Clock = std::chrono::steady_clock;

sigset_t agentSignals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGHUP);
  return set;
}

std::string hostName() {
  char name[256] = {};
  if (::gethostname(name, sizeof name - 1) != 0) return "localhost";
  return name;
}

// Stops inputs first so they send what they hold, then outputs, which
// deliver what is queued until the deadline. Inputs blocked on full outputs
// are released when the outputs close.
void shutdown(std::vector<std::unique_ptr<Input>>& inputs,
              std::vector<std::unique_ptr<Output>>& outputs, MemoryBudget& budget,
              Deadline deadline) {
  for (auto& input : inputs) input->requestStop();
  std::mutex mutex;
  std::condition_variable joined_signal;
  bool joined = false;
  std::thread joiner([&] {
    for (auto& input : inputs) input->join();
    std::lock_guard lock(mutex);
    joined = true;
    joined_signal.notify_all();
  });
  {
    std::unique_lock lock(mutex);
    joined_signal.wait_until(lock, deadline, [&] { return joined; });
  }
  for (auto& output : outputs) output->stop(deadline);
  // Inputs still waiting for room give up: nothing more is delivered.
  budget.close();
  joiner.join();
}

}  // namespace

void blockAgentSignals() {
  sigset_t set = agentSignals();
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  std::signal(SIGPIPE, SIG_IGN);
}

int runAgent(const AgentConfig& config, const Registry& registry) {
  LogLevel level = LogLevel::kInfo;
  if (parseLogLevel(config.log_level, level)) setLogLevel(level);

  BuildContext context{hostName(), config.routeFields(), config.batch, config.state_dir,
                       config.pipeline};
  std::vector<std::unique_ptr<Output>> outputs;
  std::vector<std::unique_ptr<Input>> inputs;
  try {
    for (const OutputSettings& o : config.outputs)
      outputs.push_back(registry.output(o.type)->build(o, context));
    for (const InputSettings& i : config.inputs)
      inputs.push_back(registry.input(i.type)->build(i, context));
  } catch (const std::exception& e) {
    logError("agent", "cannot start the pipeline", {{"error", e.what()}});
    return 1;
  }

  std::unique_ptr<HttpEndpoint> endpoint;
  if (config.http.enabled) {
    endpoint = std::make_unique<HttpEndpoint>(config.http.host, config.http.port, [&outputs] {
      for (const auto& o : outputs) {
        if (!o->ready()) return false;
      }
      return true;
    });
    try {
      endpoint->start();
    } catch (const std::exception& e) {
      logError("http", "cannot listen",
               {{"address", config.http.host + ":" + std::to_string(config.http.port)},
                {"error", e.what()}});
      return 1;
    }
    logInfo("http", "http endpoint listening",
            {{"address", config.http.host + ":" + std::to_string(endpoint->port())}});
  }

  std::vector<Output*> targets;
  for (auto& o : outputs) {
    o->start();
    targets.push_back(o.get());
  }
  auto budget = std::make_shared<MemoryBudget>(config.max_in_flight);
  Fanout fanout(std::move(targets), budget);
  for (auto& i : inputs) i->start(fanout);
  logInfo("agent", "pipeline started",
          {{"version", SLUICE_VERSION},
           {"inputs", static_cast<int64_t>(inputs.size())},
           {"outputs", static_cast<int64_t>(outputs.size())}});

  sigset_t signals = agentSignals();
  const timespec tick{0, 100'000'000};
  for (;;) {
    int sig = ::sigtimedwait(&signals, nullptr, &tick);
    if (sig == SIGINT || sig == SIGTERM) {
      logInfo("agent", "stopping", {{"signal", sig == SIGINT ? "SIGINT" : "SIGTERM"}});
      break;
    }
    if (sig == SIGHUP) {
      logWarn("agent",
              "configuration reload is not supported by this version; restart to apply changes");
    }
    bool all_finished = !inputs.empty();
    for (const auto& i : inputs) all_finished = all_finished && i->finished();
    if (all_finished) {
      logInfo("agent", "all inputs finished and delivered");
      break;
    }
  }

  shutdown(inputs, outputs, *budget, Clock::now() + config.shutdown_timeout);
  // Outputs are stopped: no acknowledgement comes any more.
  for (auto& input : inputs) input->saveState();
  uint64_t pending = 0;
  for (const auto& i : inputs) pending += i->pendingBatches();
  if (endpoint) endpoint->stop();
  if (pending > 0) {
    logError("agent", "stopped with batches not acknowledged by every output",
             {{"batches", static_cast<int64_t>(pending)}});
    return 2;
  }
  logInfo("agent", "stopped");
  return 0;
}

}  // namespace sluice
