"""The Elasticsearch output's `setup:` against a real OpenSearch node: the index
template (the schema's mappings) and the ISM policy are installed before the
first bulk request, a template that sluice did not install is left alone
unless `overwrite: true`, a refused template does not stop shipping, and
`setup: false` installs nothing."""

from __future__ import annotations

import json

import pytest

from support import append, base_config, es_output, file_input, metric_sum

LINES = [
    {"time": "2025-01-15T10:30:00.123456789Z", "level": "info", "msg": "request done",
     "service": "api", "tier": "gateway", "method": "GET", "path": "/v1/orders", "status": 200,
     "duration_ms": 12.5, "trace_id": "4BF92F3577B34DA6A3CE929D0E0E4736",
     "ai": {"provider": "openai", "model": "gpt-4o", "cost_usd": 0.0535},
     "labels": {"team": "edge", "build": 42}, "custom": "free text here"},
    # The same label as a number above and a word here: both are keywords, no conflict.
    {"time": "2025-01-15T10:30:01.5Z", "level": "error", "msg": "upstream failed",
     "service": "api", "status": 502, "labels": {"build": "nightly"},
     "error": {"type": "TimeoutError", "message": "upstream timed out"}},
]


@pytest.fixture
def cleanup(opensearch):
    """Templates, policies and data streams a test names are deleted afterwards."""
    names: dict[str, list[str]] = {"template": [], "policy": [], "stream": []}
    yield names
    for name in names["template"]:
        opensearch.request("DELETE", f"/_index_template/{name}")
    for name in names["policy"]:
        opensearch.request("DELETE", f"/_plugins/_ism/policies/{name}")
    for name in names["stream"]:
        opensearch.request("DELETE", f"/_data_stream/{name}")


def write_lines(tmp_path, lines=LINES):
    log = tmp_path / "app.log"
    append(log, "".join(json.dumps(line) + "\n" for line in lines))
    return log


def start(tmp_path, sluice, opensearch, index, log, **output_extra):
    return sluice(base_config(tmp_path, [file_input([str(log)])],
                              [es_output(opensearch.url, index, **output_extra)]))


def get_template(opensearch, name):
    status, res = opensearch.request("GET", f"/_index_template/{name}")
    if status == 404:
        return None
    assert status == 200, res
    return res["index_templates"][0]["index_template"]


def field_type(opensearch, pattern, path):
    """The type `path` has in the indices of `pattern` ("object" for objects)."""
    status, res = opensearch.request("GET", f"/{pattern}/_mapping/field/{path}")
    assert status == 200, res
    types = set()
    for index in res.values():
        found = index["mappings"].get(path)
        if found:
            leaf = path.rsplit(".", 1)[-1]
            types.add(found["mapping"][leaf].get("type", "object"))
    assert len(types) <= 1, (path, types)
    return types.pop() if types else None


def has_ism(opensearch) -> bool:
    status, res = opensearch.request("GET", "/_plugins/_ism/policies/sluice-probe")
    return not (status == 400 and "no handler found" in str(res))


def test_template_installed_before_first_document(tmp_path, opensearch, sluice, index_prefix,
                                                  cleanup):
    name = "sluice-" + index_prefix
    cleanup["template"].append(name)
    cleanup["policy"].append(name)
    pattern = index_prefix + "-*"
    agent = start(tmp_path, sluice, opensearch, index_prefix + "-{service.name}", write_lines(tmp_path))
    agent.until(lambda: opensearch.count(pattern) == 2, 60, 0.3, "both documents")

    template = get_template(opensearch, name)
    assert template is not None, "no index template named " + name
    assert template["index_patterns"] == [pattern]
    assert int(template["priority"]) == 200
    assert template["_meta"]["managed_by"] == "sluice"
    props = template["template"]["mappings"]["properties"]
    assert props["http"]["properties"]["status_code"]["type"] == "integer"
    assert props["@timestamp"]["type"] == "date_nanos"

    # The index was created from it: the schema's types, not dynamic ones.
    expected = {
        "@timestamp": "date_nanos", "log.message": "text", "log.level": "keyword",
        "service.name": "keyword", "http.status_code": "integer", "http.duration_ms": "double",
        "http.path": "keyword", "trace.id": "keyword", "ai.cost_usd": "scaled_float",
        "ai.model": "keyword", "error.message": "text", "error.type": "keyword",
        "labels.team": "keyword", "labels.build": "keyword", "log.offset": "long",
        "host.name": "keyword",
        # Fields outside the schema keep Elasticsearch's dynamic mapping.
        "custom": "text",
    }
    actual = {path: field_type(opensearch, pattern, path) for path in expected}
    assert actual == expected
    hits = opensearch.search(pattern, {"term": {"labels.build": "nightly"}})
    assert [h["_source"]["log"]["message"] for h in hits] == ["upstream failed"]
    hits = opensearch.search(pattern, {"range": {"http.status_code": {"gte": 500}}})
    assert [h["_source"]["http"]["status_code"] for h in hits] == [502]

    assert agent.metric("sluice_output_setup_total", output="es", result="installed") == 1
    assert agent.metric("sluice_events_failed_total", output="es") == 0
    assert agent.stop() == 0

    # Started again with the same config: everything is in place, nothing is written.
    append(tmp_path / "app.log", json.dumps({"msg": "after restart", "service": "api"}) + "\n")
    again = start(tmp_path, sluice, opensearch, index_prefix + "-{service.name}", tmp_path / "app.log")
    again.until(lambda: opensearch.count(pattern) == 3, 60, 0.3, "the third document")
    assert again.metric("sluice_output_setup_total", output="es", result="unchanged") == 1
    assert not [r for r in again.log_records()
                if r.get("log", {}).get("message") == "index template installed"]
    assert get_template(opensearch, name) == template


def test_lifecycle_policy_attached(tmp_path, opensearch, sluice, index_prefix, cleanup):
    """With the ISM plugin the policy is installed and attached to the new index
    through its ism_template; a node without the plugin (the test node runs
    OpenSearch's core modules only) gets the template anyway and a WARN."""
    index = index_prefix + "-app"
    name = "sluice-" + index  # a literal index is its own pattern
    cleanup["template"].append(name)
    cleanup["policy"].append(name)
    agent = start(tmp_path, sluice, opensearch, index, write_lines(tmp_path),
                  setup={"lifecycle": {"hot": "1d", "warm": "2d", "delete": "3d"}})
    agent.until(lambda: opensearch.count(index) == 2, 60, 0.3, "both documents")
    assert get_template(opensearch, name)["_meta"]["managed_by"] == "sluice"
    if has_ism(opensearch):
        status, policy = opensearch.request("GET", f"/_plugins/_ism/policies/{name}")
        assert status == 200, policy
        states = [s["name"] for s in policy["policy"]["states"]]
        assert states == ["hot", "warm", "cold", "delete"]
        assert policy["policy"]["ism_template"][0]["index_patterns"] == [index]

        def attached():
            status, res = opensearch.request("GET", f"/_plugins/_ism/explain/{index}")
            info = res.get(index, {}) if status == 200 else {}
            return name in (info.get("policy_id"),
                            info.get("index.plugins.index_state_management.policy_id"))
        agent.until(attached, 60, 0.5, "the ISM policy attached to " + index)
    else:
        record = agent.wait_for_log(lambda r: r["log"]["level"] == "WARN"
                                    and "no lifecycle management" in r["log"]["message"])
        assert "ISM" in record["missing"]
        assert agent.metric("sluice_output_setup_total", output="es", result="installed") == 1


def test_user_template_left_alone_without_overwrite(tmp_path, opensearch, sluice, index_prefix,
                                                    cleanup):
    name = "sluice-" + index_prefix
    cleanup["template"].append(name)
    cleanup["policy"].append(name)
    pattern = index_prefix + "-*"
    theirs = {"index_patterns": [pattern], "priority": 300, "_meta": {"owner": "ops"},
              "template": {"mappings": {"properties": {"ops_marker": {"type": "keyword"}}}}}
    status, res = opensearch.request("PUT", f"/_index_template/{name}", theirs)
    assert status == 200, res
    before = get_template(opensearch, name)

    # One line: their template does not map labels, so LINES[1]'s word where
    # LINES[0] had a number would be refused.
    log = write_lines(tmp_path, LINES[:1])
    agent = start(tmp_path, sluice, opensearch, index_prefix + "-{service.name}", log)
    agent.until(lambda: opensearch.count(pattern) == 1, 60, 0.3, "the document")
    record = agent.wait_for_log(lambda r: r["log"]["level"] == "WARN"
                                and r.get("kind") == "index template" and r.get("name") == name)
    assert "overwrite" in record["log"]["message"]
    assert get_template(opensearch, name) == before
    # The index was created from their template: ops_marker mapped, ours not.
    assert field_type(opensearch, pattern, "ops_marker") == "keyword"
    assert field_type(opensearch, pattern, "http.status_code") == "long"
    assert agent.stop() == 0

    agent = start(tmp_path, sluice, opensearch, index_prefix + "-{service.name}", log,
                  setup={"overwrite": True})
    agent.until(lambda: (get_template(opensearch, name) or {}).get("_meta", {}).get("managed_by")
                == "sluice", 30, 0.3, "our template in place of theirs")
    assert get_template(opensearch, name)["index_patterns"] == [pattern]


def test_setup_off_installs_nothing(tmp_path, opensearch, sluice, index_prefix, cleanup):
    name = "sluice-" + index_prefix
    cleanup["template"].append(name)
    cleanup["policy"].append(name)
    pattern = index_prefix + "-*"
    agent = start(tmp_path, sluice, opensearch, index_prefix + "-{service.name}",
                  write_lines(tmp_path, LINES[:1]), setup=False)
    agent.until(lambda: opensearch.count(pattern) == 1, 60, 0.3, "the document")
    assert get_template(opensearch, name) is None
    status, res = opensearch.request("GET", "/_index_template")
    assert status == 200, res
    assert not [t["name"] for t in res["index_templates"]
                if pattern in t["index_template"]["index_patterns"]]
    status, res = opensearch.request("GET", f"/_plugins/_ism/policies/{name}")
    assert status in (400, 404), res
    # Dynamic mappings: a number is a long, a label a text field.
    assert field_type(opensearch, pattern, "http.status_code") == "long"
    assert field_type(opensearch, pattern, "labels.team") == "text"
    assert field_type(opensearch, pattern, "@timestamp") == "date"
    assert agent.metric("sluice_output_setup_total", output="es") == 0


def test_data_stream_created_from_our_template(tmp_path, opensearch, sluice, index_prefix,
                                               cleanup):
    """OpenSearch makes a data stream only when a template with data_stream
    matches: that it is one proves the template was in place before the first
    bulk request."""
    dataset = index_prefix.replace("-", "_")[:60]
    stream = f"logs-{dataset}-default"
    cleanup["template"].append("sluice-" + stream)
    cleanup["policy"].append("sluice-" + stream)
    cleanup["stream"].append(stream)
    out = es_output(opensearch.url, "unused")
    del out["index"]
    out["data_stream"] = {"dataset": dataset}
    agent = sluice(base_config(tmp_path, [file_input([str(write_lines(tmp_path))])], [out]))
    agent.until(lambda: opensearch.count(stream) == 2, 60, 0.3, "both documents in the stream")
    status, res = opensearch.request("GET", f"/_data_stream/{stream}")
    assert status == 200, res
    assert res["data_streams"][0]["template"] == "sluice-" + stream
    assert field_type(opensearch, stream, "@timestamp") == "date_nanos"
    assert field_type(opensearch, stream, "http.status_code") == "integer"


def test_refused_template_does_not_stop_shipping(tmp_path, opensearch, sluice, index_prefix,
                                                 cleanup):
    """OpenSearch refuses a second template with the same priority for an
    overlapping pattern (400): logged at ERROR with its reason, counted, and the
    events are shipped without the template."""
    blocker = index_prefix + "-blocker"
    cleanup["template"].extend([blocker, "sluice-" + index_prefix])
    cleanup["policy"].append("sluice-" + index_prefix)
    pattern = index_prefix + "-*"
    status, res = opensearch.request("PUT", f"/_index_template/{blocker}",
                                     {"index_patterns": [pattern], "priority": 200})
    assert status == 200, res
    agent = start(tmp_path, sluice, opensearch, index_prefix + "-{service.name}",
                  write_lines(tmp_path, LINES[:1]))
    agent.until(lambda: opensearch.count(pattern) == 1, 60, 0.3, "the document")
    record = agent.wait_for_log(lambda r: r["log"]["level"] == "ERROR"
                                and r.get("action") == "install the index template")
    assert record["status"] == 400
    assert "priority" in record["reason"], record
    assert get_template(opensearch, "sluice-" + index_prefix) is None
    assert agent.metric("sluice_output_setup_total", output="es", result="failed") == 1
    agent.until(lambda: agent.metric("sluice_events_sent_total", output="es") == 1, 30, 0.2,
                "the event acknowledged")
