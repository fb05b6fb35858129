"""Helpers shared by sluice's integration tests (stdlib only; fixtures live in conftest.py)."""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any, Callable, Iterable

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
OPENSEARCH_SCRIPT = REPO_ROOT / "tests" / "servers" / "opensearch"


# --------------------------------------------------------------------------- helpers


def sluice_bin() -> Path:
    """The sluice binary: $SLUICE_BIN (relative paths resolve against the repo root)
    or build/sluice."""
    p = Path(os.environ.get("SLUICE_BIN", "build/sluice"))
    if not p.is_absolute():
        p = REPO_ROOT / p
    return p


def require_sluice() -> Path:
    """The sluice binary, or fail the test saying where it was looked for."""
    binary = sluice_bin()
    if not binary.exists():
        pytest.fail(f"sluice binary not found at {binary} (build it with `make` or set SLUICE_BIN)")
    return binary


def run_sluice(*args: str, env: dict | None = None, timeout: float = 30,
               input: str | None = None) -> subprocess.CompletedProcess:
    """Run a short sluice command (validate, version, ...) and capture its output."""
    full_env = dict(os.environ)
    for k, v in (env or {}).items():   # a None value unsets the variable
        if v is None:
            full_env.pop(k, None)
        else:
            full_env[k] = v
    return subprocess.run([str(require_sluice()), *args], env=full_env, capture_output=True,
                          text=True, timeout=timeout, input=input)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class WaitTimeout(AssertionError):
    pass


def wait_until(fn: Callable[[], Any], timeout: float = 30.0, interval: float = 0.2,
               message: str | Callable[[], str] = "condition") -> Any:
    """Call ``fn`` until it returns a truthy value; return that value.

    Exceptions raised by ``fn`` count as "not yet" (the last one is reported).
    Raises ``WaitTimeout`` (an AssertionError) when ``timeout`` seconds pass.
    """
    deadline = time.monotonic() + timeout
    last_exc: BaseException | None = None
    last_val: Any = None
    while True:
        try:
            last_val = fn()
            last_exc = None
            if last_val:
                return last_val
        except AssertionError:
            raise
        except Exception as e:  # noqa: BLE001 - polling: anything is "not yet"
            last_exc = e
        if time.monotonic() >= deadline:
            msg = message() if callable(message) else message
            detail = f"last exception: {last_exc!r}" if last_exc else f"last value: {last_val!r}"
            raise WaitTimeout(f"timed out after {timeout:.1f}s waiting for {msg}; {detail}")
        time.sleep(interval)




def http_request(url: str, method: str = "GET", body: Any = None, timeout: float = 30.0,
                 content_type: str = "application/json") -> tuple[int, bytes, dict]:
    """One HTTP request; returns (status, body, headers). HTTP errors are returned, not raised."""
    data = None
    headers = {}
    if body is not None:
        data = body if isinstance(body, (bytes, bytearray)) else json.dumps(body).encode()
        headers["Content-Type"] = content_type
    req = urllib.request.Request(url, data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            return r.status, r.read(), dict(r.headers)
    except urllib.error.HTTPError as e:
        return e.code, e.read(), dict(e.headers or {})


def to_yaml(obj: Any, indent: int = 0) -> str:
    """Block-style YAML for dicts/lists/scalars. Strings are plain when that is
    unambiguous, else double-quoted (JSON escapes are valid YAML escapes)."""
    pad = " " * indent

    def scalar(v: Any) -> str:
        if v is None:
            return "null"
        if isinstance(v, bool):
            return "true" if v else "false"
        if isinstance(v, (int, float)):
            return repr(v)
        v = str(v)
        if (re.fullmatch(r"[A-Za-z_/][A-Za-z0-9_./\-]*", v)
                and v.lower() not in {"true", "false", "yes", "no", "on", "off", "null", "y", "n"}):
            return v
        return json.dumps(v)

    def key(k: str) -> str:
        return k if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_.\-]*", k) else json.dumps(k)

    lines: list[str] = []
    if isinstance(obj, dict):
        for k, v in obj.items():
            if isinstance(v, dict) and v:
                lines.append(f"{pad}{key(k)}:")
                lines.append(to_yaml(v, indent + 2))
            elif isinstance(v, list) and v and any(isinstance(i, (dict, list)) for i in v):
                lines.append(f"{pad}{key(k)}:")
                lines.append(to_yaml(v, indent + 2))
            elif isinstance(v, list):
                lines.append(f"{pad}{key(k)}: [{', '.join(scalar(i) for i in v)}]")
            elif isinstance(v, dict):
                lines.append(f"{pad}{key(k)}: {{}}")
            else:
                lines.append(f"{pad}{key(k)}: {scalar(v)}")
    elif isinstance(obj, list):
        for item in obj:
            if isinstance(item, dict) and item:
                sub = to_yaml(item, indent + 2).split("\n")
                sub[0] = f"{pad}- " + sub[0][indent + 2:]
                lines.extend(sub)
            elif isinstance(item, list):
                lines.append(f"{pad}-")
                lines.append(to_yaml(item, indent + 2))
            else:
                lines.append(f"{pad}- {scalar(item)}")
    else:
        lines.append(pad + scalar(obj))
    return "\n".join(lines)


def parse_prometheus(text: str) -> dict[str, float]:
    """Prometheus text format -> {'name{k="v",...}': value}; labels sorted by name,
    series without labels keyed by bare name."""
    out: dict[str, float] = {}
    line_re = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})?\s+(\S+)(\s+\S+)?\s*$')
    label_re = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"\s*,?\s*')
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        m = line_re.match(line)
        if not m:
            raise ValueError(f"unparseable metrics line: {raw!r}")
        name, _, labels, value = m.group(1), m.group(2), m.group(3), m.group(4)
        pairs = sorted(label_re.findall(labels or ""))
        k = name + ("{" + ",".join(f'{a}="{b}"' for a, b in pairs) + "}" if pairs else "")
        out[k] = float(value)
    return out


def metric_sum(metrics: dict[str, float], name: str, **labels: str) -> float:
    """Sum of all series of ``name`` whose labels include ``labels``."""
    total = 0.0
    for k, v in metrics.items():
        n, _, rest = k.partition("{")
        if n != name:
            continue
        if all(f'{a}="{b}"' in rest for a, b in labels.items()):
            total += v
    return total


def metric_present(metrics: dict[str, float], name: str, **labels: str) -> bool:
    for k in metrics:
        n, _, rest = k.partition("{")
        if n == name and all(f'{a}="{b}"' in rest for a, b in labels.items()):
            return True
    return False


# --------------------------------------------------------------------------- OpenSearch


class OpenSearch:
    def __init__(self, url: str, directory: Path | None = None):
        self.url = url.rstrip("/")
        self.directory = directory

    def request(self, method: str, path: str, body: Any = None, timeout: float = 30.0):
        status, data, _ = http_request(self.url + path, method, body, timeout)
        try:
            parsed = json.loads(data) if data else None
        except ValueError:
            parsed = data.decode(errors="replace")
        return status, parsed

    def _ok(self, method: str, path: str, body: Any = None) -> Any:
        status, parsed = self.request(method, path, body)
        if status >= 300:
            raise RuntimeError(f"{method} {path} -> {status}: {parsed}")
        return parsed

    @staticmethod
    def _q(pattern: str) -> str:
        return urllib.parse.quote(pattern, safe="*,-_.")

    def refresh(self, index_pattern: str = "*") -> None:
        self._ok("POST", f"/{self._q(index_pattern)}/_refresh?allow_no_indices=true"
                         "&ignore_unavailable=true&expand_wildcards=open")

    def count(self, index_pattern: str, query: dict | None = None) -> int:
        self.refresh(index_pattern)
        body = {"query": query} if query else None
        res = self._ok("POST" if body else "GET",
                       f"/{self._q(index_pattern)}/_count?allow_no_indices=true&ignore_unavailable=true",
                       body)
        return int(res["count"])

    def search(self, index_pattern: str, query: dict | None = None, size: int = 10,
               sort: list | None = None) -> list[dict]:
        """Hits (each with _index, _id, _source) for ``query`` (default match_all)."""
        self.refresh(index_pattern)
        body: dict = {"query": query or {"match_all": {}}, "size": size}
        if sort:
            body["sort"] = sort
        res = self._ok("POST", f"/{self._q(index_pattern)}/_search?allow_no_indices=true"
                               "&ignore_unavailable=true", body)
        return res["hits"]["hits"]

    def indices(self, index_pattern: str) -> list[str]:
        status, res = self.request("GET", f"/_cat/indices/{self._q(index_pattern)}?format=json&h=index")
        if status == 404:
            return []
        if status >= 300:
            raise RuntimeError(f"_cat/indices -> {status}: {res}")
        return sorted(r["index"] for r in res)

    def delete_indices(self, pattern: str) -> None:
        status, res = self.request("DELETE", f"/{self._q(pattern)}?allow_no_indices=true"
                                             "&ignore_unavailable=true&expand_wildcards=open,closed")
        if status >= 300 and status != 404:
            raise RuntimeError(f"DELETE {pattern} -> {status}: {res}")


def start_opensearch(directory: Path, port: int, heap: str | None = None) -> OpenSearch:
    env = dict(os.environ)
    if heap:
        env["OPENSEARCH_HEAP"] = heap
    # The first start may build the launcher with Maven: allow for that.
    r = subprocess.run([str(OPENSEARCH_SCRIPT), "start", str(directory), str(port)],
                       env=env, capture_output=True, text=True, timeout=900)
    if r.returncode != 0:
        raise RuntimeError(f"opensearch start failed ({r.returncode}):\n{r.stderr[-4000:]}")
    return OpenSearch(f"http://127.0.0.1:{port}", directory)


def stop_opensearch(directory: Path) -> None:
    subprocess.run([str(OPENSEARCH_SCRIPT), "stop", str(directory)],
                   capture_output=True, text=True, timeout=120)


# --------------------------------------------------------------------------- sluice


class Sluice:
    """A running ``sluice run`` process."""

    def __init__(self, config_path: Path, workdir: Path, name: str, stdin_data: bytes | None,
                 env: dict | None, args: list[str] | None):
        self.config_path = config_path
        self.stdout_path = workdir / f"{name}.stdout"
        self.stderr_path = workdir / f"{name}.stderr"
        self._stdout = open(self.stdout_path, "wb")
        self._stderr = open(self.stderr_path, "wb")
        full_env = dict(os.environ)
        for k, v in (env or {}).items():   # a None value unsets the variable
            if v is None:
                full_env.pop(k, None)
            else:
                full_env[k] = v
        cmd = [str(sluice_bin()), "run", "-c", str(config_path)] + (args or [])
        self.cmd = cmd
        self.proc = subprocess.Popen(
            cmd, cwd=str(workdir), env=full_env,
            stdin=subprocess.PIPE if stdin_data is not None else subprocess.DEVNULL,
            stdout=self._stdout, stderr=self._stderr)
        self._stdin_thread = None
        if stdin_data is not None:
            def feed():
                try:
                    self.proc.stdin.write(stdin_data)
                except (BrokenPipeError, OSError):
                    pass
                finally:
                    try:
                        self.proc.stdin.close()
                    except OSError:
                        pass
            self._stdin_thread = threading.Thread(target=feed, daemon=True)
            self._stdin_thread.start()
        self._address: str | None = None

    # ---- logs
    def log_records(self) -> list[dict]:
        """The JSON objects the agent logged on stderr so far (non-JSON lines are skipped)."""
        records = []
        try:
            data = self.stderr_path.read_bytes()
        except FileNotFoundError:
            return records
        for line in data.splitlines():
            line = line.strip()
            if not line.startswith(b"{"):
                continue
            try:
                obj = json.loads(line)
            except ValueError:
                continue
            if isinstance(obj, dict):
                records.append(obj)
        return records

    def stderr_text(self) -> str:
        try:
            return self.stderr_path.read_text(errors="replace")
        except FileNotFoundError:
            return ""

    def stdout_text(self) -> str:
        try:
            return self.stdout_path.read_text(errors="replace")
        except FileNotFoundError:
            return ""

    def wait_for_log(self, predicate: Callable[[dict], bool], timeout: float = 30.0) -> dict:
        """Wait until a stderr JSON log record satisfies ``predicate``; return it.
        Fails early if the process exits without having logged it."""
        def check():
            for rec in self.log_records():
                try:
                    if predicate(rec):
                        return rec
                except (KeyError, TypeError, AttributeError):
                    continue
            if self.proc.poll() is not None:
                # Re-read once: the line may have been written just before exiting.
                for rec in self.log_records():
                    try:
                        if predicate(rec):
                            return rec
                    except (KeyError, TypeError, AttributeError):
                        continue
                raise AssertionError(
                    f"sluice exited with {self.proc.returncode} before logging the awaited line; "
                    f"stderr tail:\n{self.stderr_tail()}")
            return None
        return wait_until(check, timeout, 0.1, message="a matching sluice log line")

    def until(self, fn: Callable[[], Any], timeout: float = 30.0, interval: float = 0.2,
              message: str | Callable[[], str] = "condition") -> Any:
        """``wait_until`` that fails at once, with the stderr tail, if sluice exits first."""
        __tracebackhide__ = True

        def check():
            v = fn()
            if v:
                return v
            if self.proc.poll() is not None:
                msg = message() if callable(message) else message
                raise AssertionError(f"sluice exited with {self.proc.returncode} while waiting for {msg}; "
                                     f"stderr tail:\n{self.stderr_tail()}")
            return v
        return wait_until(check, timeout, interval, message)

    # ---- HTTP endpoint
    @property
    def address(self) -> str:
        """host:port of the HTTP endpoint, from the 'http endpoint listening' log line."""
        if self._address is None:
            rec = self.wait_for_log(
                lambda r: "address" in r and "listening" in str(r.get("log", {}).get("message", "")),
                timeout=30)
            self._address = str(rec["address"])
        return self._address

    def get(self, path: str, timeout: float = 10.0) -> tuple[int, bytes, dict]:
        return http_request(f"http://{self.address}{path}", timeout=timeout)

    def metrics_text(self) -> str:
        status, body, _ = self.get("/metrics")
        assert status == 200, f"/metrics answered {status}: {body[:500]!r}"
        return body.decode()

    def metrics(self) -> dict[str, float]:
        return parse_prometheus(self.metrics_text())

    def metric(self, name: str, **labels: str) -> float:
        return metric_sum(self.metrics(), name, **labels)

    # ---- lifecycle
    def running(self) -> bool:
        return self.proc.poll() is None

    def wait(self, timeout: float = 60.0) -> int:
        """Wait for the process to end by itself; return its exit code."""
        try:
            return self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            raise AssertionError(f"sluice did not exit within {timeout}s; stderr tail:\n{self.stderr_tail()}")

    def stop(self, timeout: float = 30.0) -> int:
        """SIGTERM, wait, return the exit code (SIGKILL and fail when it hangs)."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
                raise AssertionError(f"sluice did not stop within {timeout}s after SIGTERM; "
                                     f"stderr tail:\n{self.stderr_tail()}")
        self._close_files()
        return self.proc.returncode

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        self._close_files()

    def _close_files(self) -> None:
        for f in (self._stdout, self._stderr):
            try:
                f.close()
            except OSError:
                pass

    def stderr_tail(self, lines: int = 60) -> str:
        return "\n".join(self.stderr_text().splitlines()[-lines:])


class SluiceFactory:
    def __init__(self, tmp_path: Path):
        self.tmp_path = tmp_path
        self.instances: list[Sluice] = []

    def write_config(self, config: dict | str, name: str = "sluice") -> Path:
        path = self.tmp_path / f"{name}.yml"
        text = config if isinstance(config, str) else to_yaml(config) + "\n"
        path.write_text(text)
        return path

    def __call__(self, config: dict | str, *, stdin: bytes | str | None = None,
                 env: dict | None = None, args: list[str] | None = None,
                 name: str | None = None) -> Sluice:
        require_sluice()
        name = name or f"sluice{len(self.instances) + 1}"
        config_path = self.write_config(config, name)
        if isinstance(stdin, str):
            stdin = stdin.encode()
        s = Sluice(config_path, self.tmp_path, name, stdin, env, args)
        self.instances.append(s)
        return s


# --------------------------------------------------------------------------- config helpers


def es_output(url: str | Iterable[str], index: str, interval: str = "1s", **extra) -> dict:
    hosts = [url] if isinstance(url, str) else list(url)
    out = {"id": "es", "type": "elasticsearch", "hosts": hosts, "index": index,
           "flush": {"events": 5000, "bytes": "5MiB", "interval": interval}}
    out.update(extra)
    return out


def file_input(paths: list[str], start_at: str = "beginning", **extra) -> dict:
    inp = {"id": "app", "type": "file", "paths": paths, "start_at": start_at}
    inp.update(extra)
    return inp


def base_config(tmp_path: Path, inputs: list[dict], outputs: list[dict], http: bool = True,
                state_dir: Path | None = None) -> dict:
    """A full config: inputs, outputs, an HTTP endpoint on a free port, a state dir in tmp_path."""
    cfg: dict = {"inputs": inputs, "outputs": outputs}
    if http:
        cfg["http"] = {"listen": "127.0.0.1:0"}
    state = state_dir or tmp_path / "state"
    state.mkdir(parents=True, exist_ok=True)
    cfg["state_dir"] = str(state)
    return cfg


def append(path: Path, data: bytes | str) -> None:
    """Append bytes to a file and flush them to the OS."""
    if isinstance(data, str):
        data = data.encode()
    with open(path, "ab") as f:
        f.write(data)
        f.flush()


def messages(opensearch, pattern: str) -> list[str]:
    return sorted(h["_source"]["log"]["message"] for h in opensearch.search(pattern, size=2000))


def settle(agent, timeout: float = 30.0) -> dict[str, float]:
    """Wait until every event read so far is acknowledged by the output and nothing is
    left unread in the open files; returns the metrics then."""
    def idle():
        m = agent.metrics()
        received = metric_sum(m, "sluice_events_received_total")
        done = metric_sum(m, "sluice_events_sent_total") + metric_sum(m, "sluice_events_failed_total")
        if received == done and metric_sum(m, "sluice_input_lag_bytes") == 0:
            return m
        return None
    return agent.until(idle, timeout, 0.1, "the pipeline to be idle (received == sent + failed, no lag)")


# --------------------------------------------------------------------------- outages


class TcpRelay:
    """Forwards connections from a local port to a target, once started: before that
    nothing listens on the port, as when Elasticsearch is down."""

    def __init__(self, port: int, target: tuple[str, int]):
        self.port = port
        self.target = target
        self._server: socket.socket | None = None

    def start(self) -> None:
        server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        server.bind(("127.0.0.1", self.port))
        server.listen(64)
        self._server = server
        threading.Thread(target=self._accept, daemon=True).start()

    def stop(self) -> None:
        if self._server:
            self._server.close()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self._server.accept()
            except OSError:
                return
            upstream = socket.create_connection(self.target)
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    @staticmethod
    def _pipe(src: socket.socket, dst: socket.socket) -> None:
        try:
            while data := src.recv(65536):
                dst.sendall(data)
        except OSError:
            pass
        finally:
            for s in (src, dst):
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass


def vm_kib(pid: int, field: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise AssertionError(f"{field} not in /proc/{pid}/status")


class LineWriter(threading.Thread):
    """Appends the lines ``line(0)``, ``line(1)``, ... (each ending in a newline) to
    ``path`` at ``rate`` lines per second, until finish()."""

    def __init__(self, path: Path, rate: int, line: Callable[[int], str]):
        super().__init__(daemon=True)
        self.path, self.rate, self.line = path, rate, line
        self.written = 0
        self._stop_event = threading.Event()

    def run(self) -> None:
        with open(self.path, "ab", buffering=0) as f:
            t0 = time.monotonic()
            while not self._stop_event.is_set():
                due = int((time.monotonic() - t0) * self.rate)
                if due > self.written:
                    f.write("".join(self.line(i) for i in range(self.written, due)).encode())
                    self.written = due
                self._stop_event.wait(0.02)

    def finish(self) -> int:
        """Stops writing; the number of lines written."""
        self._stop_event.set()
        self.join(30)
        return self.written
