"""`sluice validate`, `sluice version` and ${VAR} / ${VAR:-default} substitution."""

from __future__ import annotations

import json
import re

from support import base_config, es_output, run_sluice, wait_until

BAD = """\
inputs:
  - id: app
    type: file
    paths: ["/var/log/app/*.log"]
    start_at: beginning
    colour: blue
outputs:
  - id: es
    type: elasticsearch
    hosts: ["http://127.0.0.1:9200"]
    index: "logs-{service.name}-{+yyyy.MM.dd}"
    flush:
      events: lots
      interval: 1s
http: {listen: "127.0.0.1:0"}
state_dir: /tmp/sluice-validate-state
"""
# colour: line 6, column 5.  events: line 13, key at column 7, value at column 15.

GOOD = """\
inputs:
  - id: app
    type: file
    paths: ["/var/log/app/*.log"]
    start_at: beginning
    fields: {service.tier: gateway}
  - id: in
    type: stdin
outputs:
  - id: es
    type: elasticsearch
    hosts: ["${SLUICE_IT_ES:-http://127.0.0.1:9200}"]
    index: "logs-{service.name}-{+yyyy.MM.dd}"
    flush: {events: 5000, bytes: 5MiB, interval: 1s}
  - id: out
    type: stdout
http: {listen: "127.0.0.1:0"}
state_dir: /tmp/sluice-validate-state
"""


def error_lines(stderr: str, path: str) -> list[str]:
    return [ln for ln in stderr.splitlines() if path in ln]


def test_validate_reports_file_line_column(tmp_path):
    conf = tmp_path / "bad.yml"
    conf.write_text(BAD)
    r = run_sluice("validate", "-c", str(conf))
    assert r.returncode == 1, f"exit {r.returncode}; stderr:\n{r.stderr}"
    lines = error_lines(r.stderr, str(conf))
    unknown = [ln for ln in lines if f"{conf}:6:5:" in ln]
    assert unknown and "colour" in unknown[0], \
        f"want an error '{conf}:6:5: ... colour ...' for the unknown key; stderr:\n{r.stderr}"
    wrong = [ln for ln in lines if re.search(re.escape(str(conf)) + r":13:(7|15):", ln)]
    assert wrong and "events" in wrong[0], \
        f"want an error '{conf}:13:7 (or :15): ... events ...' for the wrong type; stderr:\n{r.stderr}"


def test_validate_unknown_top_level_key(tmp_path):
    conf = tmp_path / "top.yml"
    conf.write_text(GOOD + "outptus: []\n")
    r = run_sluice("validate", "-c", str(conf), env={"SLUICE_IT_ES": None})
    assert r.returncode == 1, f"exit {r.returncode}; stderr:\n{r.stderr}"
    n = GOOD.count("\n") + 1
    assert any(f"{conf}:{n}:1:" in ln and "outptus" in ln for ln in r.stderr.splitlines()), r.stderr


def test_validate_wrong_type_for_list(tmp_path):
    conf = tmp_path / "paths.yml"
    conf.write_text(GOOD.replace('paths: ["/var/log/app/*.log"]', "paths: {a: 1}"))
    r = run_sluice("validate", "-c", str(conf), env={"SLUICE_IT_ES": None})
    assert r.returncode == 1, f"exit {r.returncode}; stderr:\n{r.stderr}"
    assert any(re.search(re.escape(str(conf)) + r":4:\d+:", ln) and "paths" in ln
               for ln in r.stderr.splitlines()), r.stderr


def test_validate_good_config(tmp_path):
    conf = tmp_path / "good.yml"
    conf.write_text(GOOD)
    r = run_sluice("validate", "-c", str(conf), env={"SLUICE_IT_ES": "http://127.0.0.1:9201"})
    assert r.returncode == 0, f"exit {r.returncode}; stderr:\n{r.stderr}"
    r = run_sluice("validate", "-c", str(conf), env={"SLUICE_IT_ES": None})
    assert r.returncode == 0, f"default of ${{VAR:-default}} not used? exit {r.returncode}; stderr:\n{r.stderr}"


def test_validate_missing_file(tmp_path):
    r = run_sluice("validate", "-c", str(tmp_path / "nope.yml"))
    assert r.returncode != 0
    assert "nope.yml" in r.stderr


def test_version():
    r = run_sluice("version")
    assert r.returncode == 0, r.stderr
    assert re.search(r"\d+\.\d+", r.stdout), f"no version number in: {r.stdout!r}"
    assert "sluice" in r.stdout.lower()


def test_env_substitution_in_run(tmp_path, opensearch, sluice, index_prefix):
    """hosts from ${VAR}, index prefix from ${VAR:-default} (unset, then set), an integer from ${VAR:-n}."""
    out = es_output("${SLUICE_IT_ES_URL}", "${SLUICE_IT_PREFIX:-" + index_prefix + "-dflt}-{service.name}")
    out["flush"]["events"] = "${SLUICE_IT_EVENTS:-5000}"
    cfg = base_config(tmp_path, [{"id": "in", "type": "stdin"}], [out])
    payload = json.dumps({"msg": "hello", "service": "envsvc"}) + "\n"

    a = sluice(cfg, stdin=payload, env={"SLUICE_IT_ES_URL": opensearch.url, "SLUICE_IT_PREFIX": None,
                                        "SLUICE_IT_EVENTS": None})
    assert a.wait(60) == 0, a.stderr_tail()
    assert opensearch.indices(index_prefix + "-*") == [f"{index_prefix}-dflt-envsvc"]

    b = sluice(cfg, stdin=payload, env={"SLUICE_IT_ES_URL": opensearch.url,
                                        "SLUICE_IT_PREFIX": index_prefix + "-set", "SLUICE_IT_EVENTS": "10"})
    assert b.wait(60) == 0, b.stderr_tail()
    assert opensearch.indices(index_prefix + "-*") == [f"{index_prefix}-dflt-envsvc", f"{index_prefix}-set-envsvc"]
    assert wait_until(lambda: opensearch.count(index_prefix + "-*") == 2, 10, 0.2, "2 documents")
