#include "agent/http_endpoint.h"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>

#include "agent/process_metrics.h"
#include "pipeline/logger.h"
#include "pipeline/metrics.h"

namespace sluice {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

http::response<http::string_body> handle(const http::request<http::string_body>& request,
                                         const HttpEndpoint::ReadyCheck& ready) {
  http::response<http::string_body> response;
  response.version(request.version());
  response.keep_alive(request.keep_alive());
  response.set(http::field::server, "sluice");
  std::string_view target(request.target().data(), request.target().size());
  target = target.substr(0, target.find('?'));
  auto reply = [&](http::status status, std::string body, std::string_view type) {
    response.result(status);
    response.set(http::field::content_type, std::string(type));
    response.body() = std::move(body);
  };
  if (request.method() != http::verb::get && request.method() != http::verb::head) {
    reply(http::status::method_not_allowed, "only GET\n", "text/plain");
  } else if (target == "/metrics") {
    std::string body = metrics().render();
    appendProcessMetrics(body);
    reply(http::status::ok, std::move(body), "text/plain; version=0.0.4");
  } else if (target == "/health") {
    reply(http::status::ok, "{\"status\":\"ok\"}\n", "application/json");
  } else if (target == "/ready") {
    bool ok = ready();
    reply(ok ? http::status::ok : http::status::service_unavailable,
          ok ? "{\"status\":\"ready\"}\n" : "{\"status\":\"waiting for outputs\"}\n",
          "application/json");
  } else {
    reply(http::status::not_found, "not found: try /metrics, /health or /ready\n", "text/plain");
  }
  response.prepare_payload();
  return response;
}

asio::awaitable<void> serve(tcp::socket socket, HttpEndpoint::ReadyCheck ready) {
  beast::tcp_stream stream(std::move(socket));
  beast::flat_buffer buffer;
  boost::system::error_code ec;
  for (;;) {
    http::request<http::string_body> request;
    http::request_parser<http::string_body> parser;
    parser.body_limit(64 * 1024);
    stream.expires_after(std::chrono::seconds(30));
    co_await http::async_read(stream, buffer, parser,
                              asio::redirect_error(asio::use_awaitable, ec));
    if (ec) break;
    request = parser.release();
    auto response = handle(request, ready);
    bool keep_alive = response.keep_alive();
    co_await http::async_write(stream, response, asio::redirect_error(asio::use_awaitable, ec));
    if (ec || !keep_alive) break;
  }
  stream.socket().shutdown(tcp::socket::shutdown_send, ec);
}

asio::awaitable<void> acceptLoop(tcp::acceptor& acceptor, HttpEndpoint::ReadyCheck ready) {
  boost::system::error_code ec;
  for (;;) {
    tcp::socket socket =
        co_await acceptor.async_accept(asio::redirect_error(asio::use_awaitable, ec));
    if (ec == asio::error::operation_aborted) co_return;
    if (ec) continue;
    asio::co_spawn(acceptor.get_executor(), serve(std::move(socket), ready), asio::detached);
  }
}

}  // namespace

HttpEndpoint::HttpEndpoint(const std::string& host, uint16_t port, ReadyCheck ready)
    : host_(host), port_(port), ready_(std::move(ready)), acceptor_(io_) {}

HttpEndpoint::~HttpEndpoint() { stop(); }

void HttpEndpoint::start() {
  tcp::endpoint endpoint(asio::ip::make_address(host_), port_);
  acceptor_.open(endpoint.protocol());
  acceptor_.set_option(asio::socket_base::reuse_address(true));
  acceptor_.bind(endpoint);
  acceptor_.listen();
  asio::co_spawn(io_, acceptLoop(acceptor_, ready_), asio::detached);
  thread_ = std::thread([this] { io_.run(); });
}

void HttpEndpoint::stop() {
  if (!thread_.joinable()) return;
  io_.stop();
  thread_.join();
}

uint16_t HttpEndpoint::port() const { return acceptor_.local_endpoint().port(); }

}  // namespace sluice
