"""Shared fixtures: a loopback server on 127.0.0.2 and a fetch config that allows only it.

One server serves a whole test module (stopping one takes half a second); each
test starts with its routes and request log cleared."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.loopback import LoopbackServer
from tidings.config import FetchConfig

HOST = "127.0.0.2"


def make_config(**overrides: object) -> FetchConfig:
    """A fast test configuration: only 127.0.0.2 is reachable, small limits and timeouts."""
    settings: dict[str, object] = dict(
        allow_networks=[f"{HOST}/32"],
        per_host_delay=0.0,
        timeout=2.0,
        connect_timeout=1.0,
        max_bytes=1_000_000,
        concurrency=8,
        per_host_concurrency=4,
    )
    settings.update(overrides)
    return FetchConfig(**settings)  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def module_server() -> Iterator[LoopbackServer]:
    with LoopbackServer(host=HOST) as srv:
        yield srv


@pytest.fixture
def server(module_server: LoopbackServer) -> LoopbackServer:
    module_server.routes.clear()
    module_server.requests.clear()
    return module_server


@pytest.fixture
def config() -> FetchConfig:
    return make_config()
