"""Replays do not duplicate (deterministic _id + `create`); restarts resume from the checkpoint."""

from __future__ import annotations


import json

from support import append, base_config, es_output, file_input, metric_sum

N = 2000


def write_lines(path, start: int, n: int) -> None:
    append(path, "".join(json.dumps({"seq": i, "msg": f"replay {i}", "service": "replay",
                                     "level": "info"}) + "\n" for i in range(start, start + n)))


def delivered(agent) -> float:
    """Events the output is done with: sent plus failed (a `create` conflict may count either way)."""
    m = agent.metrics()
    return metric_sum(m, "sluice_events_sent_total", output="es") + \
        metric_sum(m, "sluice_events_failed_total", output="es")


def test_replay_no_duplicates(tmp_path, opensearch, sluice, index_prefix):
    log = tmp_path / "app.log"
    write_lines(log, 0, N)
    pattern = index_prefix + "-*"
    index = index_prefix + "-{service.name}"

    first = sluice(base_config(tmp_path, [file_input([str(log)])], [es_output(opensearch.url, index)],
                               state_dir=tmp_path / "state-1"))
    first.until(lambda: opensearch.count(pattern) == N, 90, 0.5, f"{N} documents from the first run")
    first.until(lambda: first.metric("sluice_events_sent_total", output="es") >= N, 30, 0.2, "first run: sent == N")
    assert first.stop() == 0
    ids_before = {h["_id"] for h in opensearch.search(pattern, size=N)}
    assert len(ids_before) == N

    # Fresh state: the same file is read again from the beginning.
    second = sluice(base_config(tmp_path, [file_input([str(log)])], [es_output(opensearch.url, index)],
                                state_dir=tmp_path / "state-2"))
    second.until(lambda: second.metric("sluice_events_received_total", input="app") == N, 60, 0.2,
               "second run: all lines read again")
    second.until(lambda: delivered(second) >= N, 60, 0.2, "second run: every event acknowledged")
    assert opensearch.count(pattern) == N, "a replay of the same file must not duplicate documents"
    ids_after = {h["_id"] for h in opensearch.search(pattern, size=N)}
    assert ids_after == ids_before
    assert second.running()
    assert second.stop() == 0
    # Conflicts on replay are not errors to log at ERROR level for every event.
    errors = [r for r in second.log_records() if r.get("log", {}).get("level") == "ERROR"]
    assert len(errors) < 10, f"{len(errors)} ERROR log lines for a harmless replay: {errors[:3]}"


def test_restart_resumes_from_checkpoint(tmp_path, opensearch, sluice, index_prefix):
    log = tmp_path / "app.log"
    write_lines(log, 0, 100)
    pattern = index_prefix + "-*"
    cfg = base_config(tmp_path, [file_input([str(log)])],
                      [es_output(opensearch.url, index_prefix + "-{service.name}")])
    first = sluice(cfg)
    first.until(lambda: opensearch.count(pattern) == 100, 60, 0.3, "100 documents")
    first.until(lambda: first.metric("sluice_events_sent_total", output="es") >= 100, 30, 0.2, "sent == 100")
    assert first.stop() == 0

    write_lines(log, 100, 10)          # written while sluice is down
    second = sluice(cfg)
    second.until(lambda: opensearch.count(pattern) == 110, 60, 0.3, "the 10 lines written while down")
    second.until(lambda: second.metric("sluice_events_sent_total", output="es") >= 10, 30, 0.2, "sent >= 10")
    m = second.metrics()
    assert metric_sum(m, "sluice_events_received_total", input="app") == 10, \
        "after a clean stop the second run must resume at the checkpoint, not re-read the file"
    assert metric_sum(m, "sluice_events_sent_total", output="es") == 10
    assert second.stop() == 0
