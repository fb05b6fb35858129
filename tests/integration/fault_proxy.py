"""A fault-injecting HTTP/1.1 proxy in front of a real OpenSearch node (stdlib only).

sluice talks to the proxy; the proxy forwards to OpenSearch and can break chosen
requests in exact ways that a real node produces only by luck:

* ``ItemErrors({3: 429})`` on a ``_bulk`` request: the items at those positions
  (0-based, in request order) are cut out of the body before it is forwarded
  (a gzip body is gunzipped, cut and gzipped again; ``Content-Encoding`` is kept)
  and their results are spliced back into the answer at their positions as
  ``429 es_rejected_execution_exception`` (or ``5xx unavailable_shards_exception``),
  with ``errors: true``. The documents really are missing until sluice sends
  them again. ``400`` gives a ``mapper_parsing_exception``.
* ``Answer(500)``: the whole request is answered with that status, not forwarded.
* ``ResetMidBody()``: forwarded, then half the answer's body is sent and the
  connection is reset (``SO_LINGER`` 0, so the peer sees RST, not FIN).
* ``Delay(seconds)``: forwarded, and the answer is sent ``seconds`` later
  (when sluice's request timeout is shorter it has hung up by then).

A client that hung up before its answer was ready (its timeout passed, for a
delayed or just slow request) is noted in the record (``hung_up``), so a test
can tell which answers sluice really saw.

Faults are planned per ``_bulk`` request number (1-based, in arrival order) with
``proxy.on_bulk(n, fault)``, or chosen by a function of the parsed request with
``proxy.rule(fn)`` (``fn(request) -> fault | None``; the first non-None wins,
after the per-number plan). Every request is recorded (``proxy.requests``,
``proxy.bulks()``): method, path, content encoding, the ``_id`` of each bulk
item, the fault applied and which ids were held back.

Connections are kept alive (HTTP/1.1), request bodies may have a
``Content-Length`` or be chunked; answers go back with a ``Content-Length``.
When OpenSearch cannot be reached the proxy answers 502.
"""

from __future__ import annotations

import gzip
import http.client
import json
import select
import socket
import socketserver
import struct
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from typing import Callable, Optional, Union

HOP_BY_HOP = {"connection", "keep-alive", "proxy-connection", "transfer-encoding", "te", "trailer",
              "upgrade", "content-length", "host"}

ITEM_ERRORS = {
    429: ("es_rejected_execution_exception",
          "rejected execution of coordinating operation [fault_proxy]"),
    400: ("mapper_parsing_exception", "failed to parse (injected by fault_proxy)"),
}


@dataclass(frozen=True)
class ItemErrors:
    """Fail the bulk items at these 0-based positions with these statuses."""
    statuses: dict[int, int]


@dataclass(frozen=True)
class Answer:
    """Answer the whole request with ``status`` without forwarding it."""
    status: int = 500


@dataclass(frozen=True)
class ResetMidBody:
    """Forward, send half of the answer's body, then reset the connection."""


@dataclass(frozen=True)
class Delay:
    """Forward, then hold the answer for ``seconds``."""
    seconds: float


Fault = Union[ItemErrors, Answer, ResetMidBody, Delay]


@dataclass
class Request:
    number: int                 # over all requests, 1-based
    bulk_number: Optional[int]  # over _bulk requests, 1-based; None for others
    method: str
    path: str
    content_encoding: str
    ids: list[str] = field(default_factory=list)  # the _id of each bulk item, in order
    fault: Optional[Fault] = None
    held_back: list[str] = field(default_factory=list)  # ids given a fake item error
    status: Optional[int] = None  # the status sluice was sent (None: reset or hung up)
    hung_up: bool = False  # the client had closed the connection when the answer was ready
    done: bool = False  # the proxy has finished with it (answered, reset or given up)
    item_statuses: list[int] = field(default_factory=list)  # per item, of a 200 bulk answer


@dataclass
class BulkItem:
    action: str
    meta: dict
    lines: list[bytes]  # the action line and, except for delete, the source line


def parse_bulk(body: bytes) -> list[BulkItem]:
    lines = [ln for ln in body.split(b"\n") if ln.strip()]
    items, i = [], 0
    while i < len(lines):
        action_line = json.loads(lines[i])
        (action, meta), = action_line.items()
        n = 1 if action == "delete" else 2
        items.append(BulkItem(action, meta, lines[i:i + n]))
        i += n
    return items


def bulk_body(items: list[BulkItem]) -> bytes:
    return b"".join(line + b"\n" for it in items for line in it.lines)


def fake_item(item: BulkItem, status: int) -> dict:
    kind, reason = ITEM_ERRORS.get(status, ("unavailable_shards_exception",
                                            f"[fault_proxy] primary shard is not active ({status})"))
    return {item.action: {"_index": item.meta.get("_index"), "_id": item.meta.get("_id"),
                          "status": status, "error": {"type": kind, "reason": reason}}}


def _item_statuses(answer: bytes, headers) -> list[int]:
    if any(k.lower() == "content-encoding" and v == "gzip" for k, v in headers):
        answer = gzip.decompress(answer)
    try:
        items = json.loads(answer).get("items", [])
        return [next(iter(it.values())).get("status", 0) for it in items]
    except (ValueError, AttributeError, StopIteration):
        return []


class _Handler(socketserver.StreamRequestHandler):
    server: "_Server"

    def handle(self) -> None:
        proxy = self.server.proxy
        proxy._track(self.connection, True)
        upstream = http.client.HTTPConnection(proxy.upstream_host, proxy.upstream_port, timeout=120)
        try:
            while self._one_request(proxy, upstream):
                pass
        except (ConnectionError, OSError, ValueError):
            pass  # the client hung up (e.g. after its own timeout)
        finally:
            upstream.close()
            proxy._track(self.connection, False)

    def _read_request(self):
        line = self.rfile.readline(65537)
        if not line:
            return None
        method, target, version = line.decode("latin-1").rstrip("\r\n").split(" ", 2)
        headers: list[tuple[str, str]] = []
        while True:
            h = self.rfile.readline(65537).decode("latin-1").rstrip("\r\n")
            if not h:
                break
            name, _, value = h.partition(":")
            headers.append((name.strip(), value.strip()))
        lower = {k.lower(): v for k, v in headers}
        if "chunked" in lower.get("transfer-encoding", "").lower():
            body = b""
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip(), 16)
                if size == 0:
                    while self.rfile.readline().strip():  # trailers
                        pass
                    break
                body += self.rfile.read(size)
                self.rfile.readline()
        else:
            body = self.rfile.read(int(lower.get("content-length", "0")))
        keep_alive = lower.get("connection", "").lower() != "close" and version == "HTTP/1.1"
        return method, target, headers, body, keep_alive

    def _send(self, status: int, reason: str, headers: list[tuple[str, str]], body: bytes,
              keep_alive: bool) -> None:
        head = [f"HTTP/1.1 {status} {reason}"]
        head += [f"{k}: {v}" for k, v in headers if k.lower() not in HOP_BY_HOP]
        head += [f"Content-Length: {len(body)}", "Connection: " + ("keep-alive" if keep_alive else "close")]
        self.wfile.write(("\r\n".join(head) + "\r\n\r\n").encode("latin-1") + body)
        self.wfile.flush()

    def _one_request(self, proxy: "FaultProxy", upstream: http.client.HTTPConnection) -> bool:
        parsed = self._read_request()
        if parsed is None:
            return False
        method, target, headers, body, keep_alive = parsed
        encoding = next((v for k, v in headers if k.lower() == "content-encoding"), "")
        is_bulk = urllib.parse.urlsplit(target).path.rstrip("/").endswith("/_bulk")
        items = parse_bulk(gzip.decompress(body) if encoding == "gzip" else body) if is_bulk else []
        rec, fault = proxy._record(method, target, encoding, items, is_bulk)
        try:
            return self._answer(upstream, rec, fault, method, target, headers, body, encoding,
                                items, keep_alive)
        finally:
            rec.done = True

    def _answer(self, upstream, rec: Request, fault: Optional[Fault], method, target, headers,
                body, encoding, items, keep_alive) -> bool:
        is_bulk = rec.bulk_number is not None

        if isinstance(fault, Answer):
            rec.status = fault.status
            self._send(fault.status, "Injected", [("Content-Type", "application/json")],
                       json.dumps({"error": {"type": "fault_proxy", "reason": "injected"},
                                   "status": fault.status}).encode(), keep_alive)
            return keep_alive

        held = fault.statuses if isinstance(fault, ItemErrors) else {}
        held = {p: s for p, s in held.items() if p < len(items)}
        rec.held_back = [items[p].meta.get("_id") for p in sorted(held)]
        kept = [it for p, it in enumerate(items) if p not in held]
        if held and not kept:
            status, reason, resp_headers = 200, "OK", [("Content-Type", "application/json")]
            answer = json.dumps({"took": 0, "errors": True, "items": []}).encode()
        else:
            out = body
            if held:
                out = bulk_body(kept)
                if encoding == "gzip":
                    out = gzip.compress(out)
            fwd = [(k, v) for k, v in headers if k.lower() not in HOP_BY_HOP]
            try:
                status, reason, resp_headers, answer = self._forward(upstream, method, target, out, fwd)
            except (OSError, http.client.HTTPException) as e:
                upstream.close()
                rec.status = 502
                self._send(502, "Bad Gateway", [("Content-Type", "text/plain")],
                           f"fault_proxy: upstream: {e}".encode(), keep_alive)
                return keep_alive
        if held:
            answer = self._splice(answer, resp_headers, items, held)
            resp_headers = [(k, v) for k, v in resp_headers if k.lower() != "content-encoding"]

        if is_bulk and status == 200:
            rec.item_statuses = _item_statuses(answer, resp_headers)
        if isinstance(fault, Delay):
            time.sleep(fault.seconds)
        if self._client_gone():
            rec.hung_up = True  # e.g. its request timeout passed: it saw no answer
            return False
        if isinstance(fault, ResetMidBody):
            head = [f"HTTP/1.1 {status} {reason}"] + [
                f"{k}: {v}" for k, v in resp_headers if k.lower() not in HOP_BY_HOP]
            head.append(f"Content-Length: {len(answer)}")
            self.wfile.write(("\r\n".join(head) + "\r\n\r\n").encode("latin-1")
                             + answer[:len(answer) // 2])
            self.wfile.flush()
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.connection.close()
            return False
        self._send(status, reason, resp_headers, answer, keep_alive)
        rec.status = status
        return keep_alive

    def _client_gone(self) -> bool:
        readable, _, _ = select.select([self.connection], [], [], 0)
        if not readable:
            return False
        try:
            return self.connection.recv(1, socket.MSG_PEEK) == b""
        except OSError:
            return True

    @staticmethod
    def _forward(upstream: http.client.HTTPConnection, method, target, body, headers):
        # A kept-alive upstream connection OpenSearch closed while idle fails at
        # once: try a fresh one once (sluice's bulk requests are idempotent).
        for attempt in (1, 2):
            try:
                upstream.request(method, target, body, dict(headers))
                resp = upstream.getresponse()
                return resp.status, resp.reason, resp.getheaders(), resp.read()
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError):
                upstream.close()
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    @staticmethod
    def _splice(answer: bytes, headers, items: list[BulkItem], held: dict[int, int]) -> bytes:
        if any(k.lower() == "content-encoding" and v == "gzip" for k, v in headers):
            answer = gzip.decompress(answer)
        upstream = json.loads(answer)
        real = iter(upstream.get("items", []))
        merged = [fake_item(it, held[p]) if p in held else next(real) for p, it in enumerate(items)]
        # sluice reads "errors" before "items": keep that order.
        return json.dumps({"took": upstream.get("took", 0), "errors": True, "items": merged}).encode()


class _Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True
    proxy: "FaultProxy"


class FaultProxy:
    """``FaultProxy(upstream_url)`` listens on 127.0.0.1 (a free port) at once;
    ``url`` is its base URL; ``close()`` stops it and drops open connections."""

    def __init__(self, upstream_url: str):
        u = urllib.parse.urlsplit(upstream_url)
        self.upstream_host, self.upstream_port = u.hostname, u.port or 80
        self.requests: list[Request] = []
        self._plan: dict[int, Fault] = {}
        self._rules: list[Callable[[Request], Optional[Fault]]] = []
        self._lock = threading.Lock()
        self._conns: set[socket.socket] = set()
        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.proxy = self
        self.url = "http://127.0.0.1:%d" % self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    def on_bulk(self, number: int, fault: Fault) -> "FaultProxy":
        with self._lock:
            self._plan[number] = fault
        return self

    def rule(self, fn: Callable[[Request], Optional[Fault]]) -> "FaultProxy":
        with self._lock:
            self._rules.append(fn)
        return self

    def bulks(self) -> list[Request]:
        """The _bulk requests so far, once the proxy has finished with each (a
        delayed answer may still be pending when sluice has moved on)."""
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            with self._lock:
                if all(r.done for r in self.requests):
                    return [r for r in self.requests if r.bulk_number is not None]
            time.sleep(0.05)
        raise AssertionError("fault_proxy: requests still pending after 60 s")

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        with self._lock:
            conns = list(self._conns)
        for c in conns:
            try:
                c.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def _track(self, conn: socket.socket, add: bool) -> None:
        with self._lock:
            (self._conns.add if add else self._conns.discard)(conn)

    def _record(self, method, target, encoding, items, is_bulk):
        with self._lock:
            bulk_number = sum(r.bulk_number is not None for r in self.requests) + 1 if is_bulk else None
            rec = Request(len(self.requests) + 1, bulk_number, method, target, encoding,
                          [it.meta.get("_id") for it in items])
            fault = self._plan.get(bulk_number) if is_bulk else None
            for fn in self._rules:
                if fault is not None:
                    break
                fault = fn(rec)
            rec.fault = fault
            self.requests.append(rec)
            return rec, fault
