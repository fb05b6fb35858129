"""type: container: CRI and Docker json-file logs of Kubernetes pods, end to end.

Each record's inner line is normalized like a file line; the runtime's stream
and time are kept; Kubernetes metadata comes from the path; CRI partial lines
are joined; a record that cannot be decoded is shipped whole and tagged.
"""

from __future__ import annotations

import json
import os

from support import append, base_config, es_output, file_input

CONTAINER_ID = "4f9a" * 16
POD_UID = "0b9c6e1e-3e5f-4f6b-9b7a-1234567890ab"


def make_pod_log(root, namespace: str, pod: str, container: str) -> tuple:
    """The kubelet's layout: /var/log/pods/<ns>_<pod>_<uid>/<container>/0.log, and the
    /var/log/containers/<pod>_<ns>_<container>-<id>.log symlink to it."""
    pod_dir = root / "pods" / f"{namespace}_{pod}_{POD_UID}" / container
    pod_dir.mkdir(parents=True)
    target = pod_dir / "0.log"
    target.write_text("")
    links = root / "containers"
    links.mkdir(exist_ok=True)
    link = links / f"{pod}_{namespace}_{container}-{CONTAINER_ID}.log"
    os.symlink(target, link)
    return target, link


def by_message(opensearch, pattern: str) -> dict[str, dict]:
    return {h["_source"]["log"]["message"]: h["_source"] for h in opensearch.search(pattern, size=100)}


def test_cri_log_is_decoded_joined_and_enriched(tmp_path, opensearch, sluice, index_prefix):
    target, link = make_pod_log(tmp_path, "shop", "api-7d4b9c-x2x4q", "api")
    app_line = json.dumps({"level": "error", "msg": "payment failed", "trace_id": "4BF92F3577B34DA6A3CE929D0E0E4736",
                           "service": "payments"})
    target.write_text(
        f"2024-01-15T10:30:00.123456789Z stdout F {app_line}\n"
        "2024-01-15T10:30:01.000000000Z stderr P progress: 10% \n"
        "2024-01-15T10:30:01.500000000Z stdout F plain stdout line\n"
        "2024-01-15T10:30:02.000000000Z stderr F done\n"
        "not a container record\n")
    pattern = index_prefix + "-*"
    inp = file_input([str(tmp_path / "containers" / "*.log")], type="container")
    inp["id"] = "k8s"
    agent = sluice(base_config(tmp_path, [inp],
                               [es_output(opensearch.url, index_prefix + "-{service.name}")]))
    agent.until(lambda: opensearch.count(pattern) == 4, 60, 0.3, "4 events")
    docs = by_message(opensearch, pattern)

    app = docs["payment failed"]
    assert app["log"]["level"] == "ERROR"
    assert app["trace"]["id"] == "4bf92f3577b34da6a3ce929d0e0e4736"
    assert app["service"]["name"] == "payments"
    assert app["log"]["iostream"] == "stdout"
    assert app["kubernetes"]["namespace"] == "shop"
    assert app["kubernetes"]["pod"]["name"] == "api-7d4b9c-x2x4q"
    assert app["kubernetes"]["container"]["name"] == "api"
    assert app["container"]["id"] == CONTAINER_ID
    assert app["log"]["offset"] == 0

    joined = docs["progress: 10% done"]  # a P piece and its F piece on stderr
    assert joined["log"]["iostream"] == "stderr"
    assert joined["@timestamp"] == "2024-01-15T10:30:01Z" or joined["@timestamp"].startswith(
        "2024-01-15T10:30:01.000"), "the runtime's time of the first piece"

    plain = docs["plain stdout line"]
    assert plain["@timestamp"].startswith("2024-01-15T10:30:01.5")
    assert "unparsed" in plain["tags"]

    bad = docs["not a container record"]
    assert "container_parse_error" in bad["tags"]


def test_docker_json_file_log(tmp_path, opensearch, sluice, index_prefix):
    target, _ = make_pod_log(tmp_path, "default", "web-5c9f", "nginx")
    records = [
        {"log": json.dumps({"msg": "started", "level": 30}) + "\n", "stream": "stdout",
         "time": "2024-01-15T10:30:00.000000001Z"},
        {"log": "a long line in ", "stream": "stdout", "time": "2024-01-15T10:30:01Z"},
        {"log": "two pieces\n", "stream": "stdout", "time": "2024-01-15T10:30:01.1Z"},
        {"log": "caf\u00e9 \"quoted\"\n", "stream": "stderr", "time": "2024-01-15T10:30:02Z"},
    ]
    target.write_text("".join(json.dumps(r) + "\n" for r in records))
    pattern = index_prefix + "-*"
    inp = file_input([str(tmp_path / "containers" / "*.log")], type="container")
    inp["id"] = "k8s"
    agent = sluice(base_config(tmp_path, [inp], [es_output(opensearch.url, index_prefix + "-docker")]))
    agent.until(lambda: opensearch.count(pattern) == 3, 60, 0.3, "3 events")
    docs = by_message(opensearch, pattern)
    assert docs["started"]["log"]["level"] == "INFO"
    assert docs["a long line in two pieces"]["log"]["iostream"] == "stdout"
    assert docs['café "quoted"']["log"]["iostream"] == "stderr"
    assert all(d["kubernetes"]["namespace"] == "default" for d in docs.values())

    # Appended records arrive; a restart resumes without duplicates.
    append(target, json.dumps({"log": "after\n", "stream": "stdout", "time": "2024-01-15T10:31:00Z"}) + "\n")
    agent.until(lambda: opensearch.count(pattern) == 4, 60, 0.3, "the appended record")
    assert agent.stop() == 0
    agent2 = sluice(base_config(tmp_path, [inp], [es_output(opensearch.url, index_prefix + "-docker")]))
    append(target, json.dumps({"log": "after restart\n", "stream": "stdout", "time": "2024-01-15T10:32:00Z"}) + "\n")
    agent2.until(lambda: opensearch.count(pattern) == 5, 60, 0.3, "the record written after the restart")
    agent2.until(lambda: agent2.metric("sluice_events_received_total", input="k8s") == 1, 30, 0.3,
                 "only the new record read after the restart")


def test_cri_stack_traces_join_per_stream_and_checkpoint_to_the_end(tmp_path, opensearch, sluice,
                                                                    index_prefix):
    """multiline on a container input: each stream's trace joins on its own,
    interleaved with the other stream, and once every event has shipped the
    checkpoint covers the whole file (a restart reads nothing again)."""
    target, _ = make_pod_log(tmp_path, "shop", "api-7d4b9c-x2x4q", "api")
    t = "2024-01-15T10:30:00.000000000Z"
    target.write_text(
        f"{t} stdout F 2024-01-15 10:30:00,001 ERROR [main] c.e.Api - request failed\n"
        f"{t} stderr F 2024-01-15 10:30:00,002 WARN [gc] c.e.Gc - pause\n"
        f"{t} stdout F java.lang.IllegalStateException: boom\n"
        f"{t} stdout F \tat c.e.Api.handle(Api.java:42)\n"
        f"{t} stderr F \tat c.e.Gc.run(Gc.java:7)\n"
        f"{t} stdout F \tat c.e.Main.main(Main.java:3)\n"
        f"{t} stdout F 2024-01-15 10:30:01,000 INFO [main] c.e.Api - next request\n")
    pattern = index_prefix + "-*"
    inp = file_input([str(tmp_path / "containers" / "*.log")], type="container",
                     multiline={"type": "java", "timeout": "300ms"})
    inp["id"] = "k8s"
    agent = sluice(base_config(tmp_path, [inp], [es_output(opensearch.url, index_prefix + "-ml")]))
    agent.until(lambda: opensearch.count(pattern) == 3, 60, 0.3, "3 events")
    docs = by_message(opensearch, pattern)
    assert set(docs) == {"request failed", "pause", "next request"}, sorted(docs)
    assert docs["request failed"]["error"]["stack_trace"] == (
        "java.lang.IllegalStateException: boom\n\tat c.e.Api.handle(Api.java:42)\n"
        "\tat c.e.Main.main(Main.java:3)")
    assert docs["pause"]["error"]["stack_trace"] == "\tat c.e.Gc.run(Gc.java:7)"
    size = target.stat().st_size

    def covered():
        path = tmp_path / "state" / "checkpoints" / "k8s.ndjson"
        return path.exists() and any(json.loads(x).get("offset") == size
                                     for x in path.read_text().splitlines() if x.strip())

    agent.until(covered, 30, 0.3, "a checkpoint at the end of the file")
    assert agent.stop() == 0
    agent2 = sluice(base_config(tmp_path, [inp], [es_output(opensearch.url, index_prefix + "-ml")]))
    append(target, f"{t} stdout F 2024-01-15 10:30:02,000 INFO [main] c.e.Api - after restart\n")
    agent2.until(lambda: opensearch.count(pattern) == 4, 60, 0.3, "the line written after the restart")
    agent2.until(lambda: agent2.metric("sluice_events_received_total", input="k8s") == 1, 30, 0.3,
                 "only the new line read after the restart")
    assert opensearch.count(pattern) == 4
