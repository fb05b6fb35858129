#include "outputs/elasticsearch/elasticsearch_config.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <string>
#include <string_view>
#include <utility>

#include "pipeline/unique_fd.h"

namespace sluice {
namespace {

// Elasticsearch's rules for the parts of a data stream name
// (`<type>-<dataset>-<namespace>`): lower case, no '-' (it separates the
// parts), none of \ / * ? " < > | , # : or space, at most 100 bytes.
std::string dataStreamPartError(std::string_view part) {
  if (part.empty()) return "must not be empty";
  if (part.size() > 100) return "must be at most 100 bytes";
  for (char c : part) {
    if (c >= 'A' && c <= 'Z') return "must be lower case";
    if (c == '-') return "must not contain '-' (it separates type, dataset and namespace)";
    if (std::string_view("\\/*?\"<>|,#: ").find(c) != std::string_view::npos) {
      return std::string("must not contain '") + c + "'";
    }
  }
  if (part.front() == '_' || part.front() == '.' || part.front() == '+') {
    return "must not start with '_', '.' or '+'";
  }
  return {};
}

// What is wrong with a PEM file named in `tls:`, or nothing.
std::string pemFileProblem(const std::string& path) {
  if (path.empty() || path.front() != '/') return "must be an absolute path";
  // O_NONBLOCK: a FIFO given by mistake must not hang the load.
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK));
  if (!fd.valid()) return "cannot read \"" + path + "\": " + std::strerror(errno);
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) return "cannot stat \"" + path + "\": " + std::strerror(errno);
  if (!S_ISREG(st.st_mode)) return "\"" + path + "\" is not a regular file";
  std::string head(64 * 1024, '\0');
  ssize_t n = ::read(fd.get(), head.data(), head.size());
  if (n < 0) return "cannot read \"" + path + "\": " + std::strerror(errno);
  head.resize(static_cast<size_t>(n));
  // libcurl takes PEM only; a DER file would fail at every connection.
  if (head.find("-----BEGIN ") == std::string::npos) {
    return "\"" + path + "\" is not a PEM file (no -----BEGIN line)";
  }
  return {};
}

bool isHostName(std::string_view name) {
  if (name.empty() || name.size() > 253) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
           c == '-' || c == '_';
  });
}

// Files are checked readable here, at load, so that `sluice validate` finds a
// wrong path rather than the first connection.
void parseTls(YamlReader& r, const std::vector<std::string>& hosts, ElasticsearchTls& tls) {
  auto file = [&r](std::string_view key) {
    std::string path = r.string(key, "");
    if (!r.has(key)) return path;
    if (std::string problem = pemFileProblem(path); !problem.empty()) r.error(key, problem);
    return path;
  };
  tls.ca = file("ca");
  tls.cert = file("cert");
  tls.key = file("key");
  tls.key_password = r.string("key_password", "");
  tls.server_name = r.string("server_name", "");
  tls.verify = r.boolean("verify", true);
  if (r.has("cert") && !r.has("key")) r.error("cert", "needs a key (tls.key)");
  if (r.has("key") && !r.has("cert")) r.error("key", "needs a certificate (tls.cert)");
  if (r.has("key_password") && !r.has("key")) r.error("key_password", "needs a key (tls.key)");
  if (r.has("server_name") && !isHostName(tls.server_name)) {
    r.error("server_name", "must be a host name (letters, digits, '.', '-')");
  }
  if (std::none_of(hosts.begin(), hosts.end(),
                   [](const std::string& h) { return h.rfind("https://", 0) == 0; })) {
    r.errorHere("no host is an https:// URL: tls would not apply");
  }
  r.rejectUnknownKeys();
}

}  // namespace

std::unique_ptr<ComponentConfig> ElasticsearchConfig::parse(YamlReader& r) {
  auto c = std::make_unique<ElasticsearchConfig>();
  c->hosts = r.stringList("hosts");
  if (c->hosts.empty()) r.errorHere("an elasticsearch output needs at least one URL in \"hosts\"");
  for (std::string& h : c->hosts) {
    if (h.rfind("http://", 0) != 0 && h.rfind("https://", 0) != 0) {
      r.error("hosts", "\"" + h + "\" must start with http:// or https://");
    }
    while (!h.empty() && h.back() == '/') h.pop_back();
  }
  c->index = r.string("index", c->index);
  if (auto stream = r.object("data_stream")) {
    if (r.has("index")) r.error("data_stream", "set either index or data_stream, not both");
    const std::string type = stream->oneOf("type", "logs", {"logs", "metrics", "traces"});
    const std::string dataset = stream->string("dataset", "generic");
    const std::string ns = stream->string("namespace", "default");
    bool valid = true;
    for (auto [key, value] : {std::pair{"dataset", dataset}, std::pair{"namespace", ns}}) {
      if (std::string problem = dataStreamPartError(value); !problem.empty()) {
        stream->error(key, problem);
        valid = false;
      }
    }
    if (valid) c->index = type + "-" + dataset + "-" + ns;
    c->data_stream = true;
    stream->rejectUnknownKeys();
  }
  std::string error;
  if (auto t = IndexTemplate::parse(c->index, error)) {
    c->index_template = std::move(*t);
  } else {
    r.error("index", error);
  }
  if (auto flush = r.object("flush")) {
    c->flush_events = static_cast<size_t>(flush->integer("events", 5000, 1, 1'000'000));
    c->flush_bytes = flush->byteSize("bytes", c->flush_bytes);
    if (c->flush_bytes < 1024 || c->flush_bytes > 512ULL * 1024 * 1024) {
      flush->error("bytes", "must be between 1KiB and 512MiB");
    }
    c->flush_interval = flush->duration("interval", c->flush_interval);
    flush->rejectUnknownKeys();
  }
  c->workers = static_cast<int>(r.integer("workers", 2, 1, 64));
  c->deterministic_ids = r.boolean("deterministic_ids", true);
  c->request_timeout = r.duration("timeout", c->request_timeout);
  if (auto retry = r.object("retry")) {
    c->retry_initial = retry->duration("initial", c->retry_initial);
    c->retry_max = retry->duration("max", c->retry_max);
    c->retry_max_elapsed = retry->duration("max_elapsed", c->retry_max_elapsed);
    if (c->retry_initial.count() <= 0 || c->retry_max < c->retry_initial) {
      retry->errorHere("retry.initial must be positive and not above retry.max");
    }
    retry->rejectUnknownKeys();
  }
  if (auto auth = r.object("auth")) {
    c->username = auth->string("username", "");
    c->password = auth->string("password", "");
    c->api_key = auth->string("api_key", "");
    c->bearer = auth->string("bearer", "");
    int kinds = !c->username.empty() + !c->api_key.empty() + !c->bearer.empty();
    if (kinds > 1) auth->errorHere("use one of username/password, api_key or bearer");
    if (!c->password.empty() && c->username.empty()) auth->error("password", "needs a username");
    auth->rejectUnknownKeys();
  }
  if (auto dead = r.object("dead_letter")) {
    const std::string type = dead->oneOf("type", "file", {"file", "index"});
    if (type == "index") {
      std::string text = dead->string("index", "sluice-dead-letter-{+yyyy.MM.dd}");
      std::string problem;
      if (auto parsed = IndexTemplate::parse(text, problem)) {
        c->dead_letter_index = std::move(*parsed);
      } else {
        dead->error("index", problem);
      }
    } else if (auto path = dead->requiredString("path")) {
      if (path->empty() || path->front() != '/') {
        dead->error("path", "must be an absolute path");
      } else {
        c->dead_letter_path = *path;
      }
    }
    dead->rejectUnknownKeys();
  }
  if (r.isMapping("compression")) {
    if (auto compression = r.object("compression")) {
      if (compression->oneOf("type", "gzip", {"gzip", "none"}) == "gzip") {
        c->gzip_level = static_cast<int>(compression->integer("level", 1, 1, 9));
      }
      compression->rejectUnknownKeys();
    }
  } else if (r.oneOf("compression", "none", {"none", "gzip"}) == "gzip") {
    c->gzip_level = 1;
  }
  if (auto tls = r.object("tls")) parseTls(*tls, c->hosts, c->tls);
  c->setup = SetupConfig::parse(r, c->index, c->data_stream);
  c->buffer = BufferConfig::parse(r);
  return c;
}

}  // namespace sluice
