#include "agent/builtin_components.h"

#include "inputs/file/file_input.h"
#include "inputs/kafka/kafka_input.h"
#include "inputs/stdin/stdin_input.h"
#include "outputs/elasticsearch/elasticsearch_output.h"
#include "outputs/kafka/kafka_output.h"
#include "outputs/stdout/stdout_output.h"

namespace sluice {

void registerBuiltinComponents(Registry& registry) {
  registry.addInput<FileInput, FileInputConfig>("file");
  registry.addInput<FileInput, ContainerInputConfig>("container");
  registry.addInput<StdinInput, StdinInputConfig>("stdin");
  registry.addInput<KafkaInput, KafkaInputConfig>("kafka");
  registry.addOutput<ElasticsearchOutput, ElasticsearchConfig>("elasticsearch");
  registry.addOutput<KafkaOutput, KafkaConfig>("kafka");
  registry.addOutput<StdoutOutput, StdoutConfig>("stdout");
}

}  // namespace sluice
