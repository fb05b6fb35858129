#include "outputs/elasticsearch/elasticsearch_config.h"

#include <string>
#include <string_view>
#include <utility>

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
      dead->error("type", "\"index\" is not supported by this version of sluice yet (use file)");
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
  r.rejectUnsupported({"tls", "setup", "buffer"});
  return c;
}

}  // namespace sluice
