"""A real Kafka broker for sluice's integration tests, through tests/servers/kafka (stdlib only).

``start_kafka(directory, port)`` / ``stop_kafka(directory)`` mirror ``support.start_opensearch``;
the ``Kafka`` handle they return runs the script's client subcommands (each one a short JVM,
about a second).
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Iterable

from support import REPO_ROOT, free_port

KAFKA_SCRIPT = REPO_ROOT / "tests" / "servers" / "kafka"


class Kafka:
    def __init__(self, bootstrap: str, directory: Path):
        self.bootstrap = bootstrap   # "127.0.0.1:PORT", for a sluice config's brokers list
        self.directory = directory

    def _run(self, *args: str, input: str | None = None, timeout: float = 120) -> str:
        r = subprocess.run([str(KAFKA_SCRIPT), args[0], str(self.directory), *args[1:]],
                           input=input, capture_output=True, text=True, timeout=timeout)
        if r.returncode != 0:
            raise RuntimeError(f"kafka {' '.join(args)} failed ({r.returncode}):\n{r.stderr[-4000:]}")
        return r.stdout

    @staticmethod
    def _json_lines(text: str) -> list[dict]:
        return [json.loads(line) for line in text.splitlines() if line.strip()]

    def create_topic(self, name: str, partitions: int = 1,
                     configs: dict[str, str] | None = None) -> None:
        """Create a topic (replication factor 1) with topic ``configs`` such as
        {"max.message.bytes": "1024"}; returns once every partition has a leader."""
        kv = [f"{k}={v}" for k, v in (configs or {}).items()]
        self._run("topic", name, str(partitions), *kv)

    def produce(self, topic: str, records: Iterable[str | tuple[str | None, str]]) -> list[dict]:
        """Send records (values, or (key, value) pairs) with acks=all; returns
        [{"partition", "offset"}] in input order. No line breaks, and no tabs
        in keys (nor in values without a key when another record has one)."""
        pairs = [rec if isinstance(rec, tuple) else (None, rec) for rec in records]
        keyed = any(key is not None for key, _ in pairs)
        lines = []
        for key, value in pairs:
            # With --keyed the first tab ends the key, and a line without one has a null key.
            must_lack_tab = key if key is not None else (value if keyed else "")
            if any(c in (key or "") + value for c in "\r\n") or "\t" in must_lack_tab:
                raise ValueError(f"cannot produce {(key, value)!r} through the line-based helper")
            lines.append(value if key is None else f"{key}\t{value}")
        args = ["produce", topic] + (["--keyed"] if keyed else [])
        return self._json_lines(self._run(*args, input="".join(line + "\n" for line in lines)))

    def consume(self, topic: str, group: str | None = None) -> list[dict]:
        """Every record of ``topic`` up to its current end, in partition and offset order:
        {"topic", "partition", "offset", "timestamp", "key", "value", "headers"} (strings or None).
        With ``group``: only what follows the group's committed offsets, then commit the ends."""
        args = ["consume", topic] + (["--group", group] if group else [])
        return self._json_lines(self._run(*args))

    def committed_offsets(self, group: str) -> dict[tuple[str, int], int]:
        """{(topic, partition): offset} committed by ``group`` ({} for an unknown group)."""
        return {(o["topic"], o["partition"]): o["offset"]
                for o in self._json_lines(self._run("offsets", group))}

    def topics(self) -> dict[str, int]:
        """{topic: partition count}, internal topics left out."""
        return {t["topic"]: t["partitions"] for t in self._json_lines(self._run("topics"))}


def start_kafka(directory: Path, port: int, heap: str | None = None,
                properties: dict[str, str] | None = None) -> Kafka:
    """Start a broker with its data in ``directory`` and clients on 127.0.0.1:``port``;
    ``properties`` are added to the broker's server.properties."""
    env = dict(os.environ)
    if heap:
        env["KAFKA_HEAP"] = heap
    kv = [f"{k}={v}" for k, v in (properties or {}).items()]
    # The first start may build the launcher with Maven: allow for that.
    r = subprocess.run([str(KAFKA_SCRIPT), "start", str(directory), str(port), *kv],
                       env=env, capture_output=True, text=True, timeout=900)
    if r.returncode != 0:
        raise RuntimeError(f"kafka start failed ({r.returncode}):\n{r.stderr[-4000:]}")
    return Kafka(f"127.0.0.1:{port}", directory)


def start_kafka_on_free_port(directory: Path) -> Kafka:
    """start_kafka on a free port, tried three times: a port can be taken between
    probing and binding."""
    last_err: Exception | None = None
    for _ in range(3):
        try:
            return start_kafka(directory, free_port())
        except RuntimeError as e:
            last_err = e
            stop_kafka(directory)
    raise RuntimeError(f"could not start Kafka: {last_err}")


def stop_kafka(directory: Path) -> None:
    subprocess.run([str(KAFKA_SCRIPT), "stop", str(directory)],
                   capture_output=True, text=True, timeout=120)
