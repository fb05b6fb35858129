"""Parsers, multiline, drop rules, cost centers and the ECS schema, end to end.

The 26 logger samples of tests/data/formats go through one auto-detecting input
into OpenSearch and are then searched the way the seed's Kibana queries do;
stack traces are joined while a file grows and flushed when it stops; drop
rules leave events out without holding the checkpoint back; `tap` and
`validate` are checked without a server.
"""

from __future__ import annotations

import json
import shutil
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

from support import REPO_ROOT, append, base_config, es_output, file_input, metric_sum, run_sluice

FORMATS = REPO_ROOT / "tests" / "data" / "formats"

# From the table in tests/data/formats/README.md: formats whose correlation id
# sits under a key the normalizer maps, and formats with a mapped duration.
CORRELATION_MAPPED = {
    "zap", "logrus", "slog", "python-json", "structlog", "pino", "bunyan", "winston",
    "logback-logstash", "log4j2-json", "log4j2-ecs", "serilog", "rust-tracing", "logfmt",
}
DURATION_MAPPED = {
    "zap", "logrus", "slog", "python-json", "structlog", "pino", "bunyan", "winston",
    "logback-logstash", "log4j2-json", "log4j2-ecs", "rust-tracing", "logfmt",
}
# Files whose error line carries no level at all: access logs mark failures
# only by a 5xx status, and plain.log is free text. `log.level:"ERROR"` cannot
# find them; their error lines are searched by what they do carry.
NO_LEVEL = {"nginx-access", "apache-combined", "plain"}


def query_string(q: str) -> dict:
    """A search bar query as Kibana sends it (Lucene syntax)."""
    return {"query_string": {"query": q, "analyze_wildcard": True}}


def aggregatable(opensearch, pattern: str, field: str) -> str:
    """`field`, or its `.keyword` sub-field when dynamic mapping made it `text`."""
    status, res = opensearch.request("GET", f"/{pattern}/_mapping/field/{field}")
    assert status == 200, res
    for index in res.values():
        mapping = index.get("mappings", {}).get(field, {}).get("mapping", {})
        leaf = next(iter(mapping.values()), {})
        if leaf.get("type") == "text":
            return field + ".keyword"
    return field


def counts_by_file(opensearch, pattern: str, query: dict | None = None) -> dict[str, int]:
    """Documents per source file (by name) matching ``query``."""
    opensearch.refresh(pattern)
    field = aggregatable(opensearch, pattern, "log.file.path")
    body = {"size": 0, "query": query or {"match_all": {}},
            "aggs": {"files": {"terms": {"field": field, "size": 200}}}}
    status, res = opensearch.request("POST", f"/{pattern}/_search", body)
    assert status == 200, res
    return {Path(b["key"]).stem: b["doc_count"] for b in res["aggregations"]["files"]["buckets"]}


def parsed_samples() -> dict[str, list[dict]]:
    """What `sluice parse --multiline stack` makes of each sample: the same code
    path as a file input with `multiline: stack`."""
    out = {}
    for f in sorted(FORMATS.glob("*.log")):
        r = run_sluice("parse", "--multiline", "stack", input=f.read_text())
        assert r.returncode == 0, f"parse of {f.name} failed: {r.stderr}"
        out[f.stem] = [json.loads(ln) for ln in r.stdout.splitlines()]
    return out


def stamped_at_ingest(event: dict, since: datetime) -> bool:
    """Whether the event's @timestamp is the time it was read (the line has none)."""
    return datetime.fromisoformat(event["@timestamp"].replace("Z", "+00:00")) >= since


def shipped_as_parsed(shipped: dict, parsed: dict, since: datetime) -> list[str]:
    """Differences between a document and what `parse` made of the same line,
    leaving out what only a file input knows (log.file) and ingest times."""
    doc = dict(shipped)
    doc["log"] = {k: v for k, v in doc["log"].items() if k != "file"}
    want = dict(parsed)
    if stamped_at_ingest(want, since):
        assert stamped_at_ingest(doc, since), f"@timestamp {doc['@timestamp']} for a line without a time"
        doc.pop("@timestamp")
        want.pop("@timestamp")
    return [f"{k}: shipped {doc.get(k)!r}, parse {want.get(k)!r}"
            for k in sorted(set(doc) | set(want)) if doc.get(k) != want.get(k)]


def test_mixed_formats_land_and_answer_kibana_queries(tmp_path, opensearch, sluice, index_prefix):
    logs = tmp_path / "logs"
    logs.mkdir()
    for f in FORMATS.glob("*.log"):
        shutil.copy(f, logs / f.name)
    parse_started = datetime.now(timezone.utc) - timedelta(seconds=1)
    parsed = parsed_samples()
    expected = {name: len(events) for name, events in parsed.items()}
    assert len(expected) == 26, sorted(expected)
    lines = {f.stem: len(f.read_text().splitlines()) for f in logs.glob("*.log")}
    total = sum(expected.values())
    # The README's multi-line samples, and no others, have lines to join.
    joined = {name for name in expected if expected[name] < lines[name]}
    assert joined == {"log4j-pattern", "spring-boot", "python-text", "go-log"}, \
        {name: (lines[name], expected[name]) for name in expected}

    pattern = index_prefix + "-*"
    agent = sluice(base_config(
        tmp_path, [file_input([str(logs / "*.log")], parser="auto", multiline="stack")],
        [es_output(opensearch.url, index_prefix + "-mixed")]))
    agent.until(lambda: opensearch.count(pattern) >= total, 60, 0.3, f"{total} documents")
    agent.until(lambda: agent.metric("sluice_events_sent_total", output="es") >= total, 30, 0.2,
                "every event acknowledged")
    m = agent.metrics()
    assert opensearch.count(pattern) == total
    assert metric_sum(m, "sluice_events_failed_total") == 0, "a sample was rejected by OpenSearch"

    # One document per event: every line, except those a stack trace joined.
    assert counts_by_file(opensearch, pattern) == expected
    shipped = {(Path(h["_source"]["log"]["file"]["path"]).stem, h["_source"]["log"]["offset"]): h["_source"]
               for h in opensearch.search(pattern, size=total + 10)}
    problems = []
    for name, events in parsed.items():
        for event in events:
            key = (name, event["log"]["offset"])
            if key not in shipped:
                problems.append(f"{name}@{key[1]}: no document")
                continue
            problems += [f"{name}@{key[1]}: {d}" for d in shipped_as_parsed(shipped[key], event, parse_started)]
    assert not problems, "the file input and `parse` disagree:\n" + "\n".join(problems[:20])
    assert opensearch.count(pattern, query_string('tags:"json_error"')) == 0
    assert metric_sum(m, "sluice_parse_events_total", input="app", result="json_error") == 0
    assert metric_sum(m, "sluice_parse_events_total", input="app") == total

    # correlation.id:"corr-<file>-1" finds the one line that carries it.
    for name in sorted(CORRELATION_MAPPED):
        hits = opensearch.search(pattern, query_string(f'correlation.id:"corr-{name}-1"'), size=5)
        assert [Path(h["_source"]["log"]["file"]["path"]).stem for h in hits] == [name], \
            f'correlation.id:"corr-{name}-1" -> {[h["_source"] for h in hits]}'

    errors = counts_by_file(opensearch, pattern, query_string('log.level:"ERROR"'))
    missing = sorted(set(expected) - NO_LEVEL - set(errors))
    assert not missing, f'log.level:"ERROR" finds nothing from {missing}; by file: {errors}'
    failures = counts_by_file(opensearch, pattern, query_string("http.status_code:>=500"))
    assert {"nginx-access", "apache-combined"} <= set(failures), failures

    slow = counts_by_file(opensearch, pattern, query_string("http.duration_ms:>2000"))
    assert not DURATION_MAPPED - set(slow), \
        f"http.duration_ms:>2000 finds nothing from {sorted(DURATION_MAPPED - set(slow))}; by file: {slow}"

    # log4j's stack trace under "Failed to load order 1843" is one document.
    hits = opensearch.search(pattern, query_string(
        'log.file.path:"' + str(logs / "log4j-pattern.log") + '" AND _exists_:error.stack_trace'), size=5)
    assert len(hits) == 1, [h["_source"] for h in hits]
    doc = hits[0]["_source"]
    assert doc["log"]["message"] == "Failed to load order 1843"
    assert doc["log"]["level"] == "ERROR"
    sample = (FORMATS / "log4j-pattern.log").read_text()
    assert doc["log"]["offset"] == sample.index("2024-01-15 10:30:07,012 ERROR")
    trace = doc["error"]["stack_trace"].split("\n")
    assert trace[0].startswith("java.sql.SQLTransientConnectionException: HikariPool-1")
    assert sum(1 for ln in trace if ln.startswith("\tat ")) == 4, trace
    assert "Caused by: java.net.ConnectException: Connection refused" in trace
    assert trace[-1] == "\t... 12 common frames omitted"
    assert agent.stop() == 0


PY_HEAD = "2024-01-15 10:30:00,123 - app.worker - ERROR - job 7 failed\n"
PY_PIECES = [
    "Traceback (most recent call last):\n",
    '  File "/srv/app/worker.py", line 42, in run\n    result = compute(job)\n',
    '  File "/srv/app/worker.py", line 17, in compute\n    raise ValueError("bad input")\n',
    "ValueError: bad input\n",
]


def test_multiline_while_appending_and_flush_by_timeout(tmp_path, opensearch, sluice, index_prefix):
    log = tmp_path / "worker.log"
    log.write_text("")
    pattern = index_prefix + "-*"
    inp = file_input([str(log)], multiline={"type": "python", "timeout": "500ms"})
    agent = sluice(base_config(tmp_path, [inp], [es_output(opensearch.url, index_prefix + "-py",
                                                           interval="200ms")]))
    # Pieces written before the file is open would be read in one go.
    agent.wait_for_log(lambda r: r["log"]["message"] == "tailing file" and r["path"] == str(log))

    # The traceback comes in pieces, each well inside the timeout of the one before.
    append(log, PY_HEAD)
    for piece in PY_PIECES:
        time.sleep(0.15)  # a writer's pause, shorter than the 500 ms timeout
        append(log, piece)
    append(log, "2024-01-15 10:30:01,000 - app.worker - INFO - job 8 done\n")
    # "job 8 done" ends the traceback's event, then waits for what may follow
    # it until the timeout sends it on its own.
    agent.until(lambda: opensearch.count(pattern) >= 2, 30, 0.2, "the traceback and the next line")
    docs = {h["_source"]["log"]["message"]: h["_source"] for h in opensearch.search(pattern, size=10)}
    assert sorted(docs) == ["job 7 failed", "job 8 done"], f"the traceback was split: {sorted(docs)}"
    stack = docs["job 7 failed"]["error"]["stack_trace"]
    assert stack == "".join(PY_PIECES).rstrip("\n")
    assert "error" not in docs["job 8 done"]

    # A trailing traceback that nothing follows is flushed whole by the
    # timeout. Its first line has no time, so @timestamp tells when the agent
    # let the event go: after the configured 500 ms, before the 2 s default.
    written = datetime.now(timezone.utc)
    append(log, "ERROR worker 9 crashed\n" + "".join(PY_PIECES))
    agent.until(lambda: opensearch.count(pattern) == 3, 15, 0.2,
                "the trailing traceback, flushed by the timeout without another line")
    docs = {h["_source"]["log"]["message"]: h["_source"] for h in opensearch.search(pattern, size=10)}
    assert sorted(docs) == ["job 7 failed", "job 8 done", "worker 9 crashed"]
    assert docs["worker 9 crashed"]["error"]["stack_trace"] == stack
    held = datetime.fromisoformat(docs["worker 9 crashed"]["@timestamp"].replace("Z", "+00:00")) - written
    assert timedelta(milliseconds=450) <= held < timedelta(milliseconds=1900), \
        f"the pending traceback was emitted {held.total_seconds():.3f}s after it was written"
    assert opensearch.count(pattern) == 3
    assert agent.stop() == 0


def leveled(start: int, levels: list[str]) -> str:
    return "".join(json.dumps({"seq": start + i, "level": lv, "msg": f"event {start + i}",
                               "service": "edge-proxy"}) + "\n" for i, lv in enumerate(levels))


def test_drop_rule_cost_centers_and_checkpoint(tmp_path, opensearch, sluice, index_prefix):
    gateway = tmp_path / "gateway.log"
    backend = tmp_path / "backend.log"
    # The file ends with dropped lines: the checkpoint must still pass them.
    first_levels = ["INFO", "DEBUG", "ERROR", "DEBUG", "WARN", "INFO", "DEBUG", "DEBUG"]
    gateway.write_text(leveled(0, first_levels))
    backend.write_text(leveled(100, ["DEBUG", "INFO"]))
    pattern = index_prefix + "-*"
    gw_in = file_input([str(gateway)], fields={"service.tier": "gateway"})
    be_in = file_input([str(backend)], fields={"service.tier": "backend"})
    be_in["id"] = "backend"
    cfg = base_config(tmp_path, [gw_in, be_in], [es_output(opensearch.url, index_prefix + "-tiers")])
    cfg["pipeline"] = {
        "cost_centers": {"gateway": {"center": "edge-platform", "weight": 2}},
        "drop": ['log.level == "DEBUG" && service.tier == "gateway"'],
    }

    kept = [i for i, lv in enumerate(first_levels) if lv != "DEBUG"]
    dropped = len(first_levels) - len(kept)
    agent = sluice(cfg)
    agent.until(lambda: opensearch.count(pattern) >= len(kept) + 2, 60, 0.3, "the kept events")
    agent.until(lambda: agent.metric("sluice_events_dropped_total", input="app",
                                     reason="drop_rule") >= dropped, 10, 0.1, "the drop counter")
    agent.until(lambda: agent.metric("sluice_events_sent_total", output="es") >= len(kept) + 2, 30, 0.2,
                "every kept event acknowledged")
    m = agent.metrics()
    assert metric_sum(m, "sluice_events_dropped_total", input="app", reason="drop_rule") == dropped
    assert metric_sum(m, "sluice_events_dropped_total", input="backend") == 0
    assert metric_sum(m, "sluice_events_received_total", input="app") == len(kept)

    docs = {h["_source"]["seq"]: h["_source"] for h in opensearch.search(pattern, size=50)}
    assert sorted(docs) == kept + [100, 101]
    for seq in kept:
        assert docs[seq]["service"]["tier"] == "gateway"
        assert docs[seq]["cost"] == {"center": "edge-platform", "weight": 2}, docs[seq]
    assert docs[100]["log"]["level"] == "DEBUG", "the rule drops DEBUG of the gateway tier only"
    assert "cost" not in docs[100] and "cost" not in docs[101]
    assert opensearch.count(pattern, query_string(
        'log.level:"DEBUG" AND service.tier:"gateway"')) == 0
    assert agent.stop() == 0

    # The restart reads only what was appended: neither the kept lines nor
    # the dropped ones at the end of the file come again.
    size_before = gateway.stat().st_size
    append(gateway, leveled(8, ["DEBUG", "INFO", "DEBUG"]))
    again = sluice(cfg)
    resumed = again.wait_for_log(lambda r: r["log"]["message"] == "tailing file"
                                 and r["path"] == str(gateway))
    assert resumed["offset"] == size_before, resumed
    again.until(lambda: opensearch.count(pattern) >= len(kept) + 3, 60, 0.3, "the appended INFO line")
    again.until(lambda: again.metric("sluice_events_dropped_total", input="app") >= 2, 10, 0.1,
                "the appended DEBUG lines dropped")
    m = again.metrics()
    assert metric_sum(m, "sluice_events_received_total", input="app") == 1
    assert metric_sum(m, "sluice_events_dropped_total", input="app", reason="drop_rule") == 2, \
        "lines dropped before the restart were read again"
    assert metric_sum(m, "sluice_events_received_total", input="backend") == 0
    assert opensearch.count(pattern) == len(kept) + 3
    assert again.stop() == 0


def test_ecs_schema(tmp_path, opensearch, sluice, index_prefix):
    log = tmp_path / "api.log"
    log.write_text(json.dumps({
        "time": "2024-01-15T10:30:00.123Z", "level": "warn", "msg": "slow payment call",
        "service": "payments", "tenant_id": "t-42",
        "trace_id": "4BF92F3577B34DA6A3CE929D0E0E4736", "span_id": "00F067AA0BA902B7",
        "http": {"method": "post", "path": "/api/pay", "status_code": 502, "duration_ms": 2345.5},
    }) + "\n")
    pattern = index_prefix + "-*"
    cfg = base_config(tmp_path, [file_input([str(log)])], [es_output(opensearch.url, index_prefix + "-ecs")])
    cfg["pipeline"] = {"schema": "ecs"}
    agent = sluice(cfg)
    agent.until(lambda: opensearch.count(pattern) == 1, 60, 0.3, "the event")
    doc = opensearch.search(pattern)[0]["_source"]
    assert doc["message"] == "slow payment call"
    assert doc["log"]["level"] == "WARN"
    assert doc["http"] == {"request": {"method": "POST"}, "response": {"status_code": 502}}
    assert doc["url"]["path"] == "/api/pay"
    assert doc["event"]["duration"] == 2_345_500_000
    assert doc["trace"]["id"] == "4bf92f3577b34da6a3ce929d0e0e4736"
    assert doc["span"]["id"] == "00f067aa0ba902b7"
    assert doc["organization"]["id"] == "t-42"
    assert "message" not in doc["log"] and "tenant" not in doc
    assert opensearch.count(pattern, query_string("event.duration:>2000000000")) == 1
    assert agent.stop() == 0


TAP_CONFIG = """\
inputs:
  - id: app
    type: stdin
  - id: edge
    type: file
    paths: ["/var/log/edge/*.log"]
    parser: {{type: dissect, pattern: '%{{client}} [%{{ts}}] %{{method}} %{{path}} %{{status}} %{{msg}}'}}
    fields: {{service.name: edge}}
outputs:
  - id: out
    type: stdout
state_dir: {state}
"""


def test_tap_uses_the_inputs_parser(tmp_path):
    conf = tmp_path / "tap.yml"
    conf.write_text(TAP_CONFIG.format(state=tmp_path / "state"))
    lines = ["10.0.0.1 [a] GET /orders 200 listed orders",
             "10.0.0.2 [b] POST /pay 503 upstream gone away",
             "not what the pattern expects"]
    r = run_sluice("tap", "-c", str(conf), "--input", "edge", input="\n".join(lines) + "\n")
    assert r.returncode == 0, r.stderr
    events = [json.loads(ln) for ln in r.stdout.splitlines()]
    assert len(events) == 3, r.stdout
    first, second, odd = events
    assert first["http"] == {"method": "GET", "path": "/orders", "status_code": 200}
    assert first["client"] == "10.0.0.1"
    assert second["http"]["status_code"] == 503
    assert all(e["service"]["name"] == "edge" for e in events)
    # The pattern's `msg` is the message; a line it does not fit is kept whole.
    assert [e["log"]["message"] for e in events[:2]] == ["listed orders", "upstream gone away"]
    assert "unparsed" in odd.get("tags", []) and odd["log"]["message"] == lines[2]

    # Without --input the first input, auto-detecting, is used: no dissect fields.
    r = run_sluice("tap", "-c", str(conf), input=lines[0] + "\n")
    assert r.returncode == 0, r.stderr
    event = json.loads(r.stdout)
    assert "client" not in event and "service" not in event


BAD_CONFIG = """\
inputs:
  - id: app
    type: file
    paths: ["/var/log/app/*.log"]
    parser: {type: regex, pattern: '^(?P<ts>[0-9+ (?P<msg>.*)$'}
    multiline: javascript
    timezone: Mars/Olympus_Mons
pipeline:
  drop: ['log.level == "DEBUG" &&']
outputs:
  - id: out
    type: stdout
"""


def test_validate_reports_every_processing_error(tmp_path):
    conf = tmp_path / "bad.yml"
    conf.write_text(BAD_CONFIG)
    r = run_sluice("validate", "-c", str(conf))
    assert r.returncode == 1, f"exit {r.returncode}; stderr:\n{r.stderr}"
    out = r.stderr + r.stdout
    expect = {  # line: (key, column range (key or value), words in the message)
        5: ("inputs[0].parser", range(5, 60), "pattern"),
        6: ("inputs[0].multiline", range(5, 17), "javascript"),
        7: ("inputs[0].timezone", range(5, 16), "Mars/Olympus_Mons"),
        9: ("pipeline.drop", range(3, 12), "rule 1"),
    }
    for line, (key, columns, word) in expect.items():
        found = [ln for ln in out.splitlines() if ln.startswith(f"{conf}:{line}:") and key in ln]
        assert found, f"no error for {key} at line {line}:\n{out}"
        column = int(found[0][len(f"{conf}:{line}:"):].split(":")[0])
        assert column in columns and word in found[0], found[0]


def test_regex_parser_and_time_zone(tmp_path, opensearch, sluice, index_prefix):
    """A user's RE2 pattern names the fields; zone-less stamps are read in the
    input's time zone (Paris: +01:00 in January, +02:00 in July)."""
    log = tmp_path / "legacy.log"
    log.write_text("15.01.2024 10:30:00|ERROR|billing|charge failed\n"
                   "15.07.2024 10:30:00|INFO|billing|charge ok\n")
    pattern = (r"^(?P<day>\d\d)\.(?P<month>\d\d)\.(?P<year>\d{4}) (?P<clock>\S+)\|"
               r"(?P<log__level>\w+)\|(?P<service__name>\w+)\|(?P<msg>.*)$")
    inp = file_input([str(log)], parser={"type": "regex", "pattern": pattern},
                     timezone="Europe/Paris")
    # A regex cannot reorder a day-first date into a timestamp, so the time
    # zone is checked on a second input whose dissect pattern joins date and time.
    stamped = tmp_path / "stamped.log"
    stamped.write_text("2024-01-15 10:30:00 ERROR charge failed\n"
                       "2024-07-15 10:30:00 INFO charge ok\n")
    inp2 = file_input([str(stamped)], parser={"type": "dissect", "pattern": "%{ts} %{+ts} %{level} %{msg}"},
                      timezone="Europe/Paris")
    inp2["id"] = "stamped"
    agent = sluice(base_config(tmp_path, [inp, inp2], [es_output(opensearch.url, index_prefix + "-tz")]))
    agent.until(lambda: opensearch.count(index_prefix + "-*") == 4, 60, 0.3, "4 events")
    docs = {(h["_source"]["log"]["file"]["path"], h["_source"]["log"]["message"]): h["_source"]
            for h in opensearch.search(index_prefix + "-*", size=10)}
    failed = docs[(str(log), "charge failed")]
    assert failed["log"]["level"] == "ERROR" and failed["service"]["name"] == "billing", failed
    assert failed["year"] == "2024" and failed["clock"] == "10:30:00", failed
    assert docs[(str(stamped), "charge failed")]["@timestamp"] == "2024-01-15T09:30:00.000Z"
    assert docs[(str(stamped), "charge ok")]["@timestamp"] == "2024-07-15T08:30:00.000Z"
