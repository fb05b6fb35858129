"""File input edge cases, end to end: truncation, deletion while open, inode reuse,
compressed rotated files, kubelet rotation, symlinked paths, an incomplete first line,
close_inactive, ignore_older, max_open_files and long lines.

Every test runs the real binary with a small config (fast rescans, a short rotate_wait,
a short flush interval) against the session's OpenSearch and synchronises by polling
with deadlines. The few fixed waits are deliberate: a window for a negative check
("nothing more arrives") or letting a duration (rotate_wait, close_inactive) pass.
"""

from __future__ import annotations

import collections
import gzip
import json
import os
import signal
import sys
import time

from support import append, base_config, es_output, file_input, metric_sum, messages, settle


# --------------------------------------------------------------------------- helpers


def jline(tag: str, service: str = "rot") -> str:
    return json.dumps({"msg": tag, "service": service}) + "\n"


def jlines(prefix: str, n: int, service: str = "rot") -> str:
    return "".join(jline(f"{prefix}-{i}", service) for i in range(n))


def config(tmp_path, opensearch, index_prefix, paths: list[str], *, inputs: list[dict] | None = None,
           state_dir=None, **inp) -> dict:
    """One file input `app` (unless `inputs` is given) with fast rescans and a short
    rotate_wait; one elasticsearch output `es` flushing every 200ms."""
    settings = {"scan_interval": "200ms", "rotate_wait": "1s"}
    settings.update(inp)
    if inputs is None:
        inputs = [file_input(paths, **settings)]
    cfg = base_config(tmp_path, inputs,
                      [es_output(opensearch.url, index_prefix + "-{service.name}", interval="200ms")],
                      state_dir=state_dir)
    cfg["pipeline"] = {"batch": {"linger": "50ms"}}
    return cfg


def duplicates(items) -> dict:
    return {k: c for k, c in collections.Counter(items).items() if c > 1}


def received(agent, input_id: str = "app") -> float:
    return agent.metric("sluice_events_received_total", input=input_id)


def files_open(agent) -> float:
    return agent.metric("sluice_files_open")


def log_lines(agent, message_part: str) -> list[dict]:
    return [r for r in agent.log_records()
            if message_part in str(r.get("log", {}).get("message", ""))]


def fd_targets(pid: int) -> list[str]:
    out = []
    for fd in os.listdir(f"/proc/{pid}/fd"):
        try:
            out.append(os.readlink(f"/proc/{pid}/fd/{fd}"))
        except OSError:
            pass
    return out


# --------------------------------------------------------------------------- 1. truncation


def test_truncation_in_place(tmp_path, opensearch, sluice, index_prefix):
    """A file truncated to 0 and written again (twice: shorter, then longer than before)
    is read again from 0: every new line arrives once, and truncations are counted."""
    logs = tmp_path / "logs"
    logs.mkdir()
    log = logs / "app.log"
    log.write_text(jlines("before", 5))
    pattern = index_prefix + "-*"
    agent = sluice(config(tmp_path, opensearch, index_prefix, [str(logs / "*.log")]))
    agent.until(lambda: opensearch.count(pattern) == 5, 30, 0.2, "the first 5 lines")
    settle(agent)

    with open(log, "r+b") as f:                     # truncate in place; the writer goes on at 0
        f.truncate(0)
        f.write(jlines("after-1", 3).encode())      # shorter than what was read
    agent.until(lambda: opensearch.count(pattern) == 8, 30, 0.2,
                lambda: f"the 3 lines written after truncation; have {messages(opensearch, pattern)}")
    settle(agent)
    assert agent.metric("sluice_file_truncations_total", input="app") >= 1

    with open(log, "r+b") as f:                     # second cycle: longer than before
        f.truncate(0)
        f.write(jlines("after-2", 12).encode())
    agent.until(lambda: opensearch.count(pattern) == 20, 30, 0.2,
                lambda: f"the 12 lines of the second truncation; have {messages(opensearch, pattern)}")
    m = settle(agent)
    assert metric_sum(m, "sluice_file_truncations_total", input="app") >= 2
    assert metric_sum(m, "sluice_events_received_total", input="app") == 20
    assert opensearch.count(pattern) == 20
    assert messages(opensearch, pattern) == sorted(
        [f"before-{i}" for i in range(5)] + [f"after-1-{i}" for i in range(3)]
        + [f"after-2-{i}" for i in range(12)])


def test_truncation_with_identical_first_line(tmp_path, opensearch, sluice, index_prefix):
    """copytruncate of a file whose first line is always the same (a header): the lines
    written after the truncation are new events at offsets already used, and must arrive
    (not be taken for replays of the old lines and answered 409)."""
    logs = tmp_path / "logs"
    logs.mkdir()
    log = logs / "app.log"
    header = jline("header")
    log.write_text(header + jlines("old", 4))
    pattern = index_prefix + "-*"
    agent = sluice(config(tmp_path, opensearch, index_prefix, [str(logs / "*.log")]))
    agent.until(lambda: opensearch.count(pattern) == 5, 30, 0.2, "the first 5 lines")
    settle(agent)

    with open(log, "r+b") as f:
        f.truncate(0)
        f.write((header + jlines("new", 2)).encode())   # same header, other lines at old offsets
    agent.until(lambda: agent.metric("sluice_file_truncations_total", input="app") >= 1, 30, 0.1,
                "the truncation to be detected")
    agent.until(lambda: received(agent) >= 8, 30, 0.1, "the 3 lines after truncation to be read")
    settle(agent)
    got = messages(opensearch, pattern)
    assert "new-0" in got and "new-1" in got, (
        "lines written after a copytruncate were dropped: the file kept its identity (same first "
        f"line), so their _ids equal those of the old lines at the same offsets; have {got}")


# --------------------------------------------------------------------------- 2. deletion while open


def test_deleted_while_open_is_read_to_the_end_then_released(tmp_path, opensearch, sluice, index_prefix):
    logs = tmp_path / "logs"
    logs.mkdir()
    log = logs / "app.log"
    log.write_text(jlines("start", 3))
    pattern = index_prefix + "-*"
    agent = sluice(config(tmp_path, opensearch, index_prefix, [str(logs / "*.log")], rotate_wait="2s"))
    agent.until(lambda: opensearch.count(pattern) == 3, 30, 0.2, "the first 3 lines")
    assert files_open(agent) == 1

    with open(log, "ab") as writer:                   # the application's descriptor
        # Lines written and the file deleted while sluice is descheduled: unread at deletion.
        os.kill(agent.proc.pid, signal.SIGSTOP)
        try:
            writer.write(jlines("unread", 20).encode())
            writer.flush()
            os.unlink(log)
        finally:
            os.kill(agent.proc.pid, signal.SIGCONT)
        # The writer goes on through its old descriptor, well within rotate_wait (2s) of each write.
        for i in range(3):
            time.sleep(0.3)
            writer.write(jline(f"late-{i}").encode())
            writer.flush()
    agent.until(lambda: opensearch.count(pattern) == 26, 30, 0.2,
                lambda: f"all 26 lines; have {len(messages(opensearch, pattern))}")
    expected = sorted([f"start-{i}" for i in range(3)] + [f"unread-{i}" for i in range(20)]
                      + [f"late-{i}" for i in range(3)])
    assert messages(opensearch, pattern) == expected

    # Once idle for rotate_wait, the deleted file's descriptor is released.
    agent.until(lambda: files_open(agent) == 0, 15, 0.2, "sluice_files_open to drop to 0")
    leaked = [t for t in fd_targets(agent.proc.pid) if "app.log" in t]
    assert not leaked, f"sluice still holds the deleted file: {leaked}"
    assert log_lines(agent, "closing file that was removed or rotated away")
    m = settle(agent)
    assert metric_sum(m, "sluice_events_received_total", input="app") == 26
    assert opensearch.count(pattern) == 26


# --------------------------------------------------------------------------- 3. inode reuse


def test_inode_reuse_with_a_new_first_line_is_read(tmp_path, opensearch, sluice, index_prefix):
    """A fully read file is deleted; a new file that gets the same inode (and the same path)
    but another first line is a new file: all its lines arrive, none skipped as read."""
    logs = tmp_path / "logs"
    logs.mkdir()
    log = logs / "app.log"
    log.write_text(jlines("gen1", 20))                 # long: the new file is shorter than its offset
    old = log.stat()
    pattern = index_prefix + "-*"
    agent = sluice(config(tmp_path, opensearch, index_prefix, [str(logs / "*.log")]))
    agent.until(lambda: opensearch.count(pattern) == 20, 30, 0.2, "the first file's 20 lines")
    settle(agent)

    os.unlink(log)
    # The inode is free only once sluice has closed its descriptor (after rotate_wait).
    agent.until(lambda: files_open(agent) == 0, 15, 0.2, "the deleted file to be closed")

    # Make the new file under a name the glob does not match, in the same directory (the
    # allocator prefers the directory's block group and the lowest free inode there): keep
    # making empty files, which take the free inodes below the old one, until one gets the
    # old inode; move that one into place (a rename keeps the inode).
    reused = False
    candidate = None
    spare = []
    for attempt in range(3000):
        path = logs / f"candidate-{attempt}.tmp"
        fd = os.open(path, os.O_CREAT | os.O_WRONLY | os.O_EXCL, 0o644)
        st = os.fstat(fd)
        os.close(fd)
        if st.st_ino == old.st_ino and st.st_dev == old.st_dev:
            reused, candidate = True, path
            break
        spare.append(path)
    for path in spare:
        os.unlink(path)
    if candidate is None:
        candidate = logs / "candidate.tmp"
        sys.stdout.write(f"\nNOTE: inode {old.st_ino} was not reused by the file system; "
                         "the test only checks that a new file at the same path is read\n")
    candidate.write_text(jlines("gen2", 3))
    os.rename(candidate, log)

    agent.until(lambda: opensearch.count(pattern) == 23, 30, 0.2,
                lambda: f"the new file's 3 lines (inode reused: {reused}); "
                        f"have {len(messages(opensearch, pattern))}")
    m = settle(agent)
    assert metric_sum(m, "sluice_events_received_total", input="app") == 23
    assert messages(opensearch, pattern) == sorted([f"gen1-{i}" for i in range(20)]
                                                   + [f"gen2-{i}" for i in range(3)])
    tailing = [r for r in log_lines(agent, "tailing file") if r.get("path") == str(log)]
    assert tailing and tailing[-1].get("offset") == 0, \
        f"the new file must be read from offset 0: {tailing}"
    print(f"inode reused: {reused} (inode {old.st_ino}, {len(spare)} other inodes taken first)")


# --------------------------------------------------------------------------- 4. compressed files


def test_compressed_rotated_files_are_ignored(tmp_path, opensearch, sluice, index_prefix):
    """With the default `exclude`, `app.log.1.gz` next to `app.log` is never read,
    whether the glob is `*` or `app.log*`."""
    dirs = {}
    for name in ("star", "prefix"):
        d = tmp_path / name
        d.mkdir()
        (d / "app.log").write_text(jlines(f"{name}-live", 3, service=name))
        for n in (1, 2):
            with gzip.open(d / f"app.log.{n}.gz", "wb") as z:
                z.write(jlines(f"{name}-gz{n}", 50, service=name).encode())
        dirs[name] = d
    inputs = [file_input([str(dirs["star"] / "*")], id="star", scan_interval="200ms"),
              file_input([str(dirs["prefix"] / "app.log*")], id="prefix", scan_interval="200ms")]
    pattern = index_prefix + "-*"
    agent = sluice(config(tmp_path, opensearch, index_prefix, [], inputs=inputs))
    agent.until(lambda: opensearch.count(pattern) == 6, 30, 0.2, "the 6 lines of the two app.log")
    # Negative check: a few rescans' worth of time in which nothing else is read.
    deadline = time.monotonic() + 1.5
    while time.monotonic() < deadline:
        assert received(agent, "star") <= 3 and received(agent, "prefix") <= 3, \
            "events were read from a compressed file"
        time.sleep(0.3)
    m = settle(agent)
    assert metric_sum(m, "sluice_events_received_total", input="star") == 3
    assert metric_sum(m, "sluice_events_received_total", input="prefix") == 3
    assert metric_sum(m, "sluice_files_open") == 2
    assert opensearch.count(pattern) == 6
    assert not [r for r in log_lines(agent, "tailing file") if str(r.get("path", "")).endswith(".gz")]


# --------------------------------------------------------------------------- 5. kubelet rotation


def test_kubelet_rotation(tmp_path, opensearch, sluice, index_prefix):
    """/pods/ns_pod_uid/c/0.log is renamed to 0.log.<timestamp> (the runtime still writes
    to it for a moment), a new 0.log is created, and the rotated file is gzipped (the
    uncompressed one deleted). Every line arrives exactly once."""
    cdir = tmp_path / "pods" / "ns_pod_0123-4567" / "c"
    cdir.mkdir(parents=True)
    live = cdir / "0.log"
    live.write_text(jlines("k", 5))
    pattern = index_prefix + "-*"
    agent = sluice(config(tmp_path, opensearch, index_prefix, [str(tmp_path / "pods" / "*" / "*" / "*.log")]))
    agent.until(lambda: opensearch.count(pattern) == 5, 30, 0.2, "the first 5 lines")

    rotated = cdir / "0.log.20240115-103000"
    with open(live, "ab") as runtime:                  # the container runtime's descriptor
        os.rename(live, rotated)
        runtime.write(jlines("k-after-rename", 2).encode())
        runtime.flush()
    live.write_text(jlines("n", 3))                    # the runtime reopens: a new 0.log
    # kubelet compresses the rotated file and deletes the uncompressed one.
    with open(rotated, "rb") as src, gzip.open(str(rotated) + ".gz", "wb") as dst:
        dst.write(src.read())
    os.unlink(rotated)
    append(live, jlines("n-more", 2))

    agent.until(lambda: opensearch.count(pattern) == 12, 30, 0.2,
                lambda: f"all 12 lines; have {messages(opensearch, pattern)}")
    agent.until(lambda: files_open(agent) == 1, 15, 0.2, "the rotated file to be closed")
    m = settle(agent)
    assert metric_sum(m, "sluice_events_received_total", input="app") == 12, "a line was read twice"
    got = messages(opensearch, pattern)
    assert got == sorted([f"k-{i}" for i in range(5)] + [f"k-after-rename-{i}" for i in range(2)]
                         + [f"n-{i}" for i in range(3)] + [f"n-more-{i}" for i in range(2)])


# --------------------------------------------------------------------------- 6. symlinks


def test_symlinked_paths_are_read_once(tmp_path, opensearch, sluice, index_prefix):
    """/var/log/containers-style symlinks to the pod log, a symlinked directory, and the
    real path all match: the file is read once (one inode, one reader)."""
    real_dir = tmp_path / "pods" / "ns_pod_uid" / "c"
    real_dir.mkdir(parents=True)
    real = real_dir / "0.log"
    real.write_text(jlines("s", 10))
    containers = tmp_path / "containers"
    containers.mkdir()
    (containers / "pod_ns_c-abc123.log").symlink_to(real)
    (tmp_path / "podlink").symlink_to(tmp_path / "pods", target_is_directory=True)
    paths = [str(containers / "*.log"),                          # the symlinks
             str(tmp_path / "pods" / "*" / "*" / "*.log"),        # the real file
             str(tmp_path / "podlink" / "*" / "*" / "*.log")]     # through a symlinked directory
    pattern = index_prefix + "-*"
    agent = sluice(config(tmp_path, opensearch, index_prefix, paths))
    agent.until(lambda: opensearch.count(pattern) == 10, 30, 0.2, "the 10 lines")
    append(real, jlines("s-more", 4))
    agent.until(lambda: opensearch.count(pattern) == 14, 30, 0.2, "the 4 appended lines")
    m = settle(agent)
    assert metric_sum(m, "sluice_events_received_total", input="app") == 14, \
        "the same file reached through several paths was read more than once"
    assert metric_sum(m, "sluice_files_open") == 1
    assert opensearch.count(pattern) == 14
    hits = opensearch.search(pattern, size=100)
    assert not duplicates(h["_source"]["log"]["message"] for h in hits)
    assert len(log_lines(agent, "tailing file")) == 1

    # kubelet rotates the pod log behind the symlink: the new 0.log is read once too.
    os.rename(real, real_dir / "0.log.20240115-103000")
    real.write_text(jlines("s-rotated", 3))
    agent.until(lambda: opensearch.count(pattern) == 17, 30, 0.2, "the rotated-in file's 3 lines")
    agent.until(lambda: files_open(agent) == 1, 15, 0.2, "the rotated-away file to be closed")
    m = settle(agent)
    assert metric_sum(m, "sluice_events_received_total", input="app") == 17
    assert messages(opensearch, pattern) == sorted([f"s-{i}" for i in range(10)] + [f"s-more-{i}" for i in range(4)]
                                                   + [f"s-rotated-{i}" for i in range(3)])


# --------------------------------------------------------------------------- 8. incomplete first line


def test_incomplete_first_line_waits_for_its_newline(tmp_path, opensearch, sluice, index_prefix):
    logs = tmp_path / "logs"
    logs.mkdir()
    log = logs / "app.log"
    first = json.dumps({"msg": "first line, written in two parts", "service": "rot"})
    log.write_text(first[:20])                          # no newline yet; shorter than fingerprint_bytes
    pattern = index_prefix + "-*"
    agent = sluice(config(tmp_path, opensearch, index_prefix, [str(logs / "*.log")]))
    agent.wait_for_log(lambda r: r.get("path") == str(log)
                       and "tailing" in r["log"]["message"], 30)
    # Negative check: the partial line is not shipped (a window of several read turns).
    deadline = time.monotonic() + 1.5
    while time.monotonic() < deadline:
        assert received(agent) == 0, "an event was made from an incomplete first line"
        time.sleep(0.3)
    assert opensearch.count(pattern) == 0

    append(log, first[20:] + "\n" + jlines("next", 2))
    agent.until(lambda: opensearch.count(pattern) == 3, 30, 0.2, "the completed first line and 2 more")
    m = settle(agent)
    assert metric_sum(m, "sluice_events_received_total", input="app") == 3
    hits = opensearch.search(pattern, {"term": {"log.offset": 0}}, size=10)
    assert [h["_source"]["log"]["message"] for h in hits] == ["first line, written in two parts"]
    assert messages(opensearch, pattern) == sorted(["first line, written in two parts", "next-0", "next-1"])


# --------------------------------------------------------------------------- 10. close_inactive


def test_close_inactive_then_reopen_at_checkpoint(tmp_path, opensearch, sluice, index_prefix):
    logs = tmp_path / "logs"
    logs.mkdir()
    log = logs / "app.log"
    log.write_text(jlines("a", 3))
    pattern = index_prefix + "-*"
    agent = sluice(config(tmp_path, opensearch, index_prefix, [str(logs / "*.log")], close_inactive="1s"))
    agent.until(lambda: opensearch.count(pattern) == 3, 30, 0.2, "the first 3 lines")
    agent.until(lambda: files_open(agent) == 0, 15, 0.1, "the idle file to be closed (close_inactive 1s)")
    assert log_lines(agent, "closing inactive file")
    assert not [t for t in fd_targets(agent.proc.pid) if "app.log" in t]

    append(log, jlines("b", 2))
    agent.until(lambda: opensearch.count(pattern) == 5, 30, 0.2, "the lines appended after the close")
    m = settle(agent)
    assert metric_sum(m, "sluice_events_received_total", input="app") == 5, \
        "the reopened file was not resumed at its checkpoint"
    reopened = [r for r in log_lines(agent, "tailing file") if r.get("path") == str(log)]
    assert len(reopened) == 2 and reopened[1].get("offset") == len(jlines("a", 3)), reopened
    assert messages(opensearch, pattern) == sorted([f"a-{i}" for i in range(3)] + [f"b-{i}" for i in range(2)])
    agent.until(lambda: files_open(agent) == 0, 15, 0.1, "the file to be closed again")


# --------------------------------------------------------------------------- 11. ignore_older


def test_ignore_older(tmp_path, opensearch, sluice, index_prefix):
    logs = tmp_path / "logs"
    logs.mkdir()
    old = logs / "old.log"
    old.write_text(jlines("old", 5))
    hour_ago = time.time() - 3600
    os.utime(old, (hour_ago, hour_ago))
    fresh = logs / "fresh.log"
    fresh.write_text(jlines("fresh", 2))
    pattern = index_prefix + "-*"
    agent = sluice(config(tmp_path, opensearch, index_prefix, [str(logs / "*.log")], ignore_older="1s"))
    agent.until(lambda: opensearch.count(pattern) == 2, 30, 0.2, "the fresh file's 2 lines")
    deadline = time.monotonic() + 1.5                  # a few rescans in which old.log stays unread
    while time.monotonic() < deadline:
        assert received(agent) == 2, "a file older than ignore_older was read"
        time.sleep(0.3)
    m = settle(agent)
    assert metric_sum(m, "sluice_files_open") == 1
    assert messages(opensearch, pattern) == ["fresh-0", "fresh-1"]
    assert not [r for r in log_lines(agent, "tailing file") if r.get("path") == str(old)]


# --------------------------------------------------------------------------- 12. max_open_files


def test_max_open_files_rotates_through_slots(tmp_path, opensearch, sluice, index_prefix):
    logs = tmp_path / "logs"
    logs.mkdir()
    for n in range(5):
        (logs / f"f{n}.log").write_text(jlines(f"f{n}", 4))
    pattern = index_prefix + "-*"
    agent = sluice(config(tmp_path, opensearch, index_prefix, [str(logs / "*.log")],
                          max_open_files=2, close_inactive="700ms"))
    seen = {"waiting": 0.0, "open": 0.0}

    def all_arrived():
        m = agent.metrics()
        seen["waiting"] = max(seen["waiting"], metric_sum(m, "sluice_files_waiting", input="app"))
        seen["open"] = max(seen["open"], metric_sum(m, "sluice_files_open"))
        return opensearch.count(pattern) == 20
    agent.until(all_arrived, 40, 0.05, lambda: f"all 20 lines; have {messages(opensearch, pattern)}")
    assert seen["waiting"] > 0, "sluice_files_waiting never went above 0"
    assert seen["open"] <= 2, f"sluice_files_open reached {seen['open']} with max_open_files: 2"
    m = settle(agent)
    assert metric_sum(m, "sluice_events_received_total", input="app") == 20
    assert metric_sum(m, "sluice_files_waiting", input="app") == 0
    assert messages(opensearch, pattern) == sorted(f"f{n}-{i}" for n in range(5) for i in range(4))
    assert log_lines(agent, "max_open_files reached")


def test_start_at_end_applies_to_files_waiting_for_a_slot(tmp_path, opensearch, sluice, index_prefix):
    """start_at: end covers every file found at startup without a checkpoint, also one
    that had to wait for max_open_files: its old lines are skipped when it is opened later."""
    logs = tmp_path / "logs"
    logs.mkdir()
    files = [logs / f"f{n}.log" for n in range(3)]
    for f in files:
        f.write_text(jlines(f"{f.stem}-old", 3))
    pattern = index_prefix + "-*"
    agent = sluice(config(tmp_path, opensearch, index_prefix, [str(logs / "*.log")], start_at="end",
                          max_open_files=1, close_inactive="500ms"))
    opened: set[str] = set()

    def all_opened():
        for r in log_lines(agent, "tailing file"):
            opened.add(r.get("path"))
        return opened >= {str(f) for f in files}
    agent.until(all_opened, 30, 0.1, lambda: f"each file to get a slot; opened {sorted(opened)}")
    for f in files:
        append(f, jline(f"{f.stem}-new"))
    agent.until(lambda: {f"{f.stem}-new" for f in files} <= set(messages(opensearch, pattern)), 30, 0.2,
                "the appended lines (files reopened after close_inactive)")
    settle(agent)
    got = messages(opensearch, pattern)
    assert got == sorted(f"{f.stem}-new" for f in files), \
        f"lines present at startup were shipped despite start_at: end: {got}"


# --------------------------------------------------------------------------- 13. long lines


def test_long_line_is_cut_and_tagged(tmp_path, opensearch, sluice, index_prefix):
    logs = tmp_path / "logs"
    logs.mkdir()
    log = logs / "app.log"
    log.write_text(jline("before") + "x" * 5000 + "\n" + jline("after"))
    pattern = index_prefix + "-*"
    agent = sluice(config(tmp_path, opensearch, index_prefix, [str(logs / "*.log")], max_line_bytes="1KiB"))
    agent.until(lambda: opensearch.count(pattern) == 3, 30, 0.2, "the 3 lines")
    m = settle(agent)
    assert metric_sum(m, "sluice_lines_truncated_total", input="app") == 1
    assert metric_sum(m, "sluice_events_received_total", input="app") == 3
    docs = {h["_source"]["log"]["offset"]: h["_source"] for h in opensearch.search(pattern, size=10)}
    before_len = len(jline("before"))
    assert sorted(docs) == [0, before_len, before_len + 5001]
    cut = docs[before_len]
    assert cut["log"]["message"] == "x" * 1024
    assert "truncated" in cut.get("tags", []), cut.get("tags")
    after = docs[before_len + 5001]
    assert after["log"]["message"] == "after"
    assert "truncated" not in after.get("tags", [])
    assert docs[0]["log"]["message"] == "before"


def test_a_busy_file_does_not_starve_a_quiet_one(tmp_path, opensearch, sluice, index_prefix):
    """Files are read in bounded turns: the few lines of a quiet file are delivered
    long before a large busy file is through."""
    busy, quiet = tmp_path / "busy.log", tmp_path / "quiet.log"
    hot_lines = 300_000
    with open(busy, "w") as f:
        for i in range(hot_lines):
            f.write(json.dumps({"seq": i, "file": "busy", "msg": "x" * 60}) + "\n")
    quiet.write_text("".join(json.dumps({"seq": i, "file": "quiet"}) + "\n" for i in range(10)))
    pattern = index_prefix + "-*"
    agent = sluice(base_config(tmp_path, [file_input([str(busy), str(quiet)])],
                               [es_output(opensearch.url, index_prefix + "-fair")]))

    def quiet_count() -> int:
        return opensearch.count(pattern, {"term": {"file.keyword": "quiet"}})

    agent.until(lambda: quiet_count() == 10, 120, 0.2, "the quiet file's 10 lines")
    indexed_busy = opensearch.count(pattern) - 10
    assert indexed_busy < hot_lines // 2, (
        f"the quiet file waited until {indexed_busy} of {hot_lines} busy lines were indexed")
    agent.until(lambda: opensearch.count(pattern) == hot_lines + 10, 240, 0.5, "every line")
