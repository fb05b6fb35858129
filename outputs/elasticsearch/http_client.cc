#include "outputs/elasticsearch/http_client.h"

#include <simdjson.h>

#include <stdexcept>

namespace sluice {
namespace {

struct WriteTarget {
  std::string* body;
  size_t limit;
  bool overflow = false;
};

size_t onWrite(char* data, size_t size, size_t count, void* user) {
  auto* target = static_cast<WriteTarget*>(user);
  size_t n = size * count;
  if (target->body->size() + n > target->limit) {
    target->overflow = true;
    return 0;  // aborts the transfer
  }
  target->body->append(data, n);
  return n;
}

}  // namespace

void initHttpClients() { curl_global_init(CURL_GLOBAL_DEFAULT); }

HttpClient::HttpClient(HttpClientOptions options) : options_(std::move(options)) {
  curl_.reset(curl_easy_init());
  if (!curl_) throw std::runtime_error("curl_easy_init failed");
  curl_slist* headers = nullptr;
  // Without this, libcurl waits a second for "100 Continue" on large bodies.
  headers = curl_slist_append(headers, "Expect:");
  for (const std::string& h : options_.headers) headers = curl_slist_append(headers, h.c_str());
  base_headers_.reset(headers);
  CURL* c = curl_.get();
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, static_cast<long>(options_.timeout.count()));
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS,
                   static_cast<long>(options_.connect_timeout.count()));
  curl_easy_setopt(c, CURLOPT_TCP_KEEPALIVE, 1L);
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, onWrite);
  curl_easy_setopt(c, CURLOPT_USERAGENT, "sluice/" SLUICE_VERSION);
  if (!options_.username.empty()) {
    curl_easy_setopt(c, CURLOPT_HTTPAUTH, CURLAUTH_BASIC);
    curl_easy_setopt(c, CURLOPT_USERNAME, options_.username.c_str());
    curl_easy_setopt(c, CURLOPT_PASSWORD, options_.password.c_str());
  }
}

HttpClient::~HttpClient() = default;

HttpResponse HttpClient::perform(const std::string& url, const std::string_view* body,
                                 std::string_view content_type, std::string_view content_encoding) {
  CURL* c = curl_.get();
  HttpResponse response;
  WriteTarget target{&response.body, options_.max_response_bytes};
  curl_easy_setopt(c, CURLOPT_URL, url.c_str());
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &target);
  std::unique_ptr<curl_slist, SlistDeleter> headers;
  if (body != nullptr) {
    std::string type_header = "Content-Type: " + std::string(content_type);
    curl_slist* list = nullptr;
    for (curl_slist* h = base_headers_.get(); h != nullptr; h = h->next)
      list = curl_slist_append(list, h->data);
    list = curl_slist_append(list, type_header.c_str());
    if (!content_encoding.empty()) {
      const std::string encoding_header = "Content-Encoding: " + std::string(content_encoding);
      list = curl_slist_append(list, encoding_header.c_str());
    }
    headers.reset(list);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers.get());
    curl_easy_setopt(c, CURLOPT_POST, 1L);
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, body->data());
    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body->size()));
  } else {
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, base_headers_.get());
    curl_easy_setopt(c, CURLOPT_HTTPGET, 1L);
  }
  CURLcode rc = curl_easy_perform(c);
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, nullptr);
  if (rc != CURLE_OK) {
    response.error = target.overflow ? "response larger than " +
                                           std::to_string(options_.max_response_bytes) + " bytes"
                                     : curl_easy_strerror(rc);
    response.status = 0;
    return response;
  }
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &response.status);
  response.body.reserve(response.body.size() + simdjson::SIMDJSON_PADDING);
  return response;
}

HttpResponse HttpClient::post(const std::string& url, std::string_view body,
                              std::string_view content_type, std::string_view content_encoding) {
  return perform(url, &body, content_type, content_encoding);
}

HttpResponse HttpClient::get(const std::string& url) { return perform(url, nullptr, {}, {}); }

}  // namespace sluice
