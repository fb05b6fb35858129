"""/health, /ready and /metrics: present, well-formed, moving; per-event errors counted."""

from __future__ import annotations

import json

import pytest

from support import append, base_config, es_output, file_input, metric_present, metric_sum


def lines(start: int, n: int) -> str:
    return "".join(json.dumps({"seq": i, "msg": f"m {i}", "service": "metrics"}) + "\n"
                   for i in range(start, start + n))


def test_metrics_and_health(tmp_path, opensearch, sluice, index_prefix):
    log = tmp_path / "app.log"
    log.write_text(lines(0, 10))
    pattern = index_prefix + "-*"
    agent = sluice(base_config(tmp_path, [file_input([str(log)])],
                               [es_output(opensearch.url, index_prefix + "-{service.name}")]))

    status, _, _ = agent.get("/health")
    assert status == 200
    agent.until(lambda: agent.get("/ready")[0] == 200, 30, 0.2, "/ready == 200 with a reachable output")

    agent.until(lambda: opensearch.count(pattern) == 10, 60, 0.3, "10 documents")
    agent.until(lambda: agent.metric("sluice_events_sent_total", output="es") >= 10, 30, 0.2, "sent == 10")
    status, body, headers = agent.get("/metrics")
    assert status == 200
    ctype = {k.lower(): v for k, v in headers.items()}.get("content-type", "")
    assert ctype.startswith("text/plain"), ctype
    text = body.decode()
    m1 = agent.metrics()
    for name, labels in [("sluice_events_received_total", {"input": "app"}),
                         ("sluice_events_sent_total", {"output": "es"}),
                         ("sluice_bytes_read_total", {"input": "app"}),
                         ("sluice_output_request_duration_seconds_bucket", {"output": "es"}),
                         ("sluice_output_request_duration_seconds_sum", {"output": "es"}),
                         ("sluice_output_request_duration_seconds_count", {"output": "es"})]:
        assert metric_present(m1, name, **labels), f"{name}{labels} missing from /metrics:\n{text}"
    for family, kind in [("sluice_events_received_total", "counter"), ("sluice_events_sent_total", "counter"),
                         ("sluice_output_request_duration_seconds", "histogram")]:
        assert f"# TYPE {family} {kind}" in text, f"no '# TYPE {family} {kind}' line"
    assert metric_sum(m1, "sluice_events_received_total", input="app") == 10
    assert metric_sum(m1, "sluice_events_sent_total", output="es") == 10
    assert metric_sum(m1, "sluice_bytes_read_total", input="app") == log.stat().st_size

    # Histogram: cumulative buckets, +Inf bucket == _count, at least one request timed.
    buckets = sorted(((float(k.split('le="')[1].split('"')[0].replace("+Inf", "inf")), v)
                      for k, v in m1.items()
                      if k.startswith("sluice_output_request_duration_seconds_bucket{") and 'output="es"' in k))
    assert buckets and buckets[-1][0] == float("inf")
    assert all(a[1] <= b[1] for a, b in zip(buckets, buckets[1:])), f"buckets not cumulative: {buckets}"
    count1 = metric_sum(m1, "sluice_output_request_duration_seconds_count", output="es")
    assert buckets[-1][1] == count1 >= 1
    assert metric_sum(m1, "sluice_output_request_duration_seconds_sum", output="es") > 0

    # Moving: more lines -> counters and the histogram grow.
    append(log, lines(10, 25))
    agent.until(lambda: agent.metric("sluice_events_sent_total", output="es") >= 35, 60, 0.2, "sent == 35")
    m2 = agent.metrics()
    assert metric_sum(m2, "sluice_events_received_total", input="app") == 35
    assert metric_sum(m2, "sluice_events_sent_total", output="es") == 35
    assert metric_sum(m2, "sluice_bytes_read_total", input="app") == log.stat().st_size
    assert metric_sum(m2, "sluice_output_request_duration_seconds_count", output="es") > count1
    assert opensearch.count(pattern) == 35

    assert agent.get("/nope")[0] == 404
    assert agent.stop() == 0


def run_mapping_conflict(tmp_path, opensearch, sluice, index_prefix, **output_extra):
    log = tmp_path / "app.log"
    pattern = index_prefix + "-*"
    log.write_text(json.dumps({"seq": 0, "msg": "object first", "service": "map", "shape": {"a": 1}}) + "\n")
    agent = sluice(base_config(tmp_path, [file_input([str(log)])],
                               [es_output(opensearch.url, index_prefix + "-{service.name}", **output_extra)]))
    agent.until(lambda: opensearch.count(pattern) == 1, 60, 0.3, "the first document")

    append(log, json.dumps({"seq": 1, "msg": "then a string", "service": "map", "shape": "flat"}) + "\n"
           + json.dumps({"seq": 2, "msg": "fine again", "service": "map"}) + "\n")
    agent.until(lambda: opensearch.count(pattern) == 2, 60, 0.3, "the document after the rejected one")
    agent.until(lambda: agent.metric("sluice_events_failed_total", output="es") >= 1, 30, 0.2,
               "sluice_events_failed_total{output=es} to count the rejected event")
    return agent


def test_mapping_error_counted(tmp_path, opensearch, sluice, index_prefix):
    """A document Elasticsearch rejects (400 mapping conflict) is counted as failed with a
    reason, not retried forever, and does not hold up the events after it."""
    agent = run_mapping_conflict(tmp_path, opensearch, sluice, index_prefix)
    m = agent.metrics()
    failed = {k: v for k, v in m.items() if k.startswith("sluice_events_failed_total{")}
    assert sum(failed.values()) == 1, failed
    assert all('reason="' in k and 'output="es"' in k for k in failed), failed
    assert metric_sum(m, "sluice_events_sent_total", output="es") == 2
    assert agent.running()
    assert agent.stop() == 0


def test_mapping_error_dead_letter(tmp_path, opensearch, sluice, index_prefix):
    """SPEC: mapping errors go to a dead-letter file with the reason."""
    dead_path = tmp_path / "dead.ndjson"
    agent = run_mapping_conflict(tmp_path, opensearch, sluice, index_prefix,
                                 dead_letter={"type": "file", "path": str(dead_path)})
    dead = agent.until(lambda: dead_path.exists() and dead_path.read_text(), 10, 0.2, "the dead-letter file")
    records = [json.loads(x) for x in dead.splitlines() if x.strip()]
    assert len(records) == 1, records
    assert "then a string" in dead
    record = records[0]
    assert record["status"] == 400, record
    assert record["reason"] in ("mapper_parsing_exception", "document_parsing_exception"), record
    assert record["index"].startswith(index_prefix), record
    assert record["event"]["log"]["message"], record
    assert len(record["event_id"]) == 22, record
    assert metric_sum(agent.metrics(), "sluice_dead_letter_events_total", output="es") == 1
    assert oct(dead_path.stat().st_mode & 0o777) == "0o640"
    assert agent.running()


def test_unwritable_dead_letter_file_holds_the_batch(tmp_path, opensearch, sluice, index_prefix):
    """A dead-letter file that cannot be written (here /dev/full: every write is
    ENOSPC) holds the batch and retries, rather than dropping the event: the
    checkpoint does not pass it, the errors are counted, the agent keeps running."""
    agent = run_mapping_conflict(tmp_path, opensearch, sluice, index_prefix,
                                 dead_letter={"type": "file", "path": "/dev/full"},
                                 retry={"initial": "50ms", "max": "200ms"})
    agent.until(lambda: agent.metric("sluice_dead_letter_errors_total", output="es") >= 3, 30, 0.2,
                "repeated dead-letter write errors")
    assert agent.running()
    assert metric_sum(agent.metrics(), "sluice_dead_letter_events_total", output="es") == 0
    # The batch holding the rejected event is not acknowledged: its file position
    # is not checkpointed past the event.
    ckpt = tmp_path / "state" / "checkpoints" / "app.ndjson"
    log_size = (tmp_path / "app.log").stat().st_size
    offsets = [json.loads(x)["offset"] for x in ckpt.read_text().splitlines() if x.strip()] \
        if ckpt.exists() else []
    assert all(o < log_size for o in offsets), (offsets, log_size)
