#!/usr/bin/env python3
"""sluice torture test: nothing lost, nothing duplicated, across rotation and crashes.

A writer appends numbered lines (JSON ``{"seq":N,"file":K,"msg":...}`` and some
plain-text lines) to several files ``app-K.log`` while rotating them, alternately
logrotate-style rename+create (the writer keeps writing to the renamed file
through its old descriptor for a moment) and copytruncate. ``sluice run`` tails
``app-*.log`` into OpenSearch and is killed with SIGKILL at random moments and
restarted. When the writer is done and sluice has caught up, every document in
the index is read back and compared with what was written: each (file, seq) must
be present exactly once, with its exact message.

Runs as a script (``python3 tests/torture/torture.py --help``) or from pytest
(``run([...])`` returns a ``Result``). Python 3 standard library only.
See tests/torture/README.md for what it checks and how to read its output.
"""

from __future__ import annotations

import argparse
import bisect
import gzip
import json
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import traceback
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

REPO_ROOT = Path(__file__).resolve().parents[2]
OPENSEARCH_SCRIPT = REPO_ROOT / "tests" / "servers" / "opensearch"

# The key of a line, as found in its message: "torture K/N ..." or "torture plain K/N ...".
KEY_RE = re.compile(r"torture (?:plain )?(\d+)/(\d+) ")
LEVEL_WORDS = ("trace", "debug", "info", "notice", "warn", "error", "err", "crit", "fatal",
               "panic", "alert", "emerg", "severe", "fine")


class HarnessError(RuntimeError):
    """The harness could not do its job (no binary, OpenSearch would not start, ...)."""


# --------------------------------------------------------------------------- line content


class Content:
    """The lines, a pure function of (seed, file, seq): the writer writes them and
    the verifier regenerates the message each document must carry."""

    # (prefix as written inside a JSON string, the same prefix decoded / written raw in plain lines)
    VARIANTS = [
        ("", ""),
        ("\u00fcn\u00efc\u00f8d\u00e9 \u2713 \u65e5\u672c ", "\u00fcn\u00efc\u00f8d\u00e9 \u2713 \u65e5\u672c "),
        ('\\"quoted\\" ', '"quoted" '),
        ("tab\\there ", "tab\there "),
    ]

    def __init__(self, seed: int, plain_ratio: float):
        rng = random.Random(f"content:{seed}")
        alphabet = "abcdefghijklmnopqrstuvwxyz0123456789     "
        while True:   # a filler with no level word, so no plain-text parser can take one as a level
            base = "".join(rng.choice(alphabet) for _ in range(8192))
            if not any(w in base for w in LEVEL_WORDS):
                break
        self.base = base
        self.mix = rng.getrandbits(32)
        self.plain_per_mille = int(round(plain_ratio * 1000))

    def _hash(self, k: int, n: int) -> int:
        h = (n * 0x9E3779B1 + k * 0x85EBCA77 + self.mix) & 0xFFFFFFFF
        h ^= h >> 16
        h = (h * 0x7FEB352D) & 0xFFFFFFFF
        h ^= h >> 15
        h = (h * 0x846CA68B) & 0xFFFFFFFF
        h ^= h >> 16
        return h

    def line(self, k: int, n: int) -> tuple[str, bool, str]:
        """(line as written without its newline, is_plain, expected log message)."""
        h = self._hash(k, n)
        length = 8 + h % 150
        start = (h >> 8) % (len(self.base) - 160)
        filler = self.base[start:start + length].strip() or "x"
        v = (h >> 20) % 100
        variant = self.VARIANTS[v] if v < len(self.VARIANTS) else self.VARIANTS[0]
        plain = (h >> 4) % 1000 < self.plain_per_mille
        if plain:
            text = f"torture plain {k}/{n} {variant[1]}{filler}"
            return text, True, text
        text = f'{{"seq":{n},"file":{k},"msg":"torture {k}/{n} {variant[0]}{filler}"}}'
        return text, False, f"torture {k}/{n} {variant[1]}{filler}"


# --------------------------------------------------------------------------- HTTP / OpenSearch


def http(url: str, method: str = "GET", body: Any = None, timeout: float = 30.0) -> tuple[int, Any]:
    data = None
    headers = {}
    if body is not None:
        data = json.dumps(body).encode()
        headers["Content-Type"] = "application/json"
    req = urllib.request.Request(url, data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            raw = r.read()
            status = r.status
    except urllib.error.HTTPError as e:
        raw = e.read()
        status = e.code
    try:
        return status, json.loads(raw) if raw else None
    except ValueError:
        return status, raw.decode(errors="replace")


class OpenSearch:
    def __init__(self, url: str):
        self.url = url.rstrip("/")

    def ok(self, method: str, path: str, body: Any = None, timeout: float = 60.0) -> Any:
        status, res = http(self.url + path, method, body, timeout)
        if status >= 300:
            raise RuntimeError(f"{method} {path} -> {status}: {str(res)[:500]}")
        return res

    def count(self, index: str, refresh: bool = True) -> int:
        if refresh:
            self.ok("POST", f"/{index}/_refresh?ignore_unavailable=true&allow_no_indices=true")
        res = self.ok("GET", f"/{index}/_count?ignore_unavailable=true&allow_no_indices=true")
        return int(res["count"])

    def count_query(self, index: str, query: dict) -> int:
        self.ok("POST", f"/{index}/_refresh")
        return int(self.ok("POST", f"/{index}/_count", {"query": query})["count"])

    def create_index(self, index: str) -> None:
        self.ok("PUT", f"/{index}", {
            "settings": {"number_of_shards": 1, "number_of_replicas": 0},
            "mappings": {"properties": {"seq": {"type": "long"}, "file": {"type": "long"}}},
        })

    def delete_index(self, index: str) -> None:
        http(f"{self.url}/{index}?ignore_unavailable=true", "DELETE")

    def scroll(self, index: str, source: list[str], with_id: bool = False, size: int = 5000):
        """Every document of ``index``: yields (``_id`` or None, ``_source``)."""
        fp = "_scroll_id,hits.hits._source" + (",hits.hits._id" if with_id else "")
        res = self.ok("POST", f"/{index}/_search?scroll=5m&filter_path={fp}",
                      {"size": size, "sort": ["_doc"], "_source": source}, timeout=300)
        scroll_id = res.get("_scroll_id")
        try:
            while True:
                hits = (res.get("hits") or {}).get("hits") or []
                if not hits:
                    return
                for h in hits:
                    yield h.get("_id"), h.get("_source") or {}
                res = self.ok("POST", f"/_search/scroll?filter_path={fp}",
                              {"scroll": "5m", "scroll_id": scroll_id}, timeout=300)
                scroll_id = res.get("_scroll_id", scroll_id)
        finally:
            if scroll_id:
                http(f"{self.url}/_search/scroll", "DELETE", {"scroll_id": [scroll_id]})


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_opensearch(directory: Path) -> OpenSearch:
    last = ""
    for _ in range(3):   # a free port can be taken between probing and binding
        port = free_port()
        r = subprocess.run([str(OPENSEARCH_SCRIPT), "start", str(directory), str(port)],
                           capture_output=True, text=True, timeout=900)
        if r.returncode == 0:
            return OpenSearch(f"http://127.0.0.1:{port}")
        last = r.stderr[-3000:]
        stop_opensearch(directory)
    raise HarnessError(f"could not start OpenSearch with {OPENSEARCH_SCRIPT}:\n{last}")


def stop_opensearch(directory: Path) -> None:
    subprocess.run([str(OPENSEARCH_SCRIPT), "stop", str(directory)],
                   capture_output=True, text=True, timeout=180)


def parse_prometheus(text: str) -> dict[str, float]:
    out: dict[str, float] = {}
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        name_labels, _, rest = line.rpartition(" ")
        if not name_labels:
            continue
        try:
            out[name_labels.strip()] = float(rest)
        except ValueError:
            continue
    return out


def metric_sum(m: dict[str, float], name: str) -> float:
    return sum(v for k, v in m.items() if k == name or k.startswith(name + "{"))


# --------------------------------------------------------------------------- timeline


class Timeline:
    def __init__(self, path: Path, t0: float, echo: Callable[[str], None], verbose: bool):
        self.t0 = t0
        self.events: list[dict] = []
        self._lock = threading.Lock()
        self._f = open(path, "w", buffering=1)
        self._echo = echo
        self._verbose = verbose

    def now(self) -> float:
        return time.monotonic() - self.t0

    def add(self, kind: str, text: str, loud: bool = True, **data: Any) -> dict:
        with self._lock:
            ev = {"t": round(self.now(), 3), "kind": kind, "text": text, **data}
            self.events.append(ev)
            line = f"[{ev['t']:9.3f}s] {kind:<12} {text}"
            self._f.write(line + "\n")
            if loud or self._verbose:
                self._echo(line)
            return ev

    def close(self) -> None:
        self._f.close()


# --------------------------------------------------------------------------- sluice process


class SluiceProc:
    def __init__(self, binary: Path, config: Path, workdir: Path, number: int):
        self.number = number
        self.stderr_path = workdir / f"sluice-{number}.stderr"
        self.stdout_path = workdir / f"sluice-{number}.stdout"
        self._err = open(self.stderr_path, "wb")
        self._out = open(self.stdout_path, "wb")
        self.proc = subprocess.Popen([str(binary), "run", "-c", str(config)], cwd=str(workdir),
                                     stdin=subprocess.DEVNULL, stdout=self._out, stderr=self._err)
        self.pid = self.proc.pid
        self.killed_by_us = False
        self._address: str | None = None
        self.last_metrics: dict[str, float] = {}

    def running(self) -> bool:
        return self.proc.poll() is None

    def address(self) -> str | None:
        if self._address is None:
            try:
                data = self.stderr_path.read_bytes()
            except OSError:
                return None
            for line in data.splitlines():
                if b"listening" not in line:
                    continue
                try:
                    rec = json.loads(line)
                except ValueError:
                    continue
                if isinstance(rec, dict) and "address" in rec:
                    self._address = str(rec["address"])
                    break
        return self._address

    def metrics(self) -> dict[str, float] | None:
        addr = self.address()
        if not addr or not self.running():
            return None
        try:
            with urllib.request.urlopen(f"http://{addr}/metrics", timeout=2) as r:
                m = parse_prometheus(r.read().decode(errors="replace"))
        except (OSError, urllib.error.URLError, ValueError):
            return None
        self.last_metrics = m
        return m

    def idle(self) -> bool:
        """sluice says it has read everything and has nothing in flight (used only to
        stop waiting early, never to decide what was delivered)."""
        m = self.metrics()
        if not m:
            return False
        received = metric_sum(m, "sluice_events_received_total")
        done = (metric_sum(m, "sluice_events_sent_total") + metric_sum(m, "sluice_events_failed_total")
                + metric_sum(m, "sluice_events_dropped_total"))
        return metric_sum(m, "sluice_input_lag_bytes") == 0 and received <= done \
            and metric_sum(m, "sluice_buffer_events") == 0

    def kill(self) -> None:
        self.killed_by_us = True
        if self.running():
            self.proc.send_signal(signal.SIGKILL)
        self.proc.wait()
        self._close()

    def terminate(self, timeout: float = 60.0) -> int | None:
        """SIGTERM and wait; None when it had to be killed."""
        if self.running():
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.kill()
                return None
        self._close()
        return self.proc.returncode

    def _close(self) -> None:
        for f in (self._err, self._out):
            try:
                f.close()
            except OSError:
                pass

    def stderr_tail(self, n: int = 30) -> str:
        try:
            return "\n".join(self.stderr_path.read_text(errors="replace").splitlines()[-n:])
        except OSError:
            return ""


# --------------------------------------------------------------------------- manifest


@dataclass
class Gen:
    """One generation of one file: the content of app-K.log between two rotations."""
    file: int
    no: int
    created: str             # initial | new file after rename+create | same inode after copytruncate
    inode: int
    t_start: float
    first_seq: int = 0
    last_seq: int = 0
    lines: int = 0
    t_end: float | None = None
    ended: str = "live at the end"
    notes: list[str] = field(default_factory=list)
    synced_at_rotation: str = ""
    probe_seq: int = 1       # lines of this file from here on are all in this generation
    seen: bool = False       # sluice indexed one of them: it has this generation open
    next_probe: float = 0.0

    def describe(self) -> str:
        span = f"seq {self.first_seq}-{self.last_seq}" if self.lines else "no lines"
        end = f"{self.ended} at {self.t_end:.2f}s" if self.t_end is not None else self.ended
        extra = ("; " + "; ".join(self.notes)) if self.notes else ""
        sync = f"; {self.synced_at_rotation}" if self.synced_at_rotation else ""
        return (f"app-{self.file}.log gen {self.no} [{self.created}, inode {self.inode}, "
                f"from {self.t_start:.2f}s, {span} ({self.lines} lines); {end}{sync}{extra}]")


class Manifest:
    """What was written where: per file, runs of consecutive seqs that went to the
    same (generation, phase), with the byte offset of the run's first line."""

    PHASE_LIVE = "live"            # written to app-K.log while it was the live file
    PHASE_OLD_FD = "old-fd"        # written through the old descriptor after the rename

    def __init__(self, files: int):
        self.files = files
        self.run_first: list[list[int]] = [[] for _ in range(files)]
        self.run_meta: list[list[tuple[int, str, int]]] = [[] for _ in range(files)]
        self.gens: list[list[Gen]] = [[] for _ in range(files)]
        self.json_lines = 0
        self.plain_lines = 0

    def new_gen(self, gen: Gen) -> None:
        self.gens[gen.file].append(gen)

    def gen(self, k: int, no: int) -> Gen:
        return self.gens[k][no - 1]

    def record(self, k: int, first_seq: int, count: int, gen: Gen, phase: str, offset: int) -> None:
        meta = self.run_meta[k]
        if not meta or meta[-1][0] != gen.no or meta[-1][1] != phase:
            self.run_first[k].append(first_seq)
            meta.append((gen.no, phase, offset))
        if not gen.lines:
            gen.first_seq = first_seq
        gen.last_seq = first_seq + count - 1
        gen.lines += count

    def locate(self, k: int, seq: int) -> tuple[int, int, str, int]:
        """(run index, generation number, phase, run start offset) of a line."""
        i = bisect.bisect_right(self.run_first[k], seq) - 1
        g, phase, off = self.run_meta[k][i]
        return i, g, phase, off


# --------------------------------------------------------------------------- coordination


class Coordinator:
    """Pausing the writer, and the lock that keeps rotations out of the windows in
    which they would make loss unavoidable (see README: "Why the writer waits")."""

    def __init__(self):
        self.cv = threading.Condition()
        self.pause_requests = 0
        self.writer_paused = False
        self.writer_done = False
        self.rotation_lock = threading.Lock()
        self.at_risk: set[tuple[int, int]] = set()   # renamed generations not yet proven delivered
        self.stop = threading.Event()
        self.last_settle: dict | None = None

    def paused_writer(self):
        coord = self

        class _Ctx:
            def __enter__(self_inner):
                with coord.cv:
                    coord.pause_requests += 1
                    coord.cv.notify_all()
                    while not (coord.writer_paused or coord.writer_done or coord.stop.is_set()):
                        coord.cv.wait(0.5)

            def __exit__(self_inner, *exc):
                with coord.cv:
                    coord.pause_requests -= 1
                    coord.cv.notify_all()
                return False
        return _Ctx()


# --------------------------------------------------------------------------- writer


class FileW:
    def __init__(self, k: int, path: Path):
        self.k = k
        self.path = path
        self.fd = -1
        self.gen: Gen | None = None
        self.offset = 0          # bytes assigned to the current generation's file
        self.pending = b""      # the written part's remainder (a line split across writes)
        self.next_seq = 1
        self.complete = 0        # lines whose newline has been written
        self.threshold = 0
        self.next_method = ""
        self.dot1: str | None = None   # what app-K.log.1 holds
        self.deferred = False


class Writer(threading.Thread):
    def __init__(self, cfg: "Config", content: Content, manifest: Manifest, coord: Coordinator,
                 timeline: Timeline, syncer: "Syncer"):
        super().__init__(name="writer", daemon=True)
        self.cfg = cfg
        self.content = content
        self.m = manifest
        self.coord = coord
        self.tl = timeline
        self.syncer = syncer
        self.rng = random.Random(f"writer:{cfg.seed}")
        self.files = [FileW(k, cfg.logs_dir / f"app-{k}.log") for k in range(cfg.files)]
        self.assigned = 0
        self.rotations = {"rename": 0, "copytruncate": 0}
        self.rotations_skipped = 0
        self.error: BaseException | None = None
        self.t_start = 0.0
        self.t_end = 0.0
        self.methods = []
        if cfg.rotation in ("both", "rename"):
            self.methods.append("rename")
        if cfg.rotation in ("both", "copytruncate"):
            self.methods.append("copytruncate")

    # ---- counters read by other threads (ints: atomic enough under the GIL)
    def remaining(self) -> int:
        return self.cfg.lines - self.assigned

    @property
    def complete_total(self) -> int:
        return sum(f.complete for f in self.files)

    def per_file_complete(self) -> list[int]:
        return [f.complete for f in self.files]

    # ---- setup
    def open_initial(self) -> None:
        for f in self.files:
            f.fd = os.open(f.path, os.O_WRONLY | os.O_CREAT | os.O_APPEND | os.O_EXCL, 0o644)
            f.gen = Gen(f.k, 1, "initial", os.fstat(f.fd).st_ino, self.tl.now())
            self.m.new_gen(f.gen)
            f.threshold = self._threshold()
            if self.methods:
                f.next_method = self.rng.choice(self.methods)

    def _threshold(self) -> int:
        return max(1, int(self.cfg.rotate_every * self.rng.uniform(0.5, 1.5)))

    # ---- line assignment
    def _assign(self, f: FileW, count: int, gen: Gen, phase: str, offset: int) -> bytes:
        first = f.next_seq
        parts = []
        plain = 0
        for n in range(first, first + count):
            text, is_plain, _ = self.content.line(f.k, n)
            parts.append(text)
            plain += is_plain
        data = ("\n".join(parts) + "\n").encode()
        self.m.record(f.k, first, count, gen, phase, offset)
        self.m.plain_lines += plain
        self.m.json_lines += count - plain
        f.next_seq += count
        self.assigned += count
        return data

    def _write_all(self, fd: int, data: bytes) -> None:
        view = memoryview(data)
        while view:
            n = os.write(fd, view)
            view = view[n:]

    def _flush_pending(self, f: FileW) -> None:
        if f.pending:
            self._write_all(f.fd, f.pending)
            f.pending = b""
            f.complete = f.next_seq - 1

    def flush_all_pending(self) -> None:
        for f in self.files:
            self._flush_pending(f)

    def _write_live(self, f: FileW, count: int, allow_split: bool = True) -> None:
        data = self._assign(f, count, f.gen, Manifest.PHASE_LIVE, f.offset)
        f.offset += len(data)
        buf = f.pending + data
        last_nl = buf.rfind(b"\n", 0, len(buf) - 1)   # end of the line before the last one
        last_start = last_nl + 1
        if allow_split and self.rng.random() < self.cfg.split_ratio and len(buf) - last_start > 2:
            lo = max(last_start, len(f.pending)) + 1
            cut = self.rng.randrange(lo, len(buf) - 1) if lo < len(buf) - 1 else len(buf) - 1
            self._write_all(f.fd, buf[:cut])
            f.pending = buf[cut:]
            f.complete = f.next_seq - 2
        else:
            self._write_all(f.fd, buf)
            f.pending = b""
            f.complete = f.next_seq - 1

    # ---- the loop
    def run(self) -> None:
        try:
            self._run()
        except BaseException as e:  # noqa: BLE001 - reported by the main thread
            self.error = e
            self.tl.add("error", f"writer failed: {e!r}\n{traceback.format_exc()}")
        finally:
            try:
                self.flush_all_pending()
            except OSError:
                pass
            for f in self.files:
                if f.fd >= 0:
                    os.close(f.fd)
                    f.fd = -1
            self.t_end = time.monotonic()
            with self.coord.cv:
                self.coord.writer_done = True
                self.coord.cv.notify_all()

    def _pause_point(self) -> None:
        with self.coord.cv:
            if self.coord.pause_requests <= 0:
                return
            self.flush_all_pending()
            self.coord.writer_paused = True
            self.coord.cv.notify_all()
            while self.coord.pause_requests > 0 and not self.coord.stop.is_set():
                self.coord.cv.wait(0.5)
            self.coord.writer_paused = False
        self._reset_pace()

    def _reset_pace(self) -> None:
        self._pace_t = time.monotonic()
        self._pace_n = 0

    def _run(self) -> None:
        cfg = self.cfg
        self.t_start = time.monotonic()
        self._reset_pace()
        while self.assigned < cfg.lines and not self.coord.stop.is_set():
            self._pause_point()
            f = self.files[self.rng.randrange(cfg.files)]
            count = min(self.rng.randint(1, cfg.max_batch), cfg.lines - self.assigned)
            self._write_live(f, count)
            if self.methods and f.gen.lines >= f.threshold and self.remaining() > 0:
                if cfg.no_sync:
                    self._rotate(f)
                elif f.next_method == "rename" and not self._gen_seen(f):
                    pass                # sluice has not opened this generation yet: not now
                elif self.coord.rotation_lock.acquire(blocking=False):
                    try:
                        self._rotate(f)
                    finally:
                        self.coord.rotation_lock.release()
                elif not f.deferred:
                    f.deferred = True   # sluice is down or settling: rotate later
                    self.rotations_skipped += 1
            if cfg.rate > 0:
                self._pace_n += count
                ahead = self._pace_n / cfg.rate - (time.monotonic() - self._pace_t)
                if ahead > 0:
                    time.sleep(ahead)
                elif ahead < -0.5:
                    self._reset_pace()
        self.flush_all_pending()

    def _gen_seen(self, f: FileW) -> bool:
        """Has sluice indexed a line of the current generation, i.e. does it have the file
        open? A generation renamed out of the glob before sluice ever opened it cannot be
        read by any shipper; with rotations seconds apart that is an artefact of the test."""
        g = f.gen
        if g.seen:
            return True
        now = time.monotonic()
        if now < g.next_probe:
            return False
        g.next_probe = now + 0.25
        try:
            n = self.syncer.os.count_query(self.cfg.index, {"bool": {"filter": [
                {"term": {"file": f.k}}, {"range": {"seq": {"gte": g.probe_seq}}}]}})
        except Exception:  # noqa: BLE001 - OpenSearch busy: ask again later
            return False
        if n > 0:
            g.seen = True
        elif not f.deferred:
            f.deferred = True
            self.rotations_skipped += 1
        return g.seen

    # ---- rotation
    def _dispose_dot1(self, f: FileW) -> str:
        """logrotate's older generation: app-K.log.1 is deleted or gzipped (to .2.gz)."""
        dot1 = Path(str(f.path) + ".1")
        if not dot1.exists():
            return ""
        what = f.dot1 or "?"
        if self.rng.random() < 0.5:
            dot1.unlink()
            action = f"deleted .1 ({what})"
        else:
            gz = Path(str(f.path) + ".2.gz")
            with open(dot1, "rb") as src, gzip.open(gz, "wb", compresslevel=1) as dst:
                shutil.copyfileobj(src, dst, 1 << 20)
            dot1.unlink()
            action = f"gzipped .1 ({what}) to .2.gz"
        f.dot1 = None
        return action

    def _rotate(self, f: FileW) -> None:
        method = f.next_method
        f.deferred = False
        if len(self.methods) == 2:
            f.next_method = "copytruncate" if method == "rename" else "rename"
        self._flush_pending(f)
        if method == "rename":
            self._rotate_rename(f)
        else:
            self._rotate_copytruncate(f)
        f.threshold = self._threshold()
        self.rotations[method] += 1

    def _sync_state(self) -> str:
        if self.cfg.no_sync:
            return "no-sync mode"
        last = self.coord.last_settle
        if last is None or last["ok"]:
            return "renamed while sluice was up and settled"
        return f"renamed while sluice was up, its settle NOT proven ({last['outcome']})"

    def _rotate_rename(self, f: FileW) -> None:
        old = f.gen
        old_fd, old_offset = f.fd, f.offset
        disposed = self._dispose_dot1(f)
        if disposed:
            self._note_disposal(f, disposed)
        now = self.tl.now()
        os.rename(f.path, str(f.path) + ".1")
        f.dot1 = f"gen {old.no}"
        old.t_end = now
        old.ended = "renamed to .1"
        old.synced_at_rotation = self._sync_state()
        # The application has not reopened yet: a few lines go to the renamed file.
        before = min(self.rng.randint(0, 20), self.remaining())
        if before:
            data = self._assign(f, before, old, Manifest.PHASE_OLD_FD, old_offset)
            old_offset += len(data)
            self._write_all(old_fd, data)
            f.complete = f.next_seq - 1
        # A new file appears at the path; for a moment both descriptors are written
        # (threads that have reopened and threads that have not).
        f.fd = os.open(f.path, os.O_WRONLY | os.O_CREAT | os.O_APPEND | os.O_EXCL, 0o644)
        new = Gen(f.k, old.no + 1, "new file after rename+create", os.fstat(f.fd).st_ino, now)
        self.m.new_gen(new)
        f.gen = new
        f.offset = 0
        interleaved = min(self.rng.randint(0, 40), self.remaining())
        window = self.rng.uniform(0, 0.1)
        old_fd_lines = before
        for i in range(interleaved):
            if self.rng.random() < 0.5:
                data = self._assign(f, 1, old, Manifest.PHASE_OLD_FD, old_offset)
                old_offset += len(data)
                self._write_all(old_fd, data)
                old_fd_lines += 1
            else:
                data = self._assign(f, 1, new, Manifest.PHASE_LIVE, f.offset)
                f.offset += len(data)
                self._write_all(f.fd, data)
            f.complete = f.next_seq - 1
            if window and i % 10 == 9:
                time.sleep(window / 4)
        os.close(old_fd)
        new.probe_seq = f.next_seq
        with self.coord.cv:
            self.coord.at_risk.add((f.k, old.no))
        self.tl.add("rotate", f"app-{f.k}.log rename+create: gen {old.no} -> .1 "
                    f"(inode {old.inode}, {old.lines} lines, {old_fd_lines} through the old fd "
                    f"after the rename), gen {new.no} created (inode {new.inode})"
                    + (f"; {disposed}" if disposed else ""), loud=False,
                    file=f.k, gen=old.no, method="rename")

    def _rotate_copytruncate(self, f: FileW) -> None:
        old = f.gen
        sync = ""
        if not self.cfg.no_sync:
            # Lines not read before the truncation survive only in the excluded copy:
            # wait until everything written so far is indexed.
            self.flush_all_pending()
            q = self.syncer.quiesce(f"before copytruncate of app-{f.k}.log gen {old.no}")
            sync = f"quiesce before copytruncate: {q['outcome']}"
        else:
            sync = self._sync_state()
        disposed = self._dispose_dot1(f)
        if disposed:
            self._note_disposal(f, disposed)
        size_before = f.offset
        shutil.copyfile(f.path, str(f.path) + ".1")
        f.dot1 = f"copy of gen {old.no}"
        now = self.tl.now()
        os.ftruncate(f.fd, 0)
        old.t_end = now
        old.ended = "copytruncated (copy at .1)"
        old.synced_at_rotation = sync
        new = Gen(f.k, old.no + 1, "same inode after copytruncate", old.inode, now,
                  probe_seq=f.next_seq)
        self.m.new_gen(new)
        f.gen = new
        f.offset = 0
        burst = ""
        if self.rng.random() < 0.5 and self.remaining() > 0:
            # Grow the file past the old size in one write, before sluice can look:
            # only a fingerprint of the first bytes can tell it is new content.
            n = 0
            size = 0
            while size <= size_before + 64 and n < 100000:
                size += len(self.content.line(f.k, f.next_seq + n)[0].encode()) + 1
                n += 1
            n = min(n, self.remaining())
            if n > 0:
                data = self._assign(f, n, new, Manifest.PHASE_LIVE, 0)
                f.offset = len(data)
                self._write_all(f.fd, data)
                f.complete = f.next_seq - 1
                burst = f"; {n} lines ({len(data)} bytes, old size {size_before}) written at once"
        self.tl.add("rotate", f"app-{f.k}.log copytruncate: gen {old.no} ({old.lines} lines, "
                    f"{size_before} bytes) copied to .1 and truncated, gen {new.no} starts in "
                    f"inode {new.inode}{burst}" + (f"; {disposed}" if disposed else "")
                    + f"; {sync}", loud=False, file=f.k, gen=old.no, method="copytruncate")

    def _note_disposal(self, f: FileW, action: str) -> None:
        m = re.search(r"\((?:copy of )?gen (\d+)\)", action)
        if m:
            g = self.m.gen(f.k, int(m.group(1)))
            g.notes.append(f"{action.split(' (')[0]} at {self.tl.now():.2f}s")


# --------------------------------------------------------------------------- quiesce


class Syncer:
    """Waits until OpenSearch holds as many documents as complete lines were written
    (the writer is paused), giving up when the count stops moving."""

    def __init__(self, cfg: "Config", os_: OpenSearch, writer_ref: Callable[[], Writer],
                 sluice_ref: Callable[[], SluiceProc | None], timeline: Timeline, coord: Coordinator):
        self.cfg = cfg
        self.os = os_
        self.writer_ref = writer_ref
        self.sluice_ref = sluice_ref
        self.tl = timeline
        self.coord = coord
        self.results: list[dict] = []

    def wait_caught_up(self, expected_fn: Callable[[], int], stall: float, deadline: float,
                       settle: float = 0.0) -> dict:
        t0 = time.monotonic()
        last_count, last_change, idle_streak = -1, t0, 0
        matched_at = None
        count = -1
        while True:
            now = time.monotonic()
            try:
                count = self.os.count(self.cfg.index)
            except Exception:  # noqa: BLE001 - OpenSearch busy: not yet
                count = last_count
            expected = expected_fn()
            if count != last_count:
                last_count, last_change, idle_streak = count, now, 0
            if count == expected:
                matched_at = matched_at or now
                if now - matched_at >= settle:
                    return {"ok": True, "outcome": "ok", "count": count,
                            "expected": expected, "secs": round(now - t0, 2)}
            else:
                # Below: not there yet. Above: duplicates, so the count proves nothing; wait
                # until sluice is done anyway.
                matched_at = None
                unchanged = now - last_change
                s = self.sluice_ref()
                if unchanged >= 1.5 and s is not None and s.running() and s.idle():
                    idle_streak += 1
                else:
                    idle_streak = 0
                if idle_streak >= 3 or unchanged >= stall:
                    why = "sluice idle" if idle_streak >= 3 else f"unchanged for {stall:.0f}s"
                    what = (f"stalled at {count} of {expected}" if count < expected else
                            f"count {count} exceeds {expected} written (duplicates: delivery not provable)")
                    return {"ok": False, "outcome": f"{what} ({why})",
                            "count": count, "expected": expected, "secs": round(now - t0, 2)}
            if now - t0 >= deadline:
                return {"ok": False, "outcome": f"deadline: {count} of {expected} after {deadline:.0f}s",
                        "count": count, "expected": expected, "secs": round(now - t0, 2)}
            if self.coord.stop.is_set():
                return {"ok": False, "outcome": "interrupted", "count": count,
                        "expected": expected, "secs": round(now - t0, 2)}
            time.sleep(0.15 if now - t0 < 3 else 0.5)   # each poll refreshes the index

    def quiesce(self, why: str) -> dict:
        """Call with the writer paused (or from the writer thread itself)."""
        w = self.writer_ref()
        with self.coord.cv:
            risk = set(self.coord.at_risk)
        res = self.wait_caught_up(lambda: w.complete_total, self.cfg.stall, self.cfg.quiesce_timeout)
        if res["ok"]:
            with self.coord.cv:
                self.coord.at_risk -= risk
        res["why"] = why
        self.results.append(res)
        self.tl.add("quiesce", f"{why}: {res['outcome']} in {res['secs']}s", loud=not res["ok"])
        return res


# --------------------------------------------------------------------------- config / result


@dataclass
class Config:
    lines: int
    files: int
    kills: int
    rate: float
    seed: int
    keep: bool
    plain_ratio: float
    rotate_every: int
    rotation: str
    max_batch: int
    split_ratio: float
    downtime: float
    stall: float
    quiesce_timeout: float
    catchup_timeout: float
    final_stall: float
    no_sync: bool
    opensearch: str
    index: str
    workdir: str
    verbose: bool
    inject_faults: bool = False
    run_dir: Path = Path()
    logs_dir: Path = Path()
    binary: Path = Path()


@dataclass
class Result:
    ok: bool
    exit_code: int
    report: dict
    text: str
    run_dir: Path | None


class _HelpFormatter(argparse.ArgumentDefaultsHelpFormatter):
    def _get_help_string(self, action):
        if action.default in (None, False, "") or "default" in (action.help or ""):
            return action.help
        return super()._get_help_string(action)


def parse_args(argv: list[str] | None) -> Config:
    p = argparse.ArgumentParser(
        description="Torture test: lines written to rotating files while sluice is killed and "
                    "restarted must all be in OpenSearch exactly once.",
        formatter_class=_HelpFormatter)
    p.add_argument("--lines", type=int, default=200_000, help="total lines written (all files)")
    p.add_argument("--files", type=int, default=4, help="files app-0.log ... written in parallel")
    p.add_argument("--kills", type=int, default=3, help="SIGKILL + restart of sluice, at random moments")
    p.add_argument("--rate", type=float, default=10000,
                   help="lines per second, all files together (0: as fast as possible)")
    p.add_argument("--seed", type=int, default=None, help="random seed (default: a random one, printed)")
    p.add_argument("--keep", action="store_true", help="keep the temp dir (logs, sluice stderr, "
                   "OpenSearch data) and the index")
    p.add_argument("--plain-ratio", type=float, default=0.1, help="share of plain-text lines")
    p.add_argument("--rotate-every", type=int, default=0,
                   help="lines per file between rotations, +-50%% (0: lines/files/6, in 500..50000)")
    p.add_argument("--rotation", choices=["both", "rename", "copytruncate", "none"], default="both",
                   help="rotation methods (both: alternate per file)")
    p.add_argument("--max-batch", type=int, default=64, help="most lines in one write")
    p.add_argument("--split-ratio", type=float, default=0.05,
                   help="share of writes that end in the middle of a line (finished by the next write)")
    p.add_argument("--downtime", type=float, default=1.5, help="longest time sluice stays down per kill (s)")
    p.add_argument("--stall", type=float, default=10, help="a wait for sluice to catch up gives up "
                   "when the count has not moved for this long (s)")
    p.add_argument("--quiesce-timeout", type=float, default=120, help="longest wait for one catch-up (s)")
    p.add_argument("--catchup-timeout", type=float, default=0,
                   help="deadline of the final catch-up (s; 0: 120 + lines/2000)")
    p.add_argument("--final-stall", type=float, default=30,
                   help="the final catch-up gives up when the count has not moved for this long (s)")
    p.add_argument("--no-sync", action="store_true",
                   help="rotate and kill without waiting for sluice (losses in rotated generations "
                        "may then be unavoidable; see README)")
    p.add_argument("--opensearch", default="", help="URL of a running OpenSearch to use "
                   "(empty: start one with tests/servers/opensearch)")
    p.add_argument("--index", default="", help="index name (empty: torture-<seed>-<random>)")
    p.add_argument("--workdir", default="", help="parent of the run directory (empty: the system temp dir)")
    p.add_argument("-v", "--verbose", action="store_true", help="print every rotation as it happens")
    p.add_argument("--inject-faults", action="store_true",
                   help="self-check of the harness: before verifying, delete 3 documents (one a plain "
                        "line), add 2 duplicates, 1 corrupted and 1 unrecognized document; the run "
                        "must then FAIL with exactly those findings")
    a = p.parse_args(argv)
    if a.files < 1 or a.lines < 1 or a.kills < 0 or a.max_batch < 1:
        p.error("--files and --lines must be >= 1, --kills >= 0, --max-batch >= 1")
    seed = a.seed if a.seed is not None else random.SystemRandom().randrange(1, 2**31)
    rotate_every = a.rotate_every or min(50_000, max(500, a.lines // a.files // 6))
    index = a.index or f"torture-{seed}-{random.SystemRandom().getrandbits(24):06x}"
    return Config(lines=a.lines, files=a.files, kills=a.kills, rate=a.rate, seed=seed, keep=a.keep,
                  plain_ratio=a.plain_ratio, rotate_every=rotate_every,
                  rotation=a.rotation if a.rotation != "none" else "none", max_batch=a.max_batch,
                  split_ratio=a.split_ratio, downtime=a.downtime, stall=a.stall,
                  quiesce_timeout=a.quiesce_timeout,
                  catchup_timeout=a.catchup_timeout or 120 + a.lines / 2000,
                  final_stall=a.final_stall, no_sync=a.no_sync, opensearch=a.opensearch,
                  index=index.lower(), workdir=a.workdir, verbose=a.verbose,
                  inject_faults=a.inject_faults)


def sluice_config(cfg: Config, os_url: str) -> str:
    logs = cfg.logs_dir
    return f"""# written by tests/torture/torture.py (seed {cfg.seed})
inputs:
  - id: torture
    type: file
    paths: [{json.dumps(str(logs / "app-*.log"))}]
    exclude: ["*.1", "*.gz", "*.log.*"]
    start_at: beginning
outputs:
  - id: es
    type: elasticsearch
    hosts: [{json.dumps(os_url)}]
    index: {json.dumps(cfg.index)}
    flush: {{events: 5000, bytes: 5MiB, interval: 250ms}}
http: {{listen: "127.0.0.1:0"}}
state_dir: {json.dumps(str(cfg.run_dir / "state"))}
"""


# --------------------------------------------------------------------------- the run


class Torture:
    def __init__(self, cfg: Config, out: Callable[[str], None]):
        self.cfg = cfg
        self.out = out
        self.t0 = time.monotonic()
        self.tl = Timeline(cfg.run_dir / "timeline.log", self.t0, out, cfg.verbose)
        self.coord = Coordinator()
        self.content = Content(cfg.seed, cfg.plain_ratio)
        self.manifest = Manifest(cfg.files)
        self.sluice: SluiceProc | None = None
        self.instances: list[SluiceProc] = []
        self.kills: list[dict] = []
        self.unexpected_exits: list[dict] = []
        self.os: OpenSearch | None = None
        self.writer: Writer | None = None
        self.syncer: Syncer | None = None
        self.config_path = cfg.run_dir / "sluice.yml"
        self.rng = random.Random(f"killer:{cfg.seed}")
        self.timings: dict[str, float] = {}
        self.injected: dict | None = None

    # ---- sluice lifecycle
    def start_sluice(self, why: str) -> SluiceProc:
        s = SluiceProc(self.cfg.binary, self.config_path, self.cfg.run_dir, len(self.instances) + 1)
        self.instances.append(s)
        self.sluice = s
        self.tl.add("start", f"sluice #{s.number} (pid {s.pid}) {why}")
        return s

    def check_alive(self) -> None:
        """Restart sluice when it ended without being killed by us (a failure of the run)."""
        s = self.sluice
        if s is None or s.running() or s.killed_by_us:
            return
        rc = s.proc.returncode
        tail = s.stderr_tail(20)
        self.unexpected_exits.append({"instance": s.number, "t": round(self.tl.now(), 3),
                                      "returncode": rc, "stderr_tail": tail})
        self.tl.add("crash", f"sluice #{s.number} exited by itself with status {rc}; stderr tail:\n{tail}")
        with self.coord.rotation_lock:
            self.start_sluice("after an unexpected exit")
            self.settle()

    def settle(self) -> None:
        """After a (re)start: once every file got new lines, wait until everything written is
        indexed; this proves the new instance tails the current generation of every file
        before any rotation may move it out of the glob."""
        w = self.writer
        if self.cfg.no_sync or w is None:
            return
        base = w.per_file_complete()
        t_end = time.monotonic() + 30
        while not self.coord.writer_done and time.monotonic() < t_end:
            cur = w.per_file_complete()
            if all(c > b for c, b in zip(cur, base)):
                break
            time.sleep(0.02)
        with self.coord.paused_writer():
            self.coord.last_settle = self.syncer.quiesce(f"settle of sluice #{self.sluice.number}")

    def kill_once(self, no: int) -> None:
        with self.coord.rotation_lock:     # no rotation from here to the end of the settle
            with self.coord.cv:
                risk = sorted(self.coord.at_risk)
            proven = not risk
            if risk and not self.cfg.no_sync:
                # Lines of renamed generations are only in excluded files now: they must be
                # delivered before sluice loses its descriptors.
                with self.coord.paused_writer():
                    q = self.syncer.quiesce(f"before kill #{no} ({len(risk)} renamed generation(s) "
                                            "to deliver first)")
                proven = q["ok"]
            time.sleep(self.rng.uniform(0, 0.3))   # writer running: the kill lands mid-stream
            s = self.sluice
            written = self.writer.complete_total
            alive = s.running()
            s.kill()
            ev = self.tl.add("kill", f"#{no}: SIGKILL sluice #{s.number} (pid {s.pid}) with "
                             f"{written} lines written" + ("" if alive else " (it had already exited)"))
            self.kills.append({"no": no, "t": ev["t"], "instance": s.number, "written": written,
                               "renamed_gens_unproven": [] if proven else risk})
            if not alive:
                self.unexpected_exits.append({"instance": s.number, "t": ev["t"],
                                              "returncode": s.proc.returncode,
                                              "stderr_tail": s.stderr_tail(20)})
            time.sleep(self.rng.uniform(0.1, max(0.1, self.cfg.downtime)))
            self.start_sluice(f"restarted after kill #{no}")
            self.settle()

    def run(self) -> dict:
        cfg = self.cfg
        if cfg.opensearch:
            self.os = OpenSearch(cfg.opensearch)
        else:
            self.tl.add("opensearch", "starting OpenSearch with tests/servers/opensearch")
            self.os = start_opensearch(cfg.run_dir / "opensearch")
            self.tl.add("opensearch", f"up at {self.os.url}")
        self.timings["opensearch_ready"] = self.tl.now()
        status, health = http(self.os.url + "/_cluster/health")
        if status != 200:
            raise HarnessError(f"OpenSearch at {self.os.url} answered {status}: {health}")
        self.os.create_index(cfg.index)
        self.config_path.write_text(sluice_config(cfg, self.os.url))
        v = subprocess.run([str(cfg.binary), "validate", "-c", str(self.config_path)],
                           capture_output=True, text=True, timeout=60)
        if v.returncode != 0:
            raise HarnessError(f"sluice validate rejected the config:\n{v.stdout}{v.stderr}")

        self.syncer = Syncer(cfg, self.os, lambda: self.writer, lambda: self.sluice, self.tl, self.coord)
        self.writer = Writer(cfg, self.content, self.manifest, self.coord, self.tl, self.syncer)
        self.writer.open_initial()
        kill_points = sorted(int(cfg.lines * self.rng.uniform(0.05, 0.9)) for _ in range(cfg.kills))

        progress = threading.Thread(target=self._progress, daemon=True)
        with self.coord.rotation_lock:
            self.writer.start()
            self.start_sluice("first start")
            progress.start()
            self.settle()
        for i, point in enumerate(kill_points, 1):
            # Up for a while first, so that rotations happen between kills.
            up_until = time.monotonic() + self.rng.uniform(0.5, 2.0)
            while ((self.writer.complete_total < point and not self.coord.writer_done)
                   or time.monotonic() < up_until):
                self.check_alive()
                time.sleep(0.02)
            self.check_alive()
            self.kill_once(i)
        while self.writer.is_alive():
            self.check_alive()
            self.writer.join(0.1)
        if self.writer.error:
            raise HarnessError(f"the writer failed: {self.writer.error!r}")
        self.timings["writing"] = (self.writer.t_end - self.writer.t_start)
        written = self.writer.complete_total
        self.tl.add("written", f"writer done: {written} lines in {self.timings['writing']:.1f}s, "
                    f"{sum(self.writer.rotations.values())} rotations")

        # Final catch-up.
        self.check_alive()
        t_c0 = self.tl.now()
        res = self.syncer.wait_caught_up(lambda: written, cfg.final_stall, cfg.catchup_timeout,
                                         settle=2.0)
        self.check_alive()
        self.timings["catchup"] = self.tl.now() - t_c0
        self.timings["indexed_at"] = self.tl.now()
        self.tl.add("catch-up", f"final: {res['outcome']} after {res['secs']}s")
        last = self.sluice
        m = last.metrics() or last.last_metrics
        rc = last.terminate(timeout=60)
        self.tl.add("stop", f"sluice #{last.number} stopped with SIGTERM: "
                    + ("had to be killed after 60s" if rc is None else f"exit status {rc}"))
        self.coord.stop.set()

        if cfg.inject_faults:
            self.injected = self.inject_faults()
        t_v0 = self.tl.now()
        verification = self.verify(written)
        self.timings["verification"] = self.tl.now() - t_v0
        self.timings["elapsed"] = self.tl.now()
        return self.build_report(written, res, verification, rc, m)

    def _progress(self) -> None:
        last_t, last_n = time.monotonic(), 0
        while not self.coord.stop.wait(5.0):
            w = self.writer
            if w is None:
                continue
            try:
                c = self.os.count(self.cfg.index, refresh=False)
            except Exception:  # noqa: BLE001
                c = -1
            now = time.monotonic()
            n = w.complete_total
            rate = (n - last_n) / max(1e-6, now - last_t)
            last_t, last_n = now, n
            self.out(f"[{self.tl.now():9.3f}s] progress     written {n}/{self.cfg.lines} "
                     f"({rate:,.0f}/s), indexed ~{c}, rotations {sum(w.rotations.values())}, "
                     f"kills {len(self.kills)}/{self.cfg.kills}")

    # ---- harness self-check
    def inject_faults(self) -> dict:
        """Damage the index on purpose (see --inject-faults) and say what was done."""
        rng = random.Random(f"faults:{self.cfg.seed}")
        idx = self.cfg.index
        written = [f.complete for f in self.writer.files]

        def pick(plain: bool) -> tuple[int, int]:
            while True:
                k = rng.randrange(self.cfg.files)
                if written[k] == 0:
                    continue
                n = rng.randint(1, written[k])
                if self.content.line(k, n)[1] == plain:
                    return k, n

        def query(k: int, n: int) -> dict:
            text, plain, _ = self.content.line(k, n)
            if plain:
                return {"match_phrase": {"log.message": f"torture plain {k}/{n}"}}
            return {"bool": {"filter": [{"term": {"file": k}}, {"term": {"seq": n}}]}}

        chosen: set[tuple[int, int]] = set()

        def fresh(plain: bool) -> tuple[tuple[int, int], str, dict]:
            """A line not chosen yet that has exactly one document: (key, _id, _source)."""
            for _ in range(200):
                key = pick(plain)
                if key in chosen:
                    continue
                res = self.os.ok("POST", f"/{idx}/_search", {"query": query(*key), "size": 2})
                hits = res["hits"]["hits"]
                if len(hits) == 1 and hits[0]["_source"].get("log", {}).get("message") == \
                        self.content.line(*key)[2]:
                    chosen.add(key)
                    return key, hits[0]["_id"], hits[0]["_source"]
            raise HarnessError("--inject-faults: found no line with exactly one document")

        deleted = []
        for plain in (False, False, True):
            key, _id, _ = fresh(plain)
            self.os.ok("DELETE", f"/{idx}/_doc/{urllib.parse.quote(_id, safe='')}")
            deleted.append(key)
        duplicated = []
        for plain in (False, True):
            key, _, src = fresh(plain)
            self.os.ok("POST", f"/{idx}/_doc", src)
            duplicated.append(key)
        corrupted, _, src = fresh(False)
        src = json.loads(json.dumps(src))
        src["log"]["message"] = src["log"]["message"][:-3] + "XYZ"
        self.os.ok("POST", f"/{idx}/_doc", src)
        self.os.ok("POST", f"/{idx}/_doc", {"log": {"message": "not a line the writer wrote"}})
        self.os.ok("POST", f"/{idx}/_refresh")
        injected = {"deleted": deleted, "duplicated": duplicated, "corrupted": [corrupted],
                    "unrecognized": 1}
        self.tl.add("inject", f"faults injected: {injected}")
        return injected

    # ---- verification
    def verify(self, written_total: int) -> dict:
        cfg = self.cfg
        files = cfg.files
        written = [f.complete for f in self.writer.files]
        counts = [bytearray(n + 1) for n in written]
        for c in counts:
            c[0] = 1
        docs = 0
        unrecognized: list[dict] = []
        corrupt: list[dict] = []
        phantom: list[dict] = []
        n_unrec = n_corrupt = n_phantom = 0
        source = ["seq", "file", "log.message", "message", "log.offset", "log.file.path", "tags"]
        content = self.content
        for _id, src in self.os.scroll(cfg.index, source, with_id=True):
            docs += 1
            log = src.get("log") if isinstance(src.get("log"), dict) else {}
            msg = log.get("message")
            if msg is None:
                msg = src.get("message")
            if msg is None:
                msg = src.get("log.message")
            key_f = None
            if "seq" in src and "file" in src:
                try:
                    key_f = (int(src["file"]), int(src["seq"]))
                except (TypeError, ValueError):
                    key_f = None
            key_m = None
            if isinstance(msg, str):
                mm = KEY_RE.search(msg)
                if mm:
                    key_m = (int(mm.group(1)), int(mm.group(2)))
            info = lambda: {"_id": _id, "message": (msg[:200] if isinstance(msg, str) else msg),  # noqa: E731
                            "offset": log.get("offset"), "path": (log.get("file") or {}).get("path")
                            if isinstance(log.get("file"), dict) else src.get("log.file.path"),
                            "fields": key_f}
            key = key_f or key_m
            if key is None:
                n_unrec += 1
                if len(unrecognized) < 10:
                    unrecognized.append(info())
                continue
            k, n = key
            if key_f and key_m and key_f != key_m:
                n_corrupt += 1
                if len(corrupt) < 10:
                    corrupt.append({**info(), "why": f"fields say {key_f}, message says {key_m}"})
                continue
            if not (0 <= k < files) or not (1 <= n <= written[k]):
                n_phantom += 1
                if len(phantom) < 10:
                    phantom.append(info())
                continue
            expected = content.line(k, n)[2]
            if msg != expected:
                n_corrupt += 1
                if len(corrupt) < 10:
                    corrupt.append({**info(), "key": key, "expected": expected[:200],
                                    "why": "message differs from the line written"})
                continue
            c = counts[k]
            if c[n] < 255:
                c[n] += 1

        dup_map = bytes([0, 1] + [2] * 254)
        missing: list[list[int]] = []
        dups: list[list[tuple[int, int]]] = []
        for k in range(files):
            c = counts[k]
            miss = []
            i = c.find(0)
            while i != -1:
                miss.append(i)
                i = c.find(0, i + 1)
            missing.append(miss)
            t = c.translate(dup_map)
            d = []
            i = t.find(2)
            while i != -1:
                d.append((i, c[i]))
                i = t.find(2, i + 1)
            dups.append(d)

        dup_examples: dict[tuple[int, int], list[dict]] = {}
        want = [(k, n) for k in range(files) for n, _ in dups[k][:3]][:10]
        if want:
            wanted = set(want)
            for _id, src in self.os.scroll(cfg.index, source, with_id=True):
                log = src.get("log") if isinstance(src.get("log"), dict) else {}
                msg = log.get("message", src.get("message"))
                key = None
                if "seq" in src and "file" in src:
                    key = (int(src["file"]), int(src["seq"]))
                elif isinstance(msg, str) and KEY_RE.search(msg):
                    mm = KEY_RE.search(msg)
                    key = (int(mm.group(1)), int(mm.group(2)))
                if key in wanted:
                    fpath = (log.get("file") or {}).get("path") if isinstance(log.get("file"), dict) else None
                    dup_examples.setdefault(key, []).append(
                        {"_id": _id, "offset": log.get("offset"), "path": fpath})
        return {"docs": docs, "written": written, "missing": missing, "dups": dups,
                "unrecognized": (n_unrec, unrecognized), "corrupt": (n_corrupt, corrupt),
                "phantom": (n_phantom, phantom), "dup_examples": dup_examples}

    # ---- report
    def _groups(self, k: int, seqs: list[int]) -> list[dict]:
        """Consecutive seqs in the same (generation, phase) run -> ranges."""
        groups: dict[tuple[int, str], dict] = {}
        prev_run, prev_seq = None, None
        for s in seqs:
            run, g, phase, off = self.manifest.locate(k, s)
            grp = groups.setdefault((g, phase), {"file": k, "gen": g, "phase": phase, "count": 0,
                                                 "ranges": []})
            grp["count"] += 1
            if prev_run == run and prev_seq == s - 1 and grp["ranges"]:
                grp["ranges"][-1][1] = s
            else:
                grp["ranges"].append([s, s])
            prev_run, prev_seq = run, s
        out = list(groups.values())
        for grp in out:
            gen = self.manifest.gen(k, grp["gen"])
            first, last = grp["ranges"][0][0], grp["ranges"][-1][1]
            where = []
            if first == gen.first_seq:
                where.append("from the generation's first line")
            if last == gen.last_seq:
                where.append("up to its last line")
            grp["where"] = ", ".join(where) or "inside the generation"
            grp["offset_of_first"] = self._offset(k, first)
            grp["gen_desc"] = gen.describe()
            lo, hi = gen.t_start, (gen.t_end if gen.t_end is not None else 1e18) + 1.0
            grp["kills_during"] = [f"#{kl['no']} at {kl['t']:.2f}s" for kl in self.kills
                                   if lo <= kl["t"] <= hi]
            grp["unproven_renamed_gen_at_kill"] = [kl["no"] for kl in self.kills
                                                   if [k, grp["gen"]] in [list(x) for x in
                                                                          kl["renamed_gens_unproven"]]]
        return sorted(out, key=lambda g: (g["gen"], g["phase"]))

    def _offset(self, k: int, seq: int) -> int:
        run, g, phase, off = self.manifest.locate(k, seq)
        start = self.manifest.run_first[k][run]
        for n in range(start, seq):
            off += len(self.content.line(k, n)[0].encode()) + 1
        return off

    @staticmethod
    def _ranges_text(ranges: list[list[int]], limit: int = 8) -> str:
        parts = [f"{a}" if a == b else f"{a}-{b}" for a, b in ranges[:limit]]
        more = f" ... (+{len(ranges) - limit} ranges)" if len(ranges) > limit else ""
        return ", ".join(parts) + more

    def build_report(self, written: int, catchup: dict, v: dict, stop_rc: int | None,
                     metrics: dict | None) -> dict:
        cfg = self.cfg
        w = self.writer
        missing_total = sum(len(x) for x in v["missing"])
        dup_keys = sum(len(x) for x in v["dups"])
        dup_extra = sum(c - 1 for x in v["dups"] for _, c in x)
        n_unrec, ex_unrec = v["unrecognized"]
        n_corrupt, ex_corrupt = v["corrupt"]
        n_phantom, ex_phantom = v["phantom"]
        missing_groups = [g for k in range(cfg.files) for g in self._groups(k, v["missing"][k])]
        dup_groups = [g for k in range(cfg.files) for g in self._groups(k, [n for n, _ in v["dups"][k]])]
        quiesces = self.syncer.results
        ok = (missing_total == 0 and dup_keys == 0 and n_unrec == 0 and n_corrupt == 0
              and n_phantom == 0 and v["docs"] == written and not self.unexpected_exits)
        t = self.timings
        return {
            "ok": ok, "seed": cfg.seed, "index": cfg.index, "run_dir": str(cfg.run_dir),
            "binary": str(cfg.binary),
            "lines_written": written, "json_lines": self.manifest.json_lines,
            "plain_lines": self.manifest.plain_lines,
            "per_file_written": v["written"], "documents": v["docs"],
            "missing": missing_total, "duplicated_keys": dup_keys, "duplicate_extra_docs": dup_extra,
            "unrecognized": n_unrec, "corrupt": n_corrupt, "phantom": n_phantom,
            "examples": {"unrecognized": ex_unrec, "corrupt": ex_corrupt, "phantom": ex_phantom,
                         "duplicates": {f"{k}/{n}": docs for (k, n), docs in v["dup_examples"].items()}},
            "missing_groups": missing_groups, "duplicate_groups": dup_groups,
            "rotations": dict(w.rotations), "rotations_deferred": w.rotations_skipped,
            "kills": self.kills, "unexpected_exits": self.unexpected_exits,
            "instances": len(self.instances), "final_catchup": catchup, "stop_status": stop_rc,
            "quiesces": {"total": len(quiesces), "not_ok": [q for q in quiesces if not q["ok"]]},
            "timings": {k2: round(v2, 2) for k2, v2 in t.items()},
            "throughput": {
                "written_lines_per_s": round(written / t["writing"], 1) if t.get("writing") else None,
                "indexed_docs_per_s": round(v["docs"] / max(1e-6, t["indexed_at"] - t["opensearch_ready"]), 1),
            },
            "last_instance_metrics": {k2: v2 for k2, v2 in (metrics or {}).items()
                                      if k2.startswith(("sluice_events", "sluice_file", "sluice_bytes_read",
                                                        "sluice_files_open", "sluice_input_lag"))},
            "gens": [g.describe() for k in range(cfg.files) for g in self.manifest.gens[k]],
            "no_sync": cfg.no_sync,
            "injected_faults": self.injected,
        }


def format_report(r: dict, timeline: list[dict] | None = None) -> str:
    L: list[str] = []
    verdict = "PASS" if r["ok"] else "FAIL"
    t = r["timings"]
    L.append("")
    L.append(f"==== sluice torture: {verdict} (seed {r['seed']}, index {r['index']}) ====")
    L.append(f"lines written      {r['lines_written']} ({r['json_lines']} JSON, {r['plain_lines']} plain) "
             f"in {len(r['per_file_written'])} files: {r['per_file_written']}")
    L.append(f"documents indexed  {r['documents']}")
    ex = r["missing_groups"]
    L.append(f"missing            {r['missing']}" + (f" in {len(ex)} group(s)" if ex else ""))
    L.append(f"duplicated         {r['duplicated_keys']} lines ({r['duplicate_extra_docs']} extra documents)")
    L.append(f"corrupt            {r['corrupt']} (message differs from the line written)")
    L.append(f"unrecognized       {r['unrecognized']} (no file/seq in fields or message)")
    L.append(f"phantom            {r['phantom']} (file/seq never written)")
    rot = r["rotations"]
    L.append(f"rotations          {sum(rot.values())} ({rot.get('rename', 0)} rename+create, "
             f"{rot.get('copytruncate', 0)} copytruncate; {r['rotations_deferred']} deferred while "
             "sluice was down, settling or had not opened the generation yet)")
    L.append(f"kills              {len(r['kills'])} SIGKILL, {r['instances']} sluice instances, "
             f"{len(r['unexpected_exits'])} unexpected exit(s)")
    L.append(f"elapsed            {t.get('elapsed', 0):.1f}s (OpenSearch ready {t.get('opensearch_ready', 0):.1f}s, "
             f"writing {t.get('writing', 0):.1f}s, final catch-up {t.get('catchup', 0):.1f}s, "
             f"verification {t.get('verification', 0):.1f}s)")
    tp = r["throughput"]
    L.append(f"throughput         written {tp['written_lines_per_s']} lines/s, indexed "
             f"{tp['indexed_docs_per_s']} docs/s (start to caught-up)")
    L.append(f"final catch-up     {r['final_catchup']['outcome']}; sluice stop: "
             + ("killed after 60s" if r["stop_status"] is None else f"exit {r['stop_status']}"))
    nq = r["quiesces"]
    if nq["not_ok"]:
        L.append(f"catch-up waits     {len(nq['not_ok'])} of {nq['total']} did not reach the written "
                 "count (lines were already missing or late at that point):")
        for q in nq["not_ok"][:8]:
            L.append(f"    {q['why']}: {q['outcome']}")
    if r.get("injected_faults"):
        L.append(f"SELF-CHECK         faults were injected on purpose: {r['injected_faults']}")
    if r["no_sync"]:
        L.append("NOTE: --no-sync: rotations and kills did not wait for sluice; lines of rotated "
                 "generations may be lost without sluice being at fault.")
    if r["missing_groups"]:
        L.append("")
        L.append("MISSING lines, by file generation (seq ranges):")
        for g in r["missing_groups"][:25]:
            L.append(f"  app-{g['file']}.log gen {g['gen']} {g['phase']}: {g['count']} missing "
                     f"({g['where']}; first at byte {g['offset_of_first']}): {Torture._ranges_text(g['ranges'])}")
            L.append(f"      {g['gen_desc']}")
            if g["kills_during"]:
                L.append(f"      kills during this generation: {', '.join(g['kills_during'])}")
            if g["unproven_renamed_gen_at_kill"]:
                L.append(f"      NOTE: killed (#{g['unproven_renamed_gen_at_kill']}) before this renamed "
                         "generation was proven delivered")
        if len(r["missing_groups"]) > 25:
            L.append(f"  ... {len(r['missing_groups']) - 25} more groups in report.json")
    if r["duplicate_groups"]:
        L.append("")
        L.append("DUPLICATED lines, by file generation (seq ranges):")
        for g in r["duplicate_groups"][:25]:
            L.append(f"  app-{g['file']}.log gen {g['gen']} {g['phase']}: {g['count']} duplicated "
                     f"({g['where']}): {Torture._ranges_text(g['ranges'])}")
            L.append(f"      {g['gen_desc']}")
            if g["kills_during"]:
                L.append(f"      kills during this generation: {', '.join(g['kills_during'])}")
        if len(r["duplicate_groups"]) > 25:
            L.append(f"  ... {len(r['duplicate_groups']) - 25} more groups in report.json")
        for key, docs in list(r["examples"]["duplicates"].items())[:6]:
            L.append(f"  e.g. {key}: " + "; ".join(f"_id {d['_id']} offset {d['offset']} path "
                                                   f"{Path(str(d['path'])).name}" for d in docs))
    for kind in ("corrupt", "unrecognized", "phantom"):
        exs = r["examples"][kind]
        if exs:
            L.append("")
            L.append(f"{kind.upper()} documents (first {len(exs)}):")
            for e in exs[:6]:
                L.append("  " + json.dumps(e, ensure_ascii=False, default=str)[:400])
    for u in r["unexpected_exits"]:
        L.append("")
        L.append(f"sluice #{u['instance']} exited by itself at {u['t']}s with status {u['returncode']}:")
        L.append("  " + u["stderr_tail"].replace("\n", "\n  "))
    if not r["ok"] and timeline:
        shown = [e for e in timeline if e["kind"] in ("start", "kill", "crash", "quiesce", "rotate")]
        L.append("")
        L.append(f"timeline ({len(shown)} events, all in {r['run_dir']}/timeline.log):")
        for e in shown[:60]:
            L.append(f"  [{e['t']:8.2f}s] {e['kind']:<8} {e['text'].splitlines()[0][:220]}")
        if len(shown) > 60:
            L.append(f"  ... {len(shown) - 60} more")
    return "\n".join(L)


def run(argv: list[str] | None = None, out: Callable[[str], None] | None = None) -> Result:
    """Run the torture test; ``out`` receives progress lines (default: print)."""
    if out is None:
        def out(s: str) -> None:
            print(s, flush=True)
    cfg = parse_args(argv)
    binary = Path(os.environ.get("SLUICE_BIN", "build/sluice"))
    if not binary.is_absolute():
        binary = REPO_ROOT / binary
    if not binary.exists():
        msg = f"sluice binary not found at {binary} (build it with `make` or set SLUICE_BIN)"
        out(msg)
        return Result(False, 2, {"error": msg}, msg, None)
    parent = cfg.workdir or None
    if parent:
        Path(parent).mkdir(parents=True, exist_ok=True)
    cfg.run_dir = Path(tempfile.mkdtemp(prefix=f"sluice-torture-{cfg.seed}-", dir=parent))
    cfg.logs_dir = cfg.run_dir / "logs"
    cfg.logs_dir.mkdir()
    (cfg.run_dir / "state").mkdir()
    # Every restart runs the same binary even if build/ is rebuilt meanwhile.
    (cfg.run_dir / "bin").mkdir()
    cfg.binary = cfg.run_dir / "bin" / "sluice"
    shutil.copy2(binary, cfg.binary)
    out(f"sluice torture: seed {cfg.seed}, {cfg.lines} lines in {cfg.files} files, {cfg.kills} kills, "
        f"rate {'max' if not cfg.rate else cfg.rate}, rotate every ~{cfg.rotate_every} lines/file "
        f"({cfg.rotation}), dir {cfg.run_dir}, binary {binary}")
    t = Torture(cfg, out)
    report: dict = {}
    text = ""
    code = 2
    started_os = not cfg.opensearch
    try:
        report = t.run()
        text = format_report(report, t.tl.events)
        code = 0 if report["ok"] else 1
    except KeyboardInterrupt:
        text = "interrupted"
        code = 130
    except HarnessError as e:
        text = f"harness error: {e}"
        code = 2
    except Exception as e:  # noqa: BLE001 - a harness bug: report it, clean up
        text = f"harness error: {e!r}\n{traceback.format_exc()}"
        code = 2
    finally:
        t.coord.stop.set()
        for s in t.instances:
            if s.running():
                s.kill()
        if t.writer is not None and t.writer.is_alive():
            t.writer.join(10)
        if report:
            report["exit_code"] = code
            (cfg.run_dir / "report.json").write_text(json.dumps(report, indent=1, default=str))
        t.tl.close()
        if t.os is not None and not cfg.keep and started_os is False:
            try:
                t.os.delete_index(cfg.index)
            except Exception:  # noqa: BLE001
                pass
        if started_os:
            stop_opensearch(cfg.run_dir / "opensearch")
        kept = cfg.run_dir
        if cfg.keep:
            text += f"\nkept {cfg.run_dir} (index {cfg.index})"
        elif code == 0:
            shutil.rmtree(cfg.run_dir, ignore_errors=True)
            kept = None
        else:
            # Keep the small evidence (config, timeline, report, sluice stderr), not the bulk.
            for bulky in ("logs", "opensearch", "bin"):
                shutil.rmtree(cfg.run_dir / bulky, ignore_errors=True)
            text += f"\nevidence kept in {cfg.run_dir} (report.json, timeline.log, sluice-N.stderr)"
    out(text)
    return Result(code == 0, code, report, text, kept)


def main(argv: list[str] | None = None) -> int:
    return run(argv).exit_code


if __name__ == "__main__":
    sys.exit(main())
