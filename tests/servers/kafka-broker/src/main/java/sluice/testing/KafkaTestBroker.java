package sluice.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.Writer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import kafka.Kafka;
import kafka.tools.StorageTool;
import org.apache.kafka.common.Uuid;

/**
 * A single-node Apache Kafka for sluice's integration tests: one JVM in KRaft mode that is both
 * broker (node 1) and the only controller.
 *
 * Kafka's distribution tarball is not available to the test machines, but its jars are on Maven
 * Central. This class writes DIR/server.properties, formats DIR/data the way
 * {@code kafka-storage.sh format --ignore-formatted} does (so a second start on the same DIR keeps
 * the topics), and then hands over to {@code kafka.Kafka}, the class {@code kafka-server-start.sh}
 * runs. Doing both in one JVM saves a JVM start on the two-core test machines.
 *
 * The controller quorum is static ({@code controller.quorum.voters}) rather than the dynamic one
 * that {@code format --standalone} sets up: a static voter's address comes from the configuration
 * on every start, so the controller may listen on another port after a restart.
 *
 * Usage: KafkaTestBroker DIR PORT [key=value ...]
 * Clients connect to PLAINTEXT://127.0.0.1:PORT. The controller listens on 127.0.0.1 at
 * $KAFKA_CONTROLLER_PORT if set, else on a port the kernel reports free. Extra key=value arguments
 * are added to (or replace) the broker properties.
 */
public final class KafkaTestBroker {

    private KafkaTestBroker() {}

    public static void main(String[] args) throws Exception {
        if (args.length < 2) {
            System.err.println("usage: KafkaTestBroker DIR PORT [key=value ...]");
            System.exit(2);
        }
        Path dir = Path.of(args[0]).toAbsolutePath();
        int port = Integer.parseInt(args[1]);
        int controllerPort = controllerPort();

        Map<String, String> props = new LinkedHashMap<>();
        props.put("process.roles", "broker,controller");
        props.put("node.id", "1");
        props.put("controller.quorum.voters", "1@127.0.0.1:" + controllerPort);
        props.put("listeners", "PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controllerPort);
        props.put("advertised.listeners", "PLAINTEXT://127.0.0.1:" + port);
        props.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
        props.put("controller.listener.names", "CONTROLLER");
        props.put("inter.broker.listener.name", "PLAINTEXT");
        props.put("log.dirs", dir.resolve("data").toString());
        props.put("num.partitions", "1");
        props.put("default.replication.factor", "1");
        props.put("min.insync.replicas", "1");
        props.put("auto.create.topics.enable", "true");
        props.put("group.initial.rebalance.delay.ms", "0");
        // One partition for each internal topic instead of 50: the first consumer group or
        // transaction then waits for one partition to load, not fifty.
        props.put("offsets.topic.replication.factor", "1");
        props.put("offsets.topic.num.partitions", "1");
        props.put("transaction.state.log.replication.factor", "1");
        props.put("transaction.state.log.min.isr", "1");
        props.put("transaction.state.log.num.partitions", "1");
        props.put("share.coordinator.state.topic.replication.factor", "1");
        props.put("share.coordinator.state.topic.min.isr", "1");
        props.put("share.coordinator.state.topic.num.partitions", "1");
        // The log cleaner (for __consumer_offsets) allocates its 128 MiB default up front on the heap.
        props.put("log.cleaner.dedupe.buffer.size", String.valueOf(4 << 20));
        // Fewer threads than the defaults (3 and 8): the test machines have two cores.
        props.put("num.network.threads", "2");
        props.put("num.io.threads", "4");
        for (int i = 2; i < args.length; i++) {
            int eq = args[i].indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("expected key=value, got: " + args[i]);
            }
            props.put(args[i].substring(0, eq), args[i].substring(eq + 1));
        }

        Path config = dir.resolve("server.properties");
        writeProperties(config, props);
        format(config, clusterId(dir));
        Kafka.main(new String[] {config.toString()});
    }

    private static int controllerPort() throws IOException {
        String fixed = System.getenv("KAFKA_CONTROLLER_PORT");
        if (fixed != null && !fixed.isEmpty()) {
            return Integer.parseInt(fixed);
        }
        try (ServerSocket socket = new ServerSocket()) {
            socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            return socket.getLocalPort();
        }
    }

    /** The cluster id DIR was formatted with, or a new one remembered for the next start. */
    private static String clusterId(Path dir) throws IOException {
        Path file = dir.resolve("cluster.id");
        if (Files.exists(file)) {
            return Files.readString(file, StandardCharsets.UTF_8).trim();
        }
        String id = Uuid.randomUuid().toString();
        Files.writeString(file, id + "\n", StandardCharsets.UTF_8);
        return id;
    }

    private static void format(Path config, String clusterId) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int status;
        try (PrintStream print = new PrintStream(out, true, StandardCharsets.UTF_8)) {
            status = StorageTool.execute(
                new String[] {"format", "--ignore-formatted", "-t", clusterId, "-c", config.toString()}, print);
        }
        System.out.print(out.toString(StandardCharsets.UTF_8));
        if (status != 0) {
            System.err.println("kafka-storage format failed with status " + status);
            System.exit(1);
        }
    }

    private static void writeProperties(Path file, Map<String, String> props) throws IOException {
        try (Writer w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            w.write("# Written by sluice.testing.KafkaTestBroker at each start.\n");
            for (Map.Entry<String, String> e : props.entrySet()) {
                w.write(e.getKey() + "=" + e.getValue().replace("\\", "\\\\") + "\n");
            }
        }
    }
}
