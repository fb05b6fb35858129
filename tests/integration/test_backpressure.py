"""The in-flight budget, host failover and the dead-letter index, through the real binary.

* While Elasticsearch cannot be reached, inputs stop reading once the budget
  (``pipeline.max_in_flight``) is spent: resident memory stays bounded, the
  wait shows in ``sluice_backpressure_seconds_total`` and the unread bytes in
  ``sluice_input_lag_bytes``; once Elasticsearch is back every line arrives once.
* With two hosts of which one is down, everything goes to the other one and
  ``sluice_output_host_up`` shows which is which.
* ``dead_letter: {type: index}`` indexes refused events (as text) next to the rest.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

from support import (TcpRelay, base_config, es_output, file_input, free_port, metric_sum, settle,
                     vm_kib)


def write_lines(path: Path, count: int, width: int = 400) -> None:
    pad = "x" * width
    with open(path, "w") as f:
        for i in range(count):
            f.write(json.dumps({"seq": i, "service": "budget", "msg": f"line {i} {pad}"}) + "\n")


def test_budget_bounds_memory_while_elasticsearch_is_down(tmp_path, opensearch, sluice, index_prefix):
    lines = 250_000  # ~110 MB of JSON: far more than the budget
    log = tmp_path / "app.log"
    write_lines(log, lines)
    port = free_port()
    cfg = base_config(tmp_path, [file_input([str(log)])],
                      [es_output(f"http://127.0.0.1:{port}", index_prefix + "-{service.name}",
                                 retry={"initial": "100ms", "max": "500ms"})])
    cfg["pipeline"] = {"max_in_flight": "8MiB"}
    agent = sluice(cfg)

    # Reading stops once the budget is spent, far from the end of the file.
    def stalled():
        first = agent.metric("sluice_events_received_total", input="app")
        time.sleep(1.0)
        second = agent.metric("sluice_events_received_total", input="app")
        return first > 0 and first == second and second
    received = agent.until(stalled, 60, 0.1, "reading to pause while the output is down")
    assert received < lines / 4, f"{received} of {lines} lines read with an 8 MiB budget"
    m = agent.metrics()
    in_flight = metric_sum(m, "sluice_memory_in_flight_bytes")
    assert 4 * 2**20 < in_flight <= 8 * 2**20 + 2 * 2**20, f"in flight: {in_flight}"
    assert metric_sum(m, "sluice_input_lag_bytes", input="app") > 50_000_000
    waited = metric_sum(m, "sluice_backpressure_seconds_total", input="app")
    time.sleep(2)
    waited_later = agent.metric("sluice_backpressure_seconds_total", input="app")
    assert waited_later - waited >= 1.5, "the wait shows while it lasts"
    peak_kib = vm_kib(agent.proc.pid, "VmHWM")
    print(f"\npeak RSS with an 8 MiB budget and the output down: {peak_kib / 1024:.1f} MiB")
    # AddressSanitizer's shadow memory and quarantine make RSS meaningless there.
    sanitized = bool(os.environ.get("SLUICE_SANITIZE"))
    assert sanitized or peak_kib < 80 * 1024, f"peak RSS {peak_kib} KiB"

    relay = TcpRelay(port, ("127.0.0.1", int(opensearch.url.rsplit(":", 1)[1])))
    relay.start()
    try:
        settle(agent, 240)
        pattern = index_prefix + "-*"
        opensearch.refresh(pattern)
        assert opensearch.count(pattern) == lines
        status, res = opensearch.request("POST", f"/{pattern}/_search",
                                         {"size": 0, "aggs": {"seq": {"stats": {"field": "seq"}}}})
        assert status == 200, res
        stats = res["aggregations"]["seq"]
        # count, min, max and sum together: a lost line and a duplicate cannot hide each other
        assert (stats["count"], stats["min"], stats["max"], stats["sum"]) == \
            (lines, 0, lines - 1, lines * (lines - 1) / 2), stats
        assert agent.metric("sluice_events_sent_total", output="es") == lines
        assert sanitized or vm_kib(agent.proc.pid, "VmHWM") < 120 * 1024
        assert agent.stop() == 0
    finally:
        relay.stop()


def test_failover_to_the_healthy_host(tmp_path, opensearch, sluice, index_prefix):
    dead = f"http://127.0.0.1:{free_port()}"
    log = tmp_path / "app.log"
    write_lines(log, 3000, width=20)
    cfg = base_config(tmp_path, [file_input([str(log)])],
                      [es_output([dead, opensearch.url], index_prefix + "-{service.name}",
                                 retry={"initial": "50ms", "max": "200ms"})])
    cfg["pipeline"] = {"batch": {"events": 100}}
    agent = sluice(cfg)
    agent.until(lambda: agent.metric("sluice_events_received_total", input="app") == 3000, 60, 0.2,
                "the file read")
    m = settle(agent, 60)
    opensearch.refresh(index_prefix + "-*")
    assert opensearch.count(index_prefix + "-*") == 3000
    assert metric_sum(m, "sluice_output_host_up", output="es", host=dead) == 0
    assert metric_sum(m, "sluice_output_host_up", output="es", host=opensearch.url) == 1
    # Set aside after its first failure (the connection probe, setup or a bulk request),
    # the dead host is not tried again for every batch.
    transport_retries = metric_sum(m, "sluice_output_retries_total", output="es", status="transport")
    assert transport_retries <= 10, transport_retries
    assert any(r.get("log", {}).get("message", "").startswith("host set aside") for r in agent.log_records())
    assert agent.stop() == 0


def test_dead_letter_index(tmp_path, opensearch, sluice, index_prefix):
    log = tmp_path / "app.log"
    rows = [{"seq": 0, "service": "dl", "msg": "object first", "shape": {"a": 1}}]
    rows += [{"seq": i, "service": "dl", "msg": f"string {i}", "shape": "flat"} for i in range(1, 6)]
    rows += [{"seq": i, "service": "dl", "msg": f"fine {i}"} for i in range(6, 10)]
    log.write_text(json.dumps(rows[0]) + "\n")
    dead_index = index_prefix + "-dead-{+yyyy.MM}"
    cfg = base_config(tmp_path, [file_input([str(log)])],
                      [es_output(opensearch.url, index_prefix + "-{service.name}",
                                 dead_letter={"type": "index", "index": dead_index})])
    agent = sluice(cfg)
    agent.until(lambda: opensearch.count(index_prefix + "-dl") == 1, 60, 0.3, "the first document")
    with open(log, "a") as f:
        f.write("".join(json.dumps(r) + "\n" for r in rows[1:]))
    m = settle(agent, 60)
    opensearch.refresh(index_prefix + "-*")
    assert opensearch.count(index_prefix + "-dl") == 5
    dead = opensearch.search(index_prefix + "-dead-*", size=50)
    assert len(dead) == 5, dead
    for hit in dead:
        record = hit["_source"]["dead_letter"]
        assert record["status"] == 400
        assert record["reason"] in ("mapper_parsing_exception", "document_parsing_exception")
        assert record["index"] == index_prefix + "-dl"
        assert record["output"] == "es"
        assert "shape" in record["detail"]
        assert hit["_id"] == record["event_id"]
        assert json.loads(record["event"])["shape"] == "flat"  # kept as text, whole
    assert sorted(json.loads(h["_source"]["dead_letter"]["event"])["log"]["message"] for h in dead) == \
        sorted(f"string {i}" for i in range(1, 6))
    assert metric_sum(m, "sluice_dead_letter_events_total", output="es") == 5
    assert agent.stop() == 0
