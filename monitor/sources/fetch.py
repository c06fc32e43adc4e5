"""Fetch one feed's bytes over HTTP(S) or from a local file: bounded and polite.

Every limit is enforced here, not left to the server: a total deadline from
connect to last byte (a watchdog shuts the socket down when it passes, so a
server that trickles bytes is cut off), a cap on the decoded body (we
decompress ourselves, so a gzip bomb stops at the cap), manual redirects
(http and https only), and conditional GET. Nothing here raises: every
outcome is a FetchResult.
"""

from __future__ import annotations

import socket
import ssl
import threading
import time
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urljoin, urlsplit

from ..config import Fetch
from .filebytes import read_bounded

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
    kind: str | None = None  # timeout | too_large | error (None: no error)
    moved_to: str | None = None  # new URL after permanent (301/308) redirects only
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
          last_modified: str | None = None) -> FetchResult:
    """GET an http(s) URL with conditional headers, redirects, deadline and byte cap."""
    # Imported here: httpx costs ~50 ms of start-up that `monitor ingest` never needs.
    import httpx

    start = time.monotonic()
    res = FetchResult(url=url, final_url=url)
    dog = _Watchdog(start + settings.timeout)
    headers = {"User-Agent": settings.user_agent, "Accept": ACCEPT,
               "Accept-Encoding": "gzip, deflate"}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    permanent = True
    try:
        with httpx.Client(verify=_ssl_context(), follow_redirects=False, trust_env=False,
                          headers=headers) as client:
            current = url
            for _ in range(settings.max_redirects + 1):
                if urlsplit(current).scheme not in ("http", "https"):
                    res.error, res.kind = f"refused: not an http(s) URL: {current}", "error"
                    break
                left = start + settings.timeout - time.monotonic()
                if left <= 0:
                    raise httpx.TimeoutException("deadline passed")
                req = client.build_request("GET", current, extensions={"trace": dog.trace},
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
                        current = urljoin(current, loc.strip())
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
    except (httpx.HTTPError, OSError, ValueError, zlib.error) as exc:
        if dog.fired or isinstance(exc, httpx.TimeoutException):
            res.error = f"timed out (no complete answer within {settings.timeout:g}s)"
            res.kind = "timeout"
        else:
            res.error, res.kind = f"unreachable ({type(exc).__name__}: {exc})", "error"
    finally:
        dog.cancel()
    if res.error:
        res.body, res.moved_to = b"", None
    res.elapsed = time.monotonic() - start
    return res


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
    if isinstance(body, str):
        # read_bounded never blocks on a pipe nor reads a device.
        res.error = (f"cannot read {path}: {body.removeprefix('cannot read: ')}"
                     if body.startswith("cannot read") else f"{body} ({path})")
        res.kind = "too_large" if body.startswith("file larger") else "error"
        return res
    res.status, res.body = 200, body
    return res
