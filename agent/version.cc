#include "agent/version.h"

#include <curl/curl.h>
#include <fmt/format.h>
#include <simdjson.h>
#include <xxhash.h>

#include <boost/version.hpp>

namespace sluice {
namespace {

#define SLUICE_STRINGIFY_(x) #x
#define SLUICE_STRINGIFY(x) SLUICE_STRINGIFY_(x)

}  // namespace

std::string versionReport() {
  std::string out = fmt::format("sluice {}\n", SLUICE_VERSION);
#ifdef __VERSION__
  out += fmt::format("compiler: {}\n", __VERSION__);
#endif
#if defined(__AVX2__)
  out += "target: x86-64-v3 (AVX2)\n";
#elif defined(__SSE4_2__)
  out += "target: x86-64-v2 (SSE4.2)\n";
#else
  out += "target: generic\n";
#endif
#if defined(__SANITIZE_ADDRESS__)
  out += "sanitizers: address,undefined\n";
#endif
  // The on-demand parser's kernel is fixed at compile time by the target
  // flags; the runtime-selected one only serves the DOM API.
  out += fmt::format("simdjson: {} (on-demand kernel {}, runtime kernel {})\n",
                     SLUICE_STRINGIFY(SIMDJSON_VERSION),
                     SLUICE_STRINGIFY(SIMDJSON_BUILTIN_IMPLEMENTATION),
                     simdjson::get_active_implementation()->name());
  out += fmt::format("libcurl: {}\n", curl_version());
  out += fmt::format("boost: {}.{}.{}\n", BOOST_VERSION / 100000, BOOST_VERSION / 100 % 1000,
                     BOOST_VERSION % 100);
  out += fmt::format("fmt: {}\n", FMT_VERSION);
  out += fmt::format("xxhash: {}\n", XXH_versionNumber());
  return out;
}

}  // namespace sluice
