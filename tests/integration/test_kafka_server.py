"""The Kafka test server itself (tests/servers/kafka): start on a free port, a topic with three
partitions, produce and consume through the helper subcommands, group offsets, a restart on the
same directory, stop."""

from __future__ import annotations

import os
import socket
from pathlib import Path

import pytest

from kafka_support import Kafka, start_kafka, stop_kafka
from support import free_port


def start_on_free_port(directory: Path) -> Kafka:
    last_err: Exception | None = None
    for _ in range(3):  # a free port can be taken between probing and binding: retry
        try:
            return start_kafka(directory, free_port())
        except RuntimeError as e:
            last_err = e
            stop_kafka(directory)
    raise RuntimeError(f"could not start Kafka: {last_err}")


def accepts_connections(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=2).close()
        return True
    except OSError:
        return False


# It runs no sluice code: the sanitizer pass of `make test-sanitize` would only repeat it.
@pytest.mark.skipif(bool(os.environ.get("SLUICE_SANITIZE")), reason="tests the test server only")
def test_kafka_server_round_trip(tmp_path):
    directory = tmp_path / "kafka"
    kafka = start_on_free_port(directory)
    port = int(kafka.bootstrap.rsplit(":", 1)[1])
    try:
        kafka.create_topic("events", 3)
        sent = kafka.produce("events", [(f"k{i}", f"v{i}") for i in range(9)])
        assert len(sent) == 9

        records = kafka.consume("events")
        assert sorted((r["key"], r["value"]) for r in records) == [(f"k{i}", f"v{i}") for i in range(9)]
        assert [(r["partition"], r["offset"]) for r in records] == sorted(
            (s["partition"], s["offset"]) for s in sent)
        assert len({r["partition"] for r in records}) > 1, "nine keys should not all hash to one partition"
        assert all(r["topic"] == "events" and r["headers"] == {} and r["timestamp"] > 0 for r in records)

        # A group reads everything once, commits the ends, then sees only what came after.
        assert kafka.consume("events", group="g") == records
        per_partition = {p: sum(1 for r in records if r["partition"] == p) for p in range(3)}
        assert kafka.committed_offsets("g") == {("events", p): n for p, n in per_partition.items()}
        kafka.produce("events", ["late"])
        late = kafka.consume("events", group="g")
        assert [(r["key"], r["value"]) for r in late] == [(None, "late")]

        # Producing to an unknown topic creates it, with one partition.
        assert kafka.produce("auto-created", ["a"]) == [{"partition": 0, "offset": 0}]
        assert kafka.topics() == {"events": 3, "auto-created": 1}

        # A stop and a start on the same directory keep topics, records and group offsets.
        stop_kafka(directory)
        assert not accepts_connections(port)
        kafka = start_kafka(directory, port)
        assert kafka.consume("events") == sorted(records + late, key=lambda r: (r["partition"], r["offset"]))
        assert kafka.consume("events", group="g") == []
    finally:
        stop_kafka(directory)
    assert not accepts_connections(port)
    assert not (directory / "kafka.pid").exists()
