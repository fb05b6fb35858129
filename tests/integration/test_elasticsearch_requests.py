"""What the Elasticsearch output sends: gzip bodies OpenSearch accepts with
every event arriving once, and writes into a real data stream."""

from __future__ import annotations

import json

from support import append, base_config, es_output, file_input


def test_gzip_bodies_are_indexed(tmp_path, opensearch, sluice, index_prefix):
    logs = tmp_path / "logs"
    logs.mkdir()
    lines = [json.dumps({"level": "info", "msg": f"event {i}", "seq": i}) for i in range(3000)]
    append(logs / "app.log", "\n".join(lines) + "\n")
    index = index_prefix + "-gzip"
    agent = sluice(base_config(
        tmp_path, [file_input([str(logs / "*.log")])],
        [es_output(opensearch.url, index, compression={"type": "gzip", "level": 6})]))
    agent.until(lambda: opensearch.count(index) >= 3000, 60, 0.3, "3000 documents")
    agent.until(lambda: agent.metric("sluice_events_sent_total", output="es") >= 3000, 30, 0.2,
                "every event acknowledged")
    assert opensearch.count(index) == 3000
    assert agent.metric("sluice_events_failed_total", output="es") == 0
    hits = opensearch.search(index, {"term": {"seq": 1234}}, size=5)
    assert [h["_source"]["log"]["message"] for h in hits] == ["event 1234"]


def test_data_stream_target(tmp_path, opensearch, sluice, index_prefix):
    """`data_stream:` writes into a real data stream (OpenSearch needs a
    matching index template with data_stream enabled, as Elasticsearch ships
    for logs-*-*)."""
    dataset = index_prefix.replace("-", "_")[:60]
    status, res = opensearch.request("PUT", f"/_index_template/{dataset}", {
        "index_patterns": [f"logs-{dataset}-*"], "data_stream": {}, "priority": 500})
    assert status == 200, res
    logs = tmp_path / "logs"
    logs.mkdir()
    append(logs / "app.log", "".join(
        json.dumps({"level": "info", "msg": f"stream {i}"}) + "\n" for i in range(50)))
    out = es_output(opensearch.url, "unused")
    del out["index"]
    out["data_stream"] = {"dataset": dataset, "namespace": "default"}
    agent = sluice(base_config(tmp_path, [file_input([str(logs / "*.log")])], [out]))
    stream = f"logs-{dataset}-default"
    agent.until(lambda: opensearch.count(stream) >= 50, 60, 0.3, "50 documents in the stream")
    status, res = opensearch.request("GET", f"/_data_stream/{stream}")
    assert status == 200, res
    assert [d["name"] for d in res["data_streams"]] == [stream], res
    assert opensearch.count(stream) == 50
    # Backing indices are hidden .ds-* indices: the events are in the stream.
    assert res["data_streams"][0]["indices"][0]["index_name"].startswith(".ds-" + stream)
