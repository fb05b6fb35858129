"""The kafka input (aggregator side) against the session's Kafka 4 broker and OpenSearch.

Messages are written the way sluice's kafka output writes them (the event's document as the
value, headers `sluice-id` and `sluice-ts`) with kafka_produce.py, which the launcher's
`produce` helper cannot do (no headers); foreign messages (no headers, not JSON) with that
helper.

* every message indexed exactly once under its sluice-id, the group's offsets committed to the
  end, routes from the documents, the index date from sluice-ts;
* messages without sluice headers, or that are not JSON objects, still indexed (derived ids,
  json_error), the same ids when another group reads them again;
* two aggregators of one group share the partitions; exactly N indexed;
* an aggregator killed with SIGKILL while it holds delivered but uncommitted messages: its
  successor reads them again, they overwrite themselves: exactly N;
* OpenSearch unreachable: the consumer pauses (lag > 0) but stays in the group past
  max.poll.interval.ms, commits nothing undelivered (also when killed), then drains;
* a rebalance while paused (revoke from inside the wait, after revoke_timeout): exactly N;
* edge sluice (stdin -> kafka output) -> aggregator sluice -> OpenSearch: _id == sluice-id.
"""

from __future__ import annotations

import json
import random
import uuid
from pathlib import Path

from kafka_produce import Record, produce
from kafka_support import Kafka
from support import TcpRelay, base_config, es_output, free_port, metric_sum

_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
# 2026-01-15T10:00:00Z: a day the index names can be checked against.
DAY_NS = 1768471200 * 1_000_000_000

# A dead consumer leaves the group after session.timeout.ms: keep it short (the broker's
# group.min.session.timeout.ms is 6 s); a consumer that stops polling is evicted after
# max.poll.interval.ms.
FAST_GROUP = {"session.timeout.ms": 6000, "heartbeat.interval.ms": 500,
              "max.poll.interval.ms": 10000, "auto.commit.interval.ms": 1000}


def event_id(n: int) -> str:
    """A sluice event id as EventId::appendTo writes it: 128 bits, 6 at a time, low first."""
    return "".join(_ALPHABET[(n >> (6 * i)) & 63] for i in range(22))


def edge_document(seq: int, service: str) -> dict:
    return {"@timestamp": "2026-01-15T10:00:00.000Z",
            "service": {"name": service, "tier": "gateway"},
            "log": {"level": "INFO", "message": f"event {seq}"},
            "seq": seq, "pad": "x" * 200}


def produce_events(kafka: Kafka, topic: str, count: int, partitions: int = 3,
                   start: int = 0) -> dict[str, int]:
    """``count`` edge events spread over the partitions; returns {sluice-id: seq}."""
    rng = random.Random(f"{topic}:{start}")
    records, ids = [], {}
    for seq in range(start, start + count):
        eid = event_id(rng.getrandbits(128))
        ids[eid] = seq
        doc = edge_document(seq, f"svc-{seq % 2}")
        records.append(Record(seq % partitions, json.dumps(doc).encode(),
                              [("sluice-id", eid.encode()),
                               ("sluice-ts", str(DAY_NS + seq).encode())]))
    produce(kafka.bootstrap, topic, records)
    return ids


def new_topic(kafka: Kafka, partitions: int = 3) -> str:
    topic = f"edge.{uuid.uuid4().hex[:10]}"
    kafka.create_topic(topic, partitions)
    return topic


def end_offsets(kafka: Kafka, topic: str) -> dict[tuple[str, int], int]:
    ends: dict[tuple[str, int], int] = {}
    for r in kafka.consume(topic):
        key = (topic, r["partition"])
        ends[key] = max(ends.get(key, 0), r["offset"] + 1)
    return ends


def aggregator_config(tmp_path: Path, name: str, kafka: Kafka, topic: str, group: str,
                      es_url: str, index: str, librdkafka: dict | None = None,
                      **pipeline) -> dict:
    inp = {"id": "from-edge", "type": "kafka", "brokers": [kafka.bootstrap], "topics": [topic],
           "group_id": group, "revoke_timeout": "5s",
           "librdkafka": {**FAST_GROUP, **(librdkafka or {})}}
    out = es_output(es_url, index, interval="200ms", retry={"initial": "100ms", "max": "1s"})
    cfg = base_config(tmp_path, [inp], [out], state_dir=tmp_path / f"state-{name}")
    if pipeline:
        cfg["pipeline"] = pipeline
    return cfg


def log_messages(agent, message: str) -> list[dict]:
    return [r for r in agent.log_records() if r.get("log", {}).get("message") == message]


def current_assignment(agent) -> int:
    """Partitions the agent owns now, from its assigned/revoked log records."""
    owned = 0
    for r in agent.log_records():
        msg = r.get("log", {}).get("message")
        if msg == "partitions assigned":
            owned = int(r["count"])
        elif msg == "partitions revoked":
            owned = 0
    return owned


def indexed_ids(opensearch, pattern: str, expected: int) -> list[str]:
    # OpenSearch answers at most 10,000 hits (index.max_result_window).
    hits = opensearch.search(pattern, size=min(expected + 100, 10000), sort=["_doc"])
    return [h["_id"] for h in hits]


def test_edge_events_indexed_once_under_their_ids(tmp_path, sluice, kafka, opensearch, index_prefix):
    n = 3000
    topic = new_topic(kafka)
    ids = produce_events(kafka, topic, n)
    group = f"g-{uuid.uuid4().hex[:8]}"
    agent = sluice(aggregator_config(tmp_path, "a", kafka, topic, group, opensearch.url,
                                     index_prefix + "-{service.name}-{+yyyy.MM.dd}"))

    pattern = index_prefix + "-*"
    agent.until(lambda: opensearch.count(pattern) >= n, 90, 0.5,
                lambda: f"{n} documents (have {opensearch.count(pattern)})")
    got = indexed_ids(opensearch, pattern, n)
    assert len(got) == n and set(got) == set(ids), "each event once, under its sluice-id"
    # Routes come from the documents, the date from sluice-ts.
    assert opensearch.indices(pattern) == [f"{index_prefix}-svc-0-2026.01.15",
                                           f"{index_prefix}-svc-1-2026.01.15"]
    hit = opensearch.search(pattern, {"term": {"seq": 7}})[0]
    assert hit["_id"] == next(i for i, s in ids.items() if s == 7)
    assert hit["_source"] == edge_document(7, "svc-1"), "the document is indexed as the edge wrote it"

    # Offsets are committed once delivered: to the end of every partition.
    ends = end_offsets(kafka, topic)
    agent.until(lambda: kafka.committed_offsets(group) == ends, 60, 1.0,
                lambda: f"committed offsets {kafka.committed_offsets(group)} to reach {ends}")
    m = agent.until(lambda: (lambda m: m if metric_sum(m, "sluice_kafka_consumer_lag") == 0
                             and metric_sum(m, "sluice_events_sent_total") == n else None)(
        agent.metrics()), 30, 0.5, "lag 0 and every event sent")
    assert metric_sum(m, "sluice_events_received_total", input="from-edge") == n
    assert metric_sum(m, "sluice_kafka_messages_total", input="from-edge") == n
    assert metric_sum(m, "sluice_kafka_decode_errors_total", input="from-edge") == 0
    assert metric_sum(m, "sluice_kafka_derived_ids_total", input="from-edge") == 0
    assert metric_sum(m, "sluice_kafka_rebalances_total", input="from-edge", kind="assign") == 1
    assert {k for k in m if k.startswith("sluice_kafka_consumer_lag{")} == {
        f'sluice_kafka_consumer_lag{{input="from-edge",partition="{p}",topic="{topic}"}}'
        for p in range(3)}
    assert agent.stop() == 0
    assert kafka.committed_offsets(group) == ends


def test_foreign_messages_are_indexed_with_derived_ids(tmp_path, sluice, kafka, opensearch,
                                                       index_prefix):
    """Messages not written by sluice: a JSON object without headers keeps its document and gets
    an id from topic/partition/offset; text that is not a JSON object is shipped as the message
    of an event tagged json_error. Read again by another group: the same ids, nothing new."""
    topic = new_topic(kafka, partitions=1)
    values = [json.dumps({"service": {"name": "foreign"}, "msg": "from another producer"}),
              "plain text, not json", '{"broken": ', "[1, 2, 3]"]
    kafka.produce(topic, values)
    pattern = index_prefix + "-*"

    def run(group: str, name: str) -> list[dict]:
        agent = sluice(aggregator_config(tmp_path, name, kafka, topic, group, opensearch.url,
                                         index_prefix + "-{service.name}"), name=name)
        agent.until(lambda: metric_sum(agent.metrics(), "sluice_events_sent_total") == len(values),
                    60, 0.5, "every message sent")
        m = agent.metrics()
        assert metric_sum(m, "sluice_kafka_derived_ids_total") == len(values)
        assert metric_sum(m, "sluice_kafka_decode_errors_total", reason="not_json_object") == 3
        assert metric_sum(m, "sluice_parse_events_total", result="json_error") == 3
        assert any(r.get("log", {}).get("level") == "WARN" and "not a JSON object" in
                   r["log"]["message"] for r in agent.log_records())
        assert agent.stop() == 0
        return opensearch.search(pattern, size=100, sort=["_doc"])

    first = run(f"g-{uuid.uuid4().hex[:8]}", "first")
    assert len(first) == len(values)
    by_offset = {}
    for h in first:
        src = h["_source"]
        assert len(h["_id"]) == 22
        if h["_index"].endswith("-foreign"):
            assert src == json.loads(values[0])
            by_offset[0] = h["_id"]
        else:
            assert h["_index"] == f"{index_prefix}-unknown"
            assert src["tags"] == ["json_error"]
            assert src["kafka"]["topic"] == topic and src["kafka"]["partition"] == 0
            assert src["log"]["message"] == values[src["kafka"]["offset"]]
            by_offset[src["kafka"]["offset"]] = h["_id"]
    assert sorted(by_offset) == [0, 1, 2, 3]

    second = run(f"g-{uuid.uuid4().hex[:8]}", "second")
    assert sorted(h["_id"] for h in second) == sorted(by_offset.values()), \
        "a replay derives the same ids: documents are overwritten, not duplicated"


def test_two_aggregators_share_the_partitions(tmp_path, sluice, kafka, opensearch, index_prefix):
    n = 4000
    topic = new_topic(kafka, partitions=4)
    group = f"g-{uuid.uuid4().hex[:8]}"
    index = index_prefix + "-{service.name}"
    a = sluice(aggregator_config(tmp_path, "a", kafka, topic, group, opensearch.url, index),
               name="a")
    a.until(lambda: current_assignment(a) == 4, 60, 0.2, "a owning all 4 partitions")
    b = sluice(aggregator_config(tmp_path, "b", kafka, topic, group, opensearch.url, index),
               name="b")
    a.until(lambda: current_assignment(b) > 0 and current_assignment(a) > 0
            and current_assignment(a) + current_assignment(b) == 4, 60, 0.2,
            "the partitions shared between a and b")

    ids = produce_events(kafka, topic, n, partitions=4)
    pattern = index_prefix + "-*"
    a.until(lambda: opensearch.count(pattern) >= n, 90, 0.5,
            lambda: f"{n} documents (have {opensearch.count(pattern)})")
    got = indexed_ids(opensearch, pattern, n)
    assert len(got) == n and set(got) == set(ids)
    received_a = a.metric("sluice_events_received_total", input="from-edge")
    received_b = b.metric("sluice_events_received_total", input="from-edge")
    assert received_a > 0 and received_b > 0, (received_a, received_b)
    assert received_a + received_b == n
    # a gave its partitions up once when b joined: a revoke, then a smaller assignment.
    assert a.metric("sluice_kafka_rebalances_total", kind="revoke") >= 1
    assert log_messages(a, "partitions revoked")
    assert a.stop() == 0
    assert b.stop() == 0


def test_killed_aggregator_is_replaced_without_loss_or_duplicates(tmp_path, sluice, kafka,
                                                                 opensearch, index_prefix):
    """a never commits (auto-commit every 10 min): once it is killed, what it delivered is read
    again by the others, and overwrites itself in OpenSearch."""
    n_first, n_second = 3000, 3000
    topic = new_topic(kafka)
    group = f"g-{uuid.uuid4().hex[:8]}"
    index = index_prefix + "-{service.name}"
    pattern = index_prefix + "-*"
    a = sluice(aggregator_config(tmp_path, "a", kafka, topic, group, opensearch.url, index,
                                 librdkafka={"auto.commit.interval.ms": 600000}), name="a")
    a.until(lambda: current_assignment(a) == 3, 60, 0.2, "a owning the partitions")
    ids = produce_events(kafka, topic, n_first)
    a.until(lambda: opensearch.count(pattern) >= n_first, 90, 0.5, "a delivered the first part")
    assert kafka.committed_offsets(group) == {}, "a has committed nothing yet"
    a.proc.kill()  # SIGKILL: no shutdown, no commit, no leaving the group
    a.proc.wait()

    ids.update(produce_events(kafka, topic, n_second, start=n_first))
    b = sluice(aggregator_config(tmp_path, "b", kafka, topic, group, opensearch.url, index),
               name="b")
    total = n_first + n_second
    b.until(lambda: opensearch.count(pattern) >= total and
            b.metric("sluice_events_sent_total") >= total, 120, 0.5,
            lambda: f"{total} documents (have {opensearch.count(pattern)})")
    got = indexed_ids(opensearch, pattern, total)
    assert len(got) == total and set(got) == set(ids)
    # b read a's part again: the group had no commit for it.
    assert b.metric("sluice_events_received_total", input="from-edge") == total
    ends = end_offsets(kafka, topic)
    b.until(lambda: kafka.committed_offsets(group) == ends, 60, 1.0, "offsets committed to the end")
    assert b.stop() == 0


def paused_agent(tmp_path, sluice, kafka, opensearch, index_prefix, name: str):
    """An aggregator whose OpenSearch is unreachable (a relay not started yet), with a 1 MiB
    in-flight budget and about 3 MB of events to read: it must pause."""
    n = 9000
    topic = new_topic(kafka)
    group = f"g-{uuid.uuid4().hex[:8]}"
    ids = produce_events(kafka, topic, n)
    relay = TcpRelay(free_port(), ("127.0.0.1", int(opensearch.url.rsplit(":", 1)[1])))
    agent = sluice(aggregator_config(tmp_path, name, kafka, topic, group,
                                     f"http://127.0.0.1:{relay.port}", index_prefix + "-{service.name}",
                                     max_in_flight="1MiB"), name=name)
    return agent, relay, topic, group, ids


def test_outage_pauses_without_eviction_then_drains(tmp_path, sluice, kafka, opensearch,
                                                    index_prefix):
    agent, relay, topic, group, ids = paused_agent(tmp_path, sluice, kafka, opensearch,
                                                   index_prefix, "a")
    try:
        # Paused on backpressure for longer than max.poll.interval.ms (10 s) ...
        agent.until(lambda: agent.metric("sluice_backpressure_seconds_total", input="from-edge") > 12,
                    60, 0.5, "over 12 s of backpressure")
        m = agent.metrics()
        assert metric_sum(m, "sluice_kafka_consumer_lag", input="from-edge") > 0
        # ... and still a member: polling went on while fetching was paused.
        assert metric_sum(m, "sluice_kafka_rebalances_total", kind="revoke") == 0
        assert metric_sum(m, "sluice_kafka_rebalances_total", kind="assign") == 1
        assert not any("max.poll" in json.dumps(r) for r in agent.log_records())
        assert metric_sum(m, "sluice_events_sent_total") == 0
        committed = kafka.committed_offsets(group)
        assert all(offset == 0 for offset in committed.values()), committed

        relay.start()
        pattern = index_prefix + "-*"
        agent.until(lambda: opensearch.count(pattern) >= len(ids), 120, 0.5,
                    lambda: f"{len(ids)} documents (have {opensearch.count(pattern)})")
        assert set(indexed_ids(opensearch, pattern, len(ids))) == set(ids)
        assert opensearch.count(pattern) == len(ids)
        ends = end_offsets(kafka, topic)
        agent.until(lambda: kafka.committed_offsets(group) == ends, 60, 1.0, "offsets at the end")
        agent.until(lambda: agent.metric("sluice_kafka_consumer_lag", input="from-edge") == 0, 30,
                    0.5, "lag 0")
        assert agent.metric("sluice_kafka_rebalances_total", kind="revoke") == 0
        assert agent.stop() == 0
    finally:
        relay.stop()


def test_crash_during_outage_commits_nothing_undelivered(tmp_path, sluice, kafka, opensearch,
                                                         index_prefix):
    agent, relay, topic, group, ids = paused_agent(tmp_path, sluice, kafka, opensearch,
                                                   index_prefix, "a")
    try:
        agent.until(lambda: agent.metric("sluice_backpressure_seconds_total", input="from-edge") > 2,
                    60, 0.5, "backpressure")
        # Let auto-commit (every second) run a few times: it must have nothing to commit.
        agent.until(lambda: agent.metric("sluice_backpressure_seconds_total", input="from-edge") > 5,
                    60, 0.5, "a few auto-commit intervals")
        agent.proc.kill()
        agent.proc.wait()
        ends = end_offsets(kafka, topic)
        committed = kafka.committed_offsets(group)
        assert all(committed.get(k, 0) == 0 for k in ends), (committed, ends)

        relay.start()
        successor = sluice(aggregator_config(tmp_path, "b", kafka, topic, group,
                                             f"http://127.0.0.1:{relay.port}",
                                             index_prefix + "-{service.name}"), name="b")
        pattern = index_prefix + "-*"
        successor.until(lambda: opensearch.count(pattern) >= len(ids), 120, 0.5,
                        lambda: f"{len(ids)} documents (have {opensearch.count(pattern)})")
        assert opensearch.count(pattern) == len(ids)
        successor.until(lambda: kafka.committed_offsets(group) == ends, 60, 1.0,
                        "offsets at the end")
        assert successor.stop() == 0
    finally:
        relay.stop()


def test_rebalance_while_paused(tmp_path, sluice, kafka, opensearch, index_prefix):
    """A second aggregator joins while the first waits for room (OpenSearch unreachable): the
    first gives its partitions up from inside the wait, after revoke_timeout, with batches still
    unacknowledged. Once OpenSearch is back, both deliver; what both read overwrites itself:
    exactly N, and the offsets end up committed to the end."""
    a, relay, topic, group, ids = paused_agent(tmp_path, sluice, kafka, opensearch,
                                               index_prefix, "a")
    try:
        a.until(lambda: a.metric("sluice_backpressure_seconds_total", input="from-edge") > 1,
                60, 0.2, "a paused")
        b = sluice(aggregator_config(tmp_path, "b", kafka, topic, group,
                                     f"http://127.0.0.1:{relay.port}",
                                     index_prefix + "-{service.name}"), name="b")
        a.until(lambda: current_assignment(b) > 0 and current_assignment(a) > 0
                and current_assignment(a) + current_assignment(b) == 3, 60, 0.2,
                "the partitions shared between a and b")
        assert a.metric("sluice_kafka_revoke_timeouts_total", input="from-edge") == 1
        assert a.metric("sluice_events_sent_total") == 0
        assert all(o == 0 for o in kafka.committed_offsets(group).values())

        relay.start()
        pattern = index_prefix + "-*"
        a.until(lambda: opensearch.count(pattern) >= len(ids), 120, 0.5,
                lambda: f"{len(ids)} documents (have {opensearch.count(pattern)})")
        assert set(indexed_ids(opensearch, pattern, len(ids))) == set(ids)
        ends = end_offsets(kafka, topic)
        a.until(lambda: kafka.committed_offsets(group) == ends, 60, 1.0, "offsets at the end")
        assert opensearch.count(pattern) == len(ids)
        received = (a.metric("sluice_events_received_total", input="from-edge")
                    + b.metric("sluice_events_received_total", input="from-edge"))
        assert received > len(ids), "b read again what a had sent but not delivered"
        assert a.stop() == 0
        assert b.stop() == 0
    finally:
        relay.stop()


def test_edge_agent_to_aggregator(tmp_path, sluice, kafka, opensearch, index_prefix):
    """The SPEC's scaling layout end to end: an edge sluice (stdin -> kafka output) and an
    aggregator sluice (kafka input -> OpenSearch). Every event is indexed once, under the id
    the edge gave it (its sluice-id header), with the document the edge normalized."""
    n = 2000
    topic = new_topic(kafka)
    lines = "".join(json.dumps({"ts": "2026-01-15T10:00:00Z", "level": "warn",
                                "msg": f"edge line {i}", "service": f"svc-{i % 3}"}) + "\n"
                    for i in range(n))
    edge = sluice(base_config(tmp_path, [{"id": "app", "type": "stdin"}],
                              [{"id": "bus", "type": "kafka", "brokers": [kafka.bootstrap],
                                "topic": topic, "key": "service.name"}],
                              state_dir=tmp_path / "state-edge"),
                  stdin=lines, name="edge")
    assert edge.wait(120) == 0
    produced = kafka.consume(topic)
    assert len(produced) == n
    by_id = {r["headers"]["sluice-id"]: json.loads(r["value"]) for r in produced}
    assert len(by_id) == n

    group = f"g-{uuid.uuid4().hex[:8]}"
    agg = sluice(aggregator_config(tmp_path, "agg", kafka, topic, group, opensearch.url,
                                   index_prefix + "-{service.name}-{+yyyy.MM.dd}"), name="agg")
    pattern = index_prefix + "-*"
    agg.until(lambda: opensearch.count(pattern) >= n, 90, 0.5,
              lambda: f"{n} documents (have {opensearch.count(pattern)})")
    hits = opensearch.search(pattern, size=n + 10)
    assert len(hits) == n
    assert {h["_id"] for h in hits} == set(by_id)
    for h in hits[:50]:
        assert h["_source"] == by_id[h["_id"]]
        assert h["_source"]["log"]["level"] == "WARN"
    assert opensearch.indices(pattern) == [f"{index_prefix}-svc-{k}-2026.01.15" for k in range(3)]
    assert agg.metric("sluice_kafka_derived_ids_total") == 0
    assert agg.stop() == 0
