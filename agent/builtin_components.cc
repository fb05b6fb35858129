#include "agent/builtin_components.h"

#include "inputs/file/file_input.h"
#include "inputs/stdin/stdin_input.h"
#include "outputs/elasticsearch/elasticsearch_output.h"
#include "outputs/stdout/stdout_output.h"

namespace sluice {

void registerBuiltinComponents(Registry& registry) {
  FileInput::registerType(registry);
  StdinInput::registerType(registry);
  ElasticsearchOutput::registerType(registry);
  StdoutOutput::registerType(registry);
}

}  // namespace sluice
