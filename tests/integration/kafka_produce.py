"""A minimal Kafka producer in pure Python, for records with headers (stdlib only).

The broker launcher's ``produce`` helper sends values and keys only; the kafka
input's tests need the headers sluice's kafka output writes (``sluice-id``,
``sluice-ts``) and records placed on chosen partitions. This speaks just
enough of the protocol for that, to the single test broker (which leads every
partition): Produce v3 (the oldest version Kafka 4 accepts) with one v2
record batch per partition, acks=all.
"""

from __future__ import annotations

import socket
import struct
import time
from dataclasses import dataclass, field

_PRODUCE_API_KEY = 0
_PRODUCE_VERSION = 3


@dataclass
class Record:
    partition: int
    value: bytes | None
    headers: list[tuple[str, bytes]] = field(default_factory=list)
    key: bytes | None = None


def _crc32c_table() -> list[int]:
    table = []
    for n in range(256):
        c = n
        for _ in range(8):
            c = (c >> 1) ^ 0x82F63B78 if c & 1 else c >> 1
        table.append(c)
    return table


_CRC32C = _crc32c_table()


def crc32c(data: bytes) -> int:
    crc = 0xFFFFFFFF
    table = _CRC32C
    for b in data:
        crc = table[(crc ^ b) & 0xFF] ^ (crc >> 8)
    return crc ^ 0xFFFFFFFF


def _varint(n: int) -> bytes:
    z = (n << 1) ^ (n >> 63)  # zigzag
    out = bytearray()
    while True:
        if z & ~0x7F:
            out.append((z & 0x7F) | 0x80)
            z >>= 7
        else:
            out.append(z)
            return bytes(out)


def _sized(data: bytes | None) -> bytes:
    return _varint(-1) if data is None else _varint(len(data)) + data


def _record(index: int, rec: Record) -> bytes:
    body = bytearray()
    body += b"\x00"                  # attributes
    body += _varint(0)               # timestamp delta
    body += _varint(index)           # offset delta
    body += _sized(rec.key)
    body += _sized(rec.value)
    body += _varint(len(rec.headers))
    for name, value in rec.headers:
        body += _sized(name.encode())
        body += _sized(value)
    return _varint(len(body)) + bytes(body)


def record_batch(records: list[Record]) -> bytes:
    now_ms = int(time.time() * 1000)
    records_bytes = b"".join(_record(i, r) for i, r in enumerate(records))
    # Everything after the CRC, which covers it.
    after_crc = struct.pack(">hiqqqhii", 0, len(records) - 1, now_ms, now_ms, -1, -1, -1,
                            len(records)) + records_bytes
    after_length = struct.pack(">ibI", -1, 2, crc32c(after_crc)) + after_crc
    return struct.pack(">qi", 0, len(after_length)) + after_length


def _string(s: str | None) -> bytes:
    if s is None:
        return struct.pack(">h", -1)
    data = s.encode()
    return struct.pack(">h", len(data)) + data


def _recv_exact(sock: socket.socket, n: int) -> bytes:
    data = bytearray()
    while len(data) < n:
        chunk = sock.recv(n - len(data))
        if not chunk:
            raise ConnectionError("broker closed the connection")
        data += chunk
    return bytes(data)


def produce(bootstrap: str, topic: str, records: list[Record], batch_size: int = 500,
            timeout: float = 30.0) -> list[tuple[int, int]]:
    """Send ``records`` (acks=all) and return their (partition, offset), in input order.
    Records of one partition keep their order."""
    host, port = bootstrap.rsplit(":", 1)
    placed: list[tuple[int, int] | None] = [None] * len(records)
    by_partition: dict[int, list[int]] = {}
    for i, r in enumerate(records):
        by_partition.setdefault(r.partition, []).append(i)
    with socket.create_connection((host, int(port)), timeout=timeout) as sock:
        correlation = 0
        for partition, indices in sorted(by_partition.items()):
            for start in range(0, len(indices), batch_size):
                chunk = indices[start:start + batch_size]
                batch = record_batch([records[i] for i in chunk])
                correlation += 1
                body = (_string(None) + struct.pack(">hi", -1, int(timeout * 1000))
                        + struct.pack(">i", 1) + _string(topic)
                        + struct.pack(">i", 1) + struct.pack(">i", partition)
                        + struct.pack(">i", len(batch)) + batch)
                header = struct.pack(">hhi", _PRODUCE_API_KEY, _PRODUCE_VERSION,
                                     correlation) + _string("sluice-tests")
                request = header + body
                sock.sendall(struct.pack(">i", len(request)) + request)
                size = struct.unpack(">i", _recv_exact(sock, 4))[0]
                response = _recv_exact(sock, size)
                base_offset = _parse_produce_response(response, correlation, topic, partition)
                for k, i in enumerate(chunk):
                    placed[i] = (partition, base_offset + k)
    return [p for p in placed if p is not None]


def _parse_produce_response(data: bytes, correlation: int, topic: str, partition: int) -> int:
    pos = 0

    def take(fmt: str):
        nonlocal pos
        values = struct.unpack_from(fmt, data, pos)
        pos += struct.calcsize(fmt)
        return values

    (got_correlation,) = take(">i")
    if got_correlation != correlation:
        raise RuntimeError(f"produce: answer to request {got_correlation}, expected {correlation}")
    (topics,) = take(">i")
    for _ in range(topics):
        (name_length,) = take(">h")
        name = data[pos:pos + name_length].decode()
        pos += name_length
        (partitions,) = take(">i")
        for _ in range(partitions):
            index, error, base_offset, _append_time = take(">ihqq")
            if name == topic and index == partition:
                if error != 0:
                    raise RuntimeError(f"produce to {topic}[{partition}] failed: error code {error}")
                return base_offset
    raise RuntimeError(f"produce: no answer for {topic}[{partition}]")
