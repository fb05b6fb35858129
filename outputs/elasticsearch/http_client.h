#pragma once

#include <curl/curl.h>

#include <chrono>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "pipeline/logger.h"

namespace sluice {

struct HttpResponse {
  long status = 0;    // 0 when no HTTP answer came back
  std::string body;   // with SIMDJSON_PADDING bytes of spare capacity
  std::string error;  // transport error, when status is 0
};

// How https:// URLs are checked; all empty: libcurl's defaults, which trust
// the system CA store and check the certificate's name against the URL.
struct HttpTlsOptions {
  std::string ca_file;    // PEM CAs trusted instead of the system store
  std::string cert_file;  // PEM client certificate, for servers that ask for one
  std::string key_file;
  std::string key_password;
  // The name the server's certificate must carry (and SNI), when the URL
  // names the server otherwise (an IP address, a load balancer).
  std::string server_name;
  bool verify = true;
};

struct HttpClientOptions {
  std::chrono::milliseconds timeout{60'000};
  std::chrono::milliseconds connect_timeout{10'000};
  std::string username;
  std::string password;
  std::vector<std::string> headers;  // "Name: value"
  size_t max_response_bytes = 64 * 1024 * 1024;
  HttpTlsOptions tls;
  // The component the client works for, named in the errors it logs itself.
  std::string owner;
};

// One keep-alive HTTP/1.1 connection (a libcurl easy handle) per client; a
// worker thread owns one.
class HttpClient {
 public:
  explicit HttpClient(HttpClientOptions options);
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  // `content_encoding` ("gzip") when the body is compressed.
  HttpResponse post(const std::string& url, std::string_view body, std::string_view content_type,
                    std::string_view content_encoding = {});
  HttpResponse get(const std::string& url);
  // Index templates and lifecycle policies (setup) are written with PUT.
  HttpResponse put(const std::string& url, std::string_view body, std::string_view content_type);

 private:
  HttpResponse perform(const std::string& url, const std::string_view* body,
                       std::string_view content_type, std::string_view content_encoding);
  void setTlsOptions();
  void logTlsFailure(const std::string& url, const std::string& error);

  struct CurlDeleter {
    void operator()(CURL* c) const { curl_easy_cleanup(c); }
  };
  struct SlistDeleter {
    void operator()(curl_slist* s) const { curl_slist_free_all(s); }
  };
  HttpClientOptions options_;
  std::unique_ptr<CURL, CurlDeleter> curl_;
  std::unique_ptr<curl_slist, SlistDeleter> base_headers_;
  char error_buffer_[CURL_ERROR_SIZE] = {};
  LogRateLimiter tls_log_{1, 60};
};

// curl_global_init is not thread-safe: called once from main.
void initHttpClients();

}  // namespace sluice
