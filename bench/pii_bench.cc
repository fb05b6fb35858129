// Masking alone: turns a corpus into event documents once (not timed), then
// times PiiMasker over them with every built-in detector on. Compared with
// copying the same documents, which every mask() pass starts from.
//
//   build/sluice_pii_bench CORPUS [redact|hash|partial]

#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "pipeline/normalizer.h"
#include "pipeline/pii/masker.h"

namespace {

using Clock = std::chrono::steady_clock;

double seconds(Clock::duration d) { return std::chrono::duration<double>(d).count(); }

}  // namespace

int main(int argc, char** argv) {
  using namespace sluice;
  if (argc < 2) {
    std::cerr << "usage: sluice_pii_bench CORPUS [redact|hash|partial]\n";
    return 2;
  }
  std::ifstream in(argv[1], std::ios::binary);
  if (!in) {
    std::cerr << "cannot read " << argv[1] << "\n";
    return 1;
  }
  const std::string mode_name = argc > 2 ? argv[2] : "hash";
  PiiMode mode = mode_name == "redact"    ? PiiMode::kRedact
                 : mode_name == "partial" ? PiiMode::kPartial
                                          : PiiMode::kHash;

  NormalizerOptions options;
  options.host_name = "bench";
  options.agent_version = "bench";
  Normalizer normalizer(options);
  Batch batch(0);
  std::string line;
  std::vector<std::string> docs;
  size_t doc_bytes = 0;
  while (std::getline(in, line)) {
    line.append(simdjson::SIMDJSON_PADDING, '\0');
    std::string_view text(line.data(), line.size() - simdjson::SIMDJSON_PADDING);
    batch.clear();
    normalizer.normalize(text, LineOrigin{SourceKey::fromParts("bench"), {}, 0, 0, false}, 0,
                         batch);
    docs.emplace_back(batch.document(batch.events.back()));
    doc_bytes += docs.back().size();
  }

  auto settings = std::make_shared<PiiSettings>();
  settings->detectors.set();
  settings->detectors.reset(static_cast<size_t>(PiiKind::kCustom));
  settings->modes.fill(mode);
  settings->hash_key = "bench-key-0123456789abcdef";
  settings->sensitive_keys = {"password", "passwd", "secret",        "token",
                              "api_key",  "apikey", "authorization", "cookie"};
  PiiMasker masker(settings);
  PiiCounts counts;
  counts.by_custom.resize(0);

  std::string work;
  work.reserve(1 << 20);
  auto copy_start = Clock::now();
  size_t checksum = 0;
  for (const std::string& doc : docs) {
    work.assign(doc);
    checksum += work.size();
  }
  const double copy_s = seconds(Clock::now() - copy_start);

  size_t changed = 0;
  auto start = Clock::now();
  for (const std::string& doc : docs) {
    work.assign(doc);
    changed += masker.mask(work, 0, counts) ? 1 : 0;
    checksum += work.size();
  }
  const double mask_s = seconds(Clock::now() - start);

  uint64_t masked = 0;
  for (uint64_t n : counts.by_kind) masked += n;
  std::printf("documents: %zu, %.1f MB; %zu (%.1f%%) changed, %llu values masked (mode %s)\n",
              docs.size(), doc_bytes / 1e6, changed, 100.0 * changed / docs.size(),
              static_cast<unsigned long long>(masked), mode_name.c_str());
  for (size_t k = 0; k < counts.by_kind.size(); ++k) {
    if (counts.by_kind[k] == 0) continue;
    std::printf("  %-16s %llu\n", std::string(piiKindName(static_cast<PiiKind>(k))).c_str(),
                static_cast<unsigned long long>(counts.by_kind[k]));
  }
  std::printf("copy only   %7.3f s  %8.0f MB/s\n", copy_s, doc_bytes / 1e6 / copy_s);
  std::printf("copy + mask %7.3f s  %8.0f MB/s  (masking alone: %.0f MB/s, %.2f CPU s/GB)\n",
              mask_s, doc_bytes / 1e6 / mask_s, doc_bytes / 1e6 / (mask_s - copy_s),
              (mask_s - copy_s) / (doc_bytes / 1e9));
  return checksum == 0 ? 1 : 0;
}
