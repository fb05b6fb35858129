"""The kafka output against a real Kafka 4 broker (tests/servers/kafka): one message per event,
keyed by file so that a file's events stay in order in one partition; a broker outage under
load with memory bounded and every event delivered exactly once; an event larger than
message_max_bytes dead-lettered while the others are delivered; a misspelt librdkafka
property refused by `validate` with its file:line:column."""

from __future__ import annotations

import json
import os
import threading
import time
import uuid
from collections import Counter
from pathlib import Path

import pytest

from kafka_support import Kafka, start_kafka, start_kafka_on_free_port, stop_kafka
from support import LineWriter, base_config, file_input, free_port, metric_sum, run_sluice


@pytest.fixture(scope="module")
def kafka(tmp_path_factory):
    """A broker of this module's own (it overrides a shared one of the same name): the outage
    test stops and restarts it."""
    directory = tmp_path_factory.mktemp("kafka-output")
    broker = start_kafka_on_free_port(directory)
    try:
        yield broker
    finally:
        stop_kafka(directory)


def kafka_output(kafka: Kafka, topic: str = "logs.{service.tier}", **extra) -> dict:
    out = {"id": "bus", "type": "kafka", "brokers": [kafka.bootstrap], "topic": topic}
    out.update(extra)
    return out


def unique_tier() -> str:
    """A service.tier of this test's own, so that its topic starts empty."""
    return f"it{uuid.uuid4().hex[:10]}"


def field(doc: dict, dotted: str):
    """A field of a normalized document, nested (service.tier as {"service": {"tier": ...}})."""
    value = doc
    for part in dotted.split("."):
        value = value[part]
    return value


def json_lines(count: int, start: int = 0, **extra) -> str:
    return "".join(json.dumps({"seq": i, "msg": f"line {i}", **extra}) + "\n"
                   for i in range(start, start + count))


def test_each_event_is_one_message_keyed_by_its_file(tmp_path, sluice, kafka):
    """4 files of 500 JSON lines -> the topic of their service.tier: exactly 2,000 messages,
    each value the event's document as the stdout output prints it, a unique 22-character
    sluice-id header and the timestamp in sluice-ts, the file path as key, and each file's
    events in one partition in file order."""
    tier = unique_tier()
    topic = f"logs.{tier}"
    kafka.create_topic(topic, 3)
    files = [tmp_path / f"app-{k}.log" for k in range(4)]
    per_file = 500
    for k, path in enumerate(files):
        path.write_text(json_lines(per_file, file=k))
    total = per_file * len(files)

    cfg = base_config(tmp_path,
                      [file_input([str(tmp_path / "app-*.log")],
                                  fields={"service.name": "api", "service.tier": tier})],
                      [kafka_output(kafka), {"id": "copy", "type": "stdout"}])
    agent = sluice(cfg)
    agent.until(lambda: agent.metric("sluice_events_sent_total", output="bus") >= total, 60, 0.2,
                lambda: f"{total} events confirmed by Kafka (have "
                        f"{agent.metric('sluice_events_sent_total', output='bus')})")
    assert agent.until(lambda: agent.get("/ready")[0] == 200, 20, 0.2, "/ready once connected")
    records = kafka.consume(topic)
    m = agent.metrics()
    assert agent.stop() == 0

    assert len(records) == total
    assert metric_sum(m, "sluice_events_sent_total", output="bus") == total
    assert metric_sum(m, "sluice_events_failed_total", output="bus") == 0
    # The values are the documents, byte for byte: the stdout output got the same batches.
    printed = agent.stdout_text().splitlines()
    assert sorted(r["value"] for r in records) == sorted(printed)

    ids = [r["headers"].get("sluice-id") for r in records]
    assert all(isinstance(i, str) and len(i) == 22 for i in ids), ids[:5]
    assert len(set(ids)) == total, "every event has an id of its own"

    by_key: dict[str, list[tuple[int, int, int]]] = {}
    for r in records:
        doc = json.loads(r["value"])
        assert field(doc, "service.tier") == tier
        assert r["key"] == field(doc, "log.file.path"), "the key is the event's log.file.path"
        # sluice-ts: @timestamp as nanoseconds (the lines have none: the time they were read).
        ts_ns = int(r["headers"]["sluice-ts"])
        assert abs(ts_ns / 1e9 - time.time()) < 600
        by_key.setdefault(r["key"], []).append((r["partition"], r["offset"], doc["seq"]))
    assert sorted(by_key) == sorted(str(p) for p in files)
    for key, entries in by_key.items():
        assert len({p for p, _, _ in entries}) == 1, f"{key}: one file, one partition"
        in_offset_order = [seq for _, _, seq in sorted(entries)]
        assert in_offset_order == list(range(per_file)), f"{key}: the file's order"


def test_event_larger_than_message_max_bytes_is_dead_lettered(tmp_path, sluice, kafka):
    """With message_max_bytes: 2000 one 5,000-byte event is refused at produce time
    (msg_size_too_large): it goes to the dead-letter file with its reason, is counted, and the
    49 others are delivered."""
    tier = unique_tier()
    topic = f"logs.{tier}"
    kafka.create_topic(topic, 1)
    log = tmp_path / "app.log"
    lines = [json.dumps({"seq": i, "msg": ("x" * 5000) if i == 25 else f"line {i}"}) for i in range(50)]
    log.write_text("\n".join(lines) + "\n")
    dead = tmp_path / "dead" / "kafka.ndjson"
    cfg = base_config(tmp_path,
                      [file_input([str(log)], fields={"service.name": "api", "service.tier": tier})],
                      [kafka_output(kafka, message_max_bytes=2000,
                                    dead_letter={"type": "file", "path": str(dead)})])
    agent = sluice(cfg)
    agent.until(lambda: agent.metric("sluice_events_sent_total", output="bus") == 49
                and agent.metric("sluice_events_failed_total", output="bus") == 1, 60, 0.2,
                "49 delivered and 1 failed")
    m = agent.metrics()
    assert metric_sum(m, "sluice_events_failed_total", output="bus", reason="msg_size_too_large") == 1
    assert metric_sum(m, "sluice_dead_letter_events_total", output="bus",
                      reason="msg_size_too_large") == 1
    assert agent.stop() == 0

    records = kafka.consume(topic)
    assert sorted(json.loads(r["value"])["seq"] for r in records) == [i for i in range(50) if i != 25]
    letters = [json.loads(line) for line in dead.read_text().splitlines()]
    assert len(letters) == 1
    letter = letters[0]
    assert letter["output"] == "bus"
    assert letter["reason"] == "msg_size_too_large"
    assert letter["index"] == topic, "the topic the event was meant for"
    assert letter["event"]["seq"] == 25
    assert len(letter["event_id"]) == 22
    refused = [r for r in agent.log_records() if "refused by Kafka" in str(r.get("log", {}).get("message"))]
    assert refused and refused[0]["log"]["level"] == "ERROR"


def test_validate_names_a_misspelt_librdkafka_property(tmp_path):
    config = tmp_path / "sluice.yml"
    config.write_text(
        "inputs:\n"
        "  - {id: app, type: stdin}\n"
        "outputs:\n"
        "  - id: bus\n"
        "    type: kafka\n"
        "    brokers: [\"127.0.0.1:9\"]\n"
        "    topic: logs.{service.tier}\n"
        "    librdkafka:\n"
        "      security.protocol: plaintext\n"
        "      sasl.mechanismz: PLAIN\n")
    r = run_sluice("validate", "-c", str(config))
    assert r.returncode == 1
    out = r.stdout + r.stderr
    assert (f"{config}:10:24: outputs[0].librdkafka.sasl.mechanismz: "
            "No such configuration property") in out, out


# ---------------------------------------------------------------- a broker outage under load

RATE = 500          # lines per second, written while the broker is up, down and up again
OUTAGE_S = 30       # how long the broker stays stopped
# Peak RSS while the broker is down and while the output catches up. The pipeline's
# in-flight budget (4 MiB here) bounds the events held; librdkafka references them rather
# than copying, and adds its own threads and buffers. The 30 s outage alone is ~1.5 MiB of
# lines: the bound fails if the agent held what it reads instead of pausing.
RSS_BOUND_MIB = 100


class Sampler(threading.Thread):
    """Every 0.5 s: (monotonic time, VmRSS in KiB, /ready status)."""

    def __init__(self, agent):
        super().__init__(daemon=True)
        self.agent = agent
        self.samples: list[tuple[float, int, int]] = []
        self._stop_event = threading.Event()

    def run(self) -> None:
        while not self._stop_event.wait(0.5):
            try:
                status = Path(f"/proc/{self.agent.proc.pid}/status").read_text()
                rss = int(next(ln.split()[1] for ln in status.splitlines() if ln.startswith("VmRSS:")))
                ready = self.agent.get("/ready", timeout=2)[0]
            except (OSError, StopIteration, ValueError):
                continue
            self.samples.append((time.monotonic(), rss, ready))

    def finish(self) -> None:
        self._stop_event.set()
        self.join(30)


def test_broker_outage_under_load_delivers_everything_once(tmp_path, sluice, kafka, monkeypatch):
    """500 lines/s into a tailed file; the broker is stopped for 30 s and started again on the
    same data dir and port. sluice keeps running with memory bounded, /ready turns false while
    the broker is away, and afterwards every line is in the topic exactly once (the idempotent
    producer's retries across the restart are deduplicated by the broker)."""
    monkeypatch.setenv("KAFKA_STOP_TIMEOUT", "15")
    tier = unique_tier()
    topic = f"logs.{tier}"
    kafka.create_topic(topic, 2)
    port = int(kafka.bootstrap.rsplit(":", 1)[1])
    log = tmp_path / "app.log"
    log.touch()
    cfg = base_config(tmp_path,
                      [file_input([str(log)], scan_interval="1s",
                                  fields={"service.name": "api", "service.tier": tier})],
                      [kafka_output(kafka)])
    cfg["pipeline"] = {"max_in_flight": "4MiB"}
    cfg["shutdown_timeout"] = "5s"
    agent = sluice(cfg)
    agent.until(lambda: agent.get("/ready")[0] == 200, 30, 0.2, "/ready before the outage")
    writer = LineWriter(log, RATE, lambda i: json_lines(1, i))
    sampler = Sampler(agent)
    broker_down = False
    try:
        writer.start()
        sampler.start()
        agent.until(lambda: agent.metric("sluice_events_sent_total", output="bus") >= 3 * RATE, 60,
                    0.2, "the first lines delivered before the outage")

        stop_kafka(kafka.directory)
        broker_down = True
        t_down = time.monotonic()
        agent.until(lambda: agent.get("/ready")[0] != 200, 20, 0.2, "/ready false without a broker")
        sent_early = agent.metric("sluice_events_sent_total", output="bus")
        # The outage lasts OUTAGE_S: the agent must stay up all along.
        agent.until(lambda: time.monotonic() - t_down >= OUTAGE_S, OUTAGE_S + 5, 0.5,
                    "the outage to last its time while sluice keeps running")
        sent_during = agent.metric("sluice_events_sent_total", output="bus") - sent_early
        assert sent_during == 0, "nothing can be confirmed without a broker"
        t_up = time.monotonic()

        start_kafka(kafka.directory, port)
        broker_down = False
        agent.until(lambda: agent.get("/ready")[0] == 200, 60, 0.2, "/ready after the restart")
        agent.until(lambda: agent.metric("sluice_events_sent_total", output="bus") >= writer.written - RATE,
                    120, 0.5, "the backlog delivered after the restart")
        written = writer.finish()
        agent.until(lambda: agent.metric("sluice_events_sent_total", output="bus") >= written, 120,
                    0.5, lambda: f"all {written} lines confirmed (have "
                                 f"{agent.metric('sluice_events_sent_total', output='bus')})")
        sampler.finish()
        m = agent.metrics()
        assert agent.stop() == 0
    finally:
        writer.finish()
        sampler.finish()
        if broker_down:
            start_kafka(kafka.directory, port)

    records = kafka.consume(topic)
    seqs = Counter(json.loads(r["value"])["seq"] for r in records)
    missing = [s for s in range(written) if s not in seqs]
    twice = {s: n for s, n in seqs.items() if n > 1}
    assert not missing, f"{len(missing)} lines never arrived, first {missing[:10]}"
    assert not twice, f"{len(twice)} lines arrived more than once, e.g. {list(twice.items())[:10]}"
    assert len(records) == written
    assert metric_sum(m, "sluice_events_failed_total", output="bus") == 0

    during = [s for s in sampler.samples if t_down + 2 <= s[0] <= t_up]
    assert during and all(ready != 200 for _, _, ready in during), "/ready stays false while down"
    peak_kib = max(rss for _, rss, _ in sampler.samples)
    print(f"\nkafka outage: {written} lines, peak RSS {peak_kib / 1024:.1f} MiB, "
          f"during the outage {max(rss for _, rss, _ in during) / 1024:.1f} MiB, "
          f"retries {metric_sum(m, 'sluice_output_retries_total', output='bus'):.0f}")
    # AddressSanitizer's shadow memory and quarantine make RSS meaningless there.
    assert os.environ.get("SLUICE_SANITIZE") or peak_kib < RSS_BOUND_MIB * 1024
