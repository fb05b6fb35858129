"""A real TLS-terminating nginx in front of the plain-HTTP OpenSearch test node.

* ``make_certificates(directory)``: a throwaway CA, a server certificate signed
  by it (for ``server_names`` and ``ip_addresses``, by default localhost and
  127.0.0.1) and a client
  certificate, made with the ``openssl`` command; the client key is also
  written encrypted with ``CLIENT_KEY_PASSWORD`` (``Certificates.client_key_encrypted``).
* ``TlsProxy(directory, upstream, certs, require_client_cert=False)``: writes an
  nginx.conf into ``directory`` (pid, logs and temp paths there too), starts
  ``nginx -c CONF -p DIR`` in the foreground on a free 127.0.0.1 port, serving
  ``https://`` with the server certificate and proxying to ``upstream``; with
  ``require_client_cert`` nginx demands a client certificate signed by the CA
  (``ssl_verify_client on``). ``.url``, ``.port``, ``.access_log()``,
  ``.error_log()`` (failed handshakes are there), ``.stop()``; it is a context
  manager too.

nginx and openssl are found on PATH or in /usr/sbin (where Debian puts nginx);
when either is missing the test fails and says to run scripts/install-deps.
"""

from __future__ import annotations

import grp
import os
import pwd
import shutil
import socket
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

from support import free_port, wait_until

CLIENT_KEY_PASSWORD = "tls-test-key-passphrase-7c1d"


def find_program(name: str) -> str:
    """The path of ``name``, or fail the test saying how to install it."""
    path = os.environ.get("PATH", "") + os.pathsep + "/usr/sbin:/usr/local/sbin:/sbin"
    found = shutil.which(name, path=path)
    if found is None:
        pytest.fail(f"`{name}` not found (looked on PATH and in /usr/sbin): the TLS tests run a real "
                    f"{name}; run scripts/install-deps to install it", pytrace=False)
    return found


# --------------------------------------------------------------------------- certificates


@dataclass(frozen=True)
class Certificates:
    ca: Path
    server_cert: Path
    server_key: Path
    client_cert: Path
    client_key: Path
    client_key_encrypted: Path  # client_key under CLIENT_KEY_PASSWORD


def _openssl(directory: Path, *args: str) -> None:
    r = subprocess.run([find_program("openssl"), *args], cwd=directory, capture_output=True,
                       text=True, timeout=60)
    if r.returncode != 0:
        raise RuntimeError(f"openssl {' '.join(args)} failed ({r.returncode}):\n{r.stderr}")


def _signed(directory: Path, name: str, subject: str, extensions: str) -> None:
    """NAME.key and NAME.pem: an EC key and its certificate signed by the CA."""
    (directory / f"{name}.ext").write_text(extensions)
    _openssl(directory, "req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
             "-nodes", "-keyout", f"{name}.key", "-out", f"{name}.csr", "-subj", subject)
    _openssl(directory, "x509", "-req", "-in", f"{name}.csr", "-CA", "ca.pem", "-CAkey", "ca.key",
             "-set_serial", str(int.from_bytes(os.urandom(8), "big")), "-days", "2",
             "-extfile", f"{name}.ext", "-out", f"{name}.pem")


def make_certificates(directory: Path, server_names: tuple[str, ...] = ("localhost",),
                      ip_addresses: tuple[str, ...] = ("127.0.0.1",)) -> Certificates:
    directory.mkdir(parents=True, exist_ok=True)
    _openssl(directory, "req", "-x509", "-newkey", "ec", "-pkeyopt",
             "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", "ca.key", "-out", "ca.pem",
             "-days", "2", "-subj", "/CN=sluice throwaway test CA",
             "-addext", "basicConstraints=critical,CA:TRUE",
             "-addext", "keyUsage=critical,keyCertSign,cRLSign")
    alt_names = ",".join([f"DNS:{n}" for n in server_names] + [f"IP:{a}" for a in ip_addresses])
    _signed(directory, "server", f"/CN={server_names[0]}",
            f"subjectAltName={alt_names}\nextendedKeyUsage=serverAuth\n"
            "basicConstraints=critical,CA:FALSE\n")
    _signed(directory, "client", "/CN=sluice test client",
            "extendedKeyUsage=clientAuth\nbasicConstraints=critical,CA:FALSE\n")
    _openssl(directory, "pkey", "-in", "client.key", "-aes256", "-passout",
             f"pass:{CLIENT_KEY_PASSWORD}", "-out", "client-encrypted.key")
    return Certificates(ca=directory / "ca.pem", server_cert=directory / "server.pem",
                        server_key=directory / "server.key", client_cert=directory / "client.pem",
                        client_key=directory / "client.key",
                        client_key_encrypted=directory / "client-encrypted.key")


# --------------------------------------------------------------------------- nginx


def _user_directive() -> str:
    # nginx started as root switches its workers to `user` (nobody by
    # default), who cannot enter a 0700 pytest temp dir: keep them as the
    # current user. Started as anyone else it cannot switch and needs none.
    if os.geteuid() != 0:
        return ""
    return f"user {pwd.getpwuid(os.geteuid()).pw_name} {grp.getgrgid(os.getegid()).gr_name};\n"


def nginx_config(directory: Path, port: int, upstream: str, certs: Certificates,
                 require_client_cert: bool) -> str:
    client = (f"    ssl_client_certificate {certs.ca};\n    ssl_verify_client on;\n"
              if require_client_cert else "")
    return f"""{_user_directive()}daemon off;
worker_processes 1;
pid {directory}/nginx.pid;
error_log {directory}/error.log info;
events {{
  worker_connections 128;
}}
http {{
  access_log {directory}/access.log;
  client_body_temp_path {directory}/client_body;
  proxy_temp_path {directory}/proxy;
  fastcgi_temp_path {directory}/fastcgi;
  uwsgi_temp_path {directory}/uwsgi;
  scgi_temp_path {directory}/scgi;
  # Bulk bodies are megabytes; the default limit is 1m.
  client_max_body_size 0;
  server {{
    listen 127.0.0.1:{port} ssl;
    ssl_certificate {certs.server_cert};
    ssl_certificate_key {certs.server_key};
{client}    location / {{
      proxy_pass {upstream.rstrip('/')};
      proxy_http_version 1.1;
      proxy_set_header Connection "";
    }}
  }}
}}
"""


def _port_open(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
    except OSError:
        return False


class TlsProxy:
    """nginx serving https:// on 127.0.0.1 and proxying to ``upstream``."""

    def __init__(self, directory: Path, upstream: str, certs: Certificates,
                 require_client_cert: bool = False):
        self.directory = directory
        directory.mkdir(parents=True, exist_ok=True)
        nginx = find_program("nginx")
        last_error = ""
        for _ in range(3):  # a free port can be taken between probing and binding: retry
            self.port = free_port()
            self.conf = directory / "nginx.conf"
            self.conf.write_text(nginx_config(directory, self.port, upstream, certs,
                                              require_client_cert))
            self._stderr = open(directory / "nginx.stderr", "wb")
            # -e: the error log before the config is read (the built-in path may not be writable).
            self.proc = subprocess.Popen(
                [nginx, "-c", str(self.conf), "-p", str(directory), "-e",
                 str(directory / "error.log")],
                stdin=subprocess.DEVNULL, stdout=self._stderr, stderr=self._stderr)
            try:
                wait_until(lambda: self.proc.poll() is not None or _port_open(self.port), 20, 0.05,
                           "nginx to listen")
            except AssertionError:
                self.stop()
                raise
            if self.proc.poll() is None:
                self.url = f"https://127.0.0.1:{self.port}"
                return
            last_error = self.log_tail()
            self._stderr.close()
        raise RuntimeError(f"nginx did not start:\n{last_error}")

    def log_tail(self, lines: int = 30) -> str:
        text = ""
        for name in ("nginx.stderr", "error.log"):
            path = self.directory / name
            if path.exists():
                text += f"--- {name}\n" + "\n".join(
                    path.read_text(errors="replace").splitlines()[-lines:]) + "\n"
        return text

    def access_log(self) -> list[str]:
        return self._lines("access.log")

    def error_log(self) -> list[str]:
        """nginx's error log at level info: it has a line for each failed TLS handshake."""
        return self._lines("error.log")

    def _lines(self, name: str) -> list[str]:
        path = self.directory / name
        return path.read_text(errors="replace").splitlines() if path.exists() else []

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()  # SIGTERM: fast shutdown of master and workers
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self._stderr.close()

    def __enter__(self) -> "TlsProxy":
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

