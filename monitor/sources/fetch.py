"""Fetch one feed's bytes over HTTP(S) or from a local file: bounded and polite.

Every limit is enforced here, not left to the server: a total deadline from
connect to last byte (a watchdog shuts the socket down when it passes, so a
server that trickles bytes is cut off), a cap on the decoded body (we
decompress ourselves, so a gzip bomb stops at the cap), manual redirects
(http and https only, under the policy of netpolicy.py), and conditional GET.
Nothing here raises: every outcome is a FetchResult, its error redacted.
"""

from __future__ import annotations

import socket
import ssl
import threading
import time
import zlib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urljoin, urlsplit

from ..config import Fetch
from ..redact import has_credentials, redact_text
from .filebytes import NotRead, read_bounded
from .netpolicy import (
    PUBLIC,
    GuardedBackend,
    Refused,
    Resolver,
    ResolveTimeout,
    redirect_problem,
    site,
)

if TYPE_CHECKING:
    import httpx

CHUNK = 64 * 1024  # bytes read from the socket at a time
REDIRECTS = (301, 302, 303, 307, 308)
PERMANENT = (301, 308)  # remembered as the feed's new URL
ACCEPT = ("application/rss+xml, application/atom+xml, application/rdf+xml, "
          "application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5")


@dataclass
class FetchResult:
    """What one fetch gave: a status, a body, headers, or an error in words."""

    url: str  # the URL asked for
    final_url: str  # after redirects
    status: int | None = None  # HTTP status; None when no response was read
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)  # lower-case names
    error: str | None = None  # one line, e.g. "unreachable (ConnectError: ...)"
    kind: str | None = None  # timeout | too_large | refused | error (None: no error)
    # New URL after permanent (301/308) redirects only, on the same site, with no secret in it.
    moved_to: str | None = None
    requests: int = 0
    elapsed: float = 0.0

    @property
    def ok(self) -> bool:
        return self.error is None and self.status in (200, 304)


class _Watchdog:
    """Shuts down every socket of a fetch once its deadline passes."""

    def __init__(self, deadline: float) -> None:
        self.deadline = deadline
        self.fired = False
        self._socks: list[socket.socket] = []
        self._lock = threading.Lock()
        self._timer = threading.Timer(max(0.0, deadline - time.monotonic()), self._fire)
        self._timer.daemon = True
        self._timer.start()

    def trace(self, event: str, info: dict[str, Any]) -> None:
        """httpcore trace hook: remember each new connection's socket."""
        if event == "connection.connect_tcp.complete" and info.get("return_value"):
            sock = info["return_value"].get_extra_info("socket")
            with self._lock:
                self._socks.append(sock)
                late = self.fired
            if late:
                _shutdown(sock)

    def _fire(self) -> None:
        with self._lock:
            self.fired = True
            socks = list(self._socks)
        for s in socks:
            _shutdown(s)

    def cancel(self) -> None:
        self._timer.cancel()


def _shutdown(sock: socket.socket) -> None:
    try:
        sock.shutdown(socket.SHUT_RDWR)  # wakes a thread blocked in recv, unlike close()
    except OSError:
        pass


@lru_cache(maxsize=1)
def _ssl_context() -> ssl.SSLContext:
    """One verified TLS context for every fetch (building one costs ~10 ms)."""
    import httpx

    return httpx.create_ssl_context()


class TooLarge(Exception):
    """The decoded body passed the byte cap."""


def _decoded(raw: Iterator[bytes], encoding: str, cap: int) -> Iterator[bytes]:
    """Decode gzip/deflate ourselves, never producing more than cap + 1 bytes."""
    enc = encoding.strip().lower()
    if enc in ("", "identity"):
        yield from raw
        return
    if enc not in ("gzip", "x-gzip", "deflate"):
        raise ValueError(f"unsupported Content-Encoding {encoding!r}")
    wbits = 16 + zlib.MAX_WBITS if enc != "deflate" else zlib.MAX_WBITS
    d = zlib.decompressobj(wbits)
    produced, first = 0, True
    for chunk in raw:
        if first and chunk:
            first = False
            if enc == "deflate" and chunk[0] & 0x0F != 8:
                d = zlib.decompressobj(-zlib.MAX_WBITS)  # raw deflate, no zlib header
        data = chunk
        while data:
            out = d.decompress(data, cap + 1 - produced)
            produced += len(out)
            yield out
            if produced > cap:
                raise TooLarge
            data = d.unconsumed_tail
    yield d.flush()


def fetch(url: str, settings: Fetch, *, etag: str | None = None,
          last_modified: str | None = None, headers: Mapping[str, str] | None = None,
          resolver: Resolver | None = None,
          ssl_context: ssl.SSLContext | None = None) -> FetchResult:
    """GET an http(s) URL with conditional headers, redirects, deadline and byte cap.

    `headers` (the feed's own, credentials included) go only to URLs on the
    configured URL's site. The result's error is redacted; its `url` and
    `final_url` are not (they are for fetching, never for showing).
    """
    # Imported here: httpx costs ~50 ms of start-up that `monitor ingest` never needs.
    import httpx

    start = time.monotonic()
    res = FetchResult(url=url, final_url=url)
    dog = _Watchdog(start + settings.timeout)
    base = {"User-Agent": settings.user_agent, "Accept": ACCEPT,
            "Accept-Encoding": "gzip, deflate"}
    if etag:
        base["If-None-Match"] = etag
    if last_modified:
        base["If-Modified-Since"] = last_modified
    backend = GuardedBackend(resolver or Resolver())
    home = site(urlsplit(url).hostname)
    permanent = True
    try:
        with httpx.Client(transport=_transport(ssl_context or _ssl_context(), backend),
                          follow_redirects=False, trust_env=False, headers=base) as client:
            current, previous = url, None
            for _ in range(settings.max_redirects + 1):
                if urlsplit(current).scheme not in ("http", "https"):
                    res.error, res.kind = f"refused: not an http(s) URL: {current}", "refused"
                    break
                if previous is not None:
                    problem = redirect_problem(previous, current)
                    if problem:
                        res.error, res.kind = f"{problem}: {current}", "refused"
                        break
                    backend.allowed = {PUBLIC, backend.first_zone or PUBLIC}
                left = start + settings.timeout - time.monotonic()
                if left <= 0:
                    raise httpx.TimeoutException("deadline passed")
                own = headers if headers and site(urlsplit(current).hostname) == home else {}
                req = client.build_request("GET", current, headers=own,
                                           extensions={"trace": dog.trace},
                                           timeout=httpx.Timeout(left))
                resp = client.send(req, stream=True)
                res.requests += 1
                try:
                    res.status, res.final_url = resp.status_code, current
                    res.headers = {k.lower(): v for k, v in resp.headers.items()}
                    if resp.status_code in REDIRECTS:
                        loc = resp.headers.get("location")
                        if not loc:
                            res.error = f"HTTP {resp.status_code} without a Location"
                            res.kind = "error"
                            break
                        previous, current = current, urljoin(current, loc.strip())
                        permanent = permanent and resp.status_code in PERMANENT
                        if permanent:
                            res.moved_to = current
                        continue
                    if resp.status_code == 200:
                        res.body = _read_body(resp, settings.max_bytes, dog)
                    break
                finally:
                    resp.close()
            else:
                res.error = f"too many redirects (more than {settings.max_redirects})"
                res.kind = "error"
    except TooLarge:
        res.error, res.kind = f"body larger than {settings.max_bytes} bytes: cut off", "too_large"
    except Refused as exc:
        res.error, res.kind = str(exc), "refused"
    except (httpx.HTTPError, OSError, ValueError, zlib.error, ResolveTimeout) as exc:
        if dog.fired or isinstance(exc, (httpx.TimeoutException, ResolveTimeout)):
            res.error = f"timed out (no complete answer within {settings.timeout:g}s)"
            res.kind = "timeout"
        else:
            res.error, res.kind = f"unreachable ({type(exc).__name__}: {exc})", "error"
    finally:
        dog.cancel()
    if res.error:
        res.body, res.moved_to = b"", None
        res.error = redact_text(res.error)
    elif res.moved_to and not _rememberable(url, res.moved_to):
        res.moved_to = None
    res.elapsed = time.monotonic() - start
    return res


def _rememberable(url: str, moved_to: str) -> bool:
    """A permanent move is kept only on the same site, and only if no secret is in it."""
    return site(urlsplit(moved_to).hostname) == site(urlsplit(url).hostname) \
        and not has_credentials(moved_to)


def _transport(ssl_context: ssl.SSLContext, backend: GuardedBackend) -> Any:
    """An httpx transport whose connections go through `backend` (the policy)."""
    import httpcore
    import httpx

    class Transport(httpx.HTTPTransport):
        def __init__(self) -> None:
            super().__init__(verify=ssl_context, trust_env=False)
            # httpx has no public way to give a network backend; httpcore's pool has.
            # GuardedBackend is a NetworkBackend by duck typing (no httpcore at import).
            self._pool = httpcore.ConnectionPool(
                ssl_context=ssl_context, network_backend=backend)  # type: ignore[arg-type]

    return Transport()


def _read_body(resp: httpx.Response, cap: int, dog: _Watchdog) -> bytes:
    import httpx

    enc = resp.headers.get("content-encoding", "")
    parts: list[bytes] = []
    size = 0
    for chunk in _decoded(resp.iter_raw(CHUNK), enc, cap):
        if time.monotonic() > dog.deadline:
            raise httpx.TimeoutException("deadline passed while reading the body")
        size += len(chunk)
        if size > cap:
            raise TooLarge
        parts.append(chunk)
    return b"".join(parts)


def local_path(url: str, base: Path) -> Path:
    """A feed written in the config as a path or file:// URL, resolved against base."""
    p = url[len("file://"):] if url.startswith("file://") else url
    return Path(p) if Path(p).is_absolute() else base / p


def read_local(url: str, base: Path, max_bytes: int) -> FetchResult:
    """Read a local feed file named in the config, with the same byte cap."""
    path = local_path(url, base)
    res = FetchResult(url=url, final_url=str(path))
    body = read_bounded(path, max_bytes)
    if isinstance(body, NotRead):
        # read_bounded never blocks on a pipe nor reads a device.
        res.error = (f"cannot read {path}: {body.error}" if body.error is not None
                     else f"{body.why} ({path})")
        res.kind = "too_large" if body.too_large else "error"
        return res
    res.status, res.body = 200, body
    return res
