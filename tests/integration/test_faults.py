"""The Elasticsearch output under exact faults (``fault_proxy.py`` in front of the
real OpenSearch node): per-item 429s, whole-request 5xx, a connection reset in
the middle of an answer, answers slower than the request timeout, all of them
mixed, and real mapping conflicts sent to the dead-letter file. Every test
ends with each event in OpenSearch exactly once (count, unique ``_id``s, every
``seq``) and the retry metrics equal to what was injected."""

from __future__ import annotations

import json
from collections import Counter

import pytest

from fault_proxy import Answer, Delay, FaultProxy, ItemErrors, ResetMidBody
from support import append, base_config, es_output, file_input, metric_sum, settle

RETRY = {"initial": "100ms", "max": "1s"}


@pytest.fixture
def proxy(opensearch):
    p = FaultProxy(opensearch.url)
    yield p
    p.close()


def event_lines(start: int, n: int, service: str = "faults") -> str:
    return "".join(json.dumps({"seq": i, "msg": f"event {i}", "service": service}) + "\n"
                   for i in range(start, start + n))


def start_agent(tmp_path, sluice, opensearch, url, index_prefix, n, *, pipeline=None,
                **output_extra):
    """N lines written before sluice starts, shipped through ``url`` into
    ``<index_prefix>-faults``. The index is created first: creating it on the
    first bulk request can take seconds on a busy machine, longer than the short
    request timeouts some tests set."""
    status, res = opensearch.request("PUT", f"/{index_prefix}-faults")
    assert status == 200, res
    log = tmp_path / "app.log"
    log.write_text(event_lines(0, n))
    output_extra.setdefault("retry", RETRY)
    cfg = base_config(tmp_path, [file_input([str(log)])],
                      [es_output(url, index_prefix + "-{service.name}", **output_extra)])
    if pipeline:
        cfg["pipeline"] = pipeline
    return sluice(cfg)


def delivered(agent, opensearch, pattern, n, timeout=120):
    """Wait until N documents are indexed and the agent has settled every event."""
    agent.until(lambda: opensearch.count(pattern) >= n, timeout, 0.5,
                lambda: f"{n} documents (have {opensearch.count(pattern)})")
    return settle(agent, 60)


def assert_exactly_once(opensearch, pattern, n):
    assert opensearch.count(pattern) == n
    hits = opensearch.search(pattern, size=n + 10)
    ids = [h["_id"] for h in hits]
    seqs = sorted(h["_source"]["seq"] for h in hits)
    assert len(ids) == n and len(set(ids)) == n, "duplicate _ids"
    dupes = [s for s, c in Counter(seqs).items() if c > 1]
    assert not dupes, f"seq values indexed more than once: {dupes[:20]}"
    assert seqs == list(range(n)), f"missing seq values: {sorted(set(range(n)) - set(seqs))[:20]}"


def retries(metrics) -> dict[str, float]:
    """sluice_output_retries_total{output="es"} by status label."""
    out: dict[str, float] = {}
    for k, v in metrics.items():
        if k.startswith("sluice_output_retries_total{") and 'output="es"' in k and v:
            out[k.split('status="')[1].split('"')[0]] = v
    return out


@pytest.mark.parametrize("compression", ["none", "gzip"])
def test_item_429_retries_exactly_those_items(tmp_path, opensearch, sluice, index_prefix, proxy,
                                              compression):
    """With gzip bodies the proxy gunzips, cuts and gzips again: the held-back
    documents are really missing until sluice sends them again."""
    n = 200
    positions = [3, 50, 117, 199]
    proxy.on_bulk(1, ItemErrors({p: 429 for p in positions}))
    agent = start_agent(tmp_path, sluice, opensearch, proxy.url, index_prefix, n,
                        compression=compression)
    m = delivered(agent, opensearch, index_prefix + "-*", n)

    bulks = proxy.bulks()
    first = bulks[0]
    assert len(first.ids) == n, "premise: the 200 lines written before the start go in one request"
    assert {b.content_encoding for b in bulks} == {"gzip" if compression == "gzip" else ""}
    assert first.held_back == [first.ids[p] for p in positions]
    assert [first.item_statuses[p] for p in positions] == [429] * len(positions)
    # The retry carries the held-back items and nothing else, in order; nothing else was sent.
    assert [b.ids for b in bulks[1:]] == [first.held_back], describe(bulks)
    assert bulks[1].item_statuses == [201] * len(positions)
    assert_exactly_once(opensearch, index_prefix + "-*", n)
    assert retries(m) == {"429": len(positions)}
    assert metric_sum(m, "sluice_events_sent_total", output="es") == n
    assert metric_sum(m, "sluice_events_failed_total", output="es") == 0
    assert agent.stop() == 0


def test_whole_request_500_is_retried_whole(tmp_path, opensearch, sluice, index_prefix, proxy):
    n = 300
    proxy.on_bulk(1, Answer(500)).on_bulk(2, Answer(500))
    agent = start_agent(tmp_path, sluice, opensearch, proxy.url, index_prefix, n)
    m = delivered(agent, opensearch, index_prefix + "-*", n)

    bulks = proxy.bulks()
    assert [b.status for b in bulks] == [500, 500, 200], describe(bulks)
    assert len(bulks[0].ids) == n
    assert bulks[1].ids == bulks[0].ids and bulks[2].ids == bulks[0].ids
    assert bulks[2].item_statuses == [201] * n
    assert_exactly_once(opensearch, index_prefix + "-*", n)
    assert retries(m) == {"500": 2}
    assert metric_sum(m, "sluice_events_sent_total", output="es") == n
    assert agent.stop() == 0


def test_connection_reset_mid_response_is_replayed_idempotently(tmp_path, opensearch, sluice,
                                                                index_prefix, proxy):
    """OpenSearch indexed the request but sluice never read the answer: the replay
    uses the same _ids, OpenSearch answers 409 for each, and that counts as delivered."""
    n = 300
    proxy.on_bulk(1, ResetMidBody())
    agent = start_agent(tmp_path, sluice, opensearch, proxy.url, index_prefix, n)
    m = delivered(agent, opensearch, index_prefix + "-*", n)

    bulks = proxy.bulks()
    assert len(bulks) == 2, describe(bulks)
    assert bulks[0].status is None and bulks[0].item_statuses == [201] * n  # indexed, then reset
    assert bulks[1].ids == bulks[0].ids
    assert bulks[1].item_statuses == [409] * n
    assert_exactly_once(opensearch, index_prefix + "-*", n)
    assert retries(m) == {"transport": 1}
    assert metric_sum(m, "sluice_events_sent_total", output="es") == n
    assert metric_sum(m, "sluice_events_failed_total", output="es") == 0
    assert agent.stop() == 0


def test_slow_answer_within_timeout_is_not_retried(tmp_path, opensearch, sluice, index_prefix,
                                                   proxy):
    n = 100
    proxy.on_bulk(1, Delay(3))
    agent = start_agent(tmp_path, sluice, opensearch, proxy.url, index_prefix, n, timeout="20s")
    m = delivered(agent, opensearch, index_prefix + "-*", n)
    assert [b.status for b in proxy.bulks()] == [200]
    assert_exactly_once(opensearch, index_prefix + "-*", n)
    assert retries(m) == {}
    assert metric_sum(m, "sluice_events_sent_total", output="es") == n
    # The slow request shows in the duration histogram.
    assert metric_sum(m, "sluice_output_request_duration_seconds_sum", output="es") >= 3
    assert agent.stop() == 0


def test_answer_slower_than_timeout_is_retried_once_indexed(tmp_path, opensearch, sluice,
                                                           index_prefix, proxy):
    """The first two answers come after sluice's 3 s timeout: it gives up on each
    and sends again; the third finds everything already there (409)."""
    n = 300
    proxy.on_bulk(1, Delay(6)).on_bulk(2, Delay(6))
    agent = start_agent(tmp_path, sluice, opensearch, proxy.url, index_prefix, n, timeout="3s")
    m = delivered(agent, opensearch, index_prefix + "-*", n)

    bulks = proxy.bulks()
    assert [b.hung_up for b in bulks] == [True, True, False], describe(bulks)
    assert all(b.ids == bulks[0].ids for b in bulks)
    assert bulks[0].item_statuses == [201] * n  # indexed while sluice waited in vain
    assert bulks[2].item_statuses == [409] * n
    assert_exactly_once(opensearch, index_prefix + "-*", n)
    assert retries(m) == {"transport": 2}
    assert metric_sum(m, "sluice_events_sent_total", output="es") == n
    assert agent.stop() == 0


def expected_retries(bulks) -> Counter:
    """What sluice_output_retries_total must say for the answers sluice got: one
    per request it saw no answer to ("transport": reset, or it hung up first),
    one per whole-request error status, one per held-back item (by its status)."""
    want: Counter = Counter()
    for b in bulks:
        f = b.fault
        if b.hung_up or isinstance(f, ResetMidBody):
            want["transport"] += 1
        elif isinstance(f, Answer):
            want[str(f.status)] += 1
        elif isinstance(f, ItemErrors):
            for p, status in f.statuses.items():
                if p < len(b.ids):
                    want[str(status)] += 1
    return want


def describe(bulks) -> str:
    return "\n".join(f"bulk {b.bulk_number}: {len(b.ids)} items, {b.fault}, status {b.status}, "
                     f"hung_up {b.hung_up}, items {dict(Counter(b.item_statuses))}" for b in bulks)


def test_mixed_faults_over_thousands_of_events(tmp_path, opensearch, sluice, index_prefix, proxy):
    n = 4000
    # Each ItemErrors uses one status, so the retries metric's label is exact
    # (with mixed statuses in one answer sluice labels them all with the last one).
    plan = {
        2: ItemErrors({0: 429, 5: 429, 77: 429}),
        3: Answer(500),
        5: ResetMidBody(),
        6: Delay(6.5),
        8: ItemErrors({10: 503, 11: 503}),
        9: Answer(503),
        11: ResetMidBody(),
        12: ItemErrors({p: 429 for p in range(0, 80, 2)}),
        14: Delay(6.5),
        15: ItemErrors({0: 429}),
        16: Answer(500),
        18: ResetMidBody(),
    }
    for number, fault in plan.items():
        proxy.on_bulk(number, fault)
    agent = start_agent(tmp_path, sluice, opensearch, proxy.url, index_prefix, n, timeout="5s",
                        flush={"events": 200, "bytes": "5MiB", "interval": "1s"},
                        pipeline={"batch": {"events": 100}})
    m = delivered(agent, opensearch, index_prefix + "-*", n, timeout=180)

    bulks = proxy.bulks()
    applied = {b.bulk_number for b in bulks if b.fault is not None}
    assert applied == set(plan), f"not every planned fault was reached: {sorted(set(plan) - applied)}"
    assert_exactly_once(opensearch, index_prefix + "-*", n)
    assert [b.hung_up for b in bulks if isinstance(b.fault, Delay)] == [True, True], describe(bulks)
    assert retries(m) == {k: float(v) for k, v in expected_retries(bulks).items()}, describe(bulks)
    assert metric_sum(m, "sluice_events_sent_total", output="es") == n
    assert metric_sum(m, "sluice_events_failed_total", output="es") == 0
    # Every id held back by an item fault was sent again and created by OpenSearch then
    # (perhaps in a request whose answer was then reset or delayed past the timeout).
    held = [i for b in bulks for i in b.held_back]
    later = {i for b in bulks for i, s in zip(b.ids, b.item_statuses) if s == 201}
    assert set(held) <= later
    assert agent.stop() == 0


def test_mapping_conflicts_dead_lettered_once_rest_indexed(tmp_path, opensearch, sluice,
                                                          index_prefix, proxy):
    """`shape` is first a number; later every 7th event makes it an object. Each
    of those is refused (400) and written once to the dead-letter file; every
    other event is indexed once. The same answer also carries injected 429s
    (one on a conflicting event): those are retried, and the retried conflict is
    dead-lettered once, not twice."""
    n = 700
    log = tmp_path / "app.log"
    dead_path = tmp_path / "dead" / "es.ndjson"
    pattern = index_prefix + "-*"

    def line(i):
        shape = {"a": i} if i % 7 == 3 else i
        return json.dumps({"seq": i, "msg": f"event {i}", "service": "map", "shape": shape}) + "\n"

    conflicts = {i for i in range(1, n) if i % 7 == 3}
    log.write_text(line(0))
    proxy.on_bulk(2, ItemErrors({1: 429, 2: 429, 4: 429}))   # seq 2, 3 (a conflict), 5
    cfg = base_config(tmp_path, [file_input([str(log)])],
                      [es_output(proxy.url, index_prefix + "-{service.name}", retry=RETRY,
                                 dead_letter={"type": "file", "path": str(dead_path)})])
    agent = sluice(cfg)
    agent.until(lambda: opensearch.count(pattern) == 1, 60, 0.3, "the first document (shape: long)")
    append(log, "".join(line(i) for i in range(1, n)))
    agent.until(lambda: opensearch.count(pattern) >= n - len(conflicts), 120, 0.5,
                lambda: f"{n - len(conflicts)} documents (have {opensearch.count(pattern)})")
    m = settle(agent, 60)

    assert opensearch.count(pattern) == n - len(conflicts)
    hits = opensearch.search(pattern, size=n)
    seqs = sorted(h["_source"]["seq"] for h in hits)
    assert seqs == sorted(set(range(n)) - conflicts)
    assert len({h["_id"] for h in hits}) == len(hits)

    records = [json.loads(x) for x in dead_path.read_text().splitlines() if x.strip()]
    dead_seqs = sorted(r["event"]["seq"] for r in records)
    assert dead_seqs == sorted(conflicts), "each conflicting event dead-lettered exactly once"
    for r in records:
        assert r["status"] == 400, r
        assert r["reason"] in ("mapper_parsing_exception", "document_parsing_exception"), r
        assert "shape" in r["detail"], r
        assert r["index"] == index_prefix + "-map", r
        assert r["output"] == "es", r
        assert r["event"]["shape"] == {"a": r["event"]["seq"]}, r
        assert r["event"]["log"]["message"] == f"event {r['event']['seq']}", r
    assert len({r["event_id"] for r in records}) == len(records)

    bulks = proxy.bulks()
    assert [b.ids for b in bulks if set(b.ids) & set(bulks[1].held_back)][1:] == [bulks[1].held_back]
    assert retries(m) == {"429": 3}
    assert metric_sum(m, "sluice_events_sent_total", output="es") == n - len(conflicts)
    assert metric_sum(m, "sluice_events_failed_total", output="es") == len(conflicts)
    assert metric_sum(m, "sluice_dead_letter_events_total", output="es") == len(conflicts)
    assert metric_sum(m, "sluice_dead_letter_errors_total", output="es") == 0
    assert agent.stop() == 0


def test_item_refused_past_max_elapsed_becomes_a_dead_letter(tmp_path, opensearch, sluice,
                                                            index_prefix, proxy):
    """retry.max_elapsed: one event answered 429 on every attempt is retried until the
    limit, then written to the dead-letter file with reason retries_exhausted; the
    other events are indexed once and the pipeline moves on."""
    n = 50
    dead = tmp_path / "dead.ndjson"
    stuck: list[str] = []

    def always_refuse_one(request):
        if request.bulk_number == 1:
            stuck.append(request.ids[7])
        if stuck and stuck[0] in request.ids:
            return ItemErrors({request.ids.index(stuck[0]): 429})
        return None
    proxy.rule(always_refuse_one)
    agent = start_agent(tmp_path, sluice, opensearch, proxy.url, index_prefix, n,
                        retry={"initial": "50ms", "max": "200ms", "max_elapsed": "2s"},
                        dead_letter={"type": "file", "path": str(dead)})
    m = agent.until(lambda: (lambda m: m if metric_sum(m, "sluice_dead_letter_events_total",
                                                         output="es") == 1 else None)(agent.metrics()),
                    60, 0.2, "the stuck event dead-lettered")
    records = [json.loads(line) for line in dead.read_text().splitlines()]
    assert len(records) == 1 and records[0]["event_id"] == stuck[0], records
    assert records[0]["reason"] == "retries_exhausted" and records[0]["status"] == 429
    assert "es_rejected_execution_exception" in records[0]["detail"]
    settle(agent, 30)
    assert opensearch.count(index_prefix + "-*") == n - 1
    attempts = [b for b in proxy.bulks() if stuck[0] in b.ids]
    assert len(attempts) >= 5, "retried with backoff until the limit, not given up at once"
    assert metric_sum(agent.metrics(), "sluice_events_failed_total", output="es",
                      reason="retries_exhausted") == 1
    assert agent.stop() == 0
