"""Tailing: lines appended to a watched file arrive; a partial last line waits for its newline."""

from __future__ import annotations

import json
import time

from support import append, base_config, es_output, file_input, metric_sum


def line(seq: int, **extra) -> str:
    return json.dumps({"seq": seq, "msg": f"line {seq}", "service": "tail", **extra}) + "\n"


def docs_by_seq(opensearch, pattern: str) -> dict[int, dict]:
    hits = opensearch.search(pattern, size=1000)
    out: dict[int, dict] = {}
    for h in hits:
        seq = h["_source"].get("seq")
        assert seq not in out, f"seq {seq} indexed twice"
        out[seq] = h["_source"]
    return out


def test_appended_lines_arrive(tmp_path, opensearch, sluice, index_prefix):
    log = tmp_path / "app.log"
    log.write_text("".join(line(i) for i in range(3)))
    pattern = index_prefix + "-*"
    agent = sluice(base_config(tmp_path, [file_input([str(log)])],
                               [es_output(opensearch.url, index_prefix + "-{service.name}")]))
    agent.until(lambda: opensearch.count(pattern) == 3, 60, 0.3, "the 3 initial lines")

    append(log, "".join(line(i) for i in range(3, 8)))
    partial_offset = log.stat().st_size
    partial = json.dumps({"seq": 8, "msg": "written in two parts", "service": "tail"})
    head, tail = partial[:25], partial[25:]
    append(log, head)                              # no newline yet
    agent.until(lambda: opensearch.count(pattern) == 8, 60, 0.3, "the 5 appended lines")
    agent.until(lambda: agent.metric("sluice_events_sent_total", output="es") >= 8, 30, 0.2,
               "sent == 8")

    # The partial line must not be shipped while it has no newline. This is a negative
    # check, so it needs a window: 3 flush intervals (1s each) of nothing new.
    deadline = time.monotonic() + 3.0
    while time.monotonic() < deadline:
        m = agent.metrics()
        assert metric_sum(m, "sluice_events_received_total", input="app") == 8, \
            "an event was made from a line without its newline"
        assert opensearch.count(pattern) == 8, "a partial line was shipped"
        time.sleep(0.5)

    append(log, tail + "\n")
    agent.until(lambda: opensearch.count(pattern) == 9, 60, 0.3, "the completed line")
    docs = docs_by_seq(opensearch, pattern)
    assert sorted(docs) == list(range(9))
    assert docs[8]["log"]["message"] == "written in two parts"
    assert docs[8]["log"]["offset"] == partial_offset
    assert docs[8]["log"]["file"]["path"] == str(log)
    assert "tags" not in docs[8] or "json_error" not in docs[8]["tags"]
    # Offsets are the byte offsets of each line's start.
    data = log.read_bytes()
    starts = [0] + [i + 1 for i, b in enumerate(data) if b == 0x0A][:-1]
    assert sorted(d["log"]["offset"] for d in docs.values()) == starts


def test_start_at_end(tmp_path, opensearch, sluice, index_prefix):
    """start_at: end skips what a file already holds when first seen, ships what is appended."""
    log = tmp_path / "app.log"
    log.write_text("".join(line(i) for i in range(5)))
    size_before = log.stat().st_size
    pattern = index_prefix + "-*"
    agent = sluice(base_config(tmp_path, [file_input([str(log)], start_at="end")],
                               [es_output(opensearch.url, index_prefix + "-{service.name}")]))

    def file_opened():
        m = agent.metrics()
        if metric_sum(m, "sluice_files_open") >= 1:
            return True
        return any(str(log) in json.dumps(r) for r in agent.log_records())
    agent.until(file_opened, 30, 0.2, "sluice to open the file (sluice_files_open or a log line naming it)")

    append(log, "".join(line(i) for i in range(5, 9)))
    agent.until(lambda: opensearch.count(pattern) >= 4, 60, 0.3, "the 4 appended lines")
    agent.until(lambda: agent.metric("sluice_events_sent_total", output="es") >= 4, 30, 0.2, "sent == 4")
    docs = docs_by_seq(opensearch, pattern)
    assert sorted(docs) == [5, 6, 7, 8], "lines present before start must be skipped with start_at: end"
    assert min(d["log"]["offset"] for d in docs.values()) == size_before
