"""Checkpoints of the file input, end to end: what is saved in
`state_dir/checkpoints/<input>.ndjson`, resuming after SIGKILL (the periodic save), a
damaged checkpoint file, `start_at: end` with a checkpoint, and a file truncated while
sluice was stopped. (A clean stop/restart is in test_replay.py.)
"""

from __future__ import annotations

import json
import os
import time

from support import append, base_config, es_output, file_input, metric_sum, messages, settle

HEX = set("0123456789abcdef")
FIELDS = {"offset", "path", "device", "inode", "fingerprint", "fingerprint_length",
          "source_high", "source_low", "last_seen"}


def jline(tag: str, service: str = "ckpt") -> str:
    return json.dumps({"msg": tag, "service": service}) + "\n"


def jlines(prefix: str, n: int, start: int = 0) -> str:
    return "".join(jline(f"{prefix}-{i}") for i in range(start, start + n))


def config(tmp_path, opensearch, index_prefix, paths: list[str], **inp) -> dict:
    settings = {"scan_interval": "200ms", "rotate_wait": "1s"}
    settings.update(inp)
    cfg = base_config(tmp_path, [file_input(paths, **settings)],
                      [es_output(opensearch.url, index_prefix + "-{service.name}", interval="200ms")])
    cfg["pipeline"] = {"batch": {"linger": "50ms"}}
    return cfg


def checkpoint_path(tmp_path, input_id: str = "app"):
    return tmp_path / "state" / "checkpoints" / f"{input_id}.ndjson"


def read_checkpoints(tmp_path, input_id: str = "app") -> list[dict]:
    """The entries of the checkpoint file; raises when a line is not a JSON object."""
    text = checkpoint_path(tmp_path, input_id).read_text()
    assert text == "" or text.endswith("\n"), f"checkpoint file does not end with a newline: {text!r}"
    entries = []
    for line in text.splitlines():
        obj = json.loads(line)
        assert isinstance(obj, dict), line
        entries.append(obj)
    return entries


def checkpointed(tmp_path, path) -> bool:
    """True once the checkpoint of `path` covers the whole file."""
    size = path.stat().st_size
    return any(e.get("path") == str(path) and e.get("offset") == size for e in read_checkpoints(tmp_path))


# --------------------------------------------------------------------------- format


def test_checkpoint_file_is_valid_ndjson(tmp_path, opensearch, sluice, index_prefix):
    logs = tmp_path / "logs"
    logs.mkdir()
    a, b = logs / "a.log", logs / "b.log"
    a.write_text(jlines("a", 10))
    b.write_text(jlines("b", 3))
    pattern = index_prefix + "-*"
    agent = sluice(config(tmp_path, opensearch, index_prefix, [str(logs / "*.log")]))
    agent.until(lambda: opensearch.count(pattern) == 13, 30, 0.2, "13 lines")
    agent.until(lambda: checkpointed(tmp_path, a) and checkpointed(tmp_path, b), 10, 0.1,
                "checkpoints covering both files (saved every second)")

    # Saves are atomic: while lines keep arriving, every read of the file is whole.
    deadline = time.monotonic() + 2.5
    n = 10
    reads = 0
    while time.monotonic() < deadline:
        append(a, jline(f"a-{n}"))
        n += 1
        entries = read_checkpoints(tmp_path)              # raises on a torn write
        assert len(entries) == 2, entries
        reads += 1
        time.sleep(0.05)
    agent.until(lambda: checkpointed(tmp_path, a), 10, 0.1, "the checkpoint of the appended lines")

    now = time.time()
    entries = {e["path"]: e for e in read_checkpoints(tmp_path)}
    assert set(entries) == {str(a), str(b)}
    for path in (a, b):
        e = entries[str(path)]
        st = path.stat()
        first_line = path.read_bytes().split(b"\n", 1)[0] + b"\n"
        assert FIELDS <= set(e), f"missing fields {FIELDS - set(e)} in {e}"
        assert e["offset"] == st.st_size
        assert e["device"] == st.st_dev and e["inode"] == st.st_ino
        assert e["fingerprint_length"] == len(first_line)
        for k in ("fingerprint", "source_high", "source_low"):
            assert isinstance(e[k], str) and e[k] and set(e[k]) <= HEX and len(e[k]) <= 16, (k, e[k])
        assert isinstance(e["last_seen"], int) and abs(e["last_seen"] - now) < 120, e["last_seen"]
    assert entries[str(a)]["source_low"] != entries[str(b)]["source_low"] or \
        entries[str(a)]["source_high"] != entries[str(b)]["source_high"]
    # Nothing but the checkpoint file is left in the directory (no temp files).
    assert sorted(os.listdir(checkpoint_path(tmp_path).parent)) == ["app.ndjson"]
    assert agent.stop() == 0
    assert read_checkpoints(tmp_path)  # still valid after the save at shutdown


# --------------------------------------------------------------------------- SIGKILL


def test_sigkill_after_periodic_save_does_not_reread(tmp_path, opensearch, sluice, index_prefix):
    logs = tmp_path / "logs"
    logs.mkdir()
    log = logs / "app.log"
    log.write_text(jlines("first", 50))
    pattern = index_prefix + "-*"
    cfg = config(tmp_path, opensearch, index_prefix, [str(logs / "*.log")])
    first = sluice(cfg)
    first.until(lambda: opensearch.count(pattern) == 50, 30, 0.2, "50 documents")
    # The periodic save (every ~1s) records the delivered offset: wait for it, then kill -9.
    first.until(lambda: checkpointed(tmp_path, log), 10, 0.1, "the periodic checkpoint save")
    first.kill()
    assert first.proc.returncode == -9

    append(log, jlines("second", 10, start=50))       # written while sluice is down
    second = sluice(cfg)
    second.until(lambda: opensearch.count(pattern) == 60, 30, 0.2, "the 10 lines written while down")
    m = settle(second)
    assert metric_sum(m, "sluice_events_received_total", input="app") == 10, \
        "after SIGKILL the restart must resume at the periodically saved checkpoint"
    assert opensearch.count(pattern) == 60
    tailing = [r for r in second.log_records() if r.get("log", {}).get("message") == "tailing file"]
    assert tailing and tailing[0].get("offset") == len(jlines("first", 50)), tailing


# --------------------------------------------------------------------------- damaged file


def test_damaged_checkpoint_file(tmp_path, opensearch, sluice, index_prefix):
    logs = tmp_path / "logs"
    logs.mkdir()
    log = logs / "app.log"
    log.write_text(jlines("x", 30))
    pattern = index_prefix + "-*"
    cfg = config(tmp_path, opensearch, index_prefix, [str(logs / "*.log")])
    first = sluice(cfg)
    first.until(lambda: opensearch.count(pattern) == 30, 30, 0.2, "30 documents")
    settle(first)
    assert first.stop() == 0
    assert checkpointed(tmp_path, log)

    garbage = os.urandom(512) + b"\n{\"offset\": 12, \"path\": \n\xff\xfe not json\n"
    checkpoint_path(tmp_path).write_bytes(garbage)
    second = sluice(cfg)
    err = second.wait_for_log(lambda r: r["log"]["level"] == "ERROR"
                              and "checkpoint" in r["log"]["message"], 30)
    assert "damaged" in str(err.get("error", "")), err
    damaged = checkpoint_path(tmp_path).with_name("app.ndjson.damaged")
    assert damaged.read_bytes() == garbage, "the damaged file must be kept aside as .damaged"

    # Read again from the start: the replay is absorbed by the deterministic _ids.
    second.until(lambda: second.metric("sluice_events_received_total", input="app") == 30, 30, 0.1,
                 "the file to be read again")
    m = settle(second)
    assert metric_sum(m, "sluice_events_received_total", input="app") == 30
    assert opensearch.count(pattern) == 30, "re-reading after a damaged checkpoint duplicated documents"
    assert messages(opensearch, pattern) == sorted(f"x-{i}" for i in range(30))
    # A new, valid checkpoint file replaces the damaged one.
    second.until(lambda: checkpointed(tmp_path, log), 10, 0.1, "a new valid checkpoint")
    assert second.running()
    assert second.stop() == 0


# --------------------------------------------------------------------------- start_at: end


def test_start_at_end_resumes_from_checkpoint(tmp_path, opensearch, sluice, index_prefix):
    """start_at: end applies only to files without a checkpoint: a file with one resumes
    there (lines written while sluice was down arrive); a file without one starts at its end."""
    logs = tmp_path / "logs"
    logs.mkdir()
    known = logs / "known.log"
    known.write_text(jlines("known", 5))
    pattern = index_prefix + "-*"
    first = sluice(config(tmp_path, opensearch, index_prefix, [str(logs / "known.log")]))
    first.until(lambda: opensearch.count(pattern) == 5, 30, 0.2, "5 documents")
    settle(first)
    assert first.stop() == 0

    append(known, jlines("known", 3, start=5))         # written while sluice is down
    unknown = logs / "unknown.log"
    unknown.write_text(jlines("unknown-before", 4))    # no checkpoint: skipped with start_at: end
    second = sluice(config(tmp_path, opensearch, index_prefix, [str(logs / "*.log")], start_at="end"))
    second.until(lambda: opensearch.count(pattern) == 8, 30, 0.2, "the 3 lines written while down")
    second.wait_for_log(lambda r: r.get("path") == str(unknown) and r["log"]["message"] == "tailing file", 10)
    append(unknown, jline("unknown-after"))
    second.until(lambda: opensearch.count(pattern) == 9, 30, 0.2, "the line appended to the new file")
    m = settle(second)
    assert metric_sum(m, "sluice_events_received_total", input="app") == 4
    assert messages(opensearch, pattern) == sorted([f"known-{i}" for i in range(8)] + ["unknown-after"])


# --------------------------------------------------------------------------- truncated while down


def test_truncated_while_stopped_with_identical_first_line(tmp_path, opensearch, sluice, index_prefix):
    """The file is truncated and rewritten while sluice is stopped; its first line (a header)
    is the same and the new content is shorter than the checkpoint offset. A size below
    the checkpoint means the file was truncated: its new lines must be read and arrive."""
    logs = tmp_path / "logs"
    logs.mkdir()
    log = logs / "app.log"
    header = jline("header")
    log.write_text(header + jlines("old", 10))
    pattern = index_prefix + "-*"
    cfg = config(tmp_path, opensearch, index_prefix, [str(logs / "*.log")])
    first = sluice(cfg)
    first.until(lambda: opensearch.count(pattern) == 11, 30, 0.2, "11 documents")
    settle(first)
    assert first.stop() == 0

    with open(log, "r+b") as f:
        f.truncate(0)
        f.write((header + jlines("new", 3)).encode())
    second = sluice(cfg)
    second.wait_for_log(lambda r: r.get("path") == str(log) and r["log"]["message"] == "tailing file", 10)
    try:
        second.until(lambda: {"new-0", "new-1", "new-2"} <= set(messages(opensearch, pattern)), 8, 0.3,
                     "the lines written after the truncation")
    finally:
        tailing = [r for r in second.log_records() if r.get("log", {}).get("message") == "tailing file"]
        print(f"second run: tailing {tailing}; received "
              f"{second.metric('sluice_events_received_total', input='app')}")
