#include "outputs/elasticsearch/host_pool.h"

#include <algorithm>

#include "pipeline/logger.h"

namespace sluice {
namespace {

constexpr auto kFirstPause = std::chrono::seconds(1);
constexpr auto kLongestPause = std::chrono::seconds(60);

}  // namespace

HostPool::HostPool(std::vector<std::string> hosts, const std::string& output_id)
    : output_id_(output_id) {
  for (std::string& url : hosts) {
    Host host;
    host.up_gauge = &metrics().gauge("sluice_output_host_up",
                                     "1 while an output's host takes requests, 0 while set aside",
                                     {{"output", output_id}, {"host", url}});
    host.up_gauge->set(1);
    host.url = std::move(url);
    hosts_.push_back(std::move(host));
  }
}

HostPool::Host* HostPool::find(const std::string& url) {
  for (Host& h : hosts_) {
    if (h.url == url) return &h;
  }
  return nullptr;
}

std::string HostPool::pick(Clock::time_point now) {
  std::lock_guard lock(mutex_);
  for (size_t i = 0; i < hosts_.size(); ++i) {
    Host& h = hosts_[(next_ + i) % hosts_.size()];
    if (h.retry_at <= now) {
      next_ = (next_ + i + 1) % hosts_.size();
      return h.url;
    }
  }
  auto soonest = std::min_element(hosts_.begin(), hosts_.end(), [](const Host& a, const Host& b) {
    return a.retry_at < b.retry_at;
  });
  return soonest->url;
}

void HostPool::succeeded(const std::string& url) {
  std::lock_guard lock(mutex_);
  Host* h = find(url);
  if (h == nullptr || h->failures == 0) return;
  if (h->retry_at != Clock::time_point{} && hosts_.size() > 1) {
    logInfo("elasticsearch", "host is back", {{"output", output_id_}, {"host", url}});
  }
  h->failures = 0;
  h->retry_at = {};
  h->up_gauge->set(1);
}

void HostPool::failed(const std::string& url, const std::string& reason, Clock::time_point now) {
  std::lock_guard lock(mutex_);
  Host* h = find(url);
  if (h == nullptr) return;
  // A single host is never set aside: there is nowhere else to go, and the
  // output's backoff already paces the retries.
  if (hosts_.size() == 1) {
    ++h->failures;
    h->up_gauge->set(0);
    return;
  }
  auto pause = kFirstPause * (1LL << std::min(h->failures, 6));
  ++h->failures;
  h->retry_at = now + std::min<Clock::duration>(pause, kLongestPause);
  if (h->failures == 1) {
    logWarn("elasticsearch", "host set aside after a failure; requests go to the others",
            {{"output", output_id_}, {"host", url}, {"error", reason}});
  }
  h->up_gauge->set(0);
}

size_t HostPool::up() const {
  std::lock_guard lock(mutex_);
  return static_cast<size_t>(
      std::count_if(hosts_.begin(), hosts_.end(), [](const Host& h) { return h.failures == 0; }));
}

}  // namespace sluice
