package sluice.testing;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Small Kafka client commands for sluice's integration tests, run by tests/servers/kafka.
 *
 * Usage: KafkaTestClient COMMAND BOOTSTRAP TIMEOUT_SECONDS ARGS...
 *   wait-ready PID                  until the broker answers a metadata request listing itself;
 *                                   exit 3 at once if process PID ends first
 *   create-topic NAME PARTITIONS [key=value ...]
 *                                   create a topic (replication factor 1) and wait until every
 *                                   partition has a leader
 *   produce TOPIC [--keyed]         one record per stdin line (with --keyed, KEY TAB VALUE);
 *                                   prints {"partition","offset"} per record
 *   consume TOPIC [--group GROUP]   every record from the start of each partition (with --group,
 *                                   from the group's committed offsets) up to the end offsets seen
 *                                   when it starts, as JSON lines in partition and offset order;
 *                                   with --group it then commits the end offsets
 *   offsets GROUP                   the group's committed offsets as JSON lines
 *   topics                          the topics (internal ones left out) with their partition counts
 * Records are printed as {"topic","partition","offset","timestamp","key","value","headers"},
 * keys, values and header values decoded as UTF-8 (null stays null).
 * Errors go to stderr with exit status 1 (2 for bad usage).
 */
public final class KafkaTestClient {

    private final String bootstrap;
    private final long deadlineNanos;
    private final PrintStream out = new PrintStream(System.out, false, StandardCharsets.UTF_8);

    private KafkaTestClient(String bootstrap, int timeoutSeconds) {
        this.bootstrap = bootstrap;
        this.deadlineNanos = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds);
    }

    public static void main(String[] args) {
        if (args.length < 3) {
            usage();
        }
        KafkaTestClient client = new KafkaTestClient(args[1], Integer.parseInt(args[2]));
        int status;
        try {
            status = client.run(args[0], List.of(args).subList(3, args.length));
        } catch (ExecutionException e) {
            System.err.println(args[0] + ": " + e.getCause());
            status = 1;
        } catch (Exception e) {
            System.err.println(args[0] + ": " + e);
            status = 1;
        }
        client.out.flush();
        System.exit(status);
    }

    private static int usage() {
        System.err.println("usage: KafkaTestClient wait-ready|create-topic|produce|consume|offsets|topics"
            + " BOOTSTRAP TIMEOUT_SECONDS ARGS...");
        System.exit(2);
        return 2;
    }

    private int run(String command, List<String> args) throws Exception {
        return switch (command) {
            case "wait-ready" -> waitReady(Long.parseLong(arg(args, 0)));
            case "create-topic" -> createTopic(arg(args, 0), Integer.parseInt(arg(args, 1)), args.subList(2, args.size()));
            case "produce" -> produce(arg(args, 0), args.contains("--keyed"));
            case "consume" -> consume(arg(args, 0), args.contains("--group") ? arg(args, args.indexOf("--group") + 1) : null);
            case "offsets" -> offsets(arg(args, 0));
            case "topics" -> topics();
            default -> usage();
        };
    }

    private static String arg(List<String> args, int i) {
        if (i >= args.size()) {
            usage();
        }
        return args.get(i);
    }

    private long remainingMs() {
        return Math.max(0, TimeUnit.NANOSECONDS.toMillis(deadlineNanos - System.nanoTime()));
    }

    private Admin admin() {
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) Math.max(1000, remainingMs()));
        p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5000);
        p.put(AdminClientConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, 200);
        return Admin.create(p);
    }

    private int waitReady(long pid) throws Exception {
        try (Admin admin = admin()) {
            Exception last = null;
            while (remainingMs() > 0) {
                if (!ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
                    System.err.println("wait-ready: the broker (pid " + pid + ") has exited");
                    return 3;
                }
                try {
                    Collection<Node> nodes = admin.describeCluster(
                        new DescribeClusterOptions().timeoutMs((int) Math.min(2000, Math.max(1, remainingMs()))))
                        .nodes().get();
                    if (!nodes.isEmpty()) {
                        return 0;
                    }
                } catch (ExecutionException e) {
                    last = e;
                }
                Thread.sleep(Math.min(100, remainingMs()));
            }
            System.err.println("wait-ready: no metadata from " + bootstrap + " in time"
                + (last != null ? "; last error: " + last.getCause() : ""));
            return 1;
        }
    }

    private int createTopic(String name, int partitions, List<String> configs) throws Exception {
        Map<String, String> topicConfigs = new HashMap<>();
        for (String kv : configs) {
            int eq = kv.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("expected key=value, got: " + kv);
            }
            topicConfigs.put(kv.substring(0, eq), kv.substring(eq + 1));
        }
        try (Admin admin = admin()) {
            NewTopic topic = new NewTopic(name, partitions, (short) 1).configs(topicConfigs);
            admin.createTopics(List.of(topic)).all().get(remainingMs(), TimeUnit.MILLISECONDS);
            while (true) {
                try {
                    TopicDescription d = admin.describeTopics(List.of(name)).allTopicNames()
                        .get(remainingMs(), TimeUnit.MILLISECONDS).get(name);
                    if (d.partitions().size() == partitions
                        && d.partitions().stream().allMatch(p -> p.leader() != null && !p.leader().isEmpty())) {
                        return 0;
                    }
                } catch (ExecutionException e) {
                    if (remainingMs() == 0) {
                        throw e;
                    }
                }
                if (remainingMs() == 0) {
                    System.err.println("create-topic: " + name + " has partitions without a leader");
                    return 1;
                }
                Thread.sleep(50);
            }
        }
    }

    private int produce(String topic, boolean keyed) throws Exception {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        // delivery.timeout.ms must be at least linger.ms (5) + request.timeout.ms.
        p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 10000);
        p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, (int) Math.max(15000, remainingMs()));
        p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, Math.max(1000, remainingMs()));
        List<Future<RecordMetadata>> sent = new ArrayList<>();
        try (KafkaProducer<byte[], byte[]> producer =
                 new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
             BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))) {
            String line;
            while ((line = in.readLine()) != null) {
                byte[] key = null;
                String value = line;
                int tab = line.indexOf('\t');
                if (keyed && tab >= 0) {
                    key = line.substring(0, tab).getBytes(StandardCharsets.UTF_8);
                    value = line.substring(tab + 1);
                }
                sent.add(producer.send(new ProducerRecord<>(topic, key, value.getBytes(StandardCharsets.UTF_8))));
            }
            producer.flush();
            for (Future<RecordMetadata> f : sent) {
                RecordMetadata m = f.get(remainingMs(), TimeUnit.MILLISECONDS);
                out.println("{\"partition\":" + m.partition() + ",\"offset\":" + m.offset() + "}");
            }
        }
        return 0;
    }

    private int consume(String topic, String group) throws Exception {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false);
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) Math.max(1000, remainingMs()));
        // A fetch that waits for data holds up the offset lookup of the next partition.
        p.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 20);
        if (group != null) {
            p.put(ConsumerConfig.GROUP_ID_CONFIG, group);
        }
        try (KafkaConsumer<byte[], byte[]> consumer =
                 new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = new ArrayList<>();
            for (PartitionInfo info : consumer.partitionsFor(topic, Duration.ofMillis(remainingMs()))) {
                partitions.add(new TopicPartition(topic, info.partition()));
            }
            if (partitions.isEmpty()) {
                System.err.println("consume: unknown topic " + topic);
                return 1;
            }
            partitions.sort(Comparator.comparingInt(TopicPartition::partition));
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions, Duration.ofMillis(remainingMs()));
            // One partition at a time: printed in order without holding the topic in memory.
            for (TopicPartition tp : partitions) {
                consumer.assign(List.of(tp));
                if (group == null) {
                    consumer.seekToBeginning(List.of(tp));
                }
                long last = end.get(tp);
                while (consumer.position(tp, Duration.ofMillis(Math.max(1, remainingMs()))) < last) {
                    if (remainingMs() == 0) {
                        System.err.println("consume: did not reach offset " + last + " of " + tp + " in time");
                        return 1;
                    }
                    for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(Math.min(500, remainingMs())))) {
                        if (r.offset() < last) {
                            out.println(recordJson(r));
                        }
                    }
                }
            }
            if (group != null) {
                Map<TopicPartition, OffsetAndMetadata> commit = new HashMap<>();
                end.forEach((tp, offset) -> commit.put(tp, new OffsetAndMetadata(offset)));
                consumer.commitSync(commit, Duration.ofMillis(Math.max(1000, remainingMs())));
            }
        }
        return 0;
    }

    private int offsets(String group) throws Exception {
        try (Admin admin = admin()) {
            Map<TopicPartition, OffsetAndMetadata> offsets = admin.listConsumerGroupOffsets(group)
                .partitionsToOffsetAndMetadata().get(remainingMs(), TimeUnit.MILLISECONDS);
            Map<TopicPartition, OffsetAndMetadata> sorted = new TreeMap<>(
                Comparator.comparing(TopicPartition::topic).thenComparingInt(TopicPartition::partition));
            sorted.putAll(offsets);
            for (Map.Entry<TopicPartition, OffsetAndMetadata> e : sorted.entrySet()) {
                if (e.getValue() == null) {
                    continue;
                }
                out.println("{\"topic\":" + jsonString(e.getKey().topic()) + ",\"partition\":" + e.getKey().partition()
                    + ",\"offset\":" + e.getValue().offset() + ",\"metadata\":" + jsonString(e.getValue().metadata())
                    + "}");
            }
        }
        return 0;
    }

    private int topics() throws Exception {
        try (Admin admin = admin()) {
            Set<String> names = admin.listTopics().names().get(remainingMs(), TimeUnit.MILLISECONDS);
            Map<String, TopicDescription> described = new TreeMap<>(
                admin.describeTopics(names).allTopicNames().get(remainingMs(), TimeUnit.MILLISECONDS));
            for (TopicDescription d : described.values()) {
                out.println("{\"topic\":" + jsonString(d.name()) + ",\"partitions\":" + d.partitions().size() + "}");
            }
        }
        return 0;
    }

    private static String recordJson(ConsumerRecord<byte[], byte[]> r) {
        StringBuilder b = new StringBuilder(128);
        b.append("{\"topic\":").append(jsonString(r.topic()))
            .append(",\"partition\":").append(r.partition())
            .append(",\"offset\":").append(r.offset())
            .append(",\"timestamp\":").append(r.timestamp())
            .append(",\"key\":").append(jsonBytes(r.key()))
            .append(",\"value\":").append(jsonBytes(r.value()))
            .append(",\"headers\":{");
        boolean first = true;
        for (Header h : r.headers()) {
            if (!first) {
                b.append(',');
            }
            first = false;
            b.append(jsonString(h.key())).append(':').append(jsonBytes(h.value()));
        }
        return b.append("}}").toString();
    }

    private static String jsonBytes(byte[] bytes) {
        return bytes == null ? "null" : jsonString(new String(bytes, StandardCharsets.UTF_8));
    }

    private static String jsonString(String s) {
        if (s == null) {
            return "null";
        }
        StringBuilder b = new StringBuilder(s.length() + 2).append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"': b.append("\\\""); break;
                case '\\': b.append("\\\\"); break;
                case '\n': b.append("\\n"); break;
                case '\r': b.append("\\r"); break;
                case '\t': b.append("\\t"); break;
                default:
                    if (c < 0x20) {
                        b.append(String.format("\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
            }
        }
        return b.append('"').toString();
    }
}
