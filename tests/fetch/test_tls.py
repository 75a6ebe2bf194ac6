"""HTTPS through the guard: the socket goes to the checked address while TLS still
verifies the certificate against the URL's host name. Needs the openssl tool to
make a throwaway certificate; skipped without it."""

from __future__ import annotations

import shutil
import ssl
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.fetch.conftest import HOST
from tests.loopback import LoopbackServer, Reply
from tidings.fetch import Fetcher, FetchError

pytestmark = pytest.mark.skipif(shutil.which("openssl") is None, reason="needs the openssl command")


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
         "-keyout", str(key), "-out", str(cert), "-days", "2", "-subj", "/CN=feed.test",
         "-addext", "subjectAltName=DNS:feed.test"],
        check=True, capture_output=True,
    )
    return cert, key


@pytest.fixture(scope="module")
def tls_server(certificate: tuple[Path, Path]) -> Iterator[LoopbackServer]:
    cert, key = certificate
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    server = LoopbackServer(host=HOST)
    server.httpd.socket = context.wrap_socket(server.httpd.socket, server_side=True)
    server.route("/feed.xml", Reply(body="<rss>secure</rss>", content_type="application/rss+xml"))
    with server:
        yield server


async def resolve(host: str, port: int) -> list[str]:
    return {"feed.test": [HOST], "impostor.test": [HOST]}[host]


async def test_https_to_pinned_address_verifies_the_host_name(tls_server, certificate, config):
    trust = ssl.create_default_context(cafile=str(certificate[0]))
    async with Fetcher(config, resolver=resolve, verify=trust) as fetcher:
        result = await fetcher.get(f"https://feed.test:{tls_server.port}/feed.xml", check_robots=False)
        assert result.text == "<rss>secure</rss>"
        with pytest.raises(FetchError) as caught:
            await fetcher.get(f"https://impostor.test:{tls_server.port}/feed.xml", check_robots=False)
    assert caught.value.kind == "connect"
    assert "certificate" in str(caught.value).lower() or "hostname" in str(caught.value).lower()


async def test_untrusted_certificate_refused(tls_server, config):
    async with Fetcher(config, resolver=resolve) as fetcher:  # system trust store: our throwaway CA is not in it
        with pytest.raises(FetchError) as caught:
            await fetcher.get(f"https://feed.test:{tls_server.port}/feed.xml", check_robots=False)
    assert caught.value.kind == "connect"
