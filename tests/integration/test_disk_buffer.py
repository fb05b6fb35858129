"""The disk buffer (``buffer: {type: disk}``) through the real binary.

* Outage + crash: with OpenSearch stopped, the lines go into the buffer and
  the file checkpoint moves past them; sluice is SIGKILLed and started again,
  then OpenSearch: every line arrives exactly once.
* Corruption: bytes flipped inside a segment are found at start, the segment
  is quarantined and reported, the agent runs on and ships what was intact.
* ``when_full``: ``block`` pauses the input, ``drop_newest`` drops and counts.
"""

from __future__ import annotations

import json
import subprocess
import time
from pathlib import Path

from support import (TcpRelay, base_config, es_output, file_input, free_port, metric_sum,
                     require_sluice, settle, start_opensearch, stop_opensearch)


def write_lines(path: Path, start: int, count: int, width: int = 100) -> None:
    pad = "p" * width
    with open(path, "a") as f:
        for i in range(start, start + count):
            f.write(json.dumps({"seq": i, "service": "buf", "msg": f"line {i} {pad}"}) + "\n")


def disk_output(url: str, index: str, buffer_dir: Path, **buffer) -> dict:
    return es_output(url, index, retry={"initial": "100ms", "max": "1s"},
                     buffer={"type": "disk", "path": str(buffer_dir), **buffer})


def seq_stats(opensearch, pattern: str) -> tuple:
    status, res = opensearch.request("POST", f"/{pattern}/_search",
                                     {"size": 0, "aggs": {"seq": {"stats": {"field": "seq"}}}})
    assert status == 200, res
    s = res["aggregations"]["seq"]
    return s["count"], s["min"], s["max"], s["sum"]


def buffered_everything(agent, lines: int):
    """Every line read, in the buffer, and the input acknowledged: checkpoint at the end."""
    m = agent.metrics()
    return (metric_sum(m, "sluice_events_received_total", input="app") == lines
            and metric_sum(m, "sluice_buffer_events", output="es") == lines
            and metric_sum(m, "sluice_input_lag_bytes", input="app") == 0)


def drained(agent, timeout: float):
    """Waits until the buffer is empty and nothing is left unread; returns the metrics.
    (support.settle compares sent with received, which a buffer replayed after a restart
    makes unequal.)"""
    def idle():
        m = agent.metrics()
        if (metric_sum(m, "sluice_buffer_events", output="es") == 0
                and metric_sum(m, "sluice_input_lag_bytes", input="app") == 0
                and metric_sum(m, "sluice_memory_in_flight_bytes") == 0):
            return m
        return None
    return agent.until(idle, timeout, 0.2, "the buffer drained and the file read")


def inspect(buffer_dir: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(require_sluice()), "buffer", "inspect", *args, str(buffer_dir)],
                          capture_output=True, text=True, timeout=60)


def test_outage_and_crash_lose_nothing(tmp_path, sluice):
    """OpenSearch stopped, sluice SIGKILLed with everything in its buffer, sluice started,
    OpenSearch started: every line exactly once."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    node_dir = tmp_path / "node"
    node = start_opensearch(node_dir, port, heap="384m")
    log = tmp_path / "app.log"
    buffer_dir = tmp_path / "buffer"
    cfg = base_config(tmp_path, [file_input([str(log)])],
                      [disk_output(url, "crash-{service.name}", buffer_dir)])
    try:
        write_lines(log, 0, 1000)
        first = sluice(cfg, name="before")
        first.until(lambda: node.count("crash-*") == 1000, 90, 0.3, "the first lines indexed")
        stop_opensearch(node_dir)

        write_lines(log, 1000, 20_000)
        def all_in_buffer():
            m = first.metrics()
            return (metric_sum(m, "sluice_events_received_total", input="app") == 21_000
                    and metric_sum(m, "sluice_buffer_events", output="es") == 20_000
                    and metric_sum(m, "sluice_input_lag_bytes", input="app") == 0)
        first.until(all_in_buffer, 60, 0.2,
                    "the new lines in the buffer and the checkpoint at the end of the file")
        assert metric_sum(first.metrics(), "sluice_buffer_bytes", output="es") > 0
        first.kill()  # SIGKILL with 20,000 events only in the buffer

        report = inspect(buffer_dir, "--json")
        assert report.returncode == 0, report.stdout + report.stderr
        inspected = json.loads(report.stdout)
        unacked = sum(s.get("unacknowledged_events", 0) for s in inspected["segments"])
        assert unacked >= 20_000, inspected

        write_lines(log, 21_000, 500)
        second = sluice(cfg, name="after")
        second.until(lambda: second.metric("sluice_events_received_total", input="app") == 500, 60,
                     0.2, "only the lines after the checkpoint read again")
        node = start_opensearch(node_dir, port, heap="384m")
        second.until(lambda: node.count("crash-*") >= 21_500, 180, 0.5,
                     lambda: f"all lines after the restart (have {node.count('crash-*')})")
        drained(second, 60)
        node.refresh("crash-*")
        assert seq_stats(node, "crash-*") == (21_500, 0, 21_499, 21_500 * 21_499 / 2)
        assert second.metric("sluice_input_lag_bytes", input="app") == 0
        second.until(lambda: second.metric("sluice_buffer_events", output="es") == 0, 30, 0.2,
                     "the buffer drained")
        assert second.stop() == 0
    finally:
        stop_opensearch(node_dir)


def test_corrupt_segment_is_quarantined(tmp_path, opensearch, sluice, index_prefix):
    port = free_port()  # nothing listens yet: the events stay in the buffer
    log = tmp_path / "app.log"
    buffer_dir = tmp_path / "buffer"
    write_lines(log, 0, 30_000, width=300)
    cfg = base_config(tmp_path, [file_input([str(log)])],
                      [disk_output(f"http://127.0.0.1:{port}", index_prefix + "-{service.name}",
                                   buffer_dir, max_size="32MiB", compression="none")])
    cfg["pipeline"] = {"batch": {"events": 500}}
    first = sluice(cfg, name="fill")
    first.until(lambda: buffered_everything(first, 30_000), 60, 0.2, "all lines in the buffer")
    assert first.stop() == 0

    segments = sorted(buffer_dir.glob("*.seg"))
    assert len(segments) >= 3, list(buffer_dir.iterdir())  # 4 MiB segments
    victim = segments[1]  # damage in the middle of the buffer, segments on both sides
    data = bytearray(victim.read_bytes())
    middle = len(data) // 2
    for i in range(middle, middle + 64):
        data[i] ^= 0xFF
    victim.write_bytes(bytes(data))

    report = inspect(buffer_dir)
    assert report.returncode == 1, report.stdout + report.stderr
    assert victim.name in report.stdout
    damaged = json.loads(inspect(buffer_dir, "--json").stdout)
    # The events inspect still finds intact: those and only those must arrive.
    intact = sum(seg["events"] for seg in damaged["segments"])
    assert 0 < intact < 30_000, damaged

    relay = TcpRelay(port, ("127.0.0.1", int(opensearch.url.rsplit(":", 1)[1])))
    relay.start()
    try:
        second = sluice(cfg, name="recover")
        record = second.wait_for_log(lambda r: r.get("log", {}).get("level") == "ERROR"
                                     and "quarantin" in r.get("log", {}).get("message", ""), 30)
        assert victim.name in json.dumps(record), record
        assert any((buffer_dir / "quarantine").iterdir())
        m = drained(second, 120)
        assert second.running()
        assert metric_sum(m, "sluice_buffer_quarantined_bytes_total", output="es") > 0
        pattern = index_prefix + "-*"
        indexed = opensearch.count(pattern)
        # Everything before the damage and in the other segments arrives; the records
        # from the damage to the end of that segment are lost, and only those.
        print(f"\ncorrupt segment: {intact} of 30000 events intact, {indexed} indexed")
        assert indexed == intact
        count, low, high, _ = seq_stats(opensearch, pattern)
        assert count == indexed and low == 0 and high == 29_999
        assert second.stop() == 0
        assert inspect(buffer_dir).returncode == 0, "the repaired buffer is clean"
    finally:
        relay.stop()


def test_when_full_block_pauses_the_input(tmp_path, opensearch, sluice, index_prefix):
    port = free_port()
    log = tmp_path / "app.log"
    write_lines(log, 0, 60_000, width=400)  # ~30 MB, the buffer takes 2 MiB
    cfg = base_config(tmp_path, [file_input([str(log)])],
                      [disk_output(f"http://127.0.0.1:{port}", index_prefix + "-{service.name}",
                                   tmp_path / "buffer", max_size="2MiB", compression="none")])
    cfg["pipeline"] = {"batch": {"bytes": "64KiB"}, "max_in_flight": "4MiB"}
    agent = sluice(cfg)

    def paused():
        first = agent.metric("sluice_events_received_total", input="app")
        time.sleep(1.0)
        return first > 0 and first == agent.metric("sluice_events_received_total", input="app")
    agent.until(paused, 60, 0.1, "the input to pause")
    m = agent.metrics()
    assert metric_sum(m, "sluice_input_lag_bytes", input="app") > 10_000_000
    assert metric_sum(m, "sluice_buffer_bytes", output="es") <= 2 * 2**20 + 256 * 1024
    assert metric_sum(m, "sluice_events_dropped_total", reason="buffer_full") == 0

    relay = TcpRelay(port, ("127.0.0.1", int(opensearch.url.rsplit(":", 1)[1])))
    relay.start()
    try:
        settle(agent, 180)
        assert opensearch.count(index_prefix + "-*") == 60_000
        assert agent.stop() == 0
    finally:
        relay.stop()


def test_when_full_drop_newest_counts_the_drops(tmp_path, opensearch, sluice, index_prefix):
    port = free_port()
    log = tmp_path / "app.log"
    write_lines(log, 0, 60_000, width=400)
    cfg = base_config(tmp_path, [file_input([str(log)])],
                      [disk_output(f"http://127.0.0.1:{port}", index_prefix + "-{service.name}",
                                   tmp_path / "buffer", max_size="2MiB", when_full="drop_newest",
                                   compression="none")])
    cfg["pipeline"] = {"batch": {"bytes": "64KiB"}}
    agent = sluice(cfg)
    agent.until(lambda: agent.metric("sluice_events_received_total", input="app") == 60_000 and
                agent.metric("sluice_input_lag_bytes", input="app") == 0, 60, 0.2,
                "the whole file read: nothing waits")
    dropped = agent.metric("sluice_events_dropped_total", output="es", reason="buffer_full")
    buffered = agent.metric("sluice_buffer_events", output="es")
    assert dropped > 0 and buffered > 0 and dropped + buffered == 60_000, (dropped, buffered)

    relay = TcpRelay(port, ("127.0.0.1", int(opensearch.url.rsplit(":", 1)[1])))
    relay.start()
    try:
        agent.until(lambda: opensearch.count(index_prefix + "-*") == buffered, 120, 0.5,
                    "what the buffer held indexed")
        assert agent.stop() == 0
    finally:
        relay.stop()
