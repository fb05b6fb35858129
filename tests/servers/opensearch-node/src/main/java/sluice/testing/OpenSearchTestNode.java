package sluice.testing;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

import org.opensearch.analysis.common.CommonAnalysisPlugin;
import org.opensearch.common.settings.Settings;
import org.opensearch.index.mapper.MapperExtrasPlugin;
import org.opensearch.index.reindex.ReindexPlugin;
import org.opensearch.ingest.common.IngestCommonPlugin;
import org.opensearch.node.InternalSettingsPreparer;
import org.opensearch.node.Node;
import org.opensearch.painless.PainlessPlugin;
import org.opensearch.transport.Netty4Plugin;

/**
 * A single-node OpenSearch server for sluice's integration tests.
 *
 * OpenSearch's distribution tarball is not available to the test machines, but its jars are on
 * Maven Central. This class starts a real node from those jars: Node's protected constructor lets
 * the bundled modules that are published there (Netty4 HTTP/transport, painless, ingest-common,
 * analysis-common, mapper-extras, reindex) be loaded from the classpath instead of a modules
 * directory. Security manager and jar-hell checks belong to OpenSearch's Bootstrap, which is not
 * used here.
 *
 * Usage: OpenSearchTestNode HOME HTTP_PORT [key=value ...]
 * Data and logs go under HOME; extra key=value arguments are added as node settings.
 */
public final class OpenSearchTestNode extends Node {

    private OpenSearchTestNode(Settings settings) {
        super(
            InternalSettingsPreparer.prepareEnvironment(settings, Map.of(), null, () -> "sluice-test"),
            List.of(
                Netty4Plugin.class,
                PainlessPlugin.class,
                IngestCommonPlugin.class,
                CommonAnalysisPlugin.class,
                MapperExtrasPlugin.class,
                ReindexPlugin.class
            ),
            true
        );
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 2) {
            System.err.println("usage: OpenSearchTestNode HOME HTTP_PORT [key=value ...]");
            System.exit(2);
        }
        Path home = Path.of(args[0]).toAbsolutePath();
        Settings.Builder settings = Settings.builder()
            .put("path.home", home.toString())
            .put("path.data", home.resolve("data").toString())
            .put("path.logs", home.resolve("logs").toString())
            .put("node.name", "sluice-test")
            .put("cluster.name", "sluice-test")
            .put("discovery.type", "single-node")
            .put("network.host", "127.0.0.1")
            .put("http.port", args[1])
            .put("transport.port", "0")
            .put("http.type", "netty4")
            .put("transport.type", "netty4")
            .put("cluster.routing.allocation.disk.threshold_enabled", false)
            .put("bootstrap.memory_lock", false);
        for (int i = 2; i < args.length; i++) {
            int eq = args[i].indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("expected key=value, got: " + args[i]);
            }
            settings.put(args[i].substring(0, eq), args[i].substring(eq + 1));
        }

        Node node = new OpenSearchTestNode(settings.build());
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                node.close();
            } catch (Exception e) {
                e.printStackTrace();
            } finally {
                stopped.countDown();
            }
        }, "opensearch-test-node-shutdown"));
        node.start();
        stopped.await();
    }
}
