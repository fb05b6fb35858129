#include "outputs/elasticsearch/http_client.h"

#include <simdjson.h>

#include <stdexcept>
#include <utility>

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

// TLS options are what an operator set: a libcurl that refuses one (built
// without TLS, say) must stop the start, not fall back to something weaker.
template <typename T>
void setTlsOption(CURL* c, CURLoption option, T value, const char* name) {
  CURLcode rc = curl_easy_setopt(c, option, value);
  if (rc != CURLE_OK) {
    throw std::runtime_error(std::string("libcurl refused ") + name + ": " +
                             curl_easy_strerror(rc));
  }
}

// Failures an operator must fix (CA, certificate, key, server name): logged
// as errors by the client itself, whatever its caller does with them.
bool isTlsFailure(CURLcode rc) {
  switch (rc) {
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CIPHER:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_CRL_BADFILE:
    case CURLE_SSL_ISSUER_ERROR:
    case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
    case CURLE_SSL_INVALIDCERTSTATUS:
    case CURLE_SSL_CLIENTCERT:
    case CURLE_SSL_ENGINE_NOTFOUND:
    case CURLE_SSL_ENGINE_SETFAILED:
    case CURLE_SSL_ENGINE_INITFAILED:
      return true;
    default:
      return false;
  }
}

// scheme://host:port of a URL for log lines: no path, no credentials.
std::string origin(std::string_view url) {
  size_t start = url.find("://");
  start = start == std::string_view::npos ? 0 : start + 3;
  size_t end = url.find('/', start);
  std::string_view authority = url.substr(start, end == std::string_view::npos ? end : end - start);
  if (size_t at = authority.rfind('@'); at != std::string_view::npos) {
    authority.remove_prefix(at + 1);
  }
  return std::string(url.substr(0, start)) + std::string(authority);
}

struct UrlDeleter {
  void operator()(CURLU* u) const { curl_url_cleanup(u); }
};
struct CurlStringDeleter {
  void operator()(char* s) const { curl_free(s); }
};
using CurlString = std::unique_ptr<char, CurlStringDeleter>;

CurlString urlPart(CURLU* u, CURLUPart part, unsigned int flags) {
  char* value = nullptr;
  if (curl_url_get(u, part, &value, flags) != CURLUE_OK) return nullptr;
  return CurlString(value);
}

// libcurl checks the certificate against the URL's host and sends it as SNI.
// To check `server_name` instead, the URL names it and a CONNECT_TO entry
// ("name:port:host:port") still sends the connection to the original host.
bool applyServerName(const std::string& url, const std::string& server_name, std::string& named_url,
                     std::string& connect_to) {
  std::unique_ptr<CURLU, UrlDeleter> u(curl_url());
  if (!u || curl_url_set(u.get(), CURLUPART_URL, url.c_str(), 0) != CURLUE_OK) return false;
  CurlString host = urlPart(u.get(), CURLUPART_HOST, 0);
  CurlString port = urlPart(u.get(), CURLUPART_PORT, CURLU_DEFAULT_PORT);
  if (!host || !port) return false;
  if (curl_url_set(u.get(), CURLUPART_HOST, server_name.c_str(), 0) != CURLUE_OK) return false;
  CurlString renamed = urlPart(u.get(), CURLUPART_URL, 0);
  if (!renamed) return false;
  named_url = renamed.get();
  connect_to = server_name + ":" + port.get() + ":" + host.get() + ":" + port.get();
  return true;
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
  // curl_easy_strerror says only "SSL peer certificate or SSH remote key was
  // not OK"; the buffer holds the reason ("unable to get local issuer ...").
  curl_easy_setopt(c, CURLOPT_ERRORBUFFER, error_buffer_);
  if (!options_.username.empty()) {
    curl_easy_setopt(c, CURLOPT_HTTPAUTH, CURLAUTH_BASIC);
    curl_easy_setopt(c, CURLOPT_USERNAME, options_.username.c_str());
    curl_easy_setopt(c, CURLOPT_PASSWORD, options_.password.c_str());
  }
  setTlsOptions();
}

void HttpClient::setTlsOptions() {
  CURL* c = curl_.get();
  const HttpTlsOptions& tls = options_.tls;
  if (!tls.ca_file.empty()) {
    setTlsOption(c, CURLOPT_CAINFO, tls.ca_file.c_str(), "tls.ca");
    // The configured CAs replace the system's, directory included: a private
    // CA pins the servers to it.
    setTlsOption(c, CURLOPT_CAPATH, static_cast<const char*>(nullptr), "tls.ca");
  }
  if (!tls.cert_file.empty()) {
    setTlsOption(c, CURLOPT_SSLCERT, tls.cert_file.c_str(), "tls.cert");
    setTlsOption(c, CURLOPT_SSLKEY, tls.key_file.c_str(), "tls.key");
  }
  if (!tls.key_password.empty()) {
    setTlsOption(c, CURLOPT_KEYPASSWD, tls.key_password.c_str(), "tls.key_password");
  }
  setTlsOption(c, CURLOPT_SSL_VERIFYPEER, tls.verify ? 1L : 0L, "tls.verify");
  setTlsOption(c, CURLOPT_SSL_VERIFYHOST, tls.verify ? 2L : 0L, "tls.verify");
}

void HttpClient::logTlsFailure(const std::string& url, const std::string& error) {
  uint64_t suppressed = 0;
  if (!tls_log_.allow(suppressed)) return;
  logError("elasticsearch",
           "TLS connection failed: check the tls settings and the server's certificate",
           {{"output", options_.owner},
            {"host", origin(url)},
            {"error", error},
            {"suppressed", suppressed}});
}

HttpClient::~HttpClient() = default;

HttpResponse HttpClient::perform(const std::string& url, const std::string_view* body,
                                 std::string_view content_type, std::string_view content_encoding) {
  CURL* c = curl_.get();
  HttpResponse response;
  WriteTarget target{&response.body, options_.max_response_bytes};
  std::string named_url;
  std::string connect_to;
  std::unique_ptr<curl_slist, SlistDeleter> connect_to_list;
  if (!options_.tls.server_name.empty() && url.rfind("https://", 0) == 0) {
    if (!applyServerName(url, options_.tls.server_name, named_url, connect_to)) {
      response.error = "cannot use tls.server_name with " + origin(url);
      return response;
    }
    connect_to_list.reset(curl_slist_append(nullptr, connect_to.c_str()));
  }
  curl_easy_setopt(c, CURLOPT_URL, named_url.empty() ? url.c_str() : named_url.c_str());
  curl_easy_setopt(c, CURLOPT_CONNECT_TO, connect_to_list.get());
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
  error_buffer_[0] = '\0';
  CURLcode rc = curl_easy_perform(c);
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, nullptr);
  curl_easy_setopt(c, CURLOPT_CONNECT_TO, nullptr);
  if (rc != CURLE_OK) {
    if (target.overflow) {
      response.error =
          "response larger than " + std::to_string(options_.max_response_bytes) + " bytes";
    } else {
      response.error = error_buffer_[0] != '\0' ? error_buffer_ : curl_easy_strerror(rc);
    }
    response.status = 0;
    if (isTlsFailure(rc)) logTlsFailure(url, response.error);
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

HttpResponse HttpClient::put(const std::string& url, std::string_view body,
                             std::string_view content_type) {
  // A POST renamed: libcurl's own PUT uploads through a read callback.
  curl_easy_setopt(curl_.get(), CURLOPT_CUSTOMREQUEST, "PUT");
  HttpResponse response = perform(url, &body, content_type, {});
  curl_easy_setopt(curl_.get(), CURLOPT_CUSTOMREQUEST, nullptr);
  return response;
}

}  // namespace sluice
