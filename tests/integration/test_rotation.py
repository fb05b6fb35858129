"""Rotation safety (SPEC "Guarantees"): rename+create, copytruncate, new files matching the glob."""

from __future__ import annotations


import json
import os
import signal

from support import append, base_config, es_output, file_input


def jline(tag: str) -> str:
    return json.dumps({"msg": tag, "service": "rot"}) + "\n"


def messages(opensearch, pattern: str) -> list[str]:
    return sorted(h["_source"]["log"]["message"] for h in opensearch.search(pattern, size=1000))


def start(tmp_path, sluice, opensearch, index_prefix, glob: str = "*.log"):
    logs = tmp_path / "logs"
    logs.mkdir(exist_ok=True)
    return sluice(base_config(tmp_path, [file_input([str(logs / glob)])],
                              [es_output(opensearch.url, index_prefix + "-{service.name}")])), logs


def test_new_file_matching_glob_is_picked_up(tmp_path, opensearch, sluice, index_prefix):
    (tmp_path / "logs").mkdir()
    (tmp_path / "logs" / "a.log").write_text(jline("a1"))
    agent, logs = start(tmp_path, sluice, opensearch, index_prefix)
    pattern = index_prefix + "-*"
    agent.until(lambda: opensearch.count(pattern) == 1, 30, 0.3, "a1")
    (logs / "b.log").write_text(jline("b1") + jline("b2"))
    (logs / "ignored.txt").write_text(jline("not matched"))
    agent.until(lambda: opensearch.count(pattern) == 3, 30, 0.3, "the lines of a file created later")
    assert messages(opensearch, pattern) == ["a1", "b1", "b2"]


def test_rename_rotation_loses_nothing(tmp_path, opensearch, sluice, index_prefix):
    """logrotate `create`: app.log is renamed, the writer keeps writing to the renamed file
    for a while (until it reopens), then writes to a new app.log. Every line must arrive."""
    (tmp_path / "logs").mkdir()
    live = tmp_path / "logs" / "app.log"
    live.write_text(jline("before-1") + jline("before-2"))
    agent, logs = start(tmp_path, sluice, opensearch, index_prefix)
    pattern = index_prefix + "-*"
    agent.until(lambda: opensearch.count(pattern) == 2, 30, 0.3, "the first 2 lines")

    with open(live, "ab") as writer:               # the application's open descriptor
        rotated = logs / "app.log.1"               # not matched by the glob
        os.rename(live, rotated)
        writer.write(jline("old-fd-1").encode())
        writer.flush()
        live.write_text(jline("new-1"))            # a new file appears at the path
        agent.until(lambda: "new-1" in messages(opensearch, pattern), 30, 0.3, "the new file's line")
        writer.write(jline("old-fd-2").encode())   # the writer has not reopened yet
        writer.flush()
    append(live, jline("new-2"))
    agent.until(lambda: "new-2" in messages(opensearch, pattern), 30, 0.3, "new-2")
    agent.until(lambda: opensearch.count(pattern) >= 6, 10, 0.3,
                lambda: f"all 6 lines; have {messages(opensearch, pattern)}")
    assert messages(opensearch, pattern) == sorted(["before-1", "before-2", "old-fd-1", "old-fd-2",
                                                    "new-1", "new-2"])


def test_copytruncate(tmp_path, opensearch, sluice, index_prefix):
    """logrotate `copytruncate`: the file is truncated in place and the writer goes on at
    offset 0. When the file has grown past the old read offset before sluice looks again,
    only the fingerprint of its first bytes can tell; lines must arrive whole."""
    (tmp_path / "logs").mkdir()
    live = tmp_path / "logs" / "app.log"
    live.write_text(jline("x1") + jline("x2"))
    agent, logs = start(tmp_path, sluice, opensearch, index_prefix)
    pattern = index_prefix + "-*"
    agent.until(lambda: opensearch.count(pattern) == 2, 30, 0.3, "the first 2 lines")

    # Truncate and write while sluice is descheduled (SIGSTOP), as happens when it is busy or
    # blocked by backpressure: by the time it looks, the file is longer than the old offset.
    long_line = "after truncation " + "y" * 120
    os.kill(agent.proc.pid, signal.SIGSTOP)
    try:
        with open(live, "r+b") as f:
            f.truncate(0)
            f.write(jline(long_line).encode())
            f.flush()
    finally:
        os.kill(agent.proc.pid, signal.SIGCONT)
    agent.until(lambda: opensearch.count(pattern) >= 3, 30, 0.3, "the line written after truncation")
    hits = opensearch.search(pattern, {"term": {"log.offset": 0}}, size=10)
    got = sorted(h["_source"]["log"]["message"] for h in hits)
    assert got == sorted(["x1", long_line]), \
        f"after copytruncate the new first line must be read whole from offset 0; all: {messages(opensearch, pattern)}"
    assert opensearch.count(pattern) == 3
