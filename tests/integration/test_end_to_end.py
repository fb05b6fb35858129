"""End to end: many mixed log lines in two files -> sluice -> OpenSearch, every
normalized field checked on a sample, index routing checked on all documents,
and the counters checked against what was written.

SLUICE_E2E_LINES sets the number of events (default 100000).
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import socket
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

from support import base_config, es_output, file_input, metric_sum

N_LINES = int(os.environ.get("SLUICE_E2E_LINES", "100000"))
BASE_TIME = datetime(2024, 3, 1, 0, 0, 0, tzinfo=timezone.utc)
STEP = timedelta(milliseconds=2500)  # 100k events span ~2.9 days -> several daily indices

SERVICES = ["checkout", "Payments", "api-gateway", "ai-ml"]
LEVELS = [  # (key, value in the log, expected log.level)
    ("level", "info", "INFO"), ("level", "WARN", "WARN"), ("severity", "error", "ERROR"),
    ("levelname", "WARNING", "WARN"), ("level", "debug", "DEBUG"), ("level", "Trace", "TRACE"),
    ("level", "fatal", "FATAL"),
    ("level", 10, "TRACE"), ("level", 20, "DEBUG"), ("level", 30, "INFO"),
    ("level", 40, "WARN"), ("level", 50, "ERROR"), ("level", 60, "FATAL"),
]
CORRELATION_KEYS = ["correlation_id", "correlationId", "X-Correlation-ID"]
# Keys the normalizer consumes: they must not survive at the top of the document.
# (`traceparent` is kept on purpose: it carries the trace flags.)
CONSUMED_KEYS = {"msg", "message", "level", "severity", "levelname", "time", "ts", "timestamp",
                 "service_name", "app", "service_tier", "correlation_id", "correlationId",
                 "X-Correlation-ID", "trace_id", "traceId", "span_id", "spanId",
                 "http_method", "http_path", "http_status_code", "duration_ms", "user_id",
                 "userId", "tenant_id"}


def iso_ms(dt: datetime) -> str:
    return dt.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.") + f"{dt.microsecond // 1000:03d}Z"


def parse_ts(s: str) -> datetime:
    """RFC 3339 in UTC ('Z') with a fraction of 3..9 digits -> datetime (µs precision)."""
    assert isinstance(s, str) and s.endswith("Z"), f"@timestamp not RFC 3339 UTC: {s!r}"
    main, _, frac = s[:-1].partition(".")
    assert frac and frac.isdigit() and len(frac) >= 3, f"@timestamp without milliseconds: {s!r}"
    dt = datetime.strptime(main, "%Y-%m-%dT%H:%M:%S").replace(tzinfo=timezone.utc)
    return dt + timedelta(microseconds=int((frac + "000000")[:6]))


def trunc_ms(dt: datetime) -> datetime:
    return dt.replace(microsecond=dt.microsecond // 1000 * 1000)


EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)


def epoch_ms(dt: datetime) -> int:
    return (dt - EPOCH) // timedelta(milliseconds=1)


def ids_for(seq: int) -> tuple[str, str]:
    h = hashlib.sha256(str(seq).encode()).hexdigest().upper()
    return h[:32], h[32:48]


def make_json_event(seq: int, rnd: random.Random) -> tuple[dict, dict]:
    """One JSON log object and the fields expected after normalization (dotted names;
    None = must be absent)."""
    rec: dict = {"seq": seq}
    exp: dict = {"seq": seq}
    ts = BASE_TIME + STEP * seq
    variant = rnd.randrange(8)
    if variant == 0:
        rec["time"] = iso_ms(ts)
    elif variant == 1:
        rec["ts"] = epoch_ms(ts)                                     # epoch ms
    elif variant == 2:
        off = timezone(timedelta(hours=2))
        rec["timestamp"] = ts.astimezone(off).isoformat(timespec="milliseconds")  # +02:00
    elif variant == 3:
        rec["@timestamp"] = ts.strftime("%Y-%m-%dT%H:%M:%S.") + f"{ts.microsecond:06d}Z"
    elif variant == 4:
        ts = ts.replace(microsecond=0)
        rec["time"] = epoch_ms(ts) // 1000                            # epoch s
    elif variant == 5:
        rec["ts"] = epoch_ms(ts) * 1_000_000 + 123_456                # epoch ns
    elif variant == 6:
        rec["ts"] = epoch_ms(ts) * 1000 + 789                         # epoch µs
    else:
        ts = None                                                     # ingest time
    exp["@timestamp"] = ts

    svc = rnd.choice(SERVICES)
    skey = rnd.randrange(5)
    if skey == 0:
        rec["service"] = svc
    elif skey == 1:
        rec["service_name"] = svc
    elif skey == 2:
        rec["app"] = svc
    elif skey == 3:
        rec["service"] = {"name": svc, "tier": "backend"}
        exp["service.tier"] = "backend"
    else:
        svc = None                                                    # -> index "unknown"
    if svc is not None and skey in (0, 1) and rnd.random() < 0.5:
        rec["service_tier"] = "frontend"
        exp["service.tier"] = "frontend"
    exp["service.name"] = svc

    lkey, lval, lexp = rnd.choice(LEVELS)
    rec[lkey] = lval
    exp["log.level"] = lexp

    text = f"request {seq} handled" + (" héllo ✓ naïve" if rnd.random() < 0.3 else "")
    rec[rnd.choice(["msg", "message"])] = text
    exp["log.message"] = text

    if rnd.random() < 0.75:
        rec[rnd.choice(CORRELATION_KEYS)] = f"corr-{seq}"
        exp["correlation.id"] = f"corr-{seq}"
    else:
        exp["correlation.id"] = None

    trace, span = ids_for(seq)
    tv = rnd.randrange(4)
    if tv == 0:
        rec["trace_id"], rec["span_id"] = trace, span
    elif tv == 1:
        rec["traceId"], rec["spanId"] = trace, span
    elif tv == 2:
        rec["traceparent"] = f"00-{trace.lower()}-{span.lower()}-01"
    if tv != 3:
        exp["trace.id"], exp["trace.span_id"] = trace.lower(), span.lower()
        if exp["correlation.id"] is None:
            exp["correlation.id"] = trace.lower()  # filled from the trace by default
    else:
        exp["trace.id"] = exp["trace.span_id"] = None

    hv = rnd.randrange(3)
    if hv == 0:
        # Durations always have a fraction: with dynamic mapping, 7 then 7.5 racing in one
        # bulk request is a genuine 400 mapping conflict ("cannot be changed from long to float").
        rec["http"] = {"method": "get", "path": f"/api/v1/items/{seq}", "status_code": 200 + seq % 5,
                       "duration_ms": 12.5}
        exp.update({"http.method": "GET", "http.path": f"/api/v1/items/{seq}",
                    "http.status_code": 200 + seq % 5, "http.duration_ms": 12.5})
    elif hv == 1:
        status = 500 + seq % 4
        rec.update({"http_method": "Post", "http_path": f"/orders/{seq}",
                    "http_status_code": str(status) if rnd.random() < 0.5 else status, "duration_ms": 7.25})
        exp.update({"http.method": "POST", "http.path": f"/orders/{seq}",
                    "http.status_code": status, "http.duration_ms": 7.25})
    else:
        exp.update({"http.method": None, "http.status_code": None})

    rec[rnd.choice(["user_id", "userId"])] = f"user-{seq % 1000}"
    exp["user.id"] = f"user-{seq % 1000}"
    rec["tenant_id"] = f"tenant-{seq % 7}"
    exp["tenant.id"] = f"tenant-{seq % 7}"

    if rnd.random() < 0.2:
        rec["custom.dotted.key"] = f"v{seq}"
        exp["custom.dotted.key"] = f"v{seq}"
    rec["extra"] = {"attempt": seq % 3, "region": "eu-west-1"}
    exp["extra.attempt"] = seq % 3
    exp["extra.region"] = "eu-west-1"

    keys = list(rec)
    rnd.shuffle(keys)                                                 # key order must not matter
    return {k: rec[k] for k in keys}, exp


def generate(dir_: Path, n: int) -> tuple[dict, dict]:
    """Write n events into two files. Returns ({(path, offset): expected}, sizes)."""
    rnd = random.Random(1234)
    files = [dir_ / "app-a.log", dir_ / "app-b.log"]
    handles = [open(p, "wb") for p in files]
    offsets = [0, 0]
    expected: dict = {}
    try:
        for seq in range(n):
            fi = rnd.randrange(2)
            kind = rnd.random()
            if rnd.random() < 0.001:                                        # empty lines: not events
                handles[fi].write(b"\n")
                offsets[fi] += 1
            if kind < 0.20:
                line = f"legacy batch job heartbeat {seq:07d} processed widgets ✓"
                exp = {"kind": "plain", "log.message": line}
            elif kind < 0.203:
                line = '{"seq": ' + str(seq) + ', "msg": "truncated objec'
                exp = {"kind": "json_error", "log.message": line}
            else:
                rec, exp = make_json_event(seq, rnd)
                exp["kind"] = "json"
                line = json.dumps(rec, ensure_ascii=False, separators=rnd.choice([(",", ":"), (", ", ": ")]))
            data = line.encode() + b"\n"
            exp["seq_written"] = seq
            expected[(str(files[fi]), offsets[fi])] = exp
            handles[fi].write(data)
            offsets[fi] += len(data)
    finally:
        for h in handles:
            h.close()
    return expected, {str(p): p.stat().st_size for p in files}


def get_path(doc: dict, dotted: str):
    """Value at a dotted path in a nested document; a literal dotted key also counts."""
    if dotted in doc:
        return doc[dotted]
    cur = doc
    parts = dotted.split(".")
    for i, part in enumerate(parts):
        if not isinstance(cur, dict):
            return _MISSING
        if part in cur:
            cur = cur[part]
            continue
        rest = ".".join(parts[i:])
        return cur.get(rest, _MISSING)
    return cur


_MISSING = object()


def diagnostics(sluice) -> str:
    """Counters and WARN/ERROR log records of the agent, for failure messages."""
    if sluice is None:
        return ""
    out = []
    try:
        m = sluice.metrics()
        out.append("metrics: " + ", ".join(f"{k}={v:g}" for k, v in sorted(m.items())
                                           if k.startswith(("sluice_events", "sluice_bytes", "sluice_output_retries"))))
    except Exception as e:  # noqa: BLE001 - best effort
        out.append(f"metrics unavailable: {e!r}")
    problems = [r for r in sluice.log_records() if r.get("log", {}).get("level") in ("WARN", "ERROR")]
    out += [json.dumps(r)[:600] for r in problems[:10]]
    return "\n" + "\n".join(out)


def wait_for_count(opensearch, pattern: str, target: int, deadline_s: float, stall_s: float,
                   sluice=None) -> int:
    """Poll the document count until it reaches ``target``; fail on the overall deadline,
    when it does not move for ``stall_s`` seconds, or when sluice exits."""
    start = time.monotonic()
    last, last_change = -1, time.monotonic()
    while True:
        n = opensearch.count(pattern)
        now = time.monotonic()
        if n >= target:
            return n
        if n != last:
            last, last_change = n, now
        if sluice is not None and not sluice.running():
            raise AssertionError(f"sluice exited ({sluice.proc.returncode}) with {n}/{target} documents indexed"
                                 + diagnostics(sluice))
        if now - last_change > stall_s:
            raise AssertionError(f"indexing stalled at {n}/{target} documents for {stall_s:.0f}s"
                                 + diagnostics(sluice))
        if now - start > deadline_s:
            raise AssertionError(f"only {n}/{target} documents after {deadline_s:.0f}s" + diagnostics(sluice))
        time.sleep(0.5)


def test_end_to_end(tmp_path, opensearch, sluice, index_prefix):
    logs = tmp_path / "logs"
    logs.mkdir()
    expected, sizes = generate(logs, N_LINES)
    assert len(expected) == N_LINES
    t_start = datetime.now(timezone.utc)

    cfg = base_config(tmp_path,
                      [file_input([str(logs / "*.log")])],
                      [es_output(opensearch.url, index_prefix + "-{service.name}-{+yyyy.MM.dd}")])
    agent = sluice(cfg)
    pattern = index_prefix + "-*"

    wait_for_count(opensearch, pattern, N_LINES, deadline_s=60 + N_LINES * 0.0015,
                   stall_s=45, sluice=agent)

    # Everything acknowledged, and nothing beyond the N events.
    agent.until(lambda: agent.metric("sluice_events_sent_total", output="es") >= N_LINES, 30,
               message="sluice_events_sent_total to reach N")
    assert opensearch.count(pattern) == N_LINES
    m = agent.metrics()
    assert metric_sum(m, "sluice_events_received_total", input="app") == N_LINES
    assert metric_sum(m, "sluice_events_sent_total", output="es") == N_LINES
    assert metric_sum(m, "sluice_bytes_read_total", input="app") == sum(sizes.values())
    assert metric_sum(m, "sluice_events_failed_total", output="es") == 0
    t_end = datetime.now(timezone.utc)

    # Index routing of every document: {service.name} lower-cased, "unknown" when absent,
    # {+yyyy.MM.dd} from the event's @timestamp (UTC), the ingest day when the log has no time.
    ingest_days = {t_start.strftime("%Y.%m.%d"), t_end.strftime("%Y.%m.%d")}
    want: dict[str, int] = {}
    want_ingest: dict[str, int] = {}   # service -> events stamped at ingest time
    for exp in expected.values():
        name = (exp.get("service.name") or "unknown").lower()
        ts = exp.get("@timestamp")
        if ts is None:
            want_ingest[name] = want_ingest.get(name, 0) + 1
        else:
            idx = f"{index_prefix}-{name}-{ts.strftime('%Y.%m.%d')}"
            want[idx] = want.get(idx, 0) + 1
    status, res = opensearch.request("POST", f"/{pattern}/_search", {
        "size": 0, "aggs": {"idx": {"terms": {"field": "_index", "size": 1000}}}})
    assert status == 200, res
    got = {b["key"]: b["doc_count"] for b in res["aggregations"]["idx"]["buckets"]}
    rest = {idx: got.get(idx, 0) - want.get(idx, 0) for idx in set(got) | set(want)}
    got_ingest: dict[str, int] = {}
    for idx, extra in rest.items():
        if extra > 0 and idx[-10:] in ingest_days:
            name = idx[len(index_prefix) + 1:-11]
            got_ingest[name] = got_ingest.get(name, 0) + extra
        else:
            assert extra == 0, (f"index {idx}: {got.get(idx, 0)} documents, want {want.get(idx, 0)}; "
                                f"all indices: {sorted(got.items())}")
    assert got_ingest == want_ingest, "events without a time must go to the ingest day's index"

    # Field-by-field check of a sample: first/last lines, every variant, plus random ones.
    rnd = random.Random(99)
    keys = list(expected)
    sample = set(keys[:60]) | set(keys[-20:]) | set(rnd.sample(keys, min(400, len(keys))))
    for kind in ("plain", "json_error", "json"):
        sample |= set([k for k in keys if expected[k]["kind"] == kind][:20])
    by_kind = {"plain": 0, "json_error": 0, "json": 0}
    for k in sample:
        by_kind[expected[k]["kind"]] += 1
    assert all(by_kind.values()), f"sample misses a kind of line: {by_kind}"

    offsets = sorted({off for _, off in sample})
    found: dict = {}
    for i in range(0, len(offsets), 500):
        chunk = offsets[i:i + 500]
        for hit in opensearch.search(pattern, {"terms": {"log.offset": chunk}}, size=2 * len(chunk)):
            src = hit["_source"]
            key = (get_path(src, "log.file.path"), get_path(src, "log.offset"))
            assert key not in found, f"two documents for {key}"
            found[key] = hit

    hostnames = {socket.gethostname(), socket.getfqdn()}
    problems: list[str] = []

    def check(key, field, got, want):
        if got != want:
            problems.append(f"{key[0].rsplit('/', 1)[-1]}@{key[1]} (seq {expected[key]['seq_written']}, "
                            f"{expected[key]['kind']}): {field}: got {got!r}, want {want!r}")

    for key in sorted(sample):
        exp = expected[key]
        hit = found.get(key)
        if hit is None:
            problems.append(f"{key}: no document with this log.file.path/log.offset")
            continue
        src = hit["_source"]
        check(key, "agent.type", get_path(src, "agent.type"), "sluice")
        for f in ("agent.version", "ecs.version"):
            v = get_path(src, f)
            if not (isinstance(v, str) and v):
                problems.append(f"{key}: {f} missing or empty: {v!r}")
        h = get_path(src, "host.name")
        if h not in hostnames:
            problems.append(f"{key}: host.name {h!r} not in {hostnames}")
        check(key, "log.message", get_path(src, "log.message"), exp["log.message"])
        tags = src.get("tags")
        tags = tags if isinstance(tags, list) else ([] if tags is None else [tags])
        ts_raw = get_path(src, "@timestamp")
        try:
            ts = parse_ts(ts_raw)
        except AssertionError as e:
            problems.append(f"{key}: {e}")
            ts = None
        if exp["kind"] == "plain":
            if "unparsed" not in tags:
                problems.append(f"{key}: plain line without tag 'unparsed': tags={tags!r}")
        elif exp["kind"] == "json_error":
            if "json_error" not in tags:
                problems.append(f"{key}: broken JSON line without tag 'json_error': tags={tags!r}")
        else:
            if "unparsed" in tags or "json_error" in tags:
                problems.append(f"{key}: JSON line tagged {tags!r}")
            want_ts = exp["@timestamp"]
            if want_ts is not None and ts is not None and abs(ts - want_ts) >= timedelta(milliseconds=1):
                check(key, "@timestamp", ts_raw, iso_ms(want_ts) + " (±1ms)")
            for field, want_v in exp.items():
                if field in ("kind", "seq_written", "@timestamp", "log.message"):
                    continue
                got_v = get_path(src, field)
                if want_v is None:
                    if got_v is not _MISSING and got_v is not None:
                        problems.append(f"{key}: {field} should be absent, got {got_v!r}")
                    continue
                if got_v is _MISSING:
                    problems.append(f"{key} (seq {exp['seq_written']}): {field} missing, want {want_v!r}")
                    continue
                if field in ("http.status_code",):
                    if not (isinstance(got_v, int) and not isinstance(got_v, bool)):
                        problems.append(f"{key}: http.status_code not an integer: {got_v!r}")
                        continue
                if isinstance(want_v, float) or field == "http.duration_ms":
                    if not isinstance(got_v, (int, float)) or abs(got_v - want_v) > 1e-9:
                        check(key, field, got_v, want_v)
                    continue
                check(key, field, got_v, want_v)
            left = CONSUMED_KEYS & set(src)
            if left:
                problems.append(f"{key}: source keys not normalized away: {sorted(left)}")
            expect_index = f"{index_prefix}-{(exp.get('service.name') or 'unknown').lower()}-"
            if not hit["_index"].startswith(expect_index):
                problems.append(f"{key}: _index {hit['_index']} does not start with {expect_index}")
        if exp.get("@timestamp") is None and ts is not None:
            if not (trunc_ms(t_start) - timedelta(seconds=5) <= ts <= t_end + timedelta(seconds=5)):
                problems.append(f"{key}: ingest-time @timestamp {ts_raw} outside the run [{t_start}, {t_end}]")

    assert not problems, f"{len(problems)} problems in {len(sample)} sampled documents:\n" + "\n".join(problems[:80])


def test_static_fields_override(tmp_path, opensearch, sluice, index_prefix):
    """`fields` on an input adds static fields (dotted keys) that override the log's values."""
    log = tmp_path / "app.log"
    log.write_text(
        json.dumps({"msg": "one", "service": "svc", "service_tier": "backend", "seq": 1}) + "\n"
        + json.dumps({"msg": "two", "service": "svc", "seq": 2}) + "\n"
        + "plain line without structure\n")
    cfg = base_config(tmp_path,
                      [file_input([str(log)], fields={"service.tier": "gateway", "team.name": "core"})],
                      [es_output(opensearch.url, index_prefix + "-{service.tier}")])
    agent = sluice(cfg)
    agent.until(lambda: opensearch.count(index_prefix + "-*") >= 3, 60,
               message="3 documents", interval=0.5)
    hits = opensearch.search(index_prefix + "-*", size=10)
    assert len(hits) == 3
    for h in hits:
        src = h["_source"]
        assert get_path(src, "service.tier") == "gateway", src
        assert get_path(src, "team.name") == "core", src
        assert h["_index"] == f"{index_prefix}-gateway"
    assert agent.running()
