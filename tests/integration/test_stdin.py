"""A run whose only input is stdin ends by itself once stdin is closed and all is delivered."""

from __future__ import annotations

import json
import subprocess

from support import base_config, es_output, require_sluice, to_yaml

LINES = [
    {"time": "2024-05-06T07:08:09.123Z", "level": "warn", "msg": "disk almost full", "service": "Billing",
     "trace_id": "4BF92F3577B34DA6A3CE929D0E0E4736", "span_id": "00F067AA0BA902B7",
     "correlationId": "c-1", "http": {"method": "put", "path": "/v1/x", "status_code": "507"},
     "user_id": "u-1", "tenant_id": "t-1", "seq": 0},
    {"ts": 1715000000000, "level": 50, "message": "boom", "app": "billing", "seq": 1,
     "traceparent": "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"},
]
PLAIN = "just some words without any structure"


def stdin_payload(n_extra: int = 0) -> str:
    out = [json.dumps(x) for x in LINES] + ["", PLAIN]
    out += [json.dumps({"seq": 100 + i, "msg": f"bulk {i}", "service": "billing"}) for i in range(n_extra)]
    return "\n".join(out) + "\n"


def stdin_input() -> dict:
    return {"id": "in", "type": "stdin"}


def test_stdin_run_ends(tmp_path, opensearch, sluice, index_prefix):
    n_extra = 500
    agent = sluice(base_config(tmp_path, [stdin_input()],
                               [es_output(opensearch.url, index_prefix + "-{service.name}")]),
                   stdin=stdin_payload(n_extra))
    code = agent.wait(timeout=60)
    assert code == 0, f"exit code {code}; stderr:\n{agent.stderr_tail()}"
    # Everything was delivered before exiting: the count is right at once.
    assert opensearch.count(index_prefix + "-*") == len(LINES) + 1 + n_extra
    assert opensearch.indices(index_prefix + "-*") == sorted(
        [f"{index_prefix}-billing", f"{index_prefix}-unknown"])


def test_stdin_to_stdout(tmp_path, sluice):
    cfg = base_config(tmp_path, [stdin_input()], [{"id": "out", "type": "stdout"}])
    agent = sluice(cfg, stdin=stdin_payload())
    code = agent.wait(timeout=30)
    assert code == 0, f"exit code {code}; stderr:\n{agent.stderr_tail()}"
    raw = agent.stdout_text().splitlines()
    events = [json.loads(x) for x in raw if x.strip()]
    assert len(raw) == len(events), "stdout must hold only NDJSON events (logs go to stderr)"
    assert len(events) == 3, f"empty lines are skipped, every other line is an event: {raw}"
    a, b, c = events

    assert a["@timestamp"].startswith("2024-05-06T07:08:09.123") and a["@timestamp"].endswith("Z")
    assert a["log"]["level"] == "WARN"
    assert a["log"]["message"] == "disk almost full"
    assert a["service"]["name"] == "Billing"
    assert a["trace"]["id"] == "4bf92f3577b34da6a3ce929d0e0e4736"
    assert a["trace"]["span_id"] == "00f067aa0ba902b7"
    assert a["correlation"]["id"] == "c-1"
    assert a["http"]["method"] == "PUT"
    assert a["http"]["path"] == "/v1/x"
    assert a["http"]["status_code"] == 507 and isinstance(a["http"]["status_code"], int)
    assert a["user"]["id"] == "u-1"
    assert a["tenant"]["id"] == "t-1"
    assert a["seq"] == 0
    assert a["agent"]["type"] == "sluice"
    assert a["agent"]["version"]
    assert a["ecs"]["version"]
    assert a["host"]["name"]
    assert "tags" not in a or "unparsed" not in a["tags"]

    assert b["@timestamp"].startswith("2024-05-06T12:53:20.000") and b["@timestamp"].endswith("Z")
    assert b["log"]["level"] == "ERROR"
    assert b["log"]["message"] == "boom"
    assert b["service"]["name"] == "billing"
    assert b["trace"]["id"] == "0af7651916cd43dd8448eb211c80319c"
    assert b["trace"]["span_id"] == "b7ad6b7169203331"

    assert c["log"]["message"] == PLAIN
    assert "unparsed" in c["tags"]


def test_stdin_shell_pipe(tmp_path):
    """The documented way: `printf ... | sluice run -c CONFIG` ends with exit 0."""
    cfg = base_config(tmp_path, [stdin_input()], [{"id": "out", "type": "stdout"}])
    conf = tmp_path / "pipe.yml"
    conf.write_text(to_yaml(cfg) + "\n")
    r = subprocess.run(["bash", "-c", 'printf \'{"msg":"a","level":"info"}\\nplain b\\n\' | "$0" run -c "$1"',
                        str(require_sluice()), str(conf)], capture_output=True, text=True, timeout=30)
    assert r.returncode == 0, r.stderr[-3000:]
    events = [json.loads(x) for x in r.stdout.splitlines() if x.strip()]
    assert [e["log"]["message"] for e in events] == ["a", "plain b"]
    assert events[0]["log"]["level"] == "INFO"
