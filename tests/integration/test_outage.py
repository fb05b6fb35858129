"""The output retries with backoff while Elasticsearch is unreachable; nothing is lost."""

from __future__ import annotations

import json
import time

from support import (base_config, es_output, file_input, free_port, http_request, metric_sum,
                     start_opensearch, stop_opensearch)

N = 300


def test_opensearch_started_late(tmp_path, sluice):
    port = free_port()                         # nothing listens here yet
    url = f"http://127.0.0.1:{port}"
    log = tmp_path / "app.log"
    log.write_text("".join(json.dumps({"seq": i, "msg": f"early {i}", "service": "late"}) + "\n"
                           for i in range(N)))
    agent = sluice(base_config(tmp_path, [file_input([str(log)])],
                               [es_output(url, "late-{service.name}")]))

    # The lines are read and the output is failing (not crashing) before the node exists.
    agent.until(lambda: agent.metric("sluice_events_received_total", input="app") == N, 30, 0.2,
               "all lines read while the output is down")
    agent.until(lambda: any(r.get("log", {}).get("level") in ("WARN", "ERROR") for r in agent.log_records()),
               30, 0.2, "a WARN/ERROR log line about the unreachable output")
    assert agent.running()
    assert agent.metric("sluice_events_sent_total", output="es") == 0
    ready_while_down = agent.get("/ready")[0]
    health_while_down = agent.get("/health")[0]

    node_dir = tmp_path / "opensearch-late"
    try:
        node = start_opensearch(node_dir, port, heap="384m")
        agent.until(lambda: node.count("late-*") >= N, 120, 0.5,
                   lambda: f"{N} documents after the node came up (have {node.count('late-*')})")
        agent.until(lambda: agent.metric("sluice_events_sent_total", output="es") >= N, 30, 0.2, "sent == N")
        assert node.count("late-*") == N
        assert node.indices("late-*") == ["late-late"]
        m = agent.metrics()
        assert metric_sum(m, "sluice_events_sent_total", output="es") == N
        assert agent.running()
        assert agent.until(lambda: agent.get("/ready")[0] == 200, 30, 0.2, "/ready == 200 once connected")
        assert health_while_down == 200, "/health must answer 200 while the process runs"
        assert ready_while_down != 200, "/ready must not answer 200 before the output has connected"
        assert agent.stop() == 0
    finally:
        stop_opensearch(node_dir)


def test_unreachable_output_does_not_block_health(tmp_path, sluice):
    """While the only output is down, /health and /metrics keep answering, the events show as
    not sent, and SIGTERM still ends the process within shutdown_timeout."""
    url = f"http://127.0.0.1:{free_port()}"
    log = tmp_path / "app.log"
    log.write_text("".join(json.dumps({"seq": i, "msg": "x"}) + "\n" for i in range(10)))
    cfg = base_config(tmp_path, [file_input([str(log)])], [es_output(url, "down-{service.name}")])
    cfg["shutdown_timeout"] = "2s"
    agent = sluice(cfg)
    agent.until(lambda: agent.metric("sluice_events_received_total", input="app") == 10, 30, 0.2,
               "10 received")
    status, _, _ = http_request(f"http://{agent.address}/health")
    assert status == 200
    assert agent.metric("sluice_events_sent_total", output="es") == 0
    t0 = time.monotonic()
    agent.stop(timeout=30)
    assert time.monotonic() - t0 < 8, "SIGTERM with the output down must end within shutdown_timeout (2s) + slack"
