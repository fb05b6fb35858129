#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <functional>
#include <string>
#include <thread>

namespace sluice {

// The agent's own HTTP endpoint: GET /metrics (Prometheus text), /health
// (200 while the process serves), /ready (200 once every output has reached
// its destination). One thread, asynchronous, so a slow scraper cannot block
// health checks.
class HttpEndpoint {
 public:
  using ReadyCheck = std::function<bool()>;

  HttpEndpoint(const std::string& host, uint16_t port, ReadyCheck ready);
  ~HttpEndpoint();

  // Binds (throws std::system_error when the address is taken) and serves.
  void start();
  void stop();
  uint16_t port() const;

 private:
  std::string host_;
  uint16_t port_;
  ReadyCheck ready_;
  boost::asio::io_context io_;
  boost::asio::ip::tcp::acceptor acceptor_;
  std::thread thread_;
};

}  // namespace sluice
