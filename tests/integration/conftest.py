"""Fixtures for sluice's integration tests.

* ``opensearch`` (session): a real single-node OpenSearch started with
  ``tests/servers/opensearch`` on a free port in a temp dir, stopped at the end
  (also when tests fail).
* ``index_prefix``: a unique index prefix per test; its indices are deleted afterwards.
* ``sluice``: a factory that writes a YAML config into ``tmp_path``, starts
  ``build/sluice run -c CONFIG`` (or ``$SLUICE_BIN``) and returns a handle
  (see ``support.Sluice``); teardown kills what still runs and prints the
  agent's stderr tail when the test failed.
* ``kafka`` (session): a real single-node Kafka 4.x broker (KRaft) started with
  ``tests/servers/kafka`` on a free port (see ``kafka_support.Kafka``);
  ``kafka_topic``: a unique topic name per test.
* ``wait_until``: poll a function until it returns a truthy value or a deadline passes.
"""

from __future__ import annotations

import re
import sys
import uuid

import pytest

from kafka_support import start_kafka_on_free_port, stop_kafka
from support import (SluiceFactory, free_port, start_opensearch, stop_opensearch,
                     wait_until)


@pytest.fixture(name="wait_until")
def wait_until_fixture():
    return wait_until


@pytest.fixture(scope="session")
def opensearch(tmp_path_factory):
    directory = tmp_path_factory.mktemp("opensearch")
    last_err: Exception | None = None
    for _ in range(3):  # a free port can be taken between probing and binding: retry
        try:
            node = start_opensearch(directory, free_port())
            break
        except RuntimeError as e:
            last_err = e
            stop_opensearch(directory)
    else:
        raise RuntimeError(f"could not start OpenSearch: {last_err}")
    try:
        yield node
    finally:
        stop_opensearch(directory)


@pytest.fixture(scope="session")
def kafka(tmp_path_factory):
    """A real single-node Kafka 4.x broker (tests/servers/kafka), for the whole session."""
    directory = tmp_path_factory.mktemp("kafka")
    broker = start_kafka_on_free_port(directory)
    try:
        yield broker  # broker.bootstrap == "127.0.0.1:PORT"
    finally:
        stop_kafka(directory)


@pytest.fixture
def kafka_topic(request):
    """A unique topic name per test (create it with kafka.create_topic(name, n))."""
    name = re.sub(r"[^a-z0-9]+", "-", request.node.name.lower()).strip("-")[:40]
    return f"it-{name}-{uuid.uuid4().hex[:6]}"


@pytest.fixture
def index_prefix(request, opensearch):
    """A unique, lower-case index prefix for one test; its indices are deleted afterwards."""
    name = re.sub(r"[^a-z0-9]+", "-", request.node.name.lower()).strip("-")[:40]
    prefix = f"it-{name}-{uuid.uuid4().hex[:6]}"
    yield prefix
    try:
        opensearch.delete_indices(prefix + "-*")
    except Exception:  # noqa: BLE001 - cleanup only
        pass


@pytest.hookimpl(tryfirst=True, hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    rep = outcome.get_result()
    setattr(item, "rep_" + rep.when, rep)


@pytest.fixture
def sluice(request, tmp_path):
    factory = SluiceFactory(tmp_path)
    yield factory
    failed = any(getattr(request.node, f"rep_{w}", None) is not None
                 and getattr(request.node, f"rep_{w}").failed for w in ("setup", "call"))
    for s in factory.instances:
        was_running = s.running()
        s.kill()
        if failed:
            sys.stderr.write(f"\n----- {s.stderr_path.name} (exit {s.proc.returncode}, "
                             f"{'killed at teardown' if was_running else 'exited'}) -----\n")
            sys.stderr.write(s.stderr_tail(80) + "\n")


