"""PII masking end to end: personal data and secrets written to a log file
never reach OpenSearch in clear, pseudonyms are stable across runs, and
sluice_pii_masked_total counts what was masked.
"""

from __future__ import annotations

import json
import re

from support import append, base_config, es_output, file_input

KEY = "integration-test-key-0123456789abcdef"

# Values that must not be found in OpenSearch, and the lines that carry them.
CLEAR = {
    "email": "jane.doe@example.com",
    "card": "4111 1111 1111 1111",
    "ipv4": "203.0.113.42",
    "jwt": "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0."
           "dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U",
    "password": "hunter2-very-secret",
    "aws": "AKIAIOSFODNN7EXAMPLE",
    "iban": "GB82 WEST 1234 5698 7654 32",
}


def pii_lines() -> list[str]:
    return [
        json.dumps({"level": "info", "msg": f"password reset for {CLEAR['email']}",
                    "client_ip": CLEAR["ipv4"], "correlation_id": "pii-1"}),
        json.dumps({"level": "warn", "msg": "payment declined", "card": CLEAR["card"],
                    "user": {"email": CLEAR["email"]}, "correlation_id": "pii-2"}),
        json.dumps({"level": "info", "msg": "login", "password": CLEAR["password"],
                    "headers": {"authorization": "Bearer " + CLEAR["jwt"]},
                    "correlation_id": "pii-3"}),
        f"2024-01-15 10:30:00,123 ERROR [main] c.e.Billing - refund to {CLEAR['iban']} "
        f"by {CLEAR['email']} key={CLEAR['aws']} correlation_id=pii-4",
        json.dumps({"level": "info", "msg": "nothing personal here", "order": "ORD-2024-0001234",
                    "trace_id": "4bf92f3577b34da6a3ce929d0e0e4736", "correlation_id": "pii-5"}),
    ]


def pii_config(tmp_path, opensearch, index: str, logs, state_name: str) -> dict:
    cfg = base_config(tmp_path, [file_input([str(logs / "*.log")])],
                      [es_output(opensearch.url, index)], state_dir=tmp_path / state_name)
    cfg["pipeline"] = {"pii": {"mode": "hash", "hash_key": KEY, "modes": {"ipv4": "partial"}}}
    return cfg


def documents(opensearch, pattern: str) -> dict[str, dict]:
    hits = opensearch.search(pattern, size=100)
    return {h["_source"]["correlation"]["id"]: h["_source"] for h in hits}


def ship(tmp_path, opensearch, sluice, index: str, state_name: str) -> dict[str, dict]:
    logs = tmp_path / "logs"
    logs.mkdir(exist_ok=True)
    log = logs / "app.log"
    if not log.exists():
        append(log, "\n".join(pii_lines()) + "\n")
    agent = sluice(pii_config(tmp_path, opensearch, index, logs, state_name),
                   name=f"sluice-{state_name}")
    agent.until(lambda: opensearch.count(index) >= 5, 60, 0.3, "5 documents")
    agent.until(lambda: agent.metric("sluice_events_sent_total", output="es") >= 5, 30, 0.2,
                "every event acknowledged")
    masked = {k: v for k, v in agent.metrics().items() if k.startswith("sluice_pii_masked_total")}
    assert agent.metric("sluice_events_failed_total", output="es") == 0
    agent.stop()
    docs = documents(opensearch, index)
    assert sorted(docs) == [f"pii-{i}" for i in range(1, 6)], sorted(docs)
    return {"docs": docs, "masked": masked}


def test_pii_never_reaches_opensearch_and_pseudonyms_are_stable(tmp_path, opensearch, sluice,
                                                                index_prefix):
    first = ship(tmp_path, opensearch, sluice, index_prefix + "-first", "state-1")
    docs = first["docs"]
    whole = json.dumps(docs)
    for name, value in CLEAR.items():
        assert value not in whole, f"{name} {value!r} shipped in clear"
        # Nothing a user could type in Kibana's search bar finds them either.
        hits = opensearch.count(index_prefix + "-first",
                                {"query_string": {"query": f'"{value}"'}})
        assert hits == 0, f"{name} found by a search for {value!r}"

    email_pseudonym = re.search(r"<email:[0-9a-f]{10}>", docs["pii-1"]["log"]["message"])
    assert email_pseudonym, docs["pii-1"]
    # The same address gets the same pseudonym wherever it is.
    assert docs["pii-2"]["user"]["email"] == email_pseudonym.group(0), docs["pii-2"]
    assert email_pseudonym.group(0) in docs["pii-4"]["log"]["message"], docs["pii-4"]
    # Analysts can search the pseudonym.
    assert opensearch.count(index_prefix + "-first",
                            {"query_string": {"query": f'"{email_pseudonym.group(0)}"'}}) >= 2
    assert docs["pii-1"]["client_ip"] == "203.0.x.x", docs["pii-1"]  # partial mode for ipv4
    assert "password" not in docs["pii-3"] or docs["pii-3"]["password"].startswith("<"), docs
    assert docs["pii-5"]["log"]["message"] == "nothing personal here"
    assert docs["pii-5"]["order"] == "ORD-2024-0001234"
    assert docs["pii-5"]["trace"]["id"] == "4bf92f3577b34da6a3ce929d0e0e4736"

    masked = first["masked"]
    by_detector = {re.search(r'detector="([^"]+)"', k).group(1): v for k, v in masked.items()}
    assert by_detector.get("email", 0) >= 3, masked
    assert by_detector.get("credit_card", 0) >= 1, masked
    assert by_detector.get("ipv4", 0) >= 1, masked
    assert by_detector.get("iban", 0) >= 1, masked
    assert by_detector.get("secret_token", 0) >= 1, masked

    # A second run, from scratch, with the same key: the same pseudonyms.
    second = ship(tmp_path, opensearch, sluice, index_prefix + "-second", "state-2")
    assert second["docs"]["pii-2"]["user"]["email"] == email_pseudonym.group(0)
    for cid in docs:
        assert second["docs"][cid]["log"]["message"] == docs[cid]["log"]["message"], cid


def test_keep_and_disabled_detectors(tmp_path, opensearch, sluice, index_prefix):
    logs = tmp_path / "logs"
    logs.mkdir()
    append(logs / "app.log", json.dumps({
        "msg": "from 198.51.100.7 by ops@example.com", "client": {"ip": "198.51.100.7"},
        "correlation_id": "keep-1"}) + "\n")
    cfg = base_config(tmp_path, [file_input([str(logs / "*.log")])],
                      [es_output(opensearch.url, index_prefix + "-keep")])
    cfg["pipeline"] = {"pii": {"detectors": ["ipv4"], "keep": ["client.ip"]}}
    agent = sluice(cfg)
    agent.until(lambda: opensearch.count(index_prefix + "-keep") >= 1, 60, 0.3, "1 document")
    doc = documents(opensearch, index_prefix + "-keep")["keep-1"]
    assert doc["client"]["ip"] == "198.51.100.7", doc            # kept on purpose
    assert doc["log"]["message"] == "from [REDACTED:ipv4] by ops@example.com", doc  # email off
