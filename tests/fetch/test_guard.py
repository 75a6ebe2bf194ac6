"""The SSRF guard: address categories, the allow switches, and names that resolve
to forbidden addresses (a stand-in resolver plays DNS; the real system resolver
is used for localhost)."""

from __future__ import annotations

import ipaddress

import pytest

from tests.fetch.conftest import HOST, make_config
from tests.loopback import Reply
from tidings.config import FetchConfig
from tidings.fetch import Fetcher, FetchError
from tidings.fetch.guard import AddressPolicy, check_url, classify

BLOCKED = {
    "127.0.0.1": "loopback",
    "127.8.9.10": "loopback",
    "::1": "loopback",
    "10.0.0.1": "private",
    "172.16.5.4": "private",
    "192.168.1.1": "private",
    "169.254.169.254": "link-local",
    "fe80::1": "link-local",
    "100.64.0.1": "cgnat",
    "fd00:ec2::254": "unique-local",
    "fc00::1": "unique-local",
    "224.0.0.1": "multicast",
    "ff02::1": "multicast",
    "0.0.0.0": "unspecified",
    "0.1.2.3": "unspecified",
    "::": "unspecified",
    "240.0.0.1": "reserved",
    "255.255.255.255": "reserved",
    "192.0.2.10": "non-global",  # documentation
    "198.18.0.1": "non-global",  # benchmarking
    "::ffff:127.0.0.1": "loopback",  # IPv4-mapped
    "::ffff:169.254.169.254": "link-local",
    "::ffff:10.1.1.1": "private",
    "2002:c0a8:0101::1": "private",  # 6to4 of 192.168.1.1
    "64:ff9b::a9fe:a9fe": "link-local",  # NAT64 of 169.254.169.254
}
PUBLIC = ["8.8.8.8", "93.184.216.34", "1.1.1.1", "2606:4700:4700::1111", "::ffff:8.8.8.8", "2002:0808:0808::1"]


@pytest.mark.parametrize("address, category", sorted(BLOCKED.items()))
def test_forbidden_addresses_classified(address, category):
    assert classify(ipaddress.ip_address(address)) == category
    assert AddressPolicy().refusal(ipaddress.ip_address(address)) == category


@pytest.mark.parametrize("address", PUBLIC)
def test_public_addresses_pass(address):
    assert classify(ipaddress.ip_address(address)) is None


def test_allow_switches():
    ip = ipaddress.ip_address
    loopback = AddressPolicy(allow_loopback=True)
    assert loopback.refusal(ip("127.0.0.1")) is None and loopback.refusal(ip("::1")) is None
    assert loopback.refusal(ip("10.0.0.1")) == "private"
    private = AddressPolicy(allow_private=True)
    for address in ("10.0.0.1", "169.254.169.254", "100.64.1.1", "fd12::1"):
        assert private.refusal(ip(address)) is None
    assert private.refusal(ip("127.0.0.1")) == "loopback"
    assert private.refusal(ip("224.0.0.1")) == "multicast"  # never opened by a switch
    networks = AddressPolicy.from_config(FetchConfig(allow_networks=["10.1.2.0/24"]))
    assert networks.refusal(ip("10.1.2.77")) is None
    assert networks.refusal(ip("::ffff:10.1.2.77")) is None
    assert networks.refusal(ip("10.1.3.1")) == "private"
    with pytest.raises(ValueError):
        AddressPolicy.from_config(FetchConfig(allow_networks=["not-a-network"]))


def test_check_url():
    assert check_url("https://example.com/a").host == "example.com"
    for bad in ("gopher://example.com/", "//example.com/x", "/relative", "mailto:x@example.com"):
        with pytest.raises(FetchError) as caught:
            check_url(bad)
        assert caught.value.kind == "invalid_url"


def fake_dns(table: dict[str, list[str]]):
    async def resolve(host: str, port: int) -> list[str]:
        return table[host]

    return resolve


DNS = fake_dns({
    "intranet.example": ["10.20.30.40"],
    "mixed.example": ["93.184.216.34", "192.168.0.10"],
    "metadata.example": ["169.254.169.254"],
    "feed.test": [HOST],
})


@pytest.mark.parametrize("name", ["intranet.example", "mixed.example", "metadata.example"])
async def test_name_resolving_to_private_address_refused(config, name):
    async with Fetcher(config, resolver=DNS) as fetcher:
        with pytest.raises(FetchError) as caught:
            await fetcher.get(f"http://{name}/feed.xml", check_robots=False)
    assert caught.value.kind == "blocked"
    assert name in str(caught.value)


async def test_localhost_refused_by_real_resolver(config):
    async with Fetcher(config) as fetcher:
        with pytest.raises(FetchError) as caught:
            await fetcher.get("http://localhost/", check_robots=False)
    assert caught.value.kind == "blocked"


async def test_connection_goes_to_the_checked_address(server, config):
    """feed.test exists only in our resolver: the request arriving proves the socket
    was opened to the address the guard checked, not re-resolved elsewhere."""
    server.route("/feed.xml", Reply(body="<rss/>", content_type="application/rss+xml"))
    async with Fetcher(config, resolver=DNS) as fetcher:
        result = await fetcher.get(f"http://feed.test:{server.port}/feed.xml")
        assert result.text == "<rss/>"
        assert fetcher.backend.connected[-1] == ("feed.test", HOST, server.port)
    assert any(r.path == "/feed.xml" and r.headers["host"] == f"feed.test:{server.port}" for r in server.requests)


async def test_loopback_allowed_by_switch(server):
    server.route("/ok", Reply(body="ok"))
    async with Fetcher(make_config(allow_networks=[], allow_loopback=True)) as fetcher:
        assert (await fetcher.get(server.url("/ok"))).text == "ok"
    async with Fetcher(make_config(allow_networks=[])) as fetcher:
        with pytest.raises(FetchError) as caught:
            await fetcher.get(server.url("/ok"))
    assert caught.value.kind == "blocked"


@pytest.mark.parametrize("url", [
    "http://[::1]:1/", "http://0x7f000001/", "http://2130706433/", "http://017700000001/", "http://127.1/",
    "http://[::ffff:127.0.0.1]/", "http://0/", "http://LOCALHOST/",
])
async def test_disguised_loopback_hosts_refused(config, url):
    """Odd spellings of loopback are caught because the check runs on the resolved address."""
    async with Fetcher(config) as fetcher:
        with pytest.raises(FetchError) as caught:
            await fetcher.get(url, check_robots=False)
    assert caught.value.kind == "blocked"
