"""TLS to Elasticsearch through a real TLS-terminating nginx (tls_proxy.py) in
front of the OpenSearch test node: a private CA, mutual TLS with an encrypted
client key, an untrusted certificate, `verify: false`, `server_name`, and
`sluice validate` on a missing CA file."""

from __future__ import annotations

import json
import re
import ssl
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from support import append, base_config, es_output, file_input, run_sluice
from tls_proxy import CLIENT_KEY_PASSWORD, Certificates, TlsProxy, make_certificates

EVENTS = 50


@pytest.fixture(scope="module")
def certs(tmp_path_factory) -> Certificates:
    return make_certificates(tmp_path_factory.mktemp("tls-certs"))


@pytest.fixture
def tls_proxy(tmp_path, opensearch):
    """Starts nginx proxies to the OpenSearch node; stops them at teardown."""
    proxies: list[TlsProxy] = []

    def start(certificates: Certificates, require_client_cert: bool = False) -> TlsProxy:
        proxy = TlsProxy(tmp_path / f"nginx{len(proxies) + 1}", opensearch.url, certificates,
                         require_client_cert)
        proxies.append(proxy)
        return proxy

    yield start
    for proxy in proxies:
        proxy.stop()


def write_logs(tmp_path: Path) -> str:
    logs = tmp_path / "logs"
    logs.mkdir()
    append(logs / "app.log", "".join(
        json.dumps({"level": "info", "msg": f"over tls {i}"}) + "\n" for i in range(EVENTS)))
    return str(logs / "*.log")


def tls_config(tmp_path: Path, logs: str, host: str, index: str, tls: dict | None,
               state: str = "state") -> dict:
    out = es_output(host, index, retry={"initial": "100ms", "max": "1s"})
    if tls is not None:
        out["tls"] = tls
    return base_config(tmp_path, [file_input([logs])], [out], state_dir=tmp_path / state)


def is_tls_error(record: dict) -> bool:
    return record["log"]["level"] == "ERROR" and "TLS connection failed" in record["log"]["message"]


def test_events_indexed_through_nginx_with_private_ca(tmp_path, opensearch, sluice, index_prefix,
                                                      tls_proxy, certs):
    proxy = tls_proxy(certs)
    index = index_prefix + "-ca"
    agent = sluice(tls_config(tmp_path, write_logs(tmp_path), proxy.url, index,
                              {"ca": str(certs.ca)}))
    agent.until(lambda: opensearch.count(index) >= EVENTS, 60, 0.3, f"{EVENTS} documents")
    agent.until(lambda: agent.get("/ready")[0] == 200, 30, 0.2, "/ready == 200")
    assert opensearch.count(index) == EVENTS
    assert any('"POST /_bulk HTTP/1.1" 200' in line for line in proxy.access_log()), \
        "the events did not go through nginx:\n" + "\n".join(proxy.access_log())


def https_get(url: str, context: ssl.SSLContext) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, context=context, timeout=10) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()


def test_mutual_tls_with_encrypted_client_key(tmp_path, opensearch, sluice, index_prefix,
                                              tls_proxy, certs):
    proxy = tls_proxy(certs, require_client_cert=True)
    # nginx really demands a client certificate.
    status, body = https_get(proxy.url + "/", ssl.create_default_context(cafile=str(certs.ca)))
    assert status == 400 and b"No required SSL certificate" in body, (status, body)

    index = index_prefix + "-mtls"
    host = f"https://localhost:{proxy.port}"  # checked against the certificate's DNS name
    logs = write_logs(tmp_path)
    tls = {"ca": str(certs.ca), "cert": str(certs.client_cert),
           "key": str(certs.client_key_encrypted), "key_password": "not-the-passphrase"}
    wrong = sluice(tls_config(tmp_path, logs, host, index, tls, state="state-wrong"), name="wrong")
    error = wrong.wait_for_log(is_tls_error, 30)
    assert "private key" in error["error"], error
    assert "not-the-passphrase" not in wrong.stderr_text()
    wrong.kill()

    tls["key_password"] = CLIENT_KEY_PASSWORD
    agent = sluice(tls_config(tmp_path, logs, host, index, tls))
    agent.until(lambda: opensearch.count(index) >= EVENTS, 60, 0.3, f"{EVENTS} documents")
    assert opensearch.count(index) == EVENTS
    assert CLIENT_KEY_PASSWORD not in agent.stderr_text() + agent.stdout_text()

    checked = run_sluice("validate", "-c", str(agent.config_path))
    assert checked.returncode == 0, checked.stderr
    assert CLIENT_KEY_PASSWORD not in checked.stdout + checked.stderr


def test_untrusted_certificate_is_a_clear_error_and_not_ready(tmp_path, opensearch, sluice,
                                                              index_prefix, tls_proxy, certs):
    proxy = tls_proxy(certs)
    index = index_prefix + "-untrusted"
    # No `tls`: the system CA store, which does not know the test CA.
    agent = sluice(tls_config(tmp_path, write_logs(tmp_path), proxy.url, index, None))
    error = agent.wait_for_log(is_tls_error, 30)
    assert error["host"] == proxy.url, error
    assert error["output"] == "es", error
    assert "SSL certificate problem: unable to get local issuer certificate" in error["error"], error
    # It keeps trying (nginx sees handshake after handshake refused), stays
    # not ready and delivers nothing.
    def refused_handshakes() -> int:
        return sum("SSL_do_handshake() failed" in line for line in proxy.error_log())

    agent.until(lambda: refused_handshakes() >= 3, 30, 0.2, "three refused TLS handshakes")
    assert agent.get("/ready")[0] != 200
    assert agent.running()
    assert agent.metric("sluice_events_sent_total", output="es") == 0
    assert opensearch.count(index) == 0


def test_verify_off_indexes_and_warns(tmp_path, opensearch, sluice, index_prefix, tls_proxy,
                                      certs):
    proxy = tls_proxy(certs)
    index = index_prefix + "-noverify"
    agent = sluice(tls_config(tmp_path, write_logs(tmp_path), proxy.url, index,
                              {"verify": False}))
    warning = agent.wait_for_log(lambda r: r["log"]["level"] == "WARN" and r["log"][
        "message"].startswith("TLS verification is off: "), 10)
    assert warning["output"] == "es"
    agent.until(lambda: opensearch.count(index) >= EVENTS, 60, 0.3, f"{EVENTS} documents")
    assert opensearch.count(index) == EVENTS


def test_server_name_is_the_name_checked(tmp_path, opensearch, sluice, index_prefix, tls_proxy):
    # A certificate for a DNS name only: the URL's 127.0.0.1 does not match it.
    named = make_certificates(tmp_path / "named-certs", ("opensearch.test",), ())
    proxy = tls_proxy(named)
    index = index_prefix + "-named"
    logs = write_logs(tmp_path)
    wrong = sluice(tls_config(tmp_path, logs, proxy.url, index, {"ca": str(named.ca)}), name="ip")
    error = wrong.wait_for_log(is_tls_error, 30)
    assert "'127.0.0.1'" in error["error"], error
    wrong.kill()  # a graceful stop would wait shutdown_timeout for the undelivered events

    agent = sluice(tls_config(tmp_path, logs, proxy.url, index,
                              {"ca": str(named.ca), "server_name": "opensearch.test"},
                              state="state-named"), name="named")
    agent.until(lambda: opensearch.count(index) >= EVENTS, 60, 0.3, f"{EVENTS} documents")
    assert opensearch.count(index) == EVENTS
    assert not [r for r in agent.log_records() if is_tls_error(r)]


def test_validate_rejects_missing_ca_file(tmp_path):
    missing = tmp_path / "no-such-ca.pem"
    conf = tmp_path / "tls.yml"
    conf.write_text(f"""\
inputs:
  - {{id: app, type: stdin}}
outputs:
  - id: es
    type: elasticsearch
    hosts: ["https://127.0.0.1:9200"]
    tls:
      ca: {missing}
      verify: true
""")
    r = run_sluice("validate", "-c", str(conf))
    assert r.returncode == 1, r.stdout + r.stderr
    expected = (f'{conf}:8:11: outputs[0].tls.ca: cannot read "{missing}": '
                "No such file or directory")
    assert re.search("^" + re.escape(expected) + "$", r.stderr, re.M), r.stderr
