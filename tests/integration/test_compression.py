"""gzip request bodies: OpenSearch takes `Content-Encoding: gzip` bulk requests
and every event arrives once."""

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
