"""Where a fetch may connect: address zones, bounded DNS, and the redirect rules.

A feed's configured URL is the user's choice and is fetched wherever it
points (a local RSS bridge on 127.0.0.1 is normal). A redirect is the
server's choice: it may not lead into a loopback, private, link-local,
unique-local or cloud-metadata address unless the configured URL is itself
in that zone, nor from https to http. The check is made on the address the
name resolves to, and the connection is made to that very address (a second
lookup could answer otherwise).

Name resolution runs in a helper thread and is abandoned when the fetch's
deadline passes: `getaddrinfo` itself cannot be interrupted.
"""

from __future__ import annotations

import ipaddress
import socket
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

PUBLIC = "public"
# Cloud metadata services answer on these (AWS/GCP/Azure/OpenStack, AWS IPv6, Alibaba).
_METADATA = frozenset(ipaddress.ip_address(a) for a in (
    "169.254.169.254", "169.254.170.2", "fd00:ec2::254", "100.100.100.200"))
_UNIQUE_LOCAL = ipaddress.ip_network("fc00::/7")


def zone(address: str) -> str:
    """public | loopback | private | link-local | unique-local | metadata | reserved."""
    ip: ipaddress.IPv4Address | ipaddress.IPv6Address = ipaddress.ip_address(
        address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped  # ::ffff:127.0.0.1 is 127.0.0.1
    if ip in _METADATA:
        return "metadata"
    if ip.is_loopback or ip.is_unspecified:  # 0.0.0.0 reaches this host
        return "loopback"
    if ip.is_link_local:
        return "link-local"
    if isinstance(ip, ipaddress.IPv6Address) and ip in _UNIQUE_LOCAL:
        return "unique-local"
    if ip.is_private:
        return "private"
    if ip.is_multicast or not ip.is_global:
        return "reserved"  # multicast, 100.64/10 (carrier NAT), documentation ranges...
    return PUBLIC


@dataclass(frozen=True)
class Address:
    ip: str
    zone: str


class ResolveTimeout(Exception):
    """The name did not resolve before the fetch's deadline."""


class Refused(Exception):
    """The redirect policy forbids this connection; the message says why."""


Lookup = Callable[[str, int], Iterable[str]]


def _getaddrinfo(host: str, port: int) -> list[str]:
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


class Resolver:
    """Host name -> addresses with their zones, within a time limit.

    `lookup` does the actual resolution (getaddrinfo by default); tests give
    their own to map a name to 127.0.0.1 or to be slow.
    """

    def __init__(self, lookup: Lookup | None = None) -> None:
        self.lookup = lookup or _getaddrinfo

    def zone_of(self, host: str, ip: str) -> str:
        """The zone an address counts as (a test resolver may call a server public)."""
        return zone(ip)

    def resolve(self, host: str, port: int, timeout: float | None) -> list[Address]:
        try:  # a literal address needs no lookup
            ipaddress.ip_address(host.split("%", 1)[0])
            ips: list[str] = [host]
        except ValueError:
            ips = self._bounded(host, port, timeout)
        return [Address(ip, self.zone_of(host, ip)) for ip in ips]

    def _bounded(self, host: str, port: int, timeout: float | None) -> list[str]:
        box: dict[str, Any] = {}

        def work() -> None:
            try:
                box["ips"] = list(self.lookup(host, port))
            except BaseException as exc:  # handed to the waiting thread
                box["exc"] = exc

        t = threading.Thread(target=work, name=f"resolve {host}", daemon=True)
        t.start()
        t.join(timeout)
        if t.is_alive():
            raise ResolveTimeout(f"resolving {host} took longer than the deadline")
        if "exc" in box:
            raise box["exc"]
        if not box["ips"]:
            raise OSError(f"{host} resolved to no address")
        return box["ips"]


class GuardedBackend:
    """Connects only where the current hop allows (wraps httpcore's socket backend).

    `allowed` is None for the configured URL (anything goes) and a set of
    zones for a redirect; `first_zone` is the zone the configured URL reached.
    """

    def __init__(self, resolver: Resolver) -> None:
        import httpcore  # here, not at import: `monitor ingest` never fetches

        self.resolver = resolver
        self.allowed: set[str] | None = None
        self.first_zone: str | None = None
        self._sockets = httpcore.SyncBackend()

    def connect_tcp(self, host: str, port: int, timeout: float | None = None,
                    local_address: str | None = None,
                    socket_options: Iterable[Any] | None = None) -> Any:
        import httpcore

        t0 = time.monotonic()
        try:
            addrs = self.resolver.resolve(host, port, timeout)
        except OSError as exc:  # reported like any connection failure
            raise httpcore.ConnectError(f"{type(exc).__name__}: {exc}") from exc
        if timeout is not None:
            timeout = max(0.001, timeout - (time.monotonic() - t0))
        if self.allowed is not None:
            ok = [a for a in addrs if a.zone in self.allowed]
            if not ok:
                z = addrs[0].zone
                raise Refused(f"refused: a redirect may not lead to a {z} address ({host} "
                              f"is {addrs[0].ip}) from a feed that is not in that zone")
            addrs = ok
        err: Exception | None = None
        for a in addrs:
            try:
                stream = self._sockets.connect_tcp(a.ip, port, timeout, local_address,
                                                   socket_options)
            except httpcore.ConnectError as exc:
                err = exc
                continue
            if self.first_zone is None:
                self.first_zone = a.zone
            return stream
        assert err is not None
        raise err

    def __getattr__(self, name: str) -> Any:  # connect_unix_socket, sleep
        return getattr(self._sockets, name)


def redirect_problem(previous: str, target: str) -> str | None:
    """Why a redirect from `previous` to `target` URL is refused before connecting, or None."""
    if previous.lower().startswith("https:") and target.lower().startswith("http:"):
        return "refused: a redirect from https to http (the feed would lose its encryption)"
    return None


def site(host: str | None) -> str:
    """A host name as a site: lower case, without a leading www."""
    h = (host or "").lower().rstrip(".")
    return h[4:] if h.startswith("www.") else h
