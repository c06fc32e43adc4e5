"""A real HTTP server on 127.0.0.1 for feed tests: routes, slow and endless bodies.

Every feed it serves is synthetic, written by the tests: not real news.
"""

from __future__ import annotations

import gzip
import ssl
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from xml.sax.saxutils import escape


@dataclass
class Reply:
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0  # seconds before answering
    drip: float | None = None  # seconds between single body bytes (a trickling server)
    drip_headers: bool = False  # trickle the status line and headers too
    endless: int = 0  # then send this many more bytes of filler, with no Content-Length


Route = Reply | Callable[[dict[str, str]], Reply]


class FeedServer:
    """Serve Replies by path; record every request's path and headers."""

    def __init__(self, ssl_context: ssl.SSLContext | None = None) -> None:
        self.routes: dict[str, Route] = {}
        self.requests: list[tuple[str, dict[str, str]]] = []
        self.inflight = 0
        self.finished: dict[str, str] = {}  # path -> "sent" or "aborted" (client hung up)
        self.peak = 0
        self.stopping = threading.Event()
        self._lock = threading.Lock()
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self.httpd.daemon_threads = True
        self.scheme = "https" if ssl_context else "http"
        if ssl_context:  # TLS with a test CA (trustme): the handshake runs at accept
            self.httpd.socket = ssl_context.wrap_socket(self.httpd.socket, server_side=True)
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def url(self, path: str) -> str:
        return f"{self.scheme}://127.0.0.1:{self.httpd.server_port}{path}"

    @property
    def port(self) -> int:
        return self.httpd.server_port

    def route(self, path: str, reply: Route) -> str:
        self.routes[path] = reply
        return self.url(path)

    def hits(self, path: str) -> list[dict[str, str]]:
        return [h for p, h in self.requests if p == path]

    def close(self) -> None:
        self.stopping.set()
        self.httpd.shutdown()
        self.httpd.server_close()


def _handler(server: FeedServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args: Any) -> None:  # keep test output quiet
            pass

        def do_GET(self) -> None:  # noqa: N802 (the http.server API)
            headers = {k.lower(): v for k, v in self.headers.items()}
            with server._lock:
                server.requests.append((self.path, headers))
                server.inflight += 1
                server.peak = max(server.peak, server.inflight)
            self._counted = True
            try:
                route = server.routes.get(self.path, Reply(404, b"not here"))
                reply = route(headers) if callable(route) else route
                self._send(reply)
                server.finished[self.path] = "sent"
            except (BrokenPipeError, ConnectionResetError, OSError):
                server.finished[self.path] = "aborted"  # the client gave up, as tests want
            finally:
                self._done()

        def _done(self) -> None:
            # Out of flight before the last bytes go out: a client that has them may
            # send its next request before this thread runs again (peak must not
            # count the two as overlapping).
            if self._counted:
                self._counted = False
                with server._lock:
                    server.inflight -= 1

        def _send(self, r: Reply) -> None:
            if r.delay:
                server.stopping.wait(r.delay)
            head = [f"HTTP/1.1 {r.status} X\r\n"]
            hdrs = {"Content-Type": "application/rss+xml", **r.headers}
            if not r.endless:
                hdrs.setdefault("Content-Length", str(len(r.body)))
            hdrs["Connection"] = "close"
            head += [f"{k}: {v}\r\n" for k, v in hdrs.items()] + ["\r\n"]
            raw = "".join(head).encode("latin-1")
            self.close_connection = True
            if r.drip is None and not r.drip_headers and not r.endless:
                self._done()  # the rest is one write: the answer is decided
            if r.drip_headers:
                self._drip(raw, r.drip or 0.2)
            else:
                self.wfile.write(raw)
            if r.drip is not None:
                self._drip(r.body, r.drip)
            else:
                self.wfile.write(r.body)
            sent = 0
            while sent < r.endless and not server.stopping.is_set():
                self.wfile.write(b" " * 65536)
                sent += 65536

        def _drip(self, data: bytes, gap: float) -> None:
            for i in range(len(data)):
                if server.stopping.wait(gap):
                    raise ConnectionResetError("server stopping")
                self.wfile.write(data[i:i + 1])
                self.wfile.flush()

    return Handler


def rss(title: str, items: list[dict[str, str]], extra: str = "") -> bytes:
    """A synthetic RSS 2.0 document (test data, not news)."""
    parts = [f"<?xml version='1.0' encoding='utf-8'?>{extra}<rss version='2.0'><channel>"
             f"<title>{escape(title)}</title><link>http://example.test/</link>"
             "<description>synthetic test feed</description>"]
    for it in items:
        parts.append("<item>" + "".join(f"<{k}>{escape(v)}</{k}>" for k, v in it.items())
                     + "</item>")
    parts.append("</channel></rss>")
    return "".join(parts).encode("utf-8")


def item(n: int, *, prefix: str = "x", flagged: bool = False) -> dict[str, str]:
    """Synthetic item n; `flagged` items name a tracked Libyan actor."""
    body = ("Synthetic test text: Haftar forces and a ceasefire near Tripoli, Libya."
            if flagged else "Synthetic test text about nothing tracked.")
    return {"title": f"Synthetic item {prefix}{n}", "link": f"http://example.test/{prefix}/{n}",
            "guid": f"{prefix}-{n}", "description": body}


def gzip_bomb(decoded_size: int) -> bytes:
    """gzip of `decoded_size` zero bytes: small on the wire, huge decoded."""
    return gzip.compress(b"\0" * decoded_size, compresslevel=9)


def wait_until(pred: Callable[[], bool], timeout: float = 5.0) -> bool:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if pred():
            return True
        time.sleep(0.01)
    return pred()
