"""SSRF guard: which addresses Tidings may connect to, checked after DNS resolution.

A news source is a URL typed by someone, or found in a feed or a redirect, so it
must not reach the machine's own services, the LAN or a cloud metadata endpoint.
:class:`AddressPolicy` refuses loopback, private (RFC 1918), link-local (with
169.254.169.254), CGNAT, unique-local IPv6, multicast, unspecified, reserved and
other non-global addresses, including IPv4 addresses embedded in IPv6 ones
(IPv4-mapped, 6to4, NAT64, IPv4-compatible), unless the configuration allows them.

:class:`GuardedNetworkBackend` plugs into httpcore's connection pool: it resolves
the host itself, checks EVERY resolved address, then connects to one of the
addresses it checked. The connection therefore goes to the very address that
passed the check (no second lookup, so DNS rebinding cannot swap it), and each
redirect hop, which opens its own connection, is checked the same way. TLS still
verifies the certificate against the host name, which httpcore passes separately.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
import typing
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass

import httpcore
import httpx

from tidings.config import FetchConfig
from tidings.fetch.errors import FetchError

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
Resolver = Callable[[str, int], Awaitable[list[str]]]

SCHEMES = frozenset({"http", "https"})

_CGNAT = ipaddress.ip_network("100.64.0.0/10")
_THIS_NETWORK = ipaddress.ip_network("0.0.0.0/8")
_RFC1918 = tuple(ipaddress.ip_network(n) for n in ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"))
_UNIQUE_LOCAL = ipaddress.ip_network("fc00::/7")
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
_IPV4_COMPATIBLE = ipaddress.ip_network("::/96")

# categories the two switches open; everything else only opens through allow_networks
LOOPBACK_CATEGORIES = frozenset({"loopback"})
PRIVATE_CATEGORIES = frozenset({"private", "link-local", "cgnat", "unique-local"})


def _classify_v4(ip: ipaddress.IPv4Address) -> str | None:
    if ip in _THIS_NETWORK:
        return "unspecified"
    if ip.is_loopback:
        return "loopback"
    if ip.is_link_local:
        return "link-local"
    if ip in _CGNAT:
        return "cgnat"
    if ip.is_multicast:
        return "multicast"
    if any(ip in net for net in _RFC1918):
        return "private"
    if ip.is_reserved or ip == ipaddress.IPv4Address("255.255.255.255"):
        return "reserved"
    if not ip.is_global:
        return "non-global"
    return None


def _embedded_v4(ip: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 address carries (mapped, 6to4, NAT64, compatible)."""
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    if ip.sixtofour is not None:
        return ip.sixtofour
    if ip in _NAT64 or ip in _IPV4_COMPATIBLE:
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return None


def classify(ip: IPAddress) -> str | None:
    """The category that makes ``ip`` unsafe to fetch from, or None for a public address."""
    if isinstance(ip, ipaddress.IPv4Address):
        return _classify_v4(ip)
    if ip.is_unspecified:
        return "unspecified"
    if ip.is_loopback:
        return "loopback"
    if ip.ipv4_mapped is not None:  # ::ffff:a.b.c.d reaches a.b.c.d itself
        return _classify_v4(ip.ipv4_mapped)
    if ip.is_multicast:
        return "multicast"
    if ip.is_link_local:
        return "link-local"
    if ip.is_site_local:
        return "private"
    if ip in _UNIQUE_LOCAL:
        return "unique-local"
    embedded = _embedded_v4(ip)
    if embedded is not None:
        inner = _classify_v4(embedded)
        if inner is not None:
            return inner
    if ip.is_reserved:
        return "reserved"
    if not ip.is_global:
        return "non-global"
    return None


def parse_ip(text: str) -> IPAddress | None:
    """An IP literal (IPv6 with or without brackets and zone), or None for a name."""
    candidate = text.strip("[]").split("%", 1)[0]
    try:
        return ipaddress.ip_address(candidate)
    except ValueError:
        return None


@dataclass(frozen=True, slots=True)
class AddressPolicy:
    """Which non-public addresses are allowed; built from :class:`FetchConfig`."""

    allow_loopback: bool = False
    allow_private: bool = False
    allow_networks: tuple[IPNetwork, ...] = ()

    @classmethod
    def from_config(cls, config: FetchConfig) -> AddressPolicy:
        networks = []
        for cidr in config.allow_networks:
            try:
                networks.append(ipaddress.ip_network(str(cidr).strip(), strict=False))
            except ValueError:
                raise ValueError(f"fetch.allow_networks: {cidr!r} is not a CIDR network") from None
        return cls(config.allow_loopback, config.allow_private, tuple(networks))

    def _in_allowed_network(self, ip: IPAddress) -> bool:
        candidates: list[IPAddress] = [ip]
        if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
            candidates.append(ip.ipv4_mapped)
        return any(c.version == net.version and c in net for c in candidates for net in self.allow_networks)

    def refusal(self, ip: IPAddress) -> str | None:
        """Why ``ip`` may not be contacted (a category name), or None when it may."""
        category = classify(ip)
        if category is None or self._in_allowed_network(ip):
            return None
        if self.allow_loopback and category in LOOPBACK_CATEGORIES:
            return None
        if self.allow_private and category in PRIVATE_CATEGORIES:
            return None
        return category

    def check(self, ip: IPAddress, url: str) -> None:
        reason = self.refusal(ip)
        if reason is not None:
            note = " (cloud metadata endpoint)" if str(ip) == "169.254.169.254" else ""
            raise FetchError("blocked", url, f"address {ip} is {reason}{note}; not allowed by fetch settings")


def check_url(url: str) -> httpx.URL:
    """Parse ``url``; refuse anything but an absolute http(s) URL with a host."""
    try:
        parsed = httpx.URL(url)
    except (httpx.InvalidURL, TypeError, ValueError) as exc:
        raise FetchError("invalid_url", str(url), f"not a valid URL: {exc}") from None
    if parsed.scheme not in SCHEMES:
        shown = parsed.scheme or "none"
        raise FetchError("invalid_url", str(url), f"scheme {shown!r} is not allowed (only http and https)")
    if not parsed.host:
        raise FetchError("invalid_url", str(url), "URL has no host")
    return parsed


async def system_resolver(host: str, port: int) -> list[str]:
    """Resolve with the operating system's resolver (getaddrinfo), TCP addresses only."""
    loop = asyncio.get_running_loop()
    infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    seen: list[str] = []
    for _family, _type, _proto, _canon, sockaddr in infos:
        address = str(sockaddr[0]).split("%", 1)[0]
        if address not in seen:
            seen.append(address)
    return seen


async def resolve_checked(host: str, port: int, policy: AddressPolicy,
                          resolver: Resolver = system_resolver) -> list[str]:
    """Resolve ``host`` and check every address; returns the addresses, all allowed.

    Raises ``FetchError("dns")`` when the name does not resolve and
    ``FetchError("blocked")`` when ANY address is refused (a name that resolves to
    both a public and a private address is refused: the attacker picks which one
    a later lookup returns)."""
    where = f"{host}:{port}"
    literal = parse_ip(host)
    if literal is not None:
        policy.check(literal, where)
        return [str(literal)]
    try:
        addresses = await resolver(host, port)
    except (socket.gaierror, UnicodeError, OSError) as exc:
        raise FetchError("dns", where, f"cannot resolve {host!r}: {exc}") from None
    if not addresses:
        raise FetchError("dns", where, f"{host!r} resolved to no address")
    for address in addresses:
        ip = parse_ip(address)
        if ip is None:
            raise FetchError("dns", where, f"resolver gave a non-address {address!r} for {host!r}")
        reason = policy.refusal(ip)
        if reason is not None:
            raise FetchError("blocked", where,
                             f"{host!r} resolves to {ip}, which is {reason}; not allowed by fetch settings")
    return addresses


class GuardedNetworkBackend(httpcore.AsyncNetworkBackend):
    """httpcore network backend that resolves, checks, then connects to a checked address."""

    def __init__(self, policy: AddressPolicy, resolver: Resolver = system_resolver,
                 inner: httpcore.AsyncNetworkBackend | None = None) -> None:
        self.policy = policy
        self.resolver = resolver
        self.inner = inner or httpcore.AnyIOBackend()
        self.connected: list[tuple[str, str, int]] = []  # (host, address, port), newest last, for diagnostics

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[typing.Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        addresses = await resolve_checked(host, port, self.policy, self.resolver)
        last: Exception | None = None
        for address in addresses:
            try:
                stream = await self.inner.connect_tcp(
                    address, port, timeout=timeout, local_address=local_address, socket_options=socket_options
                )
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                last = exc
                continue
            self.connected.append((host, address, port))
            del self.connected[:-32]
            return stream
        assert last is not None
        raise last

    async def connect_unix_socket(self, path: str, timeout: float | None = None,
                                  socket_options: Iterable[typing.Any] | None = None) -> httpcore.AsyncNetworkStream:
        raise FetchError("blocked", path, "unix sockets are not allowed")

    async def sleep(self, seconds: float) -> None:
        await self.inner.sleep(seconds)
